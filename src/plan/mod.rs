//! Plan: a parsed query resolved against the language's names, the clock and the zone, with the
//! tables that answer it chosen. Hands the SQL stage one `Aggregate` (two for the summary).

mod buckets;
pub mod filter;
mod finish;
pub mod measure;
pub mod metric;
mod shape;
pub mod tables;
pub mod time;

pub use crate::vocab::Kind;
pub use filter::{Filter, FilterField};
pub use measure::{Atom, Compute, Field, MeasureDef};
pub use metric::MetricUse;
pub use shape::plan;
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
    pub zone: Zone,
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
    Customer,
    Plan,
    Region,
    /// Hour of the day, 0-23.
    Hour,
    Day,
    /// The Monday a week starts on.
    Week,
    Month,
    /// 1 (Monday) to 7 (Sunday), shown as a name.
    Weekday,
    /// An hour of a day, `2026-11-25 10:00` (trends per hour).
    Hourly,
    Direction,
    Status,
}

impl Key {
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
            "direction" => Key::Direction,
            "status" => Key::Status,
            _ => return None,
        })
    }

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
            Key::Hourly => "hour",
            Key::Direction => "direction",
            Key::Status => "status",
        }
    }

    pub fn is_time(self) -> bool {
        matches!(
            self,
            Key::Hour | Key::Day | Key::Week | Key::Month | Key::Weekday | Key::Hourly
        )
    }

    /// Known to the raw rows only.
    pub fn raw_only(self) -> bool {
        matches!(self, Key::Direction | Key::Status)
    }

    pub fn per_customer(self) -> bool {
        matches!(self, Key::Customer | Key::Plan | Key::Region)
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
    NetworkHourly,
    CustomerDaily,
    Raw,
}

impl Table {
    pub fn describe(self, source: Source) -> String {
        match (self, source) {
            (Table::NetworkHourly, _) => "network_hourly rollup".into(),
            (Table::CustomerDaily, _) => "customer_daily rollup".into(),
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
    pub source: Source,
    pub filter: Option<Filter>,
    pub range: UtcRange,
    /// Group keys: the shown ones first, then hidden ones (a plan, for revenue).
    pub keys: Vec<Key>,
    pub shown_keys: usize,
    pub atoms: Vec<Atom>,
    /// Revenue is asked for: each row needs its plan's prices.
    pub priced: bool,
    pub parts: Vec<Part>,
    /// The zone's offsets over the range, for local-time keys.
    pub offsets: Vec<(DateTime<Utc>, i64)>,
    /// Sorting and row count done by the database, when its rows are the final groups.
    pub order: Option<(MeasureDef, Order)>,
    pub limit: Option<u64>,
    /// Metrics the SQL computes as columns (its rows are the final groups).
    pub pushed: Vec<MeasureDef>,
}

/// How the result is drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum Style {
    Plain,
    /// One row, shown name by name.
    Summary,
    /// Hours 0-23 all present, with a bar and the peak marked.
    Peak,
    /// Buckets in order, each with its change against the one before; the first row read is
    /// only there to compare with and is dropped.
    Trend,
}

/// A planned query.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub title: String,
    pub main: Aggregate,
    /// The network summary's distinct active customers, answered from their own best table.
    pub active: Option<Aggregate>,
    pub measures: Vec<MeasureDef>,
    /// Sort by the measure at this index, when the database did not.
    pub sort: Option<(usize, Order)>,
    /// Rows kept after sorting (top N or limit N), when the database did not cut them.
    pub take: Option<u64>,
    pub style: Style,
    /// Every bucket of a trend, in order, so empty ones show as zero.
    pub buckets: Option<Vec<crate::store::Value>>,
    /// The first bucket is only there to compare the second with.
    pub drop_first: bool,
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
        for word in ["hourly", "minute", "cell", ""] {
            assert!(Key::parse(word).is_none(), "{word}");
        }
    }
}
