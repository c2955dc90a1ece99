//! `tally log ...` and `tally record ...`.

use super::Invocation;
use super::args::RecordCommand;
use super::output::pairs;
use crate::app::AppError;
use crate::app::log::{self, LogCommand, describe};
use crate::model::{Record, RecordKind, Zone};
use crate::store::{RecordChanges, StoreError, StoredRecord};

pub fn log(session: &Invocation, command: LogCommand) -> Result<(), AppError> {
    let (record, create) = log::checked(command, &session.input_context())?;
    let store = session.open_store()?;
    let message = log::store(&store, record, create, &session.settings.zone)?;
    crate::out::line(&message)?;
    Ok(())
}

fn record_table(stored: &StoredRecord, zone: &Zone) -> prettytable::Table {
    let mut rows: Vec<(&str, String)> = vec![("id", stored.id.to_string())];
    match &stored.record {
        Record::Call(c) => rows.extend([
            ("kind", "call".into()),
            ("customer", c.customer.to_string()),
            ("direction", c.direction.to_string()),
            ("other party", c.other.to_string()),
            ("start", format!("{} ({zone})", zone.show(c.start))),
            ("duration", c.duration.to_string()),
            ("status", c.status.to_string()),
            ("cell", c.cell.clone().unwrap_or_default()),
            ("source key", c.source_key.as_str().into()),
        ]),
        Record::Sms(s) => rows.extend([
            ("kind", "sms".into()),
            ("customer", s.customer.to_string()),
            ("direction", s.direction.to_string()),
            ("other party", s.other.to_string()),
            ("time", format!("{} ({zone})", zone.show(s.at))),
            ("source key", s.source_key.as_str().into()),
        ]),
        Record::Data(d) => rows.extend([
            ("kind", "data".into()),
            ("customer", d.customer.to_string()),
            ("start", format!("{} ({zone})", zone.show(d.start))),
            ("duration", d.duration.to_string()),
            ("up", d.up.to_string()),
            ("down", d.down.to_string()),
            ("cell", d.cell.clone().unwrap_or_default()),
            ("source key", d.source_key.as_str().into()),
        ]),
    }
    pairs(&rows)
}

pub fn record(session: &Invocation, command: RecordCommand) -> Result<(), AppError> {
    let zone = session.settings.zone.clone();
    match command {
        RecordCommand::Show { kind, id } => {
            let kind = RecordKind::parse("kind", &kind)?;
            let store = session.open_store()?;
            let stored = store.record(kind, id)?.ok_or_else(|| not_found(kind, id))?;
            crate::out::print(&record_table(&stored, &zone).to_string())?;
        }
        RecordCommand::Update {
            kind,
            id,
            customer,
            direction,
            other,
            at,
            duration,
            status,
            cell,
            up,
            down,
        } => {
            let kind = RecordKind::parse("kind", &kind)?;
            let changes = RecordChanges {
                customer,
                direction,
                other,
                at,
                duration,
                status,
                cell,
                up,
                down,
            };
            let store = session.open_store()?;
            let stored = store.update_record(kind, id, &changes, &session.input_context())?;
            crate::out::line(&format!("updated {}", describe(&stored, &zone)))?;
        }
        RecordCommand::Delete { kind, id } => {
            let kind = RecordKind::parse("kind", &kind)?;
            let store = session.open_store()?;
            let stored = store.delete_record(kind, id)?;
            crate::out::line(&format!("deleted {}", describe(&stored, &zone)))?;
        }
    }
    Ok(())
}

fn not_found(kind: RecordKind, id: i64) -> StoreError {
    StoreError::NotFound(format!("no {kind} record with id {id}"))
}
