//! A histogram's answer: every bucket in order with its count, its share of all the records
//! and a bar.

use super::{Column, Kind, ResultSet};
use crate::plan::Plan;
use crate::store::{Rows, Value};

const BAR_WIDTH: f64 = 30.0;

/// The buckets of `plan`'s histogram with the counts of `rows` (bucket index, count). Buckets
/// tally chose stop at the last one holding a record; written ones are all shown.
pub fn histogram(plan: &Plan, rows: &Rows) -> ResultSet {
    let labels = plan
        .histogram
        .as_ref()
        .map_or_else(Vec::new, |h| h.labels.clone());
    let mut counts = vec![0i64; labels.len()];
    for row in &rows.rows {
        let bucket = row.first().and_then(Value::as_i64);
        let count = row.get(1).and_then(Value::as_i64).unwrap_or(0);
        if let Some(slot) = bucket
            .and_then(|b| usize::try_from(b).ok())
            .and_then(|b| counts.get_mut(b))
        {
            *slot += count;
        }
    }
    let automatic = plan.histogram.as_ref().is_some_and(|h| h.automatic);
    let shown = if automatic {
        counts
            .iter()
            .rposition(|c| *c > 0)
            .map_or(1, |last| last + 1)
    } else {
        counts.len()
    };
    let total: i64 = counts.iter().sum();
    let most = counts.iter().copied().max().unwrap_or(0);
    let rows = labels
        .into_iter()
        .zip(counts)
        .take(shown)
        .map(|(label, count)| {
            let share = if total > 0 {
                Value::Float(count as f64 / total as f64 * 100.0)
            } else {
                Value::Null
            };
            let bar = if most > 0 {
                (count as f64 / most as f64 * BAR_WIDTH).round() as usize
            } else {
                0
            };
            vec![
                Value::from(label),
                Value::Int(count),
                share,
                Value::from("█".repeat(bar)),
            ]
        })
        .collect();
    ResultSet {
        title: Some(plan.title.clone()),
        columns: vec![
            Column::new("bucket", Kind::Text),
            Column::new("count", Kind::Count),
            Column::new("share", Kind::Number),
            Column::new("", Kind::Decoration),
        ],
        rows,
        vertical: false,
    }
}
