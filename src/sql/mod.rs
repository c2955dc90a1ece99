//! SQL: an aggregate as one SELECT per dialect — the table parts, merged when there are several,
//! then labelled, sorted and cut. User values travel only as bind parameters.

mod conditions;
mod fees;
mod histogram;
mod idle;
mod insight;
mod parts;
mod percentile;

pub use fees::fee_periods;
pub use histogram::histogram;
pub use idle::idle;
pub use insight::{insight_queries, whole_days_until};

use parts::Frag;

use crate::parse::ast::Order;
use crate::plan::{Aggregate, Atom, Compute, Key, MeasureDef};
use crate::store::{Dialect, Value};
use parts::part_select;

/// What each result column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// A group key: the subscriber key or plan name for a shown customer or plan key, an id for
    /// a hidden one, else the key's value (`2026-11-25`, `out`).
    Key(Key),
    /// The id of the plan whose prices the row's revenue uses.
    PricePlan,
    /// An atom's sum (or count, minimum, maximum) over the group.
    Atom(Atom),
    /// The value of the metric `agg.pushed[i]`, computed by the database.
    Metric(usize),
    /// The index of a histogram's bucket.
    Bucket,
}

/// An aggregate as SQL for one dialect: the text, its bind parameters, and what each result
/// column holds.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlQuery {
    /// The `SELECT` statement, with `?` for each parameter.
    pub sql: String,
    /// The bind parameters, in order.
    pub params: Vec<Value>,
    /// What each result column holds, in `SELECT` order.
    pub columns: Vec<Column>,
}

/// The aggregate as one `SELECT` for dialect `d`: the table parts, added up per group when
/// there are several, then labelled, sorted and cut. User values are only ever bind parameters.
pub fn build(agg: &Aggregate, d: &dyn Dialect) -> SqlQuery {
    let inner = merged(agg, d);
    let mut f = Frag::default();
    let customer = agg.keys.iter().position(|k| *k == Key::Customer);
    let plan = agg.keys.iter().position(|k| *k == Key::Plan);
    let mut labels = Vec::new();
    let mut columns = Vec::new();
    for (i, k) in agg.keys.iter().enumerate() {
        let label = match k {
            Key::Customer if i < agg.shown_keys => "cl.subscriber_key".to_string(),
            Key::Plan if i < agg.shown_keys => "pl.name".to_string(),
            _ => format!("x.k{i}"),
        };
        labels.push(label);
        columns.push(Column::Key(*k));
    }
    let mut select = labels.clone();
    if agg.priced {
        select.push("pl.id".into());
        columns.push(Column::PricePlan);
    }
    for (j, a) in agg.atoms.iter().enumerate() {
        select.push(format!("x.a{j}"));
        columns.push(Column::Atom(*a));
    }
    for (j, m) in agg.pushed.iter().enumerate() {
        select.push(format!("{} AS m{j}", value_expr(m, &agg.atoms)));
        columns.push(Column::Metric(j));
    }
    f.push(&format!("SELECT {} FROM (", select.join(", ")));
    let threshold = threshold_before_join(agg, customer);
    let ranked = ranked_before_join(agg, customer).filter(|_| threshold.is_none());
    if let Some(rank) = &ranked {
        f.push(&format!("SELECT x.*, {rank} AS tally_rank FROM ("));
    }
    // The threshold reads the inner rows a second time; only then is a copy needed.
    let second_read = threshold.as_ref().map(|_| inner.clone());
    f.append(inner);
    f.push(") x");
    if ranked.is_some() {
        f.push(") x");
    }
    if let Some(c) = customer {
        f.push(&format!(" LEFT JOIN customers cl ON cl.id = x.k{c}"));
    }
    match (plan, customer) {
        (Some(p), _) if agg.priced || p < agg.shown_keys => {
            f.push(&format!(" LEFT JOIN plans pl ON pl.id = x.k{p}"))
        }
        (None, Some(_)) if agg.priced => f.push(" LEFT JOIN plans pl ON pl.id = cl.plan_id"),
        _ => {}
    }
    if let (Some(_), Some(limit)) = (&ranked, agg.limit) {
        f.push(" WHERE x.tally_rank <= ");
        f.bind(Value::Int(i64::try_from(limit).unwrap_or(i64::MAX)));
    }
    if let (Some(t), Some(inner), Some(limit)) = (&threshold, second_read, agg.limit) {
        f.append(t.condition_before_offset(inner));
        f.bind(Value::Int(i64::try_from(limit - 1).unwrap_or(i64::MAX)));
        f.push(&format!("), {})", t.expr));
    }
    let by_keys: Vec<String> = labels
        .iter()
        .take(agg.shown_keys)
        .map(|l| format!("{l} ASC"))
        .collect();
    match &agg.order {
        Some((m, order)) => {
            let dir = if *order == Order::Asc { "ASC" } else { "DESC" };
            let mut terms = vec![format!("{} {dir}", order_expr(m, &agg.atoms))];
            terms.extend(by_keys);
            f.push(&format!(" ORDER BY {}", terms.join(", ")));
        }
        None if agg.limit.is_some() && !by_keys.is_empty() => {
            f.push(&format!(" ORDER BY {}", by_keys.join(", ")))
        }
        None => {}
    }
    if let Some(limit) = agg.limit {
        f.push(" LIMIT ");
        f.bind(Value::Int(i64::try_from(limit).unwrap_or(i64::MAX)));
    }
    SqlQuery {
        sql: f.sql,
        params: f.params,
        columns,
    }
}

