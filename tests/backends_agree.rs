//! Values where MySQL and SQLite used to disagree: tiny and absurd prices, text with trailing
//! spaces. Each case runs on both backends and must give the same answer, and the answer a
//! plain computation gives.

mod common;

use common::{BACKENDS, TestDb, import_counts, stderr, stdout, tally};

fn run(db: &TestDb, args: &[&str]) -> String {
    let mut full = vec!["--db", db.url.as_str()];
    full.extend_from_slice(args);
    let out = tally(&full);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

#[test]
fn prices_are_kept_exactly_and_absurd_ones_are_rejected_not_half_imported() {
    let mut answers = Vec::new();
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let dir = tempfile::tempdir().unwrap();
        let plans = dir.path().join("plans.csv");
        std::fs::write(
            &plans,
            "name,price_per_minute,price_per_sms,price_per_mb,monthly_fee\n\
             Tiny,0.00001,0.000001,0.000003,0\n\
             Absurd,1e30,0,0,0\n\
             Fine,0.05,0.02,0.01,5\n\
             Negative,-0.01,0,0,0\n\
             Late,0.1,0.1,0.1,10\n",
        )
        .unwrap();
        let summary = run(&db, &["import", "plans", plans.to_str().unwrap()]);
        // [read, inserted, duplicates, rejected]: five plans; Tiny, Fine and Late stored,
        // Absurd (1e30) and Negative (-0.01) rejected.
        assert_eq!(
            import_counts(&summary),
            [5, 3, 0, 2],
            "{backend:?}: {summary}"
        );
        let rejects = std::fs::read_to_string(dir.path().join("plans.csv.rejects.csv")).unwrap();
        assert!(rejects.contains("Absurd,1e30"), "{rejects}");
        assert!(rejects.contains("Negative,-0.01"), "{rejects}");
        let list = run(&db, &["plan", "list"]);
        assert!(list.contains("0.00001 "), "{backend:?}: {list}");
        assert!(list.contains("0.000001 "), "{backend:?}: {list}");

        // 1,000,000 outgoing seconds (16,666.67 minutes) at 0.00001 a minute, by hand: 0.17.
        run(&db, &["customer", "add", "447700900001", "--plan", "Tiny"]);
        for i in 0..10 {
            run(
                &db,
                &[
                    "log",
                    "call",
                    "447700900001",
                    "out",
                    "447700900002",
                    "--at",
                    &format!("2026-11-20 10:{i:02}"),
                    "--duration",
                    "24h",
                    "--source-key",
                    &format!("c{i}"),
                ],
            );
        }
        let revenue = run(&db, &["-e", "calls show revenue", "--format", "csv"]);
        let by_hand = 10.0 * 86_400.0 / 60.0 * 0.00001;
        assert_eq!(revenue, format!("revenue\n{:.2}\n", by_hand), "{backend:?}");
        answers.push((list, revenue));
    }
    assert_eq!(
        answers[0], answers[1],
        "both backends give the same answers"
    );
}

#[test]
fn text_compares_without_padding_on_both_backends() {
    let mut answers = Vec::new();
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let dir = tempfile::tempdir().unwrap();
        let customers = dir.path().join("customers.csv");
        std::fs::write(
            &customers,
            "subscriber_key,name,plan,region,status,created_at\n\
             447700900001,,,\"trail \",active,\n\
             447700900002,,,trail,active,\n\
             447700900003,,,Trail,active,\n",
        )
        .unwrap();
        run(&db, &["import", "customers", customers.to_str().unwrap()]);
        for key in ["447700900001", "447700900002", "447700900003"] {
            run(
                &db,
                &[
                    "log",
                    "sms",
                    key,
                    "out",
                    "447700900009",
                    "--at",
                    "2026-11-20 10:00",
                ],
            );
        }
        let mut here = Vec::new();
        for region in ["trail", "trail ", "Trail"] {
            let q = format!("customers where region = '{region}' show sms");
            here.push(run(&db, &["-e", &q, "--format", "csv"]));
        }
        answers.push(here);
    }
    assert_eq!(
        answers[0], answers[1],
        "both backends give the same answers"
    );
    // Names are stored trimmed (as every name tally reads), and a value in a query compares
    // exactly: 'trail ' is not 'trail' (MariaDB's PAD SPACE collations said it was), nor is
    // 'Trail'.
    assert_eq!(
        answers[0][0],
        "customer,sms\n447700900001,1\n447700900002,1\n"
    );
    assert_eq!(answers[0][1], "customer,sms\n");
    assert_eq!(answers[0][2], "customer,sms\n447700900003,1\n");
}
