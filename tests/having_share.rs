//! `having` (groups kept by their measures) and `share(M)` (a group's M as a per cent of every
//! group's), on both backends, against SQL written here by hand over the raw tables: `HAVING`
//! for the one, the group's sum over a scalar subquery's total for the other.

mod common;

use common::{BACKENDS, TestDb};
use tally::model::Zone;
use tally::query::{Answer, run};
use tally::store::{Store, Value};

const RANGE: &str = "between 2026-11-03 and '2026-11-21 15:30'";
const FROM: &str = "2026-11-03 00:00:00";
const TO: &str = "2026-11-21 15:30:00";

/// Rows as (key, numbers), in the order given.
type Rows = Vec<(String, Vec<f64>)>;

fn rows_of(values: &[Vec<Value>]) -> Rows {
    values
        .iter()
        .map(|r| {
            let numbers = r[1..]
                .iter()
                .map(|v| v.as_f64().unwrap_or(f64::NAN))
                .collect();
            (r[0].to_string(), numbers)
        })
        .collect()
}

fn by_tally(store: &Store, query: &str) -> Rows {
    match run(store, query, &Zone::utc(), common::test_now()) {
        Ok(Answer::Table(rs)) => rows_of(&rs.rows),
        other => panic!("{query}: {other:?}"),
    }
}

/// `sql` with `?`s bound to the range's ends, as many times as it asks.
fn by_hand(store: &Store, sql: &str) -> Rows {
    let params: Vec<Value> = (0..sql.matches('?').count())
        .map(|i| Value::from(if i % 2 == 0 { FROM } else { TO }))
        .collect();
    let rows = store
        .read(|c| Ok(c.query(sql, &params)?))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .rows;
    rows_of(&rows)
}

fn assert_same(got: &Rows, want: &Rows, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}\n got {got:?}\nwant {want:?}");
    for (g, w) in got.iter().zip(want) {
        assert_eq!(g.0, w.0, "{what}\n got {got:?}\nwant {want:?}");
        for (x, y) in g.1.iter().zip(&w.1) {
            assert!(
                (x - y).abs() <= 1e-6 * y.abs().max(1.0),
                "{what}: {} has {x}, by hand {y}",
                g.0
            );
        }
    }
}

/// Calls in the range, with their customer's key, plan and region.
const CALLS: &str = "calls r JOIN customers c ON c.id = r.customer_id \
                     LEFT JOIN plans p ON p.id = c.plan_id \
                     WHERE r.start_time >= ? AND r.start_time < ?";