/// The parts, and when there are several, their rows added up per group.
fn merged(agg: &Aggregate, d: &dyn Dialect) -> Frag {
    if let [only] = agg.parts.as_slice() {
        return part_select(agg, only, d, &agg.atoms, false);
    }
    let distinct = agg.atoms.contains(&Atom::Customers);
    let by_customer = agg.keys.contains(&Key::Customer);
    // Distinct customers do not add up across parts: carry the customer id and count it at the end.
    let extra = distinct && !by_customer;
    let part_atoms: Vec<Atom> = agg
        .atoms
        .iter()
        .copied()
        .filter(|a| !(extra && *a == Atom::Customers))
        .collect();
    let n = agg.keys.len();
    let keys: Vec<String> = (0..n).map(|i| format!("u.k{i}")).collect();
    let mut select: Vec<String> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{k} AS k{i}"))
        .collect();
    for (j, a) in agg.atoms.iter().enumerate() {
        let expr = match part_atoms.iter().position(|p| p == a) {
            _ if extra && *a == Atom::Customers => format!("COUNT(DISTINCT u.k{n})"),
            Some(i) if *a == Atom::Customers => format!("MAX(u.a{i})"),
            Some(i) if matches!(a, Atom::Min(_)) => format!("MIN(u.a{i})"),
            Some(i) if matches!(a, Atom::Max(_)) => format!("MAX(u.a{i})"),
            Some(i) => format!("SUM(u.a{i})"),
            None => "0".into(),
        };
        select.push(format!("{expr} AS a{j}"));
    }
    let mut f = Frag::default();
    f.push(&format!("SELECT {} FROM (", select.join(", ")));
    for (i, part) in agg.parts.iter().enumerate() {
        if i > 0 {
            f.push(" UNION ALL ");
        }
        f.append(part_select(agg, part, d, &part_atoms, extra));
    }
    f.push(") u");
    if !keys.is_empty() {
        f.push(&format!(" GROUP BY {}", keys.join(", ")));
    }
    f
}

/// A top N of customers read from rows that are already one per customer (a span): the Nth
/// value of the sort measure, found by a second read of those rows, keeps every row that can
/// make the top N (every one tied with the Nth too), and only those are joined for the key
/// that breaks ties. Two plain reads of 110,000 span rows cost less than one window sort over
/// them (130 -> 80 ms by hand on MariaDB, BENCHMARKS.md). None where the inner rows are
/// grouped (the threshold would group them twice) or the measure may be NULL (a ratio).
fn threshold_before_join(agg: &Aggregate, customer: Option<usize>) -> Option<Threshold> {
    let (m, order) = agg.order.as_ref()?;
    let limit = agg.limit?;
    let one_row_each = matches!(agg.parts.as_slice(), [p] if parts::one_row_per_customer(agg, p));
    let shown = customer.is_some_and(|c| c < agg.shown_keys);
    let never_null = matches!(m.compute, Compute::Sum(_) | Compute::Single(_));
    if !one_row_each || !shown || !never_null || limit == 0 {
        return None;
    }
    Some(Threshold {
        expr: order_expr(m, &agg.atoms),
        order: *order,
    })
}

/// The sort measure of a top N, and its direction.
struct Threshold {
    expr: String,
    order: Order,
}

