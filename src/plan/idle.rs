//! `idle customers [SOURCE]`: the customers with no record of the source in the range (those
//! who never had one included), with their last record before it.

use super::finish::{Spec, finish};
use super::time::UtcRange;
use super::{Context, Filter, Key, Plan, Style};
use crate::diag::{Diagnostic, Span};
use crate::model::Zone;
use crate::parse::ast::{Query, Source};
use chrono::{DateTime, Utc};

/// What an idle-customers answer is made of.
#[derive(Debug, Clone, PartialEq)]
pub struct Idle {
    /// Which records count as activity.
    pub source: Source,
    /// The range with no activity; both ends known.
    pub start: DateTime<Utc>,
    /// The range's end.
    pub end: DateTime<Utc>,
    /// Until when idleness is counted: the range's end, or now when that comes first.
    pub until: DateTime<Utc>,
    /// A condition on the customers (customer, plan, region, account).
    pub filter: Option<Filter>,
    /// The zone the last activity is shown in.
    pub zone: Zone,
    /// At most this many customers, the longest idle first.
    pub take: Option<u64>,
}

/// Plans `idle customers SOURCE` over `range`.
pub(super) fn plan(
    query: &Query,
    source: Source,
    range: UtcRange,
    ctx: &Context,
    at: Span,
) -> Result<Plan, Diagnostic> {
    let (Some(start), Some(end)) = (range.start, range.end) else {
        return Err(Diagnostic::new(
            query.range.as_ref().map_or(at, |r| r.span),
            "`idle customers` needs a range with a start (`last 14 days`, `this month`, \
             `since 2026-11-01`)",
        ));
    };
    let filter = match &query.filter {
        Some(e) => {
            let f = super::filter::check(e, Source::Usage)?;
            let mut fields = Vec::new();
            f.fields(&mut fields);
            if fields.iter().any(|f| !f.per_customer()) {
                return Err(Diagnostic::new(
                    super::shape::first_span(e),
                    "idle customers are chosen by what they are, not by records: `where` takes \
                     customer, plan, region and account here",
                ));
            }
            Some(f)
        }
        None => None,
    };
    let title = format!(
        "Customers with no {} {}",
        match source {
            Source::Usage => "record".to_string(),
            s => s.name().to_string(),
        },
        super::describe_range(range, ctx)
    );
    let count = super::metric::named("count", source, ctx)?;
    let mut plan = finish(
        Spec {
            source,
            filter: filter.clone(),
            range,
            keys: vec![Key::Customer],
            measures: vec![count],
            sort: None,
            take: None,
            having: None,
            style: Style::Idle,
            title,
        },
        ctx,
    )?;
    // The customers against the raw records: what explain names.
    plan.main.parts = vec![super::Part {
        table: super::Table::Raw,
        range,
    }];
    plan.idle = Some(Idle {
        source,
        start,
        end,
        until: end.min(ctx.now),
        filter,
        zone: ctx.zone.clone(),
        take: query.top.as_ref().or(query.limit.as_ref()).map(|n| n.value),
    });
    Ok(plan)
}
