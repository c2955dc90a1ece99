//! Active-customer bitmaps: for each UTC day and kind of record, the set of customer ids with at
//! least one such record that day, as a compressed bitmap (`roaring`). Exact distinct customers
//! over whole days are then an OR of a few bitmaps instead of a scan of `customer_daily`. They
//! change with the rollups, in the same transaction, and always equal `SELECT DISTINCT
//! customer_id` over the raw rows of that day (tests/rollup_property.rs checks it).

use super::{Conn, DbError, Dialect, StoreError, Value};
use crate::model::RecordKind;
use roaring::RoaringTreemap;
use std::collections::{BTreeMap, BTreeSet};

/// How many bitmaps one statement writes: a bitmap of every customer of a large operator is a
/// few hundred kilobytes, and a statement must stay under the server's packet limit.
const BITMAPS_PER_STATEMENT: usize = 16;

/// Changes to the bitmaps, gathered over a transaction's records. Keys are (day since 1970,
/// kind); removals are only candidates until `customer_daily` says the customer has no record
/// of that kind left that day.
#[derive(Debug, Default)]
pub struct ActiveDeltas {
    adds: BTreeMap<(i64, RecordKind), RoaringTreemap>,
    removals: BTreeSet<(i64, i64, RecordKind)>,
}

impl ActiveDeltas {
    /// A record of `kind` of customer `customer` on `day` was added (`sign` 1) or removed (-1).
    pub fn note(&mut self, day: i64, kind: RecordKind, customer: i64, sign: i64) {
        if sign > 0 {
            let id = u64::try_from(customer).unwrap_or(0);
            self.adds.entry((day, kind)).or_default().insert(id);
        } else {
            self.removals.insert((day, customer, kind));
        }
    }

    /// Applies the changes, after `customer_daily` has been brought up to date in the same
    /// transaction. Rows are created, locked and written in key order, so two writers lock in
    /// the same order.
    pub fn apply(&self, conn: &mut dyn Conn, d: &dyn Dialect) -> Result<(), StoreError> {
        let gone = self.emptied(conn, d)?;
        let mut keys: BTreeSet<(i64, RecordKind)> = self.adds.keys().copied().collect();
        keys.extend(gone.iter().map(|(day, _, kind)| (*day, *kind)));
        if keys.is_empty() {
            return Ok(());
        }
        create_missing(conn, d, &keys)?;
        let mut bitmaps = read_locked(conn, d, &keys)?;
        for (key, adds) in &self.adds {
            *bitmaps.entry(*key).or_default() |= adds;
        }
        for (day, customer, kind) in &gone {
            if let Some(b) = bitmaps.get_mut(&(*day, *kind)) {
                b.remove(u64::try_from(*customer).unwrap_or(0));
            }
        }
        write(conn, d, &bitmaps)
    }

    /// The removal candidates whose customer has no record of that kind left that day.
    fn emptied(
        &self,
        conn: &mut dyn Conn,
        d: &dyn Dialect,
    ) -> Result<Vec<(i64, i64, RecordKind)>, StoreError> {
        let mut by_day: BTreeMap<i64, Vec<(i64, RecordKind)>> = BTreeMap::new();
        for (day, customer, kind) in &self.removals {
            by_day.entry(*day).or_default().push((*customer, *kind));
        }
        let mut gone = Vec::new();
        for (day, candidates) in by_day {
            let ids: BTreeSet<i64> = candidates.iter().map(|(c, _)| *c).collect();
            let ids: Vec<i64> = ids.into_iter().collect();
            let mut left: BTreeMap<i64, [i64; 3]> = BTreeMap::new();
            for chunk in ids.chunks(d.max_params().saturating_sub(1).clamp(1, 999)) {
                let mut params = vec![Value::Text(super::rollup::day_text(day))];
                params.extend(chunk.iter().map(|id| Value::Int(*id)));
                let rows = conn.query(
                    &format!(
                        "SELECT customer_id, calls_out + calls_in, sms_out + sms_in, data_sessions \
                         FROM customer_daily WHERE day = ? AND customer_id IN ({})",
                        vec!["?"; chunk.len()].join(", ")
                    ),
                    &params,
                )?;
                for row in rows.rows {
                    let n = |i: usize| row.get(i).and_then(Value::as_i64).unwrap_or(0);
                    left.insert(n(0), [n(1), n(2), n(3)]);
                }
            }
            for (customer, kind) in candidates {
                let counts = left.get(&customer).copied().unwrap_or_default();
                if counts[slot(kind)] == 0 {
                    gone.push((day, customer, kind));
                }
            }
        }
        Ok(gone)
    }
}

