//! From the database's rows to the answer: measures computed from their atoms, revenue priced
//! per plan, groups sorted and cut, and the peak and trend decorations.

use super::{Column as OutColumn, Kind, ResultSet};
use crate::metric::MetricError;
use crate::parse::ast::Order;
use crate::plan::{Atom, Compute, Key, MeasureDef, MetricUse, Plan, Style};
use crate::sql::Column;
use crate::store::{Rows, Value};
use std::collections::{BTreeMap, HashMap};

/// Prices of a plan: per minute, per SMS, per MB.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Prices {
    /// Price of a minute of outgoing calls.
    pub minute: f64,
    /// Price of an outgoing SMS.
    pub sms: f64,
    /// Price of a megabyte (10^6 bytes) of data, up and down together.
    pub mb: f64,
}

/// One group: its shown key values, its atoms, its revenue so far.
#[derive(Debug, Clone, Default)]
struct Group {
    keys: Vec<Value>,
    atoms: BTreeMap<Atom, i64>,
    /// Atoms that may be fractions (percentiles); absent when the group has no value.
    fractions: BTreeMap<Atom, f64>,
    revenue: f64,
    /// Metrics the database computed, by their index in `Aggregate::pushed`.
    metrics: HashMap<usize, Value>,
    /// The atoms of each clock hour, by the hour's label, when a measure needs the busiest.
    hours: HashMap<String, BTreeMap<Atom, i64>>,
    /// The seconds of time the group covers, when a measure is divided by it.
    seconds: Option<f64>,
    /// Monthly fees of the group, unrounded.
    fees: f64,
    /// Customers with an account open in the group, for ARPU.
    accounts: usize,
}

/// Reads the rows of the main aggregate into groups keyed by the shown keys.
fn groups(
    plan: &Plan,
    columns: &[Column],
    rows: &Rows,
    prices: &HashMap<i64, Prices>,
) -> Vec<Group> {
    let shown = plan.main.shown_keys;
    let mut merged: Vec<Group> = Vec::new();
    let mut index: HashMap<Vec<String>, usize> = HashMap::new();
    for row in &rows.rows {
        let mut keys = Vec::new();
        let mut atoms = BTreeMap::new();
        let mut fractions = BTreeMap::new();
        let mut metrics = HashMap::new();
        let mut price = Prices::default();
        for (i, (column, value)) in columns.iter().zip(row).enumerate() {
            match column {
                Column::Key(_) if i < shown => keys.push(value.clone()),
                Column::Key(_) => {}
                Column::PricePlan => {
                    price = value
                        .as_i64()
                        .and_then(|id| prices.get(&id))
                        .copied()
                        .unwrap_or_default()
                }
                // To a millionth: MariaDB's own PERCENTILE_CONT and the portable SQL agree to
                // far more than that, not always to the last bit of a double.
                Column::Atom(a) if a.is_fractional() => {
                    if let Some(x) = value.as_f64() {
                        fractions.insert(*a, (x * 1e6).round() / 1e6);
                    }
                }
                Column::Atom(a) => {
                    atoms.insert(*a, value.as_i64().unwrap_or(0));
                }
                Column::Metric(j) => {
                    metrics.insert(*j, value.clone());
                }
                // A histogram's rows are read by `rows::histogram`.
                Column::Bucket => {}
            }
        }
        let revenue = revenue_of(plan, &atoms, price);
        let id: Vec<String> = keys.iter().map(Value::to_string).collect();
        match index.get(&id) {
            Some(&g) => {
                let group = &mut merged[g];
                for (a, v) in atoms {
                    *group.atoms.entry(a).or_default() += v;
                }
                group.revenue += revenue;
                // Pushed metrics come only with final groups, which are never merged.
                group.metrics.clear();
            }
            None => {
                index.insert(id, merged.len());
                merged.push(Group {
                    keys,
                    atoms,
                    fractions,
                    revenue,
                    metrics,
                    hours: HashMap::new(),
                    seconds: None,
                    fees: 0.0,
                    accounts: 0,
                });
            }
        }
    }
    merged
}

