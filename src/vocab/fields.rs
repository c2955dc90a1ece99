//! The fields of records: what `where` compares, what `sum`/`avg`/`min`/`max` read, what `per`
//! groups by, and which sources have each.

use super::{Field, Source};

/// A field a `where` condition names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterField {
    /// `direction`: `out` or `in` (calls, SMS).
    Direction,
    /// `status`: how a call ended (calls).
    Status,
    /// `duration`: seconds (calls, data sessions).
    Duration,
    /// `other`: the other party's number (calls, SMS).
    Other,
    /// `cell`: the cell id (calls, data sessions).
    Cell,
    /// `up`: bytes sent (data sessions).
    Up,
    /// `down`: bytes received (data sessions).
    Down,
    /// `bytes`: bytes up and down together (data sessions).
    Bytes,
    /// `customer`: the subscriber key (every source).
    Customer,
    /// `plan`: the customer's plan name (every source).
    Plan,
    /// `region`: the customer's region (every source).
    Region,
    /// `account`: the customer's account status now (every source).
    Account,
    /// `hour`: the hour of the day the record started, 0-23, in the zone (every source).
    Hour,
    /// `weekday`: the day of the week the record started, Monday 1 to Sunday 7, in the zone.
    Weekday,
    /// `daytype`: `weekday` (Monday to Friday) or `weekend`, in the zone.
    Daytype,
    /// `country`: the other party's country, ISO 3166 (`GB`) or `unknown` (calls, SMS).
    Country,
    /// `international`: the other party's country is known and differs from the customer's.
    International,
}

impl FilterField {
    /// Whether only the raw rows know it (the rollups keep customers and times, not record
    /// details).
    pub fn raw_only(self) -> bool {
        !self.per_customer() && !self.is_time()
    }

    /// Whether it is a property of the customer: rollups kept per customer know it.
    pub fn per_customer(self) -> bool {
        matches!(
            self,
            FilterField::Customer | FilterField::Plan | FilterField::Region | FilterField::Account
        )
    }

    /// Whether it is a piece of the record's local time: a rollup fine enough in time knows it.
    pub fn is_time(self) -> bool {
        matches!(
            self,
            FilterField::Hour | FilterField::Weekday | FilterField::Daytype
        )
    }

    /// Whether its values are free text (not an enumeration): `like` and `starts with` apply.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            FilterField::Other
                | FilterField::Cell
                | FilterField::Customer
                | FilterField::Plan
                | FilterField::Region
                | FilterField::Country
        )
    }

    /// Whether its values are numbers (durations, sizes), which allow `<` `>` and `between`.
    pub fn numeric(self) -> bool {
        matches!(
            self,
            FilterField::Duration
                | FilterField::Up
                | FilterField::Down
                | FilterField::Bytes
                | FilterField::Hour
                | FilterField::Weekday
        )
    }
}

/// One `where` field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldWord {
    /// The word a query writes: `duration`, `other`.
    pub name: &'static str,
    /// The field it names.
    pub field: FilterField,
    /// The sources whose records have it.
    pub sources: &'static [Source],
    /// The values it takes, for `.help` and the docs.
    pub values: &'static str,
}

use Source::{Calls, Data, Sms, Usage};

const ALL: &[Source] = &[Calls, Sms, Data, Usage];

/// Every `where` field, in the order the docs list them.
pub const FIELDS: &[FieldWord] = &[
    FieldWord {
        name: "direction",
        field: FilterField::Direction,
        sources: &[Calls, Sms],
        values: "`out`, `in` (any case)",
    },
    FieldWord {
        name: "status",
        field: FilterField::Status,
        sources: &[Calls],
        values: "`answered`, `busy`, `no_answer`, `failed` (any case; `no-answer` accepted)",
    },
    FieldWord {
        name: "duration",
        field: FilterField::Duration,
        sources: &[Calls, Data],
        values: "duration, or a number of seconds",
    },
    FieldWord {
        name: "up",
        field: FilterField::Up,
        sources: &[Data],
        values: "size, or a number of bytes sent",
    },
    FieldWord {
        name: "down",
        field: FilterField::Down,
        sources: &[Data],
        values: "size, or a number of bytes received",
    },
    FieldWord {
        name: "bytes",
        field: FilterField::Bytes,
        sources: &[Data],
        values: "size, or a number of bytes (up + down)",
    },
    FieldWord {
        name: "other",
        field: FilterField::Other,
        sources: &[Calls, Sms],
        values: "the other party's number or id",
    },
    FieldWord {
        name: "cell",
        field: FilterField::Cell,
        sources: &[Calls, Data],
        values: "cell id, exact text",
    },
    FieldWord {
        name: "country",
        field: FilterField::Country,
        sources: &[Calls, Sms],
        values: "the other party's country: ISO 3166 code (`GB`, any case) or `unknown`",
    },
    FieldWord {
        name: "international",
        field: FilterField::International,
        sources: &[Calls, Sms],
        values: "alone (`where international`), or `= yes`/`no`: the other party's country is known and not the customer's",
    },
    FieldWord {
        name: "customer",
        field: FilterField::Customer,
        sources: ALL,
        values: "subscriber key",
    },
    FieldWord {
        name: "plan",
        field: FilterField::Plan,
        sources: ALL,
        values: "plan name, exact text",
    },
    FieldWord {
        name: "region",
        field: FilterField::Region,
        sources: ALL,
        values: "region, exact text",
    },
    FieldWord {
        name: "account",
        field: FilterField::Account,
        sources: ALL,
        values: "the customer's account status now: `active`, `suspended`, `closed`",
    },
    FieldWord {
        name: "hour",
        field: FilterField::Hour,
        sources: ALL,
        values: "hour of the day the record started, 0-23, in the display zone",
    },
    FieldWord {
        name: "weekday",
        field: FilterField::Weekday,
        sources: ALL,
        values: "`mon` to `sun` (or `monday`..., any case), ordered Monday first; or 1-7",
    },
    FieldWord {
        name: "daytype",
        field: FilterField::Daytype,
        sources: ALL,
        values: "`weekday` (Monday to Friday) or `weekend`, in the display zone",
    },
];

