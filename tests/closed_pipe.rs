//! Standard output that goes away: a reader that stops after one line (`| head -1`) ends tally
//! quietly with 141, as it ends other Unix tools; a full disk is one clear error, exit 1.

mod common;

use common::{Backend, TestDb, stderr, tally, tally_cmd};
use std::io::{BufRead, BufReader};
use std::process::Stdio;

fn big_database() -> TestDb {
    let db = TestDb::new(Backend::Sqlite);
    let out = tally(&[
        "--db",
        &db.url,
        "demo",
        "--customers",
        "300",
        "--days",
        "10",
        "--seed",
        "3",
        "--end",
        "2026-11-26",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    db
}

/// Runs tally, reads one line of its output and closes the pipe; returns the exit code and
/// what it said on stderr.
fn head_1(args: &[&str]) -> (Option<i32>, String) {
    let mut child = tally_cmd(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert!(!first.is_empty(), "no output at all");
    drop(out);
    let done = child.wait_with_output().unwrap();
    (done.status.code(), stderr(&done))
}

#[test]
fn a_closed_pipe_ends_every_kind_of_output_quietly() {
    let db = big_database();
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("big.tally");
    std::fs::write(&report, "calls per customer, day\n").unwrap();
    let cases: [Vec<&str>; 4] = [
        vec!["--db", &db.url, "-e", "calls per customer, day"],
        vec![
            "--db",
            &db.url,
            "--format",
            "csv",
            "-e",
            "usage per customer, day, hour",
        ],
        vec!["--db", &db.url, "customer", "list"],
        vec!["--db", &db.url, "run", report.to_str().unwrap()],
    ];
    for args in cases {
        let (code, message) = head_1(&args);
        assert_eq!(code, Some(141), "{args:?}: {message}");
        assert!(!message.contains("panicked"), "{args:?}: {message}");
        assert_eq!(message, "", "{args:?}: nothing to say to no one");
    }
}

#[test]
fn a_full_disk_is_reported_once() {
    let db = big_database();
    for args in [
        vec!["--db", db.url.as_str(), "-e", "summary; calls per day"],
        vec!["--db", db.url.as_str(), "customer", "list"],
        vec!["--help"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = tally_cmd(&args).stdout(full).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let message = stderr(&out);
        assert_eq!(message.lines().count(), 1, "{args:?}: {message}");
        assert!(message.contains("No space left on device"), "{message}");
    }
}
