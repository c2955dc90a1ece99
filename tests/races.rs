//! Writers racing each other as separate `tally` processes: corrections and deletions of the
//! same record, a customer deleted while its records are being logged or imported. Afterwards
//! the rollups equal a GROUP BY over the raw rows (computed by hand-written SQL), and no record
//! is left without its customer.

mod common;

use common::{BACKENDS, TestDb, import_counts, raw, stderr, stdout, tally, tally_cmd};
use std::process::{Child, Output, Stdio};
use tally::store::Store;

const KEY: &str = "447700900001";

fn spawn(db: &TestDb, args: &[&str]) -> Child {
    let mut full = vec!["--db", db.url.as_str()];
    full.extend_from_slice(args);
    tally_cmd(&full)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting tally")
}

fn finish(children: Vec<Child>) -> Vec<Output> {
    children
        .into_iter()
        .map(|c| c.wait_with_output().expect("waiting for tally"))
        .collect()
}

fn scalar(store: &Store, sql: &str) -> i64 {
    store
        .read(|c| Ok(c.query(sql, &[])?))
        .unwrap()
        .scalar()
        .and_then(|v| v.as_i64())
        .unwrap_or(0)
}

/// Records whose customer does not exist: there must never be any.
fn orphans(store: &Store) -> i64 {
    ["calls", "sms", "data_sessions"]
        .iter()
        .map(|t| {
            scalar(
                store,
                &format!(
                    "SELECT COUNT(*) FROM {t} WHERE customer_id NOT IN (SELECT id FROM customers)"
                ),
            )
        })
        .sum()
}

fn log_calls(db: &TestDb, n: usize) -> Vec<i64> {
    let store = db.open();
    let ctx = tally::model::InputContext::new(tally::model::Zone::utc());
    (0..n)
        .map(|i| {
            let call = tally::model::CallInput {
                customer: KEY.into(),
                direction: "out".into(),
                other: "447700900002".into(),
                at: Some(format!("2026-11-20 10:{:02}", i % 60)),
                duration: Some(format!("{}", 60 + i)),
                ..Default::default()
            }
            .validate(&ctx)
            .unwrap();
            store
                .log(&tally::model::Record::Call(call), true)
                .expect("logging a call")
        })
        .collect()
}

#[test]
fn parallel_deletions_of_one_record_take_it_out_of_the_rollups_once() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let ids = log_calls(&db, 6);
        for id in &ids {
            let id = id.to_string();
            let children = (0..3)
                .map(|_| spawn(&db, &["record", "delete", "call", &id]))
                .collect();
            let outs = finish(children);
            let succeeded = outs.iter().filter(|o| o.status.success()).count();
            assert_eq!(
                succeeded, 1,
                "{backend:?}: exactly one deletion of call {id}"
            );
            for o in outs.iter().filter(|o| !o.status.success()) {
                assert!(
                    stderr(o).contains(&format!("no call record with id {id}")),
                    "{}",
                    stderr(o)
                );
            }
        }
        let store = db.open();
        assert_eq!(scalar(&store, "SELECT COUNT(*) FROM calls"), 0);
        assert_eq!(scalar(&store, "SELECT COUNT(*) FROM network_hourly"), 0);
        raw::assert_rollups_exact(&store);
    }
}

#[test]
fn parallel_corrections_of_one_record_leave_the_rollups_exact() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let ids = log_calls(&db, 4);
        for id in &ids {
            let id = id.to_string();
            let children = [(0, "17m"), (1, "3m"), (2, "45s")]
                .iter()
                .map(|(_, d)| spawn(&db, &["record", "update", "call", &id, "--duration", d]))
                .collect();
            for o in finish(children) {
                assert!(o.status.success(), "{backend:?}: {}", stderr(&o));
            }
        }
        raw::assert_rollups_exact(&db.open());
    }
}

