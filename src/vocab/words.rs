//! The words of the language: the grammar's keywords, and the names of the vocabulary's tables.

use std::sync::OnceLock;

/// Words a statement starts with.
pub const HEADS: &[&str] = &[
    "summary",
    "customers",
    "peak",
    "top",
    "trend",
    "histogram",
    "idle",
    "capacity",
    "anomalies",
    "declining",
    "suspects",
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
    "having",
    "show",
    "sort",
    "top",
    "limit",
    "vs",
    "buckets",
    "grade",
    "threshold",
    "baseline",
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

/// The words that name a source, as heads of a query.
pub const SOURCES: &[&str] = &["calls", "sms", "data", "usage"];

/// The names of a table of the vocabulary, made once.
fn names_of<T>(
    cell: &'static OnceLock<Vec<&'static str>>,
    table: &'static [T],
    name: fn(&T) -> &'static str,
) -> &'static [&'static str] {
    cell.get_or_init(|| {
        let mut names: Vec<&'static str> = Vec::new();
        for n in table.iter().map(name) {
            if !names.contains(&n) {
                names.push(n);
            }
        }
        names
    })
}

/// What `per` groups by.
pub fn dimensions() -> &'static [&'static str] {
    static CELL: OnceLock<Vec<&'static str>> = OnceLock::new();
    names_of(&CELL, super::DIMENSIONS, |d| d.name)
}

/// Built-in measures.
pub fn measures() -> &'static [&'static str] {
    static CELL: OnceLock<Vec<&'static str>> = OnceLock::new();
    names_of(&CELL, super::MEASURES, |m| m.name)
}

/// Fields a `where` condition or a function can name.
pub fn fields() -> &'static [&'static str] {
    static CELL: OnceLock<Vec<&'static str>> = OnceLock::new();
    names_of(&CELL, super::FIELDS, |f| f.name)
}

/// Functions of a numeric field (any `pNN`, `p1` to `p99`, is a percentile too).
pub const FUNCTIONS: &[&str] = &[
    "sum",
    "avg",
    "min",
    "max",
    "median",
    "p90",
    "p95",
    "p99",
    "percentile",
];

/// Functions of a measure: `share(minutes)`.
pub const MEASURE_FUNCTIONS: &[&str] = &["share"];

/// Units of `last N ...`, plural.
pub const UNITS: &[&str] = &["hours", "days", "weeks", "months"];
/// The buckets of `trend ... per`; also the singular units of `last N ...`.
pub const BUCKETS: &[&str] = &["hour", "day", "week", "month"];
/// What `this` may be followed by: `this week`, `this month`, `this year`.
pub const THIS: &[&str] = &["week", "month", "year"];

/// Every keyword, for "did you mean" and for telling keys from keywords.
pub fn all() -> impl Iterator<Item = &'static str> {
    [
        HEADS,
        CLAUSES,
        SOURCES,
        dimensions(),
        measures(),
        FUNCTIONS,
        MEASURE_FUNCTIONS,
        fields(),
        UNITS,
        BUCKETS,
        THIS,
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
