//! Customers: add, show, update, list (deleting one, with its records, is `records::cascade`).

use super::keys::{concurrent_duplicate, customer_id, select_ids};
use super::plans::plan_id;
use super::{DbError, Store, StoreError, Value};
use crate::model::{
    Customer, CustomerChanges, CustomerStatus, NewCustomer, SubscriberKey, from_sql_time, sql_time,
};
use chrono::Utc;
use std::collections::HashMap;

const SELECT_CUSTOMER: &str = "SELECT c.id, c.subscriber_key, c.name, p.name, c.region, c.status, c.created_at \
     FROM customers c LEFT JOIN plans p ON p.id = c.plan_id";

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn customer_from_row(row: &[Value]) -> Result<Customer, StoreError> {
    let corrupt = |what: &str| {
        StoreError::Db(DbError::Sql(
            format!("unreadable customer row: {what}").into(),
        ))
    };
    Ok(Customer {
        id: row[0].as_i64().ok_or_else(|| corrupt("id"))?,
        key: SubscriberKey::parse("customer", &row[1].to_string())?,
        name: text(&row[2]),
        plan: text(&row[3]),
        region: text(&row[4]),
        status: CustomerStatus::parse("status", &row[5].to_string())?,
        created_at: from_sql_time(&row[6].to_string()).ok_or_else(|| corrupt("created_at"))?,
    })
}

/// `text` matched literally by `LIKE … ESCAPE '!'`: its `%`, `_` and `!` escaped.
fn like_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '!') {
            out.push('!');
        }
        out.push(c);
    }
    out
}

/// Which customers [`Store::customers`] returns; every condition given must hold.
#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    /// Only customers on the plan of this name.
    pub plan: Option<String>,
    /// Only customers in this region, exactly as stored.
    pub region: Option<String>,
    /// Only customers in this account state.
    pub status: Option<CustomerStatus>,
    /// At most this many customers.
    pub limit: Option<usize>,
}

