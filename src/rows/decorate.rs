//! What peak-hour and trend answers add for people: every hour or bucket present, a bar and the
//! peak marked, the change against the bucket before, buckets covered in part marked.

use super::{Column, Kind, ResultSet};
use crate::plan::Plan;
use crate::store::Value;

const BAR_WIDTH: f64 = 30.0;

/// All 24 hours (zeros where nothing happened), a bar for the first measure, the peak marked.
pub fn peak(rs: &mut ResultSet) {
    let width = rs.columns.len();
    let mut hours: Vec<Vec<Value>> = (0..24)
        .map(|h| {
            let mut row = vec![Value::Int(h)];
            row.extend((1..width).map(|i| zero(rs.columns[i].kind)));
            row
        })
        .collect();
    for row in rs.rows.drain(..) {
        if let Some(h) = row
            .first()
            .and_then(Value::as_i64)
            .filter(|h| (0..24).contains(h))
        {
            hours[h as usize] = row;
        }
    }
    let value = |row: &Vec<Value>| row.get(1).and_then(Value::as_f64).unwrap_or(0.0);
    let max = hours.iter().map(value).fold(0.0, f64::max);
    let peak = hours.iter().position(|r| max > 0.0 && value(r) == max);
    for (h, row) in hours.iter_mut().enumerate() {
        let len = if max > 0.0 {
            (value(row) / max * BAR_WIDTH).round() as usize
        } else {
            0
        };
        row.push(Value::from("█".repeat(len)));
        row.push(Value::from(if Some(h) == peak { "◀ peak" } else { "" }));
    }
    rs.columns.push(Column::new("", Kind::Decoration));
    rs.columns.push(Column::new("", Kind::Decoration));
    rs.rows = hours;
}

/// Every bucket the plan listed, in order, with the change of the first measure against the
/// bucket before (after it, as `change`); the first bucket is dropped when it is only there to
/// compare with. Then sorted by `Plan::after` and cut to `Plan::take`.
pub fn trend(rs: &mut ResultSet, plan: &Plan) {
    let width = rs.columns.len();
    let found: std::collections::HashMap<String, Vec<Value>> = rs
        .rows
        .drain(..)
        .map(|r| (r[0].to_string(), r[1..].to_vec()))
        .collect();
    // An empty bucket holds zero of a measure; a metric of nothing is not known to be zero.
    let empty: Vec<Value> = (1..width)
        .map(|i| match plan.measures.get(i - 1).map(|m| &m.compute) {
            Some(crate::plan::Compute::Metric(_)) => Value::Null,
            _ => zero(rs.columns[i].kind),
        })
        .collect();
    let partial = |bucket: &Value| {
        plan.coverage
            .as_ref()
            .is_some_and(|c| c.partial(&bucket.to_string()))
    };
    let mut rows = Vec::new();
    // The value before, when that bucket was whole: a part of a bucket is no base to compare.
    let mut previous: Option<f64> = None;
    for bucket in plan.buckets.clone().unwrap_or_default() {
        let values = found
            .get(&bucket.to_string())
            .cloned()
            .unwrap_or_else(|| empty.clone());
        let whole = !partial(&bucket);
        let now = values.first().and_then(Value::as_f64).filter(|_| whole);
        let change = match (previous, now) {
            (Some(p), Some(n)) if p != 0.0 => Value::Float((n - p) / p),
            _ => Value::Null,
        };
        previous = now;
        let mut row = vec![bucket];
        row.extend(values);
        row.insert(2.min(row.len()), change);
        rows.push(row);
    }
    if plan.drop_first && !rows.is_empty() {
        rows.remove(0);
    }
    rs.columns
        .insert(2.min(rs.columns.len()), Column::new("change", Kind::Change));
    rs.rows = rows;
    if let Some((name, order)) = &plan.after
        && let Some(i) = rs.column_index(name)
    {
        super::versus::sort(rs, Some((i, *order)), 1);
    }
    if let Some(n) = plan.take {
        rs.rows.truncate(usize::try_from(n).unwrap_or(usize::MAX));
    }
    partial_buckets(rs, plan);
}

/// The mark of a bucket the range or the data cover only in part.
fn partial_mark(partial: bool) -> Value {
    Value::from(if partial { "◀ partial" } else { "" })
}

/// Marks the rows whose bucket (hour, day, week, month) the range or the data cover only in
/// part, in a column for people, when there is any.
pub fn partial_buckets(rs: &mut ResultSet, plan: &Plan) {
    let Some(coverage) = &plan.coverage else {
        return;
    };
    let marks: Vec<bool> = rs
        .rows
        .iter()
        .map(|r| {
            r.get(coverage.column)
                .is_some_and(|v| coverage.partial(&v.to_string()))
        })
        .collect();
    if !marks.contains(&true) {
        return;
    }
    for (row, partial) in rs.rows.iter_mut().zip(marks) {
        row.push(partial_mark(partial));
    }
    rs.columns.push(Column::new("", Kind::Decoration));
}

/// Nothing of a measure of `kind`, as shown.
pub(super) fn zero(kind: Kind) -> Value {
    match kind {
        Kind::Count => Value::Int(0),
        Kind::Text | Kind::Decoration => Value::from(""),
        _ => Value::Float(0.0),
    }
}
