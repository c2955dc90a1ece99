//! Metrics in queries, on MariaDB and SQLite: values equal a hand computation over the raw
//! rows, a pushed-down metric and its Rhai twin give the same rows, a runaway metric stops.

mod common;

use chrono::{DateTime, Utc};
use common::{BACKENDS, TestDb};
use std::collections::BTreeMap;
use std::sync::Arc;
use tally::metric::Metrics;
use tally::model::Zone;
use tally::query::{Answer, QueryError, run_with};
use tally::rows::ResultSet;
use tally::store::{Store, Value};

fn now() -> DateTime<Utc> {
    common::test_now()
}

fn fixture(backend: common::Backend) -> (TestDb, Store) {
    common::demo_store(backend, 60, 40, 5)
}

/// The same estimate twice: plain arithmetic (pushed into SQL) and with a `let` (Rhai's).
fn metrics() -> Arc<Metrics> {
    let mut m = Metrics::new(None);
    m.define("rev_est", "minutes * 0.05 + sms * 0.02 + data_mb * 0.01")
        .unwrap();
    m.define(
        "rev_rhai",
        "{ let voice = minutes * 0.05; voice + sms * 0.02 + data_mb * 0.01 }",
    )
    .unwrap();
    m.define("margin", "revenue - minutes * 0.01").unwrap();
    m.define("margin_rhai", "{ let r = revenue; r - minutes * 0.01 }")
        .unwrap();
    // Loops only on real data: every input is 1 when a definition is tried.
    m.define("spin", "{ let n = 0; while calls > 1.0 { n += 1; } n }")
        .unwrap();
    Arc::new(m)
}

