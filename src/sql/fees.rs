//! The plan periods whose monthly fees an answer adds: each period that meets the answer's
//! stretch of time, with its customer's account dates and properties and its plan's fee,
//! filtered by the `where` on the customer (the plan in a condition is the period's).

use super::SqlQuery;
use super::conditions::filter_sql;
use super::parts::Frag;
use crate::model::sql_time;
use crate::plan::FeeSpec;
use crate::store::{Dialect, Value};

/// `SELECT` of the fee periods: customer id, key, plan name, region, account status, opened,
/// closed, period start, period end, monthly fee, then for a closed account whose closing
/// time is not known (stored closed, or closed before schema 8) its last call, SMS and data
/// session: it is taken to have closed with its last record.
pub fn fee_periods(spec: &FeeSpec, d: &dyn Dialect) -> SqlQuery {
    let mut f = Frag::default();
    let last = |table: &str, time: &str| {
        format!(
            "CASE WHEN c.status = 'closed' AND c.closed_at IS NULL THEN \
             (SELECT MAX(x.{time}) FROM {table} x WHERE x.customer_id = c.id) END"
        )
    };
    f.push(&format!(
        "SELECT c.id, c.subscriber_key, p.name, c.region, c.status, c.created_at, c.closed_at, \
         pp.valid_from, pp.valid_until, p.monthly_fee, {}, {}, {} FROM plan_periods pp \
         JOIN customers c ON c.id = pp.customer_id LEFT JOIN plans p ON p.id = pp.plan_id \
         WHERE 1 = 1",
        last("calls", "start_time"),
        last("sms", "sent_at"),
        last("data_sessions", "start_time")
    ));
    if let Some(from) = spec.from {
        f.push(" AND pp.valid_until > ");
        f.bind(Value::Text(sql_time(from)[..10].to_string()));
        f.push(" AND (c.closed_at IS NULL OR c.closed_at > ");
        f.bind(Value::Text(sql_time(from)));
        f.push(")");
    }
    if let Some(to) = spec.to {
        f.push(" AND pp.valid_from < ");
        f.bind(Value::Text(sql_time(to)));
        f.push(" AND c.created_at < ");
        f.bind(Value::Text(sql_time(to)));
    }
    if let Some(filter) = &spec.filter {
        f.push(" AND ");
        // Fees take customer conditions only (FeeSpec::refusal): no time of day to read.
        filter_sql(filter, d, &|_| "NULL".to_string(), &mut f);
    }
    f.push(" ORDER BY c.id, pp.valid_from");
    SqlQuery {
        sql: f.sql,
        params: f.params,
        columns: Vec::new(),
    }
}
