//! `idle customers [SOURCE]` on both backends against SQL written here by hand (a LEFT JOIN of
//! customers to their records, grouped, where none falls in the range): the same customers,
//! including those who never had a record, the same last record before the range, the same
//! days idle.

mod common;

use chrono::NaiveDateTime;
use common::{BACKENDS, TestDb};
use std::collections::BTreeMap;
use tally::model::{NewCustomer, SubscriberKey};
use tally::store::{Store, Value};

const FROM: &str = "2026-11-18 00:00:00";
const TO: &str = "2026-11-25 00:00:00";

/// The records of `source` as (customer_id, time), as SQL.
fn records(source: &str) -> &'static str {
    match source {
        "calls" => "SELECT customer_id, start_time AS t FROM calls",
        "sms" => "SELECT customer_id, sent_at AS t FROM sms",
        "data" => "SELECT customer_id, start_time AS t FROM data_sessions",
        _ => {
            "SELECT customer_id, start_time AS t FROM calls UNION ALL \
              SELECT customer_id, sent_at FROM sms UNION ALL \
              SELECT customer_id, start_time FROM data_sessions"
        }
    }
}

/// Idle customers by hand: key → last record before the range (None: never).
fn by_hand(store: &Store, source: &str) -> BTreeMap<String, Option<String>> {
    let sql = format!(
        "SELECT c.subscriber_key, MAX(CASE WHEN r.t < ? THEN r.t END) \
         FROM customers c LEFT JOIN ({}) r ON r.customer_id = c.id \
         GROUP BY c.subscriber_key \
         HAVING SUM(CASE WHEN r.t >= ? AND r.t < ? THEN 1 ELSE 0 END) = 0",
        records(source)
    );
    let params = [Value::from(FROM), Value::from(FROM), Value::from(TO)];
    let rows = store.read(|c| Ok(c.query(&sql, &params)?)).unwrap().rows;
    rows.iter()
        .map(|r| {
            let last = (!r[1].is_null()).then(|| r[1].to_string()[..19].to_string());
            (r[0].to_string(), last)
        })
        .collect()
}

fn days_between(last: &str, until: &str) -> i64 {
    let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
    (at(until) - at(last)).num_days()
}

#[test]
fn idle_customers_equal_a_hand_written_anti_join() {
    for backend in BACKENDS {
        let (_db, store): (TestDb, Store) = common::demo_store(backend, 60, 40, 12);
        // One customer who never had a record, one whose only call is long before the range.
        let key = SubscriberKey::parse("customer", "449999000001").unwrap();
        let never = NewCustomer {
            region: Some("North".into()),
            ..NewCustomer::bare(key)
        };
        store.add_customer(&never).unwrap();
        let old = common::call("449999000002", "2026-10-20 09:30", 60, "old-1");
        store.insert_batch(&[old], true).unwrap();
        let mut checked = 0;
        for source in ["calls", "sms", "data", "usage"] {
            let query = format!("idle customers {source} between 2026-11-18 and 2026-11-25");
            let rows = common::table_rows(&store, &query, "UTC");
            let want = by_hand(&store, source);
            let got: BTreeMap<String, Option<String>> = rows
                .iter()
                .map(|r| (r[0].clone(), (r[4] != "never").then(|| r[4].clone())))
                .collect();
            assert_eq!(got, want, "{backend:?}: {query}");
            assert!(want.contains_key("449999000001") && want.contains_key("449999000002"));
            for r in &rows {
                let days = match &want[&r[0]] {
                    Some(last) => days_between(last, TO).to_string(),
                    None => Value::Null.to_string(),
                };
                assert_eq!(r[5], days, "{backend:?}: {query}: {}", r[0]);
            }
            // Never active first, then the longest idle.
            assert_eq!(rows[0][4], "never", "{backend:?}: {query}");
            let seen: Vec<&String> = rows
                .iter()
                .map(|r| &r[4])
                .filter(|s| *s != "never")
                .collect();
            assert!(
                seen.windows(2).all(|w| w[0] <= w[1]),
                "{backend:?}: {query}"
            );
            checked += rows.len();
        }
        assert!(
            checked > 4,
            "{backend:?}: demo customers idle for some source"
        );
        let basic = common::table_rows(
            &store,
            "idle customers calls between 2026-11-18 and 2026-11-25 where region = North limit 1",
            "UTC",
        );
        assert_eq!(basic.len(), 1);
        assert_eq!(basic[0][0], "449999000001", "{backend:?}");
    }
}

#[test]
fn idle_mistakes_are_pointed_at() {
    let db = TestDb::new(common::Backend::Sqlite);
    let store = db.open();
    for (query, says) in [
        ("idle customers", "needs a range with a start"),
        (
            "idle customers until 2026-11-01",
            "needs a range with a start",
        ),
        (
            "idle customers last 7 days where hour > 3",
            "`where` takes customer, plan",
        ),
        (
            "idle customers last 7 days per plan",
            "does not apply to idle customers",
        ),
        ("idle calls last 7 days", "expected customers"),
    ] {
        common::assert_refused(&store, query, says);
    }
}
