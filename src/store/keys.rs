//! Customers by subscriber key: the lookups records need (ids, creating missing customers)
//! and the errors for a key nobody has.

use super::{Conn, DbError, StoreError, Value};
use crate::model::{SubscriberKey, ValidationError, sql_time};
use chrono::Utc;
use std::collections::HashMap;

/// The error for a record whose customer does not exist.
pub(in crate::store) fn unknown_customer(key: &SubscriberKey) -> StoreError {
    StoreError::Invalid(ValidationError::new(
        "customer",
        key.as_str(),
        "no such customer (add it with `tally customer add`, or pass --create-customer)",
    ))
}

pub(in crate::store) fn customer_id(
    conn: &mut dyn Conn,
    key: &SubscriberKey,
) -> Result<i64, StoreError> {
    conn.query(
        "SELECT id FROM customers WHERE subscriber_key = ?",
        &[key.as_str().into()],
    )?
    .scalar()
    .and_then(Value::as_i64)
    .ok_or_else(|| StoreError::NotFound(format!("no customer {key}")))
}

/// Ids of the given keys; missing keys are created first when `create` is set, else left out.
pub(in crate::store) fn resolve_ids(
    conn: &mut dyn Conn,
    keys: &[&SubscriberKey],
    create: bool,
    max_params: usize,
    first_seen: &HashMap<&str, chrono::DateTime<Utc>>,
) -> Result<HashMap<String, i64>, StoreError> {
    let mut ids = select_ids(conn, keys, max_params)?;
    if create {
        let missing: Vec<&SubscriberKey> = keys
            .iter()
            .copied()
            .filter(|k| !ids.contains_key(k.as_str()))
            .collect();
        if !missing.is_empty() {
            insert_bare(conn, &missing, max_params, first_seen)?;
            let created = select_ids(conn, &missing, max_params)?;
            let periods: Vec<(i64, Option<i64>)> = created.values().map(|id| (*id, None)).collect();
            super::periods::open_periods(conn, &periods, max_params)?;
            ids.extend(created);
        }
    }
    Ok(ids)
}

pub(in crate::store) fn select_ids(
    conn: &mut dyn Conn,
    keys: &[&SubscriberKey],
    max_params: usize,
) -> Result<HashMap<String, i64>, StoreError> {
    let mut ids = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(max_params.min(1000)) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let params: Vec<Value> = chunk.iter().map(|k| k.as_str().into()).collect();
        let rows = conn.query(
            &format!("SELECT subscriber_key, id FROM customers WHERE subscriber_key IN ({marks})"),
            &params,
        )?;
        for row in rows.rows {
            if let (Value::Text(key), Some(id)) = (&row[0], row[1].as_i64()) {
                ids.insert(key.clone(), id);
            }
        }
    }
    Ok(ids)
}

/// Customers known only by their key, opened at their first record (now when none is known).
fn insert_bare(
    conn: &mut dyn Conn,
    keys: &[&SubscriberKey],
    max_params: usize,
    first_seen: &HashMap<&str, chrono::DateTime<Utc>>,
) -> Result<(), StoreError> {
    let now = Utc::now();
    for chunk in keys.chunks((max_params / 3).min(1000)) {
        let sql = format!(
            "INSERT INTO customers (subscriber_key, status, created_at) VALUES {}",
            super::dialect::placeholders(3, chunk.len())
        );
        let params: Vec<Value> = chunk
            .iter()
            .flat_map(|k| {
                let opened = first_seen.get(k.as_str()).map_or(now, |t| (*t).min(now));
                [k.as_str().into(), "active".into(), sql_time(opened).into()]
            })
            .collect();
        conn.execute(&sql, &params).map_err(concurrent_duplicate)?;
    }
    Ok(())
}

/// Inside a batch every key was checked first, so a duplicate can only come from a concurrent
/// writer: retrying the transaction sees its row and goes on.
pub(in crate::store) fn concurrent_duplicate(e: DbError) -> StoreError {
    match e {
        DbError::Duplicate(reason) => StoreError::Db(DbError::Busy(reason)),
        other => other.into(),
    }
}
