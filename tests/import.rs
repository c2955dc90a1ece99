//! `tally import` as operators use it: bad rows, overlaps, stdin and gzip, the built-in switch
//! formats, interruptions and lost connections; every case on both backends.

mod common;

use common::{
    BACKENDS, Backend, TestDb, import_counts as counts, raw, stderr, stdout, tally, tally_cmd,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn import(db: &TestDb, args: &[&str]) -> [u64; 4] {
    let mut full = vec!["--db", db.url.as_str(), "import"];
    full.extend_from_slice(args);
    let out = tally(&full);
    assert!(out.status.success(), "import {args:?}: {}", stderr(&out));
    let c = counts(&stdout(&out));
    assert_eq!(
        c[0],
        c[1] + c[2] + c[3],
        "read = inserted + duplicates + rejected"
    );
    c
}

fn call_count(db: &TestDb) -> i64 {
    db.open()
        .read(|c| Ok(c.query("SELECT COUNT(*) FROM calls", &[])?))
        .unwrap()
        .scalar()
        .unwrap()
        .as_i64()
        .unwrap()
}

const HEADER: &str =
    "source_key,subscriber_key,direction,other_party,start_time,duration_s,status,cell_id\n";

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn bad_rows_go_to_the_rejects_file_with_line_and_reason() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            "{HEADER}\
             k1,447700900001,out,447700900002,2026-11-20T10:00:00Z,60,answered,\n\
             k2,447700900001,sideways,447700900002,2026-11-20T10:01:00Z,60,answered,\n\
             k3,447700900001,out,447700900002,2026-11-20T10:02:00Z,-5,answered,\n\
             k4,447700900001,out,447700900002,not a time,60,answered,\n\
             k5,447700900001,out\n\
             k6,447700900009,in,447700900002,2026-11-20T10:05:00Z,30,busy,C-1\n\
             k1,447700900001,out,447700900002,2026-11-20T10:00:00Z,60,answered,\n\
             k7,447700900001,in,447700900002,2026-11-20T10:07:00Z,1h,answered,\n"
        );
        let file = write(dir.path(), "calls.csv", &text);
        let added = tally(&["--db", &db.url, "customer", "add", "447700900001"]);
        assert!(added.status.success(), "{}", stderr(&added));
        let [read, inserted, duplicates, rejected] =
            import(&db, &["calls", file.to_str().unwrap()]);
        // 8 rows read; k1 and k7 stored; the second k1 a duplicate; rejected: k2 (direction),
        // k3 (negative duration), k4 (time), k5 (too few fields), k6 (customer not stored).
        assert_eq!(
            [read, inserted, duplicates, rejected],
            [8, 2, 1, 5],
            "{backend:?}"
        );
        let rejects = std::fs::read_to_string(dir.path().join("calls.csv.rejects.csv")).unwrap();
        let mut reader = csv::Reader::from_reader(rejects.as_bytes());
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        let files: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        assert!(
            files.iter().all(|f| *f == file.to_str().unwrap()),
            "{rejects}"
        );
        // The file's line numbers of k2..k6: line 1 is the header, k1 is line 2.
        let lines: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
        assert_eq!(lines, ["3", "4", "5", "6", "7"], "{rejects}");
        assert_eq!(
            rows[0][2],
            r#"invalid direction "sideways": must be out or in"#
        );
        assert_eq!(
            rows[1][2],
            r#"invalid duration "-5": must be between 0s and 24h"#
        );
        assert!(
            rows[2][2].starts_with(r#"invalid time "not a time": must be a time such as"#),
            "{}",
            rows[2][2]
        );
        assert_eq!(
            rows[3][2],
            r#"invalid time "": missing: the record has 3 fields and time is column 5 (start_time)"#
        );
        assert_eq!(
            rows[4][2],
            r#"invalid customer "447700900009": no such customer (add it with `tally customer add`, or pass --create-customer)"#
        );
        assert_eq!(
            rows[4][3],
            "k6,447700900009,in,447700900002,2026-11-20T10:05:00Z,30,busy,C-1"
        );
        raw::assert_rollups_exact(&db.open());
    }
}

