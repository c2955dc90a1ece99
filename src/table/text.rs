//! The formats for people: box table, vertical blocks and markdown, all human-formatted.

use prettytable::format::{FormatBuilder, LinePosition, LineSeparator, TableFormat};
use prettytable::{Attr, Cell, Row, Table, format::Alignment};

use super::ansi::AnsiBuffer;
use super::cells;
use super::format::human;
use crate::rows::{Column, ResultSet};
use crate::store::Value;

/// A box table: the title above it, a rule under the header and none between rows, which
/// would double the height of long results for nothing.
pub fn table(rs: &ResultSet, rows: &[Vec<Value>], color: bool) -> String {
    let mut out = title_line(rs);
    if rs.columns.is_empty() {
        return out;
    }
    let mut t = Table::new();
    t.set_format(light_box());
    t.set_titles(Row::new(
        rs.columns.iter().map(|c| header_cell(c, color)).collect(),
    ));
    for row in rows {
        let cells = cells(&rs.columns, row).map(|(c, v)| aligned(&human(v, c.kind), c));
        t.add_row(Row::new(cells.collect()));
    }
    out.push_str(&print(&t, color));
    out
}

fn light_box() -> TableFormat {
    let line = |left, mid, right| LineSeparator::new('─', mid, left, right);
    FormatBuilder::new()
        .column_separator('│')
        .borders('│')
        .separators(&[LinePosition::Top], line('┌', '┬', '┐'))
        .separators(&[LinePosition::Title], line('├', '┼', '┤'))
        .separators(&[LinePosition::Bottom], line('└', '┴', '┘'))
        .padding(1, 1)
        .build()
}

fn header_cell(column: &Column, color: bool) -> Cell {
    let cell = aligned(&column.name, column);
    if color {
        cell.with_style(Attr::Bold)
    } else {
        cell
    }
}

/// Numbers right-aligned so their digits line up.
fn aligned(text: &str, column: &Column) -> Cell {
    if column.kind.is_numeric() {
        Cell::new_align(text, Alignment::RIGHT)
    } else {
        Cell::new(text)
    }
}

/// The table as text; styles become escape codes only when colour is on, since a plain
/// `print` ignores them.
fn print(t: &Table, color: bool) -> String {
    let bytes = if color {
        let mut buf = AnsiBuffer::default();
        // Writing to memory cannot fail.
        let _ = t.print_term(&mut buf);
        term::Terminal::into_inner(buf)
    } else {
        let mut buf = Vec::new();
        let _ = t.print(&mut buf);
        buf
    };
    String::from_utf8_lossy(&bytes).into_owned()
}

/// One row of many measures (a summary) as a boxed two-column table, `measure | value`, one
/// line per measure: read down, like every other answer in a box.
pub fn pairs(rs: &ResultSet, rows: &[Vec<Value>], color: bool) -> String {
    let mut out = title_line(rs);
    let Some(row) = rows.first() else {
        return out;
    };
    let mut t = Table::new();
    t.set_format(light_box());
    let name = Column::new("measure", crate::rows::Kind::Text);
    let value = Column::new("value", crate::rows::Kind::Count);
    t.set_titles(Row::new(vec![
        header_cell(&name, color),
        header_cell(&value, color),
    ]));
    for (column, v) in cells(&rs.columns, row) {
        t.add_row(Row::new(vec![
            Cell::new(&column.name),
            aligned(&human(v, column.kind), &value),
        ]));
    }
    out.push_str(&print(&t, color));
    out
}

/// Each row as a block of `name: value` lines under a numbered star rule, like mysql's `\G`:
/// for results too wide for a table.
pub fn vertical(rs: &ResultSet, rows: &[Vec<Value>]) -> String {
    let mut out = title_line(rs);
    let width = rs.columns.iter().map(|c| width(&c.name)).max().unwrap_or(0);
    for (i, row) in rows.iter().enumerate() {
        let stars = "*".repeat(27);
        out.push_str(&format!("{stars} {}. row {stars}\n", i + 1));
        for (column, value) in cells(&rs.columns, row) {
            let name = pad_left(&column.name, width);
            let value = human(value, column.kind);
            // No trailing blank after the colon when there is nothing to show.
            let gap = if value.is_empty() { "" } else { " " };
            out.push_str(&format!("{name}:{gap}{value}\n"));
        }
    }
    out
}

