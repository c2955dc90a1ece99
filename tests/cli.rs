//! The `tally` binary as a user runs it: messages, exit codes, settings, on both backends.

mod common;

use common::{BACKENDS, TestDb, raw, stderr, stdout, tally, tally_cmd};

fn ok(args: &[&str]) -> String {
    let out = tally(args);
    assert!(
        out.status.success(),
        "tally {args:?} failed: {}",
        stderr(&out)
    );
    stdout(&out)
}

/// Runs a command that must fail; returns (exit code, stderr).
fn fails(args: &[&str]) -> (i32, String) {
    let out = tally(args);
    assert!(
        !out.status.success(),
        "tally {args:?} succeeded: {}",
        stdout(&out)
    );
    (out.status.code().unwrap_or(-1), stderr(&out))
}

fn count_records(db: &TestDb) -> i64 {
    let store = db.open();
    store.network_totals().unwrap().counters.0[tally::store::rollup_at::RECORDS]
}

#[test]
fn each_validation_rule_rejects_in_one_line_and_stores_nothing() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let url = db.url.as_str();
        ok(&["--db", url, "customer", "add", "447700900123"]);
        let cases: &[(&[&str], &str)] = &[
            (
                &[
                    "log",
                    "call",
                    "447700900123",
                    "out",
                    "12ab",
                    "--duration",
                    "1m",
                ],
                r#"invalid other party "12ab": must be a phone number: an optional +, then 8 to 15 digits"#,
            ),
            (
                &["log", "call", "447700900123", "sideways", "447700900456"],
                r#"invalid direction "sideways": must be out or in"#,
            ),
            (
                &[
                    "log",
                    "call",
                    "447700900123",
                    "out",
                    "447700900456",
                    "--duration",
                    "25h",
                ],
                r#"invalid duration "25h": must be between 0s and 24h"#,
            ),
            (
                &[
                    "log",
                    "call",
                    "447700900123",
                    "out",
                    "447700900456",
                    "--duration",
                    "3x",
                ],
                r#"invalid duration "3x": must be a duration such as 90, 90s, 3m20s, 1h or 01:02:03"#,
            ),
            (
                &[
                    "log",
                    "call",
                    "447700900123",
                    "out",
                    "447700900456",
                    "--status",
                    "dropped",
                ],
                r#"invalid status "dropped": must be one of answered, busy, no_answer, failed"#,
            ),
            (
                &[
                    "log",
                    "sms",
                    "447700900123",
                    "out",
                    "447700900456",
                    "--at",
                    "2999-01-01 10:00",
                ],
                r#"invalid time "2999-01-01 10:00": must not be more than 5 minutes in the future"#,
            ),
            (
                &[
                    "log",
                    "sms",
                    "447700900123",
                    "out",
                    "447700900456",
                    "--at",
                    "25/11/2026",
                ],
                r#"invalid time "25/11/2026": must be a time such as 2026-11-25 10:15, 2026-11-25T10:15:00Z, 2026-11-25T10:15:00+02:00 or now"#,
            ),
            (
                &["log", "data", "447700900123", "--down", "-5MB"],
                r#"invalid down "-5MB": must not be negative"#,
            ),
            (
                &["log", "data", "447700900123", "--up", "12XB"],
                r#"invalid up "12XB": must be a size such as 512, 12KB, 1.5MB or 2GiB"#,
            ),
            (
                &["log", "sms", "", "out", "447700900456"],
                r#"invalid customer "": must not be empty"#,
            ),
            (
                &["log", "sms", "447700900777", "out", "447700900456"],
                r#"invalid customer "447700900777": no such customer (add it with `tally customer add`, or pass --create-customer)"#,
            ),
            (
                &["customer", "add", "x", "--status", "gone"],
                r#"invalid status "gone": must be one of active, suspended, closed"#,
            ),
            (
                &["plan", "add", "Gold", "--per-minute", "-1"],
                r#"invalid per-minute "-1": must be a decimal number from 0 to 1000000 with at most 6 decimal places, such as 0.05"#,
            ),
            (
                &["plan", "add", "Gold", "--per-mb", "0.0000001"],
                r#"invalid per-mb "0.0000001": must be a decimal number from 0 to 1000000 with at most 6 decimal places, such as 0.05"#,
            ),
            (
                &["plan", "add", "Gold", "--monthly-fee", "1e30"],
                r#"invalid monthly-fee "1e30": must be a decimal number from 0 to 1000000 with at most 6 decimal places, such as 0.05"#,
            ),
        ];
        for (args, message) in cases {
            let mut full = vec!["--db", url];
            full.extend_from_slice(args);
            let (code, err) = fails(&full);
            assert_eq!(code, 1, "{backend:?} {args:?}");
            assert_eq!(err, format!("tally: {message}\n"), "{backend:?} {args:?}");
        }
        assert_eq!(
            count_records(&db),
            0,
            "a rejected record was stored on {backend:?}"
        );
    }
}

