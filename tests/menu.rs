//! The menu through a real pseudo-terminal, as a novice uses it, on MariaDB and SQLite: a bad
//! answer is asked again, a confirmed call is stored exactly once, a summary is shown.

mod common;

use common::{BACKENDS, TestDb, tally_cmd};
use expectrl::{Expect, Session};
use std::time::Duration;

fn demo(db: &TestDb) {
    let out = common::tally(&[
        "--db",
        &db.url,
        "demo",
        "--customers",
        "10",
        "--days",
        "3",
        "--seed",
        "9",
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
}

/// The calls stored for the menu's test call: its other party is unique to it.
fn test_calls(db: &TestDb) -> String {
    let out = common::tally(&[
        "--db",
        &db.url,
        "--format",
        "csv",
        "-e",
        "calls where other = '+447700900456' show count, seconds",
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    common::stdout(&out)
}

#[test]
fn a_novice_logs_a_call_and_views_the_customer_summary() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        demo(&db);
        let mut cmd = tally_cmd(&["--db", &db.url, "--tz", "UTC", "menu"]);
        cmd.env("TERM", "xterm").env("NO_COLOR", "1");
        let mut p = Session::spawn(cmd).expect("spawn tally menu in a pty");
        p.set_expect_timeout(Some(Duration::from_secs(30)));
        p.expect("1  Log a call").unwrap();
        p.expect("Choose 0-9: ").unwrap();
        p.send_line("1").unwrap();
        p.expect("Customer (subscriber key, its start, or part of the name): ")
            .unwrap();
        p.send_line("447700000001").unwrap();
        p.expect("[out]: ").unwrap();
        p.send_line("").unwrap();
        p.expect("Other number (e.g. +447700900456): ").unwrap();
        // A malformed number is refused with its reason and asked again.
        p.send_line("07700-90x").unwrap();
        p.expect("not valid: invalid other party \"07700-90x\"")
            .unwrap();
        p.expect("Other number (e.g. +447700900456): ").unwrap();
        p.send_line("+447700900456").unwrap();
        p.expect("[now]: ").unwrap();
        p.send_line("2026-11-20 09:30").unwrap();
        p.expect("Duration (e.g. 3m20s, 90s, 01:02:03): ").unwrap();
        p.send_line("4m10s").unwrap();
        p.expect("About to log this call:").unwrap();
        p.expect("Other number       +447700900456").unwrap();
        p.expect("Save it? (y)es, (n)o, (b)ack: ").unwrap();
        // Nothing is stored before the confirmation.
        assert_eq!(test_calls(&db), "count,seconds\n0,0\n", "{backend:?}");
        p.send_line("y").unwrap();
        p.expect("Saved: call ").unwrap();
        p.expect("Choose 0-9: ").unwrap();
        assert_eq!(
            test_calls(&db),
            "count,seconds\n1,250\n",
            "{backend:?}: stored once"
        );

        p.send_line("4").unwrap();
        p.expect("Customer (subscriber key, its start, or part of the name): ")
            .unwrap();
        // The start of a key that fits several customers lists them; the whole key is one.
        p.send_line("44770000000").unwrap();
        p.expect("several customers fit `44770000000`: 447700000001")
            .unwrap();
        p.send_line("447700000001").unwrap();
        p.expect("Period (").unwrap();
        p.send_line("6").unwrap();
        p.expect("Customer 447700000001").unwrap();
        p.expect(expectrl::Regex(r"│ calls +│ +\d+ │")).unwrap();
        p.expect("Press Enter to return to the menu: ").unwrap();
        p.send_line("").unwrap();
        p.expect("Choose 0-9: ").unwrap();
        p.send_line("0").unwrap();
        p.expect(expectrl::Eof).unwrap();
        let status = p.get_process().wait().unwrap();
        assert_eq!(
            status,
            expectrl::process::unix::WaitStatus::Exited(p.get_process().pid(), 0),
            "{backend:?}"
        );
        assert_eq!(test_calls(&db), "count,seconds\n1,250\n", "{backend:?}");
    }
}

#[test]
fn a_report_runs_from_the_menu_with_its_parameters_asked_by_name() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        demo(&db);
        let mut cmd = tally_cmd(&["--db", &db.url, "--tz", "UTC", "menu"]);
        cmd.env("TERM", "xterm").env("NO_COLOR", "1");
        let mut p = Session::spawn(cmd).expect("spawn tally menu in a pty");
        p.set_expect_timeout(Some(Duration::from_secs(30)));
        p.expect("Choose 0-9: ").unwrap();
        p.send_line("8").unwrap();
        p.expect("weekly-top-talkers").unwrap();
        p.expect("Report (its number, its name or a file): ")
            .unwrap();
        p.send_line("weekly-top-talkers").unwrap();
        p.expect("n (a value for the report) [10]: ").unwrap();
        p.send_line("2").unwrap();
        p.expect("range (a value for the report) [last 7 days]: ")
            .unwrap();
        p.send_line("").unwrap();
        p.expect("Top 2 customers by calls, last 7 days").unwrap();
        let table = p.expect("Top 2 customers by minutes").unwrap();
        let text = String::from_utf8_lossy(table.before()).to_string();
        let rows = text.lines().filter(|l| l.starts_with("│ 4477")).count();
        assert_eq!(rows, 2, "{backend:?}: n=2 rows: {text}");
        p.expect("Press Enter to return to the menu: ").unwrap();
        p.send_line("").unwrap();
        p.expect("Choose 0-9: ").unwrap();
        p.send_line("0").unwrap();
        p.expect(expectrl::Eof).unwrap();
    }
}
