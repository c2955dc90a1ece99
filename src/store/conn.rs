//! The connection interface both backends implement, and the errors a database can give.

use super::{Dialect, Rows, Value};

/// One open connection, taken from the pool (MySQL) or the shared handle (SQLite).
pub trait Conn {
    /// Runs a statement; returns the number of rows it changed.
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError>;
    /// Runs an INSERT of one row; returns the id the database gave it.
    fn insert(&mut self, sql: &str, params: &[Value]) -> Result<i64, DbError>;
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Rows, DbError>;
}

/// A backend: a source of connections and the SQL dialect they speak.
pub trait Backend: Send + Sync {
    fn dialect(&self) -> &'static dyn Dialect;
    fn conn(&self) -> Result<Box<dyn Conn + '_>, DbError>;
    /// Stops the statement running on another thread (Ctrl-C in the shell).
    fn cancel_running(&self) -> Result<(), DbError>;
}

/// What went wrong in the database, sorted by what the caller should do about it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DbError {
    /// The server cannot be reached or refused us: nothing else will work.
    #[error("cannot connect to {target}: {reason}")]
    Unreachable { target: String, reason: String },
    /// The connection broke during work; the transaction may be retried on a new one.
    #[error("lost the connection to the database: {0}")]
    Lost(String),
    /// A deadlock, lock timeout or busy file: retrying the transaction will work.
    #[error("the database was busy: {0}")]
    Busy(String),
    /// A unique key was violated.
    #[error("duplicate: {0}")]
    Duplicate(String),
    /// The statement was cancelled at the user's request.
    #[error("query cancelled")]
    Cancelled,
    #[error("database error: {0}")]
    Sql(String),
}

impl DbError {
    /// Whether running the whole transaction again may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, DbError::Lost(_) | DbError::Busy(_))
    }
}