/// A numeric field the functions read, on one source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NumericField {
    /// The word a query writes inside the function: `duration`, `bytes`.
    pub name: &'static str,
    /// The source whose records have it.
    pub source: Source,
    /// The stored quantity it reads.
    pub field: Field,
}

/// The arguments of `sum` `avg` `min` `max`, per source.
pub const NUMERIC: &[NumericField] = &[
    NumericField {
        name: "duration",
        source: Calls,
        field: Field::CallDuration,
    },
    NumericField {
        name: "duration",
        source: Data,
        field: Field::DataDuration,
    },
    NumericField {
        name: "up",
        source: Data,
        field: Field::Up,
    },
    NumericField {
        name: "down",
        source: Data,
        field: Field::Down,
    },
    NumericField {
        name: "bytes",
        source: Data,
        field: Field::Bytes,
    },
    // A session's MB up and down: `median(data_mb)` reads as the measure's name does.
    NumericField {
        name: "data_mb",
        source: Data,
        field: Field::Bytes,
    },
];

/// What `per` groups by.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dimension {
    /// The word after `per`: `day`, `plan`.
    pub name: &'static str,
    /// The sources that can be grouped by it.
    pub sources: &'static [Source],
    /// What a group's value is, for `.help` and the docs.
    pub meaning: &'static str,
}

/// Every `per` dimension, in the order the docs list them.
pub const DIMENSIONS: &[Dimension] = &[
    Dimension {
        name: "customer",
        sources: ALL,
        meaning: "subscriber key",
    },
    Dimension {
        name: "hour",
        sources: ALL,
        meaning: "hour of the day, 0-23, in the display zone",
    },
    Dimension {
        name: "day",
        sources: ALL,
        meaning: "date, in the display zone",
    },
    Dimension {
        name: "week",
        sources: ALL,
        meaning: "the Monday a week starts on",
    },
    Dimension {
        name: "month",
        sources: ALL,
        meaning: "year and month, `2026-11`",
    },
    Dimension {
        name: "weekday",
        sources: ALL,
        meaning: "Monday to Sunday",
    },
    Dimension {
        name: "daytype",
        sources: ALL,
        meaning: "`weekday` (Monday to Friday) or `weekend`",
    },
    Dimension {
        name: "direction",
        sources: &[Calls, Sms],
        meaning: "`out` or `in`",
    },
    Dimension {
        name: "status",
        sources: &[Calls],
        meaning: "a call's status",
    },
    Dimension {
        name: "cell",
        sources: &[Calls, Data],
        meaning: "the cell a call or session used (empty when not recorded)",
    },
    Dimension {
        name: "other",
        sources: &[Calls, Sms],
        meaning: "the other party's number",
    },
    Dimension {
        name: "country",
        sources: &[Calls, Sms],
        meaning: "the other party's country (ISO 3166, or `unknown`)",
    },
    Dimension {
        name: "plan",
        sources: ALL,
        meaning: "the customer's plan now",
    },
    Dimension {
        name: "region",
        sources: ALL,
        meaning: "the customer's region",
    },
    Dimension {
        name: "account",
        sources: ALL,
        meaning: "the customer's account status now",
    },
];

/// The numeric fields `source` has, for the functions.
pub fn numeric(source: Source) -> impl Iterator<Item = &'static NumericField> {
    NUMERIC.iter().filter(move |n| n.source == source)
}
