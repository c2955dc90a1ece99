//! Batch mode: statements from `-e`, `-f` or standard input, answers on stdout, errors on stderr.

use super::{AppError, Session};
use crate::metric::Metrics;
use crate::query::{self, Answer};
use crate::table::{self, Format, Options};
use std::sync::Arc;

/// Splits a script into statements at `;` outside quotes, comments and brackets (a metric's
/// Rhai block holds its own `;`).
pub fn statements(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut depth = 0_i32;
    for line in text.lines() {
        for c in without_comment(line).chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(c),
                (None, '(' | '{' | '[') => depth += 1,
                (None, ')' | '}' | ']') => depth -= 1,
                (None, ';') if depth <= 0 => {
                    out.push(std::mem::take(&mut current));
                    continue;
                }
                _ => {}
            }
            current.push(c);
        }
        current.push('\n');
    }
    out.push(current);
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The line without its `--` comment (outside quotes). `--word` is no comment but a flag of a
/// `log` line.
pub fn without_comment(line: &str) -> &str {
    let mut quote = None;
    let bytes = line.as_bytes();
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '-')
                if bytes.get(i + 1) == Some(&b'-')
                    && !bytes.get(i + 2).is_some_and(u8::is_ascii_alphabetic) =>
            {
                return &line[..i];
            }
            _ => {}
        }
    }
    line
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
    let mut metrics = Arc::new(session.metrics());
    for statement in statements(text) {
        if crate::metric::is_definition(&statement) {
            eprintln!("{}", define_metric(&mut metrics, &statement)?);
            continue;
        }
        if super::is_log_line(&statement) {
            // The confirmation is a message, not data: stdout stays the answers only. A
            // malformed log line is an error in a statement, like a query's (exit code 1).
            let logged = super::log_line(&store, &statement, &session.settings.zone).map_err(
                |e| match e {
                    AppError::Usage(message) => AppError::Query {
                        message: message.trim_end().to_string(),
                        unreachable: false,
                    },
                    other => other,
                },
            )?;
            eprintln!("{logged}");
            continue;
        }
        match query::run_with(
            &store,
            &statement,
            &session.settings.zone,
            chrono::Utc::now(),
            &metrics,
        ) {
            Ok(Answer::Table(rs)) => {
                crate::out::print(&table::render(&rs, format, &Options::default()))?
            }
            Ok(Answer::Explain(text)) => crate::out::print(&text)?,
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

/// `metric NAME = EXPRESSION`: defined, saved, and confirmed with the way it will run.
pub fn define_metric(metrics: &mut Arc<Metrics>, text: &str) -> Result<String, AppError> {
    let (name, expression) = crate::metric::split_definition(text).map_err(AppError::Usage)?;
    Arc::make_mut(metrics).define(&name, &expression)?;
    let pushed = metrics
        .get(&name)
        .and_then(|m| metrics.pushdown(m))
        .is_some();
    let way = if pushed {
        "plain arithmetic: computed in SQL where it can be"
    } else {
        "evaluated by Rhai after aggregation"
    };
    Ok(format!("metric {name} defined ({way})"))
}

#[cfg(test)]
mod tests {
    use super::{statements, without_comment};

    #[test]
    fn statements_split_at_semicolons_outside_quotes_comments_and_blocks() {
        assert_eq!(
            statements("summary; calls -- a note; not a split\nper day;"),
            ["summary", "calls \nper day"]
        );
        assert_eq!(without_comment("summary '--x' -- note"), "summary '--x' ");
        assert_eq!(
            without_comment("log call 1 out 2 --duration 2m -- why"),
            "log call 1 out 2 --duration 2m "
        );
        assert_eq!(
            statements("log call 1 out 2 --duration 2m --at '10:00; x'; summary"),
            ["log call 1 out 2 --duration 2m --at '10:00; x'", "summary"]
        );
        assert_eq!(
            statements("metric m = { let x = calls; x * 2 }; top 3 customers by m"),
            [
                "metric m = { let x = calls; x * 2 }",
                "top 3 customers by m"
            ]
        );
    }
}
