//! The seconds of time each group of an answer covers, for measures divided by it (`erlangs`):
//! the covered stretch cut by the group's time keys (hour of day, day, weekday...) on the
//! zone's clock, daylight-saving changes included.

use crate::plan::{Clock, Key};
use chrono::{DateTime, Datelike, NaiveDateTime, TimeDelta, Timelike};
use std::collections::HashMap;

/// Every offset of every zone is a whole number of these: a piece of this length lies in one
/// hour of the zone's clock.
const PIECE: i64 = 15 * 60;

/// Covered seconds by the values of the clock's time keys, written as the database writes
/// them (`2026-11-20`, `13`, `2026-11-20 13:00`, `weekend`). Empty when nothing is covered.
pub fn seconds_by_time_keys(clock: &Clock) -> HashMap<Vec<String>, f64> {
    let mut seconds: HashMap<Vec<String>, f64> = HashMap::new();
    let (Some(from), Some(to)) = (clock.from, clock.to) else {
        return seconds;
    };
    let mut t =
        DateTime::from_timestamp(from.timestamp().div_euclid(PIECE) * PIECE, 0).unwrap_or(from);
    while t < to {
        let end = t + TimeDelta::seconds(PIECE);
        let covered = (end.min(to) - t.max(from)).num_milliseconds() as f64 / 1000.0;
        let wall = clock.zone.wall(t);
        let labels: Vec<String> = clock.keys.iter().map(|(_, k)| label(*k, wall)).collect();
        *seconds.entry(labels).or_default() += covered;
        t = end;
    }
    seconds
}

/// The covered seconds of a group whose shown key values are `keys`; None when its time keys
/// name no covered time.
pub fn of_group(
    clock: &Clock,
    by_labels: &HashMap<Vec<String>, f64>,
    keys: &[crate::store::Value],
) -> Option<f64> {
    let labels: Vec<String> = clock
        .keys
        .iter()
        .map(|(i, _)| keys.get(*i).map(ToString::to_string).unwrap_or_default())
        .collect();
    by_labels.get(&labels).copied().filter(|s| *s > 0.0)
}

/// A time key's value at a wall-clock time, as the SQL of `sql::parts` writes it.
pub(super) fn label(key: Key, wall: NaiveDateTime) -> String {
    let weekday = wall.weekday().number_from_monday();
    match key {
        Key::Hour => wall.hour().to_string(),
        Key::Day => wall.format("%Y-%m-%d").to_string(),
        Key::Week => (wall.date() - TimeDelta::days(i64::from(weekday) - 1))
            .format("%Y-%m-%d")
            .to_string(),
        Key::Month => wall.format("%Y-%m").to_string(),
        Key::Weekday => weekday.to_string(),
        Key::Daytype if weekday >= 6 => "weekend".into(),
        Key::Daytype => "weekday".into(),
        Key::Hourly => wall.format("%Y-%m-%d %H:00").to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Zone;
    use chrono::Utc;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn clock(zone: &str, from: &str, to: &str, keys: &[Key]) -> Clock {
        Clock {
            zone: Zone::parse(zone).unwrap(),
            from: Some(at(from)),
            to: Some(at(to)),
            keys: keys.iter().copied().enumerate().collect(),
        }
    }

    fn get(map: &HashMap<Vec<String>, f64>, labels: &[&str]) -> f64 {
        let key: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
        map.get(&key).copied().unwrap_or(0.0)
    }

    #[test]
    fn a_day_has_its_hours_and_a_range_without_time_keys_its_length() {
        let c = clock(
            "UTC",
            "2026-11-20T00:00:00Z",
            "2026-11-21T00:00:00Z",
            &[Key::Hour],
        );
        let map = seconds_by_time_keys(&c);
        assert_eq!(map.len(), 24);
        assert_eq!(get(&map, &["0"]), 3600.0);
        assert_eq!(get(&map, &["23"]), 3600.0);
        let whole = clock("UTC", "2026-11-20T00:00:00Z", "2026-11-20T10:07:30Z", &[]);
        assert_eq!(get(&seconds_by_time_keys(&whole), &[]), 36_450.0);
    }

    #[test]
    fn the_day_summer_time_ends_has_25_hours_and_its_1_am_two() {
        let c = clock(
            "Europe/London",
            "2026-10-24T23:00:00Z",
            "2026-10-26T00:00:00Z",
            &[Key::Day, Key::Hour],
        );
        let map = seconds_by_time_keys(&c);
        assert_eq!(get(&map, &["2026-10-25", "1"]), 7200.0);
        assert_eq!(get(&map, &["2026-10-25", "2"]), 3600.0);
        let day: f64 = (0..24)
            .map(|h| get(&map, &["2026-10-25", &h.to_string()]))
            .sum();
        assert_eq!(day, 25.0 * 3600.0);
    }

    #[test]
    fn half_hour_zones_and_calendar_keys() {
        let c = clock(
            "Asia/Kolkata",
            "2026-11-20T00:00:00Z",
            "2026-11-20T01:00:00Z",
            &[Key::Hourly],
        );
        let map = seconds_by_time_keys(&c);
        assert_eq!(get(&map, &["2026-11-20 05:00"]), 1800.0);
        assert_eq!(get(&map, &["2026-11-20 06:00"]), 1800.0);
        let week = clock(
            "UTC",
            "2026-11-20T00:00:00Z",
            "2026-11-24T00:00:00Z",
            &[Key::Week, Key::Daytype, Key::Weekday, Key::Month],
        );
        let map = seconds_by_time_keys(&week);
        assert_eq!(
            get(&map, &["2026-11-16", "weekend", "6", "2026-11"]),
            86_400.0
        );
        assert_eq!(
            get(&map, &["2026-11-23", "weekday", "1", "2026-11"]),
            86_400.0
        );
    }
}
