//! The words of the language, in one place: the parser checks against them, the shell completes
//! them, docs/LANGUAGE.md lists them.

/// Words a statement starts with.
pub const HEADS: &[&str] = &[
    "summary",
    "customers",
    "peak",
    "top",
    "trend",
    "calls",
    "sms",
    "data",
    "usage",
    "explain",
];

/// Words that start a clause after the head.
pub const CLAUSES: &[&str] = &[
    "where",
    "since",
    "until",
    "between",
    "on",
    "today",
    "yesterday",
    "last",
    "this",
    "per",
    "show",
    "sort",
    "top",
    "limit",
];

/// Words that start a time range.
pub const RANGES: &[&str] = &[
    "since",
    "until",
    "between",
    "on",
    "today",
    "yesterday",
    "last",
    "this",
];

pub const SOURCES: &[&str] = &["calls", "sms", "data", "usage"];

/// What `per` groups by. `hour` is the hour of the day (0-23), like `weekday`.
pub const DIMENSIONS: &[&str] = &[
    "customer",
    "hour",
    "day",
    "week",
    "month",
    "weekday",
    "direction",
    "status",
    "plan",
    "region",
];

/// Built-in measures.
pub const MEASURES: &[&str] = &[
    "count",
    "calls",
    "answered",
    "minutes",
    "seconds",
    "sms",
    "data_mb",
    "revenue",
    "customers",
];

/// Functions of a numeric field.
pub const FUNCTIONS: &[&str] = &["sum", "avg", "min", "max"];

/// Fields a `where` condition or a function can name.
pub const FIELDS: &[&str] = &[
    "direction",
    "status",
    "duration",
    "other",
    "cell",
    "up",
    "down",
    "bytes",
    "customer",
    "plan",
    "region",
];

/// Units of `last N ...` and the buckets of `trend ... per`.
pub const UNITS: &[&str] = &["hours", "days", "weeks", "months"];
pub const BUCKETS: &[&str] = &["hour", "day", "week", "month"];
pub const THIS: &[&str] = &["week", "month", "year"];

/// Every keyword, for "did you mean" and for telling keys from keywords.
pub fn all() -> impl Iterator<Item = &'static str> {
    [
        HEADS, CLAUSES, SOURCES, DIMENSIONS, MEASURES, FUNCTIONS, FIELDS, UNITS, BUCKETS, THIS,
    ]
    .into_iter()
    .flatten()
    .copied()
    .chain([
        "and", "or", "not", "in", "by", "asc", "desc", "hours", "now",
    ])
}

/// `days` → `day`: units may be written singular or plural.
pub fn singular(word: &str) -> String {
    let lower = word.to_lowercase();
    lower
        .strip_suffix('s')
        .map_or(lower.clone(), str::to_string)
}
