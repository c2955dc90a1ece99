//! `vs previous` on both backends, against SQL written here by hand for each period: the range
//! cut at the clock (2026-11-25 12:00 in the tests), the same stretch of the period before
//! (whole months back for `this month`), groups of either period listed, and the declining
//! first when sorted by a change ascending.

mod common;

use common::{BACKENDS, TestDb};
use std::collections::BTreeMap;
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

/// (calls, seconds) per plan in [from, to), by hand.
fn per_plan(store: &Store, from: &str, to: &str) -> BTreeMap<String, (f64, f64)> {
    let sql = "SELECT p.name, COUNT(*), SUM(t.duration_s) FROM calls t \
               JOIN customers c ON c.id = t.customer_id JOIN plans p ON p.id = c.plan_id \
               WHERE t.start_time >= ? AND t.start_time < ? GROUP BY p.name";
    let rows = store
        .read(|c| Ok(c.query(sql, &[Value::from(from), Value::from(to)])?))
        .unwrap()
        .rows;
    rows.iter()
        .map(|r| {
            (
                r[0].to_string(),
                (r[1].as_f64().unwrap(), r[2].as_f64().unwrap()),
            )
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

fn check_per_plan(store: &Store, query: &str, now: (&str, &str), then: (&str, &str)) {
    let rs = ask(store, query);
    let names: Vec<&str> = rs.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "plan",
            "count",
            "count_prev",
            "count_change",
            "minutes",
            "minutes_prev",
            "minutes_change",
            ""
        ]
    );
    let (a, b) = (
        per_plan(store, now.0, now.1),
        per_plan(store, then.0, then.1),
    );
    assert_eq!(rs.rows.len(), a.len(), "{query}");
    for row in &rs.rows {
        let plan = row[0].to_string();
        let ((n, s), (pn, ps)) = (a[&plan], b[&plan]);
        // The last column is a sparkline, for people.
        let got: Vec<f64> = row[1..7].iter().map(|v| v.as_f64().unwrap()).collect();
        let want = [n, pn, (n - pn) / pn, s / 60.0, ps / 60.0, (s - ps) / ps];
        for (g, w) in got.iter().zip(want) {
            assert!(close(*g, w), "{query}: {plan}: {got:?} vs {want:?}");
        }
    }
}

#[test]
fn each_period_equals_hand_written_sql() {
    for backend in BACKENDS {
        let (_db, store): (TestDb, Store) = common::demo_store(backend, 40, 70, 8);
        // Day ranges: the same length on the clock before, both cut at 12:00 today.
        check_per_plan(
            &store,
            "calls per plan last 7 days vs previous",
            ("2026-11-19 00:00:00", "2026-11-25 12:00:00"),
            ("2026-11-12 00:00:00", "2026-11-18 12:00:00"),
        );
        // Month to date against the same days of last month.
        check_per_plan(
            &store,
            "calls per plan this month vs previous",
            ("2026-11-01 00:00:00", "2026-11-25 12:00:00"),
            ("2026-10-01 00:00:00", "2026-10-25 12:00:00"),
        );
        check_per_plan(
            &store,
            "calls per plan between 2026-11-10 and 2026-11-13 vs previous",
            ("2026-11-10 00:00:00", "2026-11-13 00:00:00"),
            ("2026-11-07 00:00:00", "2026-11-10 00:00:00"),
        );
    }
}

#[test]
fn customers_of_either_period_are_listed_and_the_steepest_fall_comes_first() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let store = db.open();
        // The data must reach back to the earlier period for changes to be computed.
        let calls = [
            ("early", "2026-11-01 00:30", 60),
            ("steady", "2026-11-05 10:00", 600),
            ("steady", "2026-11-20 10:00", 600),
            ("falling", "2026-11-05 10:00", 1200),
            ("falling", "2026-11-20 10:00", 300),
            ("gone", "2026-11-06 10:00", 900),
            ("new", "2026-11-21 10:00", 60),
        ];
        let batch: Vec<_> = calls
            .iter()
            .enumerate()
            .map(|(i, (who, at, s))| common::call(who, at, *s, &format!("k{i}")))
            .collect();
        store.insert_batch(&batch, true).unwrap();
        let rs = ask(
            &store,
            "calls per customer between 2026-11-15 and 2026-11-25 vs previous \
             show minutes sort minutes_change asc",
        );
        let rows: Vec<Vec<String>> = rs
            .rows
            .iter()
            .map(|r| r.iter().map(Value::to_string).collect())
            .collect();
        // The last column is a sparkline for people: previous, then now.
        assert_eq!(
            rows,
            [
                ["gone", "0", "15", "-1", "█▁"],
                ["falling", "5", "20", "-0.75", "█▃"],
                ["steady", "10", "10", "0", "██"],
                ["new", "1", "0", "NULL", "▁█"],
            ],
            "{backend:?}"
        );
        let top = ask(
            &store,
            "calls per customer between 2026-11-15 and 2026-11-25 vs previous show minutes top 1",
        );
        assert_eq!(top.rows.len(), 1);
        assert_eq!(
            top.rows[0][0].to_string(),
            "steady",
            "{backend:?}: most minutes now"
        );
    }
}

#[test]
fn vs_previous_mistakes_are_pointed_at() {
    let db = TestDb::new(common::Backend::Sqlite);
    let store = db.open();
    for (query, says) in [
        ("calls vs previous", "needs a range"),
        ("calls since 2026-11-01 vs previous", "both ends"),
        (
            "calls per day last 7 days vs previous",
            "`per day` has other values",
        ),
        ("summary last 7 days vs previous", "applies to `customers`"),
        (
            "calls per plan last 7 days vs previous sort mintes",
            "did you mean `minutes`",
        ),
        ("calls last 7 days vs", "the query ends too soon"),
        ("calls last 7 days vs previous vs previous", "given twice"),
        ("calls on 2026-12-20 vs previous", "has not begun"),
    ] {
        common::assert_refused(&store, query, says);
    }
}