#[test]
fn overlapping_files_and_reimports_change_no_count() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let dir = tempfile::tempdir().unwrap();
        let row = |k: u32| {
            format!("k{k},447700900001,out,447700900002,2026-11-20T10:{k:02}:00Z,{k},answered,\n")
        };
        let first: String = (0..30).map(row).collect();
        let second: String = (20..50).map(row).collect();
        let a = write(dir.path(), "a.csv", &format!("{HEADER}{first}"));
        let b = write(dir.path(), "b.csv", &format!("{HEADER}{second}"));
        // [read, inserted, duplicates, rejected]: a.csv holds k0..k29, all new; b.csv holds
        // k20..k49, of which k20..k29 (10) are already stored and k30..k49 (20) are new.
        assert_eq!(
            import(&db, &["calls", a.to_str().unwrap(), "--create-customers"]),
            [30, 30, 0, 0]
        );
        assert_eq!(
            import(&db, &["calls", b.to_str().unwrap(), "--create-customers"]),
            [30, 20, 10, 0]
        );
        assert_eq!(
            import(&db, &["calls", a.to_str().unwrap(), b.to_str().unwrap()])[1],
            0
        );
        assert_eq!(call_count(&db), 50, "{backend:?}");
        let totals = db.open().network_totals().unwrap().counters.0;
        // Rows k0..k49 are outgoing calls of k seconds each.
        assert_eq!(
            totals[tally::store::rollup_at::SECONDS_OUT],
            (0..50).sum::<i64>(),
            "seconds out"
        );
        raw::assert_rollups_exact(&db.open());
    }
}

#[test]
fn stdin_and_gzip_inputs() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let dir = tempfile::tempdir().unwrap();
        let body =
            format!("{HEADER}s1,447700900001,out,447700900002,2026-11-20T10:00:00Z,60,answered,\n");
        let gz = dir.path().join("calls.csv.gz");
        let mut encoder = flate2::write::GzEncoder::new(
            std::fs::File::create(&gz).unwrap(),
            flate2::Compression::default(),
        );
        encoder
            .write_all(
                format!(
                    "{HEADER}g1,447700900001,in,447700900002,2026-11-20T11:00:00Z,30,answered,\n"
                )
                .as_bytes(),
            )
            .unwrap();
        encoder.finish().unwrap();
        let mut child = tally_cmd(&[
            "--db",
            &db.url,
            "import",
            "calls",
            "-",
            "--create-customers",
        ])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(body.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        // [read, inserted, duplicates, rejected]: the one row s1 from stdin, then g1 from the .gz.
        assert_eq!(counts(&stdout(&out)), [1, 1, 0, 0]);
        assert_eq!(
            import(&db, &["calls", gz.to_str().unwrap()]),
            [1, 1, 0, 0],
            "{backend:?}"
        );
        assert_eq!(call_count(&db), 2);
    }
}

