//! `log` statements: one call, SMS or data session, written as `tally log` takes it (the same
//! command line, parsed by the same rules), checked by the model and stored exactly once.

use crate::model::{CallInput, DataInput, InputContext, Record, SmsInput, Zone};
use crate::store::{Store, StoreError, StoredRecord};
use clap::{Args, Parser, Subcommand};

/// What every kind of `log` takes.
#[derive(Debug, Args)]
pub struct LogCommon {
    /// When it happened: "2026-11-25 10:15", 2026-11-25T10:15:00Z, with an offset, or now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Create the customer if the key is unknown
    #[arg(long)]
    pub create_customer: bool,
    /// The record's id at its source; a second record with the same key is refused
    #[arg(long, value_name = "KEY")]
    pub source_key: Option<String>,
}

/// `log call|sms|data ...`: the record to store.
#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// tally log call 447700900123 out 447700900456 --at "2026-11-25 10:15" --duration 3m20s
    Call {
        /// The customer's subscriber key
        customer: String,
        /// out (the customer called) or in
        direction: String,
        /// The other party's phone number
        other: String,
        /// 90, 90s, 3m20s, 1h, 01:02:03
        #[arg(long, allow_hyphen_values = true)]
        duration: Option<String>,
        /// answered, busy, no_answer or failed (default: answered if the duration is above 0)
        #[arg(long)]
        status: Option<String>,
        /// The id of the cell the customer was in
        #[arg(long)]
        cell: Option<String>,
        /// Time, customer creation and source key
        #[command(flatten)]
        common: LogCommon,
    },
    /// tally log sms 447700900123 out 447700900456
    Sms {
        /// The customer's subscriber key
        customer: String,
        /// out (the customer sent it) or in
        direction: String,
        /// The other party's phone number
        other: String,
        /// Time, customer creation and source key
        #[command(flatten)]
        common: LogCommon,
    },
    /// tally log data 447700900123 --duration 25m --up 12MB --down 340MB
    Data {
        /// The customer's subscriber key
        customer: String,
        /// 90, 90s, 3m20s, 1h, 01:02:03
        #[arg(long, allow_hyphen_values = true)]
        duration: Option<String>,
        /// Bytes sent: 512, 12KB, 1.5MB, 2GiB
        #[arg(long, allow_hyphen_values = true)]
        up: Option<String>,
        /// Bytes received
        #[arg(long, allow_hyphen_values = true)]
        down: Option<String>,
        /// The id of the cell the session used
        #[arg(long)]
        cell: Option<String>,
        /// Time, customer creation and source key
        #[command(flatten)]
        common: LogCommon,
    },
}

#[derive(clap::Parser)]
#[command(name = "log", no_binary_name = true)]
struct LogLine {
    #[command(subcommand)]
    command: LogCommand,
}

/// Why a `log` line cannot be read as a command.
#[derive(Debug, thiserror::Error)]
pub enum LogLineError {
    /// Its quotes do not close.
    #[error("log: {0}")]
    Quotes(#[from] shell_words::ParseError),
    /// A `$name` the statement has no value for, or one inside a word.
    #[error("log: {0}")]
    Param(String),
    /// Its arguments are not those of `tally log`.
    #[error("{}", .0.render().to_string().trim_end())]
    Arguments(#[from] clap::Error),
}

/// Parses `log call ...` with the same rules as `tally log call ...`.
pub fn parse_line(text: &str) -> Result<LogCommand, LogLineError> {
    parse_line_with(text, &crate::parse::Params::new())
}

/// [`parse_line`] in a report: a word that is `$name` (or `--flag=$name`) is that parameter's
/// value, one argument whatever it holds; with parameters given, `$` inside a word is refused.
pub fn parse_line_with(
    text: &str,
    params: &crate::parse::Params,
) -> Result<LogCommand, LogLineError> {
    let mut words = shell_words::split(text)?;
    if !params.is_empty() {
        for word in &mut words {
            *word = bound(word, params)?;
        }
    }
    Ok(LogLine::try_parse_from(words.into_iter().skip(1))?.command)
}

/// A word with its parameter replaced by the value.
fn bound(word: &str, params: &crate::parse::Params) -> Result<String, LogLineError> {
    let Some(at) = word.find('$') else {
        return Ok(word.to_string());
    };
    let (head, param) = word.split_at(at);
    let name = param[1..].trim_start_matches('{').trim_end_matches('}');
    let whole = head.is_empty() || (head.starts_with("--") && head.ends_with('='));
    let plain = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !name.is_empty();
    if !whole || !plain {
        return Err(LogLineError::Param(format!(
            "`{word}`: a parameter in a log line is a whole argument ($name, or --flag=$name)"
        )));
    }
    match params.get(name) {
        Some(value) => Ok(format!("{head}{value}")),
        None => Err(LogLineError::Param(format!(
            "no value for the parameter `${name}`"
        ))),
    }
}

/// Stores a checked record; returns the line that confirms it (`logged call 17: ...`).
pub fn store(
    store: &Store,
    record: Record,
    create: bool,
    zone: &Zone,
) -> Result<String, StoreError> {
    let id = store.log(&record, create)?;
    Ok(format!(
        "logged {}",
        describe(&StoredRecord { id, record }, zone)
    ))
}

/// The record a `log` command describes, checked; and whether to create its customer.
pub fn checked(
    command: LogCommand,
    ctx: &InputContext,
) -> Result<(Record, bool), crate::model::ValidationError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_use_the_command_line_rules() {
        let c = parse_line(
            "log call 447700900123 out 447700900456 --duration 3m20s --at '2026-11-25 10:15'",
        )
        .unwrap();
        assert!(
            matches!(c, LogCommand::Call { ref duration, .. } if duration.as_deref() == Some("3m20s"))
        );
        let err = parse_line("log fax 1").unwrap_err().to_string();
        assert!(err.contains("unrecognized subcommand 'fax'"), "{err}");
    }

    #[test]
    fn report_parameters_are_whole_arguments() {
        let params: crate::parse::Params = [
            ("k", "447700900123"),
            ("t", "2026-11-20 10:00"),
            ("evil", "x --create-customer"),
        ]
        .into_iter()
        .collect();
        let c = parse_line_with("log sms $k out 447700900456 --at=$t", &params).unwrap();
        assert!(matches!(
            c,
            LogCommand::Sms { ref customer, ref common, .. }
                if customer == "447700900123" && common.at.as_deref() == Some("2026-11-20 10:00")
        ));
        let c = parse_line_with("log sms $evil out 447700900456", &params).unwrap();
        assert!(matches!(
            c,
            LogCommand::Sms { ref customer, ref common, .. }
                if customer == "x --create-customer" && !common.create_customer
        ));
        assert!(parse_line_with("log sms a$k out 1", &params).is_err());
        assert!(parse_line_with("log sms $nope out 1", &params).is_err());
    }

    #[test]
    fn only_lines_starting_with_the_word_log_are_log_lines() {
        use crate::app::split::{Kind, kind};
        assert_eq!(kind("log call 1 out 2"), Kind::Log);
        assert_eq!(kind("  LOG sms 1 in 2".trim()), Kind::Log);
        assert_eq!(kind("logins"), Kind::Query);
        assert_eq!(kind("calls per day"), Kind::Query);
    }
}