/// Adds each group's fees and open accounts; a group with fees and no usage (a customer who
/// used nothing) is an answer's group too.
fn add_fees(groups: &mut Vec<Group>, plan: &Plan, rows: &Rows) {
    let Some(spec) = &plan.fees else {
        return;
    };
    let mut by_group = super::fees::by_group(spec, rows);
    for g in groups.iter_mut() {
        let id: Vec<String> = g.keys.iter().map(Value::to_string).collect();
        if let Some(f) = by_group.remove(&id) {
            g.fees = f.fees;
            g.accounts = f.accounts.len();
        }
    }
    for (_, f) in by_group {
        groups.push(Group {
            keys: f.keys,
            fees: f.fees,
            accounts: f.accounts.len(),
            ..Group::default()
        });
    }
}

/// Each group's covered seconds, when a measure is divided by them (`erlangs`).
fn add_seconds(groups: &mut [Group], plan: &Plan) {
    let Some(clock) = &plan.clock else {
        return;
    };
    let covered = super::exposure::seconds_by_time_keys(clock);
    for g in groups {
        g.seconds = super::exposure::of_group(clock, &covered, &g.keys);
    }
}

/// Adds the rows of the busiest-hour aggregate to their groups, hour by hour.
fn add_hours(groups: &mut [Group], shown: usize, columns: &[Column], rows: &Rows) {
    let index: HashMap<Vec<String>, usize> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.keys.iter().map(Value::to_string).collect(), i))
        .collect();
    let Some(hour_at) = columns.iter().position(|c| *c == Column::Key(Key::Hourly)) else {
        return;
    };
    for row in &rows.rows {
        let id: Vec<String> = row.iter().take(shown).map(Value::to_string).collect();
        let (Some(&g), Some(hour)) = (index.get(&id), row.get(hour_at)) else {
            continue;
        };
        let sums = groups[g].hours.entry(hour.to_string()).or_default();
        for (column, value) in columns.iter().zip(row) {
            if let Column::Atom(a) = column {
                *sums.entry(*a).or_default() += value.as_i64().unwrap_or(0);
            }
        }
    }
}

fn revenue_of(plan: &Plan, atoms: &BTreeMap<Atom, i64>, price: Prices) -> f64 {
    let Some((minutes, sms, data)) = revenue_parts(&plan.measures) else {
        return 0.0;
    };
    let get = |a: Atom| atoms.get(&a).copied().unwrap_or(0) as f64;
    let mut r = 0.0;
    if minutes {
        r += get(Atom::SecondsOut) / 60.0 * price.minute;
    }
    if sms {
        r += get(Atom::SmsOut) * price.sms;
    }
    if data {
        r += (get(Atom::BytesUp) + get(Atom::BytesDown)) / 1e6 * price.mb;
    }
    r
}

