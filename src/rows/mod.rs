//! Rows: a query's answer as named, typed columns, the same whichever backend or table answered.

mod build;
mod decorate;

pub use build::{Prices, result};

use crate::store::Value;

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

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
}

impl Column {
    pub fn new(name: impl Into<String>, kind: Kind) -> Column {
        Column {
            name: name.into(),
            kind,
        }
    }
}

/// A query's answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResultSet {
    /// A heading for people ("Network summary, 2026-11-01 to 2026-11-25 (UTC)").
    pub title: Option<String>,
    pub columns: Vec<Column>,
    /// Each row has one value per column: `Int` or `Float` for numbers, `Text` for text and
    /// decorations, `Null` where there is nothing.
    pub rows: Vec<Vec<Value>>,
    /// One row of many columns (a summary): tables show it name by name.
    pub vertical: bool,
}

impl ResultSet {
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}
