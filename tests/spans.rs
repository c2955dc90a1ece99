//! Spans (per-customer totals kept over ranges of days) never answer from a stale state: every
//! answer equals hand-written SQL over the raw tables, the first time (span built), the second
//! (span read), and after a record is added, corrected or deleted on one of the span's days.

mod common;

use common::{BACKENDS, TestDb};
use std::collections::BTreeMap;
use tally::model::{InputContext, RecordKind, Zone};
use tally::store::{RecordChanges, Store, Value};

const TOP: &str = "top 5 customers by minutes between 2026-11-02 and 2026-11-20";
const PER_PLAN: &str = "usage per plan between 2026-11-02 and 2026-11-20 show count, customers";

fn ask(store: &Store, query: &str) -> Vec<Vec<String>> {
    common::table_rows(store, query, "UTC")
}

/// Seconds per customer key from the raw calls, the top 5 by seconds then key.
fn top_by_hand(store: &Store) -> Vec<(String, i64)> {
    let rows = store
        .read(|c| {
            Ok(c.query(
                "SELECT c.subscriber_key, SUM(r.duration_s) FROM calls r JOIN customers c ON c.id = r.customer_id \
                 WHERE r.start_time >= '2026-11-02 00:00:00' AND r.start_time < '2026-11-20 00:00:00' \
                 GROUP BY c.subscriber_key",
                &[],
            )?)
        })
        .unwrap();
    let mut all: Vec<(String, i64)> = rows
        .rows
        .iter()
        .map(|r| (r[0].to_string(), r[1].as_i64().unwrap()))
        .collect();
    all.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    all.truncate(5);
    all
}

/// (records, distinct customers) per plan name from the raw tables.
fn per_plan_by_hand(store: &Store) -> BTreeMap<String, (i64, i64)> {
    let sql = "SELECT p.name, COUNT(*), COUNT(DISTINCT r.customer_id) FROM ( \
         SELECT customer_id, start_time AS t FROM calls UNION ALL \
         SELECT customer_id, sent_at FROM sms UNION ALL \
         SELECT customer_id, start_time FROM data_sessions) r \
         JOIN customers c ON c.id = r.customer_id LEFT JOIN plans p ON p.id = c.plan_id \
         WHERE r.t >= '2026-11-02 00:00:00' AND r.t < '2026-11-20 00:00:00' GROUP BY p.name";
    store
        .read(|c| Ok(c.query(sql, &[])?))
        .unwrap()
        .rows
        .iter()
        .map(|r| {
            (
                r[0].to_string(),
                (r[1].as_i64().unwrap(), r[2].as_i64().unwrap()),
            )
        })
        .collect()
}

fn check(store: &Store, when: &str) {
    let top: Vec<(String, i64)> = ask(store, TOP)
        .iter()
        .map(|r| {
            let minutes: f64 = r[1].parse().unwrap();
            (r[0].clone(), (minutes * 60.0).round() as i64)
        })
        .collect();
    assert_eq!(top, top_by_hand(store), "{when}: {TOP}");
    let per_plan: BTreeMap<String, (i64, i64)> = ask(store, PER_PLAN)
        .iter()
        .map(|r| (r[0].clone(), (r[1].parse().unwrap(), r[2].parse().unwrap())))
        .collect();
    assert_eq!(per_plan, per_plan_by_hand(store), "{when}: {PER_PLAN}");
}

fn call_id(store: &Store, nth: i64) -> i64 {
    store
        .read(|c| {
            Ok(c.query(
                "SELECT id FROM calls WHERE start_time >= '2026-11-10 00:00:00' ORDER BY id LIMIT 1 OFFSET ?",
                &[nth.into()],
            )?)
        })
        .unwrap()
        .scalar()
        .and_then(Value::as_i64)
        .unwrap()
}

