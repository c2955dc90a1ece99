//! The embedded SQLite backend: one shared connection, serialised by a mutex.

use super::Reason;
use super::dialect::Sqlite;
use super::{Backend, Conn, DbError, Dialect, Rows, Value};
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{Connection, ErrorCode, InterruptHandle};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

/// SQLite allows one writer at a time anyway; one connection behind a mutex keeps `:memory:`
/// databases whole and makes writers queue instead of failing with SQLITE_BUSY.
pub struct SqliteBackend {
    conn: Mutex<Connection>,
    interrupt: InterruptHandle,
}

impl SqliteBackend {
    /// Opens (and creates, with its directory) the database file.
    pub fn open_file(path: &Path) -> Result<SqliteBackend, DbError> {
        let unreachable = |reason: String| DbError::Unreachable {
            target: format!("the SQLite file {}", path.display()),
            reason: reason.into(),
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| unreachable(format!("cannot create {}: {e}", dir.display())))?;
        }
        let conn = Connection::open(path).map_err(|e| unreachable(e.to_string()))?;
        // WAL lets a reader (a BI tool, a second shell) run while tally writes.
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
            .map_err(|e| unreachable(e.to_string()))?;
        Self::configure(conn).map_err(|e| unreachable(e.to_string()))
    }

    pub fn open_memory() -> Result<SqliteBackend, DbError> {
        let conn = Connection::open_in_memory().map_err(|e| DbError::Unreachable {
            target: "an in-memory SQLite database".into(),
            reason: e.to_string().into(),
        })?;
        Self::configure(conn).map_err(sql_error)
    }

    fn configure(conn: Connection) -> rusqlite::Result<SqliteBackend> {
        conn.execute_batch(
            "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -32768;",
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        // Few statements repeat, and an import's multi-row statements (thousands of parameters,
        // a different one for each batch's last chunk) are large: 64 of them cached held 30 MB.
        conn.set_prepared_statement_cache_capacity(8);
        let interrupt = conn.get_interrupt_handle();
        Ok(SqliteBackend {
            conn: Mutex::new(conn),
            interrupt,
        })
    }
}

impl Backend for SqliteBackend {
    fn dialect(&self) -> &'static dyn Dialect {
        &Sqlite
    }

    fn conn(&self) -> Result<Box<dyn Conn + '_>, DbError> {
        let guard = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        Ok(Box::new(SqliteConn { conn: guard }))
    }

    fn cancel_running(&self) -> Result<(), DbError> {
        self.interrupt.interrupt();
        Ok(())
    }
}

struct SqliteConn<'a> {
    conn: MutexGuard<'a, Connection>,
}

fn bind(values: &[Value]) -> impl Iterator<Item = SqlValue> + '_ {
    values.iter().map(|v| match v {
        Value::Null => SqlValue::Null,
        Value::Int(i) => SqlValue::Integer(*i),
        Value::Float(f) => SqlValue::Real(*f),
        Value::Text(t) => SqlValue::Text(t.clone()),
        Value::Bytes(b) => SqlValue::Blob(b.clone()),
    })
}

fn sql_error(e: rusqlite::Error) -> DbError {
    let rusqlite::Error::SqliteFailure(f, message) = &e else {
        return DbError::Sql(Reason::caused(e.to_string(), e));
    };
    let text = message.clone().unwrap_or_else(|| f.to_string());
    let kind: fn(Reason) -> DbError = match f.code {
        ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => DbError::Busy,
        ErrorCode::OperationInterrupted => return DbError::Cancelled,
        // SQLITE_CONSTRAINT_PRIMARYKEY and SQLITE_CONSTRAINT_UNIQUE.
        ErrorCode::ConstraintViolation if matches!(f.extended_code, 1555 | 2067) => {
            DbError::Duplicate
        }
        // SQLITE_CONSTRAINT_FOREIGNKEY.
        ErrorCode::ConstraintViolation if f.extended_code == 787 => DbError::ForeignKey,
        // A full disk is not a lost connection: waiting would not free it.
        ErrorCode::DiskFull => DbError::Sql,
        ErrorCode::CannotOpen | ErrorCode::SystemIoFailure => DbError::Lost,
        _ => DbError::Sql,
    };
    kind(Reason::caused(text, e))
}

impl Conn for SqliteConn<'_> {
    fn execute(&mut self, sql: &str, values: &[Value]) -> Result<u64, DbError> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(sql_error)?;
        let changed = stmt
            .execute(rusqlite::params_from_iter(bind(values)))
            .map_err(sql_error)?;
        Ok(changed as u64)
    }

    fn insert(&mut self, sql: &str, values: &[Value]) -> Result<i64, DbError> {
        self.execute(sql, values)?;
        Ok(self.conn.last_insert_rowid())
    }

    fn query(&mut self, sql: &str, values: &[Value]) -> Result<Rows, DbError> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(sql_error)?;
        let columns: Vec<String> = stmt.column_names().map(str::to_string).collect();
        let width = columns.len();
        let mut result = stmt
            .query(rusqlite::params_from_iter(bind(values)))
            .map_err(sql_error)?;
        let mut rows = Vec::new();
        while let Some(row) = result.next().map_err(sql_error)? {
            let mut out = Vec::with_capacity(width);
            for i in 0..width {
                out.push(match row.get_ref(i).map_err(sql_error)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(i) => Value::Int(i),
                    ValueRef::Real(f) => Value::Float(f),
                    ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
                });
            }
            rows.push(out);
        }
        Ok(Rows { columns, rows })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error;

    #[test]
    fn a_database_error_keeps_the_drivers_error_as_its_source() {
        let backend = SqliteBackend::open_memory().unwrap();
        let mut conn = backend.conn().unwrap();
        let e = conn.query("SELECT * FROM no_such_table", &[]).unwrap_err();
        assert!(matches!(e, DbError::Sql(_)), "{e:?}");
        assert!(e.to_string().contains("no such table"), "{e}");
        let reason = e.source().expect("the reason");
        let driver = reason.source().expect("the driver's error");
        assert!(
            driver.downcast_ref::<rusqlite::Error>().is_some(),
            "{driver:?}"
        );
    }
}
