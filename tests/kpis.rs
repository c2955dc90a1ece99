//! The telecom KPIs (`asr`, `ner`, `acd`, `mou`, `erlangs`, `bhca`, `mb_per_session`,
//! `avg_throughput`) on both backends, each against its formula written here by hand: SQL over
//! the raw tables, or (for Erlangs on the zone's clock) plain Rust over the raw rows.

mod common;

use chrono::{DateTime, NaiveDateTime, Timelike, Utc};
use common::{BACKENDS, TestDb};
use std::collections::BTreeMap;
use tally::model::Zone;
use tally::query::{Answer, run};
use tally::store::{Store, Value};

/// The range ends in the middle of a day: rollups answer the whole days, raw rows the rest.
const RANGE: &str = "between 2026-11-03 and '2026-11-21 15:30'";
const FROM: &str = "2026-11-03 00:00:00";
const TO: &str = "2026-11-21 15:30:00";
/// Seconds from FROM to TO: 18 days and 15½ hours.
const RANGE_SECONDS: f64 = 18.0 * 86_400.0 + 15.5 * 3600.0;

type Rows = Vec<(String, Vec<f64>)>;

/// Rows as (keys joined, numbers); `shown` says which columns are values (not a mark for
/// people, such as `◀ partial`).
fn rows_of(values: &[Vec<Value>], keys: usize, shown: &dyn Fn(usize) -> bool) -> Rows {
    values
        .iter()
        .map(|r| {
            let key: Vec<String> = r[..keys].iter().map(Value::to_string).collect();
            let numbers = r[keys..]
                .iter()
                .enumerate()
                .filter(|(i, _)| shown(keys + i))
                .map(|(_, v)| v.as_f64().unwrap_or(f64::NAN))
                .collect();
            (key.join(" "), numbers)
        })
        .collect()
}

fn by_tally(store: &Store, query: &str, zone: &str, keys: usize) -> Rows {
    let zone = Zone::parse(zone).expect("a zone");
    match run(store, query, &zone, common::test_now()) {
        Ok(Answer::Table(rs)) => rows_of(&rs.rows, keys, &|i| {
            rs.columns[i].kind != tally::rows::Kind::Decoration
        }),
        other => panic!("{query}: {other:?}"),
    }
}

/// `sql` with its `?`s bound to the range's ends, in pairs.
fn by_hand(store: &Store, sql: &str, keys: usize) -> Rows {
    let params: Vec<Value> = (0..sql.matches('?').count())
        .map(|i| Value::from(if i % 2 == 0 { FROM } else { TO }))
        .collect();
    let rows = store
        .read(|c| Ok(c.query(sql, &params)?))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .rows;
    rows_of(&rows, keys, &|_| true)
}

fn assert_same(got: &Rows, want: &Rows, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}\n got {got:?}\nwant {want:?}");
    for (g, w) in got.iter().zip(want) {
        assert_eq!(g.0, w.0, "{what}\n got {got:?}\nwant {want:?}");
        assert_eq!(g.1.len(), w.1.len(), "{what}: columns");
        for (x, y) in g.1.iter().zip(&w.1) {
            assert!(
                (x - y).abs() <= 1e-9 * y.abs().max(1.0),
                "{what}: {} has {x}, by hand {y}",
                g.0
            );
        }
    }
}

fn day(dialect: &str, col: &str) -> String {
    match dialect {
        "mysql" => format!("DATE_FORMAT({col}, '%Y-%m-%d')"),
        _ => format!("substr({col}, 1, 10)"),
    }
}

fn hour(dialect: &str, col: &str) -> String {
    match dialect {
        "mysql" => format!("HOUR({col})"),
        _ => format!("CAST(substr({col}, 12, 2) AS INTEGER)"),
    }
}

const IN_RANGE: &str = "r.start_time >= ? AND r.start_time < ?";

