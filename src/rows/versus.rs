//! `vs previous`: an answer beside the same answer over the period before it, group by group,
//! each measure followed by its previous value and its change.

use super::build::{compare, keys_order};
use super::decorate::zero;
use super::{Column, Kind, ResultSet};
use crate::parse::ast::Order;
use crate::store::Value;
use std::collections::{HashMap, HashSet};

/// How the two answers are laid side by side.
pub struct Sides {
    /// How many leading columns are group keys.
    pub keys: usize,
    /// For each measure, whether a group missing from a period had zero of it (a count, a
    /// sum, revenue) rather than no value (an average, a percentile, a metric).
    pub zero_when_absent: Vec<bool>,
    /// Whether the data covers the previous period: changes are computed only then.
    pub comparable: bool,
}

/// A group's key values, and its row in each period when it has one.
type Pair<'a> = (Vec<Value>, Option<&'a Vec<Value>>, Option<&'a Vec<Value>>);

/// A two-block sparkline per row of the first measure, previous then now (`▄█`: up).
fn then_and_now(rs: &mut ResultSet, keys: usize) {
    for row in &mut rs.rows {
        let now = row.get(keys).and_then(Value::as_f64);
        let then = row.get(keys + 1).and_then(Value::as_f64);
        row.push(Value::from(super::decorate::sparkline(&[then, now])));
    }
    rs.columns.push(Column::new("", Kind::Decoration));
}

/// The groups of either answer, each measure `M` followed by `M_prev` and `M_change` (the
/// change as a fraction of the previous value; empty when that is zero or unknown).
pub fn versus(current: ResultSet, previous: ResultSet, sides: &Sides) -> ResultSet {
    let k = sides.keys;
    let measures = sides.zero_when_absent.len();
    let id = |row: &[Value]| -> Vec<String> { row[..k].iter().map(Value::to_string).collect() };
    let before: HashMap<Vec<String>, &Vec<Value>> =
        previous.rows.iter().map(|r| (id(r), r)).collect();
    let mut groups: Vec<Pair> = current
        .rows
        .iter()
        .map(|r| (r[..k].to_vec(), Some(r), before.get(&id(r)).copied()))
        .collect();
    let now: HashSet<Vec<String>> = current.rows.iter().map(|r| id(r)).collect();
    groups.extend(
        previous
            .rows
            .iter()
            .filter(|r| !now.contains(&id(r)))
            .map(|r| (r[..k].to_vec(), None, Some(r))),
    );
    let value = |row: Option<&Vec<Value>>, i: usize| match row {
        Some(r) => r[k + i].clone(),
        None if sides.zero_when_absent[i] => zero(current.columns[k + i].kind),
        None => Value::Null,
    };
    let rows = groups
        .into_iter()
        .map(|(keys, now, then)| {
            let mut row = keys;
            for i in 0..measures {
                let (a, b) = (value(now, i), value(then, i));
                let change = match (a.as_f64(), b.as_f64()) {
                    (Some(x), Some(p)) if p != 0.0 && sides.comparable => Value::Float((x - p) / p),
                    _ => Value::Null,
                };
                row.extend([a, b, change]);
            }
            row
        })
        .collect();
    let mut columns = current.columns[..k].to_vec();
    for c in &current.columns[k..k + measures] {
        columns.push(c.clone());
        columns.push(Column::new(format!("{}_prev", c.name), c.kind));
        columns.push(Column::new(format!("{}_change", c.name), Kind::Change));
    }
    let mut rs = ResultSet {
        title: current.title,
        columns,
        rows,
        vertical: false,
    };
    if measures > 0 {
        then_and_now(&mut rs, k);
    }
    sort(&mut rs, None, k);
    rs
}

/// Orders the rows by the column at `by` (ties, and no column, by the `keys` first columns).
/// Empty values (a change from nothing) come last either way: `sort minutes_change asc` then
/// starts with the steepest fall.
pub fn sort(rs: &mut ResultSet, by: Option<(usize, Order)>, keys: usize) {
    rs.rows.sort_by(|a, b| {
        let first = by.map_or(std::cmp::Ordering::Equal, |(i, order)| {
            match (a[i].is_null(), b[i].is_null()) {
                (true, true) => std::cmp::Ordering::Equal,
                (true, false) => std::cmp::Ordering::Greater,
                (false, true) => std::cmp::Ordering::Less,
                _ => {
                    let o = compare(&a[i], &b[i]);
                    if order == Order::Desc { o.reverse() } else { o }
                }
            }
        });
        first.then_with(|| keys_order(&a[..keys], &b[..keys]))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(rows: &[(&str, i64)]) -> ResultSet {
        ResultSet {
            title: None,
            columns: vec![
                Column::new("customer", Kind::Text),
                Column::new("count", Kind::Count),
            ],
            rows: rows
                .iter()
                .map(|(k, n)| vec![Value::from(*k), Value::Int(*n)])
                .collect(),
            vertical: false,
        }
    }

    #[test]
    fn groups_of_either_period_are_listed_with_zero_where_absent() {
        let sides = Sides {
            keys: 1,
            zero_when_absent: vec![true],
            comparable: true,
        };
        let rs = versus(
            answer(&[("a", 15), ("new", 3)]),
            answer(&[("a", 10), ("gone", 4)]),
            &sides,
        );
        let names: Vec<&str> = rs.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["customer", "count", "count_prev", "count_change", ""]
        );
        // The last column, for people: a sparkline of the previous value, then this one.
        assert_eq!(
            rs.rows[0],
            [
                Value::from("a"),
                Value::Int(15),
                Value::Int(10),
                Value::Float(0.5),
                Value::from("▆█")
            ]
        );
        assert_eq!(
            rs.rows[1],
            [
                Value::from("gone"),
                Value::Int(0),
                Value::Int(4),
                Value::Float(-1.0),
                Value::from("█▁")
            ]
        );
        assert_eq!(
            rs.rows[2],
            [
                Value::from("new"),
                Value::Int(3),
                Value::Int(0),
                Value::Null,
                Value::from("▁█")
            ]
        );
    }

    #[test]
    fn nothing_is_compared_when_the_previous_period_is_not_covered() {
        let sides = Sides {
            keys: 1,
            zero_when_absent: vec![true],
            comparable: false,
        };
        let rs = versus(answer(&[("a", 15)]), answer(&[("a", 10)]), &sides);
        assert_eq!(rs.rows[0][3], Value::Null);
    }
}
