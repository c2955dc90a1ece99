//! Every example line of the language against hand-written SQL over the raw tables, on MariaDB
//! and SQLite, over generated data: the numbers must be the same whichever table answered.

mod common;

use chrono::{DateTime, Utc};
use common::{BACKENDS, TestDb};
use std::collections::BTreeMap;
use tally::model::Zone;
use tally::query::{Answer, run};
use tally::rows::ResultSet;
use tally::store::{Store, Value};

fn now() -> DateTime<Utc> {
    common::test_now()
}

fn fixture(backend: common::Backend) -> (TestDb, Store) {
    common::demo_store(backend, 80, 45, 11)
}

fn ask(store: &Store, text: &str, zone: &str) -> ResultSet {
    match run(store, text, &Zone::parse(zone).unwrap(), now()) {
        Ok(Answer::Table(rs)) => rs,
        Ok(Answer::Explain(e)) => panic!("{text}: explained {e}"),
        Err(e) => panic!("{text}: {}", e.render(text)),
    }
}

/// Runs hand-written SQL: `mysql` and `sqlite` differ only where the dialects do.
fn sql(store: &Store, mysql: &str, sqlite: &str, params: &[Value]) -> Vec<Vec<Value>> {
    let text = if store.dialect().name() == "mysql" {
        mysql
    } else {
        sqlite
    };
    store
        .read(|c| Ok(c.query(text, params)?))
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .rows
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

/// The answer's column `name` by its first column (the group), as numbers.
fn by_group(rs: &ResultSet, name: &str) -> BTreeMap<String, f64> {
    let i = rs
        .column_index(name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", rs.columns));
    rs.rows
        .iter()
        .map(|r| (r[0].to_string(), num(&r[i])))
        .collect()
}

fn expect_same(what: &str, got: &BTreeMap<String, f64>, want: &BTreeMap<String, f64>) {
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "{what}: groups differ"
    );
    for (k, w) in want {
        assert!(close(got[k], *w), "{what}: {k}: got {} want {w}", got[k]);
    }
}

fn hour(store: &Store, col: &str) -> String {
    if store.dialect().name() == "mysql" {
        format!("HOUR({col})")
    } else {
        format!("CAST(strftime('%H', {col}) AS INTEGER)")
    }
}

fn day(store: &Store, col: &str) -> String {
    if store.dialect().name() == "mysql" {
        format!("DATE_FORMAT({col}, '%Y-%m-%d')")
    } else {
        format!("strftime('%Y-%m-%d', {col})")
    }
}

/// Both dialects, one string with `{h}`/`{d}` for the hour and day of a column.
fn dialect_sql(store: &Store, text: &str, col: &str) -> String {
    text.replace("{h}", &hour(store, col))
        .replace("{d}", &day(store, col))
}

#[test]
fn summary_equals_raw_totals() {
    for backend in BACKENDS {
        let (_db, store) = fixture(backend);
        let rs = ask(&store, "summary", "UTC");
        let row = &rs.rows[0];
        let col = |n: &str| num(&row[rs.column_index(n).unwrap()]);
        let calls = &sql(
            &store,
            "SELECT COUNT(*), SUM(CASE WHEN direction = 'out' THEN 1 ELSE 0 END), SUM(CASE WHEN status = 'answered' THEN 1 ELSE 0 END), SUM(duration_s) FROM calls",
            "SELECT COUNT(*), SUM(CASE WHEN direction = 'out' THEN 1 ELSE 0 END), SUM(CASE WHEN status = 'answered' THEN 1 ELSE 0 END), SUM(duration_s) FROM calls",
            &[],
        )[0];
        assert_eq!(col("calls"), num(&calls[0]), "{backend:?}");
        assert_eq!(col("calls_out"), num(&calls[1]));
        assert_eq!(col("answered"), num(&calls[2]));
        assert!(close(col("minutes"), num(&calls[3]) / 60.0));
        let sms = &sql(
            &store,
            "SELECT COUNT(*) FROM sms",
            "SELECT COUNT(*) FROM sms",
            &[],
        )[0];
        assert_eq!(col("sms"), num(&sms[0]));
        let data = &sql(
            &store,
            "SELECT COUNT(*), SUM(bytes_up + bytes_down) FROM data_sessions",
            "SELECT COUNT(*), SUM(bytes_up + bytes_down) FROM data_sessions",
            &[],
        )[0];
        assert_eq!(col("data_sessions"), num(&data[0]));
        assert!(close(col("data_mb"), num(&data[1]) / 1e6));
        let active = "SELECT COUNT(*) FROM (SELECT customer_id FROM calls UNION SELECT customer_id FROM sms UNION SELECT customer_id FROM data_sessions) x";
        assert_eq!(
            col("active_customers"),
            num(&sql(&store, active, active, &[])[0][0])
        );
    }
}

#[test]
fn one_customers_summary_over_a_ragged_range() {
    for backend in BACKENDS {
        let (_db, store) = fixture(backend);
        let rs = ask(
            &store,
            "summary 447700000003 since '2026-11-10 07:30' until '2026-11-20 18:15'",
            "UTC",
        );
        let row = &rs.rows[0];
        let col = |n: &str| num(&row[rs.column_index(n).unwrap()]);
        let params = [
            Value::from("447700000003"),
            Value::from("2026-11-10 07:30:00"),
            Value::from("2026-11-20 18:15:00"),
        ];
        let q = "SELECT COUNT(*), COALESCE(SUM(duration_s), 0) FROM calls r JOIN customers c ON c.id = r.customer_id WHERE c.subscriber_key = ? AND r.start_time >= ? AND r.start_time < ?";
        let calls = &sql(&store, q, q, &params)[0];
        assert_eq!(col("calls"), num(&calls[0]), "{backend:?}");
        assert!(close(col("minutes"), num(&calls[1]) / 60.0));
        let q = "SELECT COUNT(*), COALESCE(SUM(bytes_up + bytes_down), 0) FROM data_sessions r JOIN customers c ON c.id = r.customer_id WHERE c.subscriber_key = ? AND r.start_time >= ? AND r.start_time < ?";
        let data = &sql(&store, q, q, &params)[0];
        assert_eq!(col("data_sessions"), num(&data[0]));
        assert!(close(col("data_mb"), num(&data[1]) / 1e6));
        assert!(col("calls") > 0.0, "the customer has calls in the range");
    }
}

#[test]
fn customers_last_30_days_equals_raw_per_customer_totals() {
    for backend in BACKENDS {
        let (_db, store) = fixture(backend);
        let rs = ask(&store, "customers last 30 days", "UTC");
        let (from, to) = (
            Value::from("2026-10-27 00:00:00"),
            Value::from("2026-11-26 00:00:00"),
        );
        let per = |table: &str, time: &str, amount: &str| -> BTreeMap<String, f64> {
            let q = format!(
                "SELECT c.subscriber_key, {amount} FROM {table} r JOIN customers c ON c.id = r.customer_id \
                 WHERE r.{time} >= ? AND r.{time} < ? GROUP BY c.subscriber_key"
            );
            sql(&store, &q, &q, &[from.clone(), to.clone()])
                .iter()
                .map(|r| (r[0].to_string(), num(&r[1])))
                .collect()
        };
        let mut want_calls = per("calls", "start_time", "COUNT(*)");
        let want_minutes: BTreeMap<String, f64> = per("calls", "start_time", "SUM(duration_s)")
            .into_iter()
            .map(|(k, v)| (k, v / 60.0))
            .collect();
        let want_sms = per("sms", "sent_at", "COUNT(*)");
        let want_mb: BTreeMap<String, f64> =
            per("data_sessions", "start_time", "SUM(bytes_up + bytes_down)")
                .into_iter()
                .map(|(k, v)| (k, v / 1e6))
                .collect();
        // A customer with SMS or data but no calls shows zero calls.
        for k in want_sms.keys().chain(want_mb.keys()) {
            want_calls.entry(k.clone()).or_insert(0.0);
        }
        expect_same("calls", &by_group(&rs, "calls"), &want_calls);
        let fill = |m: BTreeMap<String, f64>| -> BTreeMap<String, f64> {
            want_calls
                .keys()
                .map(|k| (k.clone(), m.get(k).copied().unwrap_or(0.0)))
                .collect()
        };
        expect_same("minutes", &by_group(&rs, "minutes"), &fill(want_minutes));
        expect_same("sms", &by_group(&rs, "sms"), &fill(want_sms));
        expect_same("data_mb", &by_group(&rs, "data_mb"), &fill(want_mb));
    }
}

#[test]
fn peak_hours_equal_raw_counts_per_hour_of_day() {
    for (zone, shift) in [("UTC", 0), ("+05:30", 19_800)] {
        for backend in BACKENDS {
            let (_db, store) = fixture(backend);
            let rs = ask(&store, "peak hours calls last 7 days", zone);
            assert_eq!(rs.rows.len(), 24);
            // Seven local days ending with today, in the zone.
            let (from, to) = if shift == 0 {
                ("2026-11-19 00:00:00", "2026-11-26 00:00:00")
            } else {
                ("2026-11-18 18:30:00", "2026-11-25 18:30:00")
            };
            let local = if store.dialect().name() == "mysql" {
                format!("DATE_ADD(start_time, INTERVAL {shift} SECOND)")
            } else {
                format!("datetime(start_time, '+{shift} seconds')")
            };
            let q = format!(
                "SELECT {h}, COUNT(*), SUM(duration_s) FROM calls WHERE start_time >= ? AND start_time < ? GROUP BY {h}",
                h = hour(&store, &local)
            );
            let raw = sql(&store, &q, &q, &[Value::from(from), Value::from(to)]);
            let want: BTreeMap<String, f64> =
                raw.iter().map(|r| (r[0].to_string(), num(&r[1]))).collect();
            let got: BTreeMap<String, f64> = by_group(&rs, "calls")
                .into_iter()
                .filter(|(_, v)| *v > 0.0)
                .collect();
            expect_same(&format!("calls per hour in {zone}"), &got, &want);
            let minutes: BTreeMap<String, f64> = raw
                .iter()
                .map(|r| (r[0].to_string(), num(&r[2]) / 60.0))
                .collect();
            let got: BTreeMap<String, f64> = by_group(&rs, "minutes")
                .into_iter()
                .filter(|(k, _)| minutes.contains_key(k))
                .collect();
            expect_same("minutes per hour", &got, &minutes);
            let peak = rs
                .rows
                .iter()
                .find(|r| r.last().is_some_and(|v| v.to_string().contains("peak")))
                .expect("a peak hour");
            let most = want.values().cloned().fold(0.0, f64::max);
            assert_eq!(num(&peak[1]), most);
        }
    }
}

fn top_from_raw(store: &Store, amount: &str, table: &str, time: &str) -> Vec<(String, f64)> {
    let q = format!(
        "SELECT c.subscriber_key, {amount} FROM {table} r JOIN customers c ON c.id = r.customer_id \
         WHERE r.{time} >= ? AND r.{time} < ? GROUP BY c.subscriber_key"
    );
    let mut rows: Vec<(String, f64)> = sql(
        store,
        &q,
        &q,
        &[
            Value::from("2026-11-01 00:00:00"),
            Value::from("2026-12-01 00:00:00"),
        ],
    )
    .iter()
    .map(|r| (r[0].to_string(), num(&r[1])))
    .collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    rows.truncate(10);
    rows
}

#[test]
fn top_customers_this_month_by_each_measure() {
    for backend in BACKENDS {
        let (_db, store) = fixture(backend);
        let cases = [
            ("minutes", "SUM(duration_s) / 60.0", "calls", "start_time"),
            ("calls", "COUNT(*)", "calls", "start_time"),
            ("sms", "COUNT(*)", "sms", "sent_at"),
            (
                "data_mb",
                "SUM(bytes_up + bytes_down) / 1000000.0",
                "data_sessions",
                "start_time",
            ),
        ];
        for (measure, amount, table, time) in cases {
            let rs = ask(
                &store,
                &format!("top 10 customers by {measure} this month"),
                "UTC",
            );
            let got: Vec<(String, f64)> = rs
                .rows
                .iter()
                .map(|r| (r[0].to_string(), num(&r[1])))
                .collect();
            let want = top_from_raw(&store, amount, table, time);
            assert_eq!(got.len(), 10, "{backend:?} {measure}");
            assert_eq!(
                got.len(),
                want.len(),
                "{backend:?} top by {measure}: {got:?} vs {want:?}"
            );
            for (g, w) in got.iter().zip(&want) {
                assert_eq!(
                    g.0, w.0,
                    "{backend:?} top by {measure}: {got:?} vs {want:?}"
                );
                assert!(
                    close(g.1, w.1),
                    "{backend:?} {measure}: {got:?} vs {want:?}"
                );
            }
        }
        // Usage revenue: outgoing minutes, outgoing SMS and MB priced at each customer's plan
        // (fees are checked by tests/billing.rs).
        let rs = ask(
            &store,
            "top 10 customers by usage_revenue this month",
            "UTC",
        );
        let mut want: Vec<(String, f64)> =
            revenue_from_raw(&store, "c.subscriber_key", Some(NOVEMBER))
                .into_iter()
                .collect();
        want.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        want.truncate(10);
        assert_eq!(rs.rows.len(), want.len(), "{backend:?} revenue: {want:?}");
        for (g, w) in rs.rows.iter().zip(&want) {
            assert_eq!(g[0].to_string(), w.0, "{backend:?} revenue");
            assert!(
                (num(&g[1]) - w.1).abs() < 0.006,
                "{backend:?} revenue {} vs {}",
                num(&g[1]),
                w.1
            );
        }
    }
}

#[test]
fn the_general_form_with_filters_and_groups() {
    for backend in BACKENDS {
        let (_db, store) = fixture(backend);
        let text = "calls where direction = out and duration > 5m since 2026-11-01 per day show count, minutes, avg(duration)";
        let rs = ask(&store, text, "UTC");
        let q = dialect_sql(
            &store,
            "SELECT {d}, COUNT(*), SUM(duration_s) FROM calls WHERE direction = 'out' AND duration_s > 300 AND start_time >= '2026-11-01 00:00:00' GROUP BY {d}",
            "start_time",
        );
        let raw = sql(&store, &q, &q, &[]);
        let want: BTreeMap<String, f64> =
            raw.iter().map(|r| (r[0].to_string(), num(&r[1]))).collect();
        expect_same("count per day", &by_group(&rs, "count"), &want);
        let avg: BTreeMap<String, f64> = raw
            .iter()
            .map(|r| (r[0].to_string(), num(&r[2]) / num(&r[1])))
            .collect();
        expect_same("avg(duration)", &by_group(&rs, "avg(duration)"), &avg);
        let got_days: Vec<String> = rs.rows.iter().map(|r| r[0].to_string()).collect();
        let mut sorted = got_days.clone();
        sorted.sort();
        assert_eq!(got_days, sorted, "days in order");
    }
}

#[test]
fn trend_per_day_with_changes() {
    for backend in BACKENDS {
        let (_db, store) = fixture(backend);
        let rs = ask(&store, "trend minutes per day last 30 days", "UTC");
        assert_eq!(rs.rows.len(), 30);
        let q = dialect_sql(
            &store,
            "SELECT {d}, SUM(duration_s) FROM calls WHERE start_time >= '2026-10-26 00:00:00' AND start_time < '2026-11-26 00:00:00' GROUP BY {d}",
            "start_time",
        );
        let raw: BTreeMap<String, f64> = sql(&store, &q, &q, &[])
            .iter()
            .map(|r| (r[0].to_string(), num(&r[1]) / 60.0))
            .collect();
        let mut previous = raw.get("2026-10-26").copied();
        for row in &rs.rows {
            let want = raw.get(&row[0].to_string()).copied().unwrap_or(0.0);
            assert!(close(num(&row[1]), want), "{backend:?} {}", row[0]);
            // Today (the tests' clock is 2026-11-25 12:00) is not over: marked, not compared.
            let partial = row[0].to_string() == "2026-11-25";
            let mark = if partial { "◀ partial" } else { "" };
            // row[3] is the trend's sparkline, drawn for people.
            assert_eq!(row[4].to_string(), mark, "{backend:?} {}", row[0]);
            let change = previous
                .filter(|p| *p != 0.0 && !partial)
                .map(|p| (want - p) / p);
            match change {
                Some(c) => assert!(close(num(&row[2]), c), "{backend:?} change on {}", row[0]),
                None => assert!(row[2].is_null()),
            }
            previous = Some(want);
        }
    }
}

#[test]
fn local_days_across_a_daylight_saving_change() {
    for backend in BACKENDS {
        let (_db, store) = fixture(backend);
        // London leaves summer time on 2026-10-25 at 01:00 UTC.
        let rs = ask(
            &store,
            "usage between 2026-10-23 and 2026-10-28 per day show calls",
            "Europe/London",
        );
        let mut want = BTreeMap::new();
        for (day, from, to) in [
            ("2026-10-23", "2026-10-22 23:00:00", "2026-10-23 23:00:00"),
            ("2026-10-24", "2026-10-23 23:00:00", "2026-10-24 23:00:00"),
            ("2026-10-25", "2026-10-24 23:00:00", "2026-10-26 00:00:00"),
            ("2026-10-26", "2026-10-26 00:00:00", "2026-10-27 00:00:00"),
            ("2026-10-27", "2026-10-27 00:00:00", "2026-10-28 00:00:00"),
        ] {
            let q = "SELECT COUNT(*) FROM calls WHERE start_time >= ? AND start_time < ?";
            want.insert(
                day.to_string(),
                num(&sql(&store, q, q, &[Value::from(from), Value::from(to)])[0][0]),
            );
        }
        expect_same(
            &format!("{backend:?} London days"),
            &by_group(&rs, "calls"),
            &want,
        );
    }
}

#[test]
fn plans_and_revenue_add_up() {
    for backend in BACKENDS {
        let (_db, store) = fixture(backend);
        let rs = ask(
            &store,
            "usage per plan show customers, usage_revenue",
            "UTC",
        );
        let q = "SELECT p.name, COUNT(*) FROM customers c JOIN plans p ON p.id = c.plan_id \
                 WHERE c.id IN (SELECT customer_id FROM calls UNION SELECT customer_id FROM sms UNION SELECT customer_id FROM data_sessions) GROUP BY p.name";
        let want: BTreeMap<String, f64> = sql(&store, q, q, &[])
            .iter()
            .map(|r| (r[0].to_string(), num(&r[1])))
            .collect();
        expect_same("customers per plan", &by_group(&rs, "customers"), &want);
        // Each plan's revenue against the hand computation (not against another answer of
        // tally's): tally rounds each group's revenue to the cent, so they agree within half a
        // cent.
        let got = by_group(&rs, "usage_revenue");
        let want = revenue_from_raw(&store, "p.name", None);
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>(),
            "{backend:?}: plans"
        );
        for (plan, w) in &want {
            assert!(
                (got[plan] - w).abs() <= 0.005 + 1e-9,
                "{backend:?} revenue of {plan}: tally {} by hand {w}",
                got[plan]
            );
            assert!(*w > 0.0, "{backend:?}: {plan} has revenue in the demo data");
        }
    }
}

