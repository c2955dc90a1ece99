//! Prices: exact amounts of money per unit, held as millionths so that both backends store and
//! return the same value (a float would turn 0.1 + 0.2 into 0.30000000000000004).

use super::ValidationError;
use std::fmt;

/// Decimal places a price may have: enough for a price per MB or per second, and what the
/// MySQL column (`DECIMAL(16,6)`) keeps exactly.
pub const PRICE_DECIMALS: u32 = 6;

/// The largest price per unit (and monthly fee): far above any tariff, far below what the
/// column and a revenue sum over billions of units can hold.
pub const MAX_PRICE_UNITS: i64 = 1_000_000;

const SCALE: i64 = 10_i64.pow(PRICE_DECIMALS);

const RULE: &str =
    "must be a decimal number from 0 to 1000000 with at most 6 decimal places, such as 0.05";

/// A non-negative amount of money per unit, in the operator's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Price(i64);

impl Price {
    /// Reads `0.05`, `15`, `.5`, `+1.25`: digits with an optional fraction. Exponents, signs
    /// other than `+`, more than 6 decimals and amounts above the maximum are refused, never
    /// rounded or clamped.
    pub fn parse(field: &str, raw: &str) -> Result<Price, ValidationError> {
        let bad = || ValidationError::new(field, raw, RULE);
        let text = raw.trim();
        let text = text.strip_prefix('+').unwrap_or(text);
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
            return Err(bad());
        }
        if fraction.len() > PRICE_DECIMALS as usize {
            return Err(bad());
        }
        let whole = whole.trim_start_matches('0');
        if whole.len() > 7 {
            return Err(bad());
        }
        let units: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| bad())?
        };
        let padded = format!("{fraction:0<6}");
        let micros: i64 = padded.parse().map_err(|_| bad())?;
        let total = units * SCALE + micros;
        if total > MAX_PRICE_UNITS * SCALE {
            return Err(bad());
        }
        Ok(Price(total))
    }

    /// The price nearest to a number the database returned (SQLite keeps prices as doubles,
    /// which hold 6 decimals of such amounts exactly once rounded).
    pub fn from_f64(value: f64) -> Price {
        if !value.is_finite() {
            return Price(0);
        }
        let micros = (value * SCALE as f64).round();
        Price((micros as i64).clamp(0, MAX_PRICE_UNITS * SCALE))
    }

    /// Millionths of the currency unit.
    pub fn micros(self) -> i64 {
        self.0
    }

    /// The amount as a number, for arithmetic on usage.
    pub fn value(self) -> f64 {
        self.0 as f64 / SCALE as f64
    }

    /// The exact decimal text (`0.050000`), for a bind parameter: MySQL's DECIMAL takes it
    /// without passing through a float.
    pub fn sql_text(self) -> String {
        format!("{}.{:06}", self.0 / SCALE, self.0 % SCALE)
    }
}

impl fmt::Display for Price {
    /// `0.05`, `15.0`, `0.000001`: every decimal that is there, at least one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fraction = format!("{:06}", self.0 % SCALE);
        let fraction = fraction.trim_end_matches('0');
        let fraction = if fraction.is_empty() { "0" } else { fraction };
        write!(f, "{}.{fraction}", self.0 / SCALE)
    }
}

/// The operator's currency, as an ISO 4217 code (`GBP`, `EUR`): shown beside money columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    /// Three letters, any case (`gbp` is `GBP`); anything else is refused.
    pub fn parse(field: &str, raw: &str) -> Result<Currency, ValidationError> {
        let bytes = raw.trim().as_bytes();
        match bytes {
            [a, b, c] if bytes.iter().all(u8::is_ascii_alphabetic) => Ok(Currency([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
                c.to_ascii_uppercase(),
            ])),
            _ => Err(ValidationError::new(
                field,
                raw,
                "must be a three-letter ISO 4217 currency code, such as GBP or EUR",
            )),
        }
    }

    /// The code, `GBP`.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_read_exactly() {
        let p = |s: &str| Price::parse("price", s).unwrap().micros();
        assert_eq!(p("0.05"), 50_000);
        assert_eq!(p("15"), 15_000_000);
        assert_eq!(p(".5"), 500_000);
        assert_eq!(p("+1.25"), 1_250_000);
        assert_eq!(p("0.000001"), 1);
        assert_eq!(p("1000000"), 1_000_000_000_000);
        assert_eq!(p(" 007.10 "), 7_100_000);
    }

    #[test]
    fn prices_out_of_range_or_precision_are_refused() {
        for bad in [
            "-1",
            "abc",
            "NaN",
            "inf",
            "",
            ".",
            "1e30",
            "1e-5",
            "0.0000001",
            "1000000.01",
            "99999999999999999999",
            "1,5",
            "0x10",
            "--1",
        ] {
            let err = Price::parse("price_per_mb", bad).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("invalid price_per_mb {bad:?}: {RULE}"),
                "{bad}"
            );
        }
    }

    #[test]
    fn prices_display_and_bind_exactly() {
        let p = |s: &str| Price::parse("price", s).unwrap();
        assert_eq!(p("0.05").to_string(), "0.05");
        assert_eq!(p("15").to_string(), "15.0");
        assert_eq!(p("0.0125").to_string(), "0.0125");
        assert_eq!(p("0.000001").to_string(), "0.000001");
        assert_eq!(p("0.05").sql_text(), "0.050000");
        assert_eq!(Price::from_f64(0.1 + 0.2), p("0.3"));
        assert_eq!(Price::from_f64(f64::NAN), Price::default());
    }

    #[test]
    fn currencies_are_three_letters() {
        assert_eq!(
            Currency::parse("currency", " gbp ").unwrap().as_str(),
            "GBP"
        );
        for bad in ["", "GB", "GBPX", "G1P", "£££"] {
            assert!(Currency::parse("currency", bad).is_err(), "{bad}");
        }
    }
}
