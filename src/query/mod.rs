//! The pipeline: text → tokens → syntax tree → plan → SQL → rows → result set, one call.

mod distinct;
mod spans;
mod versus;

use crate::diag::Diagnostic;
use crate::metric::{MetricError, Metrics};
use crate::model::{SubscriberKey, Zone, from_sql_time, sql_time};
use crate::parse::ast::{Head, Statement};
use crate::parse::{Params, ParseError, parse_with};
use crate::plan::{self, Aggregate, Compute, Context, Plan};
use crate::rows::{Prices, ResultSet, result};
use crate::store::{Rows, Store, StoreError, Value};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// What a statement gives back.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// The answer's rows, with their columns and title.
    Table(ResultSet),
    /// `explain`: how the query would be answered.
    Explain(String),
}

/// Why a statement could not be answered.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QueryError {
    /// The text is not a statement of the language (or ends too soon).
    #[error("{}", .0.diagnostic)]
    Syntax(ParseError),
    /// The statement cannot be answered as written: an unknown measure, field or customer, a
    /// clause its head does not take, an empty range, more values than the database takes.
    #[error("{0}")]
    Plan(Diagnostic),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A metric failed while it was evaluated.
    #[error(transparent)]
    Metric(#[from] MetricError),
}

impl QueryError {
    /// The message for people: the line and a caret for errors in the query's text.
    pub fn render(&self, text: &str) -> String {
        match self {
            QueryError::Syntax(e) => e.diagnostic.render(text),
            QueryError::Plan(d) => d.render(text),
            QueryError::Store(e) => format!("{e}\n"),
            QueryError::Metric(e) => format!("{e}\n"),
        }
    }

    /// The input ended too soon: the shell reads another line.
    pub fn is_incomplete(&self) -> bool {
        matches!(self, QueryError::Syntax(e) if e.incomplete)
    }
}

/// Runs one statement of the query language, with no metrics.
pub fn run(
    store: &Store,
    text: &str,
    zone: &Zone,
    now: DateTime<Utc>,
) -> Result<Answer, QueryError> {
    static NONE: OnceLock<Arc<Metrics>> = OnceLock::new();
    let none = NONE.get_or_init(|| Arc::new(Metrics::new(None)));
    run_with(store, text, zone, now, none)
}

/// Runs one statement of the query language; its measures may name `metrics`.
pub fn run_with(
    store: &Store,
    text: &str,
    zone: &Zone,
    now: DateTime<Utc>,
    metrics: &Arc<Metrics>,
) -> Result<Answer, QueryError> {
    run_with_params(store, text, zone, now, metrics, &Params::new())
}

/// Runs one statement whose `$name` parameters are bound to `params` (reports).
pub fn run_with_params(
    store: &Store,
    text: &str,
    zone: &Zone,
    now: DateTime<Utc>,
    metrics: &Arc<Metrics>,
    params: &Params,
) -> Result<Answer, QueryError> {
    let statement = parse_with(text, params).map_err(QueryError::Syntax)?;
    let (query, explain) = match &statement {
        Statement::Query(q) => (q, false),
        Statement::Explain(q) => (q, true),
    };
    known_customer(store, query)?;
    let ctx = Context {
        zone: zone.clone(),
        now,
        extent: extent(store)?,
        metrics: Arc::clone(metrics),
    };
    if let Some(at) = query.vs_previous {
        let v = versus::plan_versus(query, &ctx, at)?;
        if explain {
            return Ok(Answer::Explain(format!(
                "{}\nthe period before:\n{}",
                describe(&v.now, store),
                describe(&v.then, store)
            )));
        }
        return Ok(Answer::Table(versus::answer_versus(
            store, &v, query, &ctx,
        )?));
    }
    let plan = plan::plan(query, &ctx).map_err(QueryError::Plan)?;
    if explain {
        return Ok(Answer::Explain(describe(&plan, store)));
    }
    Ok(Answer::Table(answer(store, &plan, query.span)?))
}