/// November 2026, half-open, as `this month` at `now()` in UTC.
const NOVEMBER: (&str, &str) = ("2026-11-01 00:00:00", "2026-12-01 00:00:00");

/// Revenue by hand, from the raw tables joined to customers and plans, summed per `group` (a
/// column of `customers c` or `plans p`): outgoing call seconds ÷ 60 × the plan's price per
/// minute, plus outgoing SMS × its price per SMS, plus (bytes up + down) ÷ 10^6 × its price per
/// MB, each record priced at its customer's plan; unrounded. Only customers with a plan count.
fn revenue_from_raw(
    store: &Store,
    group: &str,
    range: Option<(&str, &str)>,
) -> BTreeMap<String, f64> {
    let within = |time: &str| match range {
        Some(_) => format!("AND r.{time} >= ? AND r.{time} < ?"),
        None => String::new(),
    };
    let parts = [
        format!(
            "SELECT {group}, SUM(r.duration_s * p.price_per_minute) / 60.0 FROM calls r \
             JOIN customers c ON c.id = r.customer_id JOIN plans p ON p.id = c.plan_id \
             WHERE r.direction = 'out' {} GROUP BY {group}",
            within("start_time")
        ),
        format!(
            "SELECT {group}, SUM(p.price_per_sms) FROM sms r \
             JOIN customers c ON c.id = r.customer_id JOIN plans p ON p.id = c.plan_id \
             WHERE r.direction = 'out' {} GROUP BY {group}",
            within("sent_at")
        ),
        format!(
            "SELECT {group}, SUM((r.bytes_up + r.bytes_down) * p.price_per_mb) / 1000000.0 \
             FROM data_sessions r \
             JOIN customers c ON c.id = r.customer_id JOIN plans p ON p.id = c.plan_id \
             WHERE 1 = 1 {} GROUP BY {group}",
            within("start_time")
        ),
    ];
    let params: Vec<Value> = range
        .map(|(from, to)| vec![Value::from(from), Value::from(to)])
        .unwrap_or_default();
    let mut out = BTreeMap::new();
    for q in &parts {
        for row in sql(store, q, q, &params) {
            *out.entry(row[0].to_string()).or_insert(0.0) += num(&row[1]);
        }
    }
    out
}

