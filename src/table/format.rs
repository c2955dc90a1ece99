//! Values formatted for people: thousands separators, h:mm:ss, MB/GB/TB, money, percentages.

use crate::rows::Kind;
use crate::store::Value;

/// A cell as a person reads it, according to its column's kind. Null is empty; text in a numeric
/// column is shown as it is rather than guessed at.
pub fn human(value: &Value, kind: Kind) -> String {
    match value {
        Value::Null => String::new(),
        Value::Text(t) => t.clone(),
        Value::Bytes(_) => value.to_string(),
        Value::Int(i) => int(*i, kind),
        Value::Float(x) if !x.is_finite() => x.to_string(),
        Value::Float(x) => float(*x, kind),
    }
}

fn int(n: i64, kind: Kind) -> String {
    match kind {
        Kind::Count => thousands(n),
        Kind::Number => number(n as f64),
        Kind::Seconds => clock(n),
        Kind::Text | Kind::Decoration => n.to_string(),
        // Exact as a float for any amount a telecom table holds.
        Kind::Megabytes | Kind::Money | Kind::Change => float(n as f64, kind),
    }
}

fn float(x: f64, kind: Kind) -> String {
    match kind {
        Kind::Count => fixed(x, 0),
        Kind::Seconds => clock(x.round() as i64),
        Kind::Megabytes => megabytes(x),
        Kind::Money => fixed(x, 2),
        Kind::Number => number(x),
        Kind::Change => change(x),
        Kind::Text | Kind::Decoration => x.to_string(),
    }
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: i64) -> String {
    let grouped = group(&n.unsigned_abs().to_string());
    if n < 0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// Seconds as `h:mm:ss` (`3723` → `1:02:03`); hours go past 24 rather than into days.
pub fn clock(seconds: i64) -> String {
    let s = seconds.unsigned_abs();
    let sign = if seconds < 0 { "-" } else { "" };
    let hours = group(&(s / 3600).to_string());
    format!("{sign}{hours}:{:02}:{:02}", s / 60 % 60, s % 60)
}

/// A volume given in MB: `340.0 MB` below 1000 MB, `1.23 GB` below 1000 GB, else `4.56 TB`.
/// The unit is chosen after rounding, so 999.96 MB reads `1.00 GB`, not `1,000.0 MB`.
pub fn megabytes(mb: f64) -> String {
    if below_1000(mb, 1) {
        return format!("{} MB", fixed(mb, 1));
    }
    let gb = mb / 1e3;
    if below_1000(gb, 2) {
        return format!("{} GB", fixed(gb, 2));
    }
    format!("{} TB", fixed(mb / 1e6, 2))
}

fn below_1000(x: f64, decimals: usize) -> bool {
    rounded_digits(x, decimals).0.len() <= 3
}

/// Any other number: thousands separators and always two decimals, so a column's decimal
/// points line up (`1,234.50`, `7.00`, `0.33`).
pub fn number(x: f64) -> String {
    fixed(x, 2)
}

/// A change as a fraction, shown as a signed percentage: `0.125` → `+12.5%`; no sign on `0.0%`.
pub fn change(fraction: f64) -> String {
    // Shifting the decimal point in the text, not multiplying by 100, keeps 0.0005 at exactly
    // 0.05% so it rounds up like the number a person sees.
    let percent: f64 = format!("{fraction}e2").parse().unwrap_or(fraction * 100.0);
    let s = fixed(percent, 1);
    if s.starts_with('-') || s == "0.0" {
        format!("{s}%")
    } else {
        format!("+{s}%")
    }
}

/// `x` with exactly `decimals` decimals and thousands separators, rounded half away from zero on
/// its shortest decimal form (12.345 → `12.35`, which binary rounding would make `12.34`).
/// A value that rounds to zero carries no minus sign.
pub fn fixed(x: f64, decimals: usize) -> String {
    let (int, frac) = rounded_digits(x, decimals);
    let zero = int.bytes().chain(frac.bytes()).all(|b| b == b'0');
    let sign = if x < 0.0 && !zero { "-" } else { "" };
    let int = group(&int);
    if decimals == 0 {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

/// The integer and fraction digits of `|x|` rounded to `decimals` places.
fn rounded_digits(x: f64, decimals: usize) -> (String, String) {
    // Display never uses an exponent and gives the shortest text that reads back as `x`.
    let shortest = x.abs().to_string();
    let (int, frac) = shortest.split_once('.').unwrap_or((&shortest, ""));
    let kept = frac.bytes().chain(std::iter::repeat(b'0')).take(decimals);
    let mut digits: Vec<u8> = int.bytes().chain(kept).collect();
    if frac.as_bytes().get(decimals).is_some_and(|&d| d >= b'5') {
        carry(&mut digits);
    }
    let frac = digits.split_off(digits.len() - decimals);
    (bytes_to_string(digits), bytes_to_string(frac))
}

/// Adds one to the last digit, carrying leftwards (`0.999` → `1.000`).
fn carry(digits: &mut Vec<u8>) {
    for d in digits.iter_mut().rev() {
        if *d == b'9' {
            *d = b'0';
        } else {
            *d += 1;
            return;
        }
    }
    digits.insert(0, b'1');
}

fn bytes_to_string(digits: Vec<u8>) -> String {
    // Only ASCII digits ever get here.
    String::from_utf8(digits).unwrap_or_default()
}

/// Commas every three digits of a run of ASCII digits: `1234567` → `1,234,567`.
fn group(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn i(n: i64, kind: Kind) -> String {
        human(&Value::Int(n), kind)
    }

    fn f(x: f64, kind: Kind) -> String {
        human(&Value::Float(x), kind)
    }

    fn t(text: &str, kind: Kind) -> String {
        human(&Value::from(text), kind)
    }

    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(i(0, Kind::Count), "0");
        assert_eq!(i(999, Kind::Count), "999");
        assert_eq!(i(1_234_567, Kind::Count), "1,234,567");
        assert_eq!(i(-1234, Kind::Count), "-1,234");
        assert_eq!(i(i64::MIN, Kind::Count), "-9,223,372,036,854,775,808");
        assert_eq!(f(1234.6, Kind::Count), "1,235");
        assert_eq!(f(2.5, Kind::Count), "3");
        assert_eq!(f(-0.4, Kind::Count), "0");
    }

    #[test]
    fn seconds_read_as_a_clock() {
        assert_eq!(i(0, Kind::Seconds), "0:00:00");
        assert_eq!(i(59, Kind::Seconds), "0:00:59");
        assert_eq!(i(3723, Kind::Seconds), "1:02:03");
        assert_eq!(i(90061, Kind::Seconds), "25:01:01");
        assert_eq!(i(-3723, Kind::Seconds), "-1:02:03");
        assert_eq!(i(3_600_000_000, Kind::Seconds), "1,000,000:00:00");
        assert_eq!(f(59.5, Kind::Seconds), "0:01:00");
        assert_eq!(f(125.4, Kind::Seconds), "0:02:05");
        assert_eq!(f(-0.4, Kind::Seconds), "0:00:00");
    }

    #[test]
    fn megabytes_pick_a_unit() {
        assert_eq!(i(0, Kind::Megabytes), "0.0 MB");
        assert_eq!(i(340, Kind::Megabytes), "340.0 MB");
        assert_eq!(f(12.34, Kind::Megabytes), "12.3 MB");
        assert_eq!(f(999.94, Kind::Megabytes), "999.9 MB");
        assert_eq!(f(999.96, Kind::Megabytes), "1.00 GB");
        assert_eq!(f(1234.5, Kind::Megabytes), "1.23 GB");
        assert_eq!(f(999_994.0, Kind::Megabytes), "999.99 GB");
        assert_eq!(f(999_996.0, Kind::Megabytes), "1.00 TB");
        assert_eq!(i(4_560_000, Kind::Megabytes), "4.56 TB");
        assert_eq!(i(1_234_567_890, Kind::Megabytes), "1,234.57 TB");
        assert_eq!(i(-1500, Kind::Megabytes), "-1.50 GB");
    }

    #[test]
    fn money_has_two_decimals() {
        assert_eq!(f(12345.6, Kind::Money), "12,345.60");
        assert_eq!(i(12, Kind::Money), "12.00");
        assert_eq!(f(0.005, Kind::Money), "0.01");
        assert_eq!(f(12.345, Kind::Money), "12.35");
        assert_eq!(f(-1234.5, Kind::Money), "-1,234.50");
        assert_eq!(f(-0.001, Kind::Money), "0.00");
        assert_eq!(f(9999.995, Kind::Money), "10,000.00");
    }

    #[test]
    fn numbers_always_have_two_decimals_so_a_column_lines_up() {
        assert_eq!(f(1234.5, Kind::Number), "1,234.50");
        assert_eq!(i(7, Kind::Number), "7.00");
        assert_eq!(f(7.0, Kind::Number), "7.00");
        assert_eq!(f(1.0 / 3.0, Kind::Number), "0.33");
        assert_eq!(f(2.0 / 3.0, Kind::Number), "0.67");
        assert_eq!(i(1_000_000, Kind::Number), "1,000,000.00");
        assert_eq!(f(1.999, Kind::Number), "2.00");
        assert_eq!(f(-0.001, Kind::Number), "0.00");
        assert_eq!(f(-12.3456, Kind::Number), "-12.35");
        assert_eq!(f(1e20, Kind::Number), "100,000,000,000,000,000,000.00");
        assert_eq!(f(1e-7, Kind::Number), "0.00");
    }

    #[test]
    fn changes_are_signed_percentages() {
        assert_eq!(f(0.125, Kind::Change), "+12.5%");
        assert_eq!(f(-0.03, Kind::Change), "-3.0%");
        assert_eq!(f(0.0, Kind::Change), "0.0%");
        assert_eq!(f(-0.0001, Kind::Change), "0.0%");
        assert_eq!(f(0.0005, Kind::Change), "+0.1%");
        assert_eq!(i(1, Kind::Change), "+100.0%");
        assert_eq!(f(12.3456, Kind::Change), "+1,234.6%");
    }

    #[test]
    fn text_and_decorations_are_shown_as_they_are() {
        assert_eq!(t("447700900123", Kind::Text), "447700900123");
        assert_eq!(t("█████", Kind::Decoration), "█████");
        assert_eq!(i(1234, Kind::Text), "1234");
        assert_eq!(f(0.5, Kind::Decoration), "0.5");
        assert_eq!(t("n/a", Kind::Count), "n/a");
    }

    #[test]
    fn null_is_empty_and_odd_floats_are_not_lost() {
        for kind in [Kind::Text, Kind::Count, Kind::Seconds, Kind::Change] {
            assert_eq!(human(&Value::Null, kind), "");
        }
        assert_eq!(f(f64::NAN, Kind::Money), "NaN");
        assert_eq!(f(f64::INFINITY, Kind::Seconds), "inf");
    }
}
