//! Corrections to a stored record, checked by the same rules as a new one.

use crate::model::{
    ByteSize, CallStatus, Direction, Duration, InputContext, PartyId, PhoneNumber, Record,
    RecordKind, SubscriberKey, ValidationError, parse_cell,
};
use crate::store::StoreError;

/// Fields to correct on a stored record, as typed; `None` keeps the stored value.
#[derive(Debug, Clone, Default)]
pub struct RecordChanges {
    /// A new subscriber key; the customer must exist. Any kind.
    pub customer: Option<String>,
    /// `out` or `in`. Calls and SMS.
    pub direction: Option<String>,
    /// The other party's phone number. Calls and SMS.
    pub other: Option<String>,
    /// A new time (start of a call or session, or when an SMS was sent). Any kind.
    pub at: Option<String>,
    /// A new duration (`3m20s`). Calls and data sessions.
    pub duration: Option<String>,
    /// A new call status. Calls only.
    pub status: Option<String>,
    /// A new cell id; empty text clears it. Calls and data sessions.
    pub cell: Option<String>,
    /// Bytes sent (`12MB`). Data sessions only.
    pub up: Option<String>,
    /// Bytes received (`340MB`). Data sessions only.
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
