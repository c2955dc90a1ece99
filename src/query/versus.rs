//! `vs previous`: the query answered over its range and over the equal period just before,
//! then laid side by side by group, sorted and cut. A range that is not over yet (or that the
//! data does not reach the end of) is compared with the same stretch of the period before:
//! month to date with the same days of last month.

use super::{QueryError, answer};
use crate::diag::{Diagnostic, Span};
use crate::parse::ast::{Head, Order, Query, Range};
use crate::plan::{self, Compute, Context, Plan, UtcRange};
use crate::rows::ResultSet;
use crate::rows::versus::{Sides, sort, versus};
use crate::store::Store;
use chrono::{DateTime, Months, NaiveDateTime, TimeDelta, Utc};

/// The two periods compared, and whether the data reaches back to the start of the earlier.
struct Periods {
    current: UtcRange,
    previous: UtcRange,
    comparable: bool,
}

/// The plans of a `vs previous` query: the same query over each period.
pub(super) struct Versus {
    /// The query over its range (cut where the clock or the data stops).
    pub(super) now: Plan,
    /// The query over the period before.
    pub(super) then: Plan,
    periods: Periods,
}

/// Plans `query`, which has `vs previous` at `at`, over both periods.
pub(super) fn plan_versus(query: &Query, ctx: &Context, at: Span) -> Result<Versus, QueryError> {
    let fail = |message: String| QueryError::Plan(Diagnostic::new(at, message));
    if !matches!(query.head, Head::Source(_) | Head::Customers) {
        return Err(fail(
            "`vs previous` applies to `customers` and to calls, sms, data and usage".into(),
        ));
    }
    let time_key = |p: &&crate::parse::ast::Spanned<String>| {
        plan::Key::parse(&p.value).is_some_and(|k| k.is_time())
    };
    if let Some(p) = query.per.iter().find(time_key) {
        return Err(QueryError::Plan(Diagnostic::new(
            p.span,
            format!(
                "`vs previous` compares the same groups in two periods, and `per {}` has other \
                 values in each; `trend` compares one bucket with the next",
                p.value
            ),
        )));
    }
    if query.having.is_some() {
        return Err(fail(
            "`vs previous` cannot be combined with `having`".into(),
        ));
    }
    let periods = periods(query, ctx, at)?;
    let mut bare = query.clone();
    (bare.sort, bare.top, bare.limit) = (None, None, None);
    let plan_for = |range| plan::plan_over(&bare, range, ctx).map_err(QueryError::Plan);
    Ok(Versus {
        now: plan_for(periods.current)?,
        then: plan_for(periods.previous)?,
        periods,
    })
}

/// Answers both plans and lays them side by side, titled, sorted and cut as `query` asks.
pub(super) fn answer_versus(
    store: &Store,
    v: &Versus,
    query: &Query,
    ctx: &Context,
) -> Result<ResultSet, QueryError> {
    let now = answer(store, &v.now, query.span)?;
    let then = answer(store, &v.then, query.span)?;
    let keys = v.now.main.shown_keys;
    let sides = Sides {
        keys,
        zero_when_absent: v
            .now
            .measures
            .iter()
            .map(|m| zero_when_absent(&m.compute))
            .collect(),
        comparable: v.periods.comparable,
    };
    let mut rs = versus(now, then, &sides);
    rs.title = Some(format!(
        "{} vs {}{}",
        v.now.title,
        plan::describe_range(v.periods.previous, ctx),
        if v.periods.comparable {
            ""
        } else {
            " (the data does not reach back to it: no change computed)"
        }
    ));
    order_and_cut(&mut rs, query, keys)?;
    Ok(rs)
}

/// A group with no records in a period had none of a count or sum; an average, a percentile
/// or a metric of nothing has no value.
fn zero_when_absent(compute: &Compute) -> bool {
    matches!(
        compute,
        Compute::Sum(_)
            | Compute::Revenue { .. }
            | Compute::Fees
            | Compute::Single(plan::Atom::Customers)
    )
}

