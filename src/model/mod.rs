//! Validated values and records: every user-typed or imported value passes through here first.

mod bytes;
mod country;
mod customer;
mod duration;
mod error;
mod input;
mod key;
mod money;
mod pattern;
mod record;
mod time;

pub use bytes::ByteSize;
pub use country::{UNKNOWN_COUNTRY, country_of};
pub use customer::{
    Customer, CustomerChanges, NewCustomer, NewPlan, Plan, PlanChanges, parse_display_name,
    parse_name,
};
pub use duration::{Duration, MAX_SECONDS};
pub use error::ValidationError;
pub use input::{CallInput, DataInput, InputContext, SmsInput};
pub use key::{MAX_KEY_CHARS, PartyId, PhoneNumber, SubscriberKey};
pub use money::{Currency, MAX_PRICE_UNITS, PRICE_DECIMALS, Price};
pub use pattern::{Pattern, Piece};
pub use record::{
    Call, CallStatus, CustomerStatus, DataSession, Direction, Record, RecordKind, Sms, SourceKey,
    parse_cell,
};
pub use time::{
    FUTURE_TOLERANCE_SECS, SQL_TIME_FORMAT, Zone, check_not_future, from_sql_time, parse_time,
    sql_time, truncate_to_second,
};