/// `summary KEY` for a key nobody has is a mistake to point at, not a row of zeros.
fn known_customer(store: &Store, query: &crate::parse::ast::Query) -> Result<(), QueryError> {
    let Head::Summary {
        customer: Some(key),
    } = &query.head
    else {
        return Ok(());
    };
    let unknown = || {
        QueryError::Plan(Diagnostic::new(
            key.span,
            format!("no customer `{}`", key.value),
        ))
    };
    let parsed = SubscriberKey::parse("customer", &key.value).map_err(|_| unknown())?;
    match store.customer(&parsed)? {
        Some(_) => Ok(()),
        None => Err(unknown()),
    }
}

/// The first and last hour with data, from the network rollup's key.
fn extent(store: &Store) -> Result<plan::Extent, StoreError> {
    let rows =
        store.read(|c| Ok(c.query("SELECT MIN(hour), MAX(hour) FROM network_hourly", &[])?))?;
    let time = |v: &Value| v.as_str().and_then(from_sql_time);
    Ok(rows
        .rows
        .first()
        .and_then(|r| Some((time(&r[0])?, time(&r[1])?))))
}

/// Refuses SQL that carries more bind parameters than the database takes in a statement.
fn within_limits(
    q: &crate::sql::SqlQuery,
    d: &dyn crate::store::Dialect,
    span: crate::diag::Span,
) -> Result<(), QueryError> {
    if q.params.len() > d.max_params() {
        return Err(QueryError::Plan(Diagnostic::new(
            span,
            format!(
                "this query needs {} values in its SQL, more than {} takes ({}); use fewer values or a shorter range",
                q.params.len(),
                d.name(),
                d.max_params()
            ),
        )));
    }
    Ok(())
}

fn answer(store: &Store, plan: &Plan, span: crate::diag::Span) -> Result<ResultSet, QueryError> {
    if let Some(idle) = &plan.idle {
        let q = crate::sql::idle(idle, store.dialect());
        let rows = store.read(|c| Ok(c.query(&q.sql, &q.params)?))?;
        return Ok(crate::rows::idle(plan, &rows));
    }
    if let Some(i) = &plan.insight {
        let mut all = Vec::new();
        for q in crate::sql::insight_queries(i) {
            all.push(store.read(|c| Ok(c.query(&q.sql, &q.params)?))?);
        }
        return Ok(crate::rows::insight(plan, i, &all));
    }
    if let Some(h) = &plan.histogram {
        let q = crate::sql::histogram(&plan.main, h, store.dialect());
        within_limits(&q, store.dialect(), span)?;
        let rows = store.read(|c| Ok(c.query(&q.sql, &q.params)?))?;
        return Ok(crate::rows::histogram(plan, &rows));
    }
    let (columns, rows) = aggregate_rows(store, &plan.main, span)?;
    let active = match &plan.active {
        Some(agg) => {
            let (_, rows) = aggregate_rows(store, agg, span)?;
            Some(
                rows.rows
                    .first()
                    .and_then(|r| r.last())
                    .and_then(Value::as_i64)
                    .unwrap_or(0),
            )
        }
        None => None,
    };
    let prices = if plan.main.priced {
        prices(store)?
    } else {
        HashMap::new()
    };
    let hourly = match &plan.hourly {
        Some(agg) => Some(aggregate_rows(store, agg, span)?),
        None => None,
    };
    let hourly = hourly.as_ref().map(|(c, r)| (c.as_slice(), r));
    let fee_rows = match &plan.fees {
        Some(spec) => {
            let q = crate::sql::fee_periods(spec, store.dialect());
            Some(store.read(|c| Ok(c.query(&q.sql, &q.params)?))?)
        }
        None => None,
    };
    Ok(result(
        plan,
        &columns,
        &rows,
        &prices,
        active,
        hourly,
        fee_rows.as_ref(),
    )?)
}

