//! The insights judged: each customer-day and network hour against its own robust baseline
//! (median and MAD), customers against the period before, call profiles against the SIM box
//! and international rules. Every row says how far it is and from what.

use super::{Column, Kind, ResultSet};
use crate::parse::ast::Source;
use crate::plan::insight::{BASELINE_DAYS, BASELINE_WEEKS, MIN_BASELINE_DAYS, MIN_BASELINE_WEEKS};
use crate::plan::{Insight, InsightKind, Plan};
use crate::store::{Rows, Value};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use std::collections::{BTreeMap, HashMap};

/// A SIM box sends nearly all its calls: at most this share of them incoming.
pub const SIMBOX_MAX_IN_SHARE: f64 = 0.05;
/// ... to many numbers: at least this many distinct numbers per outgoing call.
pub const SIMBOX_MIN_PARTIES_PER_CALL: f64 = 0.5;
/// ... in short calls: at most this many seconds on average.
pub const SIMBOX_MAX_AVG_SECONDS: f64 = 90.0;
/// ... from a fixed place: at most this many cells.
pub const SIMBOX_MAX_CELLS: i64 = 2;

/// The answer of an insight from the rows of its queries (`sql::insight_queries`, in order).
pub fn insight(plan: &Plan, i: &Insight, rows: &[Rows]) -> ResultSet {
    let mut rs = match i.kind {
        InsightKind::Anomalies => anomalies(i, rows),
        InsightKind::Declining => declining(i, rows),
        InsightKind::SimBox => simbox(rows),
        InsightKind::International => international(i, rows),
    };
    rs.title = Some(plan.title.clone());
    if let Some(n) = plan.take {
        rs.rows.truncate(usize::try_from(n).unwrap_or(usize::MAX));
    }
    rs
}

/// Median of `values` (sorted in place); 0 for none.
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// A baseline's centre and spread: the median, and the MAD scaled to a standard deviation
/// (× 1.4826), never below the noise of counting (√median, at least 1 unit).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Baseline {
    /// The median.
    pub median: f64,
    /// The spread a z-score divides by.
    pub scale: f64,
}

impl Baseline {
    /// The baseline of counts: the spread never below √median (at least 1).
    pub fn of(values: &[f64]) -> Baseline {
        let (m, mad) = median_and_mad(values);
        Baseline {
            median: m,
            scale: (1.4826 * mad).max(m.max(1.0).sqrt()),
        }
    }

    /// The baseline of volumes, which vary by factors rather than by amounts: of ln(1 + MB),
    /// the spread never below 0.5 (a factor of about 1.6).
    pub fn of_volumes(values: &[f64]) -> Baseline {
        let logs: Vec<f64> = values.iter().map(|x| x.max(0.0).ln_1p()).collect();
        let (m, mad) = median_and_mad(&logs);
        Baseline {
            median: m,
            scale: (1.4826 * mad).max(0.5),
        }
    }

    /// How many spreads `x` is from the median.
    pub fn z(&self, x: f64) -> f64 {
        (x - self.median) / self.scale
    }
}

fn median_and_mad(values: &[f64]) -> (f64, f64) {
    let mut v = values.to_vec();
    let m = median(&mut v);
    let mut deviations: Vec<f64> = values.iter().map(|x| (x - m).abs()).collect();
    (m, median(&mut deviations))
}

/// A day's z-score and the baseline's median as shown (MB for data).
fn judge(source: Source, window: &[f64], x: f64) -> (f64, f64) {
    if source == Source::Data {
        let b = Baseline::of_volumes(window);
        (b.z(x.max(0.0).ln_1p()), b.median.exp_m1())
    } else {
        let b = Baseline::of(window);
        (b.z(x), b.median)
    }
}

/// The value shown for a source: MB for data, the count otherwise.
fn unit(source: Source, raw: f64) -> f64 {
    if source == Source::Data {
        raw / 1e6
    } else {
        raw
    }
}

/// A value as its column shows it: a whole count, or MB.
fn shown(source: Source, x: f64) -> Value {
    if source == Source::Data {
        Value::Float(x)
    } else {
        Value::Int(x.round() as i64)
    }
}

fn parse_day(v: &Value) -> Option<NaiveDate> {
    let text: String = v.to_string().chars().take(10).collect();
    NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok()
}

