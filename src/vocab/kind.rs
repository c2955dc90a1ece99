//! What a value is, which decides how it is shown: decided when a measure is planned.

/// What a column holds, which decides how it is shown: tables format for people (thousands
/// separators, h:mm:ss, MB/GB), csv and json carry the raw value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Keys, names, labels (a subscriber key, a plan, a day).
    Text,
    /// A whole number of things (calls, SMS, customers).
    Count,
    /// A duration in seconds (may be fractional, as an average): h:mm:ss in tables.
    Seconds,
    /// A data volume in MB (10^6 bytes): MB or GB in tables.
    Megabytes,
    /// Money in the operator's currency: two decimals.
    Money,
    /// Any other number (minutes, a metric): up to two decimals.
    Number,
    /// A change against the previous period, as a fraction (0.125 is +12.5%).
    Change,
    /// Drawn for people only (a bar, a "peak" marker); left out of csv and json.
    Decoration,
}

impl Kind {
    /// Whether the column is numeric (right-aligned in tables).
    pub fn is_numeric(self) -> bool {
        !matches!(self, Kind::Text | Kind::Decoration)
    }
}
