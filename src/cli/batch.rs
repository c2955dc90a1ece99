//! Batch mode: statements from `-e`, `-f` or standard input, answers on stdout, errors on stderr.

use super::{AppError, Session};
use crate::query::{self, Answer};
use crate::table::{self, Format, Options};

/// Splits a script into statements at `;` outside quotes and comments.
pub fn statements(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                current.push(c);
            }
            (Some(_), c) => current.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                current.push(c);
            }
            (None, '-') if chars.peek() == Some(&'-') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        current.push('\n');
                        break;
                    }
                }
            }
            (None, ';') => out.push(std::mem::take(&mut current)),
            (None, c) => current.push(c),
        }
    }
    out.push(current);
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

pub fn format(session: &Session) -> Result<Format, AppError> {
    match &session.format {
        None => Ok(Format::Table),
        Some(name) => Format::parse(name).ok_or_else(|| {
            AppError::Usage(format!(
                "unknown format {name:?} (use table, vertical, csv, json or markdown)"
            ))
        }),
    }
}

/// Runs every statement; stops at the first error, which is reported with its place.
pub fn run(session: &Session, text: &str) -> Result<(), AppError> {
    let format = format(session)?;
    let store = session.open_store()?;
    for statement in statements(text) {
        match query::run(
            &store,
            &statement,
            &session.settings.zone,
            chrono::Utc::now(),
        ) {
            Ok(Answer::Table(rs)) => print!("{}", table::render(&rs, format, &Options::default())),
            Ok(Answer::Explain(text)) => print!("{text}"),
            Err(e) => {
                let unreachable =
                    matches!(&e, crate::query::QueryError::Store(s) if s.is_unreachable());
                return Err(AppError::Query {
                    message: e.render(&statement),
                    unreachable,
                });
            }
        }
    }
    Ok(())
}
