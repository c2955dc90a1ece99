//! `count` and `customers` of every source, grouped by every `per` dimension (and by nothing),
//! over a day-aligned and a ragged range, against hand-written SQL over the raw tables, on both
//! backends. A rollup row holds several kinds of records: a source-specific answer must count
//! only the rows that hold that source, and no group may show a zero count of it.

mod common;

use common::{BACKENDS, TestDb};
use std::collections::BTreeMap;
use tally::model::Zone;
use tally::query::{Answer, run};
use tally::store::{Store, Value};

const SOURCES: [(&str, &str, &str); 3] = [
    ("calls", "calls", "start_time"),
    ("sms", "sms", "sent_at"),
    ("data", "data_sessions", "start_time"),
];

const DIMENSIONS: [&str; 15] = [
    "",
    "customer",
    "plan",
    "region",
    "hour",
    "day",
    "week",
    "month",
    "weekday",
    "daytype",
    "direction",
    "status",
    "cell",
    "other",
    "account",
];

const RANGES: [(&str, &str, &str); 2] = [
    (
        "between 2026-11-10 and 2026-11-20",
        "2026-11-10 00:00:00",
        "2026-11-20 00:00:00",
    ),
    (
        "between '2026-11-10 07:30' and '2026-11-20 16:45'",
        "2026-11-10 07:30:00",
        "2026-11-20 16:45:00",
    ),
];

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The group key of a dimension, written by hand for each dialect over the column `t`.
fn key(mysql: bool, dim: &str) -> &'static str {
    match (mysql, dim) {
        (_, "") => "'all'",
        (_, "customer") => "c.subscriber_key",
        (_, "plan") => "p.name",
        (_, "region") => "c.region",
        (_, "account") => "c.status",
        (_, "direction") => "r.direction",
        (_, "status") => "r.status",
        (_, "cell") => "r.cell",
        (_, "other") => "r.other",
        (true, "hour") => "HOUR(r.t)",
        (true, "day") => "DATE_FORMAT(r.t, '%Y-%m-%d')",
        (true, "week") => "DATE_FORMAT(DATE_SUB(r.t, INTERVAL WEEKDAY(r.t) DAY), '%Y-%m-%d')",
        (true, "month") => "DATE_FORMAT(r.t, '%Y-%m')",
        (true, "weekday") => "WEEKDAY(r.t)",
        (true, "daytype") => "CASE WHEN WEEKDAY(r.t) >= 5 THEN 'weekend' ELSE 'weekday' END",
        (false, "daytype") => {
            "CASE WHEN strftime('%w', r.t) IN ('0', '6') THEN 'weekend' ELSE 'weekday' END"
        }
        (false, "hour") => "CAST(strftime('%H', r.t) AS INTEGER)",
        (false, "day") => "strftime('%Y-%m-%d', r.t)",
        (false, "week") => {
            "date(r.t, '-' || ((CAST(strftime('%w', r.t) AS INTEGER) + 6) % 7) || ' days')"
        }
        (false, "month") => "strftime('%Y-%m', r.t)",
        (false, "weekday") => "((CAST(strftime('%w', r.t) AS INTEGER) + 6) % 7)",
        other => panic!("no key for {other:?}"),
    }
}

/// The records of a source as `(customer_id, t, direction, status, cell, other)`.
fn records(source: &str) -> String {
    let one = |table: &str, time: &str, direction: &str, status: &str, cell: &str, other: &str| {
        format!(
            "SELECT customer_id, {time} AS t, {direction} AS direction, {status} AS status, \
             {cell} AS cell, {other} AS other FROM {table}"
        )
    };
    match source {
        "calls" => one(
            "calls",
            "start_time",
            "direction",
            "status",
            "cell_id",
            "other_party",
        ),
        "sms" => one("sms", "sent_at", "direction", "NULL", "NULL", "other_party"),
        "data" => one(
            "data_sessions",
            "start_time",
            "NULL",
            "NULL",
            "cell_id",
            "NULL",
        ),
        _ => SOURCES
            .iter()
            .map(|(s, _, _)| records(s))
            .collect::<Vec<_>>()
            .join(" UNION ALL "),
    }
}

type Groups = BTreeMap<String, (i64, i64)>;

fn label(dim: &str, v: &Value) -> String {
    match (dim, v) {
        (_, Value::Null) => String::new(),
        ("weekday", v) if v.as_i64().is_some() => WEEKDAYS[v.as_i64().unwrap() as usize].into(),
        (_, v) => v.to_string(),
    }
}

fn by_hand(store: &Store, source: &str, dim: &str, from: &str, to: &str) -> Groups {
    let mysql = store.dialect().name() == "mysql";
    let k = key(mysql, dim);
    let sql = format!(
        "SELECT {k}, COUNT(*), COUNT(DISTINCT r.customer_id) FROM ({}) r \
         JOIN customers c ON c.id = r.customer_id LEFT JOIN plans p ON p.id = c.plan_id \
         WHERE r.t >= ? AND r.t < ? GROUP BY {k}",
        records(source)
    );
    store
        .read(|c| Ok(c.query(&sql, &[from.into(), to.into()])?))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .rows
        .iter()
        .map(|r| {
            (
                label(dim, &r[0]),
                (r[1].as_i64().unwrap(), r[2].as_i64().unwrap()),
            )
        })
        .collect()
}

