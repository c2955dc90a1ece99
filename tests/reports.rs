//! Every script in scripts/ run with `tally run` on MariaDB and SQLite against generated data,
//! its figures checked against plain queries; failing scripts exit non-zero with FILE:LINE.

mod common;

use common::{BACKENDS, TestDb, stderr, stdout, tally};
use std::path::Path;
use tally::store::Value;

const SCRIPTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts");

fn demo(db: &TestDb) {
    let out = tally(&[
        "--db",
        &db.url,
        "demo",
        "--customers",
        "40",
        "--days",
        "40",
        "--seed",
        "7",
        "--end",
        "2026-11-26",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// `tally run scripts/NAME ARGS...` in UTC, after checking it succeeded: its tables (stdout),
/// then its lines of text (stderr when the format is csv or json, which they would break).
fn report(db: &TestDb, name: &str, args: &[&str]) -> String {
    let path = format!("{SCRIPTS}/{name}");
    let mut all = vec!["--db", &db.url, "--tz", "UTC", "run", &path];
    all.extend(args);
    let out = tally(&all);
    assert!(
        out.status.success(),
        "{name} on {:?}: {}",
        db.backend,
        stderr(&out)
    );
    format!("{}{}", stdout(&out), stderr(&out))
}

fn query_csv(db: &TestDb, text: &str) -> String {
    let out = tally(&[
        "--db", &db.url, "--tz", "UTC", "--format", "csv", "-e", text,
    ]);
    assert!(out.status.success(), "{text}: {}", stderr(&out));
    stdout(&out)
}

/// The csv line whose first field is `first`, split.
fn line_of(csv: &str, first: &str) -> Vec<String> {
    csv.lines()
        .find(|l| l.split(',').next() == Some(first))
        .unwrap_or_else(|| panic!("no `{first}` line in\n{csv}"))
        .split(',')
        .map(str::to_string)
        .collect()
}

fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The charged lines of a monthly statement, computed from the raw tables and the customer's
/// plan for `from` ≤ time < `to`: the monthly fee; outgoing call seconds ÷ 60 × price per
/// minute; outgoing SMS × price per SMS; (bytes up + down) ÷ 10^6 × price per MB. Each rounded
/// to the cent, as a bill prints it. Incoming calls and SMS are free and left out.
fn statement_by_hand(db: &TestDb, key: &str, from: &str, to: &str) -> Vec<(&'static str, f64)> {
    let store = db.open();
    let one = |sql: &str, params: &[Value]| -> f64 {
        let rows = store
            .read(|c| Ok(c.query(sql, params)?))
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        rows.rows[0][0].as_f64().unwrap_or(0.0)
    };
    let who = [Value::from(key)];
    let plan = |column: &str| {
        one(
            &format!(
                "SELECT p.{column} FROM customers c JOIN plans p ON p.id = c.plan_id \
                 WHERE c.subscriber_key = ?"
            ),
            &who,
        )
    };
    let within = [Value::from(key), Value::from(from), Value::from(to)];
    let sum = |what: &str, table: &str, time: &str, out: bool| {
        let direction = if out { "AND r.direction = 'out'" } else { "" };
        one(
            &format!(
                "SELECT {what} FROM {table} r JOIN customers c ON c.id = r.customer_id \
                 WHERE c.subscriber_key = ? AND r.{time} >= ? AND r.{time} < ? {direction}"
            ),
            &within,
        )
    };
    let seconds_out = sum("SUM(r.duration_s)", "calls", "start_time", true);
    let sms_out = sum("COUNT(*)", "sms", "sent_at", true);
    let bytes = sum(
        "SUM(r.bytes_up + r.bytes_down)",
        "data_sessions",
        "start_time",
        false,
    );
    vec![
        ("Monthly fee", cents(plan("monthly_fee"))),
        (
            "Calls out",
            cents(seconds_out / 60.0 * plan("price_per_minute")),
        ),
        ("SMS out", cents(sms_out * plan("price_per_sms"))),
        ("Data", cents(bytes / 1e6 * plan("price_per_mb"))),
    ]
}

fn num(s: &str) -> f64 {
    s.parse()
        .unwrap_or_else(|_| panic!("`{s}` is not a number"))
}

#[test]
fn every_script_runs_and_prints_its_report_on_both_backends() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        demo(&db);
        let scripts: Vec<String> = std::fs::read_dir(SCRIPTS)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tally") || n.ends_with(".rhai"))
            .collect();
        assert_eq!(scripts.len(), 5, "{scripts:?}");

        // Weekly top talkers: its first table is the plain query's.
        let range = "between 2026-11-18 and 2026-11-25";
        let weekly = report(
            &db,
            "weekly-top-talkers.tally",
            &["--param", &format!("range={range}"), "--format", "json"],
        );
        let weekly: serde_json::Value = serde_json::from_str(&weekly).unwrap();
        let tables = weekly.as_object().unwrap();
        assert_eq!(tables.len(), 3, "three tables: {weekly}");
        let first: serde_json::Value = serde_json::from_str(&stdout(&tally(&[
            "--db",
            &db.url,
            "--tz",
            "UTC",
            "--format",
            "json",
            "-e",
            &format!("top 10 customers by calls {range} show minutes, sms, data_mb"),
        ])))
        .unwrap();
        assert_eq!(
            tables[&format!("Top 10 customers by calls, {range}")],
            first,
            "{weekly}"
        );
        let table = report(&db, "weekly-top-talkers.tally", &["--param", "n=3"]);
        assert!(
            table.contains("Top 3 customers by data, last 7 days"),
            "{table}"
        );

        // Daily network report: the day's figures are the summary's.
        let daily = report(
            &db,
            "daily-network.rhai",
            &["--param", "day=2026-11-24", "--format", "csv"],
        );
        let day = query_csv(&db, "summary on 2026-11-24");
        let before = query_csv(&db, "summary on 2026-11-23");
        let value = |csv: &str, i: usize| {
            csv.lines()
                .nth(1)
                .unwrap()
                .split(',')
                .nth(i)
                .unwrap()
                .to_string()
        };
        let calls = line_of(&daily, "calls");
        assert_eq!(calls[1], value(&before, 1), "{daily}");
        assert_eq!(calls[2], value(&day, 1), "{daily}");
        assert!(daily.contains("Busiest hour on 2026-11-24: "), "{daily}");

        // Monthly statement: each charge and the total against a hand computation over the raw
        // tables and the customer's plan (not against tally's own `revenue`).
        let key = "447700000001";
        let statement = report(
            &db,
            "monthly-statement.rhai",
            &[
                "--param",
                &format!("customer={key}"),
                "--param",
                "month=2026-11-10",
                "--format",
                "csv",
            ],
        );
        assert!(
            statement.contains(&format!("Statement for {key}")),
            "{statement}"
        );
        let by_hand = statement_by_hand(&db, key, "2026-11-01 00:00:00", "2026-12-01 00:00:00");
        assert!(
            by_hand.iter().all(|(_, charge)| *charge > 0.0),
            "the customer pays a fee and uses calls, SMS and data in November: {by_hand:?}"
        );
        for (item, want) in &by_hand {
            let line = statement
                .lines()
                .find(|l| l.starts_with(item))
                .unwrap_or_else(|| panic!("no `{item}` line in\n{statement}"));
            let got = num(line.rsplit(',').next().unwrap());
            assert!(
                (got - want).abs() < 1e-6,
                "{backend:?} {item}: {got} by hand {want}\n{statement}"
            );
        }
        // item, quantity, charge: the plan of each line is in its item; money has 2 decimals.
        let total_text = line_of(&statement, "Total")[2].clone();
        assert!(
            total_text
                .split_once('.')
                .is_some_and(|(_, cents)| cents.len() == 2),
            "{total_text}"
        );
        let total = num(&total_text);
        let sum: f64 = by_hand.iter().map(|(_, charge)| charge).sum();
        assert!(
            (total - cents(sum)).abs() < 1e-6,
            "{backend:?} total {total}, by hand {sum}\n{statement}"
        );
        let lines: f64 = statement
            .lines()
            .skip_while(|l| !l.starts_with("item,"))
            .skip(1)
            .take_while(|l| l.matches(',').count() == 2)
            .filter(|l| !l.starts_with("Total"))
            .map(|l| num(l.rsplit(',').next().unwrap()))
            .sum();
        assert!(
            (total - lines).abs() < 0.03,
            "the lines add up to the total: {statement}"
        );

        // Peak capacity: each weekday's busiest hour has the most calls of its hours.
        let peak = report(
            &db,
            "peak-capacity.rhai",
            &[
                "--param",
                "weeks=4",
                "--param",
                "until=2026-11-26",
                "--format",
                "csv",
            ],
        );
        let hours = query_csv(
            &db,
            "calls between 2026-10-29 and 2026-11-26 per weekday, hour show count",
        );
        for w in ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] {
            let most = hours
                .lines()
                .filter(|l| l.starts_with(&format!("{w},")))
                .map(|l| num(l.rsplit(',').next().unwrap()))
                .fold(0.0, f64::max);
            assert_eq!(num(&line_of(&peak, w)[2]), most, "{w}: {peak}");
        }

        // Retention watch runs on the demo data (its figures are checked below).
        let watch = report(
            &db,
            "retention-watch.rhai",
            &["--param", "until=2026-11-26", "--param", "days=14"],
        );
        assert!(
            watch.starts_with("Retention watch: 2026-10-29 to 2026-11-12"),
            "{watch}"
        );
    }
}

