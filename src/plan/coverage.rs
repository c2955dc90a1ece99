//! Period honesty: which hour, day, week or month buckets of an answer the range or the data
//! cover only in part, so that they are marked and never compared as if whole.

use super::time::UtcRange;
use super::{Context, Key};
use crate::model::Zone;
use chrono::{DateTime, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};

/// The time a query's buckets are measured against: what both the range and the data cover.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    /// The index, among the shown keys, of the key whose values are buckets.
    pub column: usize,
    /// The bucket's size: `Hourly`, `Day`, `Week` or `Month`.
    pub key: Key,
    /// The zone the buckets are calendar units of.
    pub zone: Zone,
    /// From when the answer counts: the range's start, not before the first data.
    pub from: Option<DateTime<Utc>>,
    /// Until when: the range's end, not after the last data nor after now.
    pub to: Option<DateTime<Utc>>,
}

impl Coverage {
    /// What `range` and the data cover, for buckets of the first bucket key among `keys`;
    /// None when no shown key is a bucket of time.
    pub fn of(keys: &[Key], range: UtcRange, ctx: &Context) -> Option<Coverage> {
        let column = keys
            .iter()
            .position(|k| matches!(k, Key::Hourly | Key::Day | Key::Week | Key::Month))?;
        let (from, to) = covered(range, ctx);
        Some(Coverage {
            column,
            key: keys[column],
            zone: ctx.zone.clone(),
            from,
            to,
        })
    }

    /// Whether the bucket labelled `label` starts before what is covered or ends after it.
    /// A label that is not a bucket (no value) is never partial.
    pub fn partial(&self, label: &str) -> bool {
        let Some((start, end)) = bounds(label, self.key, &self.zone) else {
            return false;
        };
        self.from.is_some_and(|f| start < f) || self.to.is_some_and(|t| end > t)
    }
}

/// The time each group of an answer covers, for measures divided by it (`erlangs`): the
/// covered stretch (as for [`Coverage`]) and the shown keys that cut it into pieces.
#[derive(Debug, Clone, PartialEq)]
pub struct Clock {
    /// The zone the time keys read the clock in.
    pub zone: Zone,
    /// From when the answer counts: the range's start, not before the first data.
    pub from: Option<DateTime<Utc>>,
    /// Until when: the range's end, not after the last data nor after now.
    pub to: Option<DateTime<Utc>>,
    /// The shown keys that are pieces of time, with their index among the shown keys.
    pub keys: Vec<(usize, Key)>,
}

impl Clock {
    /// The clock of an answer grouped by `keys` over `range`.
    pub fn of(keys: &[Key], range: UtcRange, ctx: &Context) -> Clock {
        let (from, to) = covered(range, ctx);
        Clock {
            zone: ctx.zone.clone(),
            from,
            to,
            keys: keys
                .iter()
                .enumerate()
                .filter(|(_, k)| k.is_time())
                .map(|(i, k)| (i, *k))
                .collect(),
        }
    }
}

/// What both `range` and the data cover, and not after now.
fn covered(range: UtcRange, ctx: &Context) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let (first, last) = match ctx.extent {
        Some((first, last)) => (Some(first), Some(last + TimeDelta::hours(1))),
        None => (None, None),
    };
    let from = [range.start, first].into_iter().flatten().max();
    let to = [range.end, last, Some(ctx.now)].into_iter().flatten().min();
    (from, to)
}

/// The instants a bucket label (`2026-11-25`, the Monday of a week, `2026-11`,
/// `2026-11-25 10:00`) starts and ends at in `zone`.
fn bounds(label: &str, key: Key, zone: &Zone) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let (start, end): (NaiveDateTime, NaiveDateTime) = match key {
        Key::Hourly => {
            let start = NaiveDateTime::parse_from_str(label, "%Y-%m-%d %H:%M").ok()?;
            (start, start.checked_add_signed(TimeDelta::hours(1))?)
        }
        Key::Month => {
            let first = NaiveDate::parse_from_str(&format!("{label}-01"), "%Y-%m-%d").ok()?;
            (
                first.and_time(NaiveTime::MIN),
                first
                    .checked_add_months(Months::new(1))?
                    .and_time(NaiveTime::MIN),
            )
        }
        Key::Week | Key::Day => {
            let day = NaiveDate::parse_from_str(label, "%Y-%m-%d").ok()?;
            let days = if key == Key::Week { 7 } else { 1 };
            (
                day.and_time(NaiveTime::MIN),
                day.checked_add_signed(TimeDelta::days(days))?
                    .and_time(NaiveTime::MIN),
            )
        }
        _ => return None,
    };
    Some((
        zone.first_instant_from(start)?,
        zone.first_instant_from(end)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn coverage(key: Key, zone: &str, from: &str, to: &str) -> Coverage {
        Coverage {
            column: 0,
            key,
            zone: Zone::parse(zone).unwrap(),
            from: Some(at(from)),
            to: Some(at(to)),
        }
    }

    #[test]
    fn buckets_cut_by_the_range_or_the_data_are_partial() {
        let c = coverage(
            Key::Day,
            "UTC",
            "2026-11-10T07:30:00Z",
            "2026-11-20T00:00:00Z",
        );
        assert!(c.partial("2026-11-10"));
        assert!(!c.partial("2026-11-11"));
        assert!(!c.partial("2026-11-19"));
        assert!(c.partial("2026-11-20"));
        assert!(!c.partial("not a day"));
        let weeks = coverage(
            Key::Week,
            "UTC",
            "2026-11-02T00:00:00Z",
            "2026-11-25T12:00:00Z",
        );
        assert!(!weeks.partial("2026-11-02"));
        assert!(!weeks.partial("2026-11-16"));
        assert!(weeks.partial("2026-11-23"));
        let months = coverage(
            Key::Month,
            "UTC",
            "2026-10-01T00:00:00Z",
            "2026-11-25T12:00:00Z",
        );
        assert!(!months.partial("2026-10"));
        assert!(months.partial("2026-11"));
    }

    #[test]
    fn days_are_days_of_the_zone_across_a_clock_change() {
        // London's 25 October 2026 runs from 23:00 UTC the day before to 00:00 UTC: 25 hours.
        let c = coverage(
            Key::Day,
            "Europe/London",
            "2026-10-24T23:00:00Z",
            "2026-10-26T00:00:00Z",
        );
        assert!(!c.partial("2026-10-25"));
        let later = coverage(
            Key::Day,
            "Europe/London",
            "2026-10-25T00:00:00Z",
            "2026-10-26T00:00:00Z",
        );
        assert!(later.partial("2026-10-25"));
    }
}