/// The rows of one aggregate, and what each column holds: by SQL, with distinct customers from
/// the bitmaps where they can answer (then appended as the last column of the one row).
fn aggregate_rows(
    store: &Store,
    agg: &Aggregate,
    span: crate::diag::Span,
) -> Result<(Vec<crate::sql::Column>, Rows), QueryError> {
    let Some((rest, ask)) = distinct::split(agg) else {
        return sql_rows(store, agg, span);
    };
    let customers = Value::from(store.distinct_customers(&ask)?);
    let (mut columns, mut rows) = if rest.atoms.is_empty() {
        (Vec::new(), Rows::default())
    } else {
        sql_rows(store, &rest, span)?
    };
    columns.push(crate::sql::Column::Atom(crate::plan::Atom::Customers));
    match rows.rows.first_mut() {
        Some(row) => row.push(customers),
        None => rows.rows.push(vec![customers]),
    }
    Ok((columns, rows))
}

fn prices(store: &Store) -> Result<HashMap<i64, Prices>, StoreError> {
    Ok(store
        .plans()?
        .into_iter()
        .map(|p| {
            (
                p.id,
                Prices {
                    minute: p.per_minute.value(),
                    sms: p.per_sms.value(),
                    mb: p.per_mb.value(),
                },
            )
        })
        .collect())
}

/// The rows of an aggregate by SQL: from a span where one applies and is current in the
/// snapshot the query reads, else as planned.
fn sql_rows(
    store: &Store,
    agg: &Aggregate,
    span: crate::diag::Span,
) -> Result<(Vec<crate::sql::Column>, Rows), QueryError> {
    let d = store.dialect();
    let planned = crate::sql::build(agg, d);
    within_limits(&planned, d, span)?;
    let Some((spanned, spot, id)) = spans::with_span(store, agg)? else {
        let rows = store.read(|c| Ok(c.query(&planned.sql, &planned.params)?))?;
        return Ok((planned.columns, rows));
    };
    let fast = crate::sql::build(&spanned, d);
    within_limits(&fast, d, span)?;
    // Today (and later) is read from `customer_daily` beside the span; when it holds nothing,
    // the span alone answers, without merging the two: 350 -> 130 ms for a month's top 10 of
    // 110,000 customers on MariaDB (BENCHMARKS.md).
    let alone = match spans::tail_days(agg, &spot) {
        Some(days) => {
            let q = crate::sql::build(&spans::span_alone(agg, &spot, id), d);
            within_limits(&q, d, span)?;
            Some((days, q))
        }
        None => None,
    };
    let rows = store.read_snapshot(|c| {
        let q = match crate::store::current_span(c, &spot.days)? {
            Some(current) if current == id => match &alone {
                Some((days, q)) if !crate::store::days_hold_records(c, days)? => q,
                _ => &fast,
            },
            _ => &planned,
        };
        Ok(c.query(&q.sql, &q.params)?)
    })?;
    Ok((planned.columns, rows))
}

/// `explain`: the tables that answer, the SQL for this backend and its parameters.
fn describe(plan: &Plan, store: &Store) -> String {
    let mut out = format!("{}\n", plan.title);
    let d = store.dialect();
    if let Some(i) = &plan.insight {
        out.push_str(
            "judged by tally after these reads (the rules and thresholds: docs/LANGUAGE.md, Heads):\n",
        );
        for q in crate::sql::insight_queries(i) {
            sql_block(&mut out, &q, d);
        }
        return out;
    }
    let mut aggregates = vec![("", &plan.main)];
    if let Some(active) = &plan.active {
        aggregates.push(("active customers: ", active));
    }
    if let Some(hourly) = &plan.hourly {
        aggregates.push(("busiest hour: ", hourly));
    }
    for (what, agg) in aggregates {
        let agg = match distinct::split(agg) {
            Some((rest, ask)) => {
                out.push_str(&distinct::describe(&ask, what));
                if rest.atoms.is_empty() {
                    continue;
                }
                rest
            }
            None => agg.clone(),
        };
        let agg = match spans::eligible_on(store, &agg) {
            Some(spot) => match store
                .read(|c| crate::store::current_span(c, &spot.days))
                .ok()
                .flatten()
            {
                Some(id) => {
                    if let Some(days) = spans::tail_days(&agg, &spot) {
                        out.push_str(&format!(
                            "{what}(the customer_daily part is left out when it holds no records from {} to {}, exclusive: the span then answers alone)\n",
                            days.first, days.end
                        ));
                    }
                    spans::spanned(&agg, &spot, id)
                }
                None => {
                    out.push_str(&format!(
                        "{what}(asked a second time, it builds per-customer totals of the UTC days {} to {}, exclusive, which later runs read while those days do not change)\n",
                        spot.days.first, spot.days.end
                    ));
                    agg
                }
            },
            None => agg,
        };
        let agg = &agg;
        out.push_str(&format!("{what}answered from:\n"));
        out.push_str(&parts(agg));
        let q = match (&plan.histogram, &plan.idle) {
            (_, Some(idle)) => crate::sql::idle(idle, d),
            (Some(h), _) => crate::sql::histogram(agg, h, d),
            _ => crate::sql::build(agg, d),
        };
        sql_block(&mut out, &q, d);
    }
    if let Some(spec) = &plan.fees {
        out.push_str("monthly fees: each plan period held in the range, prorated by tally:\n");
        sql_block(&mut out, &crate::sql::fee_periods(spec, d), d);
    }
    out.push_str(&metrics(plan));
    out
}

