//! How answers are shown: one at a time as they come, or, for a report in csv or json, gathered
//! and written at its end as one valid result (one JSON document with an array per table; one
//! CSV file per table under a folder).

use super::{AppError, Session, UsageError};
use crate::rows::ResultSet;
use crate::table::{self, Format, Options};
use std::path::Path;

/// A report's tables in csv or json, kept until the report ends.
#[derive(Debug, Default)]
pub struct Gathered {
    tables: Vec<ResultSet>,
}

impl Session {
    /// Shows an answer: with the title set for it, where answers go, or into the report's
    /// gathered tables.
    pub fn show(&mut self, mut rs: ResultSet) -> Result<(), AppError> {
        if let Some(title) = self.title.take() {
            rs.title = Some(title);
        }
        if let Some(gathered) = &mut self.gathered {
            gathered.tables.push(rs);
            return Ok(());
        }
        let mut text = table::render(&rs, self.format, &self.options());
        if self.separate_answers && self.answers > 0 {
            text.insert(0, '\n');
        }
        self.answers += 1;
        Ok(self.output.answer(&text)?)
    }

    /// How tables are drawn now: cut to the screen (when not paged) and coloured only on a
    /// terminal.
    pub(super) fn options(&self) -> Options {
        let terminal = self.output.to_terminal();
        Options {
            max_rows: self.screen.rows.filter(|_| terminal && !self.screen.pager),
            color: self.screen.color && terminal,
            plain: !terminal,
            currency: self.currency,
        }
    }

    /// Starts a report: csv and json answers are gathered until [`Session::end_report`]; the
    /// others are shown as they come, a blank line apart.
    pub fn begin_report(&mut self) {
        if matches!(self.format, Format::Csv | Format::Json) {
            self.gathered = Some(Gathered::default());
        }
        self.separate_answers = true;
        self.answers = 0;
    }

    /// Ends a report: gathered tables written as one JSON document, or as one CSV (one table)
    /// or one CSV file per table in `dir`.
    pub fn end_report(&mut self, dir: Option<&Path>) -> Result<(), AppError> {
        self.separate_answers = false;
        let Some(gathered) = self.gathered.take() else {
            return Ok(());
        };
        let tables = gathered.tables;
        match (self.format, tables.as_slice(), dir) {
            (_, [], _) => Ok(()),
            (Format::Json, _, _) => Ok(self.output.answer(&json_document(&tables))?),
            (_, [one], None) => {
                let text = table::render(one, Format::Csv, &Options::default());
                Ok(self.output.answer(&text)?)
            }
            (_, _, Some(dir)) => self.csv_files(&tables, dir),
            (_, many, None) => Err(UsageError::CsvTables(many.len()).into()),
        }
    }

    fn csv_files(&mut self, tables: &[ResultSet], dir: &Path) -> Result<(), AppError> {
        std::fs::create_dir_all(dir).map_err(|e| UsageError::ReadFile {
            path: dir.to_path_buf(),
            source: std::sync::Arc::new(e),
        })?;
        for (i, rs) in tables.iter().enumerate() {
            let name = format!("{:02}-{}.csv", i + 1, slug(rs.title.as_deref()));
            let path = dir.join(name);
            let text = table::render(rs, Format::Csv, &Options::default());
            std::fs::write(&path, text)
                .map_err(|e| crate::out::OutputError(format!("{}: {e}", path.display())))?;
            self.notice(&format!("wrote {}", path.display()));
        }
        Ok(())
    }
}

/// `{"Title": [rows...], ...}`: one JSON value for the whole report, each table by its title
/// (made unique), its rows as the json format writes them.
fn json_document(tables: &[ResultSet]) -> String {
    let mut names: Vec<String> = Vec::new();
    let mut out = String::from("{");
    for (i, rs) in tables.iter().enumerate() {
        let base = rs
            .title
            .clone()
            .unwrap_or_else(|| format!("table {}", i + 1));
        let mut name = base.clone();
        let mut n = 2;
        while names.contains(&name) {
            name = format!("{base} ({n})");
            n += 1;
        }
        let rows = table::render(rs, Format::Json, &Options::default());
        let key = serde_json::to_string(&name).unwrap_or_else(|_| "\"table\"".into());
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!("\n  {key}: {}", rows.trim_end()));
        names.push(name);
    }
    out.push_str("\n}\n");
    out
}

/// A file name from a title: letters and digits, words joined by `-`.
fn slug(title: Option<&str>) -> String {
    let text = title.unwrap_or("table").to_lowercase();
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let joined = words.join("-");
    let cut: String = joined.chars().take(60).collect();
    if cut.is_empty() { "table".into() } else { cut }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rows::{Column, Kind};
    use crate::store::Value;

    fn rs(title: &str, value: i64) -> ResultSet {
        ResultSet {
            title: Some(title.into()),
            columns: vec![Column::new("n", Kind::Count)],
            rows: vec![vec![Value::Int(value)]],
            vertical: false,
        }
    }

    #[test]
    fn a_json_report_is_one_document_with_a_table_per_title() {
        let text = json_document(&[rs("Top", 1), rs("Top", 2), rs("Other", 3)]);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["Top"][0]["n"], 1);
        assert_eq!(v["Top (2)"][0]["n"], 2);
        assert_eq!(v["Other"][0]["n"], 3);
    }

    #[test]
    fn file_names_come_from_titles() {
        assert_eq!(
            slug(Some("Top 10 customers by calls, last 7 days")),
            "top-10-customers-by-calls-last-7-days"
        );
        assert_eq!(slug(None), "table");
        assert_eq!(slug(Some("!!")), "table");
    }
}
