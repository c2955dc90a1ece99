//! Migrations from a database made by an older tally's DDL (kept in tests/fixtures), with data
//! in every table: `tally migrate` keeps every row, and afterwards the answers equal
//! hand-written SQL over the raw rows.

mod common;

use common::v1::{self, exec};
use common::{BACKENDS, Backend, TestDb, raw, stderr, stdout, tally};
use tally::config::PoolSize;
use tally::store::{Store, Value};

fn rows(store: &Store, sql: &str) -> Vec<Vec<String>> {
    store
        .read(|c| Ok(c.query(sql, &[])?))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .rows
        .into_iter()
        .map(|r| r.iter().map(Value::to_string).collect())
        .collect()
}

/// A v1 database: the old DDL, then rows in every table, including what tally 0.1 could leave
/// behind (a record whose customer was deleted, a customer with an empty key) and a region with
/// a trailing space.
fn v1_database(backend: Backend) -> (TestDb, Store) {
    let (db, store) = v1::empty_v1(backend);
    for sql in [
        "INSERT INTO plans (id, name, price_per_minute, price_per_sms, price_per_mb, monthly_fee) VALUES (1, 'Basic', 0.05, 0.02, 0.01, 5), (2, 'Max', 0.1, 0, 0.005, 30)",
        "INSERT INTO customers (id, subscriber_key, name, plan_id, region, status, created_at) VALUES \
         (1, '447700900001', 'Ada', 1, 'North', 'active', '2026-10-01 00:00:00'), \
         (2, '447700900002', NULL, 2, 'trail ', 'active', '2026-10-01 00:00:00'), \
         (3, 'ext-7', 'Bob', NULL, 'trail', 'suspended', '2026-10-02 00:00:00'), \
         (4, '', NULL, NULL, NULL, 'active', '2026-10-03 00:00:00')",
        "INSERT INTO calls (id, customer_id, direction, other_party, start_time, duration_s, status, cell_id, source_key) VALUES \
         (1, 1, 'out', '447700900002', '2026-11-20 10:00:00', 125, 'answered', 'C1', 'k1'), \
         (2, 1, 'in', '447700900003', '2026-11-20 23:59:59', 0, 'no_answer', NULL, 'k2'), \
         (3, 2, 'out', '447700900001', '2026-11-21 08:30:00', 61, 'answered', 'C2', 'k3'), \
         (4, 999, 'out', '447700900001', '2026-11-21 09:00:00', 300, 'answered', NULL, 'k4'), \
         (5, 4, 'out', '447700900001', '2026-11-22 09:00:00', 10, 'busy', NULL, 'k5')",
        "INSERT INTO sms (id, customer_id, direction, other_party, sent_at, source_key) VALUES \
         (1, 1, 'out', '447700900002', '2026-11-20 10:05:00', 's1'), \
         (2, 3, 'in', '447700900001', '2026-11-21 11:00:00', 's2'), \
         (3, 998, 'in', '447700900001', '2026-11-21 12:00:00', 's3')",
        "INSERT INTO data_sessions (id, customer_id, start_time, duration_s, bytes_up, bytes_down, cell_id, source_key) VALUES \
         (1, 2, '2026-11-20 12:00:00', 600, 1000000, 25000000, 'C2', 'd1'), \
         (2, 3, '2026-11-22 00:00:00', 60, 5, 7, NULL, 'd2')",
    ] {
        exec(&store, sql);
    }
    raw::rebuild_rollups(&store);
    (db, store)
}

const COUNTS: [&str; 7] = [
    "SELECT COUNT(*) FROM plans",
    "SELECT COUNT(*) FROM calls",
    "SELECT COUNT(*) FROM sms",
    "SELECT COUNT(*) FROM data_sessions",
    "SELECT COUNT(*) FROM network_hourly",
    "SELECT COUNT(*) FROM customer_daily",
    "SELECT SUM(duration_s) FROM calls",
];

