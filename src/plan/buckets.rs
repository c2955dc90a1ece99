//! The buckets of a trend: every hour, day, week or month of the range, labelled as the SQL labels them.

use super::time::UtcRange;
use super::{Context, Key};
use crate::diag::{Diagnostic, Span};
use crate::store::Value;
use chrono::{DateTime, Months, TimeDelta, Utc};

/// The most buckets a trend lists: more would be unreadable, and the answer could not be
/// shown in full.
pub const MAX_BUCKETS: usize = 100_000;

/// The labels of every bucket from the range's start to its end (or the data's), as the SQL
/// labels them. More than [`MAX_BUCKETS`] is refused rather than cut.
pub(super) fn buckets(
    range: UtcRange,
    key: Key,
    ctx: &Context,
    span: Span,
) -> Result<Vec<Value>, Diagnostic> {
    let (first, last) = ctx.extent.unwrap_or((ctx.now, ctx.now));
    let Some(start) = range.start.or(ctx.extent.map(|_| first)) else {
        return Ok(Vec::new());
    };
    let end = range.end.unwrap_or(last + TimeDelta::hours(1));
    let too_many = |n: i64| {
        Diagnostic::new(
            span,
            format!(
                "this trend would list {n} buckets, more than the {MAX_BUCKETS} tally shows: use a longer bucket or a shorter range"
            ),
        )
    };
    let (wall_start, wall_end) = (ctx.zone.wall(start), ctx.zone.wall(end));
    use chrono::Datelike;
    let month_number = |d: chrono::NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
    // Counted on the range asked for, without the bucket added before it to compare with.
    let asked_days = (wall_end - wall_start).num_days() - i64::from(key != Key::Hourly);
    let estimate = match key {
        Key::Hourly => (end - start).num_hours() - 1,
        Key::Week => asked_days / 7,
        Key::Month => month_number(wall_end.date()) - month_number(wall_start.date()),
        _ => asked_days,
    };
    if estimate > MAX_BUCKETS as i64 {
        return Err(too_many(estimate));
    }
    let mut labels: Vec<Value> = Vec::new();
    let mut push = |label: String| {
        if labels.last().is_none_or(|l| l.to_string() != label) {
            labels.push(Value::from(label));
        }
    };
    let last_day = ctx.zone.wall(end - TimeDelta::seconds(1)).date();
    match key {
        Key::Hourly => {
            let mut t = start;
            while t < end {
                push(ctx.zone.wall(t).format("%Y-%m-%d %H:00").to_string());
                t += TimeDelta::hours(1);
            }
        }
        // Days, weeks and months are calendar units of the zone: walk them on the wall dates.
        Key::Week => {
            let mut monday = wall_start.date()
                - TimeDelta::days(i64::from(wall_start.weekday().num_days_from_monday()));
            while monday <= last_day {
                push(monday.to_string());
                monday += TimeDelta::weeks(1);
            }
        }
        Key::Month => {
            let mut first = wall_start.date().with_day(1).unwrap_or(wall_start.date());
            while first <= last_day {
                push(first.format("%Y-%m").to_string());
                let Some(next) = first.checked_add_months(Months::new(1)) else {
                    break;
                };
                first = next;
            }
        }
        _ => {
            let mut day = wall_start.date();
            while day <= last_day {
                push(day.to_string());
                let Some(next) = day.succ_opt() else { break };
                day = next;
            }
        }
    }
    Ok(labels)
}

/// The start of the bucket holding `t`, in the zone's calendar: a trend shows whole buckets.
pub(super) fn bucket_start(t: DateTime<Utc>, key: Key, ctx: &Context) -> DateTime<Utc> {
    use chrono::{Datelike, NaiveTime, Timelike};
    let wall = ctx.zone.wall(t);
    let date = wall.date();
    let start = match key {
        Key::Hour | Key::Hourly => wall.with_minute(0).and_then(|w| w.with_second(0)),
        Key::Week => Some(
            (date - TimeDelta::days(i64::from(date.weekday().num_days_from_monday())))
                .and_time(NaiveTime::MIN),
        ),
        Key::Month => date.with_day(1).map(|d| d.and_time(NaiveTime::MIN)),
        _ => Some(date.and_time(NaiveTime::MIN)),
    };
    start
        .and_then(|w| ctx.zone.first_instant_from(w))
        .filter(|s| *s <= t)
        .unwrap_or(t)
}

/// The start of the bucket before the one starting at `t`, in the zone's calendar.
pub(super) fn bucket_before(t: DateTime<Utc>, key: Key, ctx: &Context) -> DateTime<Utc> {
    let wall = ctx.zone.wall(t);
    let before = match key {
        Key::Hour | Key::Hourly => wall.checked_sub_signed(TimeDelta::hours(1)),
        Key::Week => wall.checked_sub_signed(TimeDelta::weeks(1)),
        Key::Month => wall.checked_sub_months(Months::new(1)),
        _ => wall.checked_sub_signed(TimeDelta::days(1)),
    };
    before
        .and_then(|w| ctx.zone.first_instant_from(w))
        .unwrap_or(t)
}
