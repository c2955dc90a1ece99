//! The server goes away under tally: a throwaway MariaDB (never the one on 3306) is killed with
//! SIGKILL in the middle of an import, and restarted, or not. tally waits for it a bounded time
//! and then goes on or fails with exit code 3; either way no batch is lost or stored twice.

mod common;

use common::server::Server;
use common::{import_counts, raw, stderr, stdout, tally_cmd};
use std::io::Write;
use std::process::{Child, ChildStdin, Stdio};
use std::time::{Duration, Instant};
use tally::config::{DbUrl, PoolSize};
use tally::store::Store;

const ROWS: usize = 30_000;

fn lines() -> Vec<String> {
    let mut out = vec![
        "source_key,subscriber_key,direction,other_party,start_time,duration_s,status,cell_id"
            .to_string(),
    ];
    for i in 0..ROWS {
        let (h, m, s) = (i / 3600 % 24, i / 60 % 60, i % 60);
        out.push(format!(
            "r{i},4477009{:05},out,447700900002,2026-11-2{}T{h:02}:{m:02}:{s:02}Z,{},answered,C1",
            i % 500,
            i / 10_000,
            i % 600
        ));
    }
    out
}

fn import(url: &str, env: &[(&str, &str)]) -> (Child, ChildStdin) {
    let mut cmd = tally_cmd(&[
        "--db",
        url,
        "import",
        "calls",
        "-",
        "--create-customers",
        "--batch-size",
        "1000",
        "--rejects",
        "/dev/null",
    ]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input = child.stdin.take().unwrap();
    (child, input)
}

fn stored(server: &Server, db: &str) -> i64 {
    use mysql::prelude::Queryable;
    let Ok(mut conn) =
        mysql::Conn::new(mysql::Opts::from_url(&format!("{}/{db}", server.base_url())).unwrap())
    else {
        return 0;
    };
    conn.query_first("SELECT COUNT(*) FROM calls")
        .ok()
        .flatten()
        .unwrap_or(0)
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "waited too long for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn exact(url: &str) {
    let store = Store::open(&DbUrl::parse(url).unwrap(), PoolSize { min: 1, max: 2 }).unwrap();
    let count = store
        .read(|c| {
            Ok(c.query(
                "SELECT COUNT(*), COUNT(DISTINCT source_key) FROM calls",
                &[],
            )?)
        })
        .unwrap();
    let row = &count.rows[0];
    assert_eq!(row[0].as_i64(), Some(ROWS as i64), "every row stored");
    assert_eq!(row[1].as_i64(), Some(ROWS as i64), "none twice");
    raw::assert_rollups_exact(&store);
}

#[test]
fn a_server_restarted_during_an_import_is_waited_for_and_the_import_completes() {
    let mut server = Server::start(Default::default());
    let url = format!("{}/tally_restart", server.base_url());
    let all = lines();
    let half = all.len() / 2;
    let (child, mut input) = import(&url, &[]);
    input
        .write_all((all[..half].join("\n") + "\n").as_bytes())
        .unwrap();
    input.flush().unwrap();
    wait_for("the first half", || {
        stored(&server, "tally_restart") >= 10_000
    });
    server.kill();
    // tally reads on only as it stores: the rest goes in from another thread.
    let rest = all[half..].join("\n") + "\n";
    let writer = std::thread::spawn(move || input.write_all(rest.as_bytes()));
    std::thread::sleep(Duration::from_millis(1500));
    server.restart();
    let out = child.wait_with_output().unwrap();
    let sent = writer.join().unwrap();
    assert!(sent.is_ok(), "the import ended early: {}", stderr(&out));
    assert!(
        out.status.success(),
        "{}\nserver log:\n{}",
        stderr(&out),
        server.log_tail()
    );
    assert!(stderr(&out).contains("trying again"), "{}", stderr(&out));
    let [read, inserted, duplicates, rejected] = import_counts(&stdout(&out));
    assert_eq!(read as usize, ROWS);
    assert_eq!(read, inserted + duplicates + rejected);
    assert_eq!(rejected, 0);
    exact(&url);
}

#[test]
fn a_server_that_stays_down_ends_the_import_with_exit_3_and_a_rerun_converges() {
    let mut server = Server::start(Default::default());
    let url = format!("{}/tally_down", server.base_url());
    let all = lines();
    let half = all.len() / 2;
    let (child, mut input) = import(&url, &[("TALLY_RECONNECT_SECS", "3")]);
    input
        .write_all((all[..half].join("\n") + "\n").as_bytes())
        .unwrap();
    input.flush().unwrap();
    wait_for("the first half", || stored(&server, "tally_down") >= 10_000);
    server.kill();
    let rest = all[half..].join("\n") + "\n";
    std::thread::spawn(move || input.write_all(rest.as_bytes()));
    let started = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(60));
    let message = stderr(&out);
    assert!(message.contains("waited"), "{message}");
    assert!(message.contains("run the same command again"), "{message}");

    server.restart();
    let (child, mut input) = import(&url, &[]);
    input.write_all((all.join("\n") + "\n").as_bytes()).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let [read, inserted, duplicates, _] = import_counts(&stdout(&out));
    assert_eq!(read as usize, ROWS);
    assert!(
        duplicates >= 10_000,
        "the committed batches count as duplicates"
    );
    assert_eq!((inserted + duplicates) as usize, ROWS);
    exact(&url);
}