#[test]
fn spans_answer_like_the_raw_rows_before_and_after_every_kind_of_change() {
    for backend in BACKENDS {
        let (_db, store): (TestDb, Store) = common::demo_store(backend, 40, 30, 3);
        assert!(
            common::explain(&store, TOP).contains("asked a second time, it builds"),
            "{backend:?}: no span yet"
        );
        let first = ask(&store, TOP);
        assert!(
            !common::explain(&store, TOP).contains("customer_spans"),
            "{backend:?}: days asked about once get no span"
        );
        check(
            &store,
            "second run (span built), then another question on the same days",
        );
        assert_eq!(
            ask(&store, TOP),
            first,
            "{backend:?}: the span's answer is the same"
        );
        assert!(
            common::explain(&store, TOP).contains("customer_spans"),
            "{backend:?}: the second run reads the span: {}",
            common::explain(&store, TOP)
        );
        check(&store, "second run, span read");

        let ctx = InputContext {
            zone: Zone::utc(),
            now: common::test_now(),
        };
        // A long call corrected onto a day inside the span, moved to another customer.
        let longer = RecordChanges {
            duration: Some("5h".into()),
            at: Some("2026-11-12 10:00".into()),
            ..Default::default()
        };
        store
            .update_record(RecordKind::Call, call_id(&store, 3), &longer, &ctx)
            .unwrap();
        check(&store, "after a correction");
        store
            .delete_record(RecordKind::Call, call_id(&store, 5))
            .unwrap();
        check(&store, "after a deletion");
        // A record inside the span's days changed its day's version: a span built before no
        // longer counts as current until it is rebuilt.
        let stale = store
            .read(|c| {
                Ok(c.query(
                    "SELECT COUNT(*) FROM spans s WHERE s.stamp <> \
                     (SELECT COALESCE(SUM(version), 0) FROM day_versions v WHERE v.day >= s.first_day AND v.day < s.end_day)",
                    &[],
                )?)
            })
            .unwrap()
            .scalar()
            .and_then(Value::as_i64)
            .unwrap();
        assert_eq!(
            stale, 0,
            "{backend:?}: every kept span was rebuilt when asked"
        );
    }
}

#[test]
fn a_version_bump_makes_a_span_stale_and_the_next_answer_rebuilds_it() {
    for backend in BACKENDS {
        let (_db, store): (TestDb, Store) = common::demo_store(backend, 20, 30, 4);
        check(&store, "asked once");
        // Per plan is never read from a span (a customer's plan may change inside its days):
        // the top 5 asks for the span a second time here, which builds it.
        check(&store, "asked again, the span built");
        let days = tally::store::DayRange {
            first: "2026-11-02".into(),
            end: "2026-11-20".into(),
        };
        let id = store
            .read(|c| tally::store::current_span(c, &days))
            .unwrap()
            .expect("a current span");
        // A write the span did not see (as a concurrent import would make).
        store
            .read(|c| {
                Ok(c.execute(
                    "UPDATE day_versions SET version = version + 1 WHERE day = '2026-11-15'",
                    &[],
                )?)
            })
            .unwrap();
        assert_eq!(
            store
                .read(|c| tally::store::current_span(c, &days))
                .unwrap(),
            None,
            "{backend:?}: span {id} is stale"
        );
        check(&store, "after the bump");
        assert!(
            store
                .read(|c| tally::store::current_span(c, &days))
                .unwrap()
                .is_some(),
            "{backend:?}: rebuilt"
        );
    }
}

#[test]
fn processes_building_the_same_span_at_once_all_answer_exactly() {
    for backend in BACKENDS {
        let (db, store): (TestDb, Store) = common::demo_store(backend, 30, 30, 6);
        let want = top_by_hand(&store);
        ask(&store, TOP);
        let start = std::sync::Arc::new(std::sync::Barrier::new(4));
        let workers: Vec<_> = (0..4)
            .map(|_| {
                let store = db.open();
                let start = start.clone();
                std::thread::spawn(move || {
                    start.wait();
                    ask(&store, TOP)
                })
            })
            .collect();
        for worker in workers {
            let got: Vec<(String, i64)> = worker
                .join()
                .expect("a worker")
                .iter()
                .map(|r| {
                    let minutes: f64 = r[1].parse().unwrap();
                    (r[0].clone(), (minutes * 60.0).round() as i64)
                })
                .collect();
            assert_eq!(got, want, "{backend:?}");
        }
        let spans = store
            .read(|c| Ok(c.query("SELECT COUNT(*) FROM spans", &[])?))
            .unwrap()
            .scalar()
            .and_then(Value::as_i64)
            .unwrap();
        assert_eq!(spans, 1, "{backend:?}: one span for one range");
    }
}
