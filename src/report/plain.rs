//! `.tally` reports: statements (the same as the shell's, split by the same rule), `--`
//! comments, `param NAME = DEFAULT` lines (used as `$NAME`) and `title TEXT` lines naming the
//! next table.

use super::substitute;
use crate::app::{AppError, Origin, ReportError, Session};
use crate::parse::Params;
use std::path::Path;

/// A `param` line: its name and default (None: the caller must give it).
#[derive(Debug)]
struct Param {
    name: String,
    default: Option<String>,
    line: usize,
}

pub fn run(
    session: &mut Session,
    path: &Path,
    text: &str,
    given: &[(String, String)],
) -> Result<(), AppError> {
    let declared = params(path, text)?;
    let values = bind(path, &declared, given)?;
    session.params = values.iter().cloned().collect::<Params>();
    let value = |name: &str| {
        values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    // Directive lines become blank lines, so every statement keeps its line number.
    let mut titles: Vec<(usize, String)> = Vec::new();
    let mut script = String::with_capacity(text.len());
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let trimmed = raw.trim();
        if let Some(title) = trimmed.strip_prefix("title ") {
            let title =
                substitute(title.trim(), &value).map_err(|m| ReportError::new(path, i + 1, m))?;
            titles.push((i + 1, title));
            script.push_str(if raw.ends_with('\n') { "\n" } else { "" });
        } else if is_param(trimmed) {
            script.push_str(if raw.ends_with('\n') { "\n" } else { "" });
        } else {
            script.push_str(raw);
        }
    }
    let origin = Origin::file(path);
    let mut next_title = 0;
    for piece in crate::app::split(&script, &session.params) {
        // A title names the next table after it.
        while next_title < titles.len() && titles[next_title].0 < piece.line {
            session.title = Some(titles[next_title].1.clone());
            next_title += 1;
        }
        let at = origin.at(&script, piece.start, piece.line);
        session.execute(&piece.text, &at).map_err(|e| match e {
            AppError::Metric(m) => ReportError::new(path, piece.line, m.to_string()).into(),
            other => other,
        })?;
    }
    Ok(())
}

/// Each declared parameter's value: given, else its default.
fn bind(
    path: &Path,
    declared: &[Param],
    given: &[(String, String)],
) -> Result<Vec<(String, String)>, ReportError> {
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
    declared
        .iter()
        .map(|p| {
            given
                .iter()
                .rev()
                .find(|(n, _)| *n == p.name)
                .map(|(_, v)| v.clone())
                .or_else(|| p.default.clone())
                .map(|v| (p.name.clone(), v))
                .ok_or_else(|| {
                    ReportError::new(
                        path,
                        p.line,
                        format!(
                            "parameter `{}` has no default: give --param {}=VALUE",
                            p.name, p.name
                        ),
                    )
                })
        })
        .collect()
}

/// The `param` lines of the file.
fn params(path: &Path, text: &str) -> Result<Vec<Param>, ReportError> {
    let mut out: Vec<Param> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
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

/// The parameters a `.tally` report declares: name and default, for listings and the menu.
pub fn declared(text: &str) -> Vec<(String, Option<String>)> {
    params(Path::new(""), text)
        .map(|ps| ps.into_iter().map(|p| (p.name, p.default)).collect())
        .unwrap_or_default()
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
