//! Versioned migrations, applied in order and recorded in `schema_version`.

pub mod tables;

use super::{Conn, Dialect, StoreError, Value};
use crate::model::sql_time;

/// One step of the schema's history. Statements use `IF NOT EXISTS`, so a migration cut short by
/// a crash (MySQL cannot roll DDL back) completes when it runs again.
pub struct Migration {
    pub version: u32,
    pub description: &'static str,
    pub statements: fn(&dyn Dialect) -> Vec<String>,
}

pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    description: "plans, customers, calls, sms, data sessions, network_hourly and customer_daily rollups",
    statements: initial_schema,
}];

/// The newest schema version this binary knows.
pub fn latest_version() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

fn initial_schema(d: &dyn Dialect) -> Vec<String> {
    let tables = [
        tables::plans(),
        tables::customers(),
        tables::calls(),
        tables::sms(),
        tables::data_sessions(),
        tables::network_hourly(),
        tables::customer_daily(),
    ];
    let mut out = Vec::new();
    for t in &tables {
        out.push(t.create_sql(d));
        out.extend(t.index_sql());
    }
    out
}

/// What `migrate` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    pub from: u32,
    pub to: u32,
    pub applied: Vec<(u32, &'static str)>,
}

/// The version recorded in the database; 0 for an empty database.
pub fn current_version(conn: &mut dyn Conn) -> Result<u32, StoreError> {
    let rows = conn.query("SELECT MAX(version) FROM schema_version", &[])?;
    Ok(rows
        .scalar()
        .and_then(Value::as_i64)
        .map_or(0, |v| u32::try_from(v).unwrap_or(u32::MAX)))
}

/// Brings the schema up to date, holding a lock so two processes never migrate at once.
pub fn migrate(conn: &mut dyn Conn, d: &dyn Dialect) -> Result<MigrationReport, StoreError> {
    conn.execute(&tables::schema_version().create_sql(d), &[])?;
    let lock = d.schema_lock();
    let granted = conn.query(lock.acquire, &[])?;
    if granted.scalar().is_some_and(|v| v.as_i64() != Some(1)) {
        return Err(StoreError::Db(super::DbError::Busy(
            "another tally is migrating the schema; try again in a minute".into(),
        )));
    }
    match apply_pending(conn, d) {
        Ok(report) => {
            conn.query(lock.release_ok, &[])?;
            Ok(report)
        }
        Err(e) => {
            // The migration's error is the one worth reporting, not the release's.
            let _ = conn.query(lock.release_err, &[]);
            Err(e)
        }
    }
}

fn apply_pending(conn: &mut dyn Conn, d: &dyn Dialect) -> Result<MigrationReport, StoreError> {
    let from = current_version(conn)?;
    let known = latest_version();
    if from > known {
        return Err(StoreError::SchemaTooNew { found: from, known });
    }
    let mut applied = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| m.version > from) {
        for statement in (m.statements)(d) {
            conn.execute(&statement, &[])?;
        }
        conn.execute(
            "INSERT INTO schema_version (version, applied_at, description) VALUES (?, ?, ?)",
            &[
                m.version.into(),
                sql_time(chrono::Utc::now()).into(),
                m.description.into(),
            ],
        )?;
        applied.push((m.version, m.description));
    }
    Ok(MigrationReport {
        from,
        to: known,
        applied,
    })
}
