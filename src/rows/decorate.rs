//! What peak-hour and trend answers add for people: every hour or bucket present, a bar and the
//! peak marked, the change against the bucket before, buckets covered in part marked.

use super::{Column, Kind, ResultSet};
use crate::plan::Plan;
use crate::store::Value;

const BAR_WIDTH: f64 = 30.0;

/// The eight heights of a sparkline, lowest first.
const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// One block per value, as high as the value stands between the lowest and the highest (from
/// zero when none is negative); a space for no value, the lowest block when all are equal.
pub(super) fn sparkline(values: &[Option<f64>]) -> String {
    let known = values.iter().flatten().copied();
    let lo = known.clone().fold(0.0, f64::min);
    let hi = known.fold(f64::NEG_INFINITY, f64::max);
    values
        .iter()
        .map(|v| match v {
            None => ' ',
            Some(_) if hi <= lo => SPARKS[0],
            Some(x) => SPARKS[(((x - lo) / (hi - lo)) * 7.0).round().clamp(0.0, 7.0) as usize],
        })
        .collect()
}

/// All 24 hours (zeros where nothing happened), a bar for the first measure, the peak marked.
pub fn peak(rs: &mut ResultSet) {
    let mut hours = every_hour(rs);
    let value = |row: &Vec<Value>| row.get(1).and_then(Value::as_f64).unwrap_or(0.0);
    let max = hours.iter().map(value).fold(0.0, f64::max);
    let peak = hours.iter().position(|r| max > 0.0 && value(r) == max);
    for (h, row) in hours.iter_mut().enumerate() {
        row.push(bar(value(row), max));
        row.push(Value::from(if Some(h) == peak { "◀ peak" } else { "" }));
    }
    rs.columns.push(Column::new("", Kind::Decoration));
    rs.columns.push(Column::new("", Kind::Decoration));
    rs.rows = hours;
}

/// The 24 hours with their Erlangs and calls, the circuits Erlang B needs for each at `grade`,
/// a bar for the Erlangs and the busy hour marked; the title says the busy hour's figures.
pub fn capacity(rs: &mut ResultSet, grade: f64) {
    use crate::plan::capacity::{circuits, percent};
    let mut hours = every_hour(rs);
    let erlangs = |row: &Vec<Value>| row.get(1).and_then(Value::as_f64).unwrap_or(0.0);
    let max = hours.iter().map(erlangs).fold(0.0, f64::max);
    let busy = hours.iter().position(|r| max > 0.0 && erlangs(r) == max);
    for (h, row) in hours.iter_mut().enumerate() {
        let needed = circuits(erlangs(row), grade).map_or(Value::Null, |n| Value::Int(n.into()));
        row.push(needed);
        row.push(bar(erlangs(row), max));
        row.push(Value::from(if Some(h) == busy {
            "◀ busy hour"
        } else {
            ""
        }));
    }
    rs.columns.push(Column::new("circuits", Kind::Count));
    rs.columns.push(Column::new("", Kind::Decoration));
    rs.columns.push(Column::new("", Kind::Decoration));
    let said = match busy {
        Some(h) => format!(
            "busy hour {h:02}:00–{:02}:00, {:.2} E, {} calls a day in it, {} circuits at {} blocking",
            (h + 1) % 24,
            max,
            hours[h]
                .get(2)
                .and_then(Value::as_f64)
                .map_or("0".into(), |c| format!("{c:.1}")),
            hours[h].get(3).map_or_else(String::new, Value::to_string),
            percent(grade)
        ),
        None => "no calls: no busy hour".into(),
    };
    rs.title = Some(match rs.title.take() {
        Some(t) => format!("{t}\n{said}"),
        None => said,
    });
    rs.rows = hours;
}

/// A bar as long as `value` is against `max`, for people.
fn bar(value: f64, max: f64) -> Value {
    let len = if max > 0.0 {
        (value / max * BAR_WIDTH).round() as usize
    } else {
        0
    };
    Value::from("█".repeat(len))
}

/// The rows of an answer per hour of the day as all 24 hours in order, zeros where none.
fn every_hour(rs: &mut ResultSet) -> Vec<Vec<Value>> {
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
    hours
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
    // Read down the column, the first measure's shape over the buckets.
    let firsts: Vec<Option<f64>> = rows
        .iter()
        .map(|r| r.get(1).and_then(Value::as_f64))
        .collect();
    for (row, spark) in rows.iter_mut().zip(sparkline(&firsts).chars()) {
        row.push(Value::from(spark.to_string()));
    }
    rs.columns
        .insert(2.min(rs.columns.len()), Column::new("change", Kind::Change));
    rs.columns.push(Column::new("", Kind::Decoration));
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

#[cfg(test)]
mod tests {
    use super::sparkline;

    #[test]
    fn sparklines_rise_from_zero_to_the_highest_value() {
        assert_eq!(sparkline(&[Some(0.0), Some(7.0), Some(3.5), None]), "▁█▅ ");
        assert_eq!(sparkline(&[Some(50.0), Some(100.0)]), "▅█");
        assert_eq!(sparkline(&[Some(2.0), Some(2.0)]), "██");
        assert_eq!(sparkline(&[Some(0.0), Some(0.0)]), "▁▁");
        assert_eq!(sparkline(&[Some(-1.0), Some(1.0)]), "▁█");
        assert_eq!(sparkline(&[]), "");
    }
}