/// The position of a kind's count in the `emptied` query.
fn slot(kind: RecordKind) -> usize {
    match kind {
        RecordKind::Call => 0,
        RecordKind::Sms => 1,
        RecordKind::Data => 2,
    }
}

/// A kind's bitmaps are stored under its raw table's name.
fn kind_named(name: &str) -> Option<RecordKind> {
    [RecordKind::Call, RecordKind::Sms, RecordKind::Data]
        .into_iter()
        .find(|k| k.table() == name)
}

/// Reads a stored bitmap; a damaged one is an error, never a wrong count.
pub fn decode(bytes: &[u8]) -> Result<RoaringTreemap, StoreError> {
    RoaringTreemap::deserialize_from(bytes).map_err(|e| {
        StoreError::Db(DbError::Sql(
            format!("a bitmap in active_daily cannot be read: {e}").into(),
        ))
    })
}

fn encode(bitmap: &RoaringTreemap) -> Result<Vec<u8>, StoreError> {
    let mut out = Vec::with_capacity(bitmap.serialized_size());
    bitmap
        .serialize_into(&mut out)
        .map_err(|e| StoreError::Db(DbError::Sql(format!("cannot encode a bitmap: {e}").into())))?;
    Ok(out)
}

/// Creates the rows of `keys` that do not exist yet, empty, taking each row's write lock.
fn create_missing(
    conn: &mut dyn Conn,
    d: &dyn Dialect,
    keys: &BTreeSet<(i64, RecordKind)>,
) -> Result<(), StoreError> {
    let empty = encode(&RoaringTreemap::new())?;
    let keys: Vec<&(i64, RecordKind)> = keys.iter().collect();
    for chunk in keys.chunks(300) {
        let mut params = Vec::with_capacity(chunk.len() * 3);
        for (day, kind) in chunk {
            params.push(Value::Text(super::rollup::day_text(*day)));
            params.push(Value::from(kind.table()));
            params.push(Value::Bytes(empty.clone()));
        }
        conn.execute(
            &format!(
                "INSERT INTO active_daily (day, kind, customers) VALUES {} {}",
                super::dialect::placeholders(3, chunk.len()),
                d.keep_tail(&["day", "kind"])
            ),
            &params,
        )?;
    }
    Ok(())
}

/// The stored bitmaps of `keys`, locked until the transaction ends. Only those rows: locking
/// another kind's bitmap of the same day, out of key order, could deadlock with its writer.
fn read_locked(
    conn: &mut dyn Conn,
    d: &dyn Dialect,
    keys: &BTreeSet<(i64, RecordKind)>,
) -> Result<BTreeMap<(i64, RecordKind), RoaringTreemap>, StoreError> {
    let keys_in_order: Vec<&(i64, RecordKind)> = keys.iter().collect();
    let mut out = BTreeMap::new();
    for chunk in keys_in_order.chunks(300) {
        let mut params = Vec::with_capacity(chunk.len() * 2);
        for (day, kind) in chunk {
            params.push(Value::Text(super::rollup::day_text(*day)));
            params.push(Value::from(kind.table()));
        }
        let rows = conn.query(
            &format!(
                "SELECT day, kind, customers FROM active_daily WHERE {} ORDER BY day, kind{}",
                vec!["(day = ? AND kind = ?)"; chunk.len()].join(" OR "),
                d.lock_rows()
            ),
            &params,
        )?;
        for row in rows.rows {
            let day = row.first().and_then(Value::as_str).and_then(day_number);
            let kind = row.get(1).and_then(Value::as_str).and_then(kind_named);
            if let (Some(day), Some(kind)) = (day, kind) {
                let bytes = row.get(2).and_then(Value::as_bytes).unwrap_or_default();
                out.insert((day, kind), decode(bytes)?);
            }
        }
    }
    Ok(out)
}

/// Days since 1970 of a `YYYY-MM-DD`.
fn day_number(text: &str) -> Option<i64> {
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    Some(
        date.signed_duration_since(chrono::NaiveDate::default())
            .num_days(),
    )
}

