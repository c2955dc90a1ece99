//! Durations of calls and data sessions: `90`, `90s`, `3m20s`, `1h`, `1.5h`, `01:02:03`.

use super::ValidationError;
use std::fmt;

/// The longest call or session the store accepts: one day.
pub const MAX_SECONDS: u32 = 24 * 3600;

const SYNTAX_RULE: &str = "must be a duration such as 90, 90s, 3m20s, 1h or 01:02:03";
const RANGE_RULE: &str = "must be between 0s and 24h";

/// A whole number of seconds, 0 to 24 h. Fractions of a second are rounded to the nearest second
/// (switches that write `3393.0` or `180.309` mean seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration(u32);

impl Duration {
    /// Reads `90`, `90s`, `3m20s`, `1h`, `1.5h`, `01:02:03` or `2:30`; fractions of a second are
    /// rounded. Refuses anything outside 0 s to 24 h. Errors name `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
        if let Ok(seconds) = raw.parse::<u32>() {
            return Self::from_secs_f64(field, raw, f64::from(seconds));
        }
        let text: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        let text = text.as_str();
        let (negative, text) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let seconds = if text.contains(':') {
            parse_clock(text)
        } else {
            parse_units(text)
        };
        // A well-formed negative duration breaks the range rule, not the syntax rule.
        let seconds = seconds.map(|s| if negative && s > 0.0 { -s } else { s });
        let seconds = seconds.ok_or_else(|| ValidationError::new(field, raw, SYNTAX_RULE))?;
        Self::from_seconds_f64(seconds).ok_or_else(|| ValidationError::new(field, raw, RANGE_RULE))
    }

    /// A whole number of seconds from a database or file; refused outside 0 s to 24 h.
    pub fn from_seconds(field: &str, seconds: i64) -> Result<Self, ValidationError> {
        Self::from_seconds_f64(seconds as f64)
            .ok_or_else(|| ValidationError::new(field, seconds.to_string(), RANGE_RULE))
    }

    /// A number of seconds read from a file (possibly fractional or scaled from another unit).
    pub fn from_secs_f64(field: &str, raw: &str, seconds: f64) -> Result<Self, ValidationError> {
        Self::from_seconds_f64(seconds).ok_or_else(|| ValidationError::new(field, raw, RANGE_RULE))
    }

    fn from_seconds_f64(seconds: f64) -> Option<Self> {
        let rounded = seconds.round();
        (rounded >= 0.0 && rounded <= f64::from(MAX_SECONDS)).then_some(Duration(rounded as u32))
    }

    /// The duration in whole seconds.
    pub fn seconds(self) -> u32 {
        self.0
    }
}

/// `h:mm:ss` or `m:ss`.
fn parse_clock(text: &str) -> Option<f64> {
    let parts: Vec<&str> = text.split(':').collect();
    if parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let mut total = 0.0;
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let value = parse_number(part)?;
        if i > 0 && value >= 60.0 {
            return None;
        }
        if !last && value.fract() != 0.0 {
            return None;
        }
        total = total * 60.0 + value;
    }
    Some(total)
}

/// `90`, `90s`, `3m20s`, `1h30m`, `1.5h`, `2d` is refused (beyond the range anyway).
fn parse_units(text: &str) -> Option<f64> {
    if text.is_empty() {
        return None;
    }
    if let Some(plain) = parse_number(text) {
        return Some(plain);
    }
    let mut total = 0.0;
    let mut rest = text;
    let mut last_unit = f64::INFINITY;
    while !rest.is_empty() {
        let split = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, tail) = rest.split_at(split);
        let value = parse_number(number)?;
        let unit_len = tail
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(tail.len());
        let unit = unit_seconds(&tail[..unit_len])?;
        // Units must shrink (`1h30m`, not `30m1h`), so a typo like `3m3m` is caught.
        if unit >= last_unit {
            return None;
        }
        last_unit = unit;
        total += value * unit;
        rest = &tail[unit_len..];
    }
    Some(total)
}

fn unit_seconds(unit: &str) -> Option<f64> {
    match unit.to_ascii_lowercase().as_str() {
        "h" | "hr" | "hrs" | "hour" | "hours" => Some(3600.0),
        "m" | "min" | "mins" | "minute" | "minutes" => Some(60.0),
        "s" | "sec" | "secs" | "second" | "seconds" => Some(1.0),
        _ => None,
    }
}

/// A non-negative decimal number written with digits and at most one dot.
fn parse_number(text: &str) -> Option<f64> {
    let valid = !text.is_empty()
        && text.chars().all(|c| c.is_ascii_digit() || c == '.')
        && text.chars().filter(|&c| c == '.').count() <= 1
        && text.chars().any(|c| c.is_ascii_digit());
    if valid { text.parse().ok() } else { None }
}

impl fmt::Display for Duration {
    /// `3m20s`, `1h0m5s`, `0s`: the shortest form that reads back to the same value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m, s) = (self.0 / 3600, self.0 / 60 % 60, self.0 % 60);
        if h > 0 {
            write!(f, "{h}h{m}m{s}s")
        } else if m > 0 {
            write!(f, "{m}m{s}s")
        } else {
            write!(f, "{s}s")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(raw: &str) -> u32 {
        Duration::parse("duration", raw).unwrap().seconds()
    }

    #[test]
    fn accepts_the_documented_forms() {
        assert_eq!(secs("90"), 90);
        assert_eq!(secs("90s"), 90);
        assert_eq!(secs("3m20s"), 200);
        assert_eq!(secs("1h"), 3600);
        assert_eq!(secs("1h30m"), 5400);
        assert_eq!(secs("1.5h"), 5400);
        assert_eq!(secs("01:02:03"), 3723);
        assert_eq!(secs("2:30"), 150);
        assert_eq!(secs("3393.0"), 3393);
        assert_eq!(secs("180.6"), 181);
        assert_eq!(secs(" 25 min "), 1500);
        assert_eq!(secs("0"), 0);
        assert_eq!(secs("24h"), 86400);
    }

    #[test]
    fn rejects_malformed_durations() {
        for bad in [
            "", "abc", "3x", "--5", "1:2:3:4", "1:60", "3m3m", "30m1h", "1..5", "h", ":30",
        ] {
            let err = Duration::parse("duration", bad).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "invalid duration {bad:?}: must be a duration such as 90, 90s, 3m20s, 1h or 01:02:03"
                )
            );
        }
    }

    #[test]
    fn rejects_more_than_a_day() {
        let err = Duration::parse("duration", "24h1s").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid duration "24h1s": must be between 0s and 24h"#
        );
        let err = Duration::parse("duration", "-2").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid duration "-2": must be between 0s and 24h"#
        );
        let err = Duration::from_seconds("billsec", -2).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid billsec "-2": must be between 0s and 24h"#
        );
    }

    #[test]
    fn displays_compactly() {
        assert_eq!(Duration(200).to_string(), "3m20s");
        assert_eq!(Duration(3605).to_string(), "1h0m5s");
        assert_eq!(Duration(7).to_string(), "7s");
    }
}
