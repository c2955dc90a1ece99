//! Parameters: the values of a statement's `$name` tokens (a report's `--param`s, the map of a
//! Rhai `query(text, #{...})`). The parser binds each where it meets it — as a value, a count,
//! a time, a key or a whole time range — so a value can never become syntax: `x' or 1 = 1` is
//! only ever the text `x' or 1 = 1`.

use super::ast::{Literal, Range, Spanned};
use super::{ParseError, Parser};
use crate::diag::Diagnostic;
use crate::lex::{Token, TokenKind, tokens};
use std::collections::BTreeMap;

/// Parameter values by name, as text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params(BTreeMap<String, String>);

impl Params {
    /// No parameters.
    pub fn new() -> Params {
        Params::default()
    }

    /// Sets parameter `name` (without the `$`) to `value`, replacing any earlier value.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.insert(name.into(), value.into());
    }

    /// The value of parameter `name` (without the `$`), if it has one.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// Whether there are no parameters at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Params {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Params(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

fn bad(t: &Token, value: &str, what: &str) -> ParseError {
    ParseError::from(Diagnostic::new(
        t.span,
        format!("parameter `${}` is `{value}`, which is not {what}", t.text),
    ))
}

impl Parser<'_> {
    /// Whether quoted text is exactly `$name` or `${name}` of a parameter this statement has:
    /// someone meant the parameter (quotes made it text, as in SQL).
    pub(super) fn names_a_param(&self, text: &str) -> bool {
        let Some(name) = text.strip_prefix('$') else {
            return false;
        };
        let name = name
            .strip_prefix('{')
            .and_then(|n| n.strip_suffix('}'))
            .unwrap_or(name);
        self.params.get(name).is_some()
    }

    /// The value of the parameter token `t`.
    pub(super) fn param_value(&self, t: &Token) -> Result<String, ParseError> {
        self.params.get(&t.text).map(str::to_string).ok_or_else(|| {
            ParseError::from(Diagnostic::new(
                t.span,
                format!("no value for the parameter `${}`", t.text),
            ))
        })
    }

    /// A parameter where a value goes: the value as the one literal it spells (`5m`, `10MB`,
    /// `2026-11-25`, `447700900123`), else as text, whatever it holds.
    pub(super) fn param_literal(&self, t: &Token) -> Result<Spanned<Literal>, ParseError> {
        let value = self.param_value(t)?;
        let literal = match tokens(value.trim()).as_deref() {
            Ok([one]) if one.span.start == 0 && one.span.end == value.trim().len() => {
                match &one.kind {
                    TokenKind::Number(n) => Literal::Number(*n, one.text.clone()),
                    TokenKind::Duration(s) => Literal::Duration(*s, one.text.clone()),
                    TokenKind::Size(b) => Literal::Size(*b, one.text.clone()),
                    TokenKind::Time => Literal::Time(one.text.clone()),
                    _ => Literal::Text(value.clone()),
                }
            }
            _ => Literal::Text(value.clone()),
        };
        Ok(Spanned::new(literal, t.span))
    }

    /// A parameter where a count goes (`top $n`, `last $n days`).
    pub(super) fn param_count(&self, t: &Token) -> Result<Spanned<u64>, ParseError> {
        let value = self.param_value(t)?;
        match value.trim().parse::<u64>() {
            Ok(n) if (1..=1_000_000_000).contains(&n) => Ok(Spanned::new(n, t.span)),
            _ => Err(bad(t, &value, "a whole number from 1")),
        }
    }

    /// A parameter that is a whole time range (`last 7 days`, `between A and B`): its value is
    /// parsed as one range clause and nothing else.
    pub(super) fn param_range(&self, t: &Token) -> Result<Spanned<Range>, ParseError> {
        let value = self.param_value(t)?;
        let within = |e: ParseError| {
            bad(
                t,
                &value,
                &format!(
                    "a time range such as `last 7 days` ({})",
                    e.diagnostic.message
                ),
            )
        };
        let toks = tokens(&value).map_err(|d| within(ParseError::from(d)))?;
        let empty = Params::new();
        let mut sub = Parser::new(&toks, value.len(), &empty);
        let word = sub.keyword(crate::vocab::words::RANGES).map_err(within)?;
        let range = sub.range(&word.value).map_err(within)?;
        if let Some(extra) = sub.peek() {
            return Err(within(ParseError::from(Diagnostic::new(
                extra.span,
                format!("`{}` after the range", extra.text),
            ))));
        }
        Ok(Spanned::new(range, t.span))
    }
}
