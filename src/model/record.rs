//! Usage records (calls, SMS, data sessions) and the enumerations they use.

use super::{ByteSize, Duration, PartyId, SubscriberKey, ValidationError};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::fmt;

/// Defines an enumeration stored as lower-case text, with its parser and its rule message.
macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident, $rule:literal, { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Reads the value from its text in any letter case, with `-` or a space for `_`;
            /// errors name `field`.
            pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
                // Files mostly spell values exactly; only the rest pay for normalising.
                $(if raw == $text { return Ok($name::$variant); })+
                let text = raw.trim().to_ascii_lowercase().replace(['-', ' '], "_");
                match text.as_str() {
                    $($text => Ok($name::$variant),)+
                    _ => Err(ValidationError::new(field, raw, $rule)),
                }
            }

            /// The value's text, as stored and displayed.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(
    /// Who started the call or sent the SMS: the customer (`out`) or the other party (`in`).
    Direction, "must be out or in", {
        /// The customer called or sent the SMS.
        Out => "out",
        /// The other party called or sent the SMS to the customer.
        In => "in",
    }
);

text_enum!(
    /// How a call ended.
    CallStatus, "must be one of answered, busy, no_answer, failed",
    {
        /// The call was answered.
        Answered => "answered",
        /// The called party was busy.
        Busy => "busy",
        /// Nobody answered.
        NoAnswer => "no_answer",
        /// The call could not be put through.
        Failed => "failed",
    }
);

text_enum!(
    /// A customer's account state.
    CustomerStatus, "must be one of active, suspended, closed",
    {
        /// The account is in service.
        Active => "active",
        /// The account is suspended for now.
        Suspended => "suspended",
        /// The account is closed.
        Closed => "closed",
    }
);

text_enum!(
    /// The three kinds of usage record, named as in the CLI (`tally log call|sms|data`).
    RecordKind, "must be one of call, sms, data",
    {
        /// A voice call.
        Call => "call",
        /// A text message.
        Sms => "sms",
        /// A mobile data session.
        Data => "data",
    }
);

impl RecordKind {
    /// The raw table that holds records of this kind.
    pub fn table(self) -> &'static str {
        match self {
            RecordKind::Call => "calls",
            RecordKind::Sms => "sms",
            RecordKind::Data => "data_sessions",
        }
    }

    /// The column of that table holding when the record happened.
    pub fn time_column(self) -> &'static str {
        match self {
            RecordKind::Sms => "sent_at",
            RecordKind::Call | RecordKind::Data => "start_time",
        }
    }
}

/// What makes a record unique across imports: the CDR's own id, or a hash of its fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SourceKey(String);

/// The width of the `source_key` columns.
pub const MAX_SOURCE_KEY_CHARS: usize = 128;

impl SourceKey {
    /// A key the source gave (a uniqueid, a uuid); prefixed by the caller with its origin so ids
    /// from different switches cannot collide.
    pub fn given(field: &str, raw: &str) -> Result<SourceKey, ValidationError> {
        let text = raw.trim();
        if text.is_empty() {
            return Err(ValidationError::new(field, raw, "must not be empty"));
        }
        if text.chars().count() > MAX_SOURCE_KEY_CHARS || text.chars().any(char::is_control) {
            return Err(ValidationError::new(
                field,
                raw,
                format!("must be at most {MAX_SOURCE_KEY_CHARS} printable characters"),
            ));
        }
        Ok(SourceKey(text.to_string()))
    }

    /// A key from the record's normalised fields: the same record read twice gets the same key.
    pub fn derived(parts: &[&str]) -> SourceKey {
        let mut hash = Sha256::new();
        for part in parts {
            hash.update(part.as_bytes());
            hash.update([0x1f]);
        }
        let digest = hash.finalize();
        let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        SourceKey(format!("h:{hex}"))
    }

    /// A stand-in until the real key is known (an import derives it from the finished record).
    pub fn pending() -> SourceKey {
        SourceKey(String::new())
    }

    /// A key no other record has: for records typed in by hand, where two identical entries are
    /// two real events.
    pub fn unique() -> SourceKey {
        let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
        let random: u64 = rand::random();
        SourceKey(format!("log:{nanos:x}{random:016x}"))
    }

    /// The key's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A voice call, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The customer whose usage this is.
    pub customer: SubscriberKey,
    /// Whether the customer made or received the call.
    pub direction: Direction,
    /// The number at the other end.
    pub other: PartyId,
    /// When the call started.
    pub start: DateTime<Utc>,
    /// How long the call lasted.
    pub duration: Duration,
    /// How the call ended.
    pub status: CallStatus,
    /// The id of the cell the customer was in, when the switch gave one.
    pub cell: Option<String>,
    /// What identifies the record across imports; a record whose key is already stored is skipped.
    pub source_key: SourceKey,
}

/// A text message, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Sms {
    /// The customer whose usage this is.
    pub customer: SubscriberKey,
    /// Whether the customer sent or received the message.
    pub direction: Direction,
    /// The number at the other end.
    pub other: PartyId,
    /// When the message was sent.
    pub at: DateTime<Utc>,
    /// What identifies the record across imports; a record whose key is already stored is skipped.
    pub source_key: SourceKey,
}