fn ask(store: &Store, metrics: &Arc<Metrics>, text: &str) -> ResultSet {
    match run_with(store, text, &Zone::utc(), now(), metrics) {
        Ok(Answer::Table(rs)) => rs,
        Ok(Answer::Explain(e)) => panic!("{text}: explained {e}"),
        Err(e) => panic!("{text}: {}", e.render(text)),
    }
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn column(rs: &ResultSet, name: &str) -> Vec<f64> {
    let i = rs.column_index(name).expect(name);
    rs.rows.iter().map(|r| num(&r[i])).collect()
}

fn keys(rs: &ResultSet) -> Vec<String> {
    rs.rows.iter().map(|r| r[0].to_string()).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// Each customer's estimate this month, straight from the raw tables.
fn estimate_from_raw(store: &Store) -> BTreeMap<String, f64> {
    let range = [
        Value::from("2026-11-01 00:00:00"),
        Value::from("2026-12-01 00:00:00"),
    ];
    let per = |sql: &str| -> BTreeMap<String, f64> {
        store
            .read(|c| Ok(c.query(sql, &range)?))
            .unwrap()
            .rows
            .iter()
            .map(|r| (r[0].to_string(), num(&r[1])))
            .collect()
    };
    let minutes = per(
        "SELECT c.subscriber_key, SUM(r.duration_s) FROM calls r JOIN customers c ON c.id = r.customer_id \
         WHERE r.start_time >= ? AND r.start_time < ? GROUP BY c.subscriber_key",
    );
    let sms = per(
        "SELECT c.subscriber_key, COUNT(*) FROM sms r JOIN customers c ON c.id = r.customer_id \
         WHERE r.sent_at >= ? AND r.sent_at < ? GROUP BY c.subscriber_key",
    );
    let bytes = per(
        "SELECT c.subscriber_key, SUM(r.bytes_up + r.bytes_down) FROM data_sessions r \
         JOIN customers c ON c.id = r.customer_id \
         WHERE r.start_time >= ? AND r.start_time < ? GROUP BY c.subscriber_key",
    );
    let mut out = BTreeMap::new();
    for key in minutes.keys().chain(sms.keys()).chain(bytes.keys()) {
        let get = |m: &BTreeMap<String, f64>| m.get(key).copied().unwrap_or(0.0);
        let value = get(&minutes) / 60.0 * 0.05 + get(&sms) * 0.02 + get(&bytes) / 1e6 * 0.01;
        out.insert(key.clone(), value);
    }
    out
}

#[test]
fn a_metric_in_top_and_show_equals_the_hand_computation() {
    for backend in BACKENDS {
        let (_db, store) = fixture(backend);
        let m = metrics();
        let rs = ask(
            &store,
            &m,
            "top 10 customers by rev_est this month show minutes, sms, data_mb",
        );
        let mut want: Vec<(String, f64)> = estimate_from_raw(&store).into_iter().collect();
        want.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        want.truncate(10);
        assert_eq!(
            keys(&rs),
            want.iter().map(|w| w.0.clone()).collect::<Vec<_>>(),
            "{backend:?}"
        );
        for (got, (_, w)) in column(&rs, "rev_est").iter().zip(&want) {
            assert!(close(*got, *w), "{backend:?}: {got} vs {w}");
        }
        // And from the row's own measures.
        let (minutes, sms, mb) = (
            column(&rs, "minutes"),
            column(&rs, "sms"),
            column(&rs, "data_mb"),
        );
        for (i, got) in column(&rs, "rev_est").iter().enumerate() {
            let by_hand = minutes[i] * 0.05 + sms[i] * 0.02 + mb[i] * 0.01;
            assert!(close(*got, by_hand), "{backend:?} row {i}");
        }
    }
}

#[test]
fn pushed_down_and_evaluated_metrics_give_the_same_rows() {
    for backend in BACKENDS {
        let (_db, store) = fixture(backend);
        let m = metrics();
        for (pushed, evaluated) in [("rev_est", "rev_rhai"), ("margin", "margin_rhai")] {
            for shape in [
                "top 10 customers by {} this month",
                "customers last 30 days show {} sort {} desc limit 15",
                "usage per plan, region show {}",
            ] {
                let a = ask(&store, &m, &shape.replace("{}", pushed));
                let b = ask(&store, &m, &shape.replace("{}", evaluated));
                assert_eq!(keys(&a), keys(&b), "{backend:?} {shape} {pushed}");
                assert!(!a.rows.is_empty());
                for (x, y) in column(&a, pushed).iter().zip(column(&b, evaluated)) {
                    assert!(close(*x, y), "{backend:?} {shape}: {x} vs {y}");
                }
            }
            if pushed == "margin" {
                // Revenue is priced by the plan in force each day (a customer may have two
                // rows) and carries the fees: a metric of it is evaluated by tally.
                continue;
            }
            let explain = match run_with(
                &store,
                &format!("explain top 10 customers by {pushed} show {evaluated}"),
                &Zone::utc(),
                now(),
                &m,
            ) {
                Ok(Answer::Explain(text)) => text,
                other => panic!("{other:?}"),
            };
            assert!(
                explain.contains(&format!("metric {pushed} = ")),
                "{explain}"
            );
            assert!(
                explain.contains("pushed down: the SQL computes it, and sorts and cuts by it"),
                "{explain}"
            );
            assert!(explain.contains("evaluated by Rhai"), "{explain}");
        }
    }
}

#[test]
fn metrics_work_in_trends_and_say_what_a_source_lacks() {
    for backend in BACKENDS {
        let (_db, store) = fixture(backend);
        let m = metrics();
        let rs = ask(&store, &m, "trend rev_est per day last 7 days");
        assert_eq!(rs.rows.len(), 7, "{backend:?}");
        let rhai = ask(&store, &m, "trend rev_rhai per day last 7 days");
        assert_eq!(keys(&rhai), keys(&rs), "{backend:?}: the same days");
        for (x, y) in column(&rs, "rev_est").iter().zip(column(&rhai, "rev_rhai")) {
            assert!(close(*x, y), "{backend:?}: {x} vs {y}");
        }
        let err = run_with(
            &store,
            "calls per day show rev_est",
            &Zone::utc(),
            now(),
            &m,
        )
        .unwrap_err()
        .render("calls per day show rev_est");
        assert!(
            err.contains("metric `rev_est` reads `sms`, which calls records do not have"),
            "{err}"
        );
        let err = run_with(&store, "customers show rev_ets", &Zone::utc(), now(), &m)
            .unwrap_err()
            .render("customers show rev_ets");
        assert!(err.contains("did you mean `rev_est`?"), "{err}");
    }
}

#[test]
fn a_runaway_metric_is_stopped_with_an_error_and_the_store_goes_on() {
    for backend in BACKENDS {
        let (_db, store) = fixture(backend);
        let m = metrics();
        let err =
            run_with(&store, "top 10 customers by spin", &Zone::utc(), now(), &m).unwrap_err();
        assert!(matches!(err, QueryError::Metric(_)), "{err:?}");
        let shown = err.to_string();
        assert!(
            shown.starts_with("metric `spin`, line 1, column"),
            "{shown}"
        );
        assert!(shown.contains("does it loop forever?"), "{shown}");
        let rs = ask(&store, &m, "summary");
        assert_eq!(rs.rows.len(), 1, "{backend:?}: the next query runs");
    }
}
