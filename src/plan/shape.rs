//! From a query's head and clauses to a plan: which groups, which measures, in what order.

use super::buckets::{bucket_before, bucket_start, buckets};
use super::finish::{Spec, finish};
use super::measure::{self, MeasureDef};
use super::metric::{named, resolve};
use super::time::{self, UtcRange};
use super::{Context, Filter, Key, Plan, Style, filter};
use crate::diag::{Diagnostic, Span};
use crate::parse::ast::{CmpOp, Head, Measure, Order, Query, Source, Spanned};
use crate::store::Value;
use crate::vocab::MEASURES;
use chrono::{DateTime, Utc};

/// Plans a query.
pub fn plan(query: &Query, ctx: &Context) -> Result<Plan, Diagnostic> {
    let range = match &query.range {
        Some(r) => time::resolve(r, &ctx.zone, ctx.now)?,
        None => UtcRange::all(),
    };
    plan_over(query, range, ctx)
}

/// Plans a query over `range` instead of the range it is written with (`vs previous` plans
/// the same query over two periods).
pub fn plan_over(query: &Query, range: UtcRange, ctx: &Context) -> Result<Plan, Diagnostic> {
    let plan = shaped(query, range, ctx)?;
    let cut_clock = plan
        .main
        .filter
        .as_ref()
        .is_some_and(|f| !f.time_keys().is_empty());
    if plan.clock.is_some() && cut_clock {
        // Erlangs divide by the time a group covers, which such a condition would cut.
        let span = query.filter.as_ref().map_or(query.span, first_span);
        return Err(Diagnostic::new(
            span,
            "`erlangs` and `capacity` divide by the time each group covers, which `where hour`, \
             `weekday` or `daytype` would cut: group by them instead (`per hour`, `per weekday`)",
        ));
    }
    if let Some(why) = plan.fees.as_ref().and_then(super::FeeSpec::refusal) {
        // Point at the measure that brings the fees when it is written, else at the query.
        let span = query
            .show
            .iter()
            .find(|m| matches!(m.value.label().as_str(), "revenue" | "fees" | "arpu"))
            .map_or(query.span, |m| m.span);
        return Err(Diagnostic::new(span, why));
    }
    Ok(plan)
}

fn shaped(query: &Query, range: UtcRange, ctx: &Context) -> Result<Plan, Diagnostic> {
    if let (Some(t), false) = (
        query.threshold.as_ref(),
        matches!(
            query.head,
            Head::Anomalies { .. } | Head::Declining { .. } | Head::Suspects { .. }
        ),
    ) {
        return Err(Diagnostic::new(
            t.span,
            "`threshold` applies to `anomalies`, `declining customers` and `suspects` only",
        ));
    }
    if let (Some(b), false) = (
        query.baseline.as_ref(),
        matches!(query.head, Head::Declining { .. } | Head::Suspects { .. }),
    ) {
        return Err(Diagnostic::new(
            b.span,
            "`baseline` applies to `declining customers` and `suspects` only",
        ));
    }
    if let (Some(grade), false) = (
        query.grade.as_ref(),
        matches!(query.head, Head::Capacity { .. }),
    ) {
        return Err(Diagnostic::new(
            grade.span,
            "`grade` applies to `capacity` only",
        ));
    }
    if let (Some(edge), false) = (
        query.buckets.first(),
        matches!(query.head, Head::Histogram { .. }),
    ) {
        return Err(Diagnostic::new(
            edge.span,
            "`buckets` applies to `histogram` only",
        ));
    }
    match &query.head {
        Head::Idle { source } => {
            only(query, &["where", "top", "limit"], "idle customers")?;
            super::idle::plan(query, source.value, range, ctx, query.span)
        }
        Head::Histogram { field, source } => {
            only(query, &["where"], "histogram")?;
            super::histogram::plan(query, field, source.value, range, ctx)
        }
        Head::Summary { customer } => summary(query, customer.as_ref(), range, ctx),
        Head::Anomalies { .. } | Head::Declining { .. } | Head::Suspects { .. } => {
            only(query, &["top"], "an insight")?;
            super::insight::no_filter(query)?;
            super::insight::plan(query, range, ctx)
        }
        Head::Capacity { .. } => {
            only(query, &["where"], "capacity")?;
            super::capacity::plan(query, range, ctx)
        }
        Head::Customers => {
            only(
                query,
                &["where", "range", "having", "show", "sort", "top", "limit"],
                "customers",
            )?;
            let defaults = ["calls", "minutes", "sms", "data_mb"];
            let mut plan = table(
                query,
                Source::Usage,
                vec![Key::Customer],
                &defaults,
                range,
                ctx,
            )?;
            plan.title = format!("Customers {}", describe_range(range, ctx));
            Ok(plan)
        }
        Head::PeakHours { source, by } => peak(query, source.value, by.as_ref(), range, ctx),
        Head::TopCustomers { n, by } => top(query, n.value, by, range, ctx),
        Head::Trend { measure, bucket } => trend(query, measure, bucket, range, ctx),
        Head::Source(source) => {
            let keys = keys(&query.per, source.value)?;
            let defaults: &[&str] = match source.value {
                Source::Calls => &["count", "minutes"],
                Source::Sms => &["count"],
                Source::Data => &["count", "data_mb"],
                Source::Usage => &["calls", "minutes", "sms", "data_mb"],
            };
            table(query, source.value, keys, defaults, range, ctx)
        }
    }
}

