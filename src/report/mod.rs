//! Report scripts: `.tally` files of statements with parameters and titles, and `.rhai`
//! scripts that query, compute and print; run by `tally run` and `.run` in a session.

mod api;
mod dates;
mod library;
mod plain;
mod script;

pub use library::{Known, ReportFile, find, known, listing};

use crate::app::{AppError, ReportError, Session};
use std::path::Path;

/// Why a report run from the menu may not store records.
pub const NO_LOGGING: &str = "this report stores records, which the menu does not allow without asking: run it with `tally run`";

#[test]
fn the_menu_s_refusal_says_the_same_everywhere() {
    assert_eq!(crate::app::dot::DotError::NoLogging.to_string(), NO_LOGGING);
}

/// Runs a report file with its parameters, its answers where `session` sends answers: csv and
/// json tables gathered into one result (see `Session::end_report`, `dir` for one CSV file per
/// table).
pub fn run(
    session: &mut Session,
    file: &ReportFile,
    params: &[(String, String)],
    dir: Option<&Path>,
) -> Result<(), AppError> {
    let (path, text) = (file.path.as_path(), &file.text);
    let mut report = session.for_report();
    report.begin_report();
    let (report, result) = match path.extension().and_then(|e| e.to_str()) {
        Some("tally") => {
            let result = plain::run(&mut report, path, text, params);
            (Some(report), result)
        }
        Some("rhai") => script::run(report, path, text, params),
        _ => (
            Some(report),
            Err(ReportError::new(
                path,
                0,
                "a report is a .tally file (statements) or a .rhai script",
            )
            .into()),
        ),
    };
    let Some(mut report) = report else {
        return result;
    };
    let ended = result.and_then(|()| report.end_report(dir));
    session.after_report(report);
    ended
}

/// `$name` and `${name}` in `text` replaced by their values (titles are plain text); the first
/// unknown name is an error.
pub fn substitute(text: &str, value: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, used) = match after.strip_prefix('{') {
            Some(inner) => match inner.find('}') {
                Some(end) => (&inner[..end], end + 2),
                None => return Err("`${` without its `}`".into()),
            },
            None => {
                let end = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                (&after[..end], end)
            }
        };
        if name.is_empty() {
            return Err("`$` without a parameter name".into());
        }
        let v = value(name).ok_or_else(|| format!("unknown parameter `${name}`"))?;
        out.push_str(&v);
        rest = &after[used..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_substituted_by_name() {
        let value = |n: &str| match n {
            "range" => Some("last 7 days".to_string()),
            "n" => Some("10".to_string()),
            _ => None,
        };
        assert_eq!(
            substitute("top $n customers by calls ${range}", &value).unwrap(),
            "top 10 customers by calls last 7 days"
        );
        assert_eq!(
            substitute("summary $who", &value).unwrap_err(),
            "unknown parameter `$who`"
        );
        assert!(substitute("a $ b", &value).is_err());
    }
}