fn anomalies(i: &Insight, rows: &[Rows]) -> ResultSet {
    let mut found: Vec<(f64, Vec<Value>)> = Vec::new();
    let first = i.start.date_naive();
    // Whole days only: a day not over yet is no drop.
    let days = (i.until - i.start).num_days();
    let mut by_customer: HashMap<String, (Option<NaiveDate>, HashMap<NaiveDate, f64>)> =
        HashMap::new();
    for row in rows.first().map_or(&[][..], |r| &r.rows[..]) {
        if let (Some(day), Some(v)) = (
            row.get(1).and_then(parse_day),
            row.get(2).and_then(Value::as_f64),
        ) {
            let entry = by_customer.entry(row[0].to_string()).or_default();
            entry.0 = row.get(3).and_then(parse_day);
            entry.1.insert(day, unit(i.source, v));
        }
    }
    let data_from = i.data_from.map(|t| t.date_naive());
    for (customer, (opened, values)) in &by_customer {
        let at = |d: NaiveDate| values.get(&d).copied().unwrap_or(0.0);
        for k in 0..days {
            let d = first + TimeDelta::days(k);
            // Only days the account was open and the store held data count as a baseline of
            // zeros: a customer or a store newer than a week is not judged yet.
            let known =
                |b: &NaiveDate| opened.is_none_or(|o| *b >= o) && data_from.is_none_or(|f| *b >= f);
            let window: Vec<f64> = (1..=BASELINE_DAYS)
                .map(|b| d - TimeDelta::days(b))
                .filter(known)
                .map(at)
                .collect();
            if (window.len() as i64) < MIN_BASELINE_DAYS {
                continue;
            }
            let (z, median) = judge(i.source, &window, at(d));
            if z.abs() >= i.threshold {
                found.push((
                    z,
                    vec![
                        Value::from("customer"),
                        Value::from(customer.as_str()),
                        Value::from(d.to_string()),
                        shown(i.source, at(d)),
                        Value::Float(median),
                        Value::Float(z),
                    ],
                ));
            }
        }
    }
    let mut hours: HashMap<DateTime<Utc>, f64> = HashMap::new();
    for row in rows.get(1).map_or(&[][..], |r| &r.rows[..]) {
        let hour = crate::model::from_sql_time(&row[0].to_string());
        if let (Some(h), Some(v)) = (hour, row.get(1).and_then(Value::as_f64)) {
            hours.insert(h, unit(i.source, v));
        }
    }
    let mut h = i.start;
    while h + TimeDelta::hours(1) <= i.until {
        let at = |t: DateTime<Utc>| hours.get(&t).copied().unwrap_or(0.0);
        let window: Vec<f64> = (1..=BASELINE_WEEKS)
            .map(|w| h - TimeDelta::weeks(w))
            .filter(|b| i.data_from.is_none_or(|f| *b >= f))
            .map(at)
            .collect();
        if (window.len() as i64) < MIN_BASELINE_WEEKS {
            h += TimeDelta::hours(1);
            continue;
        }
        let (z, median) = judge(i.source, &window, at(h));
        if z.abs() >= i.threshold {
            found.push((
                z,
                vec![
                    Value::from("network"),
                    Value::from(""),
                    Value::from(h.format("%Y-%m-%d %H:00").to_string()),
                    shown(i.source, at(h)),
                    Value::Float(median),
                    Value::Float(z),
                ],
            ));
        }
        h += TimeDelta::hours(1);
    }
    found.sort_by(|a, b| {
        b.0.abs()
            .total_cmp(&a.0.abs())
            .then_with(|| super::build::keys_order(&a.1, &b.1))
    });
    let (what, kind) = if i.source == Source::Data {
        ("MB", Kind::Number)
    } else {
        ("count", Kind::Count)
    };
    ResultSet {
        title: None,
        columns: vec![
            Column::new("scope", Kind::Text),
            Column::new("customer", Kind::Text),
            Column::new("period", Kind::Text),
            Column::new(what, kind),
            Column::new("baseline", Kind::Number),
            Column::new("z", Kind::Number),
        ],
        rows: found.into_iter().map(|(_, r)| r).collect(),
        vertical: false,
    }
}