fn cases(d: &str) -> Vec<(String, usize, String)> {
    let answered = "CASE WHEN r.status = 'answered' THEN 1 ELSE 0 END";
    let day_r = day(d, "r.start_time");
    let hour_r = hour(d, "r.start_time");
    vec![
        (
            format!("calls per day {RANGE} show asr, ner, acd, calls"),
            1,
            format!(
                "SELECT {day_r}, SUM({answered}) * 1e2 / COUNT(*), \
                 SUM(CASE WHEN r.status IN ('answered', 'busy', 'no_answer') THEN 1 ELSE 0 END) \
                 * 1e2 / COUNT(*), \
                 SUM(CASE WHEN r.status = 'answered' THEN r.duration_s ELSE 0 END) * 1e0 \
                 / NULLIF(SUM({answered}), 0), COUNT(*) \
                 FROM calls r WHERE {IN_RANGE} GROUP BY {day_r} ORDER BY {day_r}"
            ),
        ),
        (
            format!("calls per plan {RANGE} show mou"),
            1,
            format!(
                "SELECT p.name, SUM(r.duration_s) / 6e1 / COUNT(DISTINCT r.customer_id) \
                 FROM calls r JOIN customers c ON c.id = r.customer_id \
                 JOIN plans p ON p.id = c.plan_id WHERE {IN_RANGE} GROUP BY p.name ORDER BY p.name"
            ),
        ),
        (
            // Usage's active customers are those with any record; minutes are the calls'.
            format!("usage per plan {RANGE} show mou"),
            1,
            "SELECT p.name, (SELECT COALESCE(SUM(r.duration_s), 0) FROM calls r \
               JOIN customers c2 ON c2.id = r.customer_id WHERE c2.plan_id = p.id \
               AND r.start_time >= ? AND r.start_time < ?) / 6e1 / COUNT(DISTINCT u.customer_id) \
             FROM (SELECT customer_id FROM calls WHERE start_time >= ? AND start_time < ? \
                   UNION ALL SELECT customer_id FROM sms WHERE sent_at >= ? AND sent_at < ? \
                   UNION ALL SELECT customer_id FROM data_sessions \
                   WHERE start_time >= ? AND start_time < ?) u \
             JOIN customers c ON c.id = u.customer_id JOIN plans p ON p.id = c.plan_id \
             GROUP BY p.id, p.name ORDER BY p.name"
                .into(),
        ),
        (
            format!("calls per day {RANGE} show erlangs"),
            1,
            format!(
                "SELECT {day_r}, SUM(r.duration_s) * 1e0 / CASE WHEN {day_r} = '2026-11-21' \
                 THEN 55800 ELSE 86400 END FROM calls r WHERE {IN_RANGE} \
                 GROUP BY {day_r} ORDER BY {day_r}"
            ),
        ),
        (
            format!("calls {RANGE} show erlangs, asr"),
            0,
            format!(
                "SELECT SUM(r.duration_s) * 1e0 / {RANGE_SECONDS:.1}, SUM({answered}) * 1e2 / COUNT(*) \
                 FROM calls r WHERE {IN_RANGE}"
            ),
        ),
        (
            "calls per hour on 2026-11-20 show erlangs, bhca".into(),
            1,
            format!(
                "SELECT {hour_r}, SUM(r.duration_s) / 36e2, COUNT(*) FROM calls r \
                 WHERE r.start_time >= '2026-11-20' AND r.start_time < '2026-11-21' \
                 GROUP BY {hour_r} ORDER BY {hour_r}"
            ),
        ),
        (
            format!("calls per day {RANGE} show bhca, customers"),
            1,
            format!(
                "SELECT x.d, MAX(x.n), (SELECT COUNT(DISTINCT customer_id) FROM calls r \
                   WHERE {IN_RANGE} AND {day_r} = x.d) \
                 FROM (SELECT {day_r} AS d, {hour_r} AS h, COUNT(*) AS n FROM calls r \
                   WHERE {IN_RANGE} GROUP BY {day_r}, {hour_r}) x GROUP BY x.d ORDER BY x.d"
            ),
        ),
        (
            format!("calls per region {RANGE} show bhca, min(duration)"),
            1,
            format!(
                "SELECT x.region, MAX(x.n), MIN(x.shortest) FROM (SELECT c.region, {day_r} AS d, \
                   {hour_r} AS h, COUNT(*) AS n, MIN(r.duration_s) AS shortest FROM calls r \
                   JOIN customers c ON c.id = r.customer_id WHERE {IN_RANGE} \
                   GROUP BY c.region, {day_r}, {hour_r}) x GROUP BY x.region ORDER BY x.region"
            ),
        ),
        (
            format!("data per plan {RANGE} show mb_per_session, avg_throughput"),
            1,
            format!(
                "SELECT p.name, SUM(r.bytes_up + r.bytes_down) / 1e6 / COUNT(*), \
                 SUM(r.bytes_up + r.bytes_down) * 8e0 / 1e3 / SUM(r.duration_s) \
                 FROM data_sessions r JOIN customers c ON c.id = r.customer_id \
                 JOIN plans p ON p.id = c.plan_id WHERE {IN_RANGE} GROUP BY p.name ORDER BY p.name"
            ),
        ),
    ]
}

