//! `median`, `pNN` and `percentile(f, p)` on both backends, against a computation made here
//! from the raw values (sort, position p·(n−1), linear interpolation) and, on MariaDB, against
//! its own `PERCENTILE_CONT … WITHIN GROUP` written by hand.

mod common;

use common::{BACKENDS, TestDb};
use std::collections::BTreeMap;
use tally::model::Zone;
use tally::query::{Answer, run};
use tally::store::{Store, Value};

/// PERCENTILE_CONT over `values`, by hand.
fn percentile_cont(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let position = p * (values.len() - 1) as f64;
    let low = position.floor() as usize;
    let high = (low + 1).min(values.len() - 1);
    values[low] + (position - low as f64) * (values[high] - values[low])
}

/// The values of `column` per group, read by plain SQL.
fn values_per_group(store: &Store, sql: &str) -> BTreeMap<String, Vec<f64>> {
    let params: Vec<Value> = ["2026-11-03 00:00:00", "2026-11-21 15:30:00"]
        .iter()
        .map(|t| Value::from(*t))
        .collect();
    let rows = store.read(|c| Ok(c.query(sql, &params)?)).unwrap().rows;
    let mut groups: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for r in rows {
        groups
            .entry(r[0].to_string())
            .or_default()
            .push(r[1].as_f64().unwrap());
    }
    groups
}

fn answer(store: &Store, query: &str) -> Vec<Vec<Value>> {
    match run(store, query, &Zone::utc(), common::test_now()) {
        Ok(Answer::Table(rs)) => rs.rows,
        other => panic!("{query}: {other:?}"),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

const RANGE: &str = "between 2026-11-03 and '2026-11-21 15:30'";

#[test]
fn percentiles_equal_a_computation_by_hand_on_both_backends() {
    // (query, SQL of (group, value) rows, the fractions asked in order, the unit's scale)
    let cases: [(String, &str, &[f64], f64); 3] = [
        (
            format!("calls per day {RANGE} show median(duration), p95(duration), p99(duration)"),
            "SELECT substr(start_time, 1, 10), duration_s FROM calls \
             WHERE start_time >= ? AND start_time < ?",
            &[0.5, 0.95, 0.99],
            1.0,
        ),
        (
            format!(
                "data per plan {RANGE} show median(data_mb), percentile(bytes, 0.9), \
                 percentile(bytes, 0), percentile(bytes, 1), percentile(data_mb, 0.333333)"
            ),
            "SELECT p.name, t.bytes_up + t.bytes_down FROM data_sessions t \
             JOIN customers c ON c.id = t.customer_id JOIN plans p ON p.id = c.plan_id \
             WHERE t.start_time >= ? AND t.start_time < ?",
            &[0.5, 0.9, 0.0, 1.0, 0.333333],
            1e6,
        ),
        (
            format!(
                "calls where direction = out per customer {RANGE} show p90(duration), \
                 p10(duration)"
            ),
            "SELECT c.subscriber_key, t.duration_s FROM calls t \
             JOIN customers c ON c.id = t.customer_id \
             WHERE t.start_time >= ? AND t.start_time < ? AND t.direction = 'out'",
            &[0.9, 0.1],
            1.0,
        ),
    ];
    for backend in BACKENDS {
        let (_db, store): (TestDb, Store) = common::demo_store(backend, 60, 30, 4);
        for (query, sql, fractions, scale) in &cases {
            let mut want = values_per_group(&store, sql);
            let got = answer(&store, query);
            assert_eq!(got.len(), want.len(), "{backend:?}: {query}");
            for row in got {
                let group = row[0].to_string();
                let values = want.get_mut(&group).unwrap_or_else(|| panic!("{group}"));
                for (i, p) in fractions.iter().enumerate() {
                    let by_hand = percentile_cont(values, *p) / scale;
                    let by_tally = row[1 + i].as_f64().unwrap();
                    assert!(
                        close(by_tally, by_hand),
                        "{backend:?}: {query}: {group} p={p}: {by_tally} vs {by_hand}"
                    );
                }
            }
        }
    }
}

#[test]
fn mariadb_s_own_percentile_cont_agrees() {
    let (_db, store) = common::demo_store(common::Backend::Mysql, 60, 30, 4);
    let sql = "SELECT DISTINCT DATE_FORMAT(start_time, '%Y-%m-%d'), \
               PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY duration_s) \
               OVER (PARTITION BY DATE_FORMAT(start_time, '%Y-%m-%d')) \
               FROM calls WHERE start_time >= ? AND start_time < ?";
    let native = values_per_group(&store, sql);
    let got = answer(&store, &format!("calls per day {RANGE} show p95(duration)"));
    assert_eq!(got.len(), native.len());
    for row in got {
        let want = native[&row[0].to_string()][0];
        let x = row[1].as_f64().unwrap();
        assert!(close(x, want), "{}: {x} vs MariaDB {want}", row[0]);
    }
}

#[test]
fn four_values_interpolate_as_percentile_cont_does() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let store = db.open();
        let calls: Vec<_> = [10, 20, 30, 100]
            .iter()
            .enumerate()
            .map(|(i, s)| common::call("a", "2026-11-10 10:00", *s, &format!("k{i}")))
            .collect();
        store.insert_batch(&calls, true).unwrap();
        let rows = answer(
            &store,
            "calls show median(duration), p90(duration), percentile(duration, 0.25), \
             percentile(duration, 1), percentile(duration, 0)",
        );
        let got: Vec<f64> = rows[0].iter().map(|v| v.as_f64().unwrap()).collect();
        // positions 1.5, 2.7, 0.75, 3, 0 of 10, 20, 30, 100
        assert_eq!(got, [25.0, 79.0, 17.5, 100.0, 10.0], "{backend:?}");
        let empty = answer(&store, "calls on 2026-11-11 show median(duration), count");
        assert_eq!(empty, [vec![Value::Null, Value::Int(0)]], "{backend:?}");
    }
}

#[test]
fn percentile_mistakes_are_pointed_at() {
    let db = TestDb::new(common::Backend::Sqlite);
    let store = db.open();
    for (query, says) in [
        ("calls show percentile(duration)", "needs the fraction too"),
        (
            "calls show percentile(duration, 1.5)",
            "not a fraction from 0 to 1",
        ),
        (
            "calls show percentile(duration, 0.1234567)",
            "at most 6 decimals",
        ),
        ("calls show median(duration, 0.5)", "takes one argument"),
        ("calls show p100(duration)", "unknown function `p100`"),
        ("calls show median(other)", "not a numeric field"),
        (
            "calls per day show median(duration), revenue",
            "cannot be shown with revenue",
        ),
        ("calls show percentile(duration, x)", "a number such as 0.9"),
    ] {
        common::assert_refused(&store, query, says);
    }
}
