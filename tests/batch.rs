//! Batch mode: `-e`, `-f` and standard input, each output format, and the exit codes.

mod common;

use common::{BACKENDS, Backend, TestDb, stderr, stdout, tally, tally_cmd};
use std::io::Write;

fn demo(db: &TestDb) {
    let out = tally(&[
        "--db",
        &db.url,
        "demo",
        "--customers",
        "20",
        "--days",
        "3",
        "--seed",
        "4",
        "--end",
        "2026-11-20",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn every_format_from_every_input() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        demo(&db);
        let q = "top 3 customers by calls; peak hours sms";
        let csv = stdout(&tally(&["--db", &db.url, "--format", "csv", "-e", q]));
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "customer,calls", "{backend:?} {csv}");
        assert!(
            lines[1].split(',').nth(1).unwrap().parse::<u64>().is_ok(),
            "raw numbers in csv: {csv}"
        );
        assert!(
            csv.contains("hour,sms\n0,"),
            "the second statement follows: {csv}"
        );
        let json = stdout(&tally(&[
            "--db",
            &db.url,
            "--format",
            "json",
            "-e",
            "top 3 customers by calls",
        ]));
        let parsed: serde_json::Value = serde_json::from_str(&json).expect("valid json");
        assert_eq!(parsed.as_array().unwrap().len(), 3);
        assert!(parsed[0]["calls"].is_i64(), "{json}");
        let table = stdout(&tally(&["--db", &db.url, "-e", "top 3 customers by calls"]));
        assert!(table.contains("│ customer     │ calls │"), "{table}");
        let md = stdout(&tally(&[
            "--db",
            &db.url,
            "--format",
            "markdown",
            "-e",
            "top 3 customers by calls",
        ]));
        assert!(md.contains("| customer     | calls |"), "{md}");
        let vertical = stdout(&tally(&[
            "--db",
            &db.url,
            "--format",
            "vertical",
            "-e",
            "top 1 customers by calls",
        ]));
        assert!(
            vertical.contains("*************************** 1. row"),
            "{vertical}"
        );

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("report.tally");
        std::fs::write(
            &file,
            "-- morning report\nsummary;\ntop 2 customers by sms\n",
        )
        .unwrap();
        let out = tally(&[
            "--db",
            &db.url,
            "--format",
            "csv",
            "-f",
            file.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            stdout(&out).starts_with("active_customers,calls,"),
            "{}",
            stdout(&out)
        );

        let mut child = tally_cmd(&["--db", &db.url, "--format", "csv"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"customers limit 2\n")
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        assert_eq!(
            stdout(&out).lines().count(),
            3,
            "header and two rows: {}",
            stdout(&out)
        );
        assert!(
            stderr(&out).is_empty(),
            "no prompts or messages on stderr: {}",
            stderr(&out)
        );
    }
}

#[test]
fn exit_codes() {
    let db = TestDb::new(Backend::Sqlite);
    demo(&db);
    let ok = tally(&["--db", &db.url, "-e", "summary"]);
    assert_eq!(ok.status.code(), Some(0));
    let bad = tally(&["--db", &db.url, "-e", "summary; calls per dya; summary"]);
    assert_eq!(bad.status.code(), Some(1), "a query error");
    assert!(
        stderr(&bad).contains("line 1, column 20: `dya` is not something to group by"),
        "{}",
        stderr(&bad)
    );
    assert!(
        stderr(&bad).contains("  calls per dya\n            ^^^\n"),
        "{}",
        stderr(&bad)
    );
    assert_eq!(
        stdout(&bad).matches("Network summary").count(),
        1,
        "stops at the first error"
    );
    let nobody = tally(&["--db", &db.url, "-e", "summary 0000000"]);
    assert_eq!(nobody.status.code(), Some(1), "an unknown customer");
    assert!(
        stderr(&nobody).contains("column 9: no customer `0000000`"),
        "{}",
        stderr(&nobody)
    );
    let usage = tally(&["--db", &db.url, "--format", "xml", "-e", "summary"]);
    assert_eq!(usage.status.code(), Some(2));
    let dead = tally(&["--db", "mysql://root@127.0.0.1:1/x", "-e", "summary"]);
    assert_eq!(dead.status.code(), Some(3));
}

#[test]
fn log_lines_in_a_batch_store_records_once_and_confirm_on_stderr() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let script = "log call 447700900123 out 447700900456 --duration 2m --at '2026-11-20 10:00' --create-customer --source-key b1;\n\
                      summary 447700900123";
        let out = tally(&["--db", &db.url, "--format", "csv", "-e", script]);
        assert!(out.status.success(), "{backend:?} {}", stderr(&out));
        assert!(stderr(&out).starts_with("logged call"), "{}", stderr(&out));
        let csv = stdout(&out);
        assert!(
            csv.starts_with("calls,"),
            "only the answer on stdout: {csv}"
        );
        assert!(csv.contains("\n1,1,0,1,2,"), "one call of 2 minutes: {csv}");
        let again = tally(&["--db", &db.url, "-e", script]);
        assert_eq!(again.status.code(), Some(1), "the same source key twice");
        assert!(stderr(&again).contains("b1"), "{}", stderr(&again));
    }
}