#[test]
fn explain_names_the_tables_and_binds_every_value() {
    for backend in BACKENDS {
        let (_db, store) = fixture(backend);
        let text = "explain summary 447700000003 since '2026-11-10 07:30'";
        let Answer::Explain(out) = run(&store, text, &Zone::utc(), now()).unwrap() else {
            panic!()
        };
        assert!(out.contains("raw calls, sms and data_sessions, 2026-11-10 07:30:00 UTC to 2026-11-11 00:00:00 UTC"), "{out}");
        assert!(
            out.contains(
                "customer_daily rollup, 2026-11-11 00:00:00 UTC to 2026-11-26 00:00:00 UTC"
            ),
            "{out}"
        );
        // The SQL tally runs binds every value; the form to paste has them inlined.
        let bound = out
            .split("as tally runs it, with bind parameters:\n")
            .nth(1)
            .and_then(|rest| rest.lines().next())
            .unwrap_or_else(|| panic!("{out}"));
        assert!(
            !bound.contains("447700000003"),
            "values are bound, not written into the SQL: {bound}"
        );
        let pasted = out
            .split("to paste into the ")
            .nth(1)
            .and_then(|rest| rest.lines().nth(1))
            .unwrap_or_else(|| panic!("{out}"));
        assert!(pasted.contains("'447700000003'"), "{pasted}");
        let params = out
            .lines()
            .find(|line| line.starts_with("parameters: ["))
            .unwrap_or_else(|| panic!("{out}"));
        assert!(params.contains("'447700000003'"), "{params}");
        let Answer::Explain(out) = run(
            &store,
            "explain peak hours calls last 7 days",
            &Zone::utc(),
            now(),
        )
        .unwrap() else {
            panic!()
        };
        assert!(
            out.contains(
                "network_hourly rollup, 2026-11-19 00:00:00 UTC to 2026-11-26 00:00:00 UTC"
            ),
            "{out}"
        );
        assert!(!out.contains("raw"), "{out}");
    }
}

