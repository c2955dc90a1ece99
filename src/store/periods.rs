//! Plan history: each customer's plans over time as `plan_periods` rows, so that usage is
//! priced and grouped by the plan in force when it happened. A customer's periods cover every
//! UTC day from [`SINCE_ALWAYS`] to [`UNTIL_FURTHER`] without gap or overlap; a change of plan
//! from a day replaces everything from that day on.

use super::{Conn, Store, StoreError, Value};
use crate::model::SubscriberKey;
use chrono::NaiveDate;

/// The first day of a customer's first period: usage stored from before the account was
/// opened (an import of old CDRs) is priced at the first plan.
pub const SINCE_ALWAYS: &str = "1000-01-01";
/// The day after the last of a period that has no end yet.
pub const UNTIL_FURTHER: &str = "9999-12-31";

/// One period of a customer's plan history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanPeriod {
    /// The first UTC day of the period.
    pub from: String,
    /// The UTC day after its last.
    pub until: String,
    /// The plan's name; None for no plan.
    pub plan: Option<String>,
}

/// Gives each of these new customers (id, plan id) one period over all time.
pub(super) fn open_periods(
    conn: &mut dyn Conn,
    customers: &[(i64, Option<i64>)],
    max_params: usize,
) -> Result<(), StoreError> {
    for chunk in customers.chunks((max_params / 4).clamp(1, 1000)) {
        let sql = format!(
            "INSERT INTO plan_periods (customer_id, valid_from, valid_until, plan_id) VALUES {}",
            super::dialect::placeholders(4, chunk.len())
        );
        let params: Vec<Value> = chunk
            .iter()
            .flat_map(|(id, plan)| {
                [
                    Value::Int(*id),
                    SINCE_ALWAYS.into(),
                    UNTIL_FURTHER.into(),
                    (*plan).into(),
                ]
            })
            .collect();
        conn.execute(&sql, &params)?;
    }
    Ok(())
}

/// Puts customer `id` on `plan` from `from` on: later periods go, the one holding `from` ends
/// there, and the new one runs until further notice (joined to the one before when that has
/// the same plan). The customer's `plan_id` becomes the new plan, its latest.
pub(super) fn change_plan(
    conn: &mut dyn Conn,
    d: &dyn super::Dialect,
    id: i64,
    plan: Option<i64>,
    from: NaiveDate,
) -> Result<(), StoreError> {
    let day = from.format("%Y-%m-%d").to_string();
    if day.as_str() < SINCE_ALWAYS || day.as_str() >= UNTIL_FURTHER {
        return Err(StoreError::Refused(format!(
            "a plan can change from a day from {SINCE_ALWAYS} to before {UNTIL_FURTHER}, not {day}"
        )));
    }
    let at = || -> [Value; 2] { [Value::Int(id), day.as_str().into()] };
    // The customer's row is locked first, so two changes of one customer's plan run one after
    // the other; the periods are then read locked too, which reads them as the change before
    // left them (a plain read would see this transaction's older snapshot and split a period
    // that no longer exists).
    conn.query(
        &format!("SELECT id FROM customers WHERE id = ?{}", d.lock_rows()),
        &[Value::Int(id)],
    )?;
    conn.execute(
        "DELETE FROM plan_periods WHERE customer_id = ? AND valid_from >= ?",
        &at(),
    )?;
    let before = conn.query(
        &format!(
            "SELECT valid_from, plan_id FROM plan_periods WHERE customer_id = ? AND valid_from < ? \
             ORDER BY valid_from DESC LIMIT 1{}",
            d.lock_rows()
        ),
        &at(),
    )?;
    match before.rows.first() {
        Some(row) if row[1].as_i64() == plan => {
            conn.execute(
                "UPDATE plan_periods SET valid_until = ? WHERE customer_id = ? AND valid_from = ?",
                &[UNTIL_FURTHER.into(), Value::Int(id), row[0].clone()],
            )?;
        }
        before => {
            if let Some(row) = before {
                conn.execute(
                    "UPDATE plan_periods SET valid_until = ? WHERE customer_id = ? AND valid_from = ?",
                    &[day.as_str().into(), Value::Int(id), row[0].clone()],
                )?;
            }
            conn.execute(
                "INSERT INTO plan_periods (customer_id, valid_from, valid_until, plan_id) \
                 VALUES (?, ?, ?, ?)",
                &[
                    Value::Int(id),
                    day.as_str().into(),
                    UNTIL_FURTHER.into(),
                    plan.into(),
                ],
            )?;
        }
    }
    conn.execute(
        "UPDATE customers SET plan_id = ? WHERE id = ?",
        &[plan.into(), Value::Int(id)],
    )?;
    Ok(())
}

impl Store {
    /// A customer's plan history, oldest first.
    pub fn plan_history(&self, key: &SubscriberKey) -> Result<Vec<PlanPeriod>, StoreError> {
        let rows = self.read(|conn| {
            Ok(conn.query(
                "SELECT pp.valid_from, pp.valid_until, p.name FROM plan_periods pp \
                 JOIN customers c ON c.id = pp.customer_id LEFT JOIN plans p ON p.id = pp.plan_id \
                 WHERE c.subscriber_key = ? ORDER BY pp.valid_from",
                &[key.as_str().into()],
            )?)
        })?;
        Ok(rows
            .rows
            .iter()
            .map(|r| PlanPeriod {
                from: day_text(&r[0]),
                until: day_text(&r[1]),
                plan: r[2].as_str().map(str::to_string),
            })
            .collect())
    }
}

/// A stored day as `YYYY-MM-DD` (MySQL may give a DATE back with a time).
fn day_text(v: &Value) -> String {
    v.to_string().chars().take(10).collect()
}