/// A mobile data session, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct DataSession {
    /// The customer whose usage this is.
    pub customer: SubscriberKey,
    /// When the session started.
    pub start: DateTime<Utc>,
    /// How long the session lasted.
    pub duration: Duration,
    /// Bytes sent by the customer.
    pub up: ByteSize,
    /// Bytes received by the customer.
    pub down: ByteSize,
    /// The id of the cell the session used, when the source gave one.
    pub cell: Option<String>,
    /// What identifies the record across imports; a record whose key is already stored is skipped.
    pub source_key: SourceKey,
}

/// One usage record of any kind, as the store takes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// A voice call.
    Call(Call),
    /// A text message.
    Sms(Sms),
    /// A data session.
    Data(DataSession),
}

impl Record {
    /// Which kind of record this is.
    pub fn kind(&self) -> RecordKind {
        match self {
            Record::Call(_) => RecordKind::Call,
            Record::Sms(_) => RecordKind::Sms,
            Record::Data(_) => RecordKind::Data,
        }
    }

    /// The customer the record belongs to.
    pub fn customer(&self) -> &SubscriberKey {
        match self {
            Record::Call(c) => &c.customer,
            Record::Sms(s) => &s.customer,
            Record::Data(d) => &d.customer,
        }
    }

    /// When the record happened (the start of a call or session).
    pub fn time(&self) -> DateTime<Utc> {
        match self {
            Record::Call(c) => c.start,
            Record::Sms(s) => s.at,
            Record::Data(d) => d.start,
        }
    }

    /// The record with a source key made from its normalised fields: what identifies a record
    /// whose source gives it no id of its own.
    pub fn with_derived_key(mut self) -> Record {
        let t = super::sql_time(self.time());
        let key = match &self {
            Record::Call(c) => SourceKey::derived(&[
                "call",
                c.customer.as_str(),
                c.direction.as_str(),
                c.other.as_str(),
                &t,
                &c.duration.seconds().to_string(),
                c.status.as_str(),
                c.cell.as_deref().unwrap_or(""),
            ]),
            Record::Sms(s) => SourceKey::derived(&[
                "sms",
                s.customer.as_str(),
                s.direction.as_str(),
                s.other.as_str(),
                &t,
            ]),
            Record::Data(d) => SourceKey::derived(&[
                "data",
                d.customer.as_str(),
                &t,
                &d.duration.seconds().to_string(),
                &d.up.bytes().to_string(),
                &d.down.bytes().to_string(),
                d.cell.as_deref().unwrap_or(""),
            ]),
        };
        self.set_source_key(key);
        self
    }

    /// Replaces the record's source key.
    pub fn set_source_key(&mut self, key: SourceKey) {
        match self {
            Record::Call(c) => c.source_key = key,
            Record::Sms(s) => s.source_key = key,
            Record::Data(d) => d.source_key = key,
        }
    }

    /// The key that identifies the record across imports.
    pub fn source_key(&self) -> &SourceKey {
        match self {
            Record::Call(c) => &c.source_key,
            Record::Sms(s) => &s.source_key,
            Record::Data(d) => &d.source_key,
        }
    }
}

/// Cell ids are free text from the switch; only their length and printability are checked.
pub fn parse_cell(field: &str, raw: &str) -> Result<Option<String>, ValidationError> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > 64 || text.chars().any(char::is_control) {
        return Err(ValidationError::new(
            field,
            raw,
            "must be at most 64 printable characters",
        ));
    }
    Ok(Some(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enumerations_parse_case_insensitively() {
        assert_eq!(
            Direction::parse("direction", "OUT").unwrap(),
            Direction::Out
        );
        assert_eq!(
            CallStatus::parse("status", "No Answer").unwrap(),
            CallStatus::NoAnswer
        );
        assert_eq!(
            CustomerStatus::parse("status", "suspended").unwrap(),
            CustomerStatus::Suspended
        );
    }

    #[test]
    fn enumeration_rules_are_named() {
        let err = Direction::parse("direction", "sideways").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid direction "sideways": must be out or in"#
        );
        let err = CallStatus::parse("status", "dropped").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid status "dropped": must be one of answered, busy, no_answer, failed"#
        );
        let err = CustomerStatus::parse("status", "gone").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid status "gone": must be one of active, suspended, closed"#
        );
    }

    #[test]
    fn derived_keys_depend_on_every_part() {
        let a = SourceKey::derived(&["call", "447700900123", "2026-11-25 10:00:00"]);
        let b = SourceKey::derived(&["call", "447700900123", "2026-11-25 10:00:01"]);
        assert_ne!(a, b);
        assert_eq!(
            a,
            SourceKey::derived(&["call", "447700900123", "2026-11-25 10:00:00"])
        );
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        assert_ne!(
            SourceKey::derived(&["ab", "c"]),
            SourceKey::derived(&["a", "bc"])
        );
    }

    #[test]
    fn unique_keys_differ() {
        assert_ne!(SourceKey::unique(), SourceKey::unique());
    }

    #[test]
    fn given_keys_are_checked() {
        let err = SourceKey::given("uniqueid", "").unwrap_err();
        assert_eq!(err.to_string(), r#"invalid uniqueid "": must not be empty"#);
        assert!(SourceKey::given("uniqueid", &"x".repeat(129)).is_err());
    }

    #[test]
    fn cells_are_optional() {
        assert_eq!(parse_cell("cell", " ").unwrap(), None);
        assert_eq!(
            parse_cell("cell", "JxDglNVk").unwrap().as_deref(),
            Some("JxDglNVk")
        );
    }
}
