//! Customers and tariff plans.

use super::{CustomerStatus, Price, SubscriberKey, ValidationError};
use chrono::{DateTime, Utc};

/// A short printable name (plan names, regions): 1 to 64 characters.
pub fn parse_name(field: &str, raw: &str) -> Result<String, ValidationError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(ValidationError::new(field, raw, "must not be empty"));
    }
    if text.chars().count() > 64 || text.chars().any(char::is_control) {
        return Err(ValidationError::new(
            field,
            raw,
            "must be at most 64 printable characters",
        ));
    }
    Ok(text.to_string())
}

/// A customer's display name: up to 200 printable characters; empty means none.
pub fn parse_display_name(field: &str, raw: &str) -> Result<Option<String>, ValidationError> {
    let text = raw.trim();
    if text.chars().count() > 200 || text.chars().any(char::is_control) {
        return Err(ValidationError::new(
            field,
            raw,
            "must be at most 200 printable characters",
        ));
    }
    Ok((!text.is_empty()).then(|| text.to_string()))
}

/// A tariff plan to be added.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPlan {
    /// The plan's name, unique, as customers and commands refer to it.
    pub name: String,
    /// Price of a minute of outgoing calls, charged per second.
    pub per_minute: Price,
    /// Price of an outgoing SMS.
    pub per_sms: Price,
    /// Price of a megabyte (1,000,000 bytes) of data, up and down together.
    pub per_mb: Price,
    /// The monthly fee. Stored and shown, but not counted in `revenue`.
    pub monthly_fee: Price,
}

/// A tariff plan as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The store's id for the plan.
    pub id: i64,
    /// The plan's name, unique, as customers and commands refer to it.
    pub name: String,
    /// Price of a minute of outgoing calls, charged per second.
    pub per_minute: Price,
    /// Price of an outgoing SMS.
    pub per_sms: Price,
    /// Price of a megabyte (1,000,000 bytes) of data, up and down together.
    pub per_mb: Price,
    /// The monthly fee. Stored and shown, but not counted in `revenue`.
    pub monthly_fee: Price,
}

/// Prices to change on a plan; `None` leaves a price as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanChanges {
    /// New price of a minute of outgoing calls.
    pub per_minute: Option<Price>,
    /// New price of an outgoing SMS.
    pub per_sms: Option<Price>,
    /// New price of a megabyte of data.
    pub per_mb: Option<Price>,
    /// New monthly fee.
    pub monthly_fee: Option<Price>,
}

/// A customer to be added.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCustomer {
    /// The customer's subscriber key; unique.
    pub key: SubscriberKey,
    /// The customer's display name, if any.
    pub name: Option<String>,
    /// The plan's name; it must exist.
    pub plan: Option<String>,
    /// The customer's region, free text, if any.
    pub region: Option<String>,
    /// The account's state.
    pub status: CustomerStatus,
    /// When the account was opened; now when not given.
    pub created_at: Option<DateTime<Utc>>,
}

impl NewCustomer {
    /// A customer known only by its key, as an import creates it.
    pub fn bare(key: SubscriberKey) -> NewCustomer {
        NewCustomer {
            key,
            name: None,
            plan: None,
            region: None,
            status: CustomerStatus::Active,
            created_at: None,
        }
    }
}

/// A customer as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    /// The store's id for the customer.
    pub id: i64,
    /// The customer's subscriber key; unique.
    pub key: SubscriberKey,
    /// The customer's display name, if any.
    pub name: Option<String>,
    /// The name of the customer's plan, if any.
    pub plan: Option<String>,
    /// The customer's region, free text, if any.
    pub region: Option<String>,
    /// The account's state.
    pub status: CustomerStatus,
    /// When the account was opened.
    pub created_at: DateTime<Utc>,
}

/// Fields to change on a customer; `Some(None)` clears an optional field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomerChanges {
    /// A new subscriber key; records already stored follow the customer.
    pub new_key: Option<SubscriberKey>,
    /// A new display name; `Some(None)` clears it.
    pub name: Option<Option<String>>,
    /// A new plan, by name; `Some(None)` clears it.
    pub plan: Option<Option<String>>,
    /// The UTC day the new plan takes effect (today when not given): usage before it stays
    /// priced at the plans it had.
    pub plan_from: Option<chrono::NaiveDate>,
    /// A new region; `Some(None)` clears it.
    pub region: Option<Option<String>>,
    /// A new account state.
    pub status: Option<CustomerStatus>,
}

impl CustomerChanges {
    /// Whether there is nothing to change.
    pub fn is_empty(&self) -> bool {
        *self == CustomerChanges::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert_eq!(parse_name("region", " North ").unwrap(), "North");
        let err = parse_name("region", "").unwrap_err();
        assert_eq!(err.to_string(), r#"invalid region "": must not be empty"#);
        assert_eq!(parse_display_name("name", "  ").unwrap(), None);
    }
}
