//! `tally log ...` and `tally record ...`.

use super::args::{LogCommand, RecordCommand};
use super::output::pairs;
use super::{AppError, Session};
use crate::model::{CallInput, DataInput, Record, RecordKind, SmsInput, Zone};
use crate::store::{RecordChanges, Store, StoreError, StoredRecord};
use clap::Parser;

pub fn log(session: &Session, command: LogCommand) -> Result<(), AppError> {
    let (record, create) = checked(command, &session.input_context())?;
    let store = session.open_store()?;
    crate::out::line(&store_record(
        &store,
        record,
        create,
        &session.settings.zone,
    )?)?;
    Ok(())
}

#[derive(clap::Parser)]
#[command(name = "log", no_binary_name = true)]
struct LogLine {
    #[command(subcommand)]
    command: LogCommand,
}

/// Whether a statement is a `log call|sms|data ...` line rather than a query.
pub fn is_log_line(text: &str) -> bool {
    let mut words = text.split_whitespace();
    words.next().is_some_and(|w| w.eq_ignore_ascii_case("log"))
}

/// Parses `log call ...` with the same rules as `tally log call ...`.
pub fn log_command(text: &str) -> Result<LogCommand, AppError> {
    let words = shell_words::split(text).map_err(|e| AppError::Usage(format!("log: {e}")))?;
    LogLine::try_parse_from(words.into_iter().skip(1))
        .map(|l| l.command)
        .map_err(|e| AppError::Usage(e.render().to_string().trim_end().to_string()))
}

/// A `log` line of the shell or a batch: parsed, checked and stored like `tally log`.
pub fn log_line(store: &Store, text: &str, zone: &Zone) -> Result<String, AppError> {
    let command = log_command(text)?;
    let (record, create) = checked(command, &crate::model::InputContext::new(zone.clone()))?;
    store_record(store, record, create, zone)
}

/// Stores a checked record; returns the line that confirms it (`logged call 17: ...`).
pub fn store_record(
    store: &Store,
    record: Record,
    create: bool,
    zone: &Zone,
) -> Result<String, AppError> {
    let id = store.log(&record, create)?;
    Ok(format!(
        "logged {}",
        describe(&StoredRecord { id, record }, zone)
    ))
}

/// The record a `log` command describes, checked; and whether to create its customer.
pub fn checked(
    command: LogCommand,
    ctx: &crate::model::InputContext,
) -> Result<(Record, bool), AppError> {
    let ctx = ctx.clone();
    let (record, create) = match command {
        LogCommand::Call {
            customer,
            direction,
            other,
            duration,
            status,
            cell,
            common,
        } => (
            Record::Call(
                CallInput {
                    customer,
                    direction,
                    other,
                    at: common.at,
                    duration,
                    status,
                    cell,
                    source_key: common.source_key,
                }
                .validate(&ctx)?,
            ),
            common.create_customer,
        ),
        LogCommand::Sms {
            customer,
            direction,
            other,
            common,
        } => (
            Record::Sms(
                SmsInput {
                    customer,
                    direction,
                    other,
                    at: common.at,
                    source_key: common.source_key,
                }
                .validate(&ctx)?,
            ),
            common.create_customer,
        ),
        LogCommand::Data {
            customer,
            duration,
            up,
            down,
            cell,
            common,
        } => (
            Record::Data(
                DataInput {
                    customer,
                    at: common.at,
                    duration,
                    up,
                    down,
                    cell,
                    source_key: common.source_key,
                }
                .validate(&ctx)?,
            ),
            common.create_customer,
        ),
    };
    Ok((record, create))
}

/// `call 17: 447700900123 out 447700900456 at 2026-11-25 10:15:00 (UTC), 3m20s, answered`.
pub fn describe(stored: &StoredRecord, zone: &Zone) -> String {
    let id = stored.id;
    match &stored.record {
        Record::Call(c) => format!(
            "call {id}: {} {} {} at {} ({zone}), {}, {}",
            c.customer,
            c.direction,
            c.other,
            zone.show(c.start),
            c.duration,
            c.status
        ),
        Record::Sms(s) => format!(
            "sms {id}: {} {} {} at {} ({zone})",
            s.customer,
            s.direction,
            s.other,
            zone.show(s.at)
        ),
        Record::Data(d) => format!(
            "data {id}: {} at {} ({zone}), {}, up {}, down {}",
            d.customer,
            zone.show(d.start),
            d.duration,
            d.up,
            d.down
        ),
    }
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

pub fn record(session: &Session, command: RecordCommand) -> Result<(), AppError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_use_the_command_line_rules() {
        let c = log_command(
            "log call 447700900123 out 447700900456 --duration 3m20s --at '2026-11-25 10:15'",
        )
        .unwrap();
        assert!(
            matches!(c, LogCommand::Call { ref duration, .. } if duration.as_deref() == Some("3m20s"))
        );
        let err = log_command("log fax 1").unwrap_err().to_string();
        assert!(err.contains("unrecognized subcommand 'fax'"), "{err}");
    }

    #[test]
    fn only_lines_starting_with_the_word_log_are_log_lines() {
        assert!(is_log_line("log call 1 out 2"));
        assert!(is_log_line("  LOG sms 1 in 2"));
        assert!(!is_log_line("logins"));
        assert!(!is_log_line("calls per day"));
    }
}
