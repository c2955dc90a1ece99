//! `where hour …`, `where weekday …`, `where daytype …` and `per daytype`, in zones with
//! whole-hour offsets (the hourly rollup answers), a half-hour offset (only the raw rows can)
//! and across the end of summer time, on both backends: every answer equals a computation made
//! here from the raw records' instants and chrono-tz alone.

mod common;

use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use common::{BACKENDS, TestDb};
use std::collections::BTreeMap;
use tally::model::Zone;
use tally::store::Store;

/// One raw record: customer key, UTC instant, source, call seconds.
struct Raw {
    customer: String,
    at: DateTime<Utc>,
    source: &'static str,
    seconds: i64,
}

fn raw_records(store: &Store) -> Vec<Raw> {
    let sql = "SELECT c.subscriber_key, r.t, r.source, r.seconds FROM (\
               SELECT customer_id, start_time AS t, 'calls' AS source, duration_s AS seconds \
               FROM calls UNION ALL \
               SELECT customer_id, sent_at, 'sms', 0 FROM sms UNION ALL \
               SELECT customer_id, start_time, 'data', 0 FROM data_sessions) r \
               JOIN customers c ON c.id = r.customer_id";
    let rows = store.read(|c| Ok(c.query(sql, &[])?)).unwrap().rows;
    rows.iter()
        .map(|r| {
            let text = r[1].to_string();
            let at = NaiveDateTime::parse_from_str(&text[..19], "%Y-%m-%d %H:%M:%S")
                .unwrap_or_else(|e| panic!("{text}: {e}"))
                .and_utc();
            let source = match r[2].to_string().as_str() {
                "calls" => "calls",
                "sms" => "sms",
                _ => "data",
            };
            Raw {
                customer: r[0].to_string(),
                at,
                source,
                seconds: r[3].as_i64().unwrap(),
            }
        })
        .collect()
}

/// Groups of `key` with the count of records and the sum of call seconds (as minutes, 2
/// decimals), of the records `keep` selects: rows as tally prints them, in key order.
fn expected(
    records: &[Raw],
    keep: impl Fn(&Raw, NaiveDateTime) -> bool,
    key: impl Fn(&Raw, NaiveDateTime) -> String,
    tz: Tz,
    with_minutes: bool,
) -> Vec<Vec<String>> {
    let mut groups: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for r in records {
        let wall = r.at.with_timezone(&tz).naive_local();
        if keep(r, wall) {
            let g = groups.entry(key(r, wall)).or_default();
            g.0 += 1;
            g.1 += r.seconds;
        }
    }
    groups
        .into_iter()
        .map(|(k, (count, seconds))| {
            let mut row = vec![k, count.to_string()];
            if with_minutes {
                row.push(format!("{:.2}", seconds as f64 / 60.0));
            }
            row
        })
        .collect()
}

fn night(wall: NaiveDateTime) -> bool {
    wall.hour() >= 22 || wall.hour() < 6
}

fn weekend(wall: NaiveDateTime) -> bool {
    matches!(wall.weekday(), Weekday::Sat | Weekday::Sun)
}

fn sorted(mut rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
    rows.sort();
    rows
}

/// Every number after the group key with two decimals, so counts and minutes compare alike.
fn normalise(rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
    rows.into_iter()
        .map(|r| {
            r.into_iter()
                .enumerate()
                .map(|(i, v)| match v.parse::<f64>() {
                    Ok(x) if i > 0 => format!("{x:.2}"),
                    _ => v,
                })
                .collect()
        })
        .collect()
}

