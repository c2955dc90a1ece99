//! Usage records: the one insert path (single records and batches alike), corrections and
//! deletions, each changing the rollups in the same transaction.

mod batch;
mod cascade;
mod changes;
mod read;

pub use batch::BatchMemory;
pub use changes::RecordChanges;
pub use read::DeleteCounts;

use super::conn::{RowSink, ValueRows};
use super::keys::{customer_id, unknown_customer};
use super::rollup::Deltas;
use super::{Conn, DbError, Store, StoreError, Value};
use crate::model::{InputContext, Record, RecordKind, SourceKey, sql_time};
use batch::insert_in;
use read::load_record;

/// The columns each raw table is written with, in the order [`write_record`] gives them.
fn insert_columns(kind: RecordKind) -> &'static [&'static str] {
    match kind {
        RecordKind::Call => &[
            "customer_id",
            "direction",
            "other_party",
            "start_time",
            "duration_s",
            "status",
            "cell_id",
            "source_key",
        ],
        RecordKind::Sms => &[
            "customer_id",
            "direction",
            "other_party",
            "sent_at",
            "source_key",
        ],
        RecordKind::Data => &[
            "customer_id",
            "start_time",
            "duration_s",
            "bytes_up",
            "bytes_down",
            "cell_id",
            "source_key",
        ],
    }
}

/// Writes a record's fields in [`insert_columns`] order: the one place that order is spelled
/// out, for bulk loads and parameterised INSERTs alike.
fn write_record(sink: &mut dyn RowSink, customer_id: i64, record: &Record) {
    sink.int(customer_id);
    match record {
        Record::Call(c) => {
            sink.text(c.direction.as_str());
            sink.text(c.other.as_str());
            sink.text(&sql_time(c.start));
            sink.int(i64::from(c.duration.seconds()));
            sink.text(c.status.as_str());
            optional(sink, c.cell.as_deref());
            sink.text(c.source_key.as_str());
        }
        Record::Sms(s) => {
            sink.text(s.direction.as_str());
            sink.text(s.other.as_str());
            sink.text(&sql_time(s.at));
            sink.text(s.source_key.as_str());
        }
        Record::Data(d) => {
            sink.text(&sql_time(d.start));
            sink.int(i64::from(d.duration.seconds()));
            sink.int(i64::try_from(d.up.bytes()).unwrap_or(i64::MAX));
            sink.int(i64::try_from(d.down.bytes()).unwrap_or(i64::MAX));
            optional(sink, d.cell.as_deref());
            sink.text(d.source_key.as_str());
        }
    }
    sink.end_row();
}

fn optional(sink: &mut dyn RowSink, text: Option<&str>) {
    match text {
        Some(t) => sink.text(t),
        None => sink.null(),
    }
}

/// The parameters of an INSERT of `rows`.
fn row_params(rows: &[(i64, &Record)]) -> Vec<Value> {
    let mut values = ValueRows::default();
    for (id, r) in rows {
        write_record(&mut values, *id, r);
    }
    values.rows.into_iter().flatten().collect()
}

/// What happened to a batch: each record was inserted, already there, or refused.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct BatchOutcome {
    /// Records stored.
    pub inserted: usize,
    /// Records skipped because their source key was already stored or came earlier in the batch.
    pub duplicates: usize,
    /// Refused records by their index in the batch (an unknown customer).
    pub rejected: Vec<(usize, StoreError)>,
}

/// A record as stored, with its id.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    /// The record's id in its kind's table (ids of calls, SMS and data sessions overlap).
    pub id: i64,
    /// The record itself.
    pub record: Record,
}

impl Store {
    /// Stores records exactly once: a record whose source key is already stored (or appears
    /// earlier in the batch) counts as a duplicate and changes nothing. All of the batch and its
    /// rollup changes commit together.
    pub fn insert_batch(
        &self,
        records: &[Record],
        create_customers: bool,
    ) -> Result<BatchOutcome, StoreError> {
        self.insert_batch_with(records, create_customers, &mut BatchMemory::default())
    }

    /// [`Store::insert_batch`] remembering customer ids across batches (an import's batches
    /// share most customers). Ids enter the cache only once their transaction has committed. A
    /// customer deleted since it was cached fails the batch on its foreign key; the batch then
    /// runs again with that customer's records refused.
    pub fn insert_batch_with(
        &self,
        records: &[Record],
        create_customers: bool,
        cache: &mut BatchMemory,
    ) -> Result<BatchOutcome, StoreError> {
        let (outcome, resolved, numbers) =
            match self.insert_batch_once(records, create_customers, cache) {
                Err(StoreError::Db(DbError::ForeignKey(reason))) => {
                    let cached: Vec<i64> = cache.ids.values().copied().collect();
                    let max_params = self.dialect().max_params();
                    let gone =
                        self.read(|conn| batch::missing_customers(conn, &cached, max_params))?;
                    if gone.is_empty() {
                        return Err(StoreError::Db(DbError::ForeignKey(reason)));
                    }
                    cache.forget(&gone);
                    self.insert_batch_once(records, create_customers, cache)?
                }
                other => other?,
            };
        cache.ids.extend(resolved);
        cache.stored_numbers(numbers);
        cache.had_duplicates = outcome.duplicates > 0;
        Ok(outcome)
    }

