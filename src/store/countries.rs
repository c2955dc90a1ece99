//! `number_countries`: the country of every number the records and customers hold, worked out
//! once when the number is first stored, so that grouping and filtering by country stay SQL.

use super::{Conn, Dialect, StoreError, Value};
use crate::model::country_of;
use std::collections::BTreeSet;

/// Records the country of each of `numbers` not recorded yet, inside the caller's transaction.
/// Numbers already recorded are looked up first (by primary key): only new ones are read
/// against the numbering plans and written.
pub fn remember<'a>(
    conn: &mut dyn Conn,
    d: &dyn Dialect,
    numbers: impl IntoIterator<Item = &'a str>,
) -> Result<(), StoreError> {
    let mut distinct: BTreeSet<&str> = numbers.into_iter().collect();
    let listed: Vec<&str> = distinct.iter().copied().collect();
    for chunk in listed.chunks(d.max_params().clamp(1, 1000)) {
        let params: Vec<Value> = chunk.iter().map(|n| Value::from(*n)).collect();
        let known = conn.query(
            &format!(
                "SELECT number FROM number_countries WHERE number IN ({})",
                vec!["?"; chunk.len()].join(", ")
            ),
            &params,
        )?;
        for row in known.rows {
            if let Some(n) = row[0].as_str() {
                distinct.remove(n);
            }
        }
    }
    let rows: Vec<[Value; 2]> = distinct
        .into_iter()
        .map(|n| [Value::from(n), Value::from(country_of(n))])
        .collect();
    for chunk in rows.chunks((d.max_params() / 2).clamp(1, 1000)) {
        let params: Vec<Value> = chunk.iter().flatten().cloned().collect();
        conn.execute(
            &format!(
                "INSERT INTO number_countries (number, country) VALUES {} {}",
                super::dialect::placeholders(2, chunk.len()),
                d.keep_tail(&["number"])
            ),
            &params,
        )?;
    }
    Ok(())
}

/// Fills `number_countries` for every number already stored (the migration to schema 5).
pub fn backfill(conn: &mut dyn Conn, d: &dyn Dialect) -> Result<(), StoreError> {
    let rows = conn.query(
        "SELECT other_party FROM calls UNION SELECT other_party FROM sms \
         UNION SELECT subscriber_key FROM customers",
        &[],
    )?;
    let numbers: Vec<String> = rows.rows.iter().map(|r| r[0].to_string()).collect();
    remember(conn, d, numbers.iter().map(String::as_str))
}