#[test]
fn log_prints_the_id_and_records_can_be_corrected_and_deleted() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let url = db.url.as_str();
        ok(&[
            "--db",
            url,
            "customer",
            "add",
            "447700900123",
            "--name",
            "Ada",
        ]);
        let out = ok(&[
            "--db",
            url,
            "--tz",
            "Europe/Helsinki",
            "log",
            "call",
            "447700900123",
            "out",
            "+44 7700 900456",
            "--at",
            "2026-11-25 10:15",
            "--duration",
            "3m20s",
        ]);
        assert!(
            out.starts_with("logged call 1: 447700900123 out 447700900456 at 2026-11-25 10:15:00 (Europe/Helsinki), 3m20s, answered"),
            "{out}"
        );
        let shown = ok(&["--db", url, "--tz", "UTC", "record", "show", "call", "1"]);
        assert!(shown.contains("2026-11-25 08:15:00 (UTC)"), "{shown}");
        let out = ok(&[
            "--db",
            url,
            "--tz",
            "UTC",
            "record",
            "update",
            "call",
            "1",
            "--duration",
            "4m",
        ]);
        assert!(out.contains("4m0s"), "{out}");
        let out = ok(&[
            "--db",
            url,
            "log",
            "data",
            "447700900123",
            "--duration",
            "25m",
            "--up",
            "12MB",
            "--down",
            "340MB",
        ]);
        assert!(out.starts_with("logged data 1: 447700900123 at "), "{out}");
        raw::assert_rollups_exact(&db.open());
        ok(&["--db", url, "record", "delete", "call", "1"]);
        let (code, err) = fails(&["--db", url, "record", "show", "call", "1"]);
        assert_eq!(
            (code, err.as_str()),
            (1, "tally: no call record with id 1\n")
        );
        let (code, err) = fails(&["--db", url, "customer", "delete", "447700900123"]);
        assert_eq!(code, 1);
        assert!(err.contains("pass --cascade"), "{err}");
        ok(&[
            "--db",
            url,
            "customer",
            "delete",
            "447700900123",
            "--cascade",
        ]);
        assert_eq!(count_records(&db), 0);
    }
}

#[test]
fn a_dead_database_is_one_line_and_exit_code_3() {
    let (code, err) = fails(&["--db", "mysql://root:sekret@127.0.0.1:1/telecom", "summary"]);
    assert_eq!(code, 3);
    assert!(
        err.starts_with("tally: cannot connect to MySQL at 127.0.0.1:1: "),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!err.contains("sekret"), "the password leaked: {err}");
    let (code, err) = fails(&["--db", "sqlite:/proc/nope/tally.db", "summary"]);
    assert_eq!(code, 3);
    assert!(
        err.starts_with("tally: cannot connect to the SQLite file /proc/nope/tally.db: "),
        "{err}"
    );
}

