//! Time ranges: the words of a query turned into UTC instants, and the zone's offsets over them.

use crate::diag::{Diagnostic, Span};
use crate::model::{Zone, parse_time};
use crate::parse::ast::{Range, Spanned};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeDelta, Timelike, Utc};

/// A half-open range of instants, `start <= t < end`; None is unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UtcRange {
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}

impl UtcRange {
    pub fn all() -> UtcRange {
        UtcRange::default()
    }

    pub fn is_empty(&self) -> bool {
        matches!((self.start, self.end), (Some(a), Some(b)) if a >= b)
    }
}

/// Resolves a range clause in `zone` at `now`. Days, weeks, months and years are calendar ones
/// in the zone: `last 7 days` is today and the six days before it; weeks start on Monday.
pub fn resolve(
    range: &Spanned<Range>,
    zone: &Zone,
    now: DateTime<Utc>,
) -> Result<UtcRange, Diagnostic> {
    let point = |t: &Spanned<String>| instant(t, zone, now);
    let today = zone.wall(now).date();
    let day = |d: NaiveDate| midnight(d, zone, range.span);
    let r = match &range.value {
        Range::Since(t) => UtcRange {
            start: Some(point(t)?),
            end: None,
        },
        Range::Until(t) => UtcRange {
            start: None,
            end: Some(point(t)?),
        },
        Range::Between(a, b) => UtcRange {
            start: Some(point(a)?),
            end: Some(point(b)?),
        },
        Range::On(t) => {
            let d = date(t)?;
            UtcRange {
                start: Some(day(d)?),
                end: Some(day(next_day(d, t.span)?)?),
            }
        }
        Range::Today => UtcRange {
            start: Some(day(today)?),
            end: Some(day(next_day(today, range.span)?)?),
        },
        Range::Yesterday => {
            let y = today.pred_opt().ok_or_else(|| out_of_range(range.span))?;
            UtcRange {
                start: Some(day(y)?),
                end: Some(day(today)?),
            }
        }
        Range::Last(n, unit) => last(*n, unit, zone, now, range.span)?,
        Range::This(unit) => last(1, unit, zone, now, range.span)?,
    };
    if r.is_empty() {
        return Err(Diagnostic::new(
            range.span,
            "the range is empty: its end is not after its start",
        ));
    }
    Ok(r)
}

fn out_of_range(span: Span) -> Diagnostic {
    Diagnostic::new(span, "the range is out of the calendar tally can handle")
}

