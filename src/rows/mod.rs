//! Rows: a query's answer as named, typed columns, the same whichever backend or table answered.

mod build;
mod decorate;
mod exposure;
mod fees;
mod histogram;
mod idle;
mod insight;
pub mod versus;

pub use build::{Prices, result};
pub use histogram::histogram;
pub use idle::idle;
pub use insight::insight;

use crate::store::Value;

pub use crate::plan::Kind;

/// One column of an answer: its name and what its values are.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The column's name, as a header and in csv and json: `day`, `minutes`, `avg(duration)`.
    pub name: String,
    /// What its values are, which decides how they are shown.
    pub kind: Kind,
}

impl Column {
    /// A column named `name` holding values of `kind`.
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
    /// The columns, in order: the group keys, then the measures.
    pub columns: Vec<Column>,
    /// Each row has one value per column: `Int` or `Float` for numbers, `Text` for text and
    /// decorations, `Null` where there is nothing.
    pub rows: Vec<Vec<Value>>,
    /// One row of many columns (a summary): tables show it name by name.
    pub vertical: bool,
}

impl ResultSet {
    /// The position of the column named `name`, if there is one.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}
