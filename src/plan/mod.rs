//! Plan: a parsed query resolved against the language's names, the clock and the zone, with the
//! tables that answer it chosen. Hands the SQL stage one `Aggregate` (two for the summary).

mod buckets;
pub mod capacity;
pub mod coverage;
pub mod fees;
pub mod filter;
mod finish;
pub mod having;
pub mod histogram;
pub mod idle;
pub mod insight;
pub mod measure;
pub mod metric;
mod shape;
pub mod tables;
pub mod time;

pub use crate::vocab::Kind;
pub use coverage::{Clock, Coverage};
pub use fees::FeeSpec;
pub use filter::{Filter, FilterField};
pub use having::Having;
pub use histogram::Histogram;
pub use idle::Idle;
pub use insight::{Insight, InsightKind};
pub use measure::{Atom, Compute, Field, MeasureDef};
pub use metric::MetricUse;
pub use shape::{describe_range, plan, plan_over};
pub use tables::Part;
pub use time::UtcRange;

use crate::model::Zone;
use crate::parse::ast::{Order, Source};
use chrono::{DateTime, Utc};

/// The first and last hour holding data.
pub type Extent = Option<(DateTime<Utc>, DateTime<Utc>)>;

/// What a plan is made against.
#[derive(Debug, Clone)]
pub struct Context {
    /// The zone that days, weeks and hours of the day are counted in.
    pub zone: Zone,
    /// The clock: what `today`, `this month` and `last 7 days` mean.
    pub now: DateTime<Utc>,
    /// The first and last hour holding data, to bound an open range when the zone's offsets
    /// must be known (grouping by local time).
    pub extent: Extent,
    /// The metrics measures may name.
    pub metrics: std::sync::Arc<crate::metric::Metrics>,
}

/// A group key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    /// The customer's subscriber key.
    Customer,
    /// The customer's plan.
    Plan,
    /// The customer's region.
    Region,
    /// Hour of the day, 0-23.
    Hour,
    /// A calendar day in the zone, `2026-11-25`.
    Day,
    /// The Monday a week starts on.
    Week,
    /// A calendar month in the zone, `2026-11`.
    Month,
    /// 1 (Monday) to 7 (Sunday), shown as a name.
    Weekday,
    /// `weekday` (Monday to Friday) or `weekend`.
    Daytype,
    /// An hour of a day, `2026-11-25 10:00` (trends per hour).
    Hourly,
    /// A call's or SMS's direction, `out` or `in`.
    Direction,
    /// A call's status (`answered`, `busy`, ...).
    Status,
    /// The cell a call or data session used.
    Cell,
    /// The other party of a call or SMS.
    Other,
    /// The customer's account status now.
    Account,
    /// The other party's country.
    Country,
}

impl Key {
    /// The key a `per` word names; `None` for a word that is no key. `hour` is the hour of the
    /// day, never [`Key::Hourly`].
    pub fn parse(name: &str) -> Option<Key> {
        Some(match name {
            "customer" => Key::Customer,
            "plan" => Key::Plan,
            "region" => Key::Region,
            "hour" => Key::Hour,
            "day" => Key::Day,
            "week" => Key::Week,
            "month" => Key::Month,
            "weekday" => Key::Weekday,
            "daytype" => Key::Daytype,
            "direction" => Key::Direction,
            "status" => Key::Status,
            "cell" => Key::Cell,
            "other" => Key::Other,
            "account" => Key::Account,
            "country" => Key::Country,
            _ => return None,
        })
    }

    /// The key's column name.
    pub fn name(self) -> &'static str {
        match self {
            Key::Customer => "customer",
            Key::Plan => "plan",
            Key::Region => "region",
            Key::Hour => "hour",
            Key::Day => "day",
            Key::Week => "week",
            Key::Month => "month",
            Key::Weekday => "weekday",
            Key::Daytype => "daytype",
            Key::Hourly => "hour",
            Key::Direction => "direction",
            Key::Status => "status",
            Key::Cell => "cell",
            Key::Other => "other",
            Key::Account => "account",
            Key::Country => "country",
        }
    }

    /// Whether the key is a piece of the record's time (hour, day, week, ...), in the zone.
    pub fn is_time(self) -> bool {
        matches!(
            self,
            Key::Hour
                | Key::Day
                | Key::Week
                | Key::Month
                | Key::Weekday
                | Key::Daytype
                | Key::Hourly
        )
    }

    /// Known to the raw rows only.
    pub fn raw_only(self) -> bool {
        matches!(
            self,
            Key::Direction | Key::Status | Key::Cell | Key::Other | Key::Country
        )
    }

    /// Whether the key is a property of the customer (customer, plan, region): the hourly
    /// network rollup cannot answer it.
    pub fn per_customer(self) -> bool {
        matches!(self, Key::Customer | Key::Plan | Key::Region | Key::Account)
    }

    /// How its values are shown.
    pub fn kind(self) -> Kind {
        match self {
            Key::Hour => Kind::Count,
            _ => Kind::Text,
        }
    }
}

/// Where the rows come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    /// `network_hourly`: network totals per UTC hour.
    NetworkHourly,
    /// `customer_daily`: totals per customer per UTC day.
    CustomerDaily,
    /// `customer_spans`: per-customer totals over exactly the part's days, the span with this
    /// id (the query layer puts it in place of `CustomerDaily` once the span is current).
    CustomerSpan(i64),
    /// The raw tables of records (`calls`, `sms`, `data_sessions`).
    Raw,
}

