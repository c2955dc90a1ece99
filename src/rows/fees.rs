//! Monthly fees, prorated: a plan's fee × the part of each calendar month (UTC) the plan was
//! held with the account open and the answer's range covering it, per group of the answer.
//! With the customers whose account was open in each group, for ARPU.

use super::exposure::label;
use crate::model::Zone;
use crate::model::from_sql_time;
use crate::plan::{FeeSpec, Key};
use crate::store::{Rows, Value};
use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveTime, TimeDelta, Utc};
use std::collections::{HashMap, HashSet};

/// The fees of one group of the answer and the accounts open in it.
#[derive(Debug, Clone, Default)]
pub struct GroupFees {
    /// The group's key values, as the answer shows them.
    pub keys: Vec<Value>,
    /// Fees, unrounded.
    pub fees: f64,
    /// The customers (by id) with an account open some time in the group.
    pub accounts: HashSet<i64>,
}

/// The fee periods' rows (`sql::fee_periods`) as fees per group, by the group's key values
/// written as text (as `rows::build` identifies groups).
pub fn by_group(spec: &FeeSpec, rows: &Rows) -> HashMap<Vec<String>, GroupFees> {
    let mut groups: HashMap<Vec<String>, GroupFees> = HashMap::new();
    let (Some(from), Some(to)) = (spec.from, spec.to) else {
        return groups;
    };
    for row in &rows.rows {
        let Some(period) = Period::read(row) else {
            continue;
        };
        let start = [from, period.from, period.opened]
            .into_iter()
            .max()
            .unwrap_or(from);
        let end = [Some(to), Some(period.until), period.closed]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(to);
        for (time_labels, share) in shares(spec, start, end) {
            let keys: Vec<Value> = spec
                .keys
                .iter()
                .map(|(i, k)| match time_labels.iter().find(|(j, _)| j == i) {
                    Some((_, t)) => Value::Text(t.clone()),
                    None => customer_value(*k, row),
                })
                .collect();
            let id: Vec<String> = keys.iter().map(Value::to_string).collect();
            let group = groups.entry(id).or_insert_with(|| GroupFees {
                keys,
                ..GroupFees::default()
            });
            group.fees += period.fee * share;
            group.accounts.insert(period.customer);
        }
    }
    groups
}

/// One plan period of one customer, as the fee query gives it.
struct Period {
    customer: i64,
    opened: DateTime<Utc>,
    closed: Option<DateTime<Utc>>,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    fee: f64,
}

impl Period {
    fn read(row: &[Value]) -> Option<Period> {
        let time = |v: &Value| from_sql_time(&v.to_string());
        let opened = time(row.get(5)?)?;
        // Closed with no closing time known: at its last record, or at its opening.
        let closed = row.get(6).and_then(time).or_else(|| {
            (row.get(4)?.as_str()? == "closed")
                .then(|| row[10..].iter().filter_map(time).max().unwrap_or(opened))
        });
        let day = |v: &Value| {
            let text: String = v.to_string().chars().take(10).collect();
            NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(NaiveTime::MIN).and_utc())
        };
        Some(Period {
            customer: row.first()?.as_i64()?,
            opened,
            closed,
            from: day(row.get(7)?)?,
            until: day(row.get(8)?)?,
            fee: row
                .get(9)
                .and_then(|v| v.as_f64().or_else(|| v.to_string().parse().ok()))
                .unwrap_or(0.0),
        })
    }
}

/// A property of the customer as the answer's key shows it.
fn customer_value(key: Key, row: &[Value]) -> Value {
    let at = match key {
        Key::Customer => 1,
        Key::Plan => 2,
        Key::Region => 3,
        Key::Account => 4,
        _ => return Value::Null,
    };
    row.get(at).cloned().unwrap_or(Value::Null)
}