/// Stores the bitmaps; an empty one's row is deleted, as a rollup row with no records is.
fn write(
    conn: &mut dyn Conn,
    d: &dyn Dialect,
    bitmaps: &BTreeMap<(i64, RecordKind), RoaringTreemap>,
) -> Result<(), StoreError> {
    let (empty, kept): (Vec<_>, Vec<_>) = bitmaps.iter().partition(|(_, b)| b.is_empty());
    for chunk in kept.chunks(BITMAPS_PER_STATEMENT) {
        let mut params = Vec::with_capacity(chunk.len() * 3);
        for ((day, kind), bitmap) in chunk {
            params.push(Value::Text(super::rollup::day_text(*day)));
            params.push(Value::from(kind.table()));
            params.push(Value::Bytes(encode(bitmap)?));
        }
        conn.execute(
            &format!(
                "INSERT INTO active_daily (day, kind, customers) VALUES {} {}",
                super::dialect::placeholders(3, chunk.len()),
                d.replace_tail(&["day", "kind"], &["customers"])
            ),
            &params,
        )?;
    }
    for ((day, kind), _) in empty {
        conn.execute(
            "DELETE FROM active_daily WHERE day = ? AND kind = ?",
            &[
                Value::Text(super::rollup::day_text(*day)),
                Value::from(kind.table()),
            ],
        )?;
    }
    Ok(())
}

/// Builds every bitmap from `customer_daily` (a migration, or a repair): one day at a time.
pub fn rebuild(conn: &mut dyn Conn, d: &dyn Dialect) -> Result<(), StoreError> {
    conn.execute("DELETE FROM active_daily", &[])?;
    let days = conn.query("SELECT DISTINCT day FROM customer_daily ORDER BY day", &[])?;
    for row in days.rows {
        let Some(day) = row.first().and_then(Value::as_str).and_then(day_number) else {
            continue;
        };
        let rows = conn.query(
            "SELECT customer_id, calls_out + calls_in, sms_out + sms_in, data_sessions \
             FROM customer_daily WHERE day = ?",
            &[Value::Text(super::rollup::day_text(day))],
        )?;
        let mut bitmaps: BTreeMap<(i64, RecordKind), RoaringTreemap> = BTreeMap::new();
        for row in rows.rows {
            let n = |i: usize| row.get(i).and_then(Value::as_i64).unwrap_or(0);
            for kind in [RecordKind::Call, RecordKind::Sms, RecordKind::Data] {
                if n(1 + slot(kind)) > 0 {
                    let id = u64::try_from(n(0)).unwrap_or(0);
                    bitmaps.entry((day, kind)).or_default().insert(id);
                }
            }
        }
        write(conn, d, &bitmaps)?;
    }
    Ok(())
}

/// A question for the bitmaps: customers with a record of one of `kinds` on a whole UTC day in
/// `days`, or at an instant of one of the `edges` (read from the raw tables).
#[derive(Debug, Clone, PartialEq)]
pub struct DistinctCustomers {
    /// The kinds of record that count.
    pub kinds: Vec<RecordKind>,
    /// Days since 1970, half-open: answered by the bitmaps.
    pub days: std::ops::Range<i64>,
    /// Half-open ranges of instants (`YYYY-MM-DD HH:MM:SS`, UTC): answered by the raw rows.
    pub edges: Vec<(String, String)>,
}

impl super::Store {
    /// Exact distinct customers: the bitmaps of whole days OR-ed with the customer ids of the
    /// raw rows at the edges.
    pub fn distinct_customers(&self, ask: &DistinctCustomers) -> Result<u64, StoreError> {
        self.read(|conn| count_distinct(conn, ask))
    }
}

fn count_distinct(conn: &mut dyn Conn, ask: &DistinctCustomers) -> Result<u64, StoreError> {
    let DistinctCustomers { kinds, days, edges } = ask;
    let mut all = RoaringTreemap::new();
    if days.start < days.end && !kinds.is_empty() {
        let mut params = vec![
            Value::Text(super::rollup::day_text(days.start)),
            Value::Text(super::rollup::day_text(days.end)),
        ];
        params.extend(kinds.iter().map(|k| Value::from(k.table())));
        let rows = conn.query(
            &format!(
                "SELECT customers FROM active_daily WHERE day >= ? AND day < ? AND kind IN ({})",
                vec!["?"; kinds.len()].join(", ")
            ),
            &params,
        )?;
        for row in rows.rows {
            all |= decode(row.first().and_then(Value::as_bytes).unwrap_or_default())?;
        }
    }
    for (from, to) in edges {
        for kind in kinds {
            let time = kind.time_column();
            let rows = conn.query(
                &format!(
                    "SELECT DISTINCT customer_id FROM {} WHERE {time} >= ? AND {time} < ?",
                    kind.table()
                ),
                &[Value::from(from.as_str()), Value::from(to.as_str())],
            )?;
            all.extend(
                rows.rows
                    .iter()
                    .filter_map(|r| r.first().and_then(Value::as_i64))
                    .filter_map(|id| u64::try_from(id).ok()),
            );
        }
    }
    Ok(all.len())
}
