//! Input built to break things: flat chains of thousands of conditions, `in` lists longer than a
//! statement may bind, `NaN` as a time, a metric that reads no measure. Each is answered or
//! refused with a clear message; none crashes, hangs or stores a wrong value.

mod common;

use common::{BACKENDS, TestDb, import_counts, stderr, stdout, tally};

fn seeded(backend: common::Backend) -> TestDb {
    let db = TestDb::new(backend);
    for i in 0..30 {
        let key = format!("4477009{:05}", i);
        let out = tally(&[
            "--db",
            &db.url,
            "log",
            "sms",
            &key,
            "out",
            "447700900999",
            "--at",
            "2026-11-20 10:00",
            "--create-customer",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    db
}

/// Runs `query` from a file: some are longer than one command-line argument may be.
fn ask(db: &TestDb, query: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("query.tally");
    std::fs::write(&file, query).unwrap();
    tally(&[
        "--db",
        &db.url,
        "--format",
        "csv",
        "-f",
        file.to_str().unwrap(),
    ])
}

/// `customer = K0 or customer = K1 or ...` over `n` keys, of which the first 30 exist.
fn or_chain(n: usize) -> String {
    (0..n)
        .map(|i| format!("customer = 4477009{:05}", i))
        .collect::<Vec<_>>()
        .join(" or ")
}

#[test]
fn a_long_flat_or_chain_is_answered_up_to_the_limit_and_refused_beyond() {
    for backend in BACKENDS {
        let db = seeded(backend);
        let within = ask(&db, &format!("sms where {} show count", or_chain(256)));
        assert!(within.status.success(), "{backend:?}: {}", stderr(&within));
        assert_eq!(stdout(&within), "count\n30\n", "{backend:?}");
        for n in [257, 1_000, 20_000] {
            let out = ask(&db, &format!("sms where {} show count", or_chain(n)));
            assert_eq!(
                out.status.code(),
                Some(1),
                "{backend:?} {n}: {}",
                stderr(&out)
            );
            assert!(
                stderr(&out).contains("at most 256 comparisons"),
                "{backend:?} {n}: {}",
                stderr(&out)
            );
        }
    }
}

#[test]
fn long_in_lists_are_bound_within_what_the_database_takes() {
    for backend in BACKENDS {
        let db = seeded(backend);
        let keys = |n: usize| {
            (0..n)
                .map(|i| format!("4477009{:05}", i))
                .collect::<Vec<_>>()
                .join(", ")
        };
        // usage reads three raw tables and a rollup: the list is bound in each part.
        let within = ask(
            &db,
            &format!(
                "usage where customer in ({}) between 2026-11-20 09:30 and 2026-11-20 10:30 show sms",
                keys(4_000)
            ),
        );
        assert!(within.status.success(), "{backend:?}: {}", stderr(&within));
        assert_eq!(stdout(&within), "sms\n30\n");
        let beyond = ask(
            &db,
            &format!("sms where customer in ({}) show count", keys(40_000)),
        );
        assert_eq!(
            beyond.status.code(),
            Some(1),
            "{backend:?}: {}",
            stderr(&beyond)
        );
        assert!(
            stderr(&beyond).contains("at most 5000 values"),
            "{backend:?}: {}",
            stderr(&beyond)
        );
    }
}

#[test]
fn deep_nesting_and_long_queries_do_not_crash() {
    let db = seeded(common::Backend::Sqlite);
    let deep = format!(
        "sms where {}customer = 1{} show count",
        "(".repeat(5_000),
        ")".repeat(5_000)
    );
    let out = ask(&db, &deep);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("nested too deeply"),
        "{}",
        stderr(&out)
    );
    let nots = format!("sms where {}customer = 1 show count", "not ".repeat(50_000));
    let out = ask(&db, &nots);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let many_measures = format!("sms show {}", vec!["count"; 20_000].join(", "));
    let out = ask(&db, &many_measures);
    assert!(out.status.code().is_some(), "no signal: {}", stderr(&out));
}

#[test]
fn nan_and_infinite_epoch_times_are_rejected_not_stored_as_1970() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let dir = tempfile::tempdir().unwrap();
        let map = dir.path().join("epoch.toml");
        std::fs::write(
            &map,
            "record = \"sms\"\n[time]\nformat = \"epoch\"\n[fields]\ncustomer = \"who\"\nother = \"to\"\ntime = \"t\"\ndirection = { value = \"out\" }\n",
        )
        .unwrap();
        let file = dir.path().join("sms.csv");
        std::fs::write(
            &file,
            "who,to,t\n447700900001,447700900002,NaN\n447700900001,447700900002,nan\n447700900001,447700900002,inf\n447700900001,447700900002,-inf\n447700900001,447700900002,1e300\n447700900001,447700900002,1763632800\n",
        )
        .unwrap();
        let out = tally(&[
            "--db",
            &db.url,
            "import",
            "sms",
            file.to_str().unwrap(),
            "--map",
            map.to_str().unwrap(),
            "--create-customers",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        // [read, inserted, duplicates, rejected]: six rows; NaN, nan, inf, -inf and 1e300
        // rejected, only 1763632800 (2025-11-20 10:00 UTC) stored.
        assert_eq!(import_counts(&stdout(&out)), [6, 1, 0, 5], "{backend:?}");
        let stored = ask(&db, "sms per day show count");
        assert_eq!(stdout(&stored), "day,count\n2025-11-20,1\n", "{backend:?}");
    }
}

#[test]
fn a_metric_that_reads_no_measure_still_answers() {
    for backend in BACKENDS {
        let db = seeded(backend);
        let out = ask(&db, "metric k = { let x = 5; x }; sms show k, count");
        assert!(out.status.success(), "{backend:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), "k,count\n5,30\n", "{backend:?}");
        let out = ask(&db, "metric k = { let x = 5; x }; sms per day show k");
        assert!(out.status.success(), "{backend:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), "day,k\n2026-11-20,5\n", "{backend:?}");
    }
}
