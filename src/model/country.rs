//! The country of a phone number, from its E.164 country code and (for shared codes such as
//! +1 or +44) its numbering plan, by libphonenumber's metadata (the `phonenumber` crate).

/// What a number with no known country is filed under.
pub const UNKNOWN_COUNTRY: &str = "unknown";

/// The ISO 3166 code (`GB`, `US`) of a number stored as its E.164 digits (`447700900123`), or
/// `unknown` for text that is not such a number (a short code, a pseudonymous id) or a code
/// that names no single country (+800 freephone).
///
/// Not remembered here: the store asks only about numbers it has not stored yet, so a cache
/// would hold each number once and never be hit, and it held 140 MB during an import of a
/// million calls to 630,000 distinct numbers (BENCHMARKS.md).
pub fn country_of(number: &str) -> String {
    look_up(number)
}

fn look_up(number: &str) -> String {
    let digits = (8..=15).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_digit());
    if !digits {
        return UNKNOWN_COUNTRY.into();
    }
    let Ok(parsed) = phonenumber::parse(None, format!("+{number}")) else {
        return UNKNOWN_COUNTRY.into();
    };
    let country = parsed.country();
    // A number the plan does not know (a fiction range, a new block) is filed under the main
    // country of its code: the first region libphonenumber lists for it.
    let region = country.id().map(|id| id.as_ref().to_string()).or_else(|| {
        phonenumber::metadata::DATABASE
            .region(&country.code())
            .and_then(|regions| regions.first().map(|r| r.to_string()))
    });
    match region {
        Some(r) if r.len() == 2 && r.bytes().all(|b| b.is_ascii_uppercase()) => r,
        _ => UNKNOWN_COUNTRY.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_come_from_the_number() {
        assert_eq!(country_of("447700900123"), "GB");
        assert_eq!(country_of("33123456789"), "FR");
        assert_eq!(country_of("12025550123"), "US");
        assert_eq!(country_of("14165550123"), "CA");
        assert_eq!(country_of("61406823897"), "AU");
        assert_eq!(country_of("80012340000"), UNKNOWN_COUNTRY);
        // Numbers the plan does not list go to the code's main country.
        assert_eq!(country_of("447700000163"), "GB");
        assert_eq!(country_of("ABC_1"), UNKNOWN_COUNTRY);
        assert_eq!(country_of("12345"), UNKNOWN_COUNTRY);
        assert_eq!(country_of(""), UNKNOWN_COUNTRY);
    }
}
