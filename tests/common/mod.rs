//! Test databases: one fresh, uniquely named database per test on each backend, dropped after.

#![allow(dead_code)]

pub mod cluster;
pub mod examples;
pub mod raw;
pub mod server;
pub mod v1;

use mysql::prelude::Queryable;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use tally::config::{DbUrl, PoolSize};
use tally::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Mysql,
    Sqlite,
}

pub const BACKENDS: [Backend; 2] = [Backend::Mysql, Backend::Sqlite];

/// The server the MySQL tests use: `TALLY_TEST_MYSQL_URL`; else the local MariaDB on 3306 when
/// it answers; else a throwaway server started for this test process (see `server`).
pub fn mysql_base() -> String {
    static BASE: OnceLock<String> = OnceLock::new();
    static SHARED: OnceLock<server::Server> = OnceLock::new();
    BASE.get_or_init(|| {
        if let Ok(url) = std::env::var("TALLY_TEST_MYSQL_URL") {
            return url.trim_end_matches('/').to_string();
        }
        let local = "mysql://root@127.0.0.1:3306";
        if answers(local) {
            return local.to_string();
        }
        eprintln!("no MySQL server answers on 127.0.0.1:3306: starting a throwaway MariaDB");
        let server = SHARED.get_or_init(|| server::Server::start(Default::default()));
        server.base_url()
    })
    .clone()
}

/// Whether a login to `url` succeeds within a second or two.
fn answers(url: &str) -> bool {
    let Ok(opts) = mysql::Opts::from_url(url) else {
        return false;
    };
    let opts = mysql::OptsBuilder::from_opts(opts)
        .prefer_socket(false)
        .tcp_connect_timeout(Some(std::time::Duration::from_secs(2)));
    mysql::Conn::new(opts).is_ok()
}

/// A database that exists for one test.
pub struct TestDb {
    pub backend: Backend,
    /// The URL to pass as `--db`.
    pub url: String,
    mysql_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn unique_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "tally_test_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

impl TestDb {
    pub fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Mysql => {
                let name = unique_name();
                let url = format!("{}/{name}", mysql_base());
                check_server(&url);
                TestDb {
                    backend,
                    url,
                    mysql_name: Some(name),
                    _dir: None,
                }
            }
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite:{}", dir.path().join("test.db").display());
                TestDb {
                    backend,
                    url,
                    mysql_name: None,
                    _dir: Some(dir),
                }
            }
        }
    }

    pub fn db_url(&self) -> DbUrl {
        DbUrl::parse(&self.url).expect("test URL parses")
    }

    /// Opens the store (creating the database and schema).
    pub fn open(&self) -> Store {
        Store::open(&self.db_url(), PoolSize { min: 1, max: 16 })
            .unwrap_or_else(|e| panic!("opening {}: {e}", self.url))
    }

    pub fn dialect_name(&self) -> &'static str {
        match self.backend {
            Backend::Mysql => "mysql",
            Backend::Sqlite => "sqlite",
        }
    }
}

/// MySQL tests never skip: without a server they fail saying what is missing.
fn check_server(url: &str) {
    let base = mysql_base();
    if let Err(e) =
        mysql::Conn::new(mysql::Opts::from_url(&base).expect("TALLY_TEST_MYSQL_URL parses"))
    {
        panic!(
            "the MySQL tests cannot log in to {base} ({e}) (test database {url}).\n\
             Unset TALLY_TEST_MYSQL_URL to let the tests start their own throwaway server, or \
             start MariaDB with: start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd"
        );
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.mysql_name
            && let Ok(opts) = mysql::Opts::from_url(&mysql_base())
            && let Ok(mut conn) = mysql::Conn::new(opts)
        {
            // Best effort: a failed drop leaves a uniquely named database, never a shared one.
            let _ = conn.query_drop(format!("DROP DATABASE IF EXISTS `{name}`"));
        }
    }
}

/// Runs the tally binary with a clean environment: no user config, no TALLY_* variables.
pub fn tally(args: &[&str]) -> std::process::Output {
    tally_cmd(args).output().expect("running tally")
}

