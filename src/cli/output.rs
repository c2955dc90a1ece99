//! Plain output helpers for the management commands: numbers, sizes, key/value tables.

use prettytable::format::consts::FORMAT_BOX_CHARS;
use prettytable::{Cell, Row, Table};

/// `1234567` → `1,234,567`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A number with one decimal and thousands separators: `12,345.6`.
pub fn decimal1(x: f64) -> String {
    let tenths = (x * 10.0).round() as i64;
    format!("{}.{}", thousands(tenths / 10), (tenths % 10).abs())
}

/// Bytes in decimal units: `340.0 MB`, `1.5 GB`.
pub fn data_size(bytes: i64) -> String {
    let b = bytes as f64;
    for (scale, unit) in [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "KB")] {
        if b >= scale {
            return format!("{} {unit}", decimal1(b / scale));
        }
    }
    format!("{bytes} B")
}

/// Seconds as `h:mm:ss`.
pub fn clock(seconds: i64) -> String {
    format!(
        "{}:{:02}:{:02}",
        thousands(seconds / 3600),
        seconds / 60 % 60,
        seconds % 60
    )
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers_for_people() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(-1234), "-1,234");
        assert_eq!(decimal1(1234.56), "1,234.6");
        assert_eq!(data_size(340_000_000), "340.0 MB");
        assert_eq!(data_size(512), "512 B");
        assert_eq!(clock(3723), "1:02:03");
    }
}
