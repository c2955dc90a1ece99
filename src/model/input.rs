//! Records as people type them (CLI flags, shell `log` lines, menu answers), turned into checked
//! records. Every front end goes through these, so a rule is enforced the same way everywhere.

use super::{
    ByteSize, Call, CallStatus, DataSession, Direction, Duration, PartyId, PhoneNumber, Sms,
    SourceKey, SubscriberKey, ValidationError, Zone, check_not_future, parse_cell, parse_time,
};
use chrono::{DateTime, Utc};

/// What a typed value is read against: the zone of times without an offset, and the clock.
#[derive(Debug, Clone)]
pub struct InputContext {
    /// The zone of times written without an offset.
    pub zone: Zone,
    /// The clock: what `now` means, and what a time may not be far ahead of.
    pub now: DateTime<Utc>,
}

impl InputContext {
    /// Reads against `zone`, with the clock read now.
    pub fn new(zone: Zone) -> InputContext {
        InputContext {
            zone,
            now: Utc::now(),
        }
    }

    /// A time field: `None` means now; future times beyond the tolerance are refused.
    pub fn time(&self, field: &str, raw: Option<&str>) -> Result<DateTime<Utc>, ValidationError> {
        let raw = raw.unwrap_or("now");
        let t = parse_time(field, raw, &self.zone, self.now)?;
        check_not_future(field, raw, t, self.now)?;
        Ok(t)
    }
}

fn source_key(raw: Option<&str>) -> Result<SourceKey, ValidationError> {
    raw.map_or_else(
        || Ok(SourceKey::unique()),
        |k| SourceKey::given("source-key", k),
    )
}

fn cell(raw: Option<&str>) -> Result<Option<String>, ValidationError> {
    raw.map_or(Ok(None), |c| parse_cell("cell", c))
}

/// A call as typed: `447700900123 out 447700900456 --at "2026-11-25 10:15" --duration 3m20s`.
#[derive(Debug, Clone, Default)]
pub struct CallInput {
    /// The customer's subscriber key.
    pub customer: String,
    /// `out` or `in`.
    pub direction: String,
    /// The other party's phone number.
    pub other: String,
    /// When the call started; now when not given.
    pub at: Option<String>,
    /// How long it lasted (`3m20s`, `01:02:03`); zero when not given.
    pub duration: Option<String>,
    /// Defaults to `answered` when the duration is above zero, else `no_answer`.
    pub status: Option<String>,
    /// The cell id; none when not given.
    pub cell: Option<String>,
    /// The record's id at its source; a new unique key when not given.
    pub source_key: Option<String>,
}

impl CallInput {
    /// Checks every field and returns the call, or the first field that fails.
    pub fn validate(&self, ctx: &InputContext) -> Result<Call, ValidationError> {
        let duration = match &self.duration {
            Some(raw) => Duration::parse("duration", raw)?,
            None => Duration::default(),
        };
        let status = match &self.status {
            Some(raw) => CallStatus::parse("status", raw)?,
            None if duration.seconds() > 0 => CallStatus::Answered,
            None => CallStatus::NoAnswer,
        };
        Ok(Call {
            customer: SubscriberKey::parse("customer", &self.customer)?,
            direction: Direction::parse("direction", &self.direction)?,
            other: PhoneNumber::parse("other party", &self.other)?.into(),
            start: ctx.time("time", self.at.as_deref())?,
            duration,
            status,
            cell: cell(self.cell.as_deref())?,
            source_key: source_key(self.source_key.as_deref())?,
        })
    }
}

/// An SMS as typed: `447700900123 out 447700900456 [--at TIME]`.
#[derive(Debug, Clone, Default)]
pub struct SmsInput {
    /// The customer's subscriber key.
    pub customer: String,
    /// `out` or `in`.
    pub direction: String,
    /// The other party's phone number.
    pub other: String,
    /// When it was sent; now when not given.
    pub at: Option<String>,
    /// The record's id at its source; a new unique key when not given.
    pub source_key: Option<String>,
}

