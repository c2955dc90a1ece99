//! The batch insert: customers resolved, new source keys inserted by the fastest path the
//! backend has, rollup changes noted.

use super::{BatchOutcome, insert_columns, row_params, write_record};
use crate::model::{Record, RecordKind, SubscriberKey};
use crate::store::conn::RowSink;
use crate::store::dialect::placeholders;
use crate::store::keys::{concurrent_duplicate, resolve_ids, unknown_customer};
use crate::store::rollup::Deltas;
use crate::store::{Conn, DbError, Dialect, StoreError, Value};
use std::collections::{HashMap, HashSet};

/// What the batches of one import share: customer ids by subscriber key, whether the last
/// batch held records already stored (then the bulk path is not worth trying), and the
/// customers deleted while the import ran (their later records are refused, never stored under
/// an id that no longer stands for them).
#[derive(Debug, Default)]
pub struct BatchMemory {
    pub(super) ids: HashMap<String, i64>,
    pub(super) had_duplicates: bool,
    pub(super) vanished: HashSet<String>,
    /// Numbers whose country a committed batch has stored (see `store::countries`).
    pub(super) numbers: HashSet<String>,
}

/// How many numbers an import remembers as stored before it starts again from none: a feed
/// keeps naming the same parties, so the recent ones save most of the lookups, and a bound
/// keeps memory flat on a feed of ever new numbers (2,000,000 held 40 MB at a million calls to
/// 630,000 distinct numbers; a number forgotten is looked up by primary key again).
const NUMBERS_REMEMBERED: usize = 100_000;

impl BatchMemory {
    /// Remembers numbers whose country a committed batch stored.
    pub(super) fn stored_numbers(&mut self, numbers: Vec<String>) {
        if self.numbers.len() + numbers.len() > NUMBERS_REMEMBERED {
            self.numbers.clear();
        }
        self.numbers.extend(numbers);
    }

    /// Forgets the customers whose ids are in `gone`, and remembers them as deleted.
    pub(super) fn forget(&mut self, gone: &HashSet<i64>) {
        let keys: Vec<String> = self
            .ids
            .iter()
            .filter(|(_, id)| gone.contains(id))
            .map(|(k, _)| k.clone())
            .collect();
        for key in keys {
            self.ids.remove(&key);
            self.vanished.insert(key);
        }
    }
}

/// The other party of a call or SMS.
pub(super) fn other_party(record: &Record) -> Option<&str> {
    match record {
        Record::Call(c) => Some(c.other.as_str()),
        Record::Sms(s) => Some(s.other.as_str()),
        Record::Data(_) => None,
    }
}

/// The error for a record whose customer was deleted while its import ran.
fn deleted_meanwhile(key: &SubscriberKey) -> StoreError {
    StoreError::Invalid(crate::model::ValidationError::new(
        "customer",
        key.as_str(),
        "the customer was deleted while the import ran",
    ))
}

/// Which of `ids` no longer name a customer.
pub(super) fn missing_customers(
    conn: &mut dyn Conn,
    ids: &[i64],
    max_params: usize,
) -> Result<HashSet<i64>, StoreError> {
    let mut wanted: Vec<i64> = ids.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let mut missing: HashSet<i64> = wanted.iter().copied().collect();
    for chunk in wanted.chunks(max_params.min(1000)) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let params: Vec<Value> = chunk.iter().map(|id| Value::Int(*id)).collect();
        let rows = conn.query(
            &format!("SELECT id FROM customers WHERE id IN ({marks})"),
            &params,
        )?;
        for row in rows.rows {
            if let Some(id) = row[0].as_i64() {
                missing.remove(&id);
            }
        }
    }
    Ok(missing)
}

/// What a batch stored: its outcome, the customer ids it looked up, and the numbers whose
/// country it made sure of; the last two enter the import's memory once it commits.
pub(super) type Stored = (BatchOutcome, HashMap<String, i64>, Vec<String>);