#[test]
fn a_customer_deleted_while_its_records_are_logged_leaves_no_trace() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        log_calls(&db, 1);
        for round in 0..3 {
            let mut children: Vec<Child> = (0..6)
                .map(|i| {
                    let at = format!("2026-11-21 1{round}:{i:02}");
                    spawn(
                        &db,
                        &["log", "sms", KEY, "out", "447700900002", "--at", &at],
                    )
                })
                .collect();
            children.insert(3, spawn(&db, &["customer", "delete", KEY, "--cascade"]));
            for o in finish(children) {
                let text = stderr(&o);
                assert!(
                    o.status.success()
                        || text.contains("no such customer")
                        || text.contains("no customer"),
                    "{backend:?}: {text}"
                );
            }
            let store = db.open();
            assert_eq!(
                orphans(&store),
                0,
                "{backend:?}: records outlived their customer"
            );
            raw::assert_rollups_exact(&store);
            // The customer again, for the next round.
            let _ = tally(&["--db", &db.url, "customer", "add", KEY]);
        }
    }
}

/// `rows` calls in time order; every fourth belongs to `KEY`, the rest to 40 other customers.
/// Returns the CSV lines (header first) and how many are `KEY`'s.
fn calls_lines(rows: usize) -> (Vec<String>, usize) {
    let mut lines = vec![
        "source_key,subscriber_key,direction,other_party,start_time,duration_s,status,cell_id"
            .to_string(),
    ];
    let mut ours = 0;
    for i in 0..rows {
        let customer = if i % 4 == 0 {
            ours += 1;
            KEY.to_string()
        } else {
            format!("4477009{:05}", 100 + i % 40)
        };
        let (h, m, s) = (i / 3600 % 24, i / 60 % 60, i % 60);
        lines.push(format!(
            "r{i},{customer},out,447700900002,2026-11-20T{h:02}:{m:02}:{s:02}Z,{},answered,C1",
            i % 300
        ));
    }
    (lines, ours)
}

#[test]
fn a_customer_deleted_during_an_import_stays_deleted_and_nothing_is_orphaned() {
    use std::io::Write;
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let dir = tempfile::tempdir().unwrap();
        let rows = 20_000;
        let (lines, ours) = calls_lines(rows);
        log_calls(&db, 1);
        // The file comes through a pipe this test holds: the first half is stored, then the
        // customer is deleted, then the second half arrives. No timing decides the outcome.
        let mut full = vec!["--db", db.url.as_str()];
        full.extend([
            "import",
            "calls",
            "-",
            "--create-customers",
            "--batch-size",
            "500",
            "--rejects",
        ]);
        let rejects_path = dir.path().join("rejects.csv");
        full.push(rejects_path.to_str().unwrap());
        let mut import = tally_cmd(&full)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = import.stdin.take().unwrap();
        let half = lines.len() / 2;
        input
            .write_all((lines[..half].join("\n") + "\n").as_bytes())
            .unwrap();
        input.flush().unwrap();
        let store = db.open();
        let started = std::time::Instant::now();
        while scalar(&store, "SELECT COUNT(*) FROM calls") < (half as i64 - 600) {
            assert!(
                started.elapsed().as_secs() < 60,
                "the first half was not stored"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let delete = tally(&["--db", &db.url, "customer", "delete", KEY, "--cascade"]);
        assert!(delete.status.success(), "{}", stderr(&delete));
        input
            .write_all((lines[half..].join("\n") + "\n").as_bytes())
            .unwrap();
        drop(input);
        let out = import.wait_with_output().unwrap();
        assert!(out.status.success(), "{backend:?}: {}", stderr(&out));
        let [read, inserted, duplicates, rejected] = import_counts(&stdout(&out));
        assert_eq!(read as usize, rows);
        assert_eq!(read, inserted + duplicates + rejected);
        assert!(
            rejected > 0,
            "{backend:?}: the import went on storing the deleted customer"
        );
        let store = db.open();
        assert_eq!(orphans(&store), 0);
        assert_eq!(
            scalar(
                &store,
                &format!("SELECT COUNT(*) FROM customers WHERE subscriber_key = '{KEY}'")
            ),
            0,
            "{backend:?}: the deleted customer came back"
        );
        assert_eq!(
            scalar(&store, "SELECT COUNT(*) FROM calls") as usize,
            rows - ours,
            "{backend:?}: every other customer's call is stored"
        );
        let rejects = std::fs::read_to_string(&rejects_path).unwrap();
        assert_eq!(
            rejects.matches("deleted while the import ran").count() as u64,
            rejected,
            "{rejects}"
        );
        raw::assert_rollups_exact(&store);
    }
}

#[test]
fn records_cannot_be_stored_for_a_missing_customer_even_by_hand() {
    // The foreign key itself, below tally's checks.
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let store = db.open();
        let result = store.read(|c| {
            Ok(c.execute(
                "INSERT INTO calls (customer_id, direction, other_party, start_time, duration_s, status, source_key) \
                 VALUES (999, 'out', '1', '2026-11-20 10:00:00', 1, 'answered', 'x')",
                &[],
            )?)
        });
        assert!(
            matches!(
                result,
                Err(tally::store::StoreError::Db(
                    tally::store::DbError::ForeignKey(_)
                ))
            ),
            "{backend:?}: {result:?}"
        );
    }
}