#[test]
fn bad_urls_and_zones_are_usage_errors() {
    let (code, err) = fails(&["--db", "postgres://x/y", "summary"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("tally: bad database URL postgres://x/y: expected mysql://"),
        "{err}"
    );
    let (code, err) = fails(&["--db", "sqlite::memory:", "--tz", "Mars/Base", "summary"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn the_database_comes_from_flag_then_env_then_config_then_default() {
    let home = tempfile::tempdir().unwrap();
    let config_dir = home.path().join("config");
    let data_dir = home.path().join("data");
    let show = |env_db: Option<&str>, flag: Option<&str>| {
        let mut cmd = tally_cmd(&[]);
        cmd.env("XDG_CONFIG_HOME", &config_dir)
            .env("XDG_DATA_HOME", &data_dir);
        if let Some(db) = env_db {
            cmd.env("TALLY_DB", db);
        }
        if let Some(db) = flag {
            cmd.args(["--db", db]);
        }
        let out = cmd.args(["config", "show"]).output().unwrap();
        stdout(&out)
    };
    let default_path = data_dir.join("tally").join("tally.db");
    assert!(show(None, None).contains(&format!(
        "database:    sqlite:{} (from default embedded store)",
        default_path.display()
    )));
    std::fs::create_dir_all(config_dir.join("tally")).unwrap();
    std::fs::write(
        config_dir.join("tally/config.toml"),
        "database = \"sqlite:/tmp/from-file.db\"\n",
    )
    .unwrap();
    assert!(show(None, None).contains("sqlite:/tmp/from-file.db (from config file)"));
    assert!(
        show(Some("sqlite:/tmp/from-env.db"), None)
            .contains("sqlite:/tmp/from-env.db (from TALLY_DB)")
    );
    assert!(
        show(Some("sqlite:/tmp/from-env.db"), Some("sqlite:/tmp/flag.db"))
            .contains("sqlite:/tmp/flag.db (from --db)")
    );

    let mut cmd = tally_cmd(&["config", "path"]);
    cmd.env("XDG_CONFIG_HOME", &config_dir);
    assert_eq!(
        stdout(&cmd.output().unwrap()).trim(),
        config_dir.join("tally/config.toml").display().to_string()
    );

    // The embedded default is created on first use.
    let mut cmd = tally_cmd(&["summary"]);
    cmd.env("XDG_CONFIG_HOME", home.path().join("empty"))
        .env("XDG_DATA_HOME", &data_dir);
    assert!(cmd.output().unwrap().status.success());
    assert!(default_path.exists());
}

#[cfg(unix)]
#[test]
fn a_config_file_with_a_password_must_be_private() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("tally");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("config.toml");
    std::fs::write(
        &file,
        "database = \"mysql://bob:hunter2@127.0.0.1/telecom\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = tally_cmd(&["config", "show"])
        .env("XDG_CONFIG_HOME", home.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "tally: config file {p} holds a database password but is readable by others (mode 644); fix it with: chmod 600 {p}\n",
            p = file.display()
        )
    );
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = tally_cmd(&["config", "show"])
        .env("XDG_CONFIG_HOME", home.path())
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("mysql://bob:***@127.0.0.1:3306/telecom"),
        "{text}"
    );
    assert!(!text.contains("hunter2"));
}

#[test]
fn demo_gives_identical_customer_totals_on_both_backends() {
    let args = [
        "demo",
        "--customers",
        "500",
        "--days",
        "14",
        "--seed",
        "7",
        "--end",
        "2026-11-20",
    ];
    let mut totals = Vec::new();
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let mut full = vec!["--db", db.url.as_str()];
        full.extend_from_slice(&args);
        let out = ok(&full);
        assert!(out.contains("500 customers"), "{out}");
        let store = db.open();
        raw::assert_rollups_exact(&store);
        totals.push(raw::customer_totals(&store));
    }
    assert_eq!(totals[0].len(), 500);
    assert_eq!(totals[0], totals[1]);
}

#[test]
fn migrate_reports_what_it_did() {
    let db = TestDb::new(common::Backend::Sqlite);
    let first = ok(&["--db", &db.url, "migrate"]);
    assert!(first.starts_with("applied migration 1: "), "{first}");
    let latest = tally::store::schema::latest_version();
    assert!(
        first.contains(&format!("applied migration {latest}: ")),
        "{first}"
    );
    assert_eq!(
        ok(&["--db", &db.url, "migrate"]),
        format!("schema is up to date (version {latest})\n")
    );
}

#[test]
fn tls_modes_follow_the_mysql_client() {
    // Without TLS on the server, `preferred` falls back to a plain connection and `required`
    // refuses with a reason; with TLS, `required` connects.
    use mysql::prelude::Queryable;
    let db = TestDb::new(common::Backend::Mysql);
    ok(&["--db", &format!("{}?ssl-mode=preferred", db.url), "summary"]);
    ok(&["--db", &format!("{}?ssl-mode=disabled", db.url), "summary"]);
    let mut conn = mysql::Conn::new(mysql::Opts::from_url(&common::mysql_base()).unwrap()).unwrap();
    let have_ssl: Option<(String, String)> =
        conn.query_first("SHOW VARIABLES LIKE 'have_ssl'").unwrap();
    if have_ssl.is_some_and(|(_, v)| v == "YES") {
        ok(&["--db", &format!("{}?ssl-mode=required", db.url), "summary"]);
        return;
    }
    let (code, err) = fails(&["--db", &format!("{}?ssl-mode=required", db.url), "summary"]);
    assert_eq!(code, 3);
    assert!(
        err.ends_with("the server does not support TLS (use ssl-mode=preferred or disabled)\n"),
        "{err}"
    );
}
