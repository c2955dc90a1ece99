//! Idle customers as SQL: every customer (with plan, region and account) for whom no record of
//! the source exists in the range — an anti-join on each record table's (customer, time)
//! index — with the time of their last record before the range.

use super::SqlQuery;
use super::conditions::filter_sql;
use super::parts::Frag;
use crate::model::{RecordKind, sql_time};
use crate::plan::Idle;
use crate::store::{Dialect, Value};
use crate::vocab::Source;

/// The record tables of a source and their time columns.
fn tables(source: Source) -> Vec<(&'static str, &'static str)> {
    let kinds: &[RecordKind] = match source {
        Source::Calls => &[RecordKind::Call],
        Source::Sms => &[RecordKind::Sms],
        Source::Data => &[RecordKind::Data],
        Source::Usage => &[RecordKind::Call, RecordKind::Sms, RecordKind::Data],
    };
    kinds.iter().map(|k| (k.table(), k.time_column())).collect()
}

/// `SELECT key, plan, region, account, last record per table … FROM customers WHERE NOT
/// EXISTS (a record in the range) …`. The columns after the account are each table's latest
/// record time before the range (NULL for none).
pub fn idle(idle: &Idle, d: &dyn Dialect) -> SqlQuery {
    let (start, end) = (
        Value::Text(sql_time(idle.start)),
        Value::Text(sql_time(idle.end)),
    );
    let mut f = Frag::default();
    f.push("SELECT c.subscriber_key, p.name, c.region, c.status");
    for (table, time) in tables(idle.source) {
        f.push(&format!(
            ", (SELECT MAX(t.{time}) FROM {table} t WHERE t.customer_id = c.id AND t.{time} < "
        ));
        f.bind(start.clone());
        f.push(")");
    }
    f.push(" FROM customers c LEFT JOIN plans p ON p.id = c.plan_id WHERE ");
    for (i, (table, time)) in tables(idle.source).iter().enumerate() {
        if i > 0 {
            f.push(" AND ");
        }
        f.push(&format!(
            "NOT EXISTS (SELECT 1 FROM {table} t WHERE t.customer_id = c.id AND t.{time} >= "
        ));
        f.bind(start.clone());
        f.push(&format!(" AND t.{time} < "));
        f.bind(end.clone());
        f.push(")");
    }
    if let Some(filter) = &idle.filter {
        f.push(" AND ");
        // Only customer fields reach here: no record time to read.
        filter_sql(filter, d, &|_| "NULL".to_string(), &mut f);
    }
    SqlQuery {
        sql: f.sql,
        params: f.params,
        columns: Vec::new(),
    }
}