/// `now`, a date (its midnight) or a date and time, in `zone` unless it has an offset.
fn instant(
    t: &Spanned<String>,
    zone: &Zone,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, Diagnostic> {
    parse_time("time", &t.value, zone, now).map_err(|e| Diagnostic::new(t.span, e.to_string()))
}

fn date(t: &Spanned<String>) -> Result<NaiveDate, Diagnostic> {
    NaiveDate::parse_from_str(&t.value, "%Y-%m-%d").map_err(|_| {
        Diagnostic::new(
            t.span,
            format!("`on` takes a date such as 2026-11-25, not `{}`", t.value),
        )
    })
}

fn next_day(d: NaiveDate, span: Span) -> Result<NaiveDate, Diagnostic> {
    d.succ_opt().ok_or_else(|| out_of_range(span))
}

/// The instant a day starts in `zone` (the first existing minute, across a daylight-saving gap).
fn midnight(d: NaiveDate, zone: &Zone, span: Span) -> Result<DateTime<Utc>, Diagnostic> {
    (0..24 * 60)
        .filter_map(|m| NaiveTime::from_num_seconds_from_midnight_opt(m * 60, 0))
        .find_map(|t| zone.to_utc(d.and_time(t)))
        .ok_or_else(|| out_of_range(span))
}

/// `last N units`: the current unit and the N - 1 before it, whole, in the zone.
fn last(
    n: u64,
    unit: &str,
    zone: &Zone,
    now: DateTime<Utc>,
    span: Span,
) -> Result<UtcRange, Diagnostic> {
    let back = i64::try_from(n - 1).map_err(|_| out_of_range(span))?;
    let wall = zone.wall(now);
    let today = wall.date();
    let (first, after) = match unit {
        "hour" => {
            let hour = wall
                .date()
                .and_hms_opt(wall.hour(), 0, 0)
                .ok_or_else(|| out_of_range(span))?;
            let from = hour
                .checked_sub_signed(TimeDelta::hours(back))
                .ok_or_else(|| out_of_range(span))?;
            let to = hour + Duration::hours(1);
            let start = zone.to_utc(from).unwrap_or(now);
            let end = zone.to_utc(to).unwrap_or(now);
            return Ok(UtcRange {
                start: Some(start),
                end: Some(end),
            });
        }
        "day" => (
            today.checked_sub_signed(TimeDelta::days(back)),
            today.succ_opt(),
        ),
        "week" => {
            let monday = today - TimeDelta::days(i64::from(today.weekday().num_days_from_monday()));
            (
                monday.checked_sub_signed(TimeDelta::weeks(back)),
                Some(monday + TimeDelta::weeks(1)),
            )
        }
        "month" => {
            let first = today.with_day(1);
            let back = u32::try_from(back).map_err(|_| out_of_range(span))?;
            (
                first.and_then(|f| f.checked_sub_months(chrono::Months::new(back))),
                first.and_then(|f| f.checked_add_months(chrono::Months::new(1))),
            )
        }
        _ => {
            let first = NaiveDate::from_ymd_opt(today.year(), 1, 1);
            let back = i32::try_from(back).map_err(|_| out_of_range(span))?;
            (
                first.and_then(|f| f.with_year(f.year() - back)),
                NaiveDate::from_ymd_opt(today.year() + 1, 1, 1),
            )
        }
    };
    let (first, after) = (
        first.ok_or_else(|| out_of_range(span))?,
        after.ok_or_else(|| out_of_range(span))?,
    );
    Ok(UtcRange {
        start: Some(midnight(first, zone, span)?),
        end: Some(midnight(after, zone, span)?),
    })
}

/// The zone's UTC offset in seconds over a range: `(from, offset)` pieces in time order, the
/// first starting at the range's start. Found by looking at every hour, which catches every
/// daylight-saving change there has been.
pub fn offsets(zone: &Zone, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(DateTime<Utc>, i64)> {
    let offset_at = |t: DateTime<Utc>| (zone.wall(t) - t.naive_utc()).num_seconds();
    let mut pieces = vec![(from, offset_at(from))];
    let mut t = from
        .with_minute(0)
        .and_then(|t| t.with_second(0))
        .unwrap_or(from)
        + Duration::hours(1);
    while t < to {
        let o = offset_at(t);
        // An hourly probe lands on a change of a whole-hour zone exactly; a half-hour zone's
        // change is found within the hour, so look for the minute it happened.
        if pieces.last().is_some_and(|(_, last)| *last != o) {
            let changed = (1..=60)
                .map(|m| t - Duration::minutes(60 - m))
                .find(|c| offset_at(*c) == o)
                .unwrap_or(t);
            pieces.push((changed, o));
        }
        t += Duration::hours(1);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn r(range: Range, zone: &str, now: &str) -> (String, String) {
        let r = resolve(
            &Spanned::new(range, Span::default()),
            &Zone::parse(zone).unwrap(),
            at(now),
        )
        .unwrap();
        let show = |t: Option<DateTime<Utc>>| t.map_or("-".into(), |t| t.to_rfc3339());
        (show(r.start), show(r.end))
    }

    #[test]
    fn calendar_ranges_in_the_zone() {
        let now = "2026-11-25T10:30:00Z";
        assert_eq!(
            r(Range::Last(7, "day".into()), "UTC", now),
            (
                "2026-11-19T00:00:00+00:00".into(),
                "2026-11-26T00:00:00+00:00".into()
            )
        );
        assert_eq!(
            r(Range::Today, "+02:00", now),
            (
                "2026-11-24T22:00:00+00:00".into(),
                "2026-11-25T22:00:00+00:00".into()
            )
        );
        assert_eq!(
            r(Range::This("month".into()), "UTC", now),
            (
                "2026-11-01T00:00:00+00:00".into(),
                "2026-12-01T00:00:00+00:00".into()
            )
        );
        assert_eq!(
            r(Range::This("week".into()), "UTC", now),
            (
                "2026-11-23T00:00:00+00:00".into(),
                "2026-11-30T00:00:00+00:00".into()
            )
        );
        assert_eq!(
            r(Range::Last(2, "month".into()), "UTC", now),
            (
                "2026-10-01T00:00:00+00:00".into(),
                "2026-12-01T00:00:00+00:00".into()
            )
        );
        assert_eq!(
            r(Range::Last(3, "hour".into()), "UTC", now),
            (
                "2026-11-25T08:00:00+00:00".into(),
                "2026-11-25T11:00:00+00:00".into()
            )
        );
        assert_eq!(
            r(Range::Yesterday, "Europe/London", "2026-07-02T12:00:00Z"),
            (
                "2026-06-30T23:00:00+00:00".into(),
                "2026-07-01T23:00:00+00:00".into()
            )
        );
    }

    #[test]
    fn points_and_days() {
        let span = |s: &str| Spanned::new(s.to_string(), Span::default());
        assert_eq!(
            r(
                Range::Between(span("2026-11-01"), span("2026-11-08")),
                "UTC",
                "2026-11-25T00:00:00Z"
            ),
            (
                "2026-11-01T00:00:00+00:00".into(),
                "2026-11-08T00:00:00+00:00".into()
            )
        );
        assert_eq!(
            r(Range::On(span("2026-11-20")), "UTC", "2026-11-25T00:00:00Z"),
            (
                "2026-11-20T00:00:00+00:00".into(),
                "2026-11-21T00:00:00+00:00".into()
            )
        );
        let err = resolve(
            &Spanned::new(
                Range::Between(span("2026-11-08"), span("2026-11-01")),
                Span::new(3, 9),
            ),
            &Zone::utc(),
            at("2026-11-25T00:00:00Z"),
        )
        .unwrap_err();
        assert_eq!(
            err.message,
            "the range is empty: its end is not after its start"
        );
    }

    #[test]
    fn offsets_follow_daylight_saving() {
        let london = Zone::parse("Europe/London").unwrap();
        let pieces = offsets(
            &london,
            at("2026-03-28T00:00:00Z"),
            at("2026-03-30T00:00:00Z"),
        );
        assert_eq!(
            pieces,
            vec![
                (at("2026-03-28T00:00:00Z"), 0),
                (at("2026-03-29T01:00:00Z"), 3600)
            ]
        );
        let india = Zone::parse("Asia/Kolkata").unwrap();
        assert_eq!(
            offsets(
                &india,
                at("2026-03-28T00:00:00Z"),
                at("2026-03-30T00:00:00Z")
            )
            .len(),
            1
        );
        assert_eq!(
            offsets(
                &Zone::utc(),
                at("2026-01-01T00:00:00Z"),
                at("2027-01-01T00:00:00Z")
            ),
            vec![(at("2026-01-01T00:00:00Z"), 0)]
        );
    }
}