#[test]
fn metrics_come_from_shared_files_the_config_and_earlier_runs() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        demo(&db);
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        let team = dir.path().join("team.rhai");
        std::fs::write(&team, "// team\nmetric team_rev = minutes * 0.1\n").unwrap();
        let run = |args: &[&str]| {
            let mut all = vec!["--db", db.url.as_str(), "--format", "csv"];
            all.extend(args);
            let out = tally_cmd(&all)
                .env("XDG_CONFIG_HOME", &config)
                .output()
                .unwrap();
            (out.status.code(), stdout(&out), stderr(&out))
        };
        let q = "top 3 customers by team_rev show minutes";
        let (code, _, err) = run(&["-e", q]);
        assert_eq!(code, Some(1), "{backend:?}: unknown without the file");
        assert!(err.contains("unknown measure `team_rev`"), "{err}");
        // --metrics FILE
        let (code, out, err) = run(&["--metrics", team.to_str().unwrap(), "-e", q]);
        assert_eq!(code, Some(0), "{backend:?}: {err}");
        let row: Vec<f64> = out
            .lines()
            .nth(1)
            .unwrap()
            .split(',')
            .skip(1)
            .map(|v| v.parse().unwrap())
            .collect();
        assert!((row[0] - row[1] * 0.1).abs() < 1e-9, "{out}");
        // metrics = [...] in config.toml, relative to its folder
        std::fs::create_dir_all(config.join("tally")).unwrap();
        std::fs::copy(&team, config.join("tally").join("team.rhai")).unwrap();
        std::fs::write(
            config.join("tally").join("config.toml"),
            "metrics = [\"team.rhai\"]\n",
        )
        .unwrap();
        let (code, from_config, err) = run(&["-e", q]);
        assert_eq!(code, Some(0), "{backend:?}: {err}");
        assert_eq!(from_config, out);
        // A metric defined in one run lasts for that run, unless saved.
        let (code, _, err) = run(&["-e", "metric double_rev = team_rev * 2"]);
        assert_eq!(code, Some(0), "{err}");
        assert!(
            err.contains("metric double_rev defined for this session (plain arithmetic"),
            "{err}"
        );
        let (code, _, err) = run(&["-e", "top 1 customers by double_rev show team_rev"]);
        assert_eq!(code, Some(1), "{backend:?}: not saved, gone: {err}");
        let (code, _, err) = run(&[
            "-e",
            "metric double_rev = team_rev * 2\nmetric save double_rev",
        ]);
        assert_eq!(code, Some(0), "{err}");
        assert!(err.contains("metric double_rev saved in "), "{err}");
        let (code, out, err) = run(&["-e", "top 1 customers by double_rev show team_rev"]);
        assert_eq!(code, Some(0), "{backend:?}: {err}");
        let row: Vec<f64> = out
            .lines()
            .nth(1)
            .unwrap()
            .split(',')
            .skip(1)
            .map(|v| v.parse().unwrap())
            .collect();
        assert!((row[0] - row[1] * 2.0).abs() < 1e-9, "{out}");
    }
}

#[test]
fn errors_in_a_file_say_its_name_line_and_column_with_a_caret() {
    let db = TestDb::new(Backend::Sqlite);
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let out = tally(&["--db", &db.url, "-f", path.to_str().unwrap()]);
        (path.display().to_string(), out)
    };
    // A metric's error, at its place in the file, not in the expression alone.
    let (path, out) = run(
        "metric.tally",
        "summary\nmetric x = {\n  let a = 1;\n  a + sms_out + nope\n}\n",
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{path}:4:17: metric `x`: Undefined variable: nope\n    a + sms_out + nope\n                  ^")),
        "{err}"
    );
    // Typed on one line: the column counts from the statement's start.
    let out = tally(&["--db", &db.url, "-e", "metric y = minutes +* 2"]);
    let err = stderr(&out);
    assert!(err.contains("line 1, column 21: metric `y`: Unexpected '*'\n  metric y = minutes +* 2\n                      ^"), "{err}");
    // A log line and a dot command: the file and line.
    let (path, out) = run("log.tally", "summary\n\nlog call --bogus\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with(&format!("tally: {path}:3: ")),
        "{}",
        stderr(&out)
    );
    let (path, out) = run("dot.tally", "summary\n.format nope\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with(&format!("tally: {path}:2: unknown format \"nope\"")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_file_of_one_statement_per_line_and_dot_commands_on_standard_input() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        demo(&db);
        let dir = tempfile::tempdir().unwrap();
        // The layout of a `.tally` report: no `;`, a statement per line, one going on over
        // two lines, dot commands between them.
        let path = dir.path().join("day.tally");
        std::fs::write(
            &path,
            "summary\n.format csv\ntop 2 customers\n  by calls\nmetric twice = calls * 2\ntop 1 customers by twice\n",
        )
        .unwrap();
        let out = tally(&["--db", &db.url, "-f", path.to_str().unwrap()]);
        assert!(out.status.success(), "{backend:?} {}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains("│ active_customers │"), "a box first: {text}");
        let csv = text.split_once("└").map(|(_, rest)| rest).unwrap_or("");
        assert!(csv.contains("\ncustomer,calls\n"), "then csv: {text}");
        assert!(csv.contains("\ncustomer,twice\n"), "{text}");
        let tables = csv.matches("customer,").count();
        assert_eq!(tables, 2, "{text}");

        // Standard input: a dot command, then queries.
        let mut child = tally_cmd(&["--db", &db.url])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b".format csv\nsummary\n")
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{backend:?} {}", stderr(&out));
        assert!(
            stdout(&out).starts_with("active_customers,calls,calls_out,calls_in,"),
            "{}",
            stdout(&out)
        );
    }
}

#[test]
fn output_to_a_file_takes_a_report_run_by_name_too() {
    let db = TestDb::new(Backend::Sqlite);
    demo(&db);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("answers.txt");
    let script = format!(
        ".output {}\n.run weekly-top-talkers n=2\n.output\nsummary\n",
        file.display()
    );
    let out = tally(&["--db", &db.url, "-e", &script]);
    assert!(out.status.success(), "{}", stderr(&out));
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.contains("Top 2 customers by calls"), "{written}");
    assert!(
        !stdout(&out).contains("Top 2 customers"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("active_customers"),
        "back to the screen"
    );
}
