//! Every measure of the vocabulary, on every source that has it, per day and in total, over a
//! range that starts and ends inside a day (raw rows at the edges, rollups between), against
//! SQL written by hand over the raw tables, on both backends. The hand-written list must name
//! every measure of the vocabulary, so a new measure cannot go unchecked.

mod common;

use common::{BACKENDS, TestDb};
use std::collections::BTreeMap;
use tally::model::Zone;
use tally::query::{Answer, run};
use tally::store::Store;
use tally::vocab::{MEASURES, Source};

/// Every record as `(k, customer_id, t, direction, status, dur, up, down)`; `k` is its kind.
const RECORDS: &str = "\
SELECT 'c' AS k, customer_id, start_time AS t, direction, status, duration_s AS dur, 0 AS up, 0 AS down FROM calls \
UNION ALL SELECT 's', customer_id, sent_at, direction, NULL, 0, 0, 0 FROM sms \
UNION ALL SELECT 'd', customer_id, start_time, NULL, NULL, duration_s, bytes_up, bytes_down FROM data_sessions";

fn when(condition: &str, then: &str) -> String {
    format!("SUM(CASE WHEN {condition} THEN {then} ELSE 0 END)")
}

/// A measure written by hand, over the records of the kinds `kinds` holds.
fn by_hand(measure: &str) -> Option<String> {
    Some(match measure {
        "count" => "COUNT(*)".into(),
        "calls" => when("k = 'c'", "1"),
        "calls_out" => when("k = 'c' AND direction = 'out'", "1"),
        "calls_in" => when("k = 'c' AND direction = 'in'", "1"),
        "answered" => when("k = 'c' AND status = 'answered'", "1"),
        // Divided in Rust (see `divisor`): MariaDB's decimal division keeps 4 decimals.
        "minutes" => when("k = 'c'", "dur"),
        "seconds" => when("k = 'c'", "dur"),
        "sms" => when("k = 's'", "1"),
        "sms_out" => when("k = 's' AND direction = 'out'", "1"),
        "sms_in" => when("k = 's' AND direction = 'in'", "1"),
        "data_sessions" => when("k = 'd'", "1"),
        "data_mb" => when("k = 'd'", "up + down"),
        "customers" => "COUNT(DISTINCT customer_id)".into(),
        "asr" => format!(
            "{} * 1e2 / NULLIF({}, 0)",
            when("k = 'c' AND status = 'answered'", "1"),
            when("k = 'c'", "1")
        ),
        "ner" => format!(
            "{} * 1e2 / NULLIF({}, 0)",
            when(
                "k = 'c' AND status IN ('answered', 'busy', 'no_answer')",
                "1"
            ),
            when("k = 'c'", "1")
        ),
        "acd" => format!(
            "{} * 1e0 / NULLIF({}, 0)",
            when("k = 'c' AND status = 'answered'", "dur"),
            when("k = 'c' AND status = 'answered'", "1")
        ),
        // Divided by 60 in Rust, as minutes.
        "mou" => format!(
            "{} * 1e0 / NULLIF(COUNT(DISTINCT customer_id), 0)",
            when("k = 'c'", "dur")
        ),
        // Each day's seconds: the range cuts the first and the last day (see RANGE).
        "erlangs" => format!(
            "{} * 1e0 / CASE WHEN MIN(t) < '2026-11-11' THEN 59400 \
             WHEN MIN(t) >= '2026-11-20' THEN 60300 ELSE 86400 END",
            when("k = 'c'", "dur")
        ),
        "mb_per_session" => format!(
            "{} * 1e0 / NULLIF({}, 0)",
            when("k = 'd'", "up + down"),
            when("k = 'd'", "1")
        ),
        "avg_throughput" => format!(
            "{} * 8e0 / 1e3 / NULLIF({}, 0)",
            when("k = 'd'", "up + down"),
            when("k = 'd'", "dur")
        ),
        _ => return None,
    })
}

/// What the hand-written sum is divided by to give the measure's unit.
fn divisor(measure: &str) -> f64 {
    match measure {
        "minutes" => 60.0,
        "data_mb" | "mb_per_session" => 1e6,
        "mou" => 60.0,
        _ => 1.0,
    }
}

