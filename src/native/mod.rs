//! tally's own CSV layouts, one per record type: written by `tally demo --csv`, read by
//! `tally import --format native`. Times are UTC in RFC 3339 (`2026-11-25T10:15:00Z`).

use crate::model::{NewCustomer, NewPlan, Record, RecordKind};
use chrono::{DateTime, SecondsFormat, Utc};

/// The header of a plans file (`plans.csv`), in [`plan_fields`] order.
pub const PLANS_HEADER: [&str; 5] = [
    "name",
    "price_per_minute",
    "price_per_sms",
    "price_per_mb",
    "monthly_fee",
];
/// The header of a customers file (`customers.csv`), in [`customer_fields`] order.
pub const CUSTOMERS_HEADER: [&str; 6] = [
    "subscriber_key",
    "name",
    "plan",
    "region",
    "status",
    "created_at",
];

/// The header of a record type's file.
pub fn header(kind: RecordKind) -> &'static [&'static str] {
    match kind {
        RecordKind::Call => &[
            "source_key",
            "subscriber_key",
            "direction",
            "other_party",
            "start_time",
            "duration_s",
            "status",
            "cell_id",
        ],
        RecordKind::Sms => &[
            "source_key",
            "subscriber_key",
            "direction",
            "other_party",
            "sent_at",
        ],
        RecordKind::Data => &[
            "source_key",
            "subscriber_key",
            "start_time",
            "duration_s",
            "bytes_up",
            "bytes_down",
            "cell_id",
        ],
    }
}

/// The file a record type is written to in a demo directory.
pub fn file_name(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Call => "calls.csv",
        RecordKind::Sms => "sms.csv",
        RecordKind::Data => "data.csv",
    }
}

/// A time as the native files write it: RFC 3339 in UTC, to the second (`2026-11-25T10:15:00Z`).
pub fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A record's fields in [`header`] order.
pub fn record_fields(record: &Record) -> Vec<String> {
    match record {
        Record::Call(c) => vec![
            c.source_key.as_str().into(),
            c.customer.to_string(),
            c.direction.to_string(),
            c.other.to_string(),
            time_text(c.start),
            c.duration.seconds().to_string(),
            c.status.to_string(),
            c.cell.clone().unwrap_or_default(),
        ],
        Record::Sms(s) => vec![
            s.source_key.as_str().into(),
            s.customer.to_string(),
            s.direction.to_string(),
            s.other.to_string(),
            time_text(s.at),
        ],
        Record::Data(d) => vec![
            d.source_key.as_str().into(),
            d.customer.to_string(),
            time_text(d.start),
            d.duration.seconds().to_string(),
            d.up.bytes().to_string(),
            d.down.bytes().to_string(),
            d.cell.clone().unwrap_or_default(),
        ],
    }
}

/// A customer's fields in [`CUSTOMERS_HEADER`] order; empty text for what is not set.
pub fn customer_fields(c: &NewCustomer) -> Vec<String> {
    vec![
        c.key.to_string(),
        c.name.clone().unwrap_or_default(),
        c.plan.clone().unwrap_or_default(),
        c.region.clone().unwrap_or_default(),
        c.status.to_string(),
        c.created_at.map(time_text).unwrap_or_default(),
    ]
}

/// A plan's fields in [`PLANS_HEADER`] order.
pub fn plan_fields(p: &NewPlan) -> Vec<String> {
    vec![
        p.name.clone(),
        p.per_minute.to_string(),
        p.per_sms.to_string(),
        p.per_mb.to_string(),
        p.monthly_fee.to_string(),
    ]
}