impl SmsInput {
    /// Checks every field and returns the SMS, or the first field that fails.
    pub fn validate(&self, ctx: &InputContext) -> Result<Sms, ValidationError> {
        Ok(Sms {
            customer: SubscriberKey::parse("customer", &self.customer)?,
            direction: Direction::parse("direction", &self.direction)?,
            other: PartyId::from(PhoneNumber::parse("other party", &self.other)?),
            at: ctx.time("time", self.at.as_deref())?,
            source_key: source_key(self.source_key.as_deref())?,
        })
    }
}

/// A data session as typed: `447700900123 --at now --duration 25m --up 12MB --down 340MB`.
#[derive(Debug, Clone, Default)]
pub struct DataInput {
    /// The customer's subscriber key.
    pub customer: String,
    /// When the session started; now when not given.
    pub at: Option<String>,
    /// How long it lasted; zero when not given.
    pub duration: Option<String>,
    /// Bytes sent (`12MB`); zero when not given.
    pub up: Option<String>,
    /// Bytes received (`340MB`); zero when not given.
    pub down: Option<String>,
    /// The cell id; none when not given.
    pub cell: Option<String>,
    /// The record's id at its source; a new unique key when not given.
    pub source_key: Option<String>,
}

impl DataInput {
    /// Checks every field and returns the session, or the first field that fails.
    pub fn validate(&self, ctx: &InputContext) -> Result<DataSession, ValidationError> {
        let size = |field: &str, raw: &Option<String>| {
            raw.as_deref()
                .map_or(Ok(ByteSize::default()), |r| ByteSize::parse(field, r))
        };
        Ok(DataSession {
            customer: SubscriberKey::parse("customer", &self.customer)?,
            start: ctx.time("time", self.at.as_deref())?,
            duration: self
                .duration
                .as_deref()
                .map_or(Ok(Duration::default()), |d| Duration::parse("duration", d))?,
            up: size("up", &self.up)?,
            down: size("down", &self.down)?,
            cell: cell(self.cell.as_deref())?,
            source_key: source_key(self.source_key.as_deref())?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> InputContext {
        InputContext {
            zone: Zone::utc(),
            now: DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
        }
    }

    fn call() -> CallInput {
        CallInput {
            customer: "447700900123".into(),
            direction: "out".into(),
            other: "447700900456".into(),
            at: Some("2026-11-25 10:15".into()),
            duration: Some("3m20s".into()),
            ..CallInput::default()
        }
    }

    #[test]
    fn a_typed_call_becomes_a_record() {
        let rec = call().validate(&ctx()).unwrap();
        assert_eq!(rec.duration.seconds(), 200);
        assert_eq!(rec.status, CallStatus::Answered);
        assert_eq!(crate::model::sql_time(rec.start), "2026-11-25 10:15:00");
    }

    #[test]
    fn a_call_without_duration_was_not_answered() {
        let rec = CallInput {
            duration: None,
            ..call()
        }
        .validate(&ctx())
        .unwrap();
        assert_eq!(rec.status, CallStatus::NoAnswer);
    }

    #[test]
    fn each_field_is_checked_with_its_name() {
        let cases = [
            (
                CallInput {
                    other: "12ab".into(),
                    ..call()
                },
                r#"invalid other party "12ab": must be a phone number: an optional +, then 8 to 15 digits"#,
            ),
            (
                CallInput {
                    direction: "up".into(),
                    ..call()
                },
                r#"invalid direction "up": must be out or in"#,
            ),
            (
                CallInput {
                    duration: Some("25h".into()),
                    ..call()
                },
                r#"invalid duration "25h": must be between 0s and 24h"#,
            ),
            (
                CallInput {
                    at: Some("2026-11-26 10:00".into()),
                    ..call()
                },
                r#"invalid time "2026-11-26 10:00": must not be more than 5 minutes in the future"#,
            ),
            (
                CallInput {
                    customer: "".into(),
                    ..call()
                },
                r#"invalid customer "": must not be empty"#,
            ),
        ];
        for (input, message) in cases {
            assert_eq!(input.validate(&ctx()).unwrap_err().to_string(), message);
        }
    }

    #[test]
    fn data_sessions_check_sizes() {
        let input = DataInput {
            customer: "447700900123".into(),
            up: Some("-1".into()),
            ..DataInput::default()
        };
        assert_eq!(
            input.validate(&ctx()).unwrap_err().to_string(),
            r#"invalid up "-1": must not be negative"#
        );
    }
}
