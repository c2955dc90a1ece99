//! tally on a MariaDB Spider cluster (one head, three shards, each its own throwaway
//! `mariadbd`): the example queries answer as on one server, imports stay exactly-once, and a
//! dead shard is a clear error that loses nothing (docs/SCALE-OUT.md).

mod common;

use common::cluster::Cluster;
use mysql::prelude::Queryable;
use std::path::Path;
use std::sync::Arc;
use tally::config::{DbUrl, PoolSize};
use tally::metric::Metrics;
use tally::model::Zone;
use tally::query::{Answer, run_with};
use tally::store::Store;

fn open(url: &str) -> Store {
    Store::open(
        &DbUrl::parse(url).expect("a URL"),
        PoolSize { min: 1, max: 8 },
    )
    .unwrap_or_else(|e| panic!("opening {url}: {e}"))
}

fn demo(store: &Store) {
    let spec = tally::demo::DemoSpec {
        customers: 40,
        days: 45,
        seed: 11,
        end: chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("a date"),
    };
    tally::demo::load(store, &spec, &indicatif::ProgressBar::hidden()).expect("demo data");
}

/// A count asked of the head. Right after a shard restarts, the head's first statement to it
/// can still fail (Spider drops its broken link then): tried again for up to 20 s, as tally's
/// own store waits for a lost server.
fn head_count(url: &str, sql: &str) -> u64 {
    let mut conn = mysql::Conn::new(mysql::Opts::from_url(url).expect("a URL")).expect("the head");
    let started = std::time::Instant::now();
    loop {
        match conn.query_first(sql) {
            Ok(count) => return count.expect("a row"),
            Err(mysql::Error::MySqlError(e))
                if e.code == 1429 && started.elapsed().as_secs() < 20 =>
            {
                std::thread::sleep(std::time::Duration::from_millis(200))
            }
            Err(e) => panic!("{sql}: {e}"),
        }
    }
}

#[test]
fn every_example_answers_on_a_cluster_as_on_one_server() {
    let cluster = Cluster::start(3);
    let url = cluster.url("tally_examples");
    let sharded = open(&url);
    demo(&sharded);
    let single_db = common::TestDb::new(common::Backend::Mysql);
    let single = single_db.open();
    demo(&single);

    // The rows really are spread: every shard holds calls and per-customer rollups.
    for table in ["calls", "sms", "data_sessions", "customer_daily"] {
        let per_shard = cluster.rows_per_shard("tally_examples", table);
        assert!(per_shard.iter().all(|&n| n > 0), "{table}: {per_shard:?}");
        let total = head_count(&url, &format!("SELECT COUNT(*) FROM {table}"));
        assert_eq!(per_shard.iter().sum::<u64>(), total, "{table}");
    }

    common::examples::assert_same_answers(&sharded, &single, ("cluster", "one server"));
}

