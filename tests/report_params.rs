//! Report parameters are values bound into the parsed statement, never text pasted into it:
//! a `--param` holding query syntax finds nothing instead of everything.

mod common;

use common::{BACKENDS, TestDb, stderr, stdout, tally};

const KEY: &str = "447700900001";
const HOSTILE: &str = "x' or customer != 'y";

fn seeded(backend: common::Backend) -> TestDb {
    let db = TestDb::new(backend);
    for (i, key) in [KEY, "447700900002", "447700900003"].iter().enumerate() {
        for j in 0..=i {
            let out = tally(&[
                "--db",
                &db.url,
                "log",
                "sms",
                key,
                "out",
                "447700900009",
                "--at",
                &format!("2026-11-2{i} 10:0{j}"),
                "--create-customer",
            ]);
            assert!(out.status.success(), "{}", stderr(&out));
        }
    }
    db
}

fn run_report(
    db: &TestDb,
    dir: &std::path::Path,
    name: &str,
    text: &str,
    params: &[&str],
) -> std::process::Output {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    let mut args = vec![
        "--db",
        db.url.as_str(),
        "--tz",
        "UTC",
        "--format",
        "csv",
        "run",
    ];
    let path = path.to_str().unwrap().to_string();
    args.push(&path);
    let mut owned = Vec::new();
    for p in params {
        owned.push("--param".to_string());
        owned.push(p.to_string());
    }
    args.extend(owned.iter().map(String::as_str));
    tally(&args)
}

#[test]
fn a_rhai_query_binds_its_parameters_as_values() {
    let script =
        "let k = param(\"k\");\ntable(query(\"sms where customer = $k show count\", #{k: k}));\n";
    for backend in BACKENDS {
        let db = seeded(backend);
        let dir = tempfile::tempdir().unwrap();
        let honest = run_report(&db, dir.path(), "r.rhai", script, &[&format!("k={KEY}")]);
        assert!(honest.status.success(), "{}", stderr(&honest));
        assert_eq!(stdout(&honest), "count\n1\n", "{backend:?}");
        let hostile = run_report(
            &db,
            dir.path(),
            "r.rhai",
            script,
            &[&format!("k={HOSTILE}")],
        );
        assert!(hostile.status.success(), "{}", stderr(&hostile));
        assert_eq!(
            stdout(&hostile),
            "count\n0\n",
            "{backend:?}: the value is only a value"
        );
    }
}

#[test]
fn a_parameter_in_quotes_is_pointed_at_not_matched_as_text() {
    let script = "table(query(\"sms where customer = '$k' show count\", #{k: param(\"k\")}));\n";
    let db = seeded(common::Backend::Sqlite);
    let dir = tempfile::tempdir().unwrap();
    let out = run_report(
        &db,
        dir.path(),
        "r.rhai",
        script,
        &[&format!("k={HOSTILE}")],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("without quotes"), "{}", stderr(&out));
}

#[test]
fn a_tally_report_binds_values_counts_and_ranges() {
    let values = "param who = 447700900003\nsms where customer = $who show count\n";
    let shapes = "param n = 2\nparam range = last 7 days\n\n\ntop $n customers by sms $range\n";
    let range = "range=between 2026-11-01 and 2026-11-30";
    for backend in BACKENDS {
        let db = seeded(backend);
        let dir = tempfile::tempdir().unwrap();
        let plain = run_report(&db, dir.path(), "v.tally", values, &[]);
        assert!(plain.status.success(), "{}", stderr(&plain));
        assert_eq!(stdout(&plain), "count\n3\n", "{backend:?}");
        let hostile = run_report(
            &db,
            dir.path(),
            "v.tally",
            values,
            &[&format!("who={HOSTILE}")],
        );
        assert!(hostile.status.success(), "{}", stderr(&hostile));
        assert_eq!(
            stdout(&hostile),
            "count\n0\n",
            "{backend:?}: the value is only a value"
        );
        let top = run_report(&db, dir.path(), "r.tally", shapes, &[range]);
        assert!(top.status.success(), "{}", stderr(&top));
        assert_eq!(
            stdout(&top),
            "customer,sms\n447700900003,3\n447700900002,2\n",
            "{backend:?}"
        );
        for (param, says) in [
            ("n=3 customers by sms", "not a whole number"),
            ("range=last 7 days per customer", "not a time range"),
            ("range=where customer != 1", "not a time range"),
        ] {
            let out = run_report(&db, dir.path(), "r.tally", shapes, &[param]);
            assert_eq!(out.status.code(), Some(1), "{param}");
            assert!(stderr(&out).contains(says), "{param}: {}", stderr(&out));
            // The error points into the report's own text, at the parameter.
            assert!(
                stderr(&out).contains("r.tally:5:"),
                "{param}: {}",
                stderr(&out)
            );
        }
    }
}

#[test]
fn log_lines_take_parameters_as_whole_arguments_and_metrics_refuse_them() {
    let db = seeded(common::Backend::Sqlite);
    let dir = tempfile::tempdir().unwrap();
    let text = "param k\nlog sms $k out 447700900456 --at '2026-11-22 10:00'\nsms where customer = $k show count\n";
    let out = run_report(&db, dir.path(), "log.tally", text, &[&format!("k={KEY}")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "count\n2\n",
        "the SMS went to {KEY}, not to a customer `$k`"
    );
    let nobody = tally(&["--db", &db.url, "customer", "show", "$k"]);
    assert_eq!(nobody.status.code(), Some(1));
    let metric = "param rate = 2\nmetric m = minutes * $rate\nsms show count\n";
    let out = run_report(&db, dir.path(), "metric.tally", metric, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot use report parameters"),
        "{}",
        stderr(&out)
    );
}
