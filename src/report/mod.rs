//! Report scripts: `.tally` files of query lines with parameters and titles, and `.rhai`
//! scripts that query, compute and print; run by `tally run FILE` and `.run FILE`.

mod api;
mod dates;
mod plain;
mod script;

use crate::metric::Metrics;
use crate::model::Zone;
use crate::store::Store;
use crate::table::Format;
use chrono::{DateTime, Utc};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a report runs against, and how it prints its tables.
#[derive(Clone)]
pub struct Reporter {
    pub store: Arc<Store>,
    pub zone: Zone,
    pub metrics: Arc<Metrics>,
    pub format: Format,
    pub now: DateTime<Utc>,
    /// Whether the report may store records (`log` lines, `log_call`, ...): not from the menu,
    /// where nothing is stored without a confirmation.
    pub may_log: bool,
}

/// Why a report run from the menu may not store records.
pub const NO_LOGGING: &str = "this report stores records, which the menu does not allow without asking: run it with `tally run`";

/// The first failure of a report: where in the file, and what.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ReportError {
    pub file: PathBuf,
    /// 0 when the failure belongs to no line (the file cannot be read).
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ReportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
        } else {
            write!(f, "{}: {}", self.file.display(), self.message)
        }
    }
}

impl ReportError {
    fn new(file: &Path, line: usize, message: impl Into<String>) -> ReportError {
        ReportError {
            file: file.to_path_buf(),
            line,
            message: message.into(),
        }
    }
}

/// `NAME=VALUE` of `--param`.
pub fn parse_param(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("--param `{text}`: expected NAME=VALUE"))?;
    let name = name.trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("--param `{text}`: a name is letters, digits and _"));
    }
    Ok((name.to_string(), value.to_string()))
}

/// Runs a report file with its parameters; stdout gets the report.
pub fn run(
    reporter: &Reporter,
    path: &Path,
    params: &[(String, String)],
) -> Result<(), ReportError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ReportError::new(path, 0, format!("cannot read the report: {e}")))?;
    match path.extension().and_then(|e| e.to_str()) {
        Some("tally") => plain::run(reporter, path, &text, params),
        Some("rhai") => script::run(reporter, path, &text, params),
        _ => Err(ReportError::new(
            path,
            0,
            "a report is a .tally file (query lines) or a .rhai script",
        )),
    }
}

/// `$name` and `${name}` in `text` replaced by their values; the first unknown name is an error.
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

    #[test]
    fn params_are_name_equals_value() {
        assert_eq!(
            parse_param("month=2026-10").unwrap(),
            ("month".into(), "2026-10".into())
        );
        assert_eq!(parse_param("range=last 7 days").unwrap().1, "last 7 days");
        assert!(parse_param("month").is_err());
        assert!(parse_param("a b=1").is_err());
    }
}
