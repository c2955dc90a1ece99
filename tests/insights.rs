//! The insights on both backends: four customers with known patterns are planted into ordinary
//! demo traffic (`tally demo --anomalies`); each planted case must be found, the baseline it is
//! judged against must equal one computed here from the raw calls, and the ordinary customers
//! flagged beside them must stay under the stated bounds.

mod common;

use common::{BACKENDS, TestDb};
use tally::model::Zone;
use tally::query::{Answer, run};
use tally::store::{Store, Value};

const SPIKE: &str = "447799000001";
const SIMBOX: &str = "447799000002";
const INTERNATIONAL: &str = "447799000003";
const DECLINING: &str = "447799000004";

/// Demo traffic up to 2026-11-25 (the planted patterns on its last three days, 23-25
/// November), with the planted customers.
fn planted(backend: common::Backend) -> (TestDb, Store) {
    let (db, store) = common::demo_store(backend, 150, 60, 7);
    let spec = tally::demo::DemoSpec {
        customers: 150,
        days: 60,
        seed: 7,
        end: chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("a date"),
    };
    tally::demo::load_planted(&store, &spec).expect("planted");
    (db, store)
}

/// After the last planted day is over.
fn morning_after() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-11-26T06:00:00Z")
        .expect("a time")
        .with_timezone(&chrono::Utc)
}

fn rows(store: &Store, query: &str) -> Vec<Vec<Value>> {
    match run(store, query, &Zone::utc(), morning_after()) {
        Ok(Answer::Table(rs)) => rs.rows,
        other => panic!("{query}: {other:?}"),
    }
}

fn is_planted(key: &Value) -> bool {
    key.to_string().starts_with("4477990000")
}

/// The customer's calls on each of the 28 days before `day`, from the raw table, as counts.
fn baseline_by_hand(store: &Store, key: &str, day: chrono::NaiveDate) -> f64 {
    let mut counts = Vec::new();
    for back in 1..=28 {
        let d = day - chrono::TimeDelta::days(back);
        let n = calls_between(
            store,
            key,
            &d.to_string(),
            &(d + chrono::TimeDelta::days(1)).to_string(),
        );
        counts.push(n);
    }
    counts.sort_by(f64::total_cmp);
    (counts[13] + counts[14]) / 2.0
}

/// The customer's calls from `from` to `to` (UTC days, half-open), from the raw table.
fn calls_between(store: &Store, key: &str, from: &str, to: &str) -> f64 {
    store
        .read(|c| {
            Ok(c.query(
                "SELECT COUNT(*) FROM calls r JOIN customers c ON c.id = r.customer_id \
                 WHERE c.subscriber_key = ? AND r.start_time >= ? AND r.start_time < ?",
                &[
                    key.into(),
                    format!("{from} 00:00:00").into(),
                    format!("{to} 00:00:00").into(),
                ],
            )?)
        })
        .expect("counted")
        .scalar()
        .and_then(Value::as_f64)
        .unwrap_or(0.0)
}

#[test]
fn every_planted_anomaly_is_found_with_few_false_alarms() {
    for backend in BACKENDS {
        let (_db, store) = planted(backend);
        let found = rows(&store, "anomalies calls last 7 days");
        let customers: Vec<&Vec<Value>> = found
            .iter()
            .filter(|r| r[0] == Value::from("customer"))
            .collect();
        let mut planted: Vec<(String, String)> = customers
            .iter()
            .filter(|r| is_planted(&r[1]))
            .map(|r| (r[1].to_string(), r[2].to_string()))
            .collect();
        planted.sort();
        let day = |d: &str| d.to_string();
        assert_eq!(
            planted,
            [
                (SPIKE.to_string(), day("2026-11-23")),
                (SIMBOX.into(), day("2026-11-23")),
                (SIMBOX.into(), day("2026-11-24")),
                (SIMBOX.into(), day("2026-11-25")),
                (INTERNATIONAL.into(), day("2026-11-23")),
                (INTERNATIONAL.into(), day("2026-11-24")),
                (INTERNATIONAL.into(), day("2026-11-25")),
            ],
            "{backend:?}"
        );
        // At most 2 ordinary customer-days of 150 customers × 6 days are flagged.
        let others = customers.iter().filter(|r| !is_planted(&r[1])).count();
        assert!(
            others <= 2,
            "{backend:?}: {others} false alarms in {found:?}"
        );
        // The spike's row: 80 calls against a median of its 28 days before, by hand (5).
        let spike = customers
            .iter()
            .find(|r| r[1] == Value::from(SPIKE))
            .expect("the spike");
        let by_hand = baseline_by_hand(
            &store,
            SPIKE,
            chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("a day"),
        );
        assert_eq!(by_hand, 5.0);
        assert_eq!(spike[3], Value::Int(80), "{backend:?}");
        assert_eq!(spike[4].as_f64(), Some(by_hand), "{backend:?}");
        // z = (80 − 5) / √5: the spread of a steady count is its counting noise.
        let z = spike[5].as_f64().expect("z");
        assert!((z - 75.0 / 5f64.sqrt()).abs() < 1e-9, "{backend:?}: {z}");
        // Rows come most anomalous first.
        let zs: Vec<f64> = found
            .iter()
            .filter_map(|r| r[5].as_f64())
            .map(f64::abs)
            .collect();
        assert!(zs.windows(2).all(|w| w[0] >= w[1]), "{backend:?}");
    }
}

