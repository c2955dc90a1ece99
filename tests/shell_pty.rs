//! The shell driven through a real pseudo-terminal, as a person uses it.

mod common;

use common::{BACKENDS, Backend, TestDb, tally_cmd};
use expectrl::session::OsSession;
use expectrl::{ControlCode, Expect, Session};
use std::time::Duration;

/// The summary's first row as the shell draws it (30 demo customers, all active).
const SUMMARY_ROW: expectrl::Regex<&str> = expectrl::Regex(r"│ active_customers +│ +30 │");

fn demo(db: &TestDb) {
    let out = common::tally(&[
        "--db",
        &db.url,
        "demo",
        "--customers",
        "30",
        "--days",
        "5",
        "--seed",
        "2",
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
}

fn shell(db: &TestDb, history: &std::path::Path) -> OsSession {
    shell_in(db, history, None)
}

/// A shell whose config folder (metrics, config.toml) is `config`.
fn shell_in(db: &TestDb, history: &std::path::Path, config: Option<&std::path::Path>) -> OsSession {
    let mut cmd = tally_cmd(&["--db", &db.url, "--tz", "UTC"]);
    cmd.env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .env("TALLY_HISTORY", history);
    if let Some(dir) = config {
        cmd.env("XDG_CONFIG_HOME", dir);
    }
    let mut p = Session::spawn(cmd).expect("spawn tally in a pty");
    p.set_expect_timeout(Some(Duration::from_secs(30)));
    p.expect("> ").expect("a prompt");
    p
}

fn prompt(db: &TestDb) -> String {
    let name = match db.backend {
        Backend::Mysql => format!("mysql:{}", db.url.rsplit('/').next().unwrap()),
        Backend::Sqlite => "sqlite:test.db".into(),
    };
    format!("tally {name}> ")
}

#[test]
fn queries_completion_errors_and_history_in_a_terminal() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        demo(&db);
        let dir = tempfile::tempdir().unwrap();
        let history = dir.path().join("history");
        let mut p = shell(&db, &history);
        // Tab completes a keyword in context.
        p.send("peak hours ca").unwrap();
        p.send("\t").unwrap();
        p.expect("calls").unwrap();
        p.send_line(" last 7 days").unwrap();
        p.expect("Peak hours, calls").unwrap();
        // On a terminal the bars and the marker are drawn (a pipe gets none).
        p.expect("█").unwrap();
        p.expect("◀ peak").unwrap();
        p.expect(prompt(&db).as_str()).unwrap();
        // Tab twice lists the subscriber keys that start with what is typed, from the store.
        p.send("summary 44770000000").unwrap();
        p.send("\t\t").unwrap();
        p.expect("447700000009").unwrap();
        p.send_line("1").unwrap();
        p.expect("Customer 447700000001").unwrap();
        p.expect(prompt(&db).as_str()).unwrap();
        // A typo shows the line, a caret under the word and a suggestion.
        p.send_line("calls wehre x").unwrap();
        p.expect("line 1, column 7: unexpected word `wehre`")
            .unwrap();
        p.expect("  calls wehre x\r\n        ^^^^^").unwrap();
        p.expect("did you mean `where`?").unwrap();
        p.expect(prompt(&db).as_str()).unwrap();
        // A statement left open goes on to the next line.
        p.send_line("top 3 customers by").unwrap();
        p.send_line("minutes").unwrap();
        p.expect("Top 3 customers by minutes").unwrap();
        // Keys typed while a query runs are dropped when the editor takes the terminal back:
        // wait for the prompt, as a person would.
        p.expect(prompt(&db).as_str()).unwrap();
        // Ctrl-C at the prompt clears the line.
        p.send("calls wh").unwrap();
        p.expect("calls wh").unwrap();
        p.send(ControlCode::EndOfText).unwrap();
        // The editor drops keys typed while it takes the terminal back after Ctrl-C.
        std::thread::sleep(Duration::from_millis(500));
        p.send_line("summary").unwrap();
        p.expect(SUMMARY_ROW).unwrap();
        p.expect(prompt(&db).as_str()).unwrap();
        // Ctrl-D on an empty line ends the shell.
        p.send(ControlCode::EndOfTransmission).unwrap();
        p.expect(expectrl::Eof).unwrap();

        // The next session has the history: Up brings back the last statement.
        let saved = std::fs::read_to_string(&history).unwrap();
        assert!(
            saved.contains("top 3 customers by\\nminutes"),
            "one entry for a multi-line statement: {saved}"
        );
        let mut p = shell(&db, &history);
        p.send("\x1b[A").unwrap();
        p.send("\r").unwrap();
        p.expect(SUMMARY_ROW).unwrap();
        p.send_line(".quit").unwrap();
        p.expect(expectrl::Eof).unwrap();
    }
}

