//! Rendering: a `ResultSet` as text for people (table, vertical, markdown) or programs (csv, json).

mod ansi;
mod data;
pub mod format;
mod text;

use crate::rows::{Column, ResultSet};
use crate::store::Value;

/// An output format, as named by `.format NAME`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// A box-drawn table with human-formatted values.
    #[default]
    Table,
    /// One `name: value` block per row, like the mysql client's `\G`.
    Vertical,
    /// Raw values, for spreadsheets and scripts.
    Csv,
    /// An array of objects with raw values, for programs.
    Json,
    /// A pipe table with human-formatted values, for pasting into documents.
    Markdown,
}

impl Format {
    /// Every format, the default first.
    pub const ALL: &[Format] = &[
        Format::Table,
        Format::Vertical,
        Format::Csv,
        Format::Json,
        Format::Markdown,
    ];

    /// The format called `name`, ignoring ASCII case and surrounding blanks.
    pub fn parse(name: &str) -> Option<Format> {
        let name = name.trim();
        Format::ALL
            .iter()
            .copied()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// The format's name, as `.format` and `--format` take it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Vertical => "vertical",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Markdown => "markdown",
        }
    }

    /// Whether the format is for people, and so may be cut short by `Options::max_rows`.
    fn for_people(self) -> bool {
        matches!(self, Format::Table | Format::Vertical | Format::Markdown)
    }
}

/// How [`render`] draws an answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Show at most this many rows in the formats for people; csv and json always carry all.
    pub max_rows: Option<usize>,
    /// Whether escape codes are allowed (bold table headers); never in other formats.
    pub color: bool,
    /// Leave out what is drawn for people only (bars, marks, sparklines): tables going to a
    /// pipe or a file, where a program or a diff reads them. csv and json never have them.
    pub plain: bool,
    /// The operator's currency: money columns of the formats for people are headed
    /// `revenue (GBP)`; csv and json keep the bare name.
    pub currency: Option<crate::model::Currency>,
}

/// The result set as text in `format`, ending with a newline.
pub fn render(rs: &ResultSet, format: Format, opts: &Options) -> String {
    if opts.plain && format.for_people() && rs.columns.iter().any(|c| !is_data(c)) {
        let plain = without_decorations(rs);
        return render(&plain, format, opts);
    }
    if let Some(currency) = opts.currency.filter(|_| format.for_people())
        && rs
            .columns
            .iter()
            .any(|c| c.kind == crate::rows::Kind::Money)
    {
        let mut named = rs.clone();
        for c in named
            .columns
            .iter_mut()
            .filter(|c| c.kind == crate::rows::Kind::Money)
        {
            c.name = format!("{} ({currency})", c.name);
        }
        let opts = Options {
            currency: None,
            ..*opts
        };
        return render(&named, format, &opts);
    }
    let shown = match opts.max_rows {
        Some(max) if format.for_people() => &rs.rows[..max.min(rs.rows.len())],
        _ => &rs.rows[..],
    };
    let mut out = match format {
        Format::Table if rs.vertical => text::pairs(rs, shown, opts.color),
        Format::Table => text::table(rs, shown, opts.color),
        Format::Vertical => text::vertical(rs, shown),
        Format::Markdown => text::markdown(rs, shown),
        Format::Csv => data::csv(rs),
        Format::Json => data::json(rs),
    };
    if shown.len() < rs.rows.len() {
        out.push_str(&cut_note(rs.rows.len() - shown.len(), rs.rows.len()));
        out.push('\n');
    }
    out
}

/// Whether a column carries data, not a drawing for people.
fn is_data(column: &Column) -> bool {
    column.kind != crate::rows::Kind::Decoration
}

/// The answer without its decoration columns.
fn without_decorations(rs: &ResultSet) -> ResultSet {
    let keep: Vec<bool> = rs.columns.iter().map(is_data).collect();
    let pick = |row: &Vec<Value>| -> Vec<Value> {
        row.iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(v, _)| v.clone())
            .collect()
    };
    ResultSet {
        title: rs.title.clone(),
        columns: rs.columns.iter().filter(|c| is_data(c)).cloned().collect(),
        rows: rs.rows.iter().map(pick).collect(),
        vertical: rs.vertical,
    }
}

