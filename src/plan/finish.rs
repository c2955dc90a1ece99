//! From the shape of an answer (source, groups, measures, order) to a plan: the tables that
//! answer each part of the range, and whether the database sorts and cuts the rows itself.

use super::measure::{Atom, Compute, MeasureDef};
use super::tables::{Needs, choose};
use super::time::{self, UtcRange};
use super::{Aggregate, Context, Filter, Key, Plan, Style};
use crate::diag::Diagnostic;
use crate::parse::ast::{Order, Source};
use chrono::{DateTime, TimeDelta, Utc};

/// What a head asks for, before the tables are chosen.
pub(super) struct Spec {
    pub(super) source: Source,
    pub(super) filter: Option<Filter>,
    pub(super) range: UtcRange,
    pub(super) keys: Vec<Key>,
    pub(super) measures: Vec<MeasureDef>,
    pub(super) sort: Option<(usize, Order)>,
    pub(super) take: Option<u64>,
    pub(super) having: Option<super::Having>,
    pub(super) style: Style,
    pub(super) title: String,
}

/// Picks the tables, and whether the database can sort and cut the rows itself.
pub(super) fn finish(spec: Spec, ctx: &Context) -> Result<Plan, Diagnostic> {
    let shown_keys = spec.keys.len();
    let mut keys = spec.keys;
    let revenue = spec.measures.iter().any(|m| m.compute.priced());
    if revenue && !keys.contains(&Key::Plan) {
        // Prices are those of the plan in force on the day: group by it too (a customer who
        // changed plan has a row per plan) and add the plans up afterwards.
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
        || spec.filter.as_ref().is_some_and(Filter::per_customer)
        || atoms.contains(&Atom::Customers)
        || revenue;
    let raw_only =
        filter_raw || keys.iter().any(|k| k.raw_only()) || atoms.iter().any(|a| !a.in_rollups());
    let coverage = match spec.style {
        Style::Plain | Style::Trend => super::Coverage::of(&keys[..shown_keys], spec.range, ctx),
        Style::Summary
        | Style::Peak
        | Style::Histogram
        | Style::Idle
        | Style::Insight
        | Style::Capacity { .. } => None,
    };
    let range = bounded(spec.range, ctx);
    let offsets = offsets_over(range, ctx);
    let source = if keys.is_empty() {
        narrowed(spec.source, &atoms, spec.filter.as_ref())
    } else {
        // With groups, reading one table would drop the groups that have only the others'
        // records: `usage per day show minutes` lists SMS-only days too, with 0 minutes.
        spec.source
    };
    let filter_times = spec
        .filter
        .as_ref()
        .map_or_else(Vec::new, Filter::time_keys);
    let parts = choose(
        &Needs {
            raw_only,
            per_customer,
            keys: &keys,
            filter_times: &filter_times,
            offsets: &offsets,
        },
        range,
    );
    let final_rows = keys.len() == shown_keys;
    let clock = spec
        .measures
        .iter()
        .any(|m| m.compute.needs_clock())
        .then(|| super::Clock::of(&keys[..shown_keys], spec.range, ctx));
    let fees = spec
        .measures
        .iter()
        .any(|m| m.compute.needs_fees())
        .then(|| super::FeeSpec::of(&keys[..shown_keys], spec.range, spec.filter.clone(), ctx));
    // A metric Rhai must evaluate is sorted and cut here, over every group.
    let sortable = spec
        .sort
        .is_none_or(|(i, _)| spec.measures[i].compute.in_sql());
    // `having` keeps groups by their measures, and a share needs every group's value, both
    // computed here: the database may then neither sort nor cut.
    // Fees add groups after the rows (customers with fees and no usage): they too need every
    // group before sorting and cutting.
    let whole = spec
        .measures
        .iter()
        .any(|m| m.compute.needs_all_groups() || m.compute.needs_fees());
    let in_sql =
        final_rows && spec.style == Style::Plain && sortable && spec.having.is_none() && !whole;
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
    let hourly = busiest_hours(&main, &spec.measures, &filter_times);
    Ok(Plan {
        title: spec.title,
        hourly,
        main,
        active: None,
        measures: spec.measures,
        sort: spec.sort.filter(|_| !in_sql),
        take: spec.take.filter(|_| !in_sql),
        having: spec.having,
        style: spec.style,
        buckets: None,
        drop_first: false,
        coverage,
        clock,
        fees,
        histogram: None,
        idle: None,
        insight: None,
        after: None,
    })
}

/// For a busiest-hour measure (`bhca`): the same groups split by clock hour too, with the
/// atoms of the busiest-hour measures only. A second aggregate, because the main one's
/// distinct customers, minimums and percentiles cannot be added up over hours.
fn busiest_hours(
    main: &Aggregate,
    measures: &[MeasureDef],
    filter_times: &[Key],
) -> Option<Aggregate> {
    if !measures.iter().any(|m| m.compute.needs_hours()) {
        return None;
    }
    let mut keys = main.keys[..main.shown_keys].to_vec();
    if !keys.contains(&Key::Hourly) {
        keys.push(Key::Hourly);
    }
    let mut atoms: Vec<Atom> = measures
        .iter()
        .flat_map(|m| busiest_atoms(&m.compute))
        .collect();
    atoms.sort();
    atoms.dedup();
    let filter = main.filter.as_ref();
    let parts = choose(
        &Needs {
            raw_only: filter.is_some_and(Filter::raw_only) || keys.iter().any(|k| k.raw_only()),
            per_customer: keys.iter().any(|k| k.per_customer())
                || filter.is_some_and(Filter::per_customer),
            keys: &keys,
            filter_times,
            offsets: &main.offsets,
        },
        main.range,
    );
    Some(Aggregate {
        keys,
        atoms,
        priced: false,
        parts,
        order: None,
        limit: None,
        pushed: Vec::new(),
        ..main.clone()
    })
}

/// The atoms a measure reads in the busiest hour, its own or its inputs'.
fn busiest_atoms(c: &Compute) -> Vec<Atom> {
    match c {
        Compute::Busiest(atoms) => atoms.clone(),
        Compute::Metric(m) => m
            .inputs
            .iter()
            .flat_map(|i| busiest_atoms(&i.compute))
            .collect(),
        Compute::Share(m) => busiest_atoms(&m.compute),
        _ => Vec::new(),
    }
}

/// The atoms that count a source's records: those of the measure `count`.
fn count_atoms(source: Source) -> Vec<Atom> {
    crate::vocab::measure("count").map_or_else(Vec::new, |count| count.atoms(source))
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
    if all(&[
        Calls,
        CallsOut,
        CallsIn,
        Answered,
        Busy,
        NoAnswer,
        SecondsAnswered,
        SecondsOut,
        SecondsIn,
    ]) {
        Source::Calls
    } else if all(&[Sms, SmsOut, SmsIn]) {
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
