//! The vocabulary of the language, each word once: sources, measures, fields and dimensions.

// The parser, the planner, `summary`, `.help`, the shell's completion and docs/LANGUAGE.md's
// tables all read these tables, so a measure added here exists everywhere or fails a test.

pub mod doc;
mod fields;
mod kind;
mod measures;
pub mod words;

pub use fields::{
    DIMENSIONS, Dimension, FIELDS, FieldWord, FilterField, NUMERIC, NumericField, numeric,
};
pub use kind::Kind;
pub use measures::{Atom, Field, How, MEASURES, MeasureWord};

/// What a query reads: one kind of record, or all three per customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// Voice calls.
    Calls,
    /// Text messages.
    Sms,
    /// Data sessions.
    Data,
    /// All three, per customer.
    Usage,
}

impl Source {
    /// Every source, in the order the docs list them.
    pub const ALL: [Source; 4] = [Source::Calls, Source::Sms, Source::Data, Source::Usage];

    /// The word that names it.
    pub fn name(self) -> &'static str {
        match self {
            Source::Calls => "calls",
            Source::Sms => "sms",
            Source::Data => "data",
            Source::Usage => "usage",
        }
    }

    /// Whether its rows include the records of `part` (usage includes all three).
    pub fn includes(self, part: Source) -> bool {
        self == part || self == Source::Usage
    }
}

/// A measure of the vocabulary by name.
pub fn measure(name: &str) -> Option<&'static MeasureWord> {
    MEASURES.iter().find(|m| m.name == name)
}

/// A `where` field of the vocabulary by name.
pub fn field(name: &str) -> Option<&'static FieldWord> {
    FIELDS.iter().find(|f| f.name == name)
}

/// A `per` dimension of the vocabulary by name.
pub fn dimension(name: &str) -> Option<&'static Dimension> {
    DIMENSIONS.iter().find(|d| d.name == name)
}