/// `sort` by any column of the answer (`minutes_change`), `top N` by the first measure unless
/// sorted, `limit N`.
fn order_and_cut(rs: &mut ResultSet, query: &Query, keys: usize) -> Result<(), QueryError> {
    let by = match (&query.sort, &query.top) {
        (Some((m, order)), _) => {
            let name = m.value.label();
            let Some(i) = rs.column_index(&name) else {
                let names: Vec<String> =
                    rs.columns[keys..].iter().map(|c| c.name.clone()).collect();
                let hint = crate::diag::suggest(&name, names.iter().map(String::as_str));
                return Err(QueryError::Plan(
                    Diagnostic::new(
                        m.span,
                        format!("the answer has no column `{name}` to sort by"),
                    )
                    .expected(names)
                    .hint(hint),
                ));
            };
            Some((i, *order))
        }
        (None, Some(_)) => Some((keys, Order::Desc)),
        (None, None) => None,
    };
    sort(rs, by, keys);
    if let Some(n) = query.top.as_ref().or(query.limit.as_ref()) {
        rs.rows
            .truncate(usize::try_from(n.value).unwrap_or(usize::MAX));
    }
    Ok(())
}

/// The range as asked, cut where the clock or the data stops, and the same stretch of the
/// period before: shifted back by whole months for month and year ranges, else by the range's
/// length on the zone's clock.
fn periods(query: &Query, ctx: &Context, at: Span) -> Result<Periods, QueryError> {
    let fail = |message: &str| QueryError::Plan(Diagnostic::new(at, message.to_string()));
    let Some(written) = &query.range else {
        return Err(fail(
            "`vs previous` needs a range to compare (`last 30 days`, `this month`, `between A and B`)",
        ));
    };
    let asked = plan::time::resolve(written, &ctx.zone, ctx.now).map_err(QueryError::Plan)?;
    let (Some(start), Some(end)) = (asked.start, asked.end) else {
        return Err(fail("`vs previous` needs a range with both ends"));
    };
    let data_end = ctx.extent.map(|(_, last)| last + TimeDelta::hours(1));
    let cut = [Some(end), Some(ctx.now), data_end]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(end);
    if cut <= start {
        return Err(fail(
            "the range has not begun, or holds no data yet: nothing to compare",
        ));
    }
    let wall = |t: DateTime<Utc>| ctx.zone.wall(t);
    let back = |w: NaiveDateTime| -> Option<NaiveDateTime> {
        match months(&written.value) {
            Some(n) => w.checked_sub_months(Months::new(n)),
            None => w.checked_sub_signed(wall(end) - wall(start)),
        }
    };
    let instant = |w: Option<NaiveDateTime>| {
        w.and_then(|w| ctx.zone.first_instant_from(w))
            .ok_or_else(|| fail("the period before this range is outside the calendar"))
    };
    let previous_start = instant(back(wall(start)))?;
    let previous_end =
        instant(back(wall(start)).and_then(|w| w.checked_add_signed(wall(cut) - wall(start))))?;
    Ok(Periods {
        current: UtcRange {
            start: Some(start),
            end: Some(cut),
        },
        previous: UtcRange {
            start: Some(previous_start),
            end: Some(previous_end.min(start)),
        },
        comparable: ctx.extent.is_some_and(|(first, _)| first <= previous_start),
    })
}

/// How many months a calendar range spans (`this month`: 1, `last 3 months`: 3, `this year`:
/// 12); None for ranges measured in hours, days or weeks, or between two times.
fn months(range: &Range) -> Option<u32> {
    match range {
        Range::This(unit) if unit == "month" => Some(1),
        Range::This(unit) if unit == "year" => Some(12),
        Range::Last(n, unit) if unit == "month" => u32::try_from(*n).ok(),
        _ => None,
    }
}