/// What the plan's revenue (its own, or a metric's input) is made of.
fn revenue_parts(measures: &[MeasureDef]) -> Option<(bool, bool, bool)> {
    measures.iter().find_map(|m| match &m.compute {
        Compute::Revenue {
            minutes, sms, data, ..
        } => Some((*minutes, *sms, *data)),
        Compute::Arpu => Some((true, true, true)),
        Compute::Metric(u) => revenue_parts(&u.inputs),
        Compute::Share(inner) => revenue_parts(std::slice::from_ref(inner)),
        _ => None,
    })
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Key values as shown, once sorted: weekdays by name, everything else as the database gave it.
fn labels(keys: &[Key], values: Vec<Value>) -> Vec<Value> {
    keys.iter()
        .zip(values)
        .map(|(key, value)| match (key, value.as_i64()) {
            (Key::Weekday, Some(n)) if (1..=7).contains(&n) => {
                Value::from(WEEKDAYS[(n - 1) as usize])
            }
            (Key::Hour, Some(n)) => Value::Int(n),
            _ => value,
        })
        .collect()
}

/// The value of a measure for a group, as shown: counts as integers, the rest as decimals.
fn measure_value(
    m: &MeasureDef,
    g: &Group,
    pushed: &[MeasureDef],
    memo: &mut Memo,
) -> Result<Value, MetricError> {
    let Some(value) = number(m, g, pushed, memo)? else {
        return Ok(Value::Null);
    };
    Ok(match &m.compute {
        Compute::Revenue { .. } | Compute::Fees | Compute::Arpu => Value::Float(round_cents(value)),
        _ if m.kind == Kind::Count && m.scale == 1.0 => Value::Int(value as i64),
        _ => Value::Float(value),
    })
}

/// Metric values of the group at hand, by name: a metric read by several others is evaluated
/// once per group.
type Memo = HashMap<String, Option<f64>>;

/// The value of a measure for a group, scaled, unrounded; None for no value (an average of
/// nothing, a metric's division by zero).
fn number(
    m: &MeasureDef,
    g: &Group,
    pushed: &[MeasureDef],
    memo: &mut Memo,
) -> Result<Option<f64>, MetricError> {
    let sum = |list: &[Atom]| {
        list.iter()
            .map(|a| g.atoms.get(a).copied().unwrap_or(0))
            .sum::<i64>()
    };
    let value = match &m.compute {
        Compute::Sum(list) => sum(list) as f64,
        Compute::Single(a) if a.is_fractional() => match g.fractions.get(a) {
            Some(x) => *x,
            None => return Ok(None),
        },
        Compute::Single(a) => g.atoms.get(a).copied().unwrap_or(0) as f64,
        Compute::Ratio(num, den) => {
            let d = sum(den);
            if d == 0 {
                return Ok(None);
            }
            sum(num) as f64 / d as f64
        }
        Compute::Busiest(list) => g
            .hours
            .values()
            .map(|h| {
                list.iter()
                    .map(|a| h.get(a).copied().unwrap_or(0))
                    .sum::<i64>()
            })
            .max()
            .unwrap_or(0) as f64,
        Compute::Intensity(list) => match g.seconds {
            Some(s) => sum(list) as f64 / s,
            None => return Ok(None),
        },
        Compute::Revenue { fees: true, .. } => return Ok(Some(g.revenue + g.fees)),
        Compute::Revenue { .. } => return Ok(Some(g.revenue)),
        Compute::Fees => return Ok(Some(g.fees)),
        Compute::Arpu if g.accounts == 0 => return Ok(None),
        Compute::Arpu => return Ok(Some((g.revenue + g.fees) / g.accounts as f64)),
        // The group's own value; `shares` turns it into a per cent once every group is known.
        Compute::Share(inner) => return number(inner, g, pushed, memo),
        Compute::Metric(u) => {
            if let Some(known) = memo.get(&m.label) {
                return Ok(*known);
            }
            let value = metric(u, g, pushed, &m.label, memo)?;
            memo.insert(m.label.clone(), value);
            return Ok(value);
        }
    };
    Ok(Some(value / m.scale))
}

/// A metric's value: the database's when it computed it, else Rhai's from the inputs.
fn metric(
    u: &MetricUse,
    g: &Group,
    pushed: &[MeasureDef],
    label: &str,
    memo: &mut Memo,
) -> Result<Option<f64>, MetricError> {
    if let Some(value) = pushed
        .iter()
        .position(|p| p.label == label)
        .and_then(|j| g.metrics.get(&j))
    {
        return Ok(value.as_f64());
    }
    let mut values = Vec::with_capacity(u.inputs.len());
    for (name, input) in u.metric.inputs.iter().zip(&u.inputs) {
        let value = number(input, g, pushed, memo)?.unwrap_or(f64::NAN);
        values.push((name.clone(), value));
    }
    u.metric.eval(&values)
}

/// Money is shown to the cent; rounding here makes both backends print the same figure.
fn round_cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The databases' order: nothing before any value, numbers by value, text byte by byte.
pub(super) fn compare(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a.is_null(), b.is_null()) {
        (true, true) => return std::cmp::Ordering::Equal,
        (true, false) => return std::cmp::Ordering::Less,
        (false, true) => return std::cmp::Ordering::Greater,
        _ => {}
    }
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) if !matches!((a, b), (Value::Text(_), _) | (_, Value::Text(_))) => {
            x.total_cmp(&y)
        }
        _ => a.to_string().cmp(&b.to_string()),
    }
}

/// How long the metrics of one answer may take in all.
const METRICS_BUDGET: std::time::Duration = std::time::Duration::from_secs(10);

