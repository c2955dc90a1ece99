//! The insights: `anomalies`, `declining customers`, `suspects simbox|international`. Each
//! reads the rollups or the raw calls over its range and a baseline before it, and tally
//! judges each customer (or network hour) against that baseline after the rows are read.

use super::time::UtcRange;
use super::{Context, Plan, Style};
use crate::diag::Diagnostic;
use crate::parse::ast::{Head, Query, Source};
use chrono::{DateTime, TimeDelta, Utc};

/// Days of a customer's own baseline before each day (anomalies) or of the international
/// baseline before the range (suspects international).
pub const BASELINE_DAYS: i64 = 28;
/// Weeks of the same hour of the week a network hour is compared with.
pub const BASELINE_WEEKS: i64 = 4;
/// The fewest baseline days a customer-day is judged against: a customer (or a store) newer
/// than that is not judged yet.
pub const MIN_BASELINE_DAYS: i64 = 7;
/// The fewest baseline weeks a network hour is judged against.
pub const MIN_BASELINE_WEEKS: i64 = 2;
/// Robust z-score beyond which a customer-day or network hour is an anomaly.
pub const ANOMALY_Z: f64 = 4.0;
/// A fall beyond which a customer is declining: half its usage.
pub const DECLINE: f64 = 0.5;
/// The least records in the period before for a customer to be judged declining.
pub const DECLINE_BASELINE: u64 = 20;
/// The least outgoing calls in the range for a SIM box suspect.
pub const SIMBOX_CALLS: u64 = 100;
/// How many times its baseline rate a customer's international calls must reach.
pub const INTERNATIONAL_FACTOR: f64 = 10.0;
/// The least international calls in the range for an international suspect.
pub const INTERNATIONAL_CALLS: u64 = 20;

/// Which insight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsightKind {
    /// Customer-days and network hours far from their baseline.
    Anomalies,
    /// Customers whose usage fell against the period before.
    Declining,
    /// SIM box signs: many short outgoing calls to many numbers, almost none incoming, few cells.
    SimBox,
    /// International calls far above the customer's baseline.
    International,
}

/// An insight, resolved: its range in whole UTC days and its thresholds.
#[derive(Debug, Clone, PartialEq)]
pub struct Insight {
    /// Which insight.
    pub kind: InsightKind,
    /// Which records.
    pub source: Source,
    /// The first UTC day judged (midnight).
    pub start: DateTime<Utc>,
    /// The UTC midnight after the last day judged (the range's end, or the end of today).
    pub end: DateTime<Utc>,
    /// Until when rows are judged: the end, or now when that comes first (a day or an hour
    /// not over yet is not judged).
    pub until: DateTime<Utc>,
    /// The first hour the store holds data for: no baseline reaches before it.
    pub data_from: Option<DateTime<Utc>>,
    /// How far is far: a z-score, a fall (fraction) or a factor, by kind.
    pub threshold: f64,
    /// The least usage judged: records before (declining) or calls in the range (suspects).
    pub baseline: u64,
}

/// Plans an insight head over `range`.
pub(super) fn plan(query: &Query, range: UtcRange, ctx: &Context) -> Result<Plan, Diagnostic> {
    let (kind, source, at) = match &query.head {
        Head::Anomalies { source } => (InsightKind::Anomalies, source.value, source.span),
        Head::Declining { source } => (InsightKind::Declining, source.value, source.span),
        Head::Suspects { kind } if kind.value == "simbox" => {
            (InsightKind::SimBox, Source::Calls, kind.span)
        }
        Head::Suspects { kind } => (InsightKind::International, Source::Calls, kind.span),
        _ => return Err(Diagnostic::new(query.span, "not an insight")),
    };
    let Some(start) = range.start else {
        return Err(Diagnostic::new(
            query.range.as_ref().map_or(at, |r| r.span),
            "an insight needs a range with a start (`last 7 days`, `this month`)",
        ));
    };
    let day = |t: DateTime<Utc>| t.date_naive().and_time(chrono::NaiveTime::MIN).and_utc();
    let today_end = day(ctx.now) + TimeDelta::days(1);
    let end = range.end.map_or(today_end, |e| e.min(today_end));
    let end = if day(end) == end {
        end
    } else {
        day(end) + TimeDelta::days(1)
    };
    let (threshold_default, baseline_default) = match kind {
        InsightKind::Anomalies => (ANOMALY_Z, 0),
        InsightKind::Declining => (DECLINE, DECLINE_BASELINE),
        InsightKind::SimBox => (0.0, SIMBOX_CALLS),
        InsightKind::International => (INTERNATIONAL_FACTOR, INTERNATIONAL_CALLS),
    };
    if let Some(t) = &query.threshold
        && kind == InsightKind::SimBox
    {
        return Err(Diagnostic::new(
            t.span,
            "`suspects simbox` takes `baseline N` (the least outgoing calls), not a threshold",
        ));
    }
    if let Some(b) = &query.baseline
        && kind == InsightKind::Anomalies
    {
        return Err(Diagnostic::new(
            b.span,
            "`anomalies` compares each customer with its own last 28 days: no `baseline`",
        ));
    }
    let threshold = query
        .threshold
        .as_ref()
        .map_or(threshold_default, |t| t.value);
    if kind == InsightKind::Declining && !(threshold > 0.0 && threshold < 1.0) {
        return Err(Diagnostic::new(
            query.threshold.as_ref().map_or(at, |t| t.span),
            "a decline is a fall between 0 and 100% (`threshold 50%`)",
        ));
    }
    let insight = Insight {
        kind,
        source,
        start: day(start),
        end,
        until: end.min(ctx.now),
        data_from: ctx.extent.map(|(first, _)| first),
        threshold,
        baseline: query
            .baseline
            .as_ref()
            .map_or(baseline_default, |b| b.value),
    };
    let count = super::metric::named("count", source, ctx)?;
    let mut plan = super::finish::finish(
        super::finish::Spec {
            source,
            filter: None,
            range,
            keys: Vec::new(),
            measures: vec![count],
            sort: None,
            take: query.top.as_ref().map(|t| t.value),
            having: None,
            style: Style::Insight,
            title: title(kind, source, range, ctx),
        },
        ctx,
    )?;
    plan.insight = Some(insight);
    Ok(plan)
}

fn title(kind: InsightKind, source: Source, range: UtcRange, ctx: &Context) -> String {
    let when = super::describe_range(range, ctx);
    match kind {
        InsightKind::Anomalies => format!(
            "Anomalies of {} {when} (UTC days and hours): robust z-score against each one's own \
             baseline",
            source.name()
        ),
        InsightKind::Declining => format!(
            "Declining customers, {} {when} against the period before",
            source.name()
        ),
        InsightKind::SimBox => format!("SIM box suspects {when}"),
        InsightKind::International => format!("International traffic suspects {when}"),
    }
}

/// Refuses a `where`, which no insight reads (the other clauses: `shape::only`).
pub(super) fn no_filter(query: &Query) -> Result<(), Diagnostic> {
    match &query.filter {
        Some(e) => Err(Diagnostic::new(
            super::shape::first_span(e),
            "`where` does not apply to an insight",
        )),
        None => Ok(()),
    }
}
