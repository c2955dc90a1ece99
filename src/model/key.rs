//! Subscriber keys (any printable id up to 64 characters) and E.164 phone numbers.

use super::ValidationError;
use std::fmt;

/// Longest subscriber key or party id the store accepts (the column width).
pub const MAX_KEY_CHARS: usize = 64;

/// Identifies a customer. An MSISDN when the operator uses phone numbers, but imported data often
/// carries pseudonymous ids (hashes, integers, extension names), so any printable text is accepted.
/// Keys that are written like phone numbers are normalised to digits only, so `+44 7700 900123` and
/// `447700900123` name the same customer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubscriberKey(String);

impl SubscriberKey {
    /// Reads a key: phone-number-like text becomes its digits; other text must be 1 to 64
    /// printable characters. Errors name `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
        let text = raw.trim();
        if let Some(digits) = phone_digits(text) {
            return Ok(SubscriberKey(digits));
        }
        check_printable(field, raw, text)?;
        Ok(SubscriberKey(text.to_string()))
    }

    /// The key's normal form: digits only for a phone number, else the trimmed text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SubscriberKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The other side of a call or SMS as recorded: a phone number, a short code or a pseudonymous id.
/// Same rules and normalisation as a subscriber key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PartyId(String);

impl PartyId {
    /// Reads a party id by the same rules as [`SubscriberKey::parse`].
    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
        SubscriberKey::parse(field, raw).map(|k| PartyId(k.0))
    }

    /// The id's normal form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<PhoneNumber> for PartyId {
    fn from(number: PhoneNumber) -> Self {
        PartyId(number.0)
    }
}

impl fmt::Display for PartyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An E.164 number: an optional `+`, then 8 to 15 digits. Spaces, dashes, dots and parentheses
/// between digits are accepted and dropped; the normal form is the digits alone.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

pub const PHONE_RULE: &str = "must be a phone number: an optional +, then 8 to 15 digits";

impl PhoneNumber {
    /// Reads an E.164 number; errors name `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
        phone_digits(raw.trim())
            .map(PhoneNumber)
            .ok_or_else(|| ValidationError::new(field, raw, PHONE_RULE))
    }

    /// The number's digits, without `+` or separators.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The digits of `text` when it is written as an E.164 number, else None.
fn phone_digits(text: &str) -> Option<String> {
    let body = text.strip_prefix('+').unwrap_or(text);
    if !body.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let mut digits = String::with_capacity(body.len());
    for c in body.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }
    (8..=15).contains(&digits.len()).then_some(digits)
}

fn check_printable(field: &str, raw: &str, text: &str) -> Result<(), ValidationError> {
    if text.is_empty() {
        return Err(ValidationError::new(field, raw, "must not be empty"));
    }
    if text.chars().count() > MAX_KEY_CHARS {
        return Err(ValidationError::new(
            field,
            raw,
            format!("must be at most {MAX_KEY_CHARS} characters"),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(ValidationError::new(
            field,
            raw,
            "must contain only printable characters",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_like_keys_are_normalised_to_digits() {
        let key = SubscriberKey::parse("customer", "+44 7700 900-123").unwrap();
        assert_eq!(key.as_str(), "447700900123");
    }

    #[test]
    fn pseudonymous_keys_are_kept_as_written() {
        for raw in [
            "a1b2c3d4e5f6g7h8",
            "17",
            "ext-1234",
            "5wNJA-PdRJ4-jxEdG-yOXpZ",
        ] {
            assert_eq!(SubscriberKey::parse("customer", raw).unwrap().as_str(), raw);
        }
    }

    #[test]
    fn empty_key_is_rejected() {
        let err = SubscriberKey::parse("customer", "  ").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid customer "  ": must not be empty"#
        );
    }

    #[test]
    fn long_key_is_rejected() {
        let raw = "k".repeat(65);
        let err = SubscriberKey::parse("customer", &raw).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(r#"invalid customer "{raw}": must be at most 64 characters"#)
        );
        assert!(SubscriberKey::parse("customer", &"k".repeat(64)).is_ok());
    }

    #[test]
    fn control_characters_are_rejected() {
        let err = SubscriberKey::parse("customer", "ab\u{7}c").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid customer "ab\u{7}c": must contain only printable characters"#
        );
    }

    #[test]
    fn phone_numbers_need_8_to_15_digits() {
        assert_eq!(
            PhoneNumber::parse("other", "+447700900456")
                .unwrap()
                .as_str(),
            "447700900456"
        );
        assert!(PhoneNumber::parse("other", "12345678").is_ok());
        assert!(PhoneNumber::parse("other", "123456789012345").is_ok());
        for bad in [
            "1234567",
            "1234567890123456",
            "44770O900456",
            "+",
            "++4477009004",
            "",
        ] {
            let err = PhoneNumber::parse("other", bad).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "invalid other {bad:?}: must be a phone number: an optional +, then 8 to 15 digits"
                )
            );
        }
    }
}