fn by_tally(store: &Store, query: &str, dim: &str) -> Groups {
    let rs = match run(store, query, &Zone::utc(), common::test_now()) {
        Ok(Answer::Table(rs)) => rs,
        other => panic!("{query}: {other:?}"),
    };
    let at = |name: &str| rs.column_index(name).unwrap();
    let (count, customers) = (at("count"), at("customers"));
    rs.rows
        .iter()
        .map(|r| {
            let group = if dim.is_empty() {
                "all".to_string()
            } else {
                label(dim, &r[0])
            };
            (
                group,
                (r[count].as_i64().unwrap(), r[customers].as_i64().unwrap()),
            )
        })
        .collect()
}

fn applies(source: &str, dim: &str) -> bool {
    match dim {
        "direction" => matches!(source, "calls" | "sms"),
        "status" => source == "calls",
        "cell" => matches!(source, "calls" | "data"),
        "other" => matches!(source, "calls" | "sms"),
        _ => true,
    }
}

#[test]
fn count_and_customers_of_every_source_per_every_dimension_equal_hand_written_sql() {
    for backend in BACKENDS {
        let (_db, store): (TestDb, Store) = common::demo_store(backend, 60, 30, 5);
        let mut checked = 0;
        for source in ["calls", "sms", "data", "usage"] {
            for dim in DIMENSIONS.iter().filter(|d| applies(source, d)) {
                for (range, from, to) in RANGES {
                    let per = if dim.is_empty() {
                        String::new()
                    } else {
                        format!(" per {dim}")
                    };
                    let query = format!("{source}{per} {range} show count, customers");
                    let got = by_tally(&store, &query, dim);
                    let mut want = by_hand(&store, source, dim, from, to);
                    if dim.is_empty() && want.is_empty() {
                        want.insert("all".into(), (0, 0));
                    }
                    assert_eq!(got, want, "{backend:?}: {query}");
                    if source != "usage" && !dim.is_empty() {
                        assert!(
                            got.values().all(|(count, _)| *count > 0),
                            "{backend:?}: {query} has a group with no {source}"
                        );
                    }
                    checked += 1;
                }
            }
        }
        assert!(checked > 60, "{checked}");
    }
}

#[test]
fn the_reported_lines_count_what_the_raw_tables_hold() {
    // The report's own lines: `sms show customers on DAY` and `sms per customer, day`.
    for backend in BACKENDS {
        let (_db, store): (TestDb, Store) = common::demo_store(backend, 60, 30, 5);
        for (source, table, time) in SOURCES {
            let query = format!("{source} show customers on 2026-11-20");
            let rs = match run(&store, &query, &Zone::utc(), common::test_now()) {
                Ok(Answer::Table(rs)) => rs,
                other => panic!("{other:?}"),
            };
            let got = rs.rows[0][0].as_i64().unwrap();
            let sql = format!(
                "SELECT COUNT(DISTINCT customer_id) FROM {table} WHERE {time} >= '2026-11-20 00:00:00' AND {time} < '2026-11-21 00:00:00'"
            );
            let want = store
                .read(|c| Ok(c.query(&sql, &[])?))
                .unwrap()
                .scalar()
                .and_then(Value::as_i64)
                .unwrap();
            assert_eq!(got, want, "{backend:?}: {query}");
            let query = format!("{source} per customer, day show count");
            let rs = match run(&store, &query, &Zone::utc(), common::test_now()) {
                Ok(Answer::Table(rs)) => rs,
                other => panic!("{other:?}"),
            };
            let zeros = rs.rows.iter().filter(|r| r[2].as_i64() == Some(0)).count();
            assert_eq!(zeros, 0, "{backend:?}: {query}");
            let sql = format!(
                "SELECT COUNT(*) FROM (SELECT DISTINCT customer_id, DATE({time}) FROM {table}) x"
            );
            let sql = if store.dialect().name() == "mysql" {
                sql
            } else {
                sql.replace(&format!("DATE({time})"), &format!("date({time})"))
            };
            let groups = store
                .read(|c| Ok(c.query(&sql, &[])?))
                .unwrap()
                .scalar()
                .and_then(Value::as_i64)
                .unwrap();
            assert_eq!(rs.rows.len() as i64, groups, "{backend:?}: {query}");
        }
    }
}

/// `where account = …` keeps the records of customers with that account status now, on every
/// source, against hand-written SQL.
#[test]
fn account_status_filters_equal_hand_written_sql() {
    for backend in BACKENDS {
        let (_db, store): (TestDb, Store) = common::demo_store(backend, 60, 30, 5);
        for (source, _, _) in SOURCES.iter().chain([&("usage", "", "")]) {
            for status in ["active", "suspended", "closed"] {
                let query = format!(
                    "{source} where account = {status} between 2026-11-10 and 2026-11-20 show count, customers"
                );
                let got = by_tally(&store, &query, "");
                let sql = format!(
                    "SELECT COUNT(*), COUNT(DISTINCT r.customer_id) FROM ({}) r \
                     JOIN customers c ON c.id = r.customer_id \
                     WHERE c.status = ? AND r.t >= '2026-11-10 00:00:00' AND r.t < '2026-11-20 00:00:00'",
                    records(source)
                );
                let row = store
                    .read(|c| Ok(c.query(&sql, &[status.into()])?))
                    .unwrap()
                    .rows
                    .remove(0);
                let want: Groups = [(
                    "all".to_string(),
                    (row[0].as_i64().unwrap_or(0), row[1].as_i64().unwrap_or(0)),
                )]
                .into();
                assert_eq!(got, want, "{backend:?}: {query}");
            }
        }
    }
}