/// A statement as `explain` shows it: inlined to paste, as run, and its parameters.
fn sql_block(out: &mut String, q: &crate::sql::SqlQuery, d: &dyn crate::store::Dialect) {
    out.push_str(&format!(
        "SQL ({}), parameters inlined, to paste into the {} client:\n  {}\n",
        d.name(),
        d.client(),
        inlined(&q.sql, &q.params, d)
    ));
    out.push_str(&format!(
        "as tally runs it, with bind parameters:\n  {}\n",
        q.sql
    ));
    let params: Vec<String> = q.params.iter().map(|p| d.literal(p)).collect();
    out.push_str(&format!("parameters: [{}]\n", params.join(", ")));
}

/// The SQL with each `?` replaced by its parameter as a literal of the dialect: for people to
/// paste into a client. (tally never runs this form: values go to the server as parameters.)
fn inlined(sql: &str, params: &[Value], d: &dyn crate::store::Dialect) -> String {
    let mut out = String::with_capacity(sql.len() + params.len() * 8);
    let mut values = params.iter();
    let mut quote: Option<char> = None;
    for c in sql.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '\'' | '"' | '`') => quote = Some(c),
            (None, '?') => {
                if let Some(v) = values.next() {
                    out.push_str(&d.literal(v));
                    continue;
                }
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

/// Which way each metric went: into the SQL, or through Rhai after aggregation.
fn metrics(plan: &Plan) -> String {
    let mut out = String::new();
    for m in &plan.measures {
        let Compute::Metric(u) = &m.compute else {
            continue;
        };
        let sorted_in_sql = plan
            .main
            .order
            .as_ref()
            .is_some_and(|(o, _)| o.label == m.label);
        let way = if plan.main.pushed.iter().any(|p| p.label == m.label) {
            if sorted_in_sql {
                "pushed down: the SQL computes it, and sorts and cuts by it"
            } else {
                "pushed down: the SQL computes it"
            }
        } else if u.pushdown.is_some() {
            "evaluated by Rhai on each group (groups are merged after the SQL, so it cannot be pushed down)"
        } else {
            "evaluated by Rhai on each group after aggregation (not plain arithmetic); sorting and cutting happen over all groups"
        };
        out.push_str(&format!(
            "metric {} = {}\n  {way}\n",
            u.metric.name, u.metric.text
        ));
    }
    out
}

fn parts(agg: &Aggregate) -> String {
    let show = |t: Option<DateTime<Utc>>, open: &str| {
        t.map_or(open.to_string(), |t| format!("{} UTC", sql_time(t)))
    };
    agg.parts
        .iter()
        .map(|p| {
            format!(
                "  {}, {} to {}\n",
                p.table.describe(agg.source),
                show(p.range.start, "the beginning"),
                show(p.range.end, "now")
            )
        })
        .collect()
}