/// Refuses clauses the head has no use for.
fn only(query: &Query, allowed: &[&str], head: &str) -> Result<(), Diagnostic> {
    let given: [(&str, Option<Span>); 7] = [
        ("where", None),
        ("having", query.having.as_ref().map(first_span)),
        ("per", query.per.first().map(|p| p.span)),
        ("show", query.show.first().map(|m| m.span)),
        ("sort", query.sort.as_ref().map(|(m, _)| m.span)),
        ("top", query.top.as_ref().map(|t| t.span)),
        ("limit", query.limit.as_ref().map(|l| l.span)),
    ];
    for (clause, span) in given {
        if let Some(span) = span
            && !allowed.contains(&clause)
        {
            return Err(Diagnostic::new(
                span,
                format!("`{clause}` does not apply to {head}"),
            ));
        }
    }
    Ok(())
}

fn keys(per: &[Spanned<String>], source: Source) -> Result<Vec<Key>, Diagnostic> {
    per.iter()
        .map(|p| {
            let key = Key::parse(&p.value).ok_or_else(|| {
                let dims = crate::vocab::words::dimensions();
                Diagnostic::new(
                    p.span,
                    format!("`{}` is not something to group by", p.value),
                )
                .expected(dims.iter().map(|s| s.to_string()).collect())
                .hint(crate::diag::suggest(&p.value, dims.iter().copied()))
            })?;
            let fits =
                crate::vocab::dimension(&p.value).is_some_and(|d| d.sources.contains(&source));
            if !fits {
                return Err(Diagnostic::new(
                    p.span,
                    format!("{} records have no {}", source.name(), p.value),
                ));
            }
            Ok(key)
        })
        .collect()
}