/// Builds the answer from the main aggregate's rows (and the active customers, for a summary).
pub fn result(
    plan: &Plan,
    columns: &[Column],
    rows: &Rows,
    prices: &HashMap<i64, Prices>,
    active: Option<i64>,
    hourly: Option<(&[Column], &Rows)>,
    fee_rows: Option<&Rows>,
) -> Result<ResultSet, MetricError> {
    let mut groups = groups(plan, columns, rows, prices);
    if let Some((columns, rows)) = hourly {
        add_hours(&mut groups, plan.main.shown_keys, columns, rows);
    }
    if let Some(rows) = fee_rows {
        add_fees(&mut groups, plan, rows);
    }
    add_seconds(&mut groups, plan);
    let pushed = &plan.main.pushed;
    let mut table: Vec<(Vec<Value>, Vec<Value>)> = Vec::with_capacity(groups.len());
    let started = std::time::Instant::now();
    for (i, g) in groups.iter().enumerate() {
        let mut memo = Memo::new();
        let values = plan
            .measures
            .iter()
            .map(|m| measure_value(m, g, pushed, &mut memo))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|mut e| {
                let keys: Vec<String> = g.keys.iter().map(Value::to_string).collect();
                if !keys.is_empty() {
                    e.message = format!("{} (in the group {})", e.message, keys.join(", "));
                }
                e
            })?;
        table.push((g.keys.clone(), values));
        // Each evaluation has its own limit; many slow ones together have this one.
        if !memo.is_empty() && started.elapsed() > METRICS_BUDGET {
            return Err(MetricError {
                metric: memo.keys().next().cloned().unwrap_or_default(),
                file: None,
                place: None,
                message: format!(
                    "evaluating metrics took more than {} s after {} of {} groups; stopped",
                    METRICS_BUDGET.as_secs(),
                    i + 1,
                    groups.len()
                ),
            });
        }
    }
    shares(plan, &mut table);
    if let Some(having) = &plan.having {
        table.retain(|(_, values)| having.holds(values));
    }
    match plan.sort {
        Some((i, order)) => table.sort_by(|a, b| {
            let by = compare(&a.1[i], &b.1[i]);
            let by = if order == Order::Desc {
                by.reverse()
            } else {
                by
            };
            by.then_with(|| keys_order(&a.0, &b.0))
        }),
        None if plan.main.order.is_none() => table.sort_by(|a, b| keys_order(&a.0, &b.0)),
        None => {}
    }
    // A trend's buckets are all drawn, then sorted and cut (`decorate::trend`).
    if let Some(n) = plan.take.filter(|_| plan.style != Style::Trend) {
        table.truncate(usize::try_from(n).unwrap_or(usize::MAX));
    }
    let keys: Vec<Key> = plan.main.keys[..plan.main.shown_keys].to_vec();
    let mut columns: Vec<OutColumn> = keys
        .iter()
        .map(|k| OutColumn::new(k.name(), k.kind()))
        .collect();
    columns.extend(
        plan.measures
            .iter()
            .map(|m| OutColumn::new(m.label.clone(), m.kind)),
    );
    let mut rs = ResultSet {
        title: Some(plan.title.clone()),
        columns,
        rows: table
            .into_iter()
            .map(|(k, m)| labels(&keys, k).into_iter().chain(m).collect())
            .collect(),
        vertical: plan.style == Style::Summary,
    };
    match plan.style {
        Style::Plain => super::decorate::partial_buckets(&mut rs, plan),
        Style::Summary => summary(&mut rs, active),
        Style::Peak => super::decorate::peak(&mut rs),
        Style::Capacity { grade } => super::decorate::capacity(&mut rs, grade),
        Style::Trend => super::decorate::trend(&mut rs, plan),
        Style::Histogram | Style::Idle | Style::Insight => {}
    }
    Ok(rs)
}

/// Each `share(M)` column, holding each group's M, as a per cent of M over every group.
fn shares(plan: &Plan, table: &mut [(Vec<Value>, Vec<Value>)]) {
    for (i, m) in plan.measures.iter().enumerate() {
        if !m.compute.needs_all_groups() {
            continue;
        }
        let total: f64 = table.iter().filter_map(|(_, v)| v[i].as_f64()).sum();
        for (_, values) in table.iter_mut() {
            values[i] = match values[i].as_f64() {
                Some(x) if total != 0.0 => Value::Float(x / total * 100.0),
                _ => Value::Null,
            };
        }
    }
}

pub(super) fn keys_order(a: &[Value], b: &[Value]) -> std::cmp::Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| compare(x, y))
        .find(|o| o.is_ne())
        .unwrap_or(std::cmp::Ordering::Equal)
}

/// A summary always has its one row, zeros when nothing happened, and the active customers first.
fn summary(rs: &mut ResultSet, active: Option<i64>) {
    if rs.rows.is_empty() {
        rs.rows.push(
            rs.columns
                .iter()
                .map(|c| {
                    if c.kind == Kind::Count {
                        Value::Int(0)
                    } else {
                        Value::Float(0.0)
                    }
                })
                .collect(),
        );
    }
    if let Some(n) = active {
        rs.columns
            .insert(0, OutColumn::new("active_customers", Kind::Count));
        rs.rows[0].insert(0, Value::Int(n));
    }
}
