//! Customers and tariff plans.

use super::{CustomerStatus, SubscriberKey, ValidationError};
use chrono::{DateTime, Utc};
use std::fmt;

/// A non-negative amount of money per unit, in the operator's currency.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Price(f64);

impl Price {
    pub fn parse(field: &str, raw: &str) -> Result<Price, ValidationError> {
        let rule = "must be a non-negative number such as 0.05";
        let value: f64 = raw
            .trim()
            .parse()
            .map_err(|_| ValidationError::new(field, raw, rule))?;
        if !value.is_finite() || value < 0.0 {
            return Err(ValidationError::new(field, raw, rule));
        }
        Ok(Price(value))
    }

    pub fn from_f64(value: f64) -> Price {
        Price(value.max(0.0))
    }

    pub fn value(self) -> f64 {
        self.0
    }
}

impl fmt::Display for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = format!("{:.4}", self.0);
        let trimmed = text.trim_end_matches('0');
        let trimmed = if trimmed.ends_with('.') {
            &text[..trimmed.len() + 1]
        } else {
            trimmed
        };
        f.write_str(trimmed)
    }
}

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
    fn prices_must_be_non_negative_numbers() {
        assert_eq!(Price::parse("per-minute", "0.05").unwrap().value(), 0.05);
        for bad in ["-1", "abc", "NaN", "inf", ""] {
            let err = Price::parse("per-minute", bad).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("invalid per-minute {bad:?}: must be a non-negative number such as 0.05")
            );
        }
    }

    #[test]
    fn prices_display_without_noise() {
        assert_eq!(Price(0.05).to_string(), "0.05");
        assert_eq!(Price(15.0).to_string(), "15.0");
        assert_eq!(Price(0.0125).to_string(), "0.0125");
    }

    #[test]
    fn names_are_checked() {
        assert_eq!(parse_name("region", " North ").unwrap(), "North");
        let err = parse_name("region", "").unwrap_err();
        assert_eq!(err.to_string(), r#"invalid region "": must not be empty"#);
        assert_eq!(parse_display_name("name", "  ").unwrap(), None);
    }
}
