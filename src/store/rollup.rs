//! Rollup maintenance: every write computes the change it makes to `network_hourly` and
//! `customer_daily` and applies it in the same transaction.

use super::schema::tables::COUNTERS;
use super::{Conn, Dialect, StoreError, Value};
use crate::model::{CallStatus, Direction, Record};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// The additive measures of a set of records, in the order of [`COUNTERS`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters(pub [i64; 12]);

/// Positions in [`Counters`], named.
pub mod at {
    pub const RECORDS: usize = 0;
    pub const CALLS_OUT: usize = 1;
    pub const CALLS_IN: usize = 2;
    pub const CALLS_ANSWERED: usize = 3;
    pub const SECONDS_OUT: usize = 4;
    pub const SECONDS_IN: usize = 5;
    pub const SMS_OUT: usize = 6;
    pub const SMS_IN: usize = 7;
    pub const DATA_SESSIONS: usize = 8;
    pub const DATA_SECONDS: usize = 9;
    pub const BYTES_UP: usize = 10;
    pub const BYTES_DOWN: usize = 11;
}

impl Counters {
    /// What one record adds.
    pub fn of(record: &Record) -> Counters {
        let mut c = [0i64; 12];
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
                c[at::CALLS_ANSWERED] = i64::from(call.status == CallStatus::Answered);
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

    pub fn add(&mut self, other: &Counters, sign: i64) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a += sign * b;
        }
    }

    /// Reads counters from result columns in [`COUNTERS`] order; NULL (an empty SUM) is zero.
    pub fn from_values(values: &[Value]) -> Counters {
        let mut c = [0i64; 12];
        for (slot, v) in c.iter_mut().zip(values) {
            *slot = v.as_i64().unwrap_or(0);
        }
        Counters(c)
    }

    pub fn get(&self, index: usize) -> i64 {
        self.0[index]
    }
}

pub fn hour_key(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:00:00").to_string()
}

pub fn day_key(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// Changes to both rollups, accumulated over a transaction's records and applied once.
#[derive(Debug, Default)]
pub struct Deltas {
    hourly: BTreeMap<String, Counters>,
    daily: BTreeMap<(i64, String), Counters>,
    shrinks: bool,
}

impl Deltas {
    /// Adds (`sign` = 1) or removes (`sign` = -1) one record of customer `customer_id`.
    pub fn add(&mut self, customer_id: i64, record: &Record, sign: i64) {
        let counters = Counters::of(record);
        let t = record.time();
        self.hourly
            .entry(hour_key(t))
            .or_default()
            .add(&counters, sign);
        self.daily
            .entry((customer_id, day_key(t)))
            .or_default()
            .add(&counters, sign);
        self.shrinks |= sign < 0;
    }

    /// Applies the changes: customer rows first, then network rows, each in key order, so two
    /// transactions lock rows in the same order and do not deadlock each other.
    pub fn apply(&self, conn: &mut dyn Conn, d: &dyn Dialect) -> Result<(), StoreError> {
        let daily: Vec<Vec<Value>> = self
            .daily
            .iter()
            .filter(|(_, c)| **c != Counters::default())
            .map(|((id, day), c)| row([Value::Int(*id), Value::Text(day.clone())], c))
            .collect();
        upsert(conn, d, "customer_daily", &["customer_id", "day"], &daily)?;
        let hourly: Vec<Vec<Value>> = self
            .hourly
            .iter()
            .filter(|(_, c)| **c != Counters::default())
            .map(|(hour, c)| row([Value::Text(hour.clone())], c))
            .collect();
        upsert(conn, d, "network_hourly", &["hour"], &hourly)?;
        if self.shrinks {
            self.delete_emptied(conn)?;
        }
        Ok(())
    }

    /// Rows whose records fell to zero no longer stand for any raw row.
    fn delete_emptied(&self, conn: &mut dyn Conn) -> Result<(), StoreError> {
        for ((id, day), c) in &self.daily {
            if c.get(at::RECORDS) < 0 {
                conn.execute(
                    "DELETE FROM customer_daily WHERE customer_id = ? AND day = ? AND records = 0",
                    &[Value::Int(*id), Value::Text(day.clone())],
                )?;
            }
        }
        for (hour, c) in &self.hourly {
            if c.get(at::RECORDS) < 0 {
                conn.execute(
                    "DELETE FROM network_hourly WHERE hour = ? AND records = 0",
                    &[Value::Text(hour.clone())],
                )?;
            }
        }
        Ok(())
    }
}

fn row<const N: usize>(keys: [Value; N], c: &Counters) -> Vec<Value> {
    keys.into_iter()
        .chain(c.0.iter().map(|v| Value::Int(*v)))
        .collect()
}

fn upsert(
    conn: &mut dyn Conn,
    d: &dyn Dialect,
    table: &str,
    keys: &[&str],
    rows: &[Vec<Value>],
) -> Result<(), StoreError> {
    let width = keys.len() + COUNTERS.len();
    let per_statement = (d.max_params() / width).clamp(1, 1000);
    for chunk in rows.chunks(per_statement) {
        let sql = d.upsert_add(table, keys, &COUNTERS, chunk.len());
        let params: Vec<Value> = chunk.iter().flatten().cloned().collect();
        conn.execute(&sql, &params)?;
    }
    Ok(())
}