/// Revenue is priced per plan: without a customer or plan group, each group is read per plan
/// and the plans added up afterwards, and percentiles do not add up.
fn percentiles_with_revenue(
    query: &Query,
    measures: &[MeasureDef],
    keys: &[Key],
) -> Result<(), Diagnostic> {
    let fractional = |m: &MeasureDef| m.compute.atoms().iter().any(|a| a.is_fractional());
    let split_by_plan = measures.iter().any(|m| m.compute.priced())
        && !keys.contains(&Key::Customer)
        && !keys.contains(&Key::Plan);
    match measures.iter().find(|m| fractional(m)) {
        Some(m) if split_by_plan => {
            let span = query
                .show
                .iter()
                .find(|w| w.value.label() == m.label)
                .map_or(query.span, |w| w.span);
            Err(Diagnostic::new(
                span,
                format!(
                    "`{}` cannot be shown with revenue unless grouped per customer or plan: \
                     revenue is summed plan by plan, a percentile is not a sum",
                    m.label
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// Where a condition starts, to point at a clause that does not apply.
pub(super) fn first_span(e: &crate::parse::ast::Expr) -> Span {
    use crate::parse::ast::Expr;
    match e {
        Expr::And(a, _) | Expr::Or(a, _) => first_span(a),
        Expr::Not(_, span) => *span,
        Expr::Compare { field, .. }
        | Expr::In { field, .. }
        | Expr::Between { field, .. }
        | Expr::Matches { field, .. } => field.span,
        Expr::Measured { measure, .. } => measure.span,
    }
}

fn checked_having(
    query: &Query,
    source: Source,
    measures: &mut Vec<MeasureDef>,
    ctx: &Context,
) -> Result<Option<super::Having>, Diagnostic> {
    query
        .having
        .as_ref()
        .map(|e| super::having::check(e, source, measures, ctx))
        .transpose()
}

fn checked_filter(query: &Query, source: Source) -> Result<Option<Filter>, Diagnostic> {
    query
        .filter
        .as_ref()
        .map(|e| filter::check(e, source))
        .transpose()
}

/// The general form: groups, measures, sort, top, limit.
fn table(
    query: &Query,
    source: Source,
    keys: Vec<Key>,
    defaults: &[&str],
    range: UtcRange,
    ctx: &Context,
) -> Result<Plan, Diagnostic> {
    let mut measures = if query.show.is_empty() {
        defaults
            .iter()
            .map(|d| named(d, source, ctx))
            .collect::<Result<Vec<_>, _>>()?
    } else {
        query
            .show
            .iter()
            .map(|m| resolve(m, source, ctx))
            .collect::<Result<Vec<_>, _>>()?
    };
    let sort = match (&query.sort, &query.top) {
        (Some((m, order)), _) => Some((index_of(&mut measures, resolve(m, source, ctx)?), *order)),
        (None, Some(_)) => Some((0, Order::Desc)),
        (None, None) => None,
    };
    let take = query.top.as_ref().or(query.limit.as_ref()).map(|n| n.value);
    let having = checked_having(query, source, &mut measures, ctx)?;
    percentiles_with_revenue(query, &measures, &keys)?;
    let filter = checked_filter(query, source)?;
    let title = format!("{} {}", source.name(), describe_range(range, ctx));
    finish(
        Spec {
            source,
            filter,
            range,
            keys,
            measures,
            sort,
            take,
            having,
            style: Style::Plain,
            title,
        },
        ctx,
    )
}

fn index_of(measures: &mut Vec<MeasureDef>, m: MeasureDef) -> usize {
    match measures.iter().position(|x| x.label == m.label) {
        Some(i) => i,
        None => {
            measures.push(m);
            measures.len() - 1
        }
    }
}

fn summary(
    query: &Query,
    customer: Option<&Spanned<String>>,
    range: UtcRange,
    ctx: &Context,
) -> Result<Plan, Diagnostic> {
    only(query, &["where"], "summary")?;
    let mut filter = checked_filter(query, Source::Usage)?;
    let measures: Vec<MeasureDef> = MEASURES
        .iter()
        .filter(|m| m.in_summary)
        .map(|m| measure::defined(m, Source::Usage, m.name.into()))
        .collect();
    let when = describe_range(range, ctx);
    let title = match customer {
        Some(key) => {
            let value = crate::model::SubscriberKey::parse("customer", &key.value)
                .map_err(|e| Diagnostic::new(key.span, e.to_string()))?;
            let this = Filter::Compare {
                field: super::FilterField::Customer,
                op: CmpOp::Eq,
                value: Value::from(value.as_str()),
            };
            filter = Some(match filter {
                Some(f) => Filter::And(Box::new(this), Box::new(f)),
                None => this,
            });
            format!("Customer {} {when}", value.as_str())
        }
        None => format!("Network summary {when}"),
    };
    let active = match customer {
        Some(_) => None,
        None => {
            let spec = Spec {
                source: Source::Usage,
                filter: filter.clone(),
                range,
                keys: vec![],
                measures: vec![active_customers()],
                sort: None,
                take: None,
                having: None,
                style: Style::Plain,
                title: String::new(),
            };
            Some(finish(spec, ctx)?.main)
        }
    };
    let spec = Spec {
        source: Source::Usage,
        filter,
        range,
        keys: vec![],
        measures,
        sort: None,
        take: None,
        having: None,
        style: Style::Summary,
        title,
    };
    let mut plan = finish(spec, ctx)?;
    plan.active = active;
    Ok(plan)
}

fn peak(
    query: &Query,
    source: Source,
    by: Option<&Spanned<Measure>>,
    range: UtcRange,
    ctx: &Context,
) -> Result<Plan, Diagnostic> {
    only(query, &["where", "show"], "peak hours")?;
    let mut measures = vec![named("count", source, ctx)?];
    measures[0].label = match source {
        Source::Calls => "calls",
        Source::Sms => "sms",
        _ => "sessions",
    }
    .into();
    match source {
        Source::Calls => measures.push(named("minutes", source, ctx)?),
        Source::Data => measures.push(named("data_mb", source, ctx)?),
        _ => {}
    }
    // `by M` draws and marks the hours by M: it goes first, the defaults after it.
    if let Some(by) = by {
        let first = resolve(by, source, ctx)?;
        measures.retain(|m| m.compute != first.compute);
        measures.insert(0, first);
    }
    for m in &query.show {
        let def = resolve(m, source, ctx)?;
        // `show count` is the `calls` (`sms`, `sessions`) column already there.
        if !measures.iter().any(|x| x.compute == def.compute) {
            index_of(&mut measures, def);
        }
    }
    let filter = checked_filter(query, source)?;
    let title = format!(
        "Peak hours, {} {}{} ({})",
        source.name(),
        describe_range(range, ctx),
        by.map(|b| format!(", by {}", b.value.label()))
            .unwrap_or_default(),
        ctx.zone
    );
    finish(
        Spec {
            source,
            filter,
            range,
            keys: vec![Key::Hour],
            measures,
            sort: None,
            take: None,
            having: None,
            style: Style::Peak,
            title,
        },
        ctx,
    )
}

fn top(
    query: &Query,
    n: u64,
    by: &Spanned<Measure>,
    range: UtcRange,
    ctx: &Context,
) -> Result<Plan, Diagnostic> {
    only(query, &["where", "show", "having"], "top customers")?;
    let mut measures = vec![resolve(by, Source::Usage, ctx)?];
    for m in &query.show {
        let def = resolve(m, Source::Usage, ctx)?;
        index_of(&mut measures, def);
    }
    let having = checked_having(query, Source::Usage, &mut measures, ctx)?;
    let filter = checked_filter(query, Source::Usage)?;
    let title = format!(
        "Top {n} customers by {} {}",
        measures[0].label,
        describe_range(range, ctx)
    );
    let spec = Spec {
        source: Source::Usage,
        filter,
        range,
        keys: vec![Key::Customer],
        measures,
        sort: Some((0, Order::Desc)),
        take: Some(n),
        having,
        style: Style::Plain,
        title,
    };
    finish(spec, ctx)
}

fn trend(
    query: &Query,
    m: &Spanned<Measure>,
    bucket: &Spanned<String>,
    range: UtcRange,
    ctx: &Context,
) -> Result<Plan, Diagnostic> {
    only(query, &["where", "show", "sort", "top", "limit"], "trend")?;
    let bucket_span = query.range.as_ref().map_or(bucket.span, |r| r.span);
    let bucket = bucket.value.as_str();
    let key = match bucket {
        "hour" => Key::Hourly,
        other => Key::parse(other).unwrap_or(Key::Day),
    };
    let measure = resolve(m, Source::Usage, ctx)?;
    let mut measures = vec![measure.clone()];
    for m in &query.show {
        let def = resolve(m, Source::Usage, ctx)?;
        index_of(&mut measures, def);
    }
    // Sorted by a column of the drawn trend (a measure, or `change`), then cut.
    let after = match &query.sort {
        Some((m, order)) => {
            let label = m.value.label();
            if label != "change" {
                let def = resolve(m, Source::Usage, ctx)?;
                index_of(&mut measures, def);
            }
            Some((label, *order))
        }
        None if query.top.is_some() => Some((measure.label.clone(), Order::Desc)),
        None => None,
    };
    let filter = checked_filter(query, Source::Usage)?;
    let title = format!(
        "{} per {bucket} {} ({})",
        measure.label,
        describe_range(range, ctx),
        ctx.zone
    );
    // Whole buckets, and one more before them to compare the first one with.
    let extended = UtcRange {
        start: range
            .start
            .map(|s| bucket_before(bucket_start(s, key, ctx), key, ctx)),
        end: range.end,
    };
    let spec = Spec {
        source: Source::Usage,
        filter,
        range: extended,
        keys: vec![key],
        measures,
        sort: None,
        take: None,
        having: None,
        style: Style::Trend,
        title,
    };
    let mut plan = finish(spec, ctx)?;
    plan.after = after;
    plan.take = query.top.as_ref().or(query.limit.as_ref()).map(|n| n.value);
    plan.buckets = Some(buckets(extended, key, ctx, bucket_span)?);
    plan.drop_first = range.start.is_some();
    Ok(plan)
}

/// The range as people read it: `2026-11-19 to 2026-11-25`, `since ...`, `all time`.
pub fn describe_range(range: UtcRange, ctx: &Context) -> String {
    let show = |t: DateTime<Utc>| ctx.zone.show(t);
    match (range.start, range.end) {
        (None, None) => "all time".into(),
        (Some(a), None) => format!("since {}", show(a)),
        (None, Some(b)) => format!("until {}", show(b)),
        (Some(a), Some(b)) => {
            let (wa, wb) = (ctx.zone.wall(a), ctx.zone.wall(b));
            let midnight = |w: chrono::NaiveDateTime| w.time() == chrono::NaiveTime::MIN;
            if midnight(wa) && midnight(wb) {
                let last = wb.date().pred_opt().unwrap_or(wb.date());
                if last == wa.date() {
                    format!("on {}", wa.date())
                } else {
                    format!("{} to {}", wa.date(), last)
                }
            } else {
                format!("{} to {}", show(a), show(b))
            }
        }
    }
}

/// The network summary's count of customers with any record.
fn active_customers() -> MeasureDef {
    let word = crate::vocab::measure("customers").expect("the vocabulary has `customers`");
    measure::defined(word, Source::Usage, "active_customers".into())
}
