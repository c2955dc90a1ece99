//! Rollup maintenance: every write computes the change it makes to `network_hourly`,
//! `customer_daily` and the `active_daily` bitmaps and applies it in the same transaction.

use super::conn::RowSink;
use super::schema::tables::COUNTERS;
use super::{Conn, Dialect, StoreError, Value};
use crate::model::{CallStatus, Direction, Record};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// The additive measures of a set of records, in the order of [`COUNTERS`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters(pub [i64; 15]);

/// Positions in [`Counters`], named.
pub mod at {
    /// Records of every kind.
    pub const RECORDS: usize = 0;
    /// Outgoing calls.
    pub const CALLS_OUT: usize = 1;
    /// Incoming calls.
    pub const CALLS_IN: usize = 2;
    /// Answered calls, both directions.
    pub const CALLS_ANSWERED: usize = 3;
    /// Seconds of outgoing calls.
    pub const SECONDS_OUT: usize = 4;
    /// Seconds of incoming calls.
    pub const SECONDS_IN: usize = 5;
    /// Outgoing SMS.
    pub const SMS_OUT: usize = 6;
    /// Incoming SMS.
    pub const SMS_IN: usize = 7;
    /// Data sessions.
    pub const DATA_SESSIONS: usize = 8;
    /// Seconds of data sessions.
    pub const DATA_SECONDS: usize = 9;
    /// Bytes sent by customers.
    pub const BYTES_UP: usize = 10;
    /// Bytes received by customers.
    pub const BYTES_DOWN: usize = 11;
    /// Calls that met a busy line.
    pub const CALLS_BUSY: usize = 12;
    /// Calls nobody answered.
    pub const CALLS_NO_ANSWER: usize = 13;
    /// Seconds of answered calls, both directions.
    pub const SECONDS_ANSWERED: usize = 14;
}

impl Counters {
    /// What one record adds.
    pub fn of(record: &Record) -> Counters {
        let mut c = [0i64; 15];
        c[at::RECORDS] = 1;
        match record {
            Record::Call(call) => {
                let seconds = i64::from(call.duration.seconds());
                let (n, s) = match call.direction {
                    Direction::Out => (at::CALLS_OUT, at::SECONDS_OUT),
                    Direction::In => (at::CALLS_IN, at::SECONDS_IN),
                };
                c[n] = 1;
                c[s] = seconds;
                let answered = call.status == CallStatus::Answered;
                c[at::CALLS_ANSWERED] = i64::from(answered);
                c[at::CALLS_BUSY] = i64::from(call.status == CallStatus::Busy);
                c[at::CALLS_NO_ANSWER] = i64::from(call.status == CallStatus::NoAnswer);
                c[at::SECONDS_ANSWERED] = if answered { seconds } else { 0 };
            }
            Record::Sms(sms) => match sms.direction {
                Direction::Out => c[at::SMS_OUT] = 1,
                Direction::In => c[at::SMS_IN] = 1,
            },
            Record::Data(d) => {
                c[at::DATA_SESSIONS] = 1;
                c[at::DATA_SECONDS] = i64::from(d.duration.seconds());
                c[at::BYTES_UP] = i64::try_from(d.up.bytes()).unwrap_or(i64::MAX);
                c[at::BYTES_DOWN] = i64::try_from(d.down.bytes()).unwrap_or(i64::MAX);
            }
        }
        Counters(c)
    }

    /// Adds `other` times `sign`: 1 to add, -1 to subtract.
    pub fn add(&mut self, other: &Counters, sign: i64) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a += sign * b;
        }
    }

    /// Reads counters from result columns in [`COUNTERS`] order; NULL (an empty SUM) is zero.
    pub fn from_values(values: &[Value]) -> Counters {
        let mut c = [0i64; 15];
        for (slot, v) in c.iter_mut().zip(values) {
            *slot = v.as_i64().unwrap_or(0);
        }
        Counters(c)
    }

    /// The counter at `index`, one of the [`at`] positions.
    pub fn get(&self, index: usize) -> i64 {
        self.0[index]
    }
}

/// Hours since 1970 (UTC): the `network_hourly` key, as a number until it is written.
fn hour_number(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(3600)
}

fn hour_text(hour: i64) -> String {
    DateTime::from_timestamp(hour * 3600, 0).map_or_else(String::new, crate::model::sql_time)
}

/// `YYYY-MM-DD` of a day since 1970.
pub(super) fn day_text(day: i64) -> String {
    DateTime::from_timestamp(day * 86_400, 0)
        .map_or_else(String::new, |t| crate::model::sql_time(t)[..10].to_string())
}

/// Changes to both rollups, accumulated over a transaction's records and applied once. Keys
/// are hours and days since 1970 while accumulating; they become text only when written.
#[derive(Debug, Default)]
pub struct Deltas {
    hourly: BTreeMap<i64, Counters>,
    /// By (day, customer id): the order of the table's primary key.
    daily: BTreeMap<(i64, i64), Counters>,
    shrinks: bool,
    active: super::active::ActiveDeltas,
}

impl Deltas {
    /// Adds (`sign` = 1) or removes (`sign` = -1) one record of customer `customer_id`.
    pub fn add(&mut self, customer_id: i64, record: &Record, sign: i64) {
        let counters = Counters::of(record);
        let hour = hour_number(record.time());
        self.hourly.entry(hour).or_default().add(&counters, sign);
        let day = hour.div_euclid(24);
        self.daily
            .entry((day, customer_id))
            .or_default()
            .add(&counters, sign);
        self.active.note(day, record.kind(), customer_id, sign);
        self.shrinks |= sign < 0;
    }

