//! Date helpers for report scripts, in the display zone: days as `YYYY-MM-DD` text, the form
//! the query language reads.

use chrono::{Datelike, Days, Months, NaiveDate};

/// A `YYYY-MM-DD` date, or why not.
pub fn parse(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date (YYYY-MM-DD)"))
}

/// `date` plus `n` days (minus, when negative).
pub fn add_days(date: NaiveDate, n: i64) -> Result<NaiveDate, String> {
    let moved = if n >= 0 {
        date.checked_add_days(Days::new(n.unsigned_abs()))
    } else {
        date.checked_sub_days(Days::new(n.unsigned_abs()))
    };
    moved.ok_or_else(|| format!("{date} plus {n} days is out of range"))
}

/// The first day of `date`'s month, moved by `months` (-1: the month before).
pub fn start_of_month(date: NaiveDate, months: i64) -> Result<NaiveDate, String> {
    let first = date.with_day(1).ok_or("no first day")?;
    let moved = if months >= 0 {
        first.checked_add_months(Months::new(
            u32::try_from(months).map_err(|e| e.to_string())?,
        ))
    } else {
        first.checked_sub_months(Months::new(
            u32::try_from(months.unsigned_abs()).map_err(|e| e.to_string())?,
        ))
    };
    moved.ok_or_else(|| format!("{months} months from {date} is out of range"))
}

/// `2026-W48`: the ISO week a date is in.
pub fn iso_week(date: NaiveDate) -> String {
    let week = date.iso_week();
    format!("{}-W{:02}", week.year(), week.week())
}

/// `Mon` .. `Sun`.
pub fn weekday(date: NaiveDate) -> String {
    date.weekday().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse(s).unwrap()
    }

    #[test]
    fn helpers_move_by_days_and_months() {
        assert_eq!(add_days(d("2026-03-01"), -1).unwrap(), d("2026-02-28"));
        assert_eq!(start_of_month(d("2026-11-25"), 0).unwrap(), d("2026-11-01"));
        assert_eq!(
            start_of_month(d("2026-01-31"), -1).unwrap(),
            d("2025-12-01")
        );
        assert_eq!(start_of_month(d("2026-11-25"), 1).unwrap(), d("2026-12-01"));
        assert_eq!(iso_week(d("2026-11-25")), "2026-W48");
        assert_eq!(iso_week(d("2027-01-01")), "2026-W53");
        assert_eq!(weekday(d("2026-11-25")), "Wed");
        assert!(parse("25/11/2026").unwrap_err().contains("not a date"));
    }
}
