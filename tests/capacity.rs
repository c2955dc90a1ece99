//! `capacity calls`: each hour's Erlangs and calls averaged over the days of the range, and the
//! circuits Erlang B needs, on both backends, against hand-written SQL and Erlang B computed
//! here from its closed form (E^N/N! over the sum of E^k/k!), not from tally's recursion.

mod common;

use common::{BACKENDS, assert_refused};
use tally::model::Zone;
use tally::query::{Answer, run};
use tally::rows::ResultSet;
use tally::store::{Store, Value};

/// Three whole weeks of UTC days.
const RANGE: &str = "between 2026-11-02 and 2026-11-23";
const DAYS: f64 = 21.0;

fn answer(store: &Store, query: &str) -> ResultSet {
    match run(store, query, &Zone::utc(), common::test_now()) {
        Ok(Answer::Table(rs)) => rs,
        other => panic!("{query}: {other:?}"),
    }
}

/// Erlang B from its closed form, in logarithms so large N does not overflow.
fn blocking(erlangs: f64, n: u32) -> f64 {
    let log_term =
        |k: u32| f64::from(k) * erlangs.ln() - (1..=k).map(|i| f64::from(i).ln()).sum::<f64>();
    let top = log_term(n);
    let sum: f64 = (0..=n).map(|k| (log_term(k) - top).exp()).sum();
    1.0 / sum
}

fn circuits(erlangs: f64, grade: f64) -> i64 {
    if erlangs == 0.0 {
        return 0;
    }
    (1..)
        .find(|n| blocking(erlangs, *n) <= grade)
        .expect("some N") as i64
}

/// Per UTC hour of the day: (call seconds, calls) in the range, by hand.
fn by_hand(store: &Store) -> Vec<(f64, f64)> {
    let hour = match store.dialect().name() {
        "mysql" => "HOUR(start_time)",
        _ => "CAST(substr(start_time, 12, 2) AS INTEGER)",
    };
    let sql = format!(
        "SELECT {hour}, SUM(duration_s), COUNT(*) FROM calls \
         WHERE start_time >= '2026-11-02' AND start_time < '2026-11-23' GROUP BY {hour}"
    );
    let mut hours = vec![(0.0, 0.0); 24];
    for row in store
        .read(|c| Ok(c.query(&sql, &[])?))
        .expect("by hand")
        .rows
    {
        let h = row[0].as_i64().expect("an hour") as usize;
        hours[h] = (
            row[1].as_f64().unwrap_or(0.0),
            row[2].as_f64().unwrap_or(0.0),
        );
    }
    hours
}

#[test]
fn capacity_equals_the_busy_hour_by_hand_and_erlang_b_by_its_closed_form() {
    for backend in BACKENDS {
        // Enough customers that the busy hour carries several Erlangs.
        let (_db, store) = common::demo_store(backend, 400, 30, 5);
        let hand = by_hand(&store);
        for (grade_text, grade) in [("", 0.01), (" grade 0.5%", 0.005), (" grade 0.05", 0.05)] {
            let rs = answer(&store, &format!("capacity calls {RANGE}{grade_text}"));
            assert_eq!(rs.rows.len(), 24, "{backend:?}");
            let names: Vec<&str> = rs.columns.iter().map(|c| c.name.as_str()).collect();
            assert_eq!(names[..4], ["hour", "erlangs", "bhca", "circuits"]);
            let mut busiest = (0, 0.0);
            for (h, row) in rs.rows.iter().enumerate() {
                let (seconds, calls) = hand[h];
                let erlangs = seconds / (DAYS * 3600.0);
                assert_eq!(row[0], Value::Int(h as i64));
                let got = row[1].as_f64().expect("erlangs");
                assert!(
                    (got - erlangs).abs() < 1e-9,
                    "{backend:?} {h}: {got} vs {erlangs}"
                );
                let per_day = row[2].as_f64().expect("bhca");
                assert!((per_day - calls / DAYS).abs() < 1e-9, "{backend:?} {h}");
                assert_eq!(
                    row[3],
                    Value::Int(circuits(erlangs, grade)),
                    "{backend:?} {h}"
                );
                if erlangs > busiest.1 {
                    busiest = (h, erlangs);
                }
            }
            assert!(
                busiest.1 > 2.0,
                "{backend:?}: the demo's busy hour is busy: {busiest:?}"
            );
            let marked: Vec<usize> = rs
                .rows
                .iter()
                .enumerate()
                .filter(|(_, r)| r.last() == Some(&Value::from("◀ busy hour")))
                .map(|(h, _)| h)
                .collect();
            assert_eq!(marked, [busiest.0], "{backend:?}");
            let title = rs.title.clone().unwrap_or_default();
            assert!(
                title.contains(&format!("busy hour {:02}:00", busiest.0))
                    && title.contains("time-consistent busy hour"),
                "{title}"
            );
        }
    }
}

#[test]
fn capacity_mistakes_are_pointed_at() {
    let (_db, store) = common::demo_store(common::Backend::Sqlite, 5, 3, 1);
    for (query, says) in [
        ("capacity sms last 7 days", "expected calls"),
        (
            "calls last 7 days grade 1%",
            "`grade` applies to `capacity` only",
        ),
        ("capacity calls grade 0", "above 0 and below 100%"),
        ("capacity calls grade 100%", "above 0 and below 100%"),
        ("capacity calls grade 1% grade 2%", "`grade` is given twice"),
        ("capacity calls grade busy", "expected a grade of service"),
        ("capacity calls per day", "`per` does not apply to capacity"),
        ("capacity calls where weekday <= 5", "which `where hour`"),
        (
            "calls where hour >= 9 show erlangs",
            "group by them instead",
        ),
    ] {
        assert_refused(&store, query, says);
    }
}

#[test]
fn capacity_of_nothing_has_no_busy_hour_and_needs_no_circuit() {
    let (_db, store) = common::demo_store(common::Backend::Sqlite, 5, 3, 1);
    let rs = answer(&store, "capacity calls on 2020-01-01");
    assert_eq!(rs.rows.len(), 24);
    assert!(
        rs.rows.iter().all(|r| r[3] == Value::Int(0)),
        "{:?}",
        rs.rows
    );
    assert!(rs.title.unwrap_or_default().contains("no busy hour"));
}

#[test]
fn a_table_on_a_pipe_has_no_bars_or_markers() {
    let (db, _store) = common::demo_store(common::Backend::Sqlite, 20, 10, 1);
    let url = db.url.clone();
    for line in [
        "capacity calls last 7 days",
        "peak hours calls",
        "trend calls per day last 5 days",
    ] {
        let out = common::tally(&["--db", &url, "-e", line]);
        let text = common::stdout(&out);
        assert!(out.status.success(), "{line}: {}", common::stderr(&out));
        assert!(text.contains("calls"), "{line}: {text}");
        assert!(
            !text.contains('█') && !text.contains('◀') && !text.contains('▁'),
            "{line}: a pipe gets no decoration:\n{text}"
        );
    }
}
