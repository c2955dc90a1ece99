//! Tariff plans: add, list, update.

use super::{Conn, DbError, Store, StoreError, Value};
use crate::model::{NewPlan, Plan, PlanChanges, Price};

const SELECT_PLAN: &str =
    "SELECT id, name, price_per_minute, price_per_sms, price_per_mb, monthly_fee FROM plans";

fn plan_from_row(row: &[Value]) -> Plan {
    let price = |i: usize| Price::from_f64(row[i].as_f64().unwrap_or(0.0));
    Plan {
        id: row[0].as_i64().unwrap_or(0),
        name: row[1].to_string(),
        per_minute: price(2),
        per_sms: price(3),
        per_mb: price(4),
        monthly_fee: price(5),
    }
}

/// The plan's id, or a NotFound naming the plan.
pub(super) fn plan_id(conn: &mut dyn Conn, name: &str) -> Result<i64, StoreError> {
    conn.query("SELECT id FROM plans WHERE name = ?", &[name.into()])?
        .scalar()
        .and_then(Value::as_i64)
        .ok_or_else(|| {
            StoreError::NotFound(format!("no plan named {name:?} (see `tally plan list`)"))
        })
}

impl Store {
    /// Adds a plan and returns it with its id; refused when the name is taken.
    pub fn add_plan(&self, plan: &NewPlan) -> Result<Plan, StoreError> {
        let params = [
            plan.name.as_str().into(),
            plan.per_minute.sql_text().into(),
            plan.per_sms.sql_text().into(),
            plan.per_mb.sql_text().into(),
            plan.monthly_fee.sql_text().into(),
        ];
        let id = self.write(|conn| {
            conn.insert(
                "INSERT INTO plans (name, price_per_minute, price_per_sms, price_per_mb, monthly_fee) VALUES (?, ?, ?, ?, ?)",
                &params,
            )
            .map_err(|e| match e {
                DbError::Duplicate(_) => {
                    StoreError::Refused(format!("a plan named {:?} already exists", plan.name))
                }
                other => other.into(),
            })
        })?;
        Ok(Plan {
            id,
            name: plan.name.clone(),
            per_minute: plan.per_minute,
            per_sms: plan.per_sms,
            per_mb: plan.per_mb,
            monthly_fee: plan.monthly_fee,
        })
    }

    /// Every plan, by name.
    pub fn plans(&self) -> Result<Vec<Plan>, StoreError> {
        let rows =
            self.read(|conn| Ok(conn.query(&format!("{SELECT_PLAN} ORDER BY name"), &[])?))?;
        Ok(rows.rows.iter().map(|r| plan_from_row(r)).collect())
    }

    /// The plan of this name, if there is one.
    pub fn plan(&self, name: &str) -> Result<Option<Plan>, StoreError> {
        let rows = self.read(|conn| {
            Ok(conn.query(&format!("{SELECT_PLAN} WHERE name = ?"), &[name.into()])?)
        })?;
        Ok(rows.rows.first().map(|r| plan_from_row(r)))
    }

    /// Changes a plan's prices and returns it as stored; refused when nothing is to change.
    pub fn update_plan(&self, name: &str, changes: &PlanChanges) -> Result<Plan, StoreError> {
        let fields = [
            ("price_per_minute", changes.per_minute),
            ("price_per_sms", changes.per_sms),
            ("price_per_mb", changes.per_mb),
            ("monthly_fee", changes.monthly_fee),
        ];
        let set: Vec<(&str, Price)> = fields
            .iter()
            .filter_map(|(column, price)| price.map(|p| (*column, p)))
            .collect();
        if set.is_empty() {
            return Err(StoreError::Refused(
                "nothing to change: give at least one of --per-minute, --per-sms, --per-mb, --monthly-fee".into(),
            ));
        }
        let assignments: Vec<String> = set.iter().map(|(c, _)| format!("{c} = ?")).collect();
        let mut params: Vec<Value> = set.iter().map(|(_, p)| p.sql_text().into()).collect();
        params.push(name.into());
        self.write(|conn| {
            plan_id(conn, name)?;
            conn.execute(
                &format!("UPDATE plans SET {} WHERE name = ?", assignments.join(", ")),
                &params,
            )?;
            Ok(())
        })?;
        self.plan(name)?
            .ok_or_else(|| StoreError::NotFound(format!("no plan named {name:?}")))
    }
}
