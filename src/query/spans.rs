//! Spans in place of `customer_daily` for per-customer answers over many whole days (`top 10
//! customers by minutes this month`): the span's one row per customer instead of one per
//! customer and day. A span covers only days before today (UTC): today's records still arrive,
//! and would make it stale at every import batch; today and later stay on `customer_daily`.
//! The span is checked current in the same snapshot as the query reads it; if a write made it
//! stale in between, that query reads `customer_daily` instead.

use crate::model::sql_time;
use crate::plan::tables::Part;
use crate::plan::time::UtcRange;
use crate::plan::{Aggregate, Table};
use crate::store::{DayRange, Store, StoreError};
use chrono::{DateTime, Utc};

/// Below this many days a span saves too little to be worth building.
const MIN_DAYS: i64 = 7;

/// Where a span could answer: the `customer_daily` part at `index`, up to `cut`.
#[derive(Debug, Clone, PartialEq)]
pub struct Spot {
    index: usize,
    cut: DateTime<Utc>,
    /// The span's days.
    pub days: DayRange,
}

/// Where `agg` could read a span on `store` today: nowhere on a store whose read snapshot does
/// not cover every table (a Spider head), since a span is trusted only when its stamp and its
/// rows are read in one snapshot.
pub fn eligible_on(store: &Store, agg: &Aggregate) -> Option<Spot> {
    if !store.dialect().snapshot_spans_all_tables() {
        return None;
    }
    eligible(agg, today())
}

/// A `customer_daily` part with at least [`MIN_DAYS`] whole days before `today`, in an
/// aggregate with no time key, no filter and no plan (a customer's plan may change inside
/// the span's days, and a span row has no day to find it by).
pub fn eligible(agg: &Aggregate, today: DateTime<Utc>) -> Option<Spot> {
    let by_plan = agg.priced || agg.keys.contains(&crate::plan::Key::Plan);
    if agg.filter.is_some() || by_plan || agg.keys.iter().any(|k| k.is_time()) {
        return None;
    }
    let index = agg
        .parts
        .iter()
        .position(|p| p.table == Table::CustomerDaily)?;
    let range = &agg.parts[index].range;
    let (start, end) = (range.start?, range.end?);
    let cut = end.min(today);
    if (cut - start).num_days() < MIN_DAYS {
        return None;
    }
    let day = |t| sql_time(t)[..10].to_string();
    Some(Spot {
        index,
        cut,
        days: DayRange {
            first: day(start),
            end: day(cut),
        },
    })
}

/// The start of the current UTC day.
pub fn today() -> DateTime<Utc> {
    let now = Utc::now().timestamp();
    DateTime::from_timestamp(now - now.rem_euclid(86_400), 0).unwrap_or_default()
}

/// The aggregate with its eligible part read from a current span (built now if need be), and
/// where; None when no span applies or this user cannot build one.
pub fn with_span(
    store: &Store,
    agg: &Aggregate,
) -> Result<Option<(Aggregate, Spot, i64)>, StoreError> {
    let Some(spot) = eligible_on(store, agg) else {
        return Ok(None);
    };
    let Some(id) = store.customer_span(&spot.days)? else {
        return Ok(None);
    };
    Ok(Some((spanned(agg, &spot, id), spot, id)))
}

/// The days of the part after the span (today on), when the part ends: a query may read the
/// span alone when `customer_daily` holds nothing in them (checked in its snapshot).
pub fn tail_days(agg: &Aggregate, spot: &Spot) -> Option<DayRange> {
    let end = agg.parts.get(spot.index)?.range.end?;
    (end > spot.cut).then(|| DayRange {
        first: spot.days.end.clone(),
        end: sql_time(end)[..10].to_string(),
    })
}

/// `agg` with the spot's days read from span `id` and nothing after them: for a snapshot in
/// which the days after the span hold no records. A span alone is one row per customer,
/// which the SQL then reads without grouping.
pub fn span_alone(agg: &Aggregate, spot: &Spot, id: i64) -> Aggregate {
    let mut out = spanned(agg, spot, id);
    if tail_days(agg, spot).is_some() {
        out.parts.remove(spot.index + 1);
    }
    out
}

/// `agg` with the spot's days read from span `id`, and the rest of that part (today on) still
/// from `customer_daily`.
pub fn spanned(agg: &Aggregate, spot: &Spot, id: i64) -> Aggregate {
    let mut out = agg.clone();
    let whole = out.parts[spot.index].range;
    let mut parts = vec![Part {
        table: Table::CustomerSpan(id),
        range: UtcRange {
            start: whole.start,
            end: Some(spot.cut),
        },
    }];
    if whole.end.is_some_and(|end| end > spot.cut) {
        parts.push(Part {
            table: Table::CustomerDaily,
            range: UtcRange {
                start: Some(spot.cut),
                end: whole.end,
            },
        });
    }
    out.parts.splice(spot.index..=spot.index, parts);
    out
}
