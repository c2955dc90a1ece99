//! Period honesty: an hour, day, week or month bucket that the range, the data or the clock
//! covers only in part is marked, and a trend never computes a change from or to such a
//! bucket. Values and changes are checked against sums written here by hand in SQL.

mod common;

use common::{BACKENDS, TestDb};
use tally::model::Zone;
use tally::query::{Answer, run};
use tally::rows::ResultSet;
use tally::store::{Store, Value};

fn ask(store: &Store, query: &str) -> ResultSet {
    match run(store, query, &Zone::utc(), common::test_now()) {
        Ok(Answer::Table(rs)) => rs,
        other => panic!("{query}: {other:?}"),
    }
}

/// Call minutes in [from, to), by hand.
fn minutes(store: &Store, from: &str, to: &str) -> f64 {
    let rows = store
        .read(|c| {
            Ok(c.query(
                "SELECT COALESCE(SUM(duration_s), 0) FROM calls \
                 WHERE start_time >= ? AND start_time < ?",
                &[Value::from(from), Value::from(to)],
            )?)
        })
        .unwrap()
        .rows;
    rows[0][0].as_f64().unwrap() / 60.0
}

/// The marks of the last column, or none when the answer has no mark column.
fn marks(rs: &ResultSet) -> Vec<String> {
    match rs.columns.last() {
        Some(c) if c.name.is_empty() => rs
            .rows
            .iter()
            .map(|r| r.last().unwrap().to_string())
            .collect(),
        _ => Vec::new(),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6 * b.abs().max(1.0)
}

const P: &str = "◀ partial";

#[test]
fn buckets_cut_by_the_range_or_the_clock_are_marked() {
    for backend in BACKENDS {
        let (_db, store): (TestDb, Store) = common::demo_store(backend, 30, 60, 3);
        let whole = ask(&store, "calls per day between 2026-11-10 and 2026-11-13");
        assert!(marks(&whole).is_empty(), "{backend:?}: no mark column");
        let ragged = ask(
            &store,
            "calls per day between '2026-11-10 07:30' and '2026-11-12 16:45'",
        );
        assert_eq!(marks(&ragged), [P, "", P], "{backend:?}");
        let weeks = ask(&store, "calls per week between 2026-11-04 and 2026-11-19");
        assert_eq!(marks(&weeks), [P, "", P], "{backend:?}");
        // The clock: 2026-11-25 12:00, so this month and today are not over.
        let months = ask(&store, "calls per month since 2026-10-01");
        assert_eq!(marks(&months), ["", P], "{backend:?}");
    }
}

#[test]
fn a_trend_compares_whole_buckets_only() {
    for backend in BACKENDS {
        let (_db, store): (TestDb, Store) = common::demo_store(backend, 30, 60, 3);
        // From a Wednesday to a Thursday: whole weeks from the Monday, the last one cut.
        let rs = ask(
            &store,
            "trend minutes per week between 2026-11-04 and 2026-11-19",
        );
        let weeks: Vec<String> = rs.rows.iter().map(|r| r[0].to_string()).collect();
        assert_eq!(
            weeks,
            ["2026-11-02", "2026-11-09", "2026-11-16"],
            "{backend:?}"
        );
        let w0 = minutes(&store, "2026-10-26 00:00:00", "2026-11-02 00:00:00");
        let w1 = minutes(&store, "2026-11-02 00:00:00", "2026-11-09 00:00:00");
        let w2 = minutes(&store, "2026-11-09 00:00:00", "2026-11-16 00:00:00");
        let w3 = minutes(&store, "2026-11-16 00:00:00", "2026-11-19 00:00:00");
        for (row, want) in rs.rows.iter().zip([w1, w2, w3]) {
            assert!(
                close(row[1].as_f64().unwrap(), want),
                "{backend:?}: {row:?}"
            );
        }
        assert!(
            close(rs.rows[0][2].as_f64().unwrap(), (w1 - w0) / w0),
            "{backend:?}"
        );
        assert!(
            close(rs.rows[1][2].as_f64().unwrap(), (w2 - w1) / w1),
            "{backend:?}"
        );
        assert!(
            rs.rows[2][2].is_null(),
            "{backend:?}: a cut week is not compared"
        );
        assert_eq!(marks(&rs), ["", "", P], "{backend:?}");
        // Today is not over at 12:00: marked, and neither compared nor compared with.
        let days = ask(&store, "trend calls per day last 3 days");
        assert_eq!(marks(&days), ["", "", P], "{backend:?}");
        assert!(!days.rows[1][2].is_null(), "{backend:?}");
        assert!(days.rows[2][2].is_null(), "{backend:?}");
    }
}

#[test]
fn the_mark_is_for_people_only() {
    let (_db, store) = common::demo_store(common::Backend::Sqlite, 10, 10, 3);
    let rs = ask(&store, "trend calls per day last 3 days");
    let csv = tally::table::render(&rs, tally::table::Format::Csv, &Default::default());
    assert!(!csv.contains("partial"), "{csv}");
    let table = tally::table::render(&rs, tally::table::Format::Table, &Default::default());
    assert!(table.contains(P), "{table}");
}