/// A GitHub-flavoured pipe table, padded so it also reads well as plain text.
pub fn markdown(rs: &ResultSet, rows: &[Vec<Value>]) -> String {
    let mut out = rs
        .title
        .as_ref()
        .map_or_else(String::new, |t| format!("{t}\n\n"));
    if rs.columns.is_empty() {
        return out;
    }
    let header: Vec<String> = rs.columns.iter().map(|c| escape(&c.name)).collect();
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let cells = cells(&rs.columns, row);
            cells.map(|(c, v)| escape(&human(v, c.kind))).collect()
        })
        .collect();
    let widths = column_widths(&header, &body);
    out.push_str(&pipe_row(&rs.columns, &header, &widths));
    out.push_str(&rule(&rs.columns, &widths));
    for row in &body {
        out.push_str(&pipe_row(&rs.columns, row, &widths));
    }
    out
}

/// Widest cell of each column, at least 3 so the rule is a valid `---`.
fn column_widths(header: &[String], body: &[Vec<String>]) -> Vec<usize> {
    header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let cells = body.iter().filter_map(|row| row.get(i));
            cells.map(|c| width(c)).fold(width(h).max(3), usize::max)
        })
        .collect()
}

fn pipe_row(columns: &[Column], cells: &[String], widths: &[usize]) -> String {
    let padded = columns.iter().zip(cells).zip(widths).map(|((c, s), &w)| {
        if c.kind.is_numeric() {
            pad_left(s, w)
        } else {
            pad_right(s, w)
        }
    });
    format!("| {} |\n", padded.collect::<Vec<_>>().join(" | "))
}

/// The header rule; `---:` right-aligns numeric columns in rendered markdown too.
fn rule(columns: &[Column], widths: &[usize]) -> String {
    let dashes = columns.iter().zip(widths).map(|(c, &w)| {
        if c.kind.is_numeric() {
            format!("{}:", "-".repeat(w - 1))
        } else {
            "-".repeat(w)
        }
    });
    format!("| {} |\n", dashes.collect::<Vec<_>>().join(" | "))
}

/// A `|` would end the cell and a newline the row.
fn escape(text: &str) -> String {
    text.replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace('\n', "<br>")
}

fn title_line(rs: &ResultSet) -> String {
    rs.title
        .as_ref()
        .map_or_else(String::new, |t| format!("{t}\n"))
}

/// Characters, not bytes, so `█` or `é` count as one column.
fn width(text: &str) -> usize {
    text.chars().count()
}

fn pad_left(text: &str, w: usize) -> String {
    format!("{}{text}", " ".repeat(w.saturating_sub(width(text))))
}

