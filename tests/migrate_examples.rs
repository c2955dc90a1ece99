//! After `tally migrate`, every example of docs/LANGUAGE.md answers exactly as on a database
//! created new with the same rows: from version 1's DDL (tests/fixtures), and from version 5's
//! column types (the last before compact records).

mod common;

use common::examples::assert_same_answers;
use common::{BACKENDS, Backend, TestDb, demo_store, raw, stderr, tally, v1};
use tally::store::{Store, Value};

/// Version 1's columns of each table tally 0.1 had, parents first.
const V1_TABLES: [(&str, &str); 5] = [
    (
        "plans",
        "id, name, price_per_minute, price_per_sms, price_per_mb, monthly_fee",
    ),
    (
        "customers",
        "id, subscriber_key, name, plan_id, region, status, created_at",
    ),
    (
        "calls",
        "id, customer_id, direction, other_party, start_time, duration_s, status, cell_id, source_key",
    ),
    (
        "sms",
        "id, customer_id, direction, other_party, sent_at, source_key",
    ),
    (
        "data_sessions",
        "id, customer_id, start_time, duration_s, bytes_up, bytes_down, cell_id, source_key",
    ),
];

/// Copies `table`'s rows, ids included, by bound multi-row INSERTs.
fn copy_rows(from: &Store, to: &Store, table: &str, columns: &str) {
    let select = format!("SELECT {columns} FROM {table} ORDER BY id");
    let rows = from
        .read(|c| Ok(c.query(&select, &[])?))
        .unwrap_or_else(|e| panic!("{select}: {e}"));
    let one = format!("({})", vec!["?"; columns.split(',').count()].join(", "));
    for chunk in rows.rows.chunks(200) {
        let sql = format!(
            "INSERT INTO {table} ({columns}) VALUES {}",
            vec![one.as_str(); chunk.len()].join(", ")
        );
        let params: Vec<Value> = chunk.iter().flatten().cloned().collect();
        to.read(|c| Ok(c.execute(&sql, &params)?))
            .unwrap_or_else(|e| panic!("{table}: {e}"));
    }
}

/// Gives a current database version 5's column types back and forgets version 6.
fn back_to_v5(store: &Store, backend: Backend) {
    if backend == Backend::Mysql {
        for sql in [
            "ALTER TABLE customers MODIFY status VARCHAR(10) NOT NULL DEFAULT 'active'",
            "ALTER TABLE calls MODIFY direction VARCHAR(3) NOT NULL, MODIFY duration_s INT NOT NULL, MODIFY status VARCHAR(10) NOT NULL",
            "ALTER TABLE sms MODIFY direction VARCHAR(3) NOT NULL",
            "ALTER TABLE data_sessions MODIFY duration_s INT NOT NULL",
        ] {
            v1::exec(store, sql);
        }
    }
    v1::exec(store, "DELETE FROM schema_version WHERE version >= 6");
}

fn migrate(db: &TestDb) {
    let out = tally(&["--db", &db.url, "migrate"]);
    assert!(out.status.success(), "{:?}: {}", db.backend, stderr(&out));
}

#[test]
fn every_example_answers_after_migrating_from_version_1_as_on_a_new_database() {
    for backend in BACKENDS {
        let (_new_db, new) = demo_store(backend, 40, 45, 7);
        let (old_db, old) = v1::empty_v1(backend);
        for (table, columns) in V1_TABLES {
            copy_rows(&new, &old, table, columns);
        }
        raw::rebuild_rollups(&old);
        drop(old);
        migrate(&old_db);
        assert_same_answers(
            &new,
            &old_db.open(),
            ("new", &format!("migrated from v1 ({backend:?})")),
        );
    }
}

#[test]
fn every_example_answers_after_migrating_from_version_5_as_on_a_new_database() {
    for backend in BACKENDS {
        let (_new_db, new) = demo_store(backend, 40, 45, 7);
        let (old_db, old) = demo_store(backend, 40, 45, 7);
        back_to_v5(&old, backend);
        drop(old);
        migrate(&old_db);
        let migrated = old_db.open();
        if backend == Backend::Mysql {
            let types = migrated
                .read(|c| {
                    Ok(c.query(
                        "SELECT column_type FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'calls' AND column_name IN ('direction', 'duration_s', 'status') ORDER BY column_name",
                        &[],
                    )?)
                })
                .expect("column types");
            let types: Vec<String> = types.rows.iter().map(|r| r[0].to_string()).collect();
            assert_eq!(
                types,
                [
                    "enum('in','out')",
                    "mediumint(9)",
                    "enum('answered','busy','failed','no_answer')"
                ]
            );
        }
        assert_same_answers(
            &new,
            &migrated,
            ("new", &format!("migrated from v5 ({backend:?})")),
        );
    }
}