#[test]
fn ctrl_c_cancels_a_running_query_on_the_server() {
    use mysql::prelude::Queryable;
    let db = TestDb::new(Backend::Mysql);
    demo(&db);
    let name = db.url.rsplit('/').next().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let mut p = shell(&db, &dir.path().join("history"));
    // Another session holds a write lock, so the shell's query waits: a long query on demand.
    let mut locker = mysql::Conn::new(mysql::Opts::from_url(&db.url).unwrap()).unwrap();
    locker
        .query_drop("LOCK TABLES network_hourly WRITE")
        .unwrap();
    let mut admin =
        mysql::Conn::new(mysql::Opts::from_url(&common::mysql_base()).unwrap()).unwrap();
    let waiting = |admin: &mut mysql::Conn| -> usize {
        let rows: Vec<u64> = admin
            .exec("SELECT id FROM information_schema.processlist WHERE db = ? AND info LIKE '%network_hourly%' AND id <> CONNECTION_ID()", (&name,))
            .unwrap();
        rows.len()
    };
    p.send_line("peak hours calls").unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while waiting(&mut admin) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the query never reached the server"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    p.send(ControlCode::EndOfText).unwrap();
    p.expect("query cancelled").unwrap();
    assert_eq!(
        waiting(&mut admin),
        0,
        "the query is gone from the processlist"
    );
    locker.query_drop("UNLOCK TABLES").unwrap();
    // The shell goes on.
    p.send_line("summary").unwrap();
    p.expect(SUMMARY_ROW).unwrap();
    p.send_line(".quit").unwrap();
    p.expect(expectrl::Eof).unwrap();
}

#[test]
fn metrics_persist_a_runaway_one_is_stopped_and_reports_and_the_menu_run_from_the_shell() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        demo(&db);
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        let history = dir.path().join("history");
        let mut p = shell_in(&db, &history, Some(&config));
        p.send_line("metric rev_est = minutes * 0.05 + sms * 0.02 + data_mb * 0.01")
            .unwrap();
        p.expect("metric rev_est defined for this session (plain arithmetic")
            .unwrap();
        p.expect(prompt(&db).as_str()).unwrap();
        p.send_line("metric save rev_est").unwrap();
        p.expect("metric rev_est saved in ").unwrap();
        p.expect("metrics.rhai").unwrap();
        p.expect(prompt(&db).as_str()).unwrap();
        // A block over several lines: the shell waits for the closing brace.
        p.send_line("metric spin = {").unwrap();
        p.send_line("  let n = 0; while calls > 1.0 { n += 1; } n")
            .unwrap();
        p.send_line("}").unwrap();
        p.expect("metric spin defined for this session (evaluated by Rhai")
            .unwrap();
        p.expect(prompt(&db).as_str()).unwrap();
        p.send_line("top 3 customers by spin").unwrap();
        p.expect("metric `spin`, line 2, column").unwrap();
        p.expect("does it loop forever?").unwrap();
        p.expect(prompt(&db).as_str()).unwrap();
        p.send_line("summary").unwrap();
        p.expect(SUMMARY_ROW).unwrap();
        p.expect(prompt(&db).as_str()).unwrap();
        p.send_line(".metric drop spin").unwrap();
        p.expect("metric spin dropped").unwrap();
        p.expect(prompt(&db).as_str()).unwrap();
        // A saved report with a parameter, using the metric just defined.
        let report = dir.path().join("weekly.tally");
        std::fs::write(
            &report,
            "param n = 5\ntitle Best $n by estimate\ntop $n customers by rev_est\n",
        )
        .unwrap();
        p.send_line(format!(".run {} n=2", report.display()))
            .unwrap();
        p.expect("Best 2 by estimate").unwrap();
        p.expect(prompt(&db).as_str()).unwrap();
        // The menu from the shell, and back.
        p.send_line(".menu").unwrap();
        p.expect("5  Network summary").unwrap();
        p.expect("Choose 0-9: ").unwrap();
        p.send_line("0").unwrap();
        p.expect(prompt(&db).as_str()).unwrap();
        p.send_line(".quit").unwrap();
        p.expect(expectrl::Eof).unwrap();

        // A new session has the metric.
        let mut p = shell_in(&db, &history, Some(&config));
        p.send_line(".metrics").unwrap();
        p.expect("metric rev_est = minutes * 0.05 + sms * 0.02 + data_mb * 0.01")
            .unwrap();
        p.expect("saved; computed in SQL").unwrap();
        p.send_line("top 3 customers by rev_es").unwrap();
        p.expect("did you mean `rev_est`?").unwrap();
        p.expect(prompt(&db).as_str()).unwrap();
        p.send("top 3 customers by rev_").unwrap();
        p.send("\t").unwrap();
        p.expect("rev_est").unwrap();
        p.send_line(" show minutes").unwrap();
        p.expect("Top 3 customers by rev_est").unwrap();
        p.expect(prompt(&db).as_str()).unwrap();
        p.send_line(".quit").unwrap();
        p.expect(expectrl::Eof).unwrap();
        let saved = std::fs::read_to_string(config.join("tally").join("metrics.rhai")).unwrap();
        assert!(saved.contains("metric rev_est = "), "{saved}");
        assert!(!saved.contains("spin"), "dropped: {saved}");
    }
}

