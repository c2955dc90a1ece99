//! Usage records: the one insert path (single records and batches alike), corrections and
//! deletions, each changing the rollups in the same transaction.

use super::conn::{RowSink, ValueRows};
use super::customers::{concurrent_duplicate, customer_id, resolve_ids, unknown_customer};
use super::dialect::placeholders;
use super::rollup::Deltas;
use super::{Conn, DbError, Dialect, Store, StoreError, Value};
use crate::model::{
    ByteSize, Call, CallStatus, DataSession, Direction, Duration, InputContext, PartyId,
    PhoneNumber, Record, RecordKind, Sms, SourceKey, SubscriberKey, ValidationError, from_sql_time,
    parse_cell, sql_time,
};
use std::collections::{HashMap, HashSet};
use std::fmt;

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
    pub inserted: usize,
    pub duplicates: usize,
    /// Refused records by their index in the batch (an unknown customer).
    pub rejected: Vec<(usize, StoreError)>,
}

/// A record as stored, with its id.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    pub id: i64,
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
    /// share most customers). Ids enter the cache only once their transaction has committed.
    pub fn insert_batch_with(
        &self,
        records: &[Record],
        create_customers: bool,
        cache: &mut BatchMemory,
    ) -> Result<BatchOutcome, StoreError> {
        let dialect = self.dialect();
        let try_bulk = !cache.had_duplicates;
        let (outcome, resolved) = self.write(|conn| {
            let mut deltas = Deltas::default();
            let (outcome, resolved) = insert_in(
                conn,
                dialect,
                records,
                create_customers,
                &cache.ids,
                try_bulk,
                &mut deltas,
            )?;
            deltas.apply(conn, dialect)?;
            Ok((outcome, resolved))
        })?;
        cache.ids.extend(resolved);
        cache.had_duplicates = outcome.duplicates > 0;
        Ok(outcome)
    }

    /// Stores one record and returns its id. A record whose source key is already stored is
    /// refused, naming the stored one.
    pub fn log(&self, record: &Record, create_customer: bool) -> Result<i64, StoreError> {
        let dialect = self.dialect();
        self.write(|conn| {
            let mut deltas = Deltas::default();
            let (outcome, _) = insert_in(
                conn,
                dialect,
                std::slice::from_ref(record),
                create_customer,
                &HashMap::new(),
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

    pub fn record(&self, kind: RecordKind, id: i64) -> Result<Option<StoredRecord>, StoreError> {
        self.read(|conn| load_record(conn, kind, id))
    }

    /// Corrects a record; the rollups lose the old version and gain the new one.
    pub fn update_record(
        &self,
        kind: RecordKind,
        id: i64,
        changes: &RecordChanges,
        ctx: &InputContext,
    ) -> Result<StoredRecord, StoreError> {
        let dialect = self.dialect();
        self.write(|conn| {
            let old = load_record(conn, kind, id)?.ok_or_else(|| not_found(kind, id))?;
            let new = changes.apply(&old.record, ctx)?;
            let old_customer = customer_id(conn, old.record.customer())?;
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
            let mut deltas = Deltas::default();
            deltas.add(old_customer, &old.record, -1);
            deltas.add(new_customer, &new, 1);
            deltas.apply(conn, dialect)?;
            Ok(StoredRecord { id, record: new })
        })
    }

    /// Deletes a record and takes it out of the rollups; returns what was deleted.
    pub fn delete_record(&self, kind: RecordKind, id: i64) -> Result<StoredRecord, StoreError> {
        let dialect = self.dialect();
        self.write(|conn| {
            let old = load_record(conn, kind, id)?.ok_or_else(|| not_found(kind, id))?;
            let customer = customer_id(conn, old.record.customer())?;
            conn.execute(
                &format!("DELETE FROM {} WHERE id = ?", kind.table()),
                &[id.into()],
            )?;
            let mut deltas = Deltas::default();
            deltas.add(customer, &old.record, -1);
            deltas.apply(conn, dialect)?;
            Ok(old)
        })
    }
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

/// What the batches of one import share: customer ids by subscriber key, and whether the last
/// batch held records already stored (then the bulk path is not worth trying).
#[derive(Debug, Default)]
pub struct BatchMemory {
    ids: HashMap<String, i64>,
    had_duplicates: bool,
}

/// The batch algorithm, inside the caller's transaction: resolve customers, insert the records
/// whose source key is new in multi-row statements, and note their rollup changes. Returns the
/// outcome and the customer ids it looked up.
fn insert_in(
    conn: &mut dyn Conn,
    d: &dyn Dialect,
    records: &[Record],
    create: bool,
    known: &HashMap<String, i64>,
    try_bulk: bool,
    deltas: &mut Deltas,
) -> Result<(BatchOutcome, HashMap<String, i64>), StoreError> {
    let mut outcome = BatchOutcome::default();
    let unknown: Vec<&SubscriberKey> = {
        let mut seen = HashSet::new();
        records
            .iter()
            .map(Record::customer)
            .filter(|k| !known.contains_key(k.as_str()) && seen.insert(*k))
            .collect()
    };
    let resolved = resolve_ids(conn, &unknown, create, d.max_params())?;
    let id_of = |key: &SubscriberKey| {
        known
            .get(key.as_str())
            .or_else(|| resolved.get(key.as_str()))
            .copied()
    };
    for kind in [RecordKind::Call, RecordKind::Sms, RecordKind::Data] {
        let mut candidates: Vec<(i64, &Record)> = Vec::new();
        let mut in_batch = HashSet::new();
        for (index, record) in records.iter().enumerate().filter(|(_, r)| r.kind() == kind) {
            match id_of(record.customer()) {
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
        }
        outcome.inserted += kept.len();
    }
    outcome.rejected.sort_by_key(|(i, _)| *i);
    Ok((outcome, resolved))
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

/// `SELECT` of a raw table joined to its customer's key, in [`record_from_row`]'s order.
fn select_records(kind: RecordKind) -> String {
    let fields = match kind {
        RecordKind::Call => {
            "r.direction, r.other_party, r.start_time, r.duration_s, r.status, r.cell_id, r.source_key"
        }
        RecordKind::Sms => "r.direction, r.other_party, r.sent_at, r.source_key",
        RecordKind::Data => {
            "r.start_time, r.duration_s, r.bytes_up, r.bytes_down, r.cell_id, r.source_key"
        }
    };
    format!(
        "SELECT r.id, c.subscriber_key, {fields} FROM {} r JOIN customers c ON c.id = r.customer_id",
        kind.table()
    )
}

fn load_record(
    conn: &mut dyn Conn,
    kind: RecordKind,
    id: i64,
) -> Result<Option<StoredRecord>, StoreError> {
    let rows = conn.query(
        &format!("{} WHERE r.id = ?", select_records(kind)),
        &[id.into()],
    )?;
    rows.rows
        .first()
        .map(|r| record_from_row(kind, r))
        .transpose()
}

/// Every record of one customer, for a cascading delete.
pub(super) fn load_customer_records(
    conn: &mut dyn Conn,
    customer_id: i64,
) -> Result<Vec<Record>, StoreError> {
    let mut out = Vec::new();
    for kind in [RecordKind::Call, RecordKind::Sms, RecordKind::Data] {
        let sql = format!("{} WHERE r.customer_id = ?", select_records(kind));
        for row in conn.query(&sql, &[customer_id.into()])?.rows {
            out.push(record_from_row(kind, &row)?.record);
        }
    }
    Ok(out)
}

/// Reads a stored row back through the same validating types it was written with.
fn record_from_row(kind: RecordKind, row: &[Value]) -> Result<StoredRecord, StoreError> {
    let corrupt =
        |what: &str| StoreError::Db(DbError::Sql(format!("unreadable {kind} row: {what}")));
    let id = row[0].as_i64().ok_or_else(|| corrupt("id"))?;
    let customer = SubscriberKey::parse("customer", &row[1].to_string())?;
    let time = |v: &Value| from_sql_time(&v.to_string()).ok_or_else(|| corrupt("time"));
    let int = |v: &Value| v.as_i64().ok_or_else(|| corrupt("number"));
    let cell = |v: &Value| v.as_str().map(str::to_string);
    let source = |v: &Value| SourceKey::given("source_key", &v.to_string());
    let record = match kind {
        RecordKind::Call => Record::Call(Call {
            customer,
            direction: Direction::parse("direction", &row[2].to_string())?,
            other: PartyId::parse("other_party", &row[3].to_string())?,
            start: time(&row[4])?,
            duration: Duration::from_seconds("duration", int(&row[5])?)?,
            status: CallStatus::parse("status", &row[6].to_string())?,
            cell: cell(&row[7]),
            source_key: source(&row[8])?,
        }),
        RecordKind::Sms => Record::Sms(Sms {
            customer,
            direction: Direction::parse("direction", &row[2].to_string())?,
            other: PartyId::parse("other_party", &row[3].to_string())?,
            at: time(&row[4])?,
            source_key: source(&row[5])?,
        }),
        RecordKind::Data => Record::Data(DataSession {
            customer,
            start: time(&row[2])?,
            duration: Duration::from_seconds("duration", int(&row[3])?)?,
            up: ByteSize::from_bytes("bytes_up", int(&row[4])?)?,
            down: ByteSize::from_bytes("bytes_down", int(&row[5])?)?,
            cell: cell(&row[6]),
            source_key: source(&row[7])?,
        }),
    };
    Ok(StoredRecord { id, record })
}

/// How many records of each kind a customer deletion removed (or would remove).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeleteCounts {
    pub calls: usize,
    pub sms: usize,
    pub data: usize,
}

impl DeleteCounts {
    pub fn of(records: &[Record]) -> DeleteCounts {
        let count = |k: RecordKind| records.iter().filter(|r| r.kind() == k).count();
        DeleteCounts {
            calls: count(RecordKind::Call),
            sms: count(RecordKind::Sms),
            data: count(RecordKind::Data),
        }
    }

    pub fn total(&self) -> usize {
        self.calls + self.sms + self.data
    }
}

impl fmt::Display for DeleteCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} calls, {} SMS and {} data sessions",
            self.calls, self.sms, self.data
        )
    }
}

/// Fields to correct on a stored record, as typed; `None` keeps the stored value.
#[derive(Debug, Clone, Default)]
pub struct RecordChanges {
    pub customer: Option<String>,
    pub direction: Option<String>,
    pub other: Option<String>,
    pub at: Option<String>,
    pub duration: Option<String>,
    pub status: Option<String>,
    pub cell: Option<String>,
    pub up: Option<String>,
    pub down: Option<String>,
}

impl RecordChanges {
    fn named_fields(&self) -> [(&'static str, &Option<String>); 9] {
        [
            ("customer", &self.customer),
            ("direction", &self.direction),
            ("other", &self.other),
            ("at", &self.at),
            ("duration", &self.duration),
            ("status", &self.status),
            ("cell", &self.cell),
            ("up", &self.up),
            ("down", &self.down),
        ]
    }

    /// The record with these changes, checked by the same rules as a new one.
    pub fn apply(&self, old: &Record, ctx: &InputContext) -> Result<Record, StoreError> {
        let allowed: &[&str] = match old.kind() {
            RecordKind::Call => &[
                "customer",
                "direction",
                "other",
                "at",
                "duration",
                "status",
                "cell",
            ],
            RecordKind::Sms => &["customer", "direction", "other", "at"],
            RecordKind::Data => &["customer", "at", "duration", "cell", "up", "down"],
        };
        let given: Vec<&str> = self
            .named_fields()
            .iter()
            .filter(|(_, v)| v.is_some())
            .map(|(n, _)| *n)
            .collect();
        if given.is_empty() {
            return Err(StoreError::Refused(format!(
                "nothing to change: give at least one of --{}",
                allowed.join(", --")
            )));
        }
        if let Some(field) = given.iter().find(|f| !allowed.contains(f)) {
            return Err(StoreError::Refused(format!(
                "--{field} does not apply to {} records",
                old.kind()
            )));
        }
        Ok(self.changed(old.clone(), ctx)?)
    }

    fn changed(&self, mut record: Record, ctx: &InputContext) -> Result<Record, ValidationError> {
        let customer = self
            .customer
            .as_deref()
            .map(|c| SubscriberKey::parse("customer", c))
            .transpose()?;
        let direction = self
            .direction
            .as_deref()
            .map(|d| Direction::parse("direction", d))
            .transpose()?;
        let other = self
            .other
            .as_deref()
            .map(|o| PhoneNumber::parse("other party", o).map(PartyId::from))
            .transpose()?;
        let at = self
            .at
            .as_deref()
            .map(|t| ctx.time("time", Some(t)))
            .transpose()?;
        let duration = self
            .duration
            .as_deref()
            .map(|d| Duration::parse("duration", d))
            .transpose()?;
        let status = self
            .status
            .as_deref()
            .map(|s| CallStatus::parse("status", s))
            .transpose()?;
        let cell = self
            .cell
            .as_deref()
            .map(|c| parse_cell("cell", c))
            .transpose()?;
        let up = self
            .up
            .as_deref()
            .map(|u| ByteSize::parse("up", u))
            .transpose()?;
        let down = self
            .down
            .as_deref()
            .map(|d| ByteSize::parse("down", d))
            .transpose()?;
        match &mut record {
            Record::Call(c) => {
                set(&mut c.customer, customer);
                set(&mut c.direction, direction);
                set(&mut c.other, other);
                set(&mut c.start, at);
                set(&mut c.duration, duration);
                set(&mut c.status, status);
                set(&mut c.cell, cell);
            }
            Record::Sms(s) => {
                set(&mut s.customer, customer);
                set(&mut s.direction, direction);
                set(&mut s.other, other);
                set(&mut s.at, at);
            }
            Record::Data(d) => {
                set(&mut d.customer, customer);
                set(&mut d.start, at);
                set(&mut d.duration, duration);
                set(&mut d.cell, cell);
                set(&mut d.up, up);
                set(&mut d.down, down);
            }
        }
        Ok(record)
    }
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *slot = v;
    }
}
