//! Which table answers: the coarsest rollup that can answer exactly, for the part of the range
//! aligned to its grain, and the raw rows for the edges.

use super::time::UtcRange;
use super::{Key, Table};
use chrono::{DateTime, TimeDelta, Utc};

/// A table and the part of the range it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    /// The table that answers.
    pub table: Table,
    /// The part of the query's range it answers.
    pub range: UtcRange,
}

/// What the query needs, as far as the choice of table goes.
pub struct Needs<'a> {
    /// A filter, key or atom only the raw rows have.
    pub raw_only: bool,
    /// A customer, plan or region key or filter, distinct customers, or revenue.
    pub per_customer: bool,
    /// The group keys.
    pub keys: &'a [Key],
    /// The time keys the filter reads (`where hour >= 22` reads the hour of the day).
    pub filter_times: &'a [Key],
    /// The zone's offsets over the range.
    pub offsets: &'a [(DateTime<Utc>, i64)],
}

/// The tables that answer `range` for `needs`: the coarsest rollup that can answer exactly,
/// for the whole hours or days inside the range, and the raw rows for the edges.
pub fn choose(needs: &Needs, range: UtcRange) -> Vec<Part> {
    let time_keys: Vec<Key> = needs
        .keys
        .iter()
        .chain(needs.filter_times)
        .copied()
        .filter(|k| k.is_time())
        .collect();
    let hour_aligned = needs.offsets.iter().all(|(_, o)| o % 3600 == 0);
    let utc_days = needs.offsets.iter().all(|(_, o)| *o == 0);
    let hourly = !needs.raw_only && !needs.per_customer && (time_keys.is_empty() || hour_aligned);
    let by_hour = time_keys
        .iter()
        .any(|k| matches!(k, Key::Hour | Key::Hourly));
    let daily = !needs.raw_only && (time_keys.is_empty() || (utc_days && !by_hour));
    if hourly {
        split(range, Table::NetworkHourly, 3600)
    } else if daily {
        split(range, Table::CustomerDaily, 86_400)
    } else {
        vec![Part {
            table: Table::Raw,
            range,
        }]
    }
}

/// The rollup for the whole grains inside the range, raw rows for what is left at each end.
fn split(range: UtcRange, rollup: Table, grain: i64) -> Vec<Part> {
    let up = |t: DateTime<Utc>| align(t, grain, true);
    let down = |t: DateTime<Utc>| align(t, grain, false);
    let middle = UtcRange {
        start: range.start.map(up),
        end: range.end.map(down),
    };
    if middle.is_empty() || middle.start == middle.end && middle.start.is_some() {
        return vec![Part {
            table: Table::Raw,
            range,
        }];
    }
    let mut parts = Vec::new();
    if let (Some(start), Some(aligned)) = (range.start, middle.start)
        && start < aligned
    {
        parts.push(Part {
            table: Table::Raw,
            range: UtcRange {
                start: Some(start),
                end: Some(aligned),
            },
        });
    }
    parts.push(Part {
        table: rollup,
        range: middle,
    });
    if let (Some(end), Some(aligned)) = (range.end, middle.end)
        && aligned < end
    {
        parts.push(Part {
            table: Table::Raw,
            range: UtcRange {
                start: Some(aligned),
                end: Some(end),
            },
        });
    }
    parts
}

fn align(t: DateTime<Utc>, grain: i64, up: bool) -> DateTime<Utc> {
    let s = t.timestamp();
    let floor = s.div_euclid(grain) * grain;
    let aligned = if up && floor < s {
        floor + grain
    } else {
        floor
    };
    t + TimeDelta::seconds(aligned - s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn range(a: &str, b: &str) -> UtcRange {
        UtcRange {
            start: Some(at(a)),
            end: Some(at(b)),
        }
    }

    fn tables(parts: &[Part]) -> Vec<Table> {
        parts.iter().map(|p| p.table).collect()
    }

    #[test]
    fn aligned_ranges_are_answered_by_the_rollup_alone() {
        let needs = Needs {
            raw_only: false,
            per_customer: false,
            keys: &[Key::Day],
            filter_times: &[],
            offsets: &[(at("2026-11-01T00:00:00Z"), 0)],
        };
        let parts = choose(
            &needs,
            range("2026-11-01T00:00:00Z", "2026-11-08T00:00:00Z"),
        );
        assert_eq!(tables(&parts), [Table::NetworkHourly]);
        assert_eq!(
            tables(&choose(&needs, UtcRange::all())),
            [Table::NetworkHourly]
        );
    }

    #[test]
    fn ragged_edges_come_from_the_raw_rows() {
        let needs = Needs {
            raw_only: false,
            per_customer: true,
            keys: &[Key::Customer],
            filter_times: &[],
            offsets: &[(at("2026-11-01T00:00:00Z"), 7200)],
        };
        let parts = choose(
            &needs,
            range("2026-10-31T22:00:00Z", "2026-11-07T22:00:00Z"),
        );
        assert_eq!(
            tables(&parts),
            [Table::Raw, Table::CustomerDaily, Table::Raw]
        );
        assert_eq!(
            parts[1].range,
            range("2026-11-01T00:00:00Z", "2026-11-07T00:00:00Z")
        );
        assert_eq!(
            parts[0].range,
            range("2026-10-31T22:00:00Z", "2026-11-01T00:00:00Z")
        );
    }

    #[test]
    fn raw_only_needs_and_short_ranges_read_raw_rows() {
        let offsets = [(at("2026-11-01T00:00:00Z"), 0)];
        let raw = Needs {
            raw_only: true,
            per_customer: false,
            keys: &[],
            filter_times: &[],
            offsets: &offsets,
        };
        assert_eq!(tables(&choose(&raw, UtcRange::all())), [Table::Raw]);
        let net = Needs {
            raw_only: false,
            per_customer: false,
            keys: &[],
            filter_times: &[],
            offsets: &offsets,
        };
        assert_eq!(
            tables(&choose(
                &net,
                range("2026-11-01T10:05:00Z", "2026-11-01T10:55:00Z")
            )),
            [Table::Raw]
        );
        // Local days in a zone off UTC are not whole customer_daily rows.
        let local = [(at("2026-11-01T00:00:00Z"), 3600)];
        let per_day = Needs {
            raw_only: false,
            per_customer: true,
            keys: &[Key::Day],
            filter_times: &[],
            offsets: &local,
        };
        assert_eq!(tables(&choose(&per_day, UtcRange::all())), [Table::Raw]);
    }
}
