//! Plain output helpers for the management commands: key/value tables (values are formatted by
//! `crate::table::format`).

use prettytable::format::consts::FORMAT_BOX_CHARS;
use prettytable::{Cell, Row, Table};

/// A table with a header row; cells of numeric columns are right-aligned.
pub fn table(header: &[&str], rows: &[Vec<String>], numeric: &[usize]) -> Table {
    let mut t = Table::new();
    t.set_format(*FORMAT_BOX_CHARS);
    t.set_titles(Row::new(header.iter().map(|h| Cell::new(h)).collect()));
    for row in rows {
        t.add_row(Row::new(
            row.iter()
                .enumerate()
                .map(|(i, v)| {
                    let cell = Cell::new(v);
                    if numeric.contains(&i) {
                        cell.style_spec("r")
                    } else {
                        cell
                    }
                })
                .collect(),
        ));
    }
    t
}

/// A two-column "what: value" table.
pub fn pairs(rows: &[(&str, String)]) -> Table {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|(k, v)| vec![k.to_string(), v.clone()])
        .collect();
    let mut t = table(&["", ""], &rows, &[1]);
    t.unset_titles();
    t
}
