//! `histogram FIELD SOURCE` on both backends: the counts per bucket equal the raw values put in
//! their buckets here, values on an edge go to the bucket above it, and written edges are
//! checked where they are written.

mod common;

use common::{BACKENDS, TestDb};
use tally::store::{Store, Value};

/// The values the SQL gives, counted into buckets with `edges` (0 first) by hand.
fn by_hand(store: &Store, sql: &str, edges: &[f64]) -> Vec<i64> {
    let rows = store.read(|c| Ok(c.query(sql, &[])?)).unwrap().rows;
    let mut counts = vec![0; edges.len()];
    for r in rows {
        let v = r[0].as_f64().unwrap();
        let bucket = edges.iter().rposition(|e| v >= *e).unwrap();
        counts[bucket] += 1;
    }
    counts
}

/// (label, count) of each bucket tally lists.
fn by_tally(store: &Store, query: &str) -> Vec<(String, i64)> {
    common::table_rows(store, query, "UTC")
        .into_iter()
        .map(|r| (r[0].clone(), r[1].parse().unwrap()))
        .collect()
}

fn counts(rows: &[(String, i64)]) -> Vec<i64> {
    rows.iter().map(|r| r.1).collect()
}

#[test]
fn counts_per_bucket_equal_the_values_bucketed_by_hand() {
    for backend in BACKENDS {
        let (_db, store) = common::demo_store(backend, 40, 20, 6);
        let seconds = [
            0.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0, 7200.0, 14400.0,
        ];
        let mut want = by_hand(&store, "SELECT duration_s FROM calls", &seconds);
        let got = by_tally(&store, "histogram duration calls");
        // Buckets tally chose stop at the last one holding a value.
        while want.len() > got.len() {
            assert_eq!(want.pop(), Some(0), "{backend:?}");
        }
        assert_eq!(counts(&got), want, "{backend:?}");
        assert_eq!(got[0].0, "0s–10s");
        let written = [0.0, 30.0, 60.0, 300.0, 1800.0];
        let want = by_hand(
            &store,
            "SELECT duration_s FROM calls WHERE direction = 'out' \
             AND start_time >= '2026-11-20 00:00:00' AND start_time < '2026-11-25 00:00:00'",
            &written,
        );
        let got = by_tally(
            &store,
            "histogram duration calls where direction = out between 2026-11-20 and 2026-11-25 \
             buckets 0, 30s, 1m, 5m, 30m",
        );
        assert_eq!(counts(&got), want, "{backend:?}");
        let labels: Vec<&str> = got.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(labels, ["0s–30s", "30s–1m", "1m–5m", "5m–30m", "30m+"]);
        let mb = [0.0, 1e6, 1e7, 1e8];
        let want = by_hand(
            &store,
            "SELECT bytes_up + bytes_down FROM data_sessions",
            &mb,
        );
        let got = by_tally(&store, "histogram data_mb data buckets 1, 10MB, 100");
        assert_eq!(counts(&got), want, "{backend:?}");
    }
}

#[test]
fn a_value_on_an_edge_belongs_to_the_bucket_above() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let store = db.open();
        let calls: Vec<_> = [0, 29, 30, 59, 60, 300, 301]
            .iter()
            .enumerate()
            .map(|(i, s)| common::call("a", "2026-11-10 10:00", *s, &format!("k{i}")))
            .collect();
        store.insert_batch(&calls, true).unwrap();
        let got = by_tally(&store, "histogram duration calls buckets 30s, 1m, 5m");
        assert_eq!(
            got,
            [
                ("0s–30s".to_string(), 2),
                ("30s–1m".to_string(), 2),
                ("1m–5m".to_string(), 1),
                ("5m+".to_string(), 2)
            ],
            "{backend:?}"
        );
        let shares: f64 = common::table_rows(&store, "histogram duration calls", "UTC")
            .iter()
            .map(|r| r[2].parse::<f64>().unwrap())
            .sum();
        assert!((shares - 100.0).abs() < 1e-9, "{backend:?}: {shares}");
        let none = common::table_rows(&store, "histogram duration calls on 2026-11-11", "UTC");
        assert_eq!(
            none.len(),
            1,
            "{backend:?}: one empty bucket, no division by zero"
        );
        assert_eq!(none[0][1], "0");
        assert_eq!(none[0][2], Value::Null.to_string());
    }
}

#[test]
fn histogram_mistakes_are_pointed_at() {
    let db = TestDb::new(common::Backend::Sqlite);
    let store = db.open();
    for (query, says) in [
        (
            "histogram duration calls buckets 1m, 30s",
            "must grow from left to right",
        ),
        (
            "histogram duration calls buckets 30s, 30s",
            "must grow from left to right",
        ),
        (
            "histogram duration calls buckets 10MB",
            "not a bucket edge here",
        ),
        (
            "histogram data_mb data buckets 5m",
            "not a bucket edge here",
        ),
        (
            "histogram duration calls buckets 1.5",
            "not a bucket edge here",
        ),
        ("histogram minutes calls", "not a numeric field of calls"),
        ("histogram duration sms", "expected one of: calls, data"),
        ("calls per day buckets 1, 2", "applies to `histogram` only"),
        (
            "histogram duration calls per day",
            "does not apply to histogram",
        ),
    ] {
        common::assert_refused(&store, query, says);
    }
}