#[test]
fn each_kpi_equals_its_formula_in_hand_written_sql() {
    for backend in BACKENDS {
        let (_db, store): (TestDb, Store) = common::demo_store(backend, 60, 30, 4);
        let d = store.dialect().name();
        for (query, keys, sql) in cases(d) {
            let got = by_tally(&store, &query, "UTC", keys);
            let want = by_hand(&store, &sql, keys);
            assert!(!want.is_empty(), "{backend:?}: {query} selects nothing");
            assert_same(&got, &want, &format!("{backend:?}: {query}"));
        }
    }
}

/// The calls of the raw table as (start, seconds).
fn raw_calls(store: &Store) -> Vec<(DateTime<Utc>, f64)> {
    store
        .read(|c| Ok(c.query("SELECT start_time, duration_s FROM calls", &[])?))
        .expect("calls")
        .rows
        .iter()
        .map(|r| {
            let t = NaiveDateTime::parse_from_str(&r[0].to_string(), "%Y-%m-%d %H:%M:%S")
                .expect("a stored time")
                .and_utc();
            (t, r[1].as_f64().expect("seconds"))
        })
        .collect()
}

#[test]
fn erlangs_per_hour_count_the_hour_summer_time_repeats_twice() {
    // London's clocks went back at 02:00 BST on 2026-10-25: that day has 25 hours, 1 am twice.
    for backend in BACKENDS {
        let (_db, store) = common::demo_store(backend, 150, 40, 6);
        let london: chrono_tz::Tz = "Europe/London".parse().expect("a zone");
        let mut seconds: BTreeMap<u32, f64> = BTreeMap::new();
        for (t, s) in raw_calls(&store) {
            let local = t.with_timezone(&london);
            if local.date_naive().to_string() == "2026-10-25" {
                *seconds.entry(local.hour()).or_default() += s;
            }
        }
        let want: Rows = seconds
            .iter()
            .map(|(h, s)| {
                let hour_long = if *h == 1 { 7200.0 } else { 3600.0 };
                (h.to_string(), vec![s / hour_long])
            })
            .collect();
        assert!(
            want.len() > 20 && want.iter().any(|(h, _)| h == "1"),
            "{backend:?}: the demo calls all day: {want:?}"
        );
        let got = by_tally(
            &store,
            "calls per hour on 2026-10-25 show erlangs",
            "Europe/London",
            1,
        );
        assert_same(&got, &want, &format!("{backend:?}: erlangs on 2026-10-25"));
    }
}

#[test]
fn kpis_of_nothing_are_empty_not_zero_and_bhca_sorts() {
    let (_db, store) = common::demo_store(common::Backend::Sqlite, 20, 5, 3);
    // No calls at all on that day: no row, and a summary of nothing has no ratio.
    let rows = by_tally(
        &store,
        "calls on 2020-01-01 show asr, acd, erlangs, bhca",
        "UTC",
        0,
    );
    assert!(
        rows.iter().all(|(_, v)| v[0].is_nan() && v[1].is_nan()),
        "{rows:?}"
    );
    // `top` by a measure only tally computes is sorted after the rows are read.
    let top = by_tally(&store, "top 3 customers by bhca", "UTC", 1);
    assert_eq!(top.len(), 3);
    assert!(top.windows(2).all(|w| w[0].1[0] >= w[1].1[0]), "{top:?}");
}
