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

#[derive(Debug, Clone, PartialEq)]
pub struct NewPlan {
    pub name: String,
    pub per_minute: Price,
    pub per_sms: Price,
    pub per_mb: Price,
    pub monthly_fee: Price,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub id: i64,
    pub name: String,
    pub per_minute: Price,
    pub per_sms: Price,
    pub per_mb: Price,
    pub monthly_fee: Price,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanChanges {
    pub per_minute: Option<Price>,
    pub per_sms: Option<Price>,
    pub per_mb: Option<Price>,
    pub monthly_fee: Option<Price>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewCustomer {
    pub key: SubscriberKey,
    pub name: Option<String>,
    /// The plan's name; it must exist.
    pub plan: Option<String>,
    pub region: Option<String>,
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

#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    pub id: i64,
    pub key: SubscriberKey,
    pub name: Option<String>,
    pub plan: Option<String>,
    pub region: Option<String>,
    pub status: CustomerStatus,
    pub created_at: DateTime<Utc>,
}

/// Fields to change on a customer; `Some(None)` clears an optional field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomerChanges {
    pub new_key: Option<SubscriberKey>,
    pub name: Option<Option<String>>,
    pub plan: Option<Option<String>>,
    pub region: Option<Option<String>>,
    pub status: Option<CustomerStatus>,
}

impl CustomerChanges {
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
