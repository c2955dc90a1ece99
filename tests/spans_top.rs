//! A top N read from a span (one row per customer) finds its Nth value by a second read of the
//! span instead of a window, and leaves out today's `customer_daily` rows when there are none.
//! Every answer equals a plain sort of the calls the test wrote: ties at the Nth place broken
//! by key, fewer customers than N, ascending order, and a call arriving today (after the span
//! was built) on days around the real clock.

mod common;

use chrono::{DateTime, Days, Utc};
use common::{BACKENDS, TestDb};
use tally::model::{CallInput, InputContext, Record, Zone};
use tally::store::Store;

/// An answered outgoing call of `who` at `at` lasting `seconds`, as an import checks it, at
/// the real now (spans are cut at the real today).
fn call(who: &str, at: DateTime<Utc>, seconds: u32, key: &str) -> Record {
    let ctx = InputContext {
        zone: Zone::utc(),
        now: Utc::now(),
    };
    CallInput {
        customer: who.into(),
        direction: "out".into(),
        other: "447700900999".into(),
        at: Some(at.format("%Y-%m-%d %H:%M:%S").to_string()),
        duration: Some(seconds.to_string()),
        status: Some("answered".into()),
        cell: None,
        source_key: Some(key.into()),
    }
    .validate(&ctx)
    .map(Record::Call)
    .expect("a valid call")
}

/// The customers' keys and seconds, sorted as a top N sorts them, cut to `n`.
fn by_hand(seconds: &[(String, u32)], n: usize, ascending: bool) -> Vec<(String, u32)> {
    let mut totals = std::collections::BTreeMap::<String, u32>::new();
    for (who, s) in seconds {
        *totals.entry(who.clone()).or_default() += s;
    }
    let mut all: Vec<(String, u32)> = totals.into_iter().collect();
    all.sort_by(|a, b| {
        let by_value = if ascending {
            a.1.cmp(&b.1)
        } else {
            b.1.cmp(&a.1)
        };
        by_value.then(a.0.cmp(&b.0))
    });
    all.truncate(n);
    all
}

fn answer(store: &Store, query: &str) -> Vec<(String, u32)> {
    common::table_rows(store, query, "UTC")
        .iter()
        .map(|r| {
            let minutes: f64 = r[1].replace(',', "").parse().expect("minutes");
            (r[0].clone(), (minutes * 60.0).round() as u32)
        })
        .collect()
}

/// Asks each question three times (range noted, span built, span read), each equal by hand.
fn check(store: &Store, calls: &[(String, u32)], range: &str, when: &str) {
    for (n, ascending) in [(10, false), (3, false), (50, false), (10, true)] {
        let query = if ascending {
            format!("calls per customer {range} show minutes sort minutes asc top {n}")
        } else {
            format!("top {n} customers by minutes {range}")
        };
        for run in 0..3 {
            assert_eq!(
                answer(store, &query),
                by_hand(calls, n, ascending),
                "{when}, run {run}: {query}"
            );
        }
    }
}

#[test]
fn a_top_n_from_a_span_equals_a_sort_by_hand_with_ties_and_a_call_today() {
    let today = Utc::now().date_naive();
    let day = |back: u64| {
        today
            .checked_sub_days(Days::new(back))
            .expect("a day")
            .and_hms_opt(10, 0, 0)
            .expect("a time")
            .and_utc()
    };
    let range = format!(
        "between {} and {}",
        today.checked_sub_days(Days::new(20)).expect("a day"),
        today.checked_add_days(Days::new(2)).expect("a day")
    );
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let store = db.open();
        // Five customers tie at 300 s across places 8 to 12; keys inserted out of order.
        let mut calls: Vec<(String, u32)> = [
            ("c12", 300),
            ("c01", 1000),
            ("c09", 300),
            ("c03", 800),
            ("c10", 300),
            ("c02", 900),
            ("c08", 300),
            ("c04", 700),
            ("c11", 300),
            ("c05", 600),
            ("c06", 500),
            ("c07", 400),
            ("c13", 60),
        ]
        .iter()
        .map(|(w, s)| (w.to_string(), *s))
        .collect();
        let batch: Vec<Record> = calls
            .iter()
            .enumerate()
            .map(|(i, (w, s))| call(w, day(10 - (i as u64 % 5)), *s, &format!("k{i}")))
            .collect();
        store.insert_batch(&batch, true).expect("stored");
        check(&store, &calls, &range, &format!("{backend:?} before today"));
        assert!(
            common::explain(&store, &format!("top 10 customers by minutes {range}"))
                .contains("customer_spans"),
            "{backend:?}: the span answers"
        );

        // A call today: read from customer_daily beside the span, not left out.
        let now = Utc::now() - chrono::TimeDelta::seconds(5);
        let late = call("c12", now, 2000, "today");
        store.insert_batch(&[late], true).expect("stored");
        calls.push(("c12".into(), 2000));
        check(
            &store,
            &calls,
            &range,
            &format!("{backend:?} with a call today"),
        );
    }
}
