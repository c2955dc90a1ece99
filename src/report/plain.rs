//! `.tally` reports: query-language statements, `--` comments, `param NAME = DEFAULT` lines
//! (used as `$NAME`), and `title TEXT` lines naming the next table.

use super::{ReportError, Reporter, substitute};
use crate::cli::without_comment;
use crate::parse::Params;
use crate::query::{self, Answer};
use crate::table::{self, Format, Options};
use std::path::Path;
use std::sync::Arc;

/// A `param` line: its name and default (None: the caller must give it).
#[derive(Debug)]
struct Param {
    name: String,
    default: Option<String>,
    line: usize,
}

pub fn run(
    r: &Reporter,
    path: &Path,
    text: &str,
    given: &[(String, String)],
) -> Result<(), ReportError> {
    let declared = params(path, text)?;
    for (name, _) in given {
        if !declared.iter().any(|p| &p.name == name) {
            let names: Vec<&str> = declared.iter().map(|p| p.name.as_str()).collect();
            return Err(ReportError::new(
                path,
                0,
                format!(
                    "--param {name}: the report has no such parameter (it has: {})",
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                ),
            ));
        }
    }
    let mut values = Vec::new();
    for p in &declared {
        let value = given
            .iter()
            .rev()
            .find(|(n, _)| *n == p.name)
            .map(|(_, v)| v.clone())
            .or_else(|| p.default.clone())
            .ok_or_else(|| {
                ReportError::new(
                    path,
                    p.line,
                    format!(
                        "parameter `{}` has no default: give --param {}=VALUE",
                        p.name, p.name
                    ),
                )
            })?;
        values.push((p.name.clone(), value));
    }
    let value = |name: &str| {
        values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let bound: Params = values.iter().cloned().collect();
    let mut runner = Runner {
        r,
        path,
        metrics: Arc::new(r.metrics.scratch()),
        title: None,
        printed: 0,
        params: &bound,
    };
    let mut pending: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let number = i + 1;
        let line = without_comment(raw);
        let trimmed = line.trim();
        if pending.is_none() {
            if trimmed.is_empty() || is_param(trimmed) {
                continue;
            }
            if let Some(title) = trimmed.strip_prefix("title ") {
                let title = substitute(title.trim(), &value)
                    .map_err(|m| ReportError::new(path, number, m))?;
                runner.title = Some(title);
                continue;
            }
        }
        let (start, mut statement) = pending.take().unwrap_or((number, String::new()));
        if !statement.is_empty() {
            statement.push('\n');
        }
        statement.push_str(line);
        let done = statement.trim_end().ends_with(';') || complete(&statement, &bound);
        if done {
            runner.statement(statement.trim().trim_end_matches(';'), start)?;
        } else {
            pending = Some((start, statement));
        }
    }
    if let Some((start, statement)) = pending {
        runner.statement(statement.trim(), start)?;
    }
    Ok(())
}

/// The `param` lines of the file.
fn params(path: &Path, text: &str) -> Result<Vec<Param>, ReportError> {
    let mut out: Vec<Param> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = without_comment(raw).trim();
        if !is_param(line) {
            continue;
        }
        let rest = line["param".len()..].trim();
        let (name, default) = match rest.split_once('=') {
            Some((n, d)) => (n.trim(), Some(d.trim().to_string())),
            None => (rest, None),
        };
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(ReportError::new(
                path,
                i + 1,
                "expected `param NAME = DEFAULT` (or `param NAME` for one that must be given)",
            ));
        }
        if out.iter().any(|p| p.name == name) {
            return Err(ReportError::new(
                path,
                i + 1,
                format!("parameter `{name}` is declared twice"),
            ));
        }
        out.push(Param {
            name: name.to_string(),
            default: default.filter(|d| !d.is_empty()),
            line: i + 1,
        });
    }
    Ok(out)
}

fn is_param(line: &str) -> bool {
    line == "param" || line.starts_with("param ")
}

/// Whether a statement is complete: the parser did not run out of input (a metric: its
/// brackets are closed).
fn complete(statement: &str, params: &Params) -> bool {
    let text = statement.trim();
    if crate::metric::is_definition(text) {
        return crate::metric::open_brackets(text) <= 0;
    }
    if crate::cli::is_log_line(text) {
        return true;
    }
    !matches!(crate::parse::parse_with(text, params), Err(e) if e.incomplete)
}

struct Runner<'a> {
    r: &'a Reporter,
    path: &'a Path,
    /// The report's parameters, bound into each statement where it names them.
    params: &'a Params,
    /// The report's own metrics: the user's, plus those it defines (not saved).
    metrics: Arc<crate::metric::Metrics>,
    title: Option<String>,
    printed: usize,
}

impl Runner<'_> {
    fn statement(&mut self, text: &str, line: usize) -> Result<(), ReportError> {
        let fail = |message: String| ReportError::new(self.path, line, message);
        if crate::cli::is_log_line(text) {
            if !self.r.may_log {
                return Err(fail(super::NO_LOGGING.into()));
            }
            let message = crate::cli::log_line(&self.r.store, text, &self.r.zone)
                .map_err(|e| fail(e.to_string()))?;
            eprintln!("{message}");
            return Ok(());
        }
        if crate::metric::is_definition(text) {
            crate::cli::define_metric(&mut self.metrics, text).map_err(|e| fail(e.to_string()))?;
            return Ok(());
        }
        let answer = query::run_with_params(
            &self.r.store,
            text,
            &self.r.zone,
            self.r.now,
            &self.metrics,
            self.params,
        )
        .map_err(|e| fail(e.render(text).trim_end().to_string()))?;
        let output = match answer {
            Answer::Table(mut rs) => {
                if let Some(title) = self.title.take() {
                    rs.title = Some(title);
                }
                table::render(&rs, self.r.format, &Options::default())
            }
            Answer::Explain(text) => text,
        };
        let blank =
            self.printed > 0 && self.r.format != Format::Csv && self.r.format != Format::Json;
        let text = if blank { format!("\n{output}") } else { output };
        crate::out::print(&text).map_err(|e| fail(e.to_string()))?;
        self.printed += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_need_a_name_and_are_declared_once() {
        let p = params(
            Path::new("r.tally"),
            "param a = last 7 days\nparam b\n-- x\n",
        )
        .unwrap();
        assert_eq!(p[0].default.as_deref(), Some("last 7 days"));
        assert_eq!(p[1].default, None);
        let e = params(Path::new("r.tally"), "param a = 1\nparam a = 2").unwrap_err();
        assert_eq!(e.to_string(), "r.tally:2: parameter `a` is declared twice");
        assert!(params(Path::new("r.tally"), "param = 1").is_err());
    }
}
