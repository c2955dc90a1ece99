//! A database made by tally 0.1's DDL (kept in tests/fixtures), for migration tests.

use super::{Backend, TestDb};
use tally::config::PoolSize;
use tally::store::Store;

fn fixture(backend: Backend) -> &'static str {
    match backend {
        Backend::Mysql => include_str!("../fixtures/schema-v1-mysql.sql"),
        Backend::Sqlite => include_str!("../fixtures/schema-v1-sqlite.sql"),
    }
}

/// Runs one statement, panicking with it on failure.
pub fn exec(store: &Store, sql: &str) {
    store
        .read(|c| Ok(c.execute(sql, &[])?))
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// A fresh database holding version 1's tables, empty, opened without migrating it.
pub fn empty_v1(backend: Backend) -> (TestDb, Store) {
    let db = TestDb::new(backend);
    let store = Store::connect(&db.db_url(), PoolSize { min: 1, max: 2 }).unwrap();
    for statement in fixture(backend).split(";\n") {
        let sql: String = statement
            .lines()
            .filter(|l| !l.starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        if !sql.trim().is_empty() {
            exec(&store, &sql);
        }
    }
    (db, store)
}