/// Tells the reader that rows are missing and how to see them.
fn cut_note(hidden: usize, total: usize) -> String {
    format!(
        "({} more rows not shown of {}; add limit N, or use .format csv or .output FILE to see all)",
        format::thousands(count(hidden)),
        format::thousands(count(total)),
    )
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The value in each column of a row, `Null` where a short row has none.
fn cells<'a>(
    columns: &'a [Column],
    row: &'a [Value],
) -> impl Iterator<Item = (&'a Column, &'a Value)> {
    columns
        .iter()
        .enumerate()
        .map(|(i, c)| (c, row.get(i).unwrap_or(&Value::Null)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rows::Kind;

    fn numbers(n: i64) -> ResultSet {
        ResultSet {
            vertical: false,
            title: Some("Numbers".into()),
            columns: vec![Column::new("n", Kind::Count)],
            rows: (1..=n).map(|i| vec![Value::Int(i)]).collect(),
        }
    }

    fn limited(max: usize) -> Options {
        Options {
            max_rows: Some(max),
            ..Options::default()
        }
    }

    #[test]
    fn formats_parse_by_name() {
        for &f in Format::ALL {
            assert_eq!(Format::parse(f.name()), Some(f));
        }
        assert_eq!(Format::parse(" JSON "), Some(Format::Json));
        assert_eq!(Format::parse("md"), None);
        assert_eq!(Format::parse(""), None);
    }

    #[test]
    fn long_results_are_cut_for_people_with_a_note() {
        let out = render(&numbers(1254), Format::Table, &limited(20));
        assert_eq!(out.lines().filter(|l| l.starts_with('│')).count(), 21);
        assert_eq!(
            out.lines().last(),
            Some(
                "(1,234 more rows not shown of 1,254; add limit N, or use .format csv or .output FILE to see all)"
            )
        );
        for format in [Format::Vertical, Format::Markdown] {
            let out = render(&numbers(3), format, &limited(2));
            let note = "(1 more rows not shown of 3; add limit N, or use .format csv or .output FILE to see all)\n";
            let body = out.strip_suffix(note).unwrap_or_default();
            assert!(body.contains('2') && !body.contains('3'), "{out}");
        }
    }

    #[test]
    fn results_that_fit_have_no_note() {
        for &format in Format::ALL {
            let out = render(&numbers(3), format, &limited(3));
            assert!(!out.contains("not shown"), "{out}");
            assert!(out.contains('3'), "{out}");
        }
    }

    #[test]
    fn csv_and_json_are_never_cut() {
        let csv = render(&numbers(5), Format::Csv, &limited(2));
        assert_eq!(csv, "n\n1\n2\n3\n4\n5\n");
        let json = render(&numbers(5), Format::Json, &limited(2));
        assert!(!json.contains("not shown"));
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(parsed.as_array().map(Vec::len), Some(5));
    }

    #[test]
    fn no_escape_codes_without_colour() {
        for &format in Format::ALL {
            let out = render(&numbers(3), format, &limited(2));
            assert!(!out.contains('\x1b'), "{format:?}: {out}");
        }
        let decorated = ResultSet {
            vertical: false,
            title: None,
            columns: vec![
                Column::new("hour", Kind::Count),
                Column::new("", Kind::Decoration),
                Column::new("calls", Kind::Count),
            ],
            rows: vec![vec![Value::Int(7), "███".into(), Value::Int(12)]],
        };
        let plain = Options {
            plain: true,
            ..Options::default()
        };
        for format in [Format::Table, Format::Vertical, Format::Markdown] {
            assert!(render(&decorated, format, &Options::default()).contains('█'));
            let out = render(&decorated, format, &plain);
            assert!(!out.contains('█') && out.contains("12"), "{out}");
        }
        let bold = Options {
            color: true,
            ..Options::default()
        };
        for format in [
            Format::Csv,
            Format::Json,
            Format::Markdown,
            Format::Vertical,
        ] {
            assert!(!render(&numbers(3), format, &bold).contains('\x1b'));
        }
    }
}