/// `tally demo --csv` files (plans, customers, calls, sms, data) of `customers` over `days`.
fn demo_files(dir: &Path, customers: u32, days: u32) {
    let (customers, days) = (customers.to_string(), days.to_string());
    let out = common::tally(&[
        "demo",
        "--csv",
        dir.to_str().expect("a UTF-8 path"),
        "--customers",
        &customers,
        "--days",
        &days,
        "--seed",
        "5",
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
}

fn import(url: &str, kind: &str, file: &Path) -> std::process::Output {
    common::tally_cmd(&["--db", url, "import", kind, file.to_str().expect("UTF-8")])
        .env("TALLY_RECONNECT_SECS", "1")
        .output()
        .expect("running tally")
}

fn imported(url: &str, kind: &str, file: &Path) {
    let out = import(url, kind, file);
    assert!(out.status.success(), "{kind}: {}", common::stderr(&out));
}

/// The first `take` data lines after `skip` of a CSV file, with its header, as a new file.
fn slice(from: &Path, to: &Path, skip: usize, take: usize) {
    let text = std::fs::read_to_string(from).expect("a CSV file");
    let mut lines = text.lines();
    let header = lines.next().expect("a header");
    let body: Vec<&str> = lines.skip(skip).take(take).collect();
    std::fs::write(to, format!("{header}\n{}\n", body.join("\n"))).expect("written");
}

fn data_lines(file: &Path) -> u64 {
    std::fs::read_to_string(file)
        .expect("a CSV file")
        .lines()
        .count() as u64
        - 1
}

/// Totals the rollups must agree with: calls in the raw table, calls in customer_daily (on
/// the shards) and in network_hourly (on the head).
fn call_totals(url: &str) -> [u64; 3] {
    [
        head_count(url, "SELECT COUNT(*) FROM calls"),
        head_count(
            url,
            "SELECT CAST(COALESCE(SUM(calls_out + calls_in), 0) AS UNSIGNED) FROM customer_daily",
        ),
        head_count(
            url,
            "SELECT CAST(COALESCE(SUM(calls_out + calls_in), 0) AS UNSIGNED) FROM network_hourly",
        ),
    ]
}

#[test]
fn imports_twice_and_overlapping_stay_exactly_once_and_a_dead_shard_loses_nothing() {
    let mut cluster = Cluster::start(3);
    let url = cluster.url("tally_imports");
    let dir = tempfile::tempdir().expect("a directory");
    demo_files(dir.path(), 30, 4);
    let file = |name: &str| dir.path().join(name);
    imported(&url, "plans", &file("plans.csv"));
    imported(&url, "customers", &file("customers.csv"));
    let calls = data_lines(&file("calls.csv"));
    let third = (calls / 3) as usize;

    // Twice the same file, then two files that overlap by a third: every call once.
    imported(&url, "calls", &file("calls.csv"));
    imported(&url, "calls", &file("calls.csv"));
    assert_eq!(call_totals(&url), [calls; 3]);
    imported(&url, "sms", &file("sms.csv"));
    let sms = data_lines(&file("sms.csv"));
    assert_eq!(head_count(&url, "SELECT COUNT(*) FROM sms"), sms);

    // A source key is one record whoever it is for, as on one server: the same key under
    // other customers (whose rows would live on other shards) is a duplicate each time.
    let store = open(&url);
    let first = common::call("447700000001", "2026-11-20 10:00", 60, "same-key");
    assert_eq!(
        store.insert_batch(&[first], true).expect("stored").inserted,
        1
    );
    for customer in [
        "447700000002",
        "447700000003",
        "447700000004",
        "447700000005",
    ] {
        let again = common::call(customer, "2026-11-20 11:00", 90, "same-key");
        let outcome = store.insert_batch(&[again], true).expect("a duplicate");
        assert_eq!((outcome.inserted, outcome.duplicates), (0, 1), "{customer}");
    }
    assert_eq!(call_totals(&url), [calls + 1; 3]);

    // A fresh database on the same cluster for the overlap and the dead shard.
    let url = cluster.url("tally_overlap");
    imported(&url, "plans", &file("plans.csv"));
    imported(&url, "customers", &file("customers.csv"));
    slice(&file("calls.csv"), &file("a.csv"), 0, 2 * third);
    slice(&file("calls.csv"), &file("b.csv"), third, usize::MAX);
    imported(&url, "calls", &file("a.csv"));
    imported(&url, "calls", &file("b.csv"));
    assert_eq!(call_totals(&url), [calls; 3]);

    // A shard down during an import: a clear error naming it, exit code 3, no partial batch.
    cluster.shards[1].kill();
    let out = import(&url, "sms", &file("sms.csv"));
    let said = common::stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{said}");
    assert!(said.contains("shard2"), "the error names the shard: {said}");
    cluster.shards[1].restart();
    assert_eq!(head_count(&url, "SELECT COUNT(*) FROM sms"), 0, "{said}");
    assert_eq!(call_totals(&url), [calls; 3]);

    // Back up: the same command converges to exact totals.
    imported(&url, "sms", &file("sms.csv"));
    assert_eq!(head_count(&url, "SELECT COUNT(*) FROM sms"), sms);
    let rolled = head_count(
        &url,
        "SELECT CAST(SUM(sms_out + sms_in) AS UNSIGNED) FROM customer_daily",
    );
    assert_eq!(rolled, sms);
}

#[test]
fn a_dead_shard_fails_a_query_clearly_and_the_store_answers_once_it_is_back() {
    let mut cluster = Cluster::start(2);
    let url = cluster.url("tally_query");
    let store = open(&url);
    demo(&store);
    let metrics = Arc::new(Metrics::new(None));
    let ask = |q: &str| run_with(&store, q, &Zone::utc(), common::test_now(), &metrics);
    let before = ask("calls per day last 7 days show count, minutes").expect("an answer");

    // No per-customer spans on a cluster, so `explain` does not promise to build one (it does
    // on one server for the same question: tests/spans.rs).
    let plan = common::tally(&[
        "--db",
        &url,
        "-e",
        "explain top 10 customers by minutes last 20 days",
    ]);
    assert!(plan.status.success(), "{}", common::stderr(&plan));
    let plan = common::stdout(&plan);
    assert!(plan.contains("customer_daily"), "{plan}");
    assert!(!plan.contains("asked a second time"), "{plan}");

    // A user allowed only to read (who may not see the head's shard list) gets the same.
    let mut head = mysql::Conn::new(mysql::Opts::from_url(&url).expect("a URL")).expect("head");
    head.query_drop(
        "CREATE USER 'reader'@'127.0.0.1'; GRANT SELECT ON tally_query.* TO 'reader'@'127.0.0.1'",
    )
    .expect("a read-only user");
    let raw_rows = "calls where duration > 60 per day last 7 days";
    let as_reader = common::tally(&[
        "--db",
        &url.replace("root@", "reader@"),
        "--format",
        "csv",
        "-e",
        raw_rows,
    ]);
    let as_root = common::tally(&["--db", &url, "--format", "csv", "-e", raw_rows]);
    assert!(as_reader.status.success(), "{}", common::stderr(&as_reader));
    assert_eq!(common::stdout(&as_reader), common::stdout(&as_root));

    // While the shard is down: a clear error naming it and the exit code of an unreachable
    // database (the store waits TALLY_RECONNECT_SECS for a lost server, as on one server).
    cluster.shards[0].kill();
    let q = "calls where duration > 60 per day last 7 days";
    let out = common::tally_cmd(&["--db", &url, "-e", q])
        .env("TALLY_RECONNECT_SECS", "1")
        .output()
        .expect("running tally");
    let said = common::stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{said}");
    assert!(said.contains("shard1"), "names the shard: {said}");

    // The store opened before the shard died (as a shell's is) answers again once it is back.
    cluster.shards[0].restart();
    let after = ask("calls per day last 7 days show count, minutes").expect("an answer again");
    let (Answer::Table(a), Answer::Table(b)) = (before, after) else {
        panic!("tables")
    };
    assert_eq!(a, b);

    // A head that would commit shards one by one is refused for a new database.
    head.query_drop("SET GLOBAL spider_internal_xa = 0")
        .expect("set");
    let refused = common::tally(&["--db", &cluster.url("tally_no_xa"), "-e", "summary"]);
    let said = common::stderr(&refused);
    assert!(!refused.status.success(), "{said}");
    assert!(said.contains("spider_internal_xa is OFF"), "{said}");
}

#[test]
fn a_shard_killed_in_the_middle_of_an_import_leaves_whole_batches_and_the_rerun_converges() {
    let mut cluster = Cluster::start(3);
    let url = cluster.url("tally_midway");
    let dir = tempfile::tempdir().expect("a directory");
    demo_files(dir.path(), 1000, 21);
    let file = |name: &str| dir.path().join(name);
    imported(&url, "plans", &file("plans.csv"));
    imported(&url, "customers", &file("customers.csv"));
    let calls = data_lines(&file("calls.csv"));
    assert!(calls > 25_000, "more than one batch of 20,000: {calls}");

    let running = common::tally_cmd(&["--db", &url, "import", "calls"])
        .arg(file("calls.csv"))
        .env("TALLY_RECONNECT_SECS", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("running tally");
    // The first batch committed: stop a shard while the next one is on its way.
    let started = std::time::Instant::now();
    while head_count(&url, "SELECT COUNT(*) FROM calls") == 0 {
        assert!(
            started.elapsed().as_secs() < 120,
            "no batch committed in 2 minutes"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    cluster.shards[2].kill();
    let out = running.wait_with_output().expect("tally ends");
    let said = common::stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{said}");
    assert!(said.contains("shard3"), "the error names the shard: {said}");
    assert!(said.contains("run the same command again"), "{said}");

    cluster.shards[2].restart();
    let [raw, daily, hourly] = call_totals(&url);
    assert!(raw > 0 && raw < calls, "stopped midway: {raw} of {calls}");
    assert_eq!(raw % 20_000, 0, "whole batches only: {raw}");
    assert_eq!(
        (daily, hourly),
        (raw, raw),
        "the rollups hold exactly the stored rows"
    );

    imported(&url, "calls", &file("calls.csv"));
    assert_eq!(call_totals(&url), [calls; 3]);

    // The head numbers records itself; after it restarts, new records still get new ids.
    let sessions = data_lines(&file("data.csv")) as usize;
    slice(&file("data.csv"), &file("d1.csv"), 0, sessions / 2);
    slice(&file("data.csv"), &file("d2.csv"), sessions / 2, usize::MAX);
    imported(&url, "data", &file("d1.csv"));
    cluster.head.restart();
    imported(&url, "data", &file("d2.csv"));
    let stored = head_count(&url, "SELECT COUNT(*) FROM data_sessions");
    assert_eq!(stored, sessions as u64);
    // (Counted on the shards: a COUNT(DISTINCT) through the head fetches row by row.)
    for table in ["calls", "data_sessions"] {
        let mut ids = cluster.column_per_shard("tally_midway", table, "id");
        let rows = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), rows, "{table}: every id once");
    }

    // Dropped on the head and made anew under the same name, the database would find the old
    // records on the shards and count the new import's as duplicates: refused, saying why.
    let mut head = mysql::Conn::new(mysql::Opts::from_url(&url).expect("a URL")).expect("head");
    head.query_drop("DROP DATABASE tally_midway")
        .expect("dropped on the head");
    let again = common::tally(&["--db", &url, "-e", "summary"]);
    let said = common::stderr(&again);
    assert!(!again.status.success(), "{said}");
    assert!(
        said.contains("still holds records of an earlier database"),
        "{said}"
    );
}

/// What `tally ARGS` prints on `url` (stdout, then stderr), in UTC, after checking it succeeded.
fn run_tally(url: &str, args: &[&str]) -> String {
    let mut all = vec!["--db", url, "--tz", "UTC"];
    all.extend(args);
    let out = common::tally(&all);
    assert!(out.status.success(), "{args:?}: {}", common::stderr(&out));
    format!("{}{}", common::stdout(&out), common::stderr(&out))
}

#[test]
fn reports_log_lines_and_the_menu_work_against_the_head_as_against_one_server() {
    let cluster = Cluster::start(3);
    let url = cluster.url("tally_tools");
    let single_db = common::TestDb::new(common::Backend::Mysql);
    let demo = [
        "demo",
        "--customers",
        "40",
        "--days",
        "40",
        "--seed",
        "7",
        "--end",
        "2026-11-26",
    ];
    for target in [&url, &single_db.url] {
        run_tally(target, &demo);
        // A `log` line stores one call, and the same line again (same source key) nothing.
        let line = "log call 447700000002 out +447700900456 --at 2026-11-20T09:30:00Z --duration 4m10s --source-key logged-1";
        run_tally(target, &["-e", line]);
        let again = common::tally(&["--db", target, "-e", line]);
        assert!(
            common::stderr(&again).contains("logged-1"),
            "the second is refused, naming its key: {}",
            common::stderr(&again)
        );
    }
    let scripts = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts");
    let runs: [(&str, &[&str]); 5] = [
        ("weekly-top-talkers.tally", &["--param", "n=3"]),
        ("daily-network.rhai", &["--param", "day=2026-11-24"]),
        (
            "monthly-statement.rhai",
            &[
                "--param",
                "customer=447700000001",
                "--param",
                "month=2026-11-10",
            ],
        ),
        (
            "peak-capacity.rhai",
            &["--param", "weeks=4", "--param", "until=2026-11-26"],
        ),
        (
            "retention-watch.rhai",
            &["--param", "until=2026-11-26", "--param", "days=14"],
        ),
    ];
    for (name, params) in runs {
        let path = format!("{scripts}/{name}");
        let mut args = vec!["run", path.as_str()];
        args.extend(params);
        assert_eq!(
            run_tally(&url, &args),
            run_tally(&single_db.url, &args),
            "{name}: cluster (left), one server (right)"
        );
    }
    let logged = [
        "--format",
        "csv",
        "-e",
        "calls where other = '+447700900456' show count, seconds",
    ];
    assert_eq!(run_tally(&url, &logged), "count,seconds\n1,250\n");

    // The menu, in a terminal: log a call through it, and see it stored once on the cluster.
    let mut cmd = common::tally_cmd(&["--db", &url, "--tz", "UTC", "menu"]);
    cmd.env("TERM", "xterm").env("NO_COLOR", "1");
    let mut p = expectrl::Session::spawn(cmd).expect("tally menu in a pty");
    p.set_expect_timeout(Some(std::time::Duration::from_secs(30)));
    use expectrl::Expect;
    for (wait, answer) in [
        ("Choose 0-9: ", "1"),
        (
            "Customer (subscriber key, its start, or part of the name): ",
            "447700000003",
        ),
        ("[out]: ", ""),
        ("Other number (e.g. +447700900456): ", "+447700900457"),
        ("[now]: ", "2026-11-21 10:00"),
        ("Duration (e.g. 3m20s, 90s, 01:02:03): ", "90s"),
        ("Save it? (y)es, (n)o, (b)ack: ", "y"),
        ("Choose 0-9: ", "0"),
    ] {
        p.expect(wait)
            .unwrap_or_else(|e| panic!("waiting for {wait:?}: {e}"));
        p.send_line(answer).expect("typed");
    }
    p.expect(expectrl::Eof).expect("the menu ends");
    let menu = [
        "--format",
        "csv",
        "-e",
        "calls where other = '+447700900457' show count, seconds",
    ];
    assert_eq!(run_tally(&url, &menu), "count,seconds\n1,90\n");
}