fn declining(i: &Insight, rows: &[Rows]) -> ResultSet {
    let mut found: Vec<(f64, Vec<Value>)> = Vec::new();
    for row in rows.first().map_or(&[][..], |r| &r.rows[..]) {
        let now = row.get(3).and_then(Value::as_f64).unwrap_or(0.0);
        let before = row.get(4).and_then(Value::as_f64).unwrap_or(0.0);
        if before <= 0.0 {
            continue;
        }
        let change = (now - before) / before;
        if change <= -i.threshold {
            found.push((
                change,
                vec![
                    row[0].clone(),
                    row[1].clone(),
                    row[2].clone(),
                    Value::Float(unit(i.source, before)),
                    Value::Float(unit(i.source, now)),
                    Value::Float(change),
                ],
            ));
        }
    }
    found.sort_by(|a, b| {
        a.0.total_cmp(&b.0)
            .then_with(|| super::build::keys_order(&a.1, &b.1))
    });
    ResultSet {
        title: None,
        columns: vec![
            Column::new("customer", Kind::Text),
            Column::new("plan", Kind::Text),
            Column::new("region", Kind::Text),
            Column::new("before", Kind::Number),
            Column::new("now", Kind::Number),
            Column::new("change", Kind::Change),
        ],
        rows: found.into_iter().map(|(_, r)| r).collect(),
        vertical: false,
    }
}

fn simbox(rows: &[Rows]) -> ResultSet {
    let mut found: Vec<(i64, Vec<Value>)> = Vec::new();
    for row in rows.first().map_or(&[][..], |r| &r.rows[..]) {
        let n = |k: usize| row.get(k).and_then(Value::as_i64).unwrap_or(0);
        let (out, inward, parties, seconds, cells) = (n(1), n(2), n(3), n(4), n(5));
        if out == 0 {
            continue;
        }
        let avg = seconds as f64 / out as f64;
        let in_share = inward as f64 / (out + inward) as f64;
        let suspect = in_share <= SIMBOX_MAX_IN_SHARE
            && parties as f64 >= SIMBOX_MIN_PARTIES_PER_CALL * out as f64
            && avg <= SIMBOX_MAX_AVG_SECONDS
            && cells <= SIMBOX_MAX_CELLS;
        if suspect {
            found.push((
                out,
                vec![
                    row[0].clone(),
                    Value::Int(out),
                    Value::Int(inward),
                    Value::Int(parties),
                    Value::Float(avg),
                    Value::Int(cells),
                ],
            ));
        }
    }
    found.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| super::build::keys_order(&a.1, &b.1))
    });
    ResultSet {
        title: None,
        columns: vec![
            Column::new("customer", Kind::Text),
            Column::new("calls_out", Kind::Count),
            Column::new("calls_in", Kind::Count),
            Column::new("numbers_called", Kind::Count),
            Column::new("avg_duration", Kind::Seconds),
            Column::new("cells", Kind::Count),
        ],
        rows: found.into_iter().map(|(_, r)| r).collect(),
        vertical: false,
    }
}

fn international(i: &Insight, rows: &[Rows]) -> ResultSet {
    let until = crate::sql::whole_days_until(i);
    let days = (until - i.start).num_days().max(1) as f64;
    let mut found: BTreeMap<(i64, String), Vec<Value>> = BTreeMap::new();
    for row in rows.first().map_or(&[][..], |r| &r.rows[..]) {
        let now = row.get(1).and_then(Value::as_f64).unwrap_or(0.0);
        let before = row.get(2).and_then(Value::as_f64).unwrap_or(0.0);
        let expected = before / BASELINE_DAYS as f64 * days;
        let factor = now / expected.max(1.0);
        if factor >= i.threshold {
            found.insert(
                (-(factor * 1000.0) as i64, row[0].to_string()),
                vec![
                    row[0].clone(),
                    Value::Float(now),
                    Value::Float(expected),
                    Value::Float(factor),
                ],
            );
        }
    }
    ResultSet {
        title: None,
        columns: vec![
            Column::new("customer", Kind::Text),
            Column::new("international_calls", Kind::Number),
            Column::new("baseline", Kind::Number),
            Column::new("times_baseline", Kind::Number),
        ],
        rows: found.into_values().collect(),
        vertical: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_baseline_is_robust_to_one_wild_day() {
        let mut days = vec![10.0; 27];
        days.push(1000.0);
        let b = Baseline::of(&days);
        assert_eq!(b.median, 10.0);
        // MAD 0: the spread is counting noise, √10.
        assert!((b.scale - 10f64.sqrt()).abs() < 1e-12);
        assert!(b.z(40.0) > 9.0 && b.z(12.0) < 1.0);
        let spread = Baseline::of(&[1.0, 2.0, 3.0, 4.0, 100.0]);
        assert_eq!(spread.median, 3.0);
        // MAD 1 (× 1.4826) is below the counting noise of a median of 3.
        assert!((spread.scale - 3f64.sqrt()).abs() < 1e-12);
        let wide = Baseline::of(&[0.0, 10.0, 20.0, 30.0, 40.0]);
        assert!((wide.scale - 1.4826 * 10.0).abs() < 1e-9);
    }
}
