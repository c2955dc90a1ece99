//! Idle customers as an answer: each with plan, region and account, the last record before the
//! range in the zone (or `never`), and the whole days since, the longest idle first.

use super::{Column, Kind, ResultSet};
use crate::model::from_sql_time;
use crate::plan::Plan;
use crate::store::{Rows, Value};
use chrono::{DateTime, Utc};

/// The rows of `sql::idle`: key, plan, region, account, then a latest time per record table.
pub fn idle(plan: &Plan, rows: &Rows) -> ResultSet {
    let Some(idle) = &plan.idle else {
        return ResultSet::default();
    };
    let mut found: Vec<(Option<DateTime<Utc>>, Vec<Value>)> = rows
        .rows
        .iter()
        .map(|r| {
            let last = r[4..]
                .iter()
                .filter_map(|v| v.as_str().and_then(from_sql_time))
                .max();
            (last, r[..4].to_vec())
        })
        .collect();
    // Never active first, then the longest idle; ties by key.
    found.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| a.1[0].to_string().cmp(&b.1[0].to_string()))
    });
    if let Some(n) = idle.take {
        found.truncate(usize::try_from(n).unwrap_or(usize::MAX));
    }
    let rows = found
        .into_iter()
        .map(|(last, mut row)| {
            let (seen, days) = match last {
                Some(t) => (
                    Value::from(idle.zone.show(t)),
                    Value::Int((idle.until - t).num_days()),
                ),
                None => (Value::from("never"), Value::Null),
            };
            row.extend([seen, days]);
            row
        })
        .collect();
    ResultSet {
        title: Some(plan.title.clone()),
        columns: vec![
            Column::new("customer", Kind::Text),
            Column::new("plan", Kind::Text),
            Column::new("region", Kind::Text),
            Column::new("account", Kind::Text),
            Column::new("last_seen", Kind::Text),
            Column::new("days_idle", Kind::Count),
        ],
        rows,
        vertical: false,
    }
}