fn pad_right(text: &str, w: usize) -> String {
    format!("{text}{}", " ".repeat(w.saturating_sub(width(text))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rows::Kind;

    /// Every kind once, with a title and a null.
    fn usage() -> ResultSet {
        ResultSet {
            vertical: false,
            title: Some("Usage by plan, November 2026".into()),
            columns: vec![
                Column::new("plan", Kind::Text),
                Column::new("calls", Kind::Count),
                Column::new("talk time", Kind::Seconds),
                Column::new("data", Kind::Megabytes),
                Column::new("revenue", Kind::Money),
                Column::new("per customer", Kind::Number),
                Column::new("change", Kind::Change),
                Column::new("share", Kind::Decoration),
            ],
            rows: vec![
                vec![
                    "basic".into(),
                    Value::Int(1_234_567),
                    Value::Int(90061),
                    Value::Float(340.0),
                    Value::Float(12345.6),
                    Value::Float(1234.5),
                    Value::Float(0.125),
                    "████".into(),
                ],
                vec![
                    "family | friends".into(),
                    Value::Int(7),
                    Value::Float(3723.4),
                    Value::Int(1234),
                    Value::Int(0),
                    Value::Null,
                    Value::Float(-0.03),
                    "█".into(),
                ],
            ],
        }
    }

    #[test]
    fn table_has_a_header_rule_and_right_aligned_numbers() {
        let rs = usage();
        insta::assert_snapshot!(table(&rs, &rs.rows, false), @"
        Usage by plan, November 2026
        ┌──────────────────┬───────────┬───────────┬──────────┬───────────┬──────────────┬────────┬───────┐
        │ plan             │     calls │ talk time │     data │   revenue │ per customer │ change │ share │
        ├──────────────────┼───────────┼───────────┼──────────┼───────────┼──────────────┼────────┼───────┤
        │ basic            │ 1,234,567 │  25:01:01 │ 340.0 MB │ 12,345.60 │     1,234.50 │ +12.5% │ ████  │
        │ family | friends │         7 │   1:02:03 │  1.23 GB │      0.00 │              │  -3.0% │ █     │
        └──────────────────┴───────────┴───────────┴──────────┴───────────┴──────────────┴────────┴───────┘
        ");
    }

    #[test]
    fn table_without_title_or_rows_is_just_the_header() {
        let rs = ResultSet {
            vertical: false,
            title: None,
            columns: vec![
                Column::new("n", Kind::Count),
                Column::new("name", Kind::Text),
            ],
            rows: vec![],
        };
        insta::assert_snapshot!(table(&rs, &rs.rows, false), @r"
        ┌───┬──────┐
        │ n │ name │
        ├───┼──────┤
        └───┴──────┘
        ");
    }

    #[test]
    fn colour_makes_the_header_bold_and_nothing_else() {
        let rs = usage();
        let out = table(&rs, &rs.rows, true);
        assert!(out.contains("\x1b[1mplan            \x1b[0m"), "{out}");
        assert!(out.contains("\x1b[1m    calls\x1b[0m"), "{out}");
        assert_eq!(out.matches('\x1b').count(), 2 * rs.columns.len());
        let plain = table(&rs, &rs.rows, false);
        assert_eq!(out.replace("\x1b[1m", "").replace("\x1b[0m", ""), plain);
    }

    #[test]
    fn vertical_is_a_block_per_row() {
        let rs = usage();
        insta::assert_snapshot!(vertical(&rs, &rs.rows), @"
        Usage by plan, November 2026
        *************************** 1. row ***************************
                plan: basic
               calls: 1,234,567
           talk time: 25:01:01
                data: 340.0 MB
             revenue: 12,345.60
        per customer: 1,234.50
              change: +12.5%
               share: ████
        *************************** 2. row ***************************
                plan: family | friends
               calls: 7
           talk time: 1:02:03
                data: 1.23 GB
             revenue: 0.00
        per customer:
              change: -3.0%
               share: █
        ");
    }

    #[test]
    fn markdown_is_a_pipe_table_with_escaped_pipes() {
        let rs = usage();
        insta::assert_snapshot!(markdown(&rs, &rs.rows), @r"
        Usage by plan, November 2026

        | plan              |     calls | talk time |     data |   revenue | per customer | change | share |
        | ----------------- | --------: | --------: | -------: | --------: | -----------: | -----: | ----- |
        | basic             | 1,234,567 |  25:01:01 | 340.0 MB | 12,345.60 |     1,234.50 | +12.5% | ████  |
        | family \| friends |         7 |   1:02:03 |  1.23 GB |      0.00 |              |  -3.0% | █     |
        ");
    }

    #[test]
    fn markdown_keeps_a_multi_line_value_in_its_row() {
        let rs = ResultSet {
            vertical: false,
            title: None,
            columns: vec![Column::new("note", Kind::Text)],
            rows: vec![vec!["two\nlines".into()]],
        };
        assert_eq!(
            markdown(&rs, &rs.rows),
            "| note         |\n| ------------ |\n| two<br>lines |\n"
        );
    }
}
