//! Reading stored records back into model records.

use super::StoredRecord;
use crate::model::{
    ByteSize, Call, CallStatus, DataSession, Direction, Duration, PartyId, Record, RecordKind, Sms,
    SourceKey, SubscriberKey, from_sql_time,
};
use crate::store::{Conn, DbError, StoreError, Value};
use std::fmt;

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

pub(super) fn load_record(
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

/// Every record of one customer, for a cascading delete; `lock` (the dialect's row lock) keeps
/// them from being corrected or deleted by anyone else until the transaction ends.
pub(in crate::store) fn load_customer_records(
    conn: &mut dyn Conn,
    customer_id: i64,
    lock: &str,
) -> Result<Vec<Record>, StoreError> {
    let mut out = Vec::new();
    for kind in [RecordKind::Call, RecordKind::Sms, RecordKind::Data] {
        let sql = format!("{} WHERE r.customer_id = ?{lock}", select_records(kind));
        for row in conn.query(&sql, &[customer_id.into()])?.rows {
            out.push(record_from_row(kind, &row)?.record);
        }
    }
    Ok(out)
}

/// Reads a stored row back through the same validating types it was written with.
fn record_from_row(kind: RecordKind, row: &[Value]) -> Result<StoredRecord, StoreError> {
    let corrupt = |what: &str| {
        StoreError::Db(DbError::Sql(
            format!("unreadable {kind} row: {what}").into(),
        ))
    };
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
    /// Calls.
    pub calls: usize,
    /// SMS.
    pub sms: usize,
    /// Data sessions.
    pub data: usize,
}

impl DeleteCounts {
    /// Counts `records` by kind.
    pub fn of(records: &[Record]) -> DeleteCounts {
        let count = |k: RecordKind| records.iter().filter(|r| r.kind() == k).count();
        DeleteCounts {
            calls: count(RecordKind::Call),
            sms: count(RecordKind::Sms),
            data: count(RecordKind::Data),
        }
    }

    /// Records of every kind.
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