#[test]
fn asterisk_and_freeswitch_files_import_with_their_built_in_formats() {
    let asterisk = "\
\"\",\"447700900001\",\"447700900002\",\"from-internal\",\"\"\"Ada\"\" <447700900001>\",\"SIP/1-0001\",\"SIP/2-0002\",\"Dial\",\"SIP/2\",\"2026-11-20 10:00:00\",\"2026-11-20 10:00:05\",\"2026-11-20 10:01:05\",\"65\",\"60\",\"ANSWERED\",\"DOCUMENTATION\",\"1763632800.1\",\"\"
\"\",\"447700900001\",\"447700900003\",\"from-internal\",\"\",\"SIP/1-0003\",\"\",\"Dial\",\"SIP/3\",\"2026-11-20 11:00:00\",\"\",\"2026-11-20 11:00:20\",\"20\",\"0\",\"NO ANSWER\",\"DOCUMENTATION\"
\"\",\"447700900001\",\"447700900003\",\"from-internal\",\"\",\"SIP/1-0004\",\"\",\"Dial\",\"SIP/3\",\"2026-11-20 12:00:00\",\"\",\"2026-11-20 12:00:02\",\"2\",\"0\",\"BUSY\",\"DOCUMENTATION\",\"1763640000.4\",\"\"
";
    let freeswitch = "\
\"Ada\",\"447700900001\",\"447700900002\",\"default\",\"2026-11-20 10:00:00\",\"2026-11-20 10:00:03\",\"2026-11-20 10:02:03\",\"123\",\"120\",\"NORMAL_CLEARING\",\"a-uuid-1\",\"b-uuid-1\",\"\"
\"Ada\",\"447700900001\",\"447700900002\",\"default\",\"2026-11-20 11:00:00\",\"\",\"2026-11-20 11:00:09\",\"9\",\"0\",\"NORMAL_CLEARING\",\"a-uuid-2\",\"\",\"\"
\"Ada\",\"447700900001\",\"447700900002\",\"default\",\"2026-11-20 12:00:00\",\"\",\"2026-11-20 12:00:09\",\"9\",\"0\",\"USER_BUSY\",\"a-uuid-3\",\"\",\"\"
\"Ada\",\"447700900001\",\"447700900002\",\"default\",\"2026-11-20 13:00:00\",\"\",\"2026-11-20 13:00:30\",\"30\",\"0\",\"NO_USER_RESPONSE\",\"a-uuid-4\",\"\",\"\"
\"Ada\",\"447700900001\",\"447700900002\",\"default\",\"2026-11-20 14:00:00\",\"\",\"2026-11-20 14:00:01\",\"1\",\"0\",\"CALL_REJECTED\",\"a-uuid-5\",\"\",\"\"
";
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let dir = tempfile::tempdir().unwrap();
        let a = write(dir.path(), "Master.csv", asterisk);
        let f = write(dir.path(), "fs.csv", freeswitch);
        assert_eq!(
            import(
                &db,
                &[
                    "calls",
                    a.to_str().unwrap(),
                    "--format",
                    "asterisk",
                    "--create-customers",
                    "--tz",
                    "UTC"
                ]
            ),
            // [read, inserted, duplicates, rejected]: the three lines of `asterisk`, all stored.
            [3, 3, 0, 0]
        );
        assert_eq!(
            import(
                &db,
                &[
                    "calls",
                    f.to_str().unwrap(),
                    "--format",
                    "freeswitch",
                    "--tz",
                    "UTC"
                ]
            ),
            // The five lines of `freeswitch`, all stored.
            [5, 5, 0, 0]
        );
        let rows = db
            .open()
            .read(|c| {
                Ok(c.query(
                    "SELECT source_key, status, duration_s FROM calls ORDER BY source_key",
                    &[],
                )?)
            })
            .unwrap();
        let got: Vec<String> = rows
            .rows
            .iter()
            .map(|r| format!("{} {} {}", r[0], r[1], r[2]))
            .collect();
        let want = [
            "asterisk:1763632800.1 answered 60",
            "asterisk:1763640000.4 busy 0",
            "freeswitch:a-uuid-1 answered 120",
            "freeswitch:a-uuid-2 failed 0",
            "freeswitch:a-uuid-3 busy 0",
            "freeswitch:a-uuid-4 no_answer 0",
            "freeswitch:a-uuid-5 failed 0",
        ];
        assert_eq!(got[..7], want, "{backend:?}");
        // The Asterisk row without a uniqueid is keyed by a hash of its fields.
        assert!(
            got[7].starts_with("h:") && got[7].ends_with(" no_answer 0"),
            "{}",
            got[7]
        );
        // The --tz zone is used for the switch's wall-clock times.
        let db2 = TestDb::new(backend);
        import(
            &db2,
            &[
                "calls",
                a.to_str().unwrap(),
                "--format",
                "asterisk",
                "--create-customers",
                "--tz",
                "+03:00",
            ],
        );
        let first = db2
            .open()
            .read(|c| Ok(c.query("SELECT MIN(start_time) FROM calls", &[])?))
            .unwrap();
        assert_eq!(first.scalar().unwrap().to_string(), "2026-11-20 07:00:00");
    }
}

#[test]
fn a_missing_column_stops_before_any_row_is_read() {
    let db = TestDb::new(Backend::Sqlite);
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "calls.csv",
        "source_key,subscriber_key,direction\nk,1,out\n",
    );
    let out = tally(&["--db", &db.url, "import", "calls", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "tally: mapping native format: column \"other_party\" (for field other) is not in the file's header: source_key, subscriber_key, direction\n"
    );
    assert_eq!(call_count(&db), 0);
}

