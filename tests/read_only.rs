//! A read-only analyst: a MySQL user granted SELECT and nothing else, on a throwaway server.
//! Queries, reports and the migrate check work; every write fails with one clear line (exit 1);
//! a database whose schema is behind is not migrated but explained (exit 2).

mod common;

use common::server::Server;
use common::{stderr, stdout, tally};
use mysql::prelude::Queryable;

fn admin(server: &Server) -> mysql::Conn {
    mysql::Conn::new(mysql::Opts::from_url(&server.base_url()).unwrap()).unwrap()
}

/// A database with demo data, and a user `analyst` who may only read it.
fn setup(server: &Server, db: &str) -> String {
    let full = format!("{}/{db}", server.base_url());
    let out = tally(&[
        "--db",
        &full,
        "demo",
        "--customers",
        "20",
        "--days",
        "3",
        "--seed",
        "4",
        "--end",
        "2026-11-26",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut conn = admin(server);
    conn.query_drop("CREATE USER IF NOT EXISTS 'analyst'@'127.0.0.1' IDENTIFIED BY 'read-only-pw'")
        .unwrap();
    conn.query_drop(format!("GRANT SELECT ON `{db}`.* TO 'analyst'@'127.0.0.1'"))
        .unwrap();
    format!(
        "mysql://analyst:read-only-pw@127.0.0.1:{}/{db}",
        server.port
    )
}

#[test]
fn a_select_only_user_queries_and_runs_reports_but_writes_nothing() {
    let server = Server::start(Default::default());
    let url = setup(&server, "telecom");
    for query in ["summary", "top 3 customers by minutes", "peak hours calls"] {
        let out = tally(&["--db", &url, "--tz", "UTC", "-e", query]);
        assert!(out.status.success(), "{query}: {}", stderr(&out));
        assert!(!stdout(&out).is_empty());
    }
    let report = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scripts/weekly-top-talkers.tally"
    );
    let out = tally(&[
        "--db",
        &url,
        "--tz",
        "UTC",
        "run",
        report,
        "--param",
        "range=last 30 days",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = tally(&["--db", &url, "migrate"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("schema is up to date"),
        "{}",
        stdout(&out)
    );

    let writes: [&[&str]; 4] = [
        &[
            "log",
            "sms",
            "447700000001",
            "out",
            "447700900002",
            "--create-customer",
        ],
        &["customer", "add", "447700000009"],
        &["plan", "add", "Gold", "--per-minute", "0.1"],
        &[
            "-e",
            "log call 447700000001 out 447700900002 --duration 1m --create-customer",
        ],
    ];
    for args in writes {
        let mut full = vec!["--db", url.as_str()];
        full.extend_from_slice(args);
        let out = tally(&full);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        let message = stderr(&out);
        assert_eq!(message.trim_end().lines().count(), 1, "one line: {message}");
        assert!(message.contains("may not"), "{message}");
        assert!(!message.contains("read-only-pw"), "{message}");
    }
    let mut conn = admin(&server);
    let customers: u64 = conn
        .query_first("SELECT COUNT(*) FROM telecom.customers")
        .unwrap()
        .unwrap();
    assert_eq!(customers, 20, "nothing was written");
}

#[test]
fn a_schema_that_is_behind_is_explained_not_migrated_by_a_reader() {
    let server = Server::start(Default::default());
    let url = setup(&server, "old");
    let mut conn = admin(&server);
    // Pretend the database is at version 1: a reader must not try to bring it up to date.
    conn.query_drop("DELETE FROM old.schema_version WHERE version > 1")
        .unwrap();
    let out = tally(&["--db", &url, "-e", "summary"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(message.contains("schema is version 1"), "{message}");
    assert!(message.contains("tally migrate"), "{message}");
}

#[test]
fn the_shell_works_for_a_reader_and_says_in_one_line_what_it_may_not_do() {
    use expectrl::{Expect, Session};
    let server = Server::start(Default::default());
    let url = setup(&server, "telecom");
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = common::tally_cmd(&["--db", &url, "--tz", "UTC"]);
    cmd.env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .env("TALLY_HISTORY", dir.path().join("history"));
    let mut p = Session::spawn(cmd).expect("a pty");
    p.set_expect_timeout(Some(std::time::Duration::from_secs(30)));
    p.expect("> ").unwrap();
    p.send_line("top 3 customers by minutes").unwrap();
    p.expect("Top 3 customers by minutes").unwrap();
    p.expect("> ").unwrap();
    p.send_line("log sms 447700000001 out 447700900002")
        .unwrap();
    p.expect("may not").unwrap();
    p.expect("> ").unwrap();
    p.send_line("summary").unwrap();
    p.expect("active_customers").unwrap();
    p.expect("> ").unwrap();
    p.send_line(".quit").unwrap();
    p.expect(expectrl::Eof).unwrap();
}