#[test]
fn retention_watch_lists_exactly_the_customers_whose_usage_halved() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let mut script = String::new();
        // A: 12 calls in October, 2 in November (down 83%); B: 12 and 12; C: 4 and 0 (too few).
        let calls = [
            ("447700000101", 12, 2),
            ("447700000102", 12, 12),
            ("447700000103", 4, 0),
        ];
        for (key, before, now) in calls {
            for i in 0..before {
                script.push_str(&format!(
                    "log call {key} out 447700999999 --duration 60 --at '2026-10-{:02} 10:00' --create-customer;\n",
                    i + 2
                ));
            }
            for i in 0..now {
                script.push_str(&format!(
                    "log call {key} out 447700999999 --duration 120 --at '2026-11-{:02} 10:00' --create-customer;\n",
                    i + 2
                ));
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("load.tally");
        std::fs::write(&file, script).unwrap();
        let out = tally(&["--db", &db.url, "--tz", "UTC", "-f", file.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        let watch = report(
            &db,
            "retention-watch.rhai",
            &[
                "--param",
                "until=2026-11-30",
                "--param",
                "days=30",
                "--format",
                "csv",
            ],
        );
        // A's row: records before, records now, and the change in percent to one decimal,
        // (now − before) ÷ before × 100, from the calls logged for A above.
        let (key, before, now) = calls[0];
        let change = f64::from(now - before) / f64::from(before) * 100.0;
        let a = line_of(&watch, key);
        assert_eq!(
            a[2..5],
            [before.to_string(), now.to_string(), format!("{change:.1}")],
            "{backend:?}: {watch}"
        );
        assert!(!watch.contains("447700000102"), "{watch}");
        assert!(
            !watch.contains("447700000103"),
            "too few records before: {watch}"
        );
    }
}

/// Runs a script file written here; the failure's exit code and stderr.
fn failing(
    db: &TestDb,
    dir: &Path,
    name: &str,
    text: &str,
    args: &[&str],
) -> (Option<i32>, String) {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    let path = path.to_str().unwrap().to_string();
    let mut all = vec!["--db", &db.url, "run", &path];
    all.extend(args);
    let out = tally(&all);
    (out.status.code(), stderr(&out))
}

#[test]
fn a_failing_script_exits_non_zero_with_file_and_line() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display();
        let (code, err) = failing(
            &db,
            dir.path(),
            "typo.tally",
            "-- a report\nsummary\ncalls per dya\nsummary\n",
            &[],
        );
        assert_eq!(code, Some(1));
        assert!(
            err.starts_with(&format!(
                "{d}/typo.tally:3:11: `dya` is not something to group by"
            )),
            "{err}"
        );
        let (code, err) = failing(
            &db,
            dir.path(),
            "query.rhai",
            "let a = 1;\nlet rows = query(\"peak hours fax\");\n",
            &[],
        );
        assert_eq!(code, Some(1));
        assert!(
            err.starts_with(&format!("{d}/query.rhai:2: query `peak hours fax`")),
            "{err}"
        );
        let (code, err) = failing(
            &db,
            dir.path(),
            "zero.rhai",
            "let a = 1;\n\nlet b = a / 0;\n",
            &[],
        );
        assert_eq!(code, Some(1));
        // The line and column, the line and a caret under the spot.
        assert!(
            err.starts_with(&format!(
                "{d}/zero.rhai:3:11: Division by zero: 1 / 0\n  let b = a / 0;\n            ^"
            )),
            "{err}"
        );
        let (code, err) = failing(&db, dir.path(), "syntax.rhai", "let a = ;\n", &[]);
        assert_eq!(code, Some(1));
        assert!(
            err.starts_with(&format!(
                "{d}/syntax.rhai:1:9: Unexpected ';'\n  let a = ;\n          ^"
            )),
            "{err}"
        );
        let (code, err) = failing(
            &db,
            dir.path(),
            "need.tally",
            "param who\nsummary $who\n",
            &[],
        );
        assert_eq!(code, Some(1));
        assert!(
            err.contains("need.tally:1: parameter `who` has no default"),
            "{err}"
        );
        let (code, err) = failing(
            &db,
            dir.path(),
            "extra.tally",
            "summary\n",
            &["--param", "x=1"],
        );
        assert_eq!(code, Some(1));
        assert!(
            err.contains("--param x: the report has no such parameter"),
            "{err}"
        );
        let (code, err) = failing(&db, dir.path(), "report.txt", "summary\n", &[]);
        assert_eq!(code, Some(1));
        assert!(err.contains("a report is a .tally file"), "{err}");
    }
}
