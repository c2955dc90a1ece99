//! The rows the insights judge: per-customer days and network hours from the rollups, and
//! per-customer call profiles from the raw calls. Every bound is a parameter.

use super::SqlQuery;
use super::parts::Frag;
use crate::model::sql_time;
use crate::parse::ast::Source;
use crate::plan::insight::{BASELINE_DAYS, BASELINE_WEEKS};
use crate::plan::{Insight, InsightKind};
use crate::store::Value;
use chrono::{DateTime, TimeDelta, Utc};

/// The rollup counter sum an insight measures a source by: calls, SMS, bytes or records.
fn value(source: Source) -> &'static str {
    match source {
        Source::Calls => "(t.calls_out + t.calls_in)",
        Source::Sms => "(t.sms_out + t.sms_in)",
        Source::Data => "(t.bytes_up + t.bytes_down)",
        Source::Usage => "t.records",
    }
}

/// The midnight after the last whole day of the insight's range that is over.
pub fn whole_days_until(i: &Insight) -> DateTime<Utc> {
    let midnight = i
        .until
        .date_naive()
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    midnight.max(i.start)
}

fn day(t: DateTime<Utc>) -> Value {
    Value::Text(sql_time(t)[..10].to_string())
}

fn instant(t: DateTime<Utc>) -> Value {
    Value::Text(sql_time(t))
}

fn query(f: Frag) -> SqlQuery {
    SqlQuery {
        sql: f.sql,
        params: f.params,
        columns: Vec::new(),
    }
}

/// The SQL an insight reads: for anomalies, the customer days then the network hours.
pub fn insight_queries(i: &Insight) -> Vec<SqlQuery> {
    match i.kind {
        InsightKind::Anomalies => vec![customer_days(i), network_hours(i)],
        InsightKind::Declining => vec![declining(i)],
        InsightKind::SimBox => vec![simbox(i)],
        InsightKind::International => vec![international(i)],
    }
}

/// Key, day, value and account opening of every customer day with usage, from the
/// baseline's first day on.
fn customer_days(i: &Insight) -> SqlQuery {
    let v = value(i.source);
    let mut f = Frag::default();
    f.push(&format!(
        "SELECT c.subscriber_key, t.day, {v}, c.created_at FROM customer_daily t \
         JOIN customers c ON c.id = t.customer_id WHERE t.day >= "
    ));
    f.bind(day(i.start - TimeDelta::days(BASELINE_DAYS)));
    f.push(" AND t.day < ");
    f.bind(day(i.end));
    f.push(&format!(" AND {v} > 0"));
    query(f)
}

/// Hour and value of every network hour with usage, from the baseline's first week on.
fn network_hours(i: &Insight) -> SqlQuery {
    let v = value(i.source);
    let mut f = Frag::default();
    f.push(&format!(
        "SELECT t.hour, {v} FROM network_hourly t WHERE t.hour >= "
    ));
    f.bind(instant(i.start - TimeDelta::weeks(BASELINE_WEEKS)));
    f.push(" AND t.hour < ");
    f.bind(instant(i.end));
    f.push(&format!(" AND {v} > 0"));
    query(f)
}

/// Key, plan, region, usage in the range and in the equal period before, for customers with
/// at least the baseline before (bytes for data: the baseline is in MB).
fn declining(i: &Insight) -> SqlQuery {
    let v = value(i.source);
    // Whole days only, the same number before as after: a day not over is no decline.
    let end = whole_days_until(i);
    let before = i.start - (end - i.start);
    let least = if i.source == Source::Data {
        i.baseline.saturating_mul(1_000_000)
    } else {
        i.baseline
    };
    let mut f = Frag::default();
    f.push(&format!(
        "SELECT c.subscriber_key, p.name, c.region, SUM(CASE WHEN t.day >= ? THEN {v} ELSE 0 END), \
         SUM(CASE WHEN t.day < ? THEN {v} ELSE 0 END) FROM customer_daily t \
         JOIN customers c ON c.id = t.customer_id LEFT JOIN plans p ON p.id = c.plan_id \
         WHERE t.day >= "
    ));
    f.params.extend([day(i.start), day(i.start)]);
    f.bind(day(before));
    f.push(" AND t.day < ");
    f.bind(day(end));
    f.push(&format!(
        " GROUP BY c.subscriber_key, p.name, c.region HAVING SUM(CASE WHEN t.day < ? THEN {v} \
         ELSE 0 END) >= "
    ));
    f.params.push(day(i.start));
    f.bind(Value::Int(i64::try_from(least).unwrap_or(i64::MAX)));
    query(f)
}

/// Per customer with at least the baseline of outgoing calls in the range: outgoing and
/// incoming calls, distinct numbers called, outgoing seconds, distinct cells.
fn simbox(i: &Insight) -> SqlQuery {
    let out = "CASE WHEN t.direction = 'out' THEN 1 ELSE 0 END";
    let mut f = Frag::default();
    f.push(&format!(
        "SELECT c.subscriber_key, SUM({out}), SUM(CASE WHEN t.direction = 'in' THEN 1 ELSE 0 END), \
         COUNT(DISTINCT CASE WHEN t.direction = 'out' THEN t.other_party END), \
         SUM(CASE WHEN t.direction = 'out' THEN t.duration_s ELSE 0 END), \
         COUNT(DISTINCT t.cell_id) FROM calls t JOIN customers c ON c.id = t.customer_id \
         WHERE t.start_time >= "
    ));
    f.bind(instant(i.start));
    f.push(" AND t.start_time < ");
    f.bind(instant(i.end));
    f.push(&format!(" GROUP BY c.subscriber_key HAVING SUM({out}) >= "));
    f.bind(Value::Int(i64::try_from(i.baseline).unwrap_or(i64::MAX)));
    query(f)
}

/// Per customer: international calls (a known country other than the customer's own) in the
/// range and in the baseline days before it, for customers with at least the baseline in it.
fn international(i: &Insight) -> SqlQuery {
    let now = "CASE WHEN t.start_time >= ? THEN 1 ELSE 0 END";
    let mut f = Frag::default();
    f.push(&format!(
        "SELECT c.subscriber_key, SUM({now}), SUM(CASE WHEN t.start_time < ? THEN 1 ELSE 0 END) \
         FROM calls t JOIN customers c ON c.id = t.customer_id \
         JOIN number_countries oc ON oc.number = t.other_party \
         JOIN number_countries cc ON cc.number = c.subscriber_key \
         WHERE oc.country <> 'unknown' AND cc.country <> 'unknown' AND oc.country <> cc.country \
         AND t.start_time >= "
    ));
    f.params.extend([instant(i.start), instant(i.start)]);
    f.bind(instant(i.start - TimeDelta::days(BASELINE_DAYS)));
    f.push(" AND t.start_time < ");
    f.bind(instant(whole_days_until(i)));
    f.push(&format!(" GROUP BY c.subscriber_key HAVING SUM({now}) >= "));
    f.params.push(instant(i.start));
    f.bind(Value::Int(i64::try_from(i.baseline).unwrap_or(i64::MAX)));
    query(f)
}
