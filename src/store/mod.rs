//! Storage: opens MySQL or SQLite, keeps the schema current, and is the one path by which data is
//! written, so that rollups always equal the raw rows they summarise.

mod conn;
mod customers;
pub mod dialect;
mod error;
mod mysql;
mod plans;
mod records;
mod rollup;
pub mod schema;
mod sqlite;
mod totals;
mod value;

pub use conn::{Backend, Conn, DbError, Loaded};
pub use customers::CustomerFilter;
pub use dialect::{ColumnType, Dialect};
pub use error::StoreError;
pub use records::{BatchMemory, BatchOutcome, DeleteCounts, RecordChanges, StoredRecord};
pub use rollup::{Counters, at as rollup_at};
pub use schema::MigrationReport;
pub use totals::Totals;
pub use value::{Rows, Value};

use crate::config::{DbUrl, PoolSize};
use std::time::Duration;

/// How many times a transaction that failed on a deadlock, a busy database or a lost connection
/// is tried in all before the error is reported.
const ATTEMPTS: u32 = 5;

/// An open database with a current schema.
pub struct Store {
    backend: Box<dyn Backend>,
    url: DbUrl,
}

impl Store {
    /// Connects and applies pending migrations: every command starts here.
    pub fn open(url: &DbUrl, pool: PoolSize) -> Result<Store, StoreError> {
        let store = Store::connect(url, pool)?;
        store.migrate()?;
        Ok(store)
    }

    /// Connects without touching the schema.
    pub fn connect(url: &DbUrl, pool: PoolSize) -> Result<Store, StoreError> {
        let backend: Box<dyn Backend> = match url {
            DbUrl::Mysql(m) => Box::new(mysql::MysqlBackend::open(m, pool)?),
            DbUrl::SqliteFile(path) => Box::new(sqlite::SqliteBackend::open_file(path)?),
            DbUrl::SqliteMemory => Box::new(sqlite::SqliteBackend::open_memory()?),
        };
        Ok(Store {
            backend,
            url: url.clone(),
        })
    }

    pub fn migrate(&self) -> Result<MigrationReport, StoreError> {
        let dialect = self.dialect();
        self.retrying(|| {
            let mut conn = self.backend.conn()?;
            schema::migrate(&mut *conn, dialect)
        })
    }

    pub fn dialect(&self) -> &'static dyn Dialect {
        self.backend.dialect()
    }

    pub fn url(&self) -> &DbUrl {
        &self.url
    }

    /// Runs reads on one connection (no transaction: each statement sees committed data).
    pub fn read<T>(
        &self,
        mut work: impl FnMut(&mut dyn Conn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.retrying(|| {
            let mut conn = self.backend.conn()?;
            work(&mut *conn)
        })
    }

    /// Runs `work` in one transaction: all of it is committed or none. A deadlock, a busy
    /// database or a lost connection runs it again on a fresh connection, so `work` must not have
    /// effects outside the database.
    pub fn write<T>(
        &self,
        mut work: impl FnMut(&mut dyn Conn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let begin = self.dialect().begin_write();
        self.retrying(|| {
            let mut conn = self.backend.conn()?;
            conn.execute(begin, &[])?;
            match work(&mut *conn) {
                Ok(value) => {
                    conn.execute("COMMIT", &[])?;
                    Ok(value)
                }
                Err(e) => {
                    // The work's error is the one to report; a failed rollback ends with the
                    // connection, which discards the transaction anyway.
                    let _ = conn.execute("ROLLBACK", &[]);
                    Err(e)
                }
            }
        })
    }

    fn retrying<T>(
        &self,
        mut attempt: impl FnMut() -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut tries = 1;
        loop {
            match attempt() {
                Err(e) if e.is_transient() && tries < ATTEMPTS => {
                    std::thread::sleep(backoff(tries));
                    tries += 1;
                }
                Err(StoreError::Db(DbError::Lost(reason))) => {
                    return Err(StoreError::Db(DbError::Lost(format!(
                        "{reason} (tried {tries} times)"
                    ))));
                }
                other => return other,
            }
        }
    }

    /// Stops the query another thread is running (the shell's Ctrl-C).
    pub fn cancel_running(&self) -> Result<(), StoreError> {
        Ok(self.backend.cancel_running()?)
    }
}

/// 50 ms, 100 ms, 200 ms, ... with jitter, so retrying writers do not collide again in step.
fn backoff(tries: u32) -> Duration {
    let base = 50u64 << tries.min(6);
    let jitter: u64 = rand::random::<u64>() % (base / 2 + 1);
    Duration::from_millis(base + jitter)
}