#[test]
fn the_same_file_imported_twice_at_once_beside_a_logger_stores_each_record_once() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let dir = tempfile::tempdir().unwrap();
        let (lines, _) = calls_lines(30_000);
        let file = dir.path().join("calls.csv");
        std::fs::write(&file, lines.join("\n") + "\n").unwrap();
        log_calls(&db, 1);
        let imports: Vec<Child> = (0..2)
            .map(|i| {
                let rejects = dir.path().join(format!("rejects-{i}.csv"));
                spawn(
                    &db,
                    &[
                        "import",
                        "calls",
                        file.to_str().unwrap(),
                        "--create-customers",
                        "--batch-size",
                        "2000",
                        "--rejects",
                        rejects.to_str().unwrap(),
                    ],
                )
            })
            .collect();
        let mut logged = 0;
        for i in 0..60 {
            let at = format!("2026-11-22 {:02}:{:02}", i / 60, i % 60);
            let out = tally(&[
                "--db",
                &db.url,
                "log",
                "sms",
                KEY,
                "in",
                "447700900003",
                "--at",
                &at,
            ]);
            assert!(
                out.status.success(),
                "{backend:?}: log {i}: {}",
                stderr(&out)
            );
            logged += 1;
        }
        let mut inserted_total = 0;
        for out in finish(imports) {
            assert!(out.status.success(), "{backend:?}: {}", stderr(&out));
            let [read, inserted, duplicates, rejected] = import_counts(&stdout(&out));
            assert_eq!(read, 30_000);
            assert_eq!(read, inserted + duplicates + rejected);
            assert_eq!(rejected, 0);
            inserted_total += inserted;
        }
        assert_eq!(
            inserted_total, 30_000,
            "{backend:?}: each record stored by one import"
        );
        let store = db.open();
        assert_eq!(scalar(&store, "SELECT COUNT(*) FROM calls"), 30_001);
        assert_eq!(scalar(&store, "SELECT COUNT(*) FROM sms"), logged);
        raw::assert_rollups_exact(&store);
    }
}

#[test]
fn a_customer_deleted_while_its_records_are_corrected_or_deleted_leaves_exact_rollups() {
    const OTHER: &str = "447700900077";
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let _ = tally(&["--db", &db.url, "customer", "add", OTHER]);
        for round in 0..3 {
            let ids = log_calls(&db, 12);
            let mut children: Vec<Child> = Vec::new();
            for (i, id) in ids.iter().enumerate() {
                let id = id.to_string();
                let args: Vec<&str> = match i % 3 {
                    0 => vec!["record", "update", "call", &id, "--duration", "23h"],
                    1 => vec!["record", "delete", "call", &id],
                    _ => vec!["record", "update", "call", &id, "--customer", OTHER],
                };
                children.push(spawn(&db, &args));
                if i == 5 {
                    children.push(spawn(&db, &["customer", "delete", KEY, "--cascade"]));
                }
            }
            finish(children);
            let store = db.open();
            assert_eq!(orphans(&store), 0, "{backend:?} round {round}");
            raw::assert_rollups_exact(&store);
            let _ = tally(&["--db", &db.url, "customer", "add", KEY]);
        }
    }
}