#[test]
fn a_mistyped_url_with_a_password_stays_out_of_messages_and_the_history() {
    let db = TestDb::new(Backend::Sqlite);
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history");
    let mut p = shell(&db, &history);
    for line in [
        ".db mysql:/bob:hunter2@127.0.0.1/x",
        ".db mysql:bob:hunter2",
        ".db mysql://bob:hunter2@127.0.0.1:99999/x",
    ] {
        p.send_line(line).unwrap();
        p.expect("bad database URL").unwrap();
        p.expect(prompt(&db).as_str()).unwrap();
    }
    p.send_line("summary").unwrap();
    p.expect("active_customers").unwrap();
    p.expect(prompt(&db).as_str()).unwrap();
    p.send_line(".quit").unwrap();
    p.expect(expectrl::Eof).unwrap();
    let saved = std::fs::read_to_string(&history).unwrap();
    assert!(saved.contains("summary"), "{saved}");
    assert!(!saved.contains("hunter2"), "{saved}");
}

/// Calls the store holds whose other party is `other`, counted by hand.
fn calls_with_other(db: &TestDb, other: &str) -> i64 {
    db.open()
        .read(|c| {
            Ok(c.query(
                "SELECT COUNT(*) FROM calls WHERE other_party = ?",
                &[other.into()],
            )?)
        })
        .unwrap()
        .rows[0][0]
        .as_i64()
        .unwrap()
}

#[test]
fn a_query_and_a_log_line_on_one_shell_line_both_run() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        demo(&db);
        let dir = tempfile::tempdir().unwrap();
        let mut p = shell(&db, &dir.path().join("history"));
        p.send_line(
            "summary; log call 447700000001 out +447700900999 --duration 1m --at '2026-11-20 10:00' --source-key pty-1",
        )
        .unwrap();
        p.expect(SUMMARY_ROW).unwrap();
        p.expect("logged call").unwrap();
        p.expect(prompt(&db).as_str()).unwrap();
        // A metric defined on a line is there for the next statement of the same line.
        p.send_line("metric twice = calls * 2; top 1 customers by twice")
            .unwrap();
        p.expect("Top 1 customers by twice").unwrap();
        p.expect(prompt(&db).as_str()).unwrap();
        p.send_line(".quit").unwrap();
        p.expect(expectrl::Eof).unwrap();
        assert_eq!(
            calls_with_other(&db, "447700900999"),
            1,
            "{backend:?}: stored once"
        );
    }
}
