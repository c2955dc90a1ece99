//! The connection interface both backends implement, and the errors a database can give.

use super::{Dialect, Rows, Value};
use std::sync::Arc;

/// One open connection, taken from the pool (MySQL) or the shared handle (SQLite).
pub trait Conn {
    /// Runs a statement; returns the number of rows it changed.
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError>;
    /// Runs an INSERT of one row; returns the id the database gave it.
    fn insert(&mut self, sql: &str, params: &[Value]) -> Result<i64, DbError>;
    /// Runs a query; returns its rows, with values normalised the same on both backends.
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Rows, DbError>;
    /// Loads rows into `columns` of `table` by the backend's bulk path, in one statement;
    /// `write` puts every row into the sink it is given. The path may skip rows (a duplicate
    /// key) or adjust values with only a warning: the caller checks [`Loaded`] and undoes the
    /// load when it is not exact. None: no bulk path.
    fn bulk_load(
        &mut self,
        _table: &str,
        _columns: &[&str],
        _write: &mut dyn FnMut(&mut dyn RowSink),
    ) -> Option<Result<Loaded, DbError>> {
        None
    }
    /// Whether [`Conn::bulk_load`] is worth preparing for (a staging table) on this connection.
    fn has_bulk_load(&self) -> bool {
        false
    }
}

/// Receives rows field by field, so a bulk load formats them without building values first.
pub trait RowSink {
    fn int(&mut self, value: i64);
    fn text(&mut self, value: &str);
    fn null(&mut self);
    fn end_row(&mut self);
    /// Binary data: the sink escapes what its format needs.
    fn bytes(&mut self, value: &[u8]);

    fn value(&mut self, value: &Value) {
        match value {
            Value::Null => self.null(),
            Value::Int(i) => self.int(*i),
            Value::Float(f) => self.text(&f.to_string()),
            Value::Text(t) => self.text(t),
            Value::Bytes(b) => self.bytes(b),
        }
    }
}

/// Collects rows as values: the same fields a bulk load writes, for a parameterised INSERT.
#[derive(Default)]
pub struct ValueRows {
    pub rows: Vec<Vec<Value>>,
    current: Vec<Value>,
}

impl RowSink for ValueRows {
    fn int(&mut self, value: i64) {
        self.current.push(Value::Int(value));
    }

    fn text(&mut self, value: &str) {
        self.current.push(Value::Text(value.to_string()));
    }

    fn null(&mut self) {
        self.current.push(Value::Null);
    }

    fn bytes(&mut self, value: &[u8]) {
        self.current.push(Value::Bytes(value.to_vec()));
    }

    fn end_row(&mut self) {
        self.rows.push(std::mem::take(&mut self.current));
    }
}

/// What a bulk load did: rows stored and warnings raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loaded {
    /// Rows the load stored.
    pub rows: u64,
    /// Warnings the database raised (a value truncated or adjusted).
    pub warnings: u64,
}

impl Loaded {
    /// Every one of `expected` rows stored as given.
    pub fn is_exact(&self, expected: usize) -> bool {
        self.rows == expected as u64 && self.warnings == 0
    }
}

/// A backend: a source of connections and the SQL dialect they speak.
pub trait Backend: Send + Sync {
    /// The SQL dialect this backend's connections speak.
    fn dialect(&self) -> &'static dyn Dialect;
    /// A connection: one from the pool (MySQL) or the shared handle (SQLite).
    fn conn(&self) -> Result<Box<dyn Conn + '_>, DbError>;
    /// Stops the statement running on another thread (Ctrl-C in the shell).
    fn cancel_running(&self) -> Result<(), DbError>;
}

/// What went wrong in the database, sorted by what the caller should do about it. The
/// driver's own error stays reachable through [`std::error::Error::source`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DbError {
    /// The server cannot be reached or refused us: nothing else will work.
    #[error("cannot connect to {target}: {reason}")]
    Unreachable {
        /// What could not be reached, in words: `MySQL at db:3306`, `the SQLite file ...`.
        target: String,
        /// Why, as the driver said it.
        #[source]
        reason: Reason,
    },
    /// The connection broke during work; the transaction may be retried on a new one.
    #[error("lost the connection to the database: {0}")]
    Lost(#[source] Reason),
    /// A deadlock, lock timeout or busy file: retrying the transaction will work.
    #[error("the database was busy: {0}")]
    Busy(#[source] Reason),
    /// A unique key was violated.
    #[error("duplicate: {0}")]
    Duplicate(#[source] Reason),
    /// A row refers to one that is gone (a record whose customer was deleted meanwhile), or a
    /// row still referred to was to be deleted.
    #[error("a row it refers to is gone: {0}")]
    ForeignKey(#[source] Reason),
    /// The database user may not do this (a read-only analyst storing a record).
    #[error("the database user may not do this: {0}")]
    Denied(#[source] Reason),
    /// The statement was cancelled at the user's request.
    #[error("query cancelled")]
    Cancelled,
    /// Any other database failure (a syntax error, a bad value); not retried.
    #[error("database error: {0}")]
    Sql(#[source] Reason),
}

/// Why the database failed, as people read it, with the driver's error behind it when there
/// is one (for `source()` chains and logs; equality compares the text only).
#[derive(Debug, Clone)]
pub struct Reason {
    text: String,
    cause: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl Reason {
    /// A reason the driver gave: `text`, from `cause`.
    pub fn caused(
        text: impl Into<String>,
        cause: impl std::error::Error + Send + Sync + 'static,
    ) -> Reason {
        Reason {
            text: text.into(),
            cause: Some(Arc::new(cause)),
        }
    }

    /// The same cause, with other words.
    pub fn reworded(&self, text: impl Into<String>) -> Reason {
        Reason {
            text: text.into(),
            cause: self.cause.clone(),
        }
    }

    /// The reason in words.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl std::ops::Deref for Reason {
    type Target = str;

    fn deref(&self) -> &str {
        &self.text
    }
}

impl PartialEq for Reason {
    fn eq(&self, other: &Reason) -> bool {
        self.text == other.text
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for Reason {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_deref()
            .map(|c| c as &(dyn std::error::Error + 'static))
    }
}

impl From<String> for Reason {
    fn from(text: String) -> Reason {
        Reason { text, cause: None }
    }
}

impl From<&str> for Reason {
    fn from(text: &str) -> Reason {
        Reason::from(text.to_string())
    }
}

impl DbError {
    /// Whether running the whole transaction again may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, DbError::Lost(_) | DbError::Busy(_))
    }
}