impl Threshold {
    /// ` WHERE measure >= COALESCE((SELECT the Nth measure ... OFFSET `, the offset to be bound
    /// next; with fewer than N rows there is no Nth, and every row stays (`measure >= measure`).
    fn condition_before_offset(&self, inner: Frag) -> Frag {
        let (op, dir) = match self.order {
            Order::Asc => ("<=", "ASC"),
            Order::Desc => (">=", "DESC"),
        };
        let mut f = Frag::default();
        f.push(&format!(
            " WHERE {} {op} COALESCE((SELECT {} FROM (",
            self.expr, self.expr
        ));
        f.append(inner);
        f.push(&format!(") x ORDER BY 1 {dir} LIMIT 1 OFFSET "));
        f
    }
}

/// For a top N of customers: the rank of each group by the sort measure alone, computed before
/// the join to `customers`, so that only the groups that can make the top N (every group tied
/// with the Nth included) are joined for the key that breaks ties. Otherwise every customer
/// is joined before the sort: at 110,000 customers that join was 150 ms of a 200 ms span read
/// (by hand in the mariadb client); at 10,929, `tally -e` went from 27-29 ms to 22 ms. None
/// when the sort needs a joined table (revenue) or there is no customer join to save.
fn ranked_before_join(agg: &Aggregate, customer: Option<usize>) -> Option<String> {
    let (m, order) = agg.order.as_ref()?;
    agg.limit?;
    let shown = customer.is_some_and(|c| c < agg.shown_keys);
    let priced = agg.priced || matches!(m.compute, Compute::Revenue { .. });
    if !shown || priced {
        return None;
    }
    let dir = if *order == Order::Asc { "ASC" } else { "DESC" };
    Some(format!(
        "RANK() OVER (ORDER BY {} {dir})",
        order_expr(m, &agg.atoms)
    ))
}

/// A measure as an SQL expression over the merged row, for ORDER BY. Divisions by a constant
/// are left out: they do not change the order.
fn order_expr(m: &MeasureDef, atoms: &[Atom]) -> String {
    let col = |a: &Atom| {
        format!(
            "COALESCE(x.a{}, 0)",
            atoms.iter().position(|x| x == a).unwrap_or(0)
        )
    };
    let sum = |list: &[Atom]| format!("({})", list.iter().map(col).collect::<Vec<_>>().join(" + "));
    match &m.compute {
        Compute::Sum(list) => sum(list),
        // As a double on both backends: MySQL would divide DECIMALs to four places.
        Compute::Ratio(num, den) => format!("({} * 1e0 / NULLIF({}, 0))", sum(num), sum(den)),
        Compute::Single(a) => col(a),
        Compute::Revenue {
            minutes, sms, data, ..
        } => {
            let mut terms = Vec::new();
            if *minutes {
                terms.push(format!(
                    "{} * COALESCE(pl.price_per_minute, 0) / 60",
                    col(&Atom::SecondsOut)
                ));
            }
            if *sms {
                terms.push(format!(
                    "{} * COALESCE(pl.price_per_sms, 0)",
                    col(&Atom::SmsOut)
                ));
            }
            if *data {
                terms.push(format!(
                    "({} + {}) * COALESCE(pl.price_per_mb, 0) / 1000000",
                    col(&Atom::BytesUp),
                    col(&Atom::BytesDown)
                ));
            }
            format!("({})", terms.join(" + "))
        }
        Compute::Metric(m) => match &m.pushdown {
            Some((tree, inputs)) => tree.sql(&|name| {
                inputs
                    .iter()
                    .find(|(n, _)| n == name)
                    .map_or_else(|| "NULL".to_string(), |(_, d)| value_expr(d, atoms))
            }),
            // Never asked for: the plan sorts such metrics itself.
            None => "NULL".into(),
        },
        // Never asked for: a share needs every group, a busiest hour the hours and an
        // intensity the clock, so the plan sorts them itself.
        Compute::Share(_) | Compute::Busiest(_) | Compute::Intensity(_) => "NULL".into(),
        // Fees are added by tally after the rows (rows::fees): never sorted in SQL.
        Compute::Fees | Compute::Arpu => "NULL".into(),
    }
}

/// A measure's value as the rows stage computes it, as a double: scaled, and divided as
/// floating point on both backends.
fn value_expr(m: &MeasureDef, atoms: &[Atom]) -> String {
    let expr = order_expr(m, atoms);
    match &m.compute {
        Compute::Metric(_) => expr,
        _ if m.scale != 1.0 => format!("({expr} * 1e0 / {:e})", m.scale),
        _ => format!("({expr} * 1e0)"),
    }
}
