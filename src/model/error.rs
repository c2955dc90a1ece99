//! The one error every validation rule returns: which field, what value, which rule.

use std::fmt;

/// A rejected value. Rendered in one line: `invalid duration "25h": must be between 0s and 24h`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// The name of the field or column the value was given for (`duration`, `billsec`).
    pub field: String,
    /// The rejected value, as it was given.
    pub value: String,
    /// The rule it broke, in words: `must be between 0s and 24h`.
    pub rule: String,
}

impl ValidationError {
    /// The error for `value` of `field` breaking `rule`.
    pub fn new(
        field: impl Into<String>,
        value: impl Into<String>,
        rule: impl Into<String>,
    ) -> Self {
        ValidationError {
            field: field.into(),
            value: value.into(),
            rule: rule.into(),
        }
    }

    /// The same rejection reported under another field name (a parser for "a duration" does not
    /// know whether it is reading `--duration` or a CSV column called `billsec`).
    pub fn for_field(mut self, field: &str) -> Self {
        self.field = field.to_string();
        self
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {} {:?}: {}", self.field, self.value, self.rule)
    }
}

impl std::error::Error for ValidationError {}