impl Table {
    /// How `explain` names the table, for records of `source`.
    pub fn describe(self, source: Source) -> String {
        match (self, source) {
            (Table::NetworkHourly, _) => "network_hourly rollup".into(),
            (Table::CustomerDaily, _) => "customer_daily rollup".into(),
            (Table::CustomerSpan(id), _) => {
                format!("customer_spans (span {id}: per-customer totals of these days)")
            }
            (Table::Raw, Source::Calls) => "raw calls".into(),
            (Table::Raw, Source::Sms) => "raw sms".into(),
            (Table::Raw, Source::Data) => "raw data_sessions".into(),
            (Table::Raw, Source::Usage) => "raw calls, sms and data_sessions".into(),
        }
    }
}

/// One SQL aggregate: atoms per group of keys, over a range, from one or more table parts.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    /// Which records: calls, SMS, data sessions, or all of them.
    pub source: Source,
    /// The `where` condition, checked.
    pub filter: Option<Filter>,
    /// The time range in UTC; an open end is closed at the data's first or last hour.
    pub range: UtcRange,
    /// Group keys: the shown ones first, then hidden ones (a plan, for revenue).
    pub keys: Vec<Key>,
    /// How many of `keys`, from the front, are shown; the others only split the groups.
    pub shown_keys: usize,
    /// The additive quantities each group needs, sorted, without repeats.
    pub atoms: Vec<Atom>,
    /// Revenue is asked for: each row needs its plan's prices.
    pub priced: bool,
    /// The tables that answer the range, each for its part, in time order.
    pub parts: Vec<Part>,
    /// The zone's offsets over the range, for local-time keys.
    pub offsets: Vec<(DateTime<Utc>, i64)>,
    /// Sorting and row count done by the database, when its rows are the final groups.
    pub order: Option<(MeasureDef, Order)>,
    /// At most this many rows, cut by the database, when its rows are the final groups.
    pub limit: Option<u64>,
    /// Metrics the SQL computes as columns (its rows are the final groups).
    pub pushed: Vec<MeasureDef>,
}

/// How the result is drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum Style {
    /// A table of rows.
    Plain,
    /// One row, shown name by name.
    Summary,
    /// Hours 0-23 all present, with a bar and the peak marked.
    Peak,
    /// Buckets in order, each with its change against the one before; the first row read is
    /// only there to compare with and is dropped.
    Trend,
    /// Records counted into the buckets of a field, with a bar each.
    Histogram,
    /// Customers without records in the range, the longest idle first.
    Idle,
    /// Rows judged by an insight against their baseline.
    Insight,
    /// The 24 hours with their average traffic and the circuits it needs at this grade of
    /// service (a blocking probability); the busy hour marked.
    Capacity {
        /// The blocking probability dimensioned for: 0.01 is 1%.
        grade: f64,
    },
}

/// A planned query.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The heading shown above the answer (`calls this month`).
    pub title: String,
    /// The aggregate that gives the answer's rows.
    pub main: Aggregate,
    /// The network summary's distinct active customers, answered from their own best table.
    pub active: Option<Aggregate>,
    /// For a busiest-hour measure (`bhca`): the groups split by clock hour too.
    pub hourly: Option<Aggregate>,
    /// The measures shown, one column each after the keys, in order. A sort measure not asked
    /// for is added at the end.
    pub measures: Vec<MeasureDef>,
    /// Sort by the measure at this index, when the database did not.
    pub sort: Option<(usize, Order)>,
    /// Rows kept after sorting (top N or limit N), when the database did not cut them.
    pub take: Option<u64>,
    /// `having`: the groups kept, checked on their measures before sorting and cutting.
    pub having: Option<Having>,
    /// How the result is drawn.
    pub style: Style,
    /// Every bucket of a trend, in order, so empty ones show as zero.
    pub buckets: Option<Vec<crate::store::Value>>,
    /// The first bucket is only there to compare the second with.
    pub drop_first: bool,
    /// What the range and the data cover, when a shown key is a bucket of time: buckets
    /// covered in part are marked, and a trend does not compare them.
    pub coverage: Option<Coverage>,
    /// The time each group covers, when a measure is divided by it (`erlangs`).
    pub clock: Option<Clock>,
    /// The monthly fees to add, when a measure has them (`revenue` on `usage`, `fees`, `arpu`).
    pub fees: Option<FeeSpec>,
    /// The buckets of a histogram: the rows are then counted per bucket of one field.
    pub histogram: Option<Histogram>,
    /// Idle customers: the customers table against the records, instead of the aggregate.
    pub idle: Option<Idle>,
    /// An insight (anomalies, declining customers, suspects), instead of the aggregate.
    pub insight: Option<Insight>,
    /// A trend's order: by this column of the drawn answer (a measure or `change`), once
    /// every bucket and change is in place; `take` then cuts after it.
    pub after: Option<(String, Order)>,
}

#[cfg(test)]
mod tests {
    use super::Key;

    #[test]
    fn every_dimension_of_the_vocabulary_is_a_key_and_back() {
        for d in crate::vocab::DIMENSIONS {
            let key = Key::parse(d.name).unwrap_or_else(|| panic!("{}", d.name));
            assert_eq!(key.name(), d.name);
        }
        for word in ["hourly", "minute", "cells", ""] {
            assert!(Key::parse(word).is_none(), "{word}");
        }
    }
}