fn kinds(source: Source) -> &'static str {
    match source {
        Source::Calls => "('c')",
        Source::Sms => "('s')",
        Source::Data => "('d')",
        Source::Usage => "('c', 's', 'd')",
    }
}

const FROM: &str = "2026-11-10 07:30:00";
const TO: &str = "2026-11-20 16:45:00";
const RANGE: &str = "between '2026-11-10 07:30' and '2026-11-20 16:45'";

type Days = BTreeMap<String, f64>;

fn hand_days(store: &Store, source: Source, expr: &str, divisor: f64) -> Days {
    let day = if store.dialect().name() == "mysql" {
        "DATE_FORMAT(t, '%Y-%m-%d')"
    } else {
        "strftime('%Y-%m-%d', t)"
    };
    let sql = format!(
        "SELECT {day}, {expr} FROM ({RECORDS}) r WHERE k IN {} AND t >= ? AND t < ? GROUP BY {day}",
        kinds(source)
    );
    let rows = store
        .read(|c| Ok(c.query(&sql, &[FROM.into(), TO.into()])?))
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.rows
        .iter()
        .map(|r| (r[0].to_string(), r[1].as_f64().unwrap_or(0.0) / divisor))
        .collect()
}

fn tally_days(store: &Store, query: &str, measure: &str) -> Days {
    let rs = match run(store, query, &Zone::utc(), common::test_now()) {
        Ok(Answer::Table(rs)) => rs,
        other => panic!("{query}: {other:?}"),
    };
    let at = rs
        .column_index(measure)
        .unwrap_or_else(|| panic!("{query}"));
    rs.rows
        .iter()
        .map(|r| (r[0].to_string(), r[at].as_f64().unwrap_or(0.0)))
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(1.0)
}

/// Measures checked against hand-written computations in other tests: usage revenue (priced
/// at each plan) in tests/queries.rs, revenue with fees, fees and ARPU in tests/billing.rs,
/// bhca (a maximum over hours) in tests/kpis.rs.
const CHECKED_ELSEWHERE: [&str; 5] = ["revenue", "usage_revenue", "fees", "arpu", "bhca"];

#[test]
fn the_hand_written_list_names_every_measure() {
    for m in MEASURES {
        assert!(
            by_hand(m.name).is_some() || CHECKED_ELSEWHERE.contains(&m.name),
            "no hand-written SQL for `{}`",
            m.name
        );
    }
}

#[test]
fn every_measure_on_every_source_equals_hand_written_sql() {
    for backend in BACKENDS {
        let (_db, store): (TestDb, Store) = common::demo_store(backend, 40, 30, 11);
        let mut checked = 0;
        for m in MEASURES {
            let Some(expr) = by_hand(m.name) else {
                continue;
            };
            for source in Source::ALL {
                let query = format!("{} per day {RANGE} show {}", source.name(), m.name);
                if !m.applies_to(source) {
                    assert!(
                        run(&store, &query, &Zone::utc(), common::test_now()).is_err(),
                        "{backend:?}: {query} should be refused"
                    );
                    continue;
                }
                let want = hand_days(&store, source, &expr, divisor(m.name));
                let got = tally_days(&store, &query, m.name);
                // A group tally lists with no record of the measure's kind shows 0.
                let got: Days = got
                    .into_iter()
                    .filter(|(day, v)| *v != 0.0 || want.contains_key(day))
                    .collect();
                assert_eq!(
                    got.keys().collect::<Vec<_>>(),
                    want.keys().collect::<Vec<_>>(),
                    "{backend:?}: {query}"
                );
                for (day, value) in &want {
                    assert!(
                        close(got[day], *value),
                        "{backend:?}: {query} {day}: {} vs {value}",
                        got[day]
                    );
                }
                assert!(
                    want.values().any(|v| *v > 0.0),
                    "{backend:?}: {query} checks only zeros"
                );
                checked += 1;
            }
        }
        assert!(checked >= 20, "{checked}");
    }
}