#[test]
fn migrating_a_v1_database_keeps_every_row_and_adds_the_keys() {
    for backend in BACKENDS {
        let (db, store) = v1_database(backend);
        let before: Vec<Vec<Vec<String>>> = COUNTS.iter().map(|q| rows(&store, q)).collect();
        let records_before = rows(
            &store,
            "SELECT id, customer_id, duration_s, source_key FROM calls ORDER BY id",
        );
        drop(store);

        let out = tally(&["--db", &db.url, "migrate"]);
        assert!(out.status.success(), "{backend:?}: {}", stderr(&out));
        assert!(
            stdout(&out).starts_with("applied migration 2: "),
            "{}",
            stdout(&out)
        );

        let store = db.open();
        let after: Vec<Vec<Vec<String>>> = COUNTS.iter().map(|q| rows(&store, q)).collect();
        assert_eq!(before, after, "{backend:?}: rows were lost or added");
        assert_eq!(
            rows(
                &store,
                "SELECT id, customer_id, duration_s, source_key FROM calls ORDER BY id"
            ),
            records_before,
            "{backend:?}: records keep their ids and customers"
        );
        assert_eq!(
            rows(
                &store,
                "SELECT id, subscriber_key, status FROM customers WHERE id IN (4, 998, 999) ORDER BY id"
            ),
            [
                ["4", "empty-key-4", "active"],
                ["998", "orphan-998", "closed"],
                ["999", "orphan-999", "closed"],
            ],
            "{backend:?}: records of deleted customers are adopted, empty keys named"
        );
        raw::assert_rollups_exact(&store);
        // Schema 8: one plan period over all time per customer, with the plan it had.
        assert_eq!(
            rows(
                &store,
                "SELECT c.id, COUNT(*), MIN(pp.valid_from), MAX(pp.valid_until), \
                 MAX(COALESCE(pp.plan_id, 0)) FROM customers c JOIN plan_periods pp \
                 ON pp.customer_id = c.id GROUP BY c.id ORDER BY c.id"
            )
            .iter()
            .map(|r| (
                r[0].clone(),
                r[1].clone(),
                r[2][..10].to_string(),
                r[3][..10].to_string(),
                r[4].clone()
            ))
            .collect::<Vec<_>>(),
            [1, 2, 3, 4, 998, 999]
                .iter()
                .map(|id| {
                    let plan = match id {
                        1 => "1",
                        2 => "2",
                        _ => "0",
                    };
                    (
                        id.to_string(),
                        "1".to_string(),
                        "1000-01-01".to_string(),
                        "9999-12-31".to_string(),
                        plan.to_string(),
                    )
                })
                .collect::<Vec<_>>(),
            "{backend:?}: plan periods"
        );
        // When the closed accounts closed is not known: left empty (fees take their last record).
        assert_eq!(
            rows(
                &store,
                "SELECT COUNT(*) FROM customers WHERE closed_at IS NOT NULL"
            ),
            [["0"]],
            "{backend:?}"
        );
        // Schema 5 knows the country of every number already stored.
        assert_eq!(
            rows(
                &store,
                "SELECT COUNT(*) FROM (SELECT other_party AS n FROM calls UNION \
                 SELECT other_party FROM sms UNION SELECT subscriber_key FROM customers) x \
                 LEFT JOIN number_countries c ON c.number = x.n WHERE c.number IS NULL"
            ),
            [["0"]],
            "{backend:?}: every number has its country"
        );

        let bogus = store.read(|c| {
            Ok(c.execute(
                "INSERT INTO sms (customer_id, direction, other_party, sent_at, source_key) VALUES (12345, 'in', '1', '2026-11-20 10:00:00', 'zz')",
                &[],
            )?)
        });
        assert!(
            bogus.is_err(),
            "{backend:?}: the foreign key holds after the migration"
        );

        // Text compares without padding on both backends now.
        let trail = tally(&[
            "--db",
            &db.url,
            "-e",
            "customers where region = 'trail' show sms",
            "--format",
            "csv",
        ]);
        assert_eq!(
            stdout(&trail),
            "customer,sms\next-7,1\n",
            "{backend:?}: {}",
            stderr(&trail)
        );

        // Prices keep six decimals.
        let price = tally(&[
            "--db", &db.url, "plan", "update", "Basic", "--per-mb", "0.000001",
        ]);
        assert!(price.status.success(), "{}", stderr(&price));
        assert_eq!(
            rows(
                &store,
                "SELECT price_per_mb FROM plans WHERE name = 'Basic'"
            ),
            [["0.000001"]],
            "{backend:?}"
        );

        // A customer id is never given out again, not even the newest one's.
        let add = tally(&["--db", &db.url, "customer", "add", "447700900077"]);
        assert!(add.status.success(), "{}", stderr(&add));
        let removed = tally(&["--db", &db.url, "customer", "delete", "447700900077"]);
        assert!(removed.status.success(), "{}", stderr(&removed));
        let again = tally(&["--db", &db.url, "customer", "add", "447700900078"]);
        assert!(again.status.success(), "{}", stderr(&again));
        let ids = rows(
            &store,
            "SELECT MAX(id) FROM customers WHERE subscriber_key = '447700900078'",
        );
        assert_eq!(
            ids,
            [["1001"]],
            "{backend:?}: the deleted customer's id 1000 is not reused"
        );
    }
}