/// The batch algorithm, inside the caller's transaction: resolve customers, insert the records
/// whose source key is new in multi-row statements, note their rollup changes, and store the
/// countries of numbers not seen before.
pub(super) fn insert_in(
    conn: &mut dyn Conn,
    d: &dyn Dialect,
    records: &[Record],
    create: bool,
    memory: &BatchMemory,
    try_bulk: bool,
    deltas: &mut Deltas,
) -> Result<Stored, StoreError> {
    let known = &memory.ids;
    let mut outcome = BatchOutcome::default();
    let unknown: Vec<&SubscriberKey> = {
        let mut seen = HashSet::new();
        records
            .iter()
            .map(Record::customer)
            .filter(|k| {
                !known.contains_key(k.as_str())
                    && !memory.vanished.contains(k.as_str())
                    && seen.insert(*k)
            })
            .collect()
    };
    // A customer an import creates opened with its first record, not when the file was read:
    // its fees and its account count from there.
    let mut first_seen: std::collections::HashMap<&str, chrono::DateTime<chrono::Utc>> =
        std::collections::HashMap::new();
    if create {
        for r in records {
            let at = first_seen.entry(r.customer().as_str()).or_insert(r.time());
            *at = (*at).min(r.time());
        }
    }
    let resolved = resolve_ids(conn, &unknown, create, d.max_params(), &first_seen)?;
    let id_of = |key: &SubscriberKey| {
        known
            .get(key.as_str())
            .or_else(|| resolved.get(key.as_str()))
            .copied()
    };
    // The parties and customers this batch stores, whose countries are remembered with it.
    let mut numbers: HashSet<&str> = HashSet::new();
    for kind in [RecordKind::Call, RecordKind::Sms, RecordKind::Data] {
        let mut candidates: Vec<(i64, &Record)> = Vec::new();
        let mut in_batch = HashSet::new();
        for (index, record) in records.iter().enumerate().filter(|(_, r)| r.kind() == kind) {
            match id_of(record.customer()) {
                None if memory.vanished.contains(record.customer().as_str()) => outcome
                    .rejected
                    .push((index, deleted_meanwhile(record.customer()))),
                None => outcome
                    .rejected
                    .push((index, unknown_customer(record.customer()))),
                Some(_) if !in_batch.insert(record.source_key().as_str()) => {
                    outcome.duplicates += 1
                }
                Some(id) => candidates.push((id, record)),
            }
        }
        let total = candidates.len();
        let loaded = match try_bulk && !candidates.is_empty() {
            true => bulk_insert(conn, kind, &candidates)?,
            false => false,
        };
        let kept = if loaded {
            candidates
        } else if d
            .insert_returning_new(kind.table(), insert_columns(kind), "source_key", 1)
            .is_some()
        {
            insert_returning(conn, d, kind, candidates)?
        } else {
            let fresh = drop_stored(conn, kind, candidates, d.max_params())?;
            insert_rows(conn, d, kind, &fresh)?;
            fresh
        };
        outcome.duplicates += total - kept.len();
        for (customer, record) in &kept {
            deltas.add(*customer, record, 1);
            if let Some(other) = other_party(record) {
                numbers.insert(other);
            }
        }
        outcome.inserted += kept.len();
    }
    numbers.extend(resolved.keys().map(String::as_str));
    numbers.retain(|n| !memory.numbers.contains(*n));
    crate::store::countries::remember(conn, d, numbers.iter().copied())?;
    let numbers = numbers.into_iter().map(String::from).collect();
    outcome.rejected.sort_by_key(|(i, _)| *i);
    Ok((outcome, resolved, numbers))
}

/// Stores all `rows` through the backend's bulk path, when it has one and none of them is
/// stored yet. False: nothing was stored (some rows were already there, or there is no bulk
/// path) and the caller inserts row by row.
fn bulk_insert(
    conn: &mut dyn Conn,
    kind: RecordKind,
    rows: &[(i64, &Record)],
) -> Result<bool, StoreError> {
    if !conn.has_bulk_load() {
        return Ok(false);
    }
    conn.execute("SAVEPOINT tally_bulk", &[])?;
    let mut write = |sink: &mut dyn RowSink| {
        for (id, r) in rows {
            write_record(sink, *id, r);
        }
    };
    let exact = match conn.bulk_load(kind.table(), insert_columns(kind), &mut write) {
        None | Some(Err(DbError::Duplicate(_))) => false,
        Some(Err(e)) => return Err(e.into()),
        Some(Ok(loaded)) => loaded.is_exact(rows.len()),
    };
    if !exact {
        // Some rows were skipped (already stored) or changed: undo the load, go row by row.
        conn.execute("ROLLBACK TO SAVEPOINT tally_bulk", &[])?;
    }
    conn.execute("RELEASE SAVEPOINT tally_bulk", &[])?;
    Ok(exact)
}