#[test]
fn time_of_day_filters_and_daytype_equal_a_wall_clock_computation() {
    for backend in BACKENDS {
        // 40 days up to 2026-11-26: the end of summer time (25 October) is inside.
        let (_db, store): (TestDb, Store) = common::demo_store(backend, 40, 40, 11);
        let records = raw_records(&store);
        assert!(records.len() > 1000, "{backend:?}: {}", records.len());
        for zone in ["UTC", "Europe/London", "Asia/Kolkata"] {
            let tz: Tz = zone.parse().unwrap();
            let calls = |r: &Raw| r.source == "calls";
            let range = "between 2026-10-20 and '2026-11-20 13:30'";
            let (from, to) = (
                Zone::parse(zone)
                    .unwrap()
                    .to_utc("2026-10-20T00:00:00".parse().unwrap()),
                Zone::parse(zone)
                    .unwrap()
                    .to_utc("2026-11-20T13:30:00".parse().unwrap()),
            );
            let inside = |r: &Raw| Some(r.at) >= from && Some(r.at) < to;
            let cases: Vec<(String, Vec<Vec<String>>)> = vec![
                (
                    "usage where hour >= 22 or hour < 6 per customer show count".into(),
                    expected(
                        &records,
                        |_, w| night(w),
                        |r, _| r.customer.clone(),
                        tz,
                        false,
                    ),
                ),
                (
                    format!("calls where weekday in (sat, sunday) per day {range}"),
                    expected(
                        &records,
                        |r, w| calls(r) && inside(r) && weekend(w),
                        |_, w| w.date().to_string(),
                        tz,
                        true,
                    ),
                ),
                (
                    format!(
                        "calls where hour between 9 and 17 and daytype = weekday per hour {range}"
                    ),
                    expected(
                        &records,
                        |r, w| calls(r) && inside(r) && (9..=17).contains(&w.hour()) && !weekend(w),
                        |_, w| w.hour().to_string(),
                        tz,
                        true,
                    ),
                ),
                (
                    "calls where not daytype = weekday and hour < 12 per daytype".into(),
                    expected(
                        &records,
                        |r, w| calls(r) && weekend(w) && w.hour() < 12,
                        |_, _| "weekend".into(),
                        tz,
                        true,
                    ),
                ),
                (
                    "usage per daytype show count".into(),
                    expected(
                        &records,
                        |_, _| true,
                        |_, w| if weekend(w) { "weekend" } else { "weekday" }.into(),
                        tz,
                        false,
                    ),
                ),
                (
                    "sms where weekday = 7 per customer show count".into(),
                    expected(
                        &records,
                        |r, w| r.source == "sms" && w.weekday() == Weekday::Sun,
                        |r, _| r.customer.clone(),
                        tz,
                        false,
                    ),
                ),
            ];
            for (query, want) in cases {
                let got = sorted(normalise(common::table_rows(&store, &query, zone)));
                assert!(
                    !want.is_empty(),
                    "{backend:?} {zone}: {query} selects nothing"
                );
                assert_eq!(got, sorted(normalise(want)), "{backend:?} {zone}: {query}");
            }
        }
    }
}

#[test]
fn the_hourly_rollup_answers_hour_filters_where_the_zone_allows() {
    let (_db, store) = common::demo_store(common::Backend::Sqlite, 5, 3, 1);
    let plan = common::explain(&store, "calls where hour >= 22 per day");
    assert!(plan.contains("network_hourly"), "{plan}");
    let plan = common::explain(&store, "calls where weekday = sat per customer");
    assert!(plan.contains("customer_daily"), "{plan}");
    let plan = common::explain(&store, "calls where hour >= 22 per customer");
    assert!(!plan.contains("rollup"), "{plan}");
}

#[test]
fn bad_hours_weekdays_and_daytypes_are_refused_where_written() {
    let (_db, store) = common::demo_store(common::Backend::Sqlite, 5, 3, 1);
    for (query, says) in [
        ("calls where hour = 24", "`24` is not an hour of the day"),
        ("calls where hour > 6.5", "`6.5` is not an hour of the day"),
        (
            "calls where hour = night",
            "`night` is not an hour of the day",
        ),
        (
            "calls where weekday = mun",
            "`mun` is not a day of the week",
        ),
        ("calls where weekday = 0", "`0` is not a day of the week"),
        (
            "calls where daytype = holiday",
            "write `weekday` or `weekend`",
        ),
        (
            "calls where daytype > weekday",
            "can only be compared with = or !=",
        ),
    ] {
        let text = common::assert_refused(&store, query, says);
        assert!(text.contains('^'), "{query}: {text}");
    }
}
