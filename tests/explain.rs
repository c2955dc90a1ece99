//! `explain` shows the SQL twice: with its parameters inlined, to paste into a client, and as
//! tally runs it. Pasted into the database, the inlined form must give the rows the bound form
//! gives, also for values holding quotes and backslashes.

mod common;

use common::{BACKENDS, TestDb};
use tally::model::Zone;
use tally::store::{Store, Value};

/// The SQL lines of an explanation: (inlined, bound, parameters).
fn sections(text: &str) -> (String, String, Vec<String>) {
    let lines: Vec<&str> = text.lines().collect();
    let after = |head: &str| -> String {
        let at = lines
            .iter()
            .position(|l| l.starts_with(head))
            .unwrap_or_else(|| panic!("no `{head}` in:\n{text}"));
        lines[at + 1].trim().to_string()
    };
    let params = lines
        .iter()
        .find(|l| l.starts_with("parameters: "))
        .map(|l| l.trim_start_matches("parameters: ").to_string())
        .unwrap_or_default();
    (after("SQL ("), after("as tally runs it"), vec![params])
}

fn rows(store: &Store, sql: &str, params: &[Value]) -> Vec<Vec<Value>> {
    store
        .read(|c| Ok(c.query(sql, params)?))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .rows
}

#[test]
fn the_inlined_sql_gives_the_rows_of_the_bound_sql() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let store = db.open();
        for (key, region) in [
            ("447700900001", r"O'Brien \ North"),
            ("447700900002", "plain"),
        ] {
            let out = common::tally(&["--db", &db.url, "customer", "add", key, "--region", region]);
            assert!(out.status.success(), "{}", common::stderr(&out));
            let out = common::tally(&[
                "--db",
                &db.url,
                "log",
                "sms",
                key,
                "out",
                "447700900009",
                "--at",
                "2026-11-20 10:00",
            ]);
            assert!(out.status.success(), "{}", common::stderr(&out));
        }
        for query in [
            r"sms where region = 'O''Brien \ North' since 2026-11-01 until 2026-12-01 show count",
            "usage where region in ('plain', 'x') since 2026-11-01 until 2026-12-01 per customer show sms",
            "sms where customer = 447700900001 between '2026-11-20 09:30' and '2026-11-20 11:00' per hour",
        ] {
            let text = common::explain(&store, query);
            // Both ends given: the plan does not depend on the data's extent, so it can be
            // built again here to run with its parameters.
            let (inlined, bound, _) = sections(&text);
            assert!(!inlined.contains('?'), "{backend:?}: {inlined}");
            let plan = tally::parse::parse(query).unwrap();
            let tally::parse::ast::Statement::Query(q) = plan else {
                panic!()
            };
            let ctx = tally::plan::Context {
                zone: Zone::utc(),
                now: common::test_now(),
                extent: None,
                metrics: std::sync::Arc::new(tally::metric::Metrics::new(None)),
            };
            let built =
                tally::sql::build(&tally::plan::plan(&q, &ctx).unwrap().main, store.dialect());
            assert_eq!(
                bound, built.sql,
                "{backend:?}: the bound SQL is what tally runs"
            );
            let pasted = rows(&store, &inlined, &[]);
            let ran = rows(&store, &built.sql, &built.params);
            assert_eq!(pasted, ran, "{backend:?}: {query}");
            assert!(!ran.is_empty(), "{backend:?}: {query} found rows");
        }
    }
}