/// How many rows go in one INSERT: up to 1,000 (measured faster on MariaDB than 5,000), fewer
/// when the parameter limit says so.
fn rows_per_statement(d: &dyn Dialect, kind: RecordKind) -> usize {
    (d.max_params() / insert_columns(kind).len()).clamp(1, 1_000)
}

/// Inserts in one statement per chunk and learns from what it returns which rows were new. A
/// row not returned must already be stored; if it is not, the database skipped it for another
/// reason and the whole batch fails rather than lose it.
fn insert_returning<'a>(
    conn: &mut dyn Conn,
    d: &dyn Dialect,
    kind: RecordKind,
    rows: Vec<(i64, &'a Record)>,
) -> Result<Vec<(i64, &'a Record)>, StoreError> {
    let columns = insert_columns(kind);
    let mut kept = Vec::with_capacity(rows.len());
    let mut skipped = Vec::new();
    for chunk in rows.chunks(rows_per_statement(d, kind)) {
        let sql = d
            .insert_returning_new(kind.table(), columns, "source_key", chunk.len())
            .unwrap_or_default();
        let params = row_params(chunk);
        let returned: HashSet<String> = conn
            .query(&sql, &params)
            .map_err(concurrent_duplicate)?
            .rows
            .into_iter()
            .filter_map(|r| r.into_iter().next().map(|v| v.to_string()))
            .collect();
        for row in chunk {
            if returned.contains(row.1.source_key().as_str()) {
                kept.push(*row);
            } else {
                skipped.push(*row);
            }
        }
    }
    if !skipped.is_empty() {
        let stored = drop_stored(conn, kind, skipped.clone(), d.max_params())?;
        let ids: Vec<i64> = stored.iter().map(|(id, _)| *id).collect();
        if !missing_customers(conn, &ids, d.max_params())?.is_empty() {
            // INSERT IGNORE skipped them because their customer is gone: the caller learns
            // which and tries the batch again.
            return Err(StoreError::Db(DbError::ForeignKey(
                format!("{kind} records whose customer was deleted meanwhile").into(),
            )));
        }
        if !stored.is_empty() {
            return Err(StoreError::Refused(format!(
                "the database skipped {} {kind} records that are not stored (first: source key {}); the batch was not stored",
                stored.len(),
                stored[0].1.source_key().as_str()
            )));
        }
    }
    Ok(kept)
}

/// Leaves out records whose source key is already stored.
fn drop_stored<'a>(
    conn: &mut dyn Conn,
    kind: RecordKind,
    candidates: Vec<(i64, &'a Record)>,
    max_params: usize,
) -> Result<Vec<(i64, &'a Record)>, StoreError> {
    let mut stored: HashSet<String> = HashSet::new();
    for chunk in candidates.chunks(max_params.min(1000)) {
        let params: Vec<Value> = chunk
            .iter()
            .map(|(_, r)| r.source_key().as_str().into())
            .collect();
        let sql = format!(
            "SELECT source_key FROM {} WHERE source_key IN ({})",
            kind.table(),
            vec!["?"; chunk.len()].join(", ")
        );
        for row in conn.query(&sql, &params)?.rows {
            stored.insert(row[0].to_string());
        }
    }
    Ok(candidates
        .into_iter()
        .filter(|(_, r)| !stored.contains(r.source_key().as_str()))
        .collect())
}

fn insert_rows(
    conn: &mut dyn Conn,
    d: &dyn Dialect,
    kind: RecordKind,
    rows: &[(i64, &Record)],
) -> Result<(), StoreError> {
    let columns = insert_columns(kind);
    for chunk in rows.chunks(rows_per_statement(d, kind)) {
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {}",
            kind.table(),
            columns.join(", "),
            placeholders(columns.len(), chunk.len())
        );
        let params = row_params(chunk);
        conn.execute(&sql, &params).map_err(concurrent_duplicate)?;
    }
    Ok(())
}
