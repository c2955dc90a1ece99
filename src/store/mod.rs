//! Storage: opens MySQL or SQLite, keeps the schema current, and is the one path by which data is
//! written, so that rollups always equal the raw rows they summarise.

mod active;
pub mod cluster;
mod conn;
mod countries;
mod customers;
pub mod dialect;
mod error;
mod keys;
mod mysql;
mod periods;
mod plans;
mod records;
mod rollup;
pub mod schema;
mod spans;
mod sqlite;
mod totals;
mod value;

pub use active::DistinctCustomers;
pub use conn::{Backend, Conn, DbError, Loaded, Reason};
pub use customers::CustomerFilter;
pub use dialect::{ColumnType, Dialect};
pub use error::StoreError;
pub use periods::{PlanPeriod, SINCE_ALWAYS, UNTIL_FURTHER};
pub use records::{BatchMemory, BatchOutcome, DeleteCounts, RecordChanges, StoredRecord};
pub use rollup::{Counters, at as rollup_at};
pub use schema::MigrationReport;
pub use spans::{DayRange, current_span, days_hold_records};
pub use totals::Totals;
pub use value::{Rows, Value};

use crate::config::{DbUrl, PoolSize};
use std::time::Duration;

/// How many times a transaction that failed on a deadlock or a busy database is tried in all
/// before the error is reported.
const ATTEMPTS: u32 = 10;

/// How long a lost server is waited for (a restart, a failover) before the error is reported,
/// unless `TALLY_RECONNECT_SECS` says otherwise.
pub const RECONNECT_SECS: u64 = 30;

/// Receives the store's notices for people (a lost connection being retried); the library
/// never prints, the command line passes `eprintln!`.
pub type Notices = std::sync::Arc<dyn Fn(&str) + Send + Sync>;

/// An open database with a current schema.
pub struct Store {
    backend: Box<dyn Backend>,
    url: DbUrl,
    reconnect: Duration,
    notices: Option<Notices>,
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
        let reconnect = std::env::var("TALLY_RECONNECT_SECS")
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(RECONNECT_SECS);
        Ok(Store {
            backend,
            url: url.clone(),
            reconnect: Duration::from_secs(reconnect),
            notices: None,
        })
    }

    /// Where notices for people go (a lost connection being waited for).
    pub fn set_notices(&mut self, notices: Notices) {
        self.notices = Some(notices);
    }

    fn notice(&self, text: &str) {
        if let Some(n) = &self.notices {
            n(text);
        }
    }

    /// Brings the schema to the current version; a no-op when it already is.
    pub fn migrate(&self) -> Result<MigrationReport, StoreError> {
        let dialect = self.dialect();
        self.retrying(|| {
            let mut conn = self.backend.conn()?;
            schema::migrate(&mut *conn, dialect)
        })
    }

    /// The SQL dialect of this store's backend.
    pub fn dialect(&self) -> &'static dyn Dialect {
        self.backend.dialect()
    }

    /// The database this store was opened on.
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

    /// Runs reads in one read-only transaction that sees one committed state throughout (a
    /// snapshot): what one statement checks, the next one reads unchanged.
    pub fn read_snapshot<T>(
        &self,
        mut work: impl FnMut(&mut dyn Conn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let begin = self.dialect().begin_snapshot();
        self.retrying(|| {
            let mut conn = self.backend.conn()?;
            for statement in begin {
                conn.execute(statement, &[])?;
            }
            let result = work(&mut *conn);
            // Nothing was written: ending the snapshot either way is the same.
            let end = conn.execute("ROLLBACK", &[]);
            let value = result?;
            end?;
            Ok(value)
        })
    }

    /// Runs reads on one connection, once: a lost server is an error now, not waited for (the
    /// shell completes words with it while a person types).
    pub fn read_once<T>(
        &self,
        work: impl FnOnce(&mut dyn Conn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.backend.conn()?;
        work(&mut *conn)
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

    /// Runs `attempt` until it succeeds or fails for good. A deadlock or busy database is tried
    /// again a few times; a lost connection, or a server that refuses connections after this
    /// store had opened (a restart), is waited for up to the reconnect window, with backoff.
    /// Retrying is safe: every write is one transaction, and a record's source key makes a
    /// second insert a duplicate.
    fn retrying<T>(
        &self,
        mut attempt: impl FnMut() -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut tries = 1;
        let mut lost_since: Option<std::time::Instant> = None;
        loop {
            match attempt() {
                Err(e) if e.is_transient() && !e.is_unreachable() && tries < ATTEMPTS => {
                    std::thread::sleep(backoff(tries));
                    tries += 1;
                }
                Err(e) if e.is_unreachable() => {
                    let since = *lost_since.get_or_insert_with(|| {
                        self.notice(&format!(
                            "lost the connection to the database ({e}); trying again for up to {} s",
                            self.reconnect.as_secs()
                        ));
                        std::time::Instant::now()
                    });
                    if since.elapsed() >= self.reconnect {
                        return Err(gave_up(e, since.elapsed()));
                    }
                    std::thread::sleep(backoff(tries).min(Duration::from_secs(2)));
                    tries += 1;
                }
                Ok(value) => {
                    if lost_since.is_some() {
                        self.notice("the connection is back; going on");
                    }
                    return Ok(value);
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

/// The error of a server that did not come back in time.
fn gave_up(e: StoreError, waited: Duration) -> StoreError {
    let waited = waited.as_secs();
    match e {
        StoreError::Db(DbError::Lost(reason)) => StoreError::Db(DbError::Lost(
            reason.reworded(format!("{reason} (waited {waited} s for it to come back)")),
        )),
        StoreError::Db(DbError::Unreachable { target, reason }) => {
            StoreError::Db(DbError::Unreachable {
                target,
                reason: reason
                    .reworded(format!("{reason} (waited {waited} s for it to come back)")),
            })
        }
        other => other,
    }
}

/// 50 ms, 100 ms, 200 ms, ... with jitter, so retrying writers do not collide again in step.
fn backoff(tries: u32) -> Duration {
    let base = 50u64 << tries.min(6);
    let jitter: u64 = rand::random::<u64>() % (base / 2 + 1);
    Duration::from_millis(base + jitter)
}