#[test]
fn suspects_and_declining_customers_find_what_was_planted() {
    for backend in BACKENDS {
        let (_db, store) = planted(backend);
        let simbox = rows(&store, "suspects simbox last 7 days");
        assert_eq!(simbox.len(), 1, "{backend:?}: {simbox:?}");
        assert_eq!(simbox[0][0], Value::from(SIMBOX));
        assert_eq!(
            simbox[0][1],
            Value::Int(450),
            "{backend:?}: 150 a day for 3 days"
        );
        assert_eq!(simbox[0][2], Value::Int(0));
        assert_eq!(simbox[0][3], Value::Int(450), "every number new");
        assert_eq!(simbox[0][5], Value::Int(1), "one cell");
        let international = rows(&store, "suspects international last 7 days");
        let keys: Vec<String> = international.iter().map(|r| r[0].to_string()).collect();
        assert!(
            keys.contains(&INTERNATIONAL.to_string()),
            "{backend:?}: {international:?}"
        );
        assert!(
            keys.len() <= 2,
            "{backend:?}: at most one false alarm: {international:?}"
        );
        let burst = international
            .iter()
            .find(|r| r[0] == Value::from(INTERNATIONAL))
            .expect("the burst");
        assert_eq!(
            burst[1].as_f64(),
            Some(45.0),
            "{backend:?}: 15 a day for 3 days"
        );
        let declining = rows(&store, "declining customers calls last 14 days");
        assert_eq!(
            declining.first().map(|r| r[0].to_string()),
            Some(DECLINING.to_string()),
            "{backend:?}: the steepest fall first: {declining:?}"
        );
        // Whole days only: 13 days to the 25th (the 26th is not over), against the 13 before.
        let before = calls_between(&store, DECLINING, "2026-10-31", "2026-11-13");
        let now = calls_between(&store, DECLINING, "2026-11-13", "2026-11-26");
        assert!(
            before >= 100.0 && now < 10.0,
            "{backend:?}: {before} then {now}"
        );
        assert_eq!(declining[0][3].as_f64(), Some(before), "{backend:?}");
        assert_eq!(declining[0][4].as_f64(), Some(now), "{backend:?}");
        assert!(declining.len() <= 4, "{backend:?}: {declining:?}");
        // A stricter threshold and a larger baseline keep fewer.
        let strict = rows(
            &store,
            "declining customers calls last 14 days threshold 90% baseline 100",
        );
        assert_eq!(strict.len(), 1, "{backend:?}: {strict:?}");
    }
}

#[test]
fn insight_mistakes_are_pointed_at() {
    let (_db, store) = common::demo_store(common::Backend::Sqlite, 5, 3, 1);
    for (query, says) in [
        ("anomalies", "needs a range with a start"),
        (
            "anomalies last 7 days baseline 5",
            "`baseline` applies to `declining customers` and `suspects` only",
        ),
        ("calls last 7 days threshold 4", "`threshold` applies to"),
        (
            "declining customers last 14 days threshold 150%",
            "between 0 and 100%",
        ),
        ("suspects simbox last 7 days threshold 3", "not a threshold"),
        ("suspects roaming last 7 days", "expected"),
        (
            "anomalies calls last 7 days per day",
            "does not apply to an insight",
        ),
        ("anomalies last 7 days threshold 0", "above 0"),
    ] {
        common::assert_refused(&store, query, says);
    }
}

#[test]
fn demo_plants_the_cases_on_request() {
    let db = TestDb::new(common::Backend::Sqlite);
    let out = common::tally(&[
        "--db",
        &db.url,
        "demo",
        "--customers",
        "20",
        "--days",
        "40",
        "--anomalies",
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let text = common::stdout(&out);
    assert!(text.contains("planted 4 customers"), "{text}");
    for key in [SPIKE, SIMBOX, INTERNATIONAL, DECLINING] {
        assert!(text.contains(key), "{text}");
    }
    let again = common::tally(&["--db", &db.url, "-e", "suspects simbox last 7 days"]);
    assert!(
        common::stdout(&again).contains(SIMBOX),
        "{}",
        common::stdout(&again)
    );
}

#[test]
fn a_customer_newer_than_a_week_is_not_judged_yet() {
    for backend in BACKENDS {
        let (_db, store) = planted(backend);
        // Opened on the 21st: on the 24th it has 3 days of history, too few to judge by.
        let key = "447799000009";
        store
            .add_customer(&tally::model::NewCustomer {
                created_at: Some(
                    chrono::DateTime::parse_from_rfc3339("2026-11-21T09:00:00Z")
                        .expect("a time")
                        .with_timezone(&chrono::Utc),
                ),
                ..tally::model::NewCustomer::bare(
                    tally::model::SubscriberKey::parse("customer", key).expect("a key"),
                )
            })
            .expect("a customer");
        let calls: Vec<tally::model::Record> = (0..60)
            .map(|n| {
                common::call(
                    key,
                    &format!("2026-11-24 {:02}:{:02}", 8 + n / 10, n % 10),
                    60,
                    &format!("new-{n}"),
                )
            })
            .collect();
        store.insert_batch(&calls, false).expect("stored");
        let found = rows(&store, "anomalies calls last 7 days");
        assert!(
            !found.iter().any(|r| r[1] == Value::from(key)),
            "{backend:?}: {found:?}"
        );
    }
}
