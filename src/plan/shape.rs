//! From a query's head and clauses to a plan: which groups, which measures, in what order.

use super::Kind;
use super::measure::{Atom, Compute, MeasureDef};
use super::metric::{named, resolve};
use super::tables::{Needs, choose};
use super::time::{self, UtcRange};
use super::{Aggregate, Context, Filter, Key, Plan, Style, filter};
use crate::diag::{Diagnostic, Span, closest};
use crate::parse::ast::{CmpOp, Head, Measure, Order, Query, Source, Spanned};
use crate::store::Value;
use chrono::{DateTime, Months, TimeDelta, Utc};

/// Plans a query.
pub fn plan(query: &Query, ctx: &Context) -> Result<Plan, Diagnostic> {
    let range = match &query.range {
        Some(r) => time::resolve(r, &ctx.zone, ctx.now)?,
        None => UtcRange::all(),
    };
    match &query.head {
        Head::Summary { customer } => summary(query, customer.as_ref(), range, ctx),
        Head::Customers => {
            only(
                query,
                &["where", "range", "show", "sort", "top", "limit"],
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
        Head::PeakHours { source } => peak(query, source.value, range, ctx),
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
    let given: [(&str, Option<Span>); 6] = [
        ("where", None),
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
                let dims = crate::parse::words::DIMENSIONS;
                Diagnostic::new(
                    p.span,
                    format!("`{}` is not something to group by", p.value),
                )
                .expected(dims.iter().map(|s| s.to_string()).collect())
                .hint(
                    closest(&p.value, dims.iter().copied()).map(|w| format!("did you mean `{w}`?")),
                )
            })?;
            let fits = match key {
                Key::Direction => matches!(source, Source::Calls | Source::Sms),
                Key::Status => source == Source::Calls,
                _ => true,
            };
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
    let def = |label: &str, kind, atoms: &[Atom], scale| MeasureDef {
        label: label.into(),
        kind,
        compute: Compute::Sum(atoms.to_vec()),
        scale,
    };
    let measures = vec![
        def("calls", Kind::Count, &[Atom::CallsOut, Atom::CallsIn], 1.0),
        def("calls_out", Kind::Count, &[Atom::CallsOut], 1.0),
        def("calls_in", Kind::Count, &[Atom::CallsIn], 1.0),
        def("answered", Kind::Count, &[Atom::Answered], 1.0),
        def(
            "minutes",
            Kind::Number,
            &[Atom::SecondsOut, Atom::SecondsIn],
            60.0,
        ),
        def("sms", Kind::Count, &[Atom::SmsOut, Atom::SmsIn], 1.0),
        def("sms_out", Kind::Count, &[Atom::SmsOut], 1.0),
        def("sms_in", Kind::Count, &[Atom::SmsIn], 1.0),
        def("data_sessions", Kind::Count, &[Atom::Sessions], 1.0),
        def(
            "data_mb",
            Kind::Megabytes,
            &[Atom::BytesUp, Atom::BytesDown],
            1e6,
        ),
    ];
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
                measures: vec![def(
                    "active_customers",
                    Kind::Count,
                    &[Atom::Customers],
                    1.0,
                )],
                sort: None,
                take: None,
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
        style: Style::Summary,
        title,
    };
    let mut plan = finish(spec, ctx)?;
    plan.active = active;
    Ok(plan)
}

fn peak(query: &Query, source: Source, range: UtcRange, ctx: &Context) -> Result<Plan, Diagnostic> {
    only(query, &["where"], "peak hours")?;
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
    let filter = checked_filter(query, source)?;
    let title = format!(
        "Peak hours, {} {} ({})",
        source.name(),
        describe_range(range, ctx),
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
    only(query, &["where", "show"], "top customers")?;
    let mut measures = vec![resolve(by, Source::Usage, ctx)?];
    for m in &query.show {
        let def = resolve(m, Source::Usage, ctx)?;
        index_of(&mut measures, def);
    }
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
    only(query, &["where"], "trend")?;
    let bucket_span = query.range.as_ref().map_or(bucket.span, |r| r.span);
    let bucket = bucket.value.as_str();
    let key = match bucket {
        "hour" => Key::Hourly,
        other => Key::parse(other).unwrap_or(Key::Day),
    };
    let measure = resolve(m, Source::Usage, ctx)?;
    let filter = checked_filter(query, Source::Usage)?;
    let title = format!(
        "{} per {bucket} {} ({})",
        measure.label,
        describe_range(range, ctx),
        ctx.zone
    );
    // One bucket more before the range, to compare the first one with.
    let extended = UtcRange {
        start: range.start.map(|s| bucket_before(s, key, ctx)),
        end: range.end,
    };
    let spec = Spec {
        source: Source::Usage,
        filter,
        range: extended,
        keys: vec![key],
        measures: vec![measure],
        sort: None,
        take: None,
        style: Style::Trend,
        title,
    };
    let mut plan = finish(spec, ctx)?;
    plan.buckets = Some(buckets(extended, key, ctx, bucket_span)?);
    plan.drop_first = range.start.is_some();
    Ok(plan)
}

/// The most buckets a trend lists: more would be unreadable, and the answer could not be
/// shown in full.
pub const MAX_BUCKETS: usize = 100_000;

/// The labels of every bucket from the range's start to its end (or the data's), as the SQL
/// labels them. More than [`MAX_BUCKETS`] is refused rather than cut.
fn buckets(range: UtcRange, key: Key, ctx: &Context, span: Span) -> Result<Vec<Value>, Diagnostic> {
    let (first, last) = ctx.extent.unwrap_or((ctx.now, ctx.now));
    let Some(start) = range.start.or(ctx.extent.map(|_| first)) else {
        return Ok(Vec::new());
    };
    let end = range.end.unwrap_or(last + TimeDelta::hours(1));
    let too_many = |n: i64| {
        Diagnostic::new(
            span,
            format!(
                "this trend would list {n} buckets, more than the {MAX_BUCKETS} tally shows: use a longer bucket or a shorter range"
            ),
        )
    };
    let (wall_start, wall_end) = (ctx.zone.wall(start), ctx.zone.wall(end));
    use chrono::Datelike;
    let month_number = |d: chrono::NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
    // Counted on the range asked for, without the bucket added before it to compare with.
    let asked_days = (wall_end - wall_start).num_days() - i64::from(key != Key::Hourly);
    let estimate = match key {
        Key::Hourly => (end - start).num_hours() - 1,
        Key::Week => asked_days / 7,
        Key::Month => month_number(wall_end.date()) - month_number(wall_start.date()),
        _ => asked_days,
    };
    if estimate > MAX_BUCKETS as i64 {
        return Err(too_many(estimate));
    }
    let mut labels: Vec<Value> = Vec::new();
    let mut push = |label: String| {
        if labels.last().is_none_or(|l| l.to_string() != label) {
            labels.push(Value::from(label));
        }
    };
    let last_day = ctx.zone.wall(end - TimeDelta::seconds(1)).date();
    match key {
        Key::Hourly => {
            let mut t = start;
            while t < end {
                push(ctx.zone.wall(t).format("%Y-%m-%d %H:00").to_string());
                t += TimeDelta::hours(1);
            }
        }
        // Days, weeks and months are calendar units of the zone: walk them on the wall dates.
        Key::Week => {
            let mut monday = wall_start.date()
                - TimeDelta::days(i64::from(wall_start.weekday().num_days_from_monday()));
            while monday <= last_day {
                push(monday.to_string());
                monday += TimeDelta::weeks(1);
            }
        }
        Key::Month => {
            let mut first = wall_start.date().with_day(1).unwrap_or(wall_start.date());
            while first <= last_day {
                push(first.format("%Y-%m").to_string());
                let Some(next) = first.checked_add_months(Months::new(1)) else {
                    break;
                };
                first = next;
            }
        }
        _ => {
            let mut day = wall_start.date();
            while day <= last_day {
                push(day.to_string());
                let Some(next) = day.succ_opt() else { break };
                day = next;
            }
        }
    }
    Ok(labels)
}

/// The start of the bucket before the one starting at `t`, in the zone's calendar.
fn bucket_before(t: DateTime<Utc>, key: Key, ctx: &Context) -> DateTime<Utc> {
    let wall = ctx.zone.wall(t);
    let before = match key {
        Key::Hour | Key::Hourly => wall.checked_sub_signed(TimeDelta::hours(1)),
        Key::Week => wall.checked_sub_signed(TimeDelta::weeks(1)),
        Key::Month => wall.checked_sub_months(Months::new(1)),
        _ => wall.checked_sub_signed(TimeDelta::days(1)),
    };
    before
        .and_then(|w| ctx.zone.first_instant_from(w))
        .unwrap_or(t)
}

/// The range as people read it: `2026-11-19 to 2026-11-25`, `since ...`, `all time`.
fn describe_range(range: UtcRange, ctx: &Context) -> String {
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

struct Spec {
    source: Source,
    filter: Option<Filter>,
    range: UtcRange,
    keys: Vec<Key>,
    measures: Vec<MeasureDef>,
    sort: Option<(usize, Order)>,
    take: Option<u64>,
    style: Style,
    title: String,
}

/// Picks the tables, and whether the database can sort and cut the rows itself.
fn finish(spec: Spec, ctx: &Context) -> Result<Plan, Diagnostic> {
    let shown_keys = spec.keys.len();
    let mut keys = spec.keys;
    let revenue = spec.measures.iter().any(|m| m.compute.priced());
    if revenue && !keys.contains(&Key::Customer) && !keys.contains(&Key::Plan) {
        // Prices are per plan: group by it too and add the plans up afterwards.
        keys.push(Key::Plan);
    }
    let mut atoms: Vec<Atom> = spec
        .measures
        .iter()
        .flat_map(|m| m.compute.atoms())
        .collect();
    if atoms.is_empty() {
        // Measures that read nothing (a constant metric) still need rows to say which groups
        // exist: count the source's records.
        atoms = count_atoms(spec.source);
    }
    atoms.sort();
    atoms.dedup();
    let filter_raw = spec.filter.as_ref().is_some_and(Filter::raw_only);
    let per_customer = keys.iter().any(|k| k.per_customer())
        || (spec.filter.is_some() && !filter_raw)
        || atoms.contains(&Atom::Customers)
        || revenue;
    let raw_only =
        filter_raw || keys.iter().any(|k| k.raw_only()) || atoms.iter().any(|a| !a.in_rollups());
    let range = bounded(spec.range, ctx);
    let offsets = offsets_over(range, ctx);
    let source = if keys.is_empty() {
        narrowed(spec.source, &atoms, spec.filter.as_ref())
    } else {
        // With groups, reading one table would drop the groups that have only the others'
        // records: `usage per day show minutes` lists SMS-only days too, with 0 minutes.
        spec.source
    };
    let parts = choose(
        &Needs {
            raw_only,
            per_customer,
            keys: &keys,
            offsets: &offsets,
        },
        range,
    );
    let final_rows = keys.len() == shown_keys || keys[..shown_keys].contains(&Key::Customer);
    // A metric Rhai must evaluate is sorted and cut here, over every group.
    let sortable = spec
        .sort
        .is_none_or(|(i, _)| spec.measures[i].compute.in_sql());
    let in_sql = final_rows && spec.style == Style::Plain && sortable;
    let pushed: Vec<MeasureDef> = spec
        .measures
        .iter()
        .filter(|m| final_rows && matches!(m.compute, Compute::Metric(_)) && m.compute.in_sql())
        .cloned()
        .collect();
    let order = spec
        .sort
        .filter(|_| in_sql)
        .map(|(i, o)| (spec.measures[i].clone(), o));
    let limit = spec.take.filter(|_| in_sql);
    let main = Aggregate {
        source,
        filter: spec.filter,
        range,
        keys,
        shown_keys,
        atoms,
        priced: revenue,
        parts,
        offsets,
        order,
        limit,
        pushed,
    };
    Ok(Plan {
        title: spec.title,
        main,
        active: None,
        measures: spec.measures,
        sort: spec.sort.filter(|_| !in_sql),
        take: spec.take.filter(|_| !in_sql),
        style: spec.style,
        buckets: None,
        drop_first: false,
    })
}

/// The atoms that count a source's records.
fn count_atoms(source: Source) -> Vec<Atom> {
    use Atom::*;
    match source {
        Source::Calls => vec![CallsOut, CallsIn],
        Source::Sms => vec![SmsOut, SmsIn],
        Source::Data => vec![Sessions],
        Source::Usage => vec![CallsOut, CallsIn, SmsOut, SmsIn, Sessions],
    }
}

/// An open range closed at the data's first and last hour: every part then has bounds (one
/// customer's days can be listed), and nothing outside them exists.
fn bounded(range: UtcRange, ctx: &Context) -> UtcRange {
    match ctx.extent {
        Some((first, last)) => UtcRange {
            start: range.start.or(Some(first)),
            end: range.end.or(Some(last + TimeDelta::hours(1))),
        },
        None => range,
    }
}

/// `usage` read from the one raw table its atoms come from, when they all come from one: the
/// raw edges then read one table instead of three. Only for totals (no groups), whose sums
/// the other tables would add nothing to.
fn narrowed(source: Source, atoms: &[Atom], filter: Option<&Filter>) -> Source {
    use Atom::*;
    if source != Source::Usage || filter.is_some() {
        return source;
    }
    let all = |set: &[Atom]| !atoms.is_empty() && atoms.iter().all(|a| set.contains(a));
    if all(&[CallsOut, CallsIn, Answered, SecondsOut, SecondsIn]) {
        Source::Calls
    } else if all(&[SmsOut, SmsIn]) {
        Source::Sms
    } else if all(&[Sessions, DataSeconds, BytesUp, BytesDown]) {
        Source::Data
    } else {
        source
    }
}

/// The zone's offsets over the range, cut to the hours that hold data: no record is outside
/// them, and a range of centuries would otherwise be probed hour by hour.
fn offsets_over(range: UtcRange, ctx: &Context) -> Vec<(DateTime<Utc>, i64)> {
    let (first, last) = ctx.extent.unwrap_or((ctx.now, ctx.now));
    let data_end = last + TimeDelta::hours(1);
    let from = range.start.unwrap_or(first).max(first).min(data_end);
    let to = range.end.unwrap_or(data_end).min(data_end).max(from);
    time::offsets(&ctx.zone, from, to)
}
