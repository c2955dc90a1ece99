//! `tally customer ...` and `tally plan ...`.

use super::Invocation;
use super::args::{CustomerCommand, CustomerFields, PlanCommand, PlanPrices};
use super::output::table;
use crate::app::AppError;
use crate::model::{
    Customer, CustomerChanges, CustomerStatus, NewCustomer, NewPlan, Plan, PlanChanges, Price,
    SubscriberKey, ValidationError, parse_display_name, parse_name,
};
use crate::store::CustomerFilter;

pub fn customer(session: &Invocation, command: CustomerCommand) -> Result<(), AppError> {
    let zone = &session.settings.zone;
    match command {
        CustomerCommand::Add { key, fields } => {
            let new = new_customer(&key, &fields)?;
            let store = session.open_store()?;
            let c = store.add_customer(&new)?;
            crate::out::line(&format!("added customer {} (id {})", c.key, c.id))?;
        }
        CustomerCommand::Show { key } => {
            let key = SubscriberKey::parse("customer", &key)?;
            let store = session.open_store()?;
            let c = store
                .customer(&key)?
                .ok_or_else(|| crate::store::StoreError::NotFound(format!("no customer {key}")))?;
            crate::out::print(&customer_table(&[c], zone).to_string())?;
        }
        CustomerCommand::Update {
            key,
            new_key,
            fields,
            from,
        } => {
            let key = SubscriberKey::parse("customer", &key)?;
            let mut changes = customer_changes(new_key.as_deref(), &fields)?;
            changes.plan_from = from.as_deref().map(|d| plan_day(d, &changes)).transpose()?;
            let store = session.open_store()?;
            let c = store.update_customer(&key, &changes)?;
            crate::out::line(&format!("updated customer {}", c.key))?;
        }
        CustomerCommand::Delete { key, cascade } => {
            let key = SubscriberKey::parse("customer", &key)?;
            let store = session.open_store()?;
            let counts = store.delete_customer(&key, cascade)?;
            crate::out::line(&format!("deleted customer {key} and {counts}"))?;
        }
        CustomerCommand::List {
            plan,
            region,
            status,
            limit,
        } => {
            let filter = CustomerFilter {
                plan,
                region,
                status: status
                    .map(|s| CustomerStatus::parse("status", &s))
                    .transpose()?,
                limit,
            };
            let store = session.open_store()?;
            let customers = store.customers(&filter)?;
            crate::out::print(&customer_table(&customers, zone).to_string())?;
            crate::out::line(&format!("{} customers", customers.len()))?;
        }
    }
    Ok(())
}

fn new_customer(key: &str, f: &CustomerFields) -> Result<NewCustomer, ValidationError> {
    Ok(NewCustomer {
        key: SubscriberKey::parse("customer", key)?,
        name: f
            .name
            .as_deref()
            .map(|n| parse_display_name("name", n))
            .transpose()?
            .flatten(),
        plan: f
            .plan
            .as_deref()
            .map(|p| parse_name("plan", p))
            .transpose()?,
        region: f
            .region
            .as_deref()
            .map(|r| parse_name("region", r))
            .transpose()?,
        status: f
            .status
            .as_deref()
            .map_or(Ok(CustomerStatus::Active), |s| {
                CustomerStatus::parse("status", s)
            })?,
        created_at: None,
    })
}

/// The day of `--from`: a calendar date, given with `--plan`.
fn plan_day(text: &str, changes: &CustomerChanges) -> Result<chrono::NaiveDate, ValidationError> {
    if changes.plan.is_none() {
        return Err(ValidationError::new(
            "from",
            text,
            "--from says when a new plan takes effect: give --plan too",
        ));
    }
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| ValidationError::new("from", text, "must be a date, YYYY-MM-DD (2026-11-12)"))
}

/// An empty value clears an optional field.
fn optional(field: &str, raw: Option<&str>) -> Result<Option<Option<String>>, ValidationError> {
    match raw {
        None => Ok(None),
        Some(text) if text.trim().is_empty() => Ok(Some(None)),
        Some(text) => parse_name(field, text).map(|v| Some(Some(v))),
    }
}

fn customer_changes(
    new_key: Option<&str>,
    f: &CustomerFields,
) -> Result<CustomerChanges, ValidationError> {
    Ok(CustomerChanges {
        new_key: new_key
            .map(|k| SubscriberKey::parse("new key", k))
            .transpose()?,
        name: f
            .name
            .as_deref()
            .map(|n| parse_display_name("name", n))
            .transpose()?,
        plan: optional("plan", f.plan.as_deref())?,
        plan_from: None,
        region: optional("region", f.region.as_deref())?,
        status: f
            .status
            .as_deref()
            .map(|s| CustomerStatus::parse("status", s))
            .transpose()?,
    })
}

fn customer_table(customers: &[Customer], zone: &crate::model::Zone) -> prettytable::Table {
    let rows: Vec<Vec<String>> = customers
        .iter()
        .map(|c| {
            vec![
                c.key.to_string(),
                c.name.clone().unwrap_or_default(),
                c.plan.clone().unwrap_or_default(),
                c.region.clone().unwrap_or_default(),
                c.status.to_string(),
                zone.show(c.created_at),
            ]
        })
        .collect();
    table(
        &["customer", "name", "plan", "region", "status", "created"],
        &rows,
        &[],
    )
}

pub fn plan(session: &Invocation, command: PlanCommand) -> Result<(), AppError> {
    match command {
        PlanCommand::Add { name, prices } => {
            let changes = plan_prices(&prices)?;
            let plan = NewPlan {
                name: parse_name("plan", &name)?,
                per_minute: changes.per_minute.unwrap_or_default(),
                per_sms: changes.per_sms.unwrap_or_default(),
                per_mb: changes.per_mb.unwrap_or_default(),
                monthly_fee: changes.monthly_fee.unwrap_or_default(),
            };
            let store = session.open_store()?;
            let p = store.add_plan(&plan)?;
            crate::out::line(&format!("added plan {} (id {})", p.name, p.id))?;
        }
        PlanCommand::List => {
            let store = session.open_store()?;
            crate::out::print(&plan_table(&store.plans()?).to_string())?;
        }
        PlanCommand::Update { name, prices } => {
            let changes = plan_prices(&prices)?;
            let store = session.open_store()?;
            let p = store.update_plan(&name, &changes)?;
            crate::out::print(&plan_table(&[p]).to_string())?;
        }
    }
    Ok(())
}

fn plan_prices(p: &PlanPrices) -> Result<PlanChanges, ValidationError> {
    let price = |field: &str, raw: &Option<String>| {
        raw.as_deref().map(|r| Price::parse(field, r)).transpose()
    };
    Ok(PlanChanges {
        per_minute: price("per-minute", &p.per_minute)?,
        per_sms: price("per-sms", &p.per_sms)?,
        per_mb: price("per-mb", &p.per_mb)?,
        monthly_fee: price("monthly-fee", &p.monthly_fee)?,
    })
}

fn plan_table(plans: &[Plan]) -> prettytable::Table {
    let rows: Vec<Vec<String>> = plans
        .iter()
        .map(|p| {
            vec![
                p.name.clone(),
                p.per_minute.to_string(),
                p.per_sms.to_string(),
                p.per_mb.to_string(),
                p.monthly_fee.to_string(),
            ]
        })
        .collect();
    table(
        &["plan", "per minute", "per SMS", "per MB", "monthly fee"],
        &rows,
        &[1, 2, 3, 4],
    )
}