    /// One transaction of [`Store::insert_batch_with`].
    fn insert_batch_once(
        &self,
        records: &[Record],
        create_customers: bool,
        cache: &BatchMemory,
    ) -> Result<batch::Stored, StoreError> {
        let dialect = self.dialect();
        self.write(|conn| {
            let mut deltas = Deltas::default();
            let result = insert_in(
                conn,
                dialect,
                records,
                create_customers,
                cache,
                !cache.had_duplicates,
                &mut deltas,
            )?;
            deltas.apply(conn, dialect)?;
            Ok(result)
        })
    }

    /// Stores one record and returns its id. A record whose source key is already stored is
    /// refused, naming the stored one. A customer deleted between the lookup and the insert
    /// fails the foreign key; the second try then finds no such customer.
    pub fn log(&self, record: &Record, create_customer: bool) -> Result<i64, StoreError> {
        match self.log_once(record, create_customer) {
            Err(StoreError::Db(DbError::ForeignKey(_))) => self.log_once(record, create_customer),
            other => other,
        }
    }

    fn log_once(&self, record: &Record, create_customer: bool) -> Result<i64, StoreError> {
        let dialect = self.dialect();
        self.write(|conn| {
            let mut deltas = Deltas::default();
            let (outcome, _, _) = insert_in(
                conn,
                dialect,
                std::slice::from_ref(record),
                create_customer,
                &BatchMemory::default(),
                false,
                &mut deltas,
            )?;
            if let Some((_, e)) = outcome.rejected.into_iter().next() {
                return Err(e);
            }
            let id = id_by_source_key(conn, record.kind(), record.source_key())?;
            if outcome.duplicates > 0 {
                return Err(StoreError::Refused(format!(
                    "already stored as {} {id} (same source key {})",
                    record.kind(),
                    record.source_key().as_str()
                )));
            }
            deltas.apply(conn, dialect)?;
            Ok(id)
        })
    }

    /// The record of this kind and id, if there is one.
    pub fn record(&self, kind: RecordKind, id: i64) -> Result<Option<StoredRecord>, StoreError> {
        self.read(|conn| load_record(conn, kind, id))
    }

    /// Corrects a record; the rollups lose the old version and gain the new one. The record is
    /// locked before it is read, so two corrections of one record run one after the other, each
    /// taking out of the rollups exactly what the other put in.
    pub fn update_record(
        &self,
        kind: RecordKind,
        id: i64,
        changes: &RecordChanges,
        ctx: &InputContext,
    ) -> Result<StoredRecord, StoreError> {
        let dialect = self.dialect();
        self.write(|conn| {
            let (old_customer, old) = locked_record(conn, dialect, kind, id)?;
            let new = changes.apply(&old.record, ctx)?;
            let new_customer =
                customer_id(conn, new.customer()).map_err(|_| unknown_customer(new.customer()))?;
            let columns = insert_columns(kind);
            let set: Vec<String> = columns.iter().map(|c| format!("{c} = ?")).collect();
            let mut params = row_params(&[(new_customer, &new)]);
            params.push(id.into());
            conn.execute(
                &format!(
                    "UPDATE {} SET {} WHERE id = ?",
                    kind.table(),
                    set.join(", ")
                ),
                &params,
            )?;
            if let Some(other) = batch::other_party(&new) {
                crate::store::countries::remember(conn, dialect, [other])?;
            }
            let mut deltas = Deltas::default();
            deltas.add(old_customer, &old.record, -1);
            deltas.add(new_customer, &new, 1);
            deltas.apply(conn, dialect)?;
            Ok(StoredRecord { id, record: new })
        })
    }

    /// Deletes a record and takes it out of the rollups; returns what was deleted. Locked first,
    /// so of two deletions of one record the second finds it gone.
    pub fn delete_record(&self, kind: RecordKind, id: i64) -> Result<StoredRecord, StoreError> {
        let dialect = self.dialect();
        self.write(|conn| {
            let (customer, old) = locked_record(conn, dialect, kind, id)?;
            let deleted = conn.execute(
                &format!("DELETE FROM {} WHERE id = ?", kind.table()),
                &[id.into()],
            )?;
            if deleted != 1 {
                return Err(not_found(kind, id));
            }
            let mut deltas = Deltas::default();
            deltas.add(customer, &old.record, -1);
            deltas.apply(conn, dialect)?;
            Ok(old)
        })
    }
}

/// A record and its customer's id, with the record's row locked until the transaction ends.
fn locked_record(
    conn: &mut dyn Conn,
    d: &dyn crate::store::Dialect,
    kind: RecordKind,
    id: i64,
) -> Result<(i64, StoredRecord), StoreError> {
    let customer = conn
        .query(
            &format!(
                "SELECT customer_id FROM {} WHERE id = ?{}",
                kind.table(),
                d.lock_rows()
            ),
            &[id.into()],
        )?
        .scalar()
        .and_then(Value::as_i64)
        .ok_or_else(|| not_found(kind, id))?;
    let record = load_record(conn, kind, id)?.ok_or_else(|| not_found(kind, id))?;
    Ok((customer, record))
}

fn not_found(kind: RecordKind, id: i64) -> StoreError {
    StoreError::NotFound(format!("no {kind} record with id {id}"))
}

fn id_by_source_key(
    conn: &mut dyn Conn,
    kind: RecordKind,
    key: &SourceKey,
) -> Result<i64, StoreError> {
    conn.query(
        &format!("SELECT id FROM {} WHERE source_key = ?", kind.table()),
        &[key.as_str().into()],
    )?
    .scalar()
    .and_then(Value::as_i64)
    .ok_or_else(|| {
        StoreError::Db(DbError::Sql(
            "the record just stored cannot be found".into(),
        ))
    })
}
