//! Time ranges: the words of a query turned into UTC instants, and the zone's offsets over them.

use crate::diag::{Diagnostic, Span};
use crate::model::{Zone, parse_time};
use crate::parse::ast::{Range, Spanned};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeDelta, Timelike, Utc};

/// A half-open range of instants, `start <= t < end`; None is unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UtcRange {
    /// The first instant in the range; `None` for no lower bound.
    pub start: Option<DateTime<Utc>>,
    /// The first instant after the range; `None` for no upper bound.
    pub end: Option<DateTime<Utc>>,
}

impl UtcRange {
    /// The range of all time.
    pub fn all() -> UtcRange {
        UtcRange::default()
    }

    /// Whether no instant is in the range (its end is not after its start).
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
    within_calendar(r, range.span)
}

/// The first instant a range may start at: nothing tally stores is older.
pub fn earliest() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH
}

/// The last instant a range may end at: the end of year 9999.
pub fn latest() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(10_000, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(DateTime::<Utc>::MAX_UTC, |t| t.and_utc())
}

/// Refuses a range reaching before 1970 or past 9999, which no record can be in and whose
/// size would only cost time (`last 999999 days` went back to the year -711).
fn within_calendar(r: UtcRange, span: Span) -> Result<UtcRange, Diagnostic> {
    if r.start.is_some_and(|s| s < earliest()) {
        return Err(Diagnostic::new(
            span,
            "the range starts before 1970-01-01, and no record is older than that: use a shorter range, or `until` alone for everything up to a time",
        ));
    }
    if r.end.is_some_and(|e| e > latest()) {
        return Err(Diagnostic::new(span, "the range ends after the year 9999"));
    }
    Ok(r)
}

fn out_of_range(span: Span) -> Diagnostic {
    Diagnostic::new(
        span,
        "the range starts before 1970-01-01, and no record is older than that: use a shorter range",
    )
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
    zone.first_instant_from(d.and_time(NaiveTime::MIN))
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
            // Real hours: the current hour of the zone's clock, from its start, and the N - 1
            // hours before it, whatever the clocks did meanwhile (a change of daylight saving
            // inside the range neither skips nor repeats an hour).
            let into_hour = i64::from(wall.minute()) * 60 + i64::from(wall.second());
            let hour_start = crate::model::truncate_to_second(now) - TimeDelta::seconds(into_hour);
            let start = hour_start
                .checked_sub_signed(TimeDelta::hours(back))
                .ok_or_else(|| out_of_range(span))?;
            return Ok(UtcRange {
                start: Some(start),
                end: Some(hour_start + Duration::hours(1)),
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

/// How far apart [`offsets`] looks: no zone has changed its offset twice within six hours.
const PROBE_HOURS: i64 = 6;

/// The zone's UTC offset in seconds over a range: `(from, offset)` pieces in time order, the
/// first starting at the range's start. Found by looking every six hours and, where the offset
/// changed, for the minute it changed; a range of a century takes a few thousand looks.
pub fn offsets(zone: &Zone, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(DateTime<Utc>, i64)> {
    let offset_at = |t: DateTime<Utc>| (zone.wall(t) - t.naive_utc()).num_seconds();
    let mut pieces = vec![(from, offset_at(from))];
    let mut last_probe = from;
    let mut t = from
        .with_minute(0)
        .and_then(|t| t.with_second(0))
        .unwrap_or(from)
        + Duration::hours(PROBE_HOURS);
    loop {
        let probe = t.min(to);
        if probe <= last_probe {
            break;
        }
        let o = offset_at(probe);
        if pieces.last().is_some_and(|(_, last)| *last != o) {
            pieces.push((first_with(last_probe, probe, o, &offset_at), o));
        }
        last_probe = probe;
        if t >= to {
            break;
        }
        t += Duration::hours(PROBE_HOURS);
    }
    pieces
}

/// The first minute in `(after, at]` whose offset is `o` (`at` has it, `after` the old one).
/// Zones change their offset on a whole minute, so bisecting over minutes finds it exactly.
fn first_with(
    after: DateTime<Utc>,
    at: DateTime<Utc>,
    o: i64,
    offset_at: &dyn Fn(DateTime<Utc>) -> i64,
) -> DateTime<Utc> {
    let minute = |m: i64| DateTime::from_timestamp(m * 60, 0).unwrap_or(at);
    let (mut low, mut high) = (
        after.timestamp().div_euclid(60),
        at.timestamp().div_euclid(60),
    );
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        if offset_at(minute(middle)) == o {
            high = middle;
        } else {
            low = middle;
        }
    }
    minute(high).max(after)
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
