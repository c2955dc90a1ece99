//! Reports by name: a path, or a name looked up in `./scripts`, then in
//! `$XDG_DATA_HOME/tally/reports`, then among the reports shipped inside tally. Each known
//! report is listed with its first comment line and its parameters.

use crate::app::ReportError;
use std::path::{Path, PathBuf};

/// A report's text and where it came from (its path, or `shipped/NAME` for one of tally's own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFile {
    /// The path messages name.
    pub path: PathBuf,
    /// The script.
    pub text: String,
}

/// The reports compiled into tally: usable by name on any machine.
const SHIPPED: [(&str, &str); 5] = [
    (
        "daily-network.rhai",
        include_str!("../../scripts/daily-network.rhai"),
    ),
    (
        "monthly-statement.rhai",
        include_str!("../../scripts/monthly-statement.rhai"),
    ),
    (
        "peak-capacity.rhai",
        include_str!("../../scripts/peak-capacity.rhai"),
    ),
    (
        "retention-watch.rhai",
        include_str!("../../scripts/retention-watch.rhai"),
    ),
    (
        "weekly-top-talkers.tally",
        include_str!("../../scripts/weekly-top-talkers.tally"),
    ),
];

/// The folders reports are looked for in by name, in order.
fn folders() -> Vec<PathBuf> {
    let mut out = vec![PathBuf::from("scripts")];
    if let Some(data) = dirs::data_dir() {
        out.push(data.join("tally").join("reports"));
    }
    out
}

fn is_report(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("tally" | "rhai")
    )
}

/// The report `name`: a file path, or a name (with or without `.tally`/`.rhai`) in the folders,
/// then among the shipped reports.
pub fn find(name: &str) -> Result<ReportFile, ReportError> {
    let read = |path: PathBuf| -> Result<ReportFile, ReportError> {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| ReportError::new(&path, 0, format!("cannot read the report: {e}")))?;
        Ok(ReportFile { path, text })
    };
    let given = Path::new(name);
    if given.is_file() {
        return read(given.to_path_buf());
    }
    let candidates = |dir: &Path| -> Vec<PathBuf> {
        vec![
            dir.join(name),
            dir.join(format!("{name}.tally")),
            dir.join(format!("{name}.rhai")),
        ]
    };
    for dir in folders() {
        if let Some(path) = candidates(&dir)
            .into_iter()
            .find(|p| p.is_file() && is_report(p))
        {
            return read(path);
        }
    }
    let shipped = SHIPPED.iter().find(|(file, _)| {
        *file == name || file.rsplit_once('.').is_some_and(|(stem, _)| stem == name)
    });
    match shipped {
        Some((file, text)) => Ok(ReportFile {
            path: Path::new("shipped").join(file),
            text: text.to_string(),
        }),
        None => Err(ReportError::new(
            given,
            0,
            "no such report file, and no report of that name (tally run --list shows them)",
        )),
    }
}

impl ReportFile {
    /// What `tally run --list` says of it: its description and parameters.
    pub fn describe(&self) -> Known {
        Known {
            name: self
                .path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_string(),
            path: self.path.clone(),
            description: description(&self.text),
            params: params(&self.path, &self.text),
        }
    }
}

/// A report tally knows by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    /// The name to run it by.
    pub name: String,
    /// Where it is.
    pub path: PathBuf,
    /// Its first comment line.
    pub description: String,
    /// Its parameters and their defaults (as written; None: must be given).
    pub params: Vec<(String, Option<String>)>,
}

/// Every report that can be run by name, the first of each name winning (a local copy hides a
/// shipped one).
pub fn known() -> Vec<Known> {
    let mut out: Vec<Known> = Vec::new();
    let mut add = |path: PathBuf, text: &str| {
        let Some(name) = path
            .file_stem()
            .and_then(|s| s.to_str())
            .map(str::to_string)
        else {
            return;
        };
        if out.iter().any(|k| k.name == name) {
            return;
        }
        out.push(Known {
            description: description(text),
            params: params(&path, text),
            name,
            path,
        });
    };
    for dir in folders() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| is_report(p))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        for path in files {
            if let Ok(text) = std::fs::read_to_string(&path) {
                add(path, &text);
            }
        }
    }
    for (file, text) in SHIPPED {
        add(Path::new("shipped").join(file), text);
    }
    out
}

/// `tally run --list`.
pub fn listing() -> String {
    let mut out = String::new();
    for k in known() {
        out.push_str(&format!(
            "{}  ({})\n  {}\n",
            k.name,
            k.path.display(),
            k.description
        ));
        for (name, default) in &k.params {
            match default {
                Some(d) => out.push_str(&format!("    --param {name}=…  (default {d})\n")),
                None => out.push_str(&format!("    --param {name}=…  (required)\n")),
            }
        }
    }
    out
}

/// The first comment line: what the report is.
fn description(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| l.starts_with("//") || l.starts_with("--"))
        .map(|l| l.trim_start_matches(['/', '-']).trim().to_string())
        .unwrap_or_default()
}

/// The parameters of a report: `param NAME = DEFAULT` lines of a `.tally` file, the
/// `param("NAME")` and `param("NAME", DEFAULT)` calls of a `.rhai` script.
fn params(path: &Path, text: &str) -> Vec<(String, Option<String>)> {
    if path.extension().and_then(|e| e.to_str()) == Some("tally") {
        return super::plain::declared(text);
    }
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("param(\"") {
        rest = &rest[at + 7..];
        let Some(end) = rest.find('"') else { break };
        let name = rest[..end].to_string();
        let after = rest[end + 1..].trim_start();
        let default = after.strip_prefix(',').map(|d| {
            let d = d.trim_start();
            let close = matching_paren(d).unwrap_or(d.len());
            d[..close].trim().to_string()
        });
        if !out.iter().any(|(n, _)| *n == name) {
            out.push((name, default));
        }
    }
    out
}

/// Where the argument list that `text` is inside of closes.
fn matching_paren(text: &str) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some(i),
            ')' => depth -= 1,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_reports_are_found_by_name() {
        let r = find("monthly-statement").unwrap();
        assert!(r.text.contains("param(\"customer\")"));
        assert!(find("weekly-top-talkers.tally").is_ok());
        assert!(find("no-such-report").is_err());
    }

    #[test]
    fn listings_say_what_each_report_is_and_takes() {
        let all = known();
        let monthly = all.iter().find(|k| k.name == "monthly-statement").unwrap();
        assert!(
            monthly
                .description
                .starts_with("Monthly customer statement")
        );
        assert_eq!(monthly.params[0], ("customer".to_string(), None));
        assert_eq!(monthly.params[1].0, "month");
        let weekly = all.iter().find(|k| k.name == "weekly-top-talkers").unwrap();
        assert_eq!(weekly.params[0], ("n".to_string(), Some("10".to_string())));
    }
}