impl Store {
    /// Adds a customer and returns it as stored. Refused when the key is taken; the plan, if
    /// given, must exist.
    pub fn add_customer(&self, new: &NewCustomer) -> Result<Customer, StoreError> {
        let created = sql_time(new.created_at.unwrap_or_else(Utc::now));
        self.write(|conn| {
            let plan = new.plan.as_deref().map(|p| plan_id(conn, p)).transpose()?;
            let id = conn.insert(
                "INSERT INTO customers (subscriber_key, name, plan_id, region, status, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                &[
                    new.key.as_str().into(),
                    new.name.clone().into(),
                    plan.into(),
                    new.region.clone().into(),
                    new.status.as_str().into(),
                    created.clone().into(),
                ],
            )
            .map_err(|e| match e {
                DbError::Duplicate(_) => StoreError::Refused(format!("customer {} already exists", new.key)),
                other => StoreError::from(other),
            })?;
            super::periods::open_periods(conn, &[(id, plan)], self.dialect().max_params())?;
            super::countries::remember(conn, self.dialect(), [new.key.as_str()])
        })?;
        self.customer(&new.key)?
            .ok_or_else(|| StoreError::NotFound(format!("no customer {}", new.key)))
    }

    /// Adds many customers at once; keys already stored are left as they are. Returns how many
    /// were added.
    pub fn add_customers(&self, batch: &[NewCustomer]) -> Result<usize, StoreError> {
        let max_params = self.dialect().max_params();
        let now = Utc::now();
        self.write(|conn| {
            let keys: Vec<&SubscriberKey> = batch.iter().map(|c| &c.key).collect();
            let existing = select_ids(conn, &keys, max_params)?;
            let mut plan_ids: HashMap<&str, i64> = HashMap::new();
            let mut rows: Vec<Vec<Value>> = Vec::new();
            let mut added: Vec<(&SubscriberKey, Option<i64>)> = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for c in batch {
                if existing.contains_key(c.key.as_str()) || !seen.insert(c.key.as_str()) {
                    continue;
                }
                let plan = match c.plan.as_deref() {
                    Some(p) if !plan_ids.contains_key(p) => {
                        let id = plan_id(conn, p)?;
                        plan_ids.insert(p, id);
                        Some(id)
                    }
                    Some(p) => plan_ids.get(p).copied(),
                    None => None,
                };
                added.push((&c.key, plan));
                rows.push(vec![
                    c.key.as_str().into(),
                    c.name.clone().into(),
                    plan.into(),
                    c.region.clone().into(),
                    c.status.as_str().into(),
                    sql_time(c.created_at.unwrap_or(now)).into(),
                ]);
            }
            for chunk in rows.chunks((max_params / 6).min(1000)) {
                let sql = format!(
                    "INSERT INTO customers (subscriber_key, name, plan_id, region, status, created_at) VALUES {}",
                    super::dialect::placeholders(6, chunk.len())
                );
                let params: Vec<Value> = chunk.iter().flatten().cloned().collect();
                conn.execute(&sql, &params).map_err(concurrent_duplicate)?;
            }
            let new_keys: Vec<&SubscriberKey> = added.iter().map(|(k, _)| *k).collect();
            let ids = select_ids(conn, &new_keys, max_params)?;
            let periods: Vec<(i64, Option<i64>)> = added
                .iter()
                .filter_map(|(k, plan)| ids.get(k.as_str()).map(|id| (*id, *plan)))
                .collect();
            super::periods::open_periods(conn, &periods, max_params)?;
            super::countries::remember(conn, self.dialect(), keys.iter().map(|k| k.as_str()))?;
            Ok(rows.len())
        })
    }

    /// The customer with this key, if there is one.
    pub fn customer(&self, key: &SubscriberKey) -> Result<Option<Customer>, StoreError> {
        let rows = self.read(|conn| {
            Ok(conn.query(
                &format!("{SELECT_CUSTOMER} WHERE c.subscriber_key = ?"),
                &[key.as_str().into()],
            )?)
        })?;
        rows.rows.first().map(|r| customer_from_row(r)).transpose()
    }

    /// The customers that pass `filter`, by subscriber key.
    pub fn customers(&self, filter: &CustomerFilter) -> Result<Vec<Customer>, StoreError> {
        let mut conditions = Vec::new();
        let mut params: Vec<Value> = Vec::new();
        if let Some(plan) = &filter.plan {
            conditions.push("p.name = ?");
            params.push(plan.as_str().into());
        }
        if let Some(region) = &filter.region {
            conditions.push("c.region = ?");
            params.push(region.as_str().into());
        }
        if let Some(status) = filter.status {
            conditions.push("c.status = ?");
            params.push(status.as_str().into());
        }
        let mut sql = SELECT_CUSTOMER.to_string();
        if !conditions.is_empty() {
            sql.push_str(&format!(" WHERE {}", conditions.join(" AND ")));
        }
        sql.push_str(" ORDER BY c.subscriber_key");
        if let Some(limit) = filter.limit {
            sql.push_str(" LIMIT ?");
            params.push(limit.into());
        }
        let rows = self.read(|conn| Ok(conn.query(&sql, &params)?))?;
        rows.rows.iter().map(|r| customer_from_row(r)).collect()
    }

    /// The regions customers are in, in order.
    pub fn regions(&self) -> Result<Vec<String>, StoreError> {
        let sql = "SELECT DISTINCT region FROM customers WHERE region IS NOT NULL ORDER BY region";
        let rows = self.read(|conn| Ok(conn.query(sql, &[])?))?;
        Ok(rows.rows.iter().map(|r| r[0].to_string()).collect())
    }

    /// Subscriber keys that start with `prefix`, in order, at most `limit`, read once (see
    /// [`Store::read_once`]).
    pub fn keys_starting(&self, prefix: &str, limit: usize) -> Result<Vec<String>, StoreError> {
        let sql = "SELECT subscriber_key FROM customers WHERE subscriber_key LIKE ? ESCAPE '!' \
                   ORDER BY subscriber_key LIMIT ?";
        let pattern = format!("{}%", like_escaped(prefix));
        let rows = self.read_once(|conn| Ok(conn.query(sql, &[pattern.into(), limit.into()])?))?;
        Ok(rows.rows.iter().map(|r| r[0].to_string()).collect())
    }

    /// Customers whose key starts with `text` or whose name holds it (any case), by key, at
    /// most `limit`: how the menu finds a customer.
    pub fn find_customers(&self, text: &str, limit: usize) -> Result<Vec<Customer>, StoreError> {
        let sql = format!(
            "{SELECT_CUSTOMER} WHERE c.subscriber_key LIKE ? ESCAPE '!' \
             OR LOWER(c.name) LIKE ? ESCAPE '!' ORDER BY c.subscriber_key LIMIT ?"
        );
        let escaped = like_escaped(&text.to_lowercase());
        let params: [Value; 3] = [
            format!("{}%", like_escaped(text)).into(),
            format!("%{escaped}%").into(),
            limit.into(),
        ];
        let rows = self.read(|conn| Ok(conn.query(&sql, &params)?))?;
        rows.rows.iter().map(|r| customer_from_row(r)).collect()
    }

    /// Changes a customer and returns it as stored. Refused when nothing is to change or the new
    /// key is taken; a new plan must exist.
    pub fn update_customer(
        &self,
        key: &SubscriberKey,
        changes: &CustomerChanges,
    ) -> Result<Customer, StoreError> {
        if changes.is_empty() {
            return Err(StoreError::Refused(
                "nothing to change: give at least one of --new-key, --name, --plan, --region, --status".into(),
            ));
        }
        self.write(|conn| {
            let id = customer_id(conn, key)?;
            let mut set: Vec<&str> = Vec::new();
            let mut params: Vec<Value> = Vec::new();
            if let Some(new_key) = &changes.new_key {
                set.push("subscriber_key = ?");
                params.push(new_key.as_str().into());
            }
            if let Some(name) = &changes.name {
                set.push("name = ?");
                params.push(name.clone().into());
            }
            if let Some(plan) = &changes.plan {
                let plan_id = plan.as_deref().map(|p| plan_id(conn, p)).transpose()?;
                let from = changes.plan_from.unwrap_or_else(|| Utc::now().date_naive());
                super::periods::change_plan(conn, self.dialect(), id, plan_id, from)?;
            }
            if let Some(region) = &changes.region {
                set.push("region = ?");
                params.push(region.clone().into());
            }
            if let Some(status) = changes.status {
                let was = conn
                    .query("SELECT status FROM customers WHERE id = ?", &[id.into()])?
                    .scalar()
                    .map(Value::to_string);
                let was_closed = was.as_deref() == Some(CustomerStatus::Closed.as_str());
                set.push("status = ?");
                params.push(status.as_str().into());
                // An account closes when it becomes closed (closing it again changes nothing,
                // even when when it closed is not known); reopened, it is open again.
                match (was_closed, status == CustomerStatus::Closed) {
                    (false, true) => {
                        set.push("closed_at = ?");
                        params.push(sql_time(Utc::now()).into());
                    }
                    (true, false) => set.push("closed_at = NULL"),
                    _ => {}
                }
            }
            if set.is_empty() {
                return Ok(());
            }
            params.push(id.into());
            conn.execute(
                &format!("UPDATE customers SET {} WHERE id = ?", set.join(", ")),
                &params,
            )
            .map_err(|e| match e {
                DbError::Duplicate(_) => StoreError::Refused(format!(
                    "customer {} already exists",
                    changes.new_key.as_ref().map_or(key, |k| k)
                )),
                other => other.into(),
            })?;
            Ok(())
        })?;
        let current = changes.new_key.as_ref().unwrap_or(key);
        self.customer(current)?
            .ok_or_else(|| StoreError::NotFound(format!("no customer {current}")))
    }
}