#[test]
fn query_errors_point_at_the_spot() {
    for backend in BACKENDS {
        let (_db, store) = fixture(backend);
        let err = run(&store, "sms show minutes", &Zone::utc(), now()).unwrap_err();
        assert!(
            err.render("sms show minutes")
                .starts_with("line 1, column 10: `minutes` is not a measure of sms\n"),
            "{backend:?}"
        );
        let err = run(&store, "calls per dya", &Zone::utc(), now()).unwrap_err();
        assert!(err.render("calls per dya").contains("did you mean `day`?"));
    }
}

/// `m` is minutes everywhere in tally: `100m` where a size goes is refused, quoting what was
/// typed (not the 6000 seconds it was read as) and suggesting megabytes; a word that starts
/// a measure's name gets the names it starts.
#[test]
fn errors_quote_what_was_typed_and_suggest_what_was_meant() {
    for backend in BACKENDS {
        let (_db, store) = fixture(backend);
        let text = "data where down > 100m";
        let shown = run(&store, text, &Zone::utc(), now())
            .unwrap_err()
            .render(text);
        assert!(
            shown.starts_with("line 1, column 19: `100m` is not a size"),
            "{backend:?}: {shown}"
        );
        assert!(shown.contains("for megabytes write `100MB`"), "{shown}");
        assert!(!shown.contains("6000"), "{shown}");
        let text = "calls where duration > 2.5m";
        assert!(
            run(&store, text, &Zone::utc(), now()).is_ok(),
            "{backend:?}: a duration in minutes is still a duration"
        );
        let text = "top 5 customers by data";
        let shown = run(&store, text, &Zone::utc(), now())
            .unwrap_err()
            .render(text);
        assert!(
            shown.contains("did you mean `data_sessions` or `data_mb`?"),
            "{backend:?}: {shown}"
        );
    }
}
