//! Versioned migrations, applied in order and recorded in `schema_version`. A new database gets
//! the newest tables at once; an older one is brought up step by step, keeping every row.

mod steps;
pub mod tables;

use super::cluster::head_table_sql;
use super::{Conn, DbError, Dialect, StoreError, Value};
use crate::model::sql_time;

/// One step of the schema's history. A step cut short by a crash (MySQL cannot roll DDL back)
/// completes when it runs again.
pub struct Migration {
    /// The version the database has once this step is applied; one more than the step before.
    pub version: u32,
    /// What the step changes, in words, as `tally migrate` reports it.
    pub description: &'static str,
    /// Runs the step on a connection inside the migration's transaction and lock.
    pub apply: fn(&mut dyn Conn, &dyn Dialect) -> Result<(), StoreError>,
}

/// Every step of the schema's history, oldest first.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "plans, customers, calls, sms, data sessions, network_hourly and customer_daily rollups",
        apply: create_newest,
    },
    Migration {
        version: 2,
        description: "records refer to their customer by foreign key; customer and plan ids are never reused; text compares without padding; prices to 6 decimals",
        apply: steps::v2_keys_and_collation,
    },
    Migration {
        version: 3,
        description: "active_daily: per day and kind of record, a bitmap of the active customers",
        apply: steps::v3_active_bitmaps,
    },
    Migration {
        version: 4,
        description: "day_versions, spans and customer_spans: per-customer totals over ranges of days, kept while their days do not change",
        apply: steps::v4_spans,
    },
    Migration {
        version: 5,
        description: "number_countries: the country of every number stored, from its E.164 code",
        apply: steps::v5_number_countries,
    },
    Migration {
        version: 6,
        description: "compact records: directions and statuses as one-byte enumerations, durations as 3-byte integers (MySQL)",
        apply: steps::v6_compact_records,
    },
    Migration {
        version: 7,
        description: "rollups count busy and unanswered calls and the seconds of answered calls (for ASR, NER and ACD)",
        apply: steps::v7_kpi_counters,
    },
    Migration {
        version: 8,
        description: "plan history (plan_periods: each customer's plan by day, so usage is priced at the plan in force) and when an account closed (customers.closed_at)",
        apply: steps::v8_plan_history,
    },
];

/// The newest schema version this binary knows.
pub fn latest_version() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// Creates every table as it is now (a new database); on a Spider head the sharded tables as
/// Spider tables over the shards' own (see `store::cluster`).
fn create_newest(conn: &mut dyn Conn, d: &dyn Dialect) -> Result<(), StoreError> {
    for t in tables::all() {
        if let Some(sql) = d.sharding().and_then(|s| head_table_sql(&t, s, d)) {
            conn.execute(&sql, &[])?;
            continue;
        }
        conn.execute(&t.create_sql(d), &[])?;
        for index in t.index_sql() {
            conn.execute(&index, &[])?;
        }
    }
    Ok(())
}

/// What `migrate` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    /// The version the database had before.
    pub from: u32,
    /// The version it has now.
    pub to: u32,
    /// The steps applied, as (version, description), oldest first; empty when already current.
    pub applied: Vec<(u32, &'static str)>,
}

/// The version recorded in the database; 0 for an empty database (no `schema_version` table).
pub fn current_version(conn: &mut dyn Conn, d: &dyn Dialect) -> Result<u32, StoreError> {
    let exists = conn.query(d.table_exists(), &["schema_version".into()])?;
    if exists.rows.is_empty() {
        return Ok(0);
    }
    let rows = conn.query("SELECT MAX(version) FROM schema_version", &[])?;
    Ok(rows
        .scalar()
        .and_then(Value::as_i64)
        .map_or(0, |v| u32::try_from(v).unwrap_or(u32::MAX)))
}

/// Brings the schema up to date, holding a lock so two processes never migrate at once. A
/// database already current is only read, so a user allowed nothing but SELECT can open it.
pub fn migrate(conn: &mut dyn Conn, d: &dyn Dialect) -> Result<MigrationReport, StoreError> {
    let known = latest_version();
    let found = current_version(conn, d)?;
    if found > known {
        return Err(StoreError::SchemaTooNew { found, known });
    }
    if found == known {
        return Ok(MigrationReport {
            from: found,
            to: known,
            applied: Vec::new(),
        });
    }
    let (before, after) = d.around_migration();
    for statement in before {
        conn.execute(statement, &[])?;
    }
    let result = locked(conn, d);
    for statement in after {
        conn.execute(statement, &[])?;
    }
    match result {
        Err(StoreError::Db(DbError::Denied(_))) if found > 0 => {
            Err(StoreError::SchemaBehind { found, known })
        }
        other => other,
    }
}

fn locked(conn: &mut dyn Conn, d: &dyn Dialect) -> Result<MigrationReport, StoreError> {
    conn.execute(&tables::schema_version().create_sql(d), &[])?;
    let lock = d.schema_lock();
    let granted = conn.query(lock.acquire, &[])?;
    if granted.scalar().is_some_and(|v| v.as_i64() != Some(1)) {
        return Err(StoreError::Db(DbError::Busy(
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
    let from = current_version(conn, d)?;
    let known = latest_version();
    if from > known {
        return Err(StoreError::SchemaTooNew { found: from, known });
    }
    if from == 0 {
        create_newest(conn, d)?;
    } else if d.sharding().is_some() {
        // The steps rebuild tables in place, which on a Spider head would change only the
        // head's half of a sharded table.
        return Err(StoreError::Refused(format!(
            "this cluster's schema is version {from} and this tally needs version {known}; a cluster's schema is only ever created new: export its records, create the cluster's database anew and import them"
        )));
    }
    let mut applied = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| m.version > from) {
        if from > 0 {
            (m.apply)(conn, d)?;
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