#[test]
fn answers_after_the_migration_equal_hand_written_sql() {
    for backend in BACKENDS {
        let (db, store) = v1_database(backend);
        let by_hand = raw::customer_totals(&store);
        drop(store);
        let out = tally(&["--db", &db.url, "migrate"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let store = db.open();
        let after: Vec<Vec<String>> = raw::customer_totals(&store)
            .into_iter()
            .filter(|r| !r[0].starts_with("orphan-") && !r[0].starts_with("empty-key-"))
            .collect();
        let expected: Vec<Vec<String>> = by_hand.into_iter().filter(|r| !r[0].is_empty()).collect();
        assert_eq!(after, expected, "{backend:?}");
        let summary = tally(&[
            "--db",
            &db.url,
            "-e",
            "usage per customer show calls, seconds, sms, count",
            "--format",
            "csv",
        ]);
        assert_eq!(
            stdout(&summary),
            "customer,calls,seconds,sms,count\n\
             447700900001,2,125,1,3\n\
             447700900002,1,61,0,2\n\
             empty-key-4,1,10,0,1\n\
             ext-7,0,0,1,2\n\
             orphan-998,0,0,1,1\n\
             orphan-999,1,300,0,1\n",
            "{backend:?}: {}",
            stderr(&summary)
        );
    }
}

/// A value tally never stores (written around it) stops the migration before anything
/// changes, naming the table, the column and the value; once corrected, the migration runs.
#[test]
fn a_value_the_compact_columns_cannot_hold_is_refused_before_anything_changes() {
    let cases = [
        (
            "UPDATE calls SET status = 'Weird''s' WHERE id = 5",
            "calls.status holds \"Weird's\" in 1 row(s)",
            "UPDATE calls SET status = 'failed' WHERE id = 5",
        ),
        (
            "UPDATE calls SET duration_s = 90000 WHERE id = 3",
            "calls.duration_s holds 90000 in 1 row(s)",
            "UPDATE calls SET duration_s = 86400 WHERE id = 3",
        ),
        (
            "UPDATE sms SET direction = 'OUT' WHERE id = 1",
            "sms.direction holds \"OUT\"",
            "UPDATE sms SET direction = 'out' WHERE id = 1",
        ),
    ];
    for (spoil, says, fix) in cases {
        for backend in BACKENDS {
            let (db, store) = v1_database(backend);
            exec(&store, spoil);
            let before = rows(&store, "SELECT * FROM calls ORDER BY id");
            drop(store);

            let out = tally(&["--db", &db.url, "migrate"]);
            assert!(!out.status.success(), "{backend:?}: {}", stdout(&out));
            assert!(stderr(&out).contains(says), "{backend:?}: {}", stderr(&out));

            let store = Store::connect(&db.db_url(), PoolSize { min: 1, max: 2 }).unwrap();
            assert_eq!(rows(&store, "SELECT * FROM calls ORDER BY id"), before);
            assert_eq!(
                rows(&store, "SELECT MAX(version) FROM schema_version"),
                [["1"]],
                "{backend:?}: no step was recorded"
            );
            exec(&store, fix);
            drop(store);
            let out = tally(&["--db", &db.url, "migrate"]);
            assert!(out.status.success(), "{backend:?}: {}", stderr(&out));
        }
    }
}

#[test]
fn migrations_7_and_8_run_again_after_a_crash_change_nothing() {
    // MySQL commits each ALTER at once: a crash after a step but before its version row is
    // written runs the step again. Run both again on a migrated database: no column twice, no
    // counter doubled, no second plan period.
    for backend in BACKENDS {
        let (db, store) = v1_database(backend);
        drop(store);
        let out = tally(&["--db", &db.url, "migrate"]);
        assert!(out.status.success(), "{backend:?}: {}", stderr(&out));
        let store = db.open();
        let periods = |store: &Store| {
            rows(
                store,
                "SELECT customer_id, valid_from, valid_until, plan_id FROM plan_periods ORDER BY customer_id",
            )
        };
        let before = periods(&store);
        for step in tally::store::schema::MIGRATIONS
            .iter()
            .filter(|m| m.version >= 7)
        {
            store
                .read(|c| (step.apply)(c, store.dialect()))
                .unwrap_or_else(|e| panic!("{backend:?}: step {} again: {e}", step.version));
        }
        raw::assert_rollups_exact(&store);
        assert_eq!(periods(&store), before, "{backend:?}");
    }
}