/// A demo calls.csv of about `customers` × 3.3 × `days` rows.
fn demo_calls(dir: &Path, customers: &str, days: &str) -> PathBuf {
    let out = tally(&[
        "demo",
        "--csv",
        dir.to_str().unwrap(),
        "--customers",
        customers,
        "--days",
        days,
        "--seed",
        "5",
        "--end",
        "2026-11-01",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    dir.join("calls.csv")
}

fn rows_in(file: &Path) -> i64 {
    std::fs::read_to_string(file).unwrap().lines().count() as i64 - 1
}

/// Starts an import, waits until some batches are committed, sends `signal`, returns the result.
fn interrupted_import(db: &TestDb, file: &Path, signal: &str) -> std::process::Output {
    let child = tally_cmd(&[
        "--db",
        &db.url,
        "import",
        "calls",
        file.to_str().unwrap(),
        "--create-customers",
        "--batch-size",
        "100",
    ])
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while call_count(db) < 300 {
        assert!(Instant::now() < deadline, "the import made no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    child.wait_with_output().unwrap()
}

#[test]
fn ctrl_c_says_where_it_stopped_and_a_rerun_completes() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let dir = tempfile::tempdir().unwrap();
        let file = demo_calls(dir.path(), "400", "20");
        let out = interrupted_import(&db, &file, "-INT");
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(130), "{backend:?}: {err}");
        assert!(err.contains("is stored up to line "), "{err}");
        let stored = call_count(&db);
        assert!(
            stored > 0 && stored < rows_in(&file),
            "stopped part-way: {stored}"
        );
        let [read, inserted, duplicates, _] = import(
            &db,
            &[
                "calls",
                file.to_str().unwrap(),
                "--create-customers",
                "--batch-size",
                "100",
            ],
        );
        assert_eq!(
            (read as i64, inserted as i64, duplicates as i64),
            (rows_in(&file), rows_in(&file) - stored, stored)
        );
        assert_eq!(call_count(&db), rows_in(&file));
        raw::assert_rollups_exact(&db.open());
    }
}

#[test]
fn kill_9_loses_no_committed_batch_and_a_rerun_is_exact() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let dir = tempfile::tempdir().unwrap();
        let file = demo_calls(dir.path(), "400", "20");
        let out = interrupted_import(&db, &file, "-KILL");
        assert_eq!(out.status.code(), None, "killed by a signal");
        import(
            &db,
            &["calls", file.to_str().unwrap(), "--create-customers"],
        );
        assert_eq!(call_count(&db), rows_in(&file), "{backend:?}");
        let distinct = db
            .open()
            .read(|c| Ok(c.query("SELECT COUNT(DISTINCT source_key) FROM calls", &[])?))
            .unwrap();
        assert_eq!(distinct.scalar().unwrap().as_i64(), Some(rows_in(&file)));
        raw::assert_rollups_exact(&db.open());
    }
}

#[test]
fn lost_connections_are_retried_and_no_batch_is_applied_twice() {
    use mysql::prelude::Queryable;
    let db = TestDb::new(Backend::Mysql);
    let dir = tempfile::tempdir().unwrap();
    let file = demo_calls(dir.path(), "400", "20");
    db.open();
    let name = db.url.rsplit('/').next().unwrap().to_string();
    let child = tally_cmd(&[
        "--db",
        &db.url,
        "import",
        "calls",
        file.to_str().unwrap(),
        "--create-customers",
        "--batch-size",
        "100",
    ])
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    let mut admin =
        mysql::Conn::new(mysql::Opts::from_url(&common::mysql_base()).unwrap()).unwrap();
    let mut kills = 0;
    let deadline = Instant::now() + Duration::from_secs(60);
    while kills < 3 && Instant::now() < deadline {
        let ids: Vec<u64> = admin
            .exec("SELECT id FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID()", (&name,))
            .unwrap();
        if call_count(&db) > 200 * (kills + 1)
            && let Some(id) = ids.first()
        {
            // The connection may have closed meanwhile; only kills that land count.
            if admin.query_drop(format!("KILL CONNECTION {id}")).is_ok() {
                kills += 1;
            }
        }
        std::thread::sleep(Duration::from_millis(30));
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the import gave up: {}", stderr(&out));
    assert_eq!(
        kills, 3,
        "the import ended before three connections were killed"
    );
    let [read, ..] = counts(&stdout(&out));
    assert_eq!(read as i64, rows_in(&file));
    assert_eq!(call_count(&db), rows_in(&file));
    raw::assert_rollups_exact(&db.open());
}