/// The fee's share of `[start, end)`: each calendar month's covered part over the month's
/// length, months and days being the zone's; split by the answer's time keys (each piece
/// labelled by its start on the zone's clock). Each item: (time key labels by key index, share).
fn shares(
    spec: &FeeSpec,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Vec<(Vec<(usize, String)>, f64)> {
    let zone = &spec.zone;
    let time_keys: Vec<(usize, Key)> = spec
        .keys
        .iter()
        .filter(|(_, k)| k.is_time())
        .copied()
        .collect();
    let mut out: Vec<(Vec<(usize, String)>, f64)> = Vec::new();
    let mut t = start;
    while t < end {
        let (month_start, month_end) = month_of(zone, t);
        // By day when a time key splits the stretch, else by month.
        let next = if time_keys.is_empty() {
            month_end
        } else {
            day_end(zone, t).min(month_end)
        };
        if next <= t {
            break;
        }
        let covered = (next.min(end) - t).num_seconds() as f64;
        let share = covered / (month_end - month_start).num_seconds() as f64;
        let wall = zone.wall(t);
        let labels: Vec<(usize, String)> = time_keys
            .iter()
            .map(|(i, k)| (*i, label(*k, wall)))
            .collect();
        match out.iter_mut().find(|(l, _)| *l == labels) {
            Some((_, s)) => *s += share,
            None => out.push((labels, share)),
        }
        t = next;
    }
    out
}

/// The first instant of a wall-clock day in the zone (after a gap, the first that exists).
fn instant(zone: &Zone, day: NaiveDate) -> Option<DateTime<Utc>> {
    zone.first_instant_from(day.and_time(NaiveTime::MIN))
}

/// The calendar month of the zone holding `t`, as instants.
fn month_of(zone: &Zone, t: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let d = zone.wall(t).date();
    let first = NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d);
    let next = first.checked_add_months(Months::new(1)).unwrap_or(first);
    let start = instant(zone, first).unwrap_or(t);
    let end = instant(zone, next).unwrap_or(t + TimeDelta::days(31));
    (start.min(t), end.max(t + TimeDelta::seconds(1)))
}

/// The end of the zone's day holding `t`.
fn day_end(zone: &Zone, t: DateTime<Utc>) -> DateTime<Utc> {
    let next = zone.wall(t).date() + TimeDelta::days(1);
    instant(zone, next).unwrap_or(t + TimeDelta::days(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Zone;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn spec(keys: &[Key]) -> FeeSpec {
        FeeSpec {
            zone: Zone::utc(),
            from: Some(at("2026-11-01T00:00:00Z")),
            to: Some(at("2026-12-01T00:00:00Z")),
            keys: keys.iter().copied().enumerate().collect(),
            filter: None,
        }
    }

    #[test]
    fn a_month_held_whole_is_one_fee_and_part_of_it_its_days() {
        let whole = shares(
            &spec(&[]),
            at("2026-11-01T00:00:00Z"),
            at("2026-12-01T00:00:00Z"),
        );
        assert_eq!(whole, [(vec![], 1.0)]);
        // From the 12th: 19 of November's 30 days.
        let part = shares(
            &spec(&[]),
            at("2026-11-12T00:00:00Z"),
            at("2026-12-01T00:00:00Z"),
        );
        assert!((part[0].1 - 19.0 / 30.0).abs() < 1e-12);
        // Across a month end, each month's part of its own length.
        let across = shares(
            &spec(&[]),
            at("2026-10-30T00:00:00Z"),
            at("2026-11-02T00:00:00Z"),
        );
        let total: f64 = across.iter().map(|(_, s)| s).sum();
        assert!((total - (2.0 / 31.0 + 1.0 / 30.0)).abs() < 1e-12);
    }

    #[test]
    fn a_local_month_is_one_fee_and_its_days_stay_in_it() {
        let mut ny = spec(&[Key::Month]);
        ny.zone = Zone::parse("America/New_York").unwrap();
        // November in New York: 1 Nov 04:00Z (summer time) to 1 Dec 05:00Z.
        let month = shares(&ny, at("2026-11-01T04:00:00Z"), at("2026-12-01T05:00:00Z"));
        assert_eq!(month.len(), 1, "{month:?}");
        assert_eq!(month[0].0, [(0, "2026-11".to_string())]);
        assert!((month[0].1 - 1.0).abs() < 1e-12);
        ny.keys = vec![(0, Key::Day)];
        let days = shares(&ny, at("2026-11-01T04:00:00Z"), at("2026-12-01T05:00:00Z"));
        assert_eq!(days.len(), 30);
        assert_eq!(days[0].0, [(0, "2026-11-01".to_string())]);
        // The day summer time ends has 25 hours of a 721-hour month.
        assert!((days[0].1 - 25.0 / 721.0).abs() < 1e-12, "{:?}", days[0]);
    }

    #[test]
    fn by_day_each_day_is_a_thirtieth_of_november() {
        let days = shares(
            &spec(&[Key::Day]),
            at("2026-11-10T00:00:00Z"),
            at("2026-11-12T12:00:00Z"),
        );
        assert_eq!(days.len(), 3);
        assert_eq!(days[0].0, [(0, "2026-11-10".to_string())]);
        assert!((days[2].1 - 0.5 / 30.0).abs() < 1e-12);
    }
}