pub fn tally_cmd(args: &[&str]) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tally"));
    cmd.args(args);
    for var in ["TALLY_DB", "TALLY_TZ", "TALLY_DB_PASSWORD", "TALLY_HISTORY"] {
        cmd.env_remove(var);
    }
    let home = std::env::temp_dir().join(format!("tally-test-home-{}", std::process::id()));
    cmd.env("XDG_CONFIG_HOME", home.join("config"));
    cmd.env("XDG_DATA_HOME", home.join("data"));
    cmd.env("XDG_STATE_HOME", home.join("state"));
    cmd.env("TZ", "UTC");
    // Long answers in a terminal go through the pager: tests read them straight.
    cmd.env("PAGER", "cat");
    cmd
}

pub fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `read`, `inserted`, `duplicates`, `rejected` from an import summary line.
pub fn import_counts(summary: &str) -> [u64; 4] {
    ["read ", "inserted ", "duplicates ", "rejected "].map(|word| {
        let at = summary
            .find(word)
            .unwrap_or_else(|| panic!("no {word:?} in {summary}"))
            + word.len();
        summary[at..]
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    })
}

/// The clock the query tests run at: 2026-11-25 12:00 UTC.
pub fn test_now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
        .expect("a fixed time")
        .with_timezone(&chrono::Utc)
}

/// A fresh database holding demo traffic up to 2026-11-26, through the library.
pub fn demo_store(backend: Backend, customers: usize, days: u32, seed: u64) -> (TestDb, Store) {
    let db = TestDb::new(backend);
    let store = db.open();
    let spec = tally::demo::DemoSpec {
        customers,
        days,
        seed,
        end: chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("a date"),
    };
    tally::demo::load(&store, &spec, &indicatif::ProgressBar::hidden()).expect("demo data");
    (db, store)
}

/// An answered outgoing call of `customer` at `at` (UTC) lasting `seconds`, with source key
/// `key`, checked as an import would check it.
pub fn call(customer: &str, at: &str, seconds: u32, key: &str) -> tally::model::Record {
    let ctx = tally::model::InputContext {
        zone: tally::model::Zone::utc(),
        now: test_now(),
    };
    tally::model::CallInput {
        customer: customer.into(),
        direction: "out".into(),
        other: "447700900999".into(),
        at: Some(at.into()),
        duration: Some(seconds.to_string()),
        status: Some("answered".into()),
        cell: None,
        source_key: Some(key.into()),
    }
    .validate(&ctx)
    .map(tally::model::Record::Call)
    .expect("a valid call")
}

/// What `explain QUERY` prints, at the tests' fixed now, in UTC.
pub fn explain(store: &Store, query: &str) -> String {
    match tally::query::run(
        store,
        &format!("explain {query}"),
        &tally::model::Zone::utc(),
        test_now(),
    ) {
        Ok(tally::query::Answer::Explain(text)) => text,
        other => panic!("{query}: {other:?}"),
    }
}

/// The rows `query` answers in `zone` at the tests' fixed now, every value as text.
pub fn table_rows(store: &Store, query: &str, zone: &str) -> Vec<Vec<String>> {
    let zone = tally::model::Zone::parse(zone).expect("a zone");
    match tally::query::run(store, query, &zone, test_now()) {
        Ok(tally::query::Answer::Table(rs)) => rs
            .rows
            .iter()
            .map(|r| r.iter().map(tally::store::Value::to_string).collect())
            .collect(),
        other => panic!("{query}: {other:?}"),
    }
}

/// Asserts that `query` is refused, at the tests' fixed now in UTC, with a message holding
/// `says`; returns the message as shown (the line, a caret, the text).
pub fn assert_refused(store: &Store, query: &str, says: &str) -> String {
    let err =
        tally::query::run(store, query, &tally::model::Zone::utc(), test_now()).expect_err(query);
    let text = err.render(query);
    assert!(text.contains(says), "{query}: {text}");
    text
}