fn cases() -> Vec<(String, String)> {
    let per_customer = |having: &str| {
        format!(
            "SELECT c.subscriber_key, COUNT(*), SUM(r.duration_s) / 6e1 FROM {CALLS} \
             GROUP BY c.subscriber_key HAVING {having} ORDER BY c.subscriber_key"
        )
    };
    vec![
        (
            format!("calls per customer {RANGE} having minutes > 60"),
            per_customer("SUM(r.duration_s) > 3600"),
        ),
        (
            format!(
                "calls per customer {RANGE} having avg(duration) >= 2m and count >= 20 \
                 or not count >= 3 show count, minutes"
            ),
            per_customer("(AVG(r.duration_s) >= 120 AND COUNT(*) >= 20) OR NOT COUNT(*) >= 3"),
        ),
        (
            format!("data per customer {RANGE} having data_mb > 500MB show count, data_mb"),
            "SELECT c.subscriber_key, COUNT(*), SUM(r.bytes_up + r.bytes_down) / 1e6 \
                 FROM data_sessions r JOIN customers c ON c.id = r.customer_id \
                 WHERE r.start_time >= ? AND r.start_time < ? GROUP BY c.subscriber_key \
                 HAVING SUM(r.bytes_up + r.bytes_down) > 500000000 ORDER BY c.subscriber_key"
                .into(),
        ),
        (
            format!("calls per customer {RANGE} having count > 100000"),
            per_customer("COUNT(*) > 100000"),
        ),
        (
            format!("calls per status {RANGE} show count, share(count)"),
            format!(
                "SELECT r.status, COUNT(*), COUNT(*) * 1e2 / (SELECT COUNT(*) FROM calls \
                 WHERE start_time >= ? AND start_time < ?) FROM {CALLS} \
                 GROUP BY r.status ORDER BY r.status"
            ),
        ),
        (
            format!("calls per region {RANGE} show minutes, share(minutes)"),
            format!(
                "SELECT c.region, SUM(r.duration_s) / 6e1, SUM(r.duration_s) * 1e2 / \
                 (SELECT SUM(duration_s) FROM calls WHERE start_time >= ? AND start_time < ?) \
                 FROM {CALLS} GROUP BY c.region ORDER BY c.region"
            ),
        ),
        (
            // The shares of the five are of every customer's minutes, not of the five's.
            format!("calls per customer {RANGE} show share(minutes) sort minutes top 5"),
            format!(
                "SELECT c.subscriber_key, SUM(r.duration_s) * 1e2 / (SELECT SUM(duration_s) \
                 FROM calls WHERE start_time >= ? AND start_time < ?), SUM(r.duration_s) / 6e1 \
                 FROM {CALLS} GROUP BY c.subscriber_key \
                 ORDER BY SUM(r.duration_s) DESC, c.subscriber_key LIMIT 5"
            ),
        ),
        (
            format!("calls per plan {RANGE} having share(count) > 20 show count, share(count)"),
            format!(
                "SELECT p.name, COUNT(*), COUNT(*) * 1e2 / (SELECT COUNT(*) FROM calls \
                 WHERE start_time >= ? AND start_time < ?) FROM {CALLS} GROUP BY p.name \
                 HAVING COUNT(*) * 1e2 / (SELECT COUNT(*) FROM calls WHERE start_time >= ? \
                 AND start_time < ?) > 20 ORDER BY p.name"
            ),
        ),
        (
            format!("top 4 customers by minutes {RANGE} having sms > 12 show sms"),
            "SELECT c.subscriber_key, \
                 (SELECT COALESCE(SUM(duration_s), 0) / 6e1 FROM calls WHERE customer_id = c.id \
                  AND start_time >= ? AND start_time < ?) AS m, \
                 (SELECT COUNT(*) FROM sms WHERE customer_id = c.id AND sent_at >= ? \
                  AND sent_at < ?) AS s \
                 FROM customers c WHERE (SELECT COUNT(*) FROM sms WHERE customer_id = c.id \
                  AND sent_at >= ? AND sent_at < ?) > 12 \
                 ORDER BY m DESC, c.subscriber_key LIMIT 4"
                .into(),
        ),
    ]
}

#[test]
fn having_and_share_equal_hand_written_sql() {
    for backend in BACKENDS {
        let (_db, store): (TestDb, Store) = common::demo_store(backend, 80, 30, 9);
        let mut nonempty = 0;
        for (query, sql) in cases() {
            let got = by_tally(&store, &query);
            let want = by_hand(&store, &sql);
            assert_same(&got, &want, &format!("{backend:?}: {query}"));
            nonempty += usize::from(!want.is_empty());
        }
        assert!(
            nonempty >= 8,
            "{backend:?}: most cases must select something"
        );
    }
}

#[test]
fn shares_of_an_answer_add_up_to_a_hundred() {
    let (_db, store) = common::demo_store(common::Backend::Sqlite, 30, 10, 2);
    for query in [
        "usage per plan show share(revenue)",
        "data per day show share(data_mb)",
        "sms per direction show share(count)",
        "usage per day show share(revenue)",
    ] {
        let total: f64 = by_tally(&store, query).iter().map(|(_, v)| v[0]).sum();
        assert!((total - 100.0).abs() < 1e-9, "{query}: {total}");
    }
}

#[test]
fn having_and_share_mistakes_are_pointed_at() {
    let (_db, store) = common::demo_store(common::Backend::Sqlite, 5, 3, 1);
    for (query, says) in [
        ("calls per day having minutes > 10m", "`10m` is a duration"),
        ("data per day having data_mb > 5m", "`5m` is a duration"),
        (
            "calls per day having avg(duration) > 5MB",
            "`5MB` is a size",
        ),
        (
            "calls per day having count > busy",
            "`busy` is not a number",
        ),
        (
            "calls per day having duration > 60",
            "compare each record's with `where",
        ),
        (
            "calls where minutes > 60",
            "keep groups by it with `having minutes",
        ),
        (
            "summary having calls > 3",
            "`having` does not apply to summary",
        ),
        ("calls per day show share(customers)", "adds up over groups"),
        ("calls per day show share(avg)", "adds up over groups"),
        (
            "calls per day having count > 1 having count < 5",
            "`having` is given twice",
        ),
        ("calls per day having", "the query ends too soon"),
    ] {
        common::assert_refused(&store, query, says);
    }
}