    /// Applies the changes: customer rows first, then network rows, each in key order, so two
    /// transactions lock rows in the same order and do not deadlock each other.
    pub fn apply(&self, conn: &mut dyn Conn, d: &dyn Dialect) -> Result<(), StoreError> {
        let daily: Vec<Vec<Value>> = self
            .daily
            .iter()
            .filter(|(_, c)| **c != Counters::default())
            .map(|((day, id), c)| row([Value::Text(day_text(*day)), Value::Int(*id)], c))
            .collect();
        upsert(conn, d, "customer_daily", &["day", "customer_id"], &daily)?;
        let hourly: Vec<Vec<Value>> = self
            .hourly
            .iter()
            .filter(|(_, c)| **c != Counters::default())
            .map(|(hour, c)| row([Value::Text(hour_text(*hour))], c))
            .collect();
        upsert(conn, d, "network_hourly", &["hour"], &hourly)?;
        self.touch_days(conn, d)?;
        if self.shrinks {
            self.delete_emptied(conn)?;
        }
        self.active.apply(conn, d)
    }

    /// Raises the version of every day this transaction changed: spans over them are stale.
    fn touch_days(&self, conn: &mut dyn Conn, d: &dyn Dialect) -> Result<(), StoreError> {
        let mut days: Vec<i64> = self.daily.keys().map(|(day, _)| *day).collect();
        days.dedup();
        let rows: Vec<Value> = days
            .iter()
            .flat_map(|day| [Value::Text(day_text(*day)), Value::Int(1)])
            .collect();
        for chunk in rows.chunks(2 * 500) {
            let sql = super::dialect::upsert_add(
                d,
                "day_versions",
                &["day"],
                &["version"],
                chunk.len() / 2,
            );
            conn.execute(&sql, chunk)?;
        }
        Ok(())
    }

    /// Rows whose records fell to zero no longer stand for any raw row.
    fn delete_emptied(&self, conn: &mut dyn Conn) -> Result<(), StoreError> {
        for ((day, id), c) in &self.daily {
            if c.get(at::RECORDS) < 0 {
                conn.execute(
                    "DELETE FROM customer_daily WHERE customer_id = ? AND day = ? AND records = 0",
                    &[Value::Int(*id), Value::Text(day_text(*day))],
                )?;
            }
        }
        for (hour, c) in &self.hourly {
            if c.get(at::RECORDS) < 0 {
                conn.execute(
                    "DELETE FROM network_hourly WHERE hour = ? AND records = 0",
                    &[Value::Text(hour_text(*hour))],
                )?;
            }
        }
        Ok(())
    }
}

/// Bulk-loads the changes into a staging table and adds them in one statement: one round trip
/// instead of one per thousand rows, which is most of the cost of a large batch. False: the
/// backend has no bulk path after all.
fn staged_upsert(
    conn: &mut dyn Conn,
    d: &dyn Dialect,
    table: &str,
    keys: &[&str],
    rows: &[Vec<Value>],
) -> Result<bool, StoreError> {
    let staging = format!("tally_stage_{table}");
    conn.execute(&d.create_staging(&staging, table), &[])?;
    conn.execute(&format!("DELETE FROM {staging}"), &[])?;
    let columns: Vec<&str> = keys.iter().chain(COUNTERS.iter()).copied().collect();
    let mut write = |sink: &mut dyn RowSink| {
        for row in rows {
            for value in row {
                sink.value(value);
            }
            sink.end_row();
        }
    };
    match conn.bulk_load(&staging, &columns, &mut write) {
        None => Ok(false),
        Some(loaded) => {
            let loaded = loaded?;
            if !loaded.is_exact(rows.len()) {
                return Err(StoreError::Db(super::DbError::Sql(
                    format!(
                        "staging {table} changes: {} of {} rows loaded with {} warnings",
                        loaded.rows,
                        rows.len(),
                        loaded.warnings
                    )
                    .into(),
                )));
            }
            conn.execute(
                &super::dialect::upsert_add_from(d, table, keys, &COUNTERS, &staging),
                &[],
            )?;
            Ok(true)
        }
    }
}

fn row<const N: usize>(keys: [Value; N], c: &Counters) -> Vec<Value> {
    keys.into_iter()
        .chain(c.0.iter().map(|v| Value::Int(*v)))
        .collect()
}

/// Below this many rows, a staging table costs more than it saves.
const STAGE_FROM_ROWS: usize = 200;

fn upsert(
    conn: &mut dyn Conn,
    d: &dyn Dialect,
    table: &str,
    keys: &[&str],
    rows: &[Vec<Value>],
) -> Result<(), StoreError> {
    if rows.len() >= STAGE_FROM_ROWS
        && conn.has_bulk_load()
        && staged_upsert(conn, d, table, keys, rows)?
    {
        return Ok(());
    }
    let width = keys.len() + COUNTERS.len();
    let per_statement = (d.max_params() / width).clamp(1, 1000);
    for chunk in rows.chunks(per_statement) {
        let sql = super::dialect::upsert_add(d, table, keys, &COUNTERS, chunk.len());
        let params: Vec<Value> = chunk.iter().flatten().cloned().collect();
        conn.execute(&sql, &params)?;
    }
    Ok(())
}
