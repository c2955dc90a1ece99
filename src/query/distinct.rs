//! Distinct customers from the active-customer bitmaps instead of SQL, when the aggregate is one
//! row (no group keys) with no filter: whole UTC days come from the bitmaps, the ragged edges
//! from the raw rows. Anything else goes to SQL as before.

use crate::model::{RecordKind, sql_time};
use crate::plan::tables::{Needs, choose};
use crate::plan::{Aggregate, Atom, Table};
use crate::store::DistinctCustomers;
use crate::vocab::Source;

const DAY: i64 = 86_400;

/// The aggregate without its distinct-customer atom, and the question the bitmaps answer
/// instead; None when the bitmaps cannot answer it exactly.
pub fn split(agg: &Aggregate) -> Option<(Aggregate, DistinctCustomers)> {
    let simple = agg.keys.is_empty()
        && agg.filter.is_none()
        && agg.pushed.is_empty()
        && agg.order.is_none()
        && agg.atoms.contains(&Atom::Customers);
    if !simple {
        return None;
    }
    let mut days: Option<std::ops::Range<i64>> = None;
    let mut edges = Vec::new();
    for part in &agg.parts {
        let (start, end) = (part.range.start?, part.range.end?);
        match part.table {
            Table::CustomerDaily => {
                let (from, to) = (start.timestamp(), end.timestamp());
                if from % DAY != 0 || to % DAY != 0 || days.is_some() {
                    return None;
                }
                days = Some(from / DAY..to / DAY);
            }
            Table::Raw => edges.push((sql_time(start), sql_time(end))),
            Table::NetworkHourly | Table::CustomerSpan(_) => return None,
        }
    }
    let mut rest = agg.clone();
    rest.atoms.retain(|a| *a != Atom::Customers);
    let daily = agg.parts.iter().any(|p| p.table == Table::CustomerDaily);
    if daily && !rest.priced {
        // Only the distinct customers needed per-customer rows: the rest sums network hours.
        let needs = Needs {
            raw_only: false,
            per_customer: false,
            keys: &[],
            filter_times: &[],
            offsets: &rest.offsets,
        };
        rest.parts = choose(&needs, rest.range);
    }
    let ask = DistinctCustomers {
        kinds: kinds(agg.source),
        days: days.unwrap_or(0..0),
        edges,
    };
    Some((rest, ask))
}

fn kinds(source: Source) -> Vec<RecordKind> {
    match source {
        Source::Calls => vec![RecordKind::Call],
        Source::Sms => vec![RecordKind::Sms],
        Source::Data => vec![RecordKind::Data],
        Source::Usage => vec![RecordKind::Call, RecordKind::Sms, RecordKind::Data],
    }
}

/// How `explain` says the bitmaps answer, under `what` (`active customers: `), else under
/// `distinct customers: `.
pub fn describe(ask: &DistinctCustomers, what: &str) -> String {
    let what = if what.is_empty() {
        "distinct customers: "
    } else {
        what
    };
    let mut out = format!("{what}answered without SQL from:\n");
    let names: Vec<&str> = ask.kinds.iter().map(|k| k.table()).collect();
    if ask.days.start < ask.days.end {
        let day = |d: i64| {
            chrono::DateTime::from_timestamp(d * DAY, 0)
                .map_or_else(String::new, |t| t.format("%Y-%m-%d").to_string())
        };
        out.push_str(&format!(
            "  active_daily bitmaps of {} for the UTC days {} to {} (exclusive), OR-ed\n",
            names.join(", "),
            day(ask.days.start),
            day(ask.days.end)
        ));
    }
    for (from, to) in &ask.edges {
        out.push_str(&format!(
            "  customer ids of raw {} from {from} to {to} UTC, added to the bitmap\n",
            names.join(", ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::tables::Part;
    use crate::plan::time::UtcRange;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc
            .with_ymd_and_hms(2026, 11, day, hour, 0, 0)
            .single()
            .unwrap()
    }

    fn part(table: Table, from: (u32, u32), to: (u32, u32)) -> Part {
        Part {
            table,
            range: UtcRange {
                start: Some(at(from.0, from.1)),
                end: Some(at(to.0, to.1)),
            },
        }
    }

    fn aggregate(parts: Vec<Part>) -> Aggregate {
        Aggregate {
            source: Source::Calls,
            filter: None,
            range: UtcRange {
                start: parts.first().and_then(|p| p.range.start),
                end: parts.last().and_then(|p| p.range.end),
            },
            keys: Vec::new(),
            shown_keys: 0,
            atoms: vec![Atom::CallsOut, Atom::Customers],
            priced: false,
            parts,
            offsets: Vec::new(),
            order: None,
            limit: None,
            pushed: Vec::new(),
        }
    }

    #[test]
    fn whole_days_from_bitmaps_and_edges_from_raw_rows() {
        let agg = aggregate(vec![
            part(Table::Raw, (20, 10), (21, 0)),
            part(Table::CustomerDaily, (21, 0), (23, 0)),
            part(Table::Raw, (23, 0), (23, 5)),
        ]);
        let (rest, ask) = split(&agg).expect("answerable");
        assert_eq!(rest.atoms, [Atom::CallsOut]);
        assert!(
            rest.parts.iter().any(|p| p.table == Table::NetworkHourly),
            "the rest sums network hours: {:?}",
            rest.parts
        );
        assert_eq!(ask.kinds, [RecordKind::Call]);
        assert_eq!(ask.days.end - ask.days.start, 2);
        assert_eq!(
            ask.edges,
            [
                ("2026-11-20 10:00:00".into(), "2026-11-21 00:00:00".into()),
                ("2026-11-23 00:00:00".into(), "2026-11-23 05:00:00".into())
            ]
        );
    }

    #[test]
    fn grouped_filtered_or_hourly_aggregates_stay_with_sql() {
        let mut grouped = aggregate(vec![part(Table::CustomerDaily, (21, 0), (23, 0))]);
        grouped.keys = vec![crate::plan::Key::Day];
        assert!(split(&grouped).is_none());
        let hourly = aggregate(vec![part(Table::NetworkHourly, (21, 0), (23, 0))]);
        assert!(split(&hourly).is_none());
        let mut no_customers = aggregate(vec![part(Table::CustomerDaily, (21, 0), (23, 0))]);
        no_customers.atoms = vec![Atom::CallsOut];
        assert!(split(&no_customers).is_none());
    }
}
