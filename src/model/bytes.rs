//! Data volumes: `512`, `12KB`, `1.5MB`, `2GiB`. KB/MB/GB/TB are powers of 1000 (as operators
//! bill), KiB/MiB/GiB/TiB powers of 1024. Units are bytes, never bits; letter case is ignored.

use super::ValidationError;
use std::fmt;

const SYNTAX_RULE: &str = "must be a size such as 512, 12KB, 1.5MB or 2GiB";
const MINUTES_RULE: &str =
    "must say MB for megabytes: `m` means minutes in tally (write 300MB, not 300m)";
const NEGATIVE_RULE: &str = "must not be negative";
const MAX_RULE: &str = "must be at most 1PB";

/// The largest volume one record may carry; far above any real session, far below i64 overflow
/// when millions of sessions are summed.
const MAX_BYTES: f64 = 1e15;

/// A data volume in bytes, from 0 to 1 PB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ByteSize(u64);

impl ByteSize {
    /// Reads `512`, `12KB`, `1.5MB`, `2GiB` (any letter case), rounded to a whole byte. Refuses
    /// negative sizes and sizes above 1 PB. Errors name `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
        let text = raw.trim();
        if text.starts_with('-') {
            return Err(ValidationError::new(field, raw, NEGATIVE_RULE));
        }
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        if unit.trim().eq_ignore_ascii_case("m") {
            return Err(ValidationError::new(field, raw, MINUTES_RULE));
        }
        let number: f64 =
            parse_decimal(number).ok_or_else(|| ValidationError::new(field, raw, SYNTAX_RULE))?;
        let scale =
            unit_scale(unit.trim()).ok_or_else(|| ValidationError::new(field, raw, SYNTAX_RULE))?;
        let bytes = (number * scale).round();
        if bytes > MAX_BYTES {
            return Err(ValidationError::new(field, raw, MAX_RULE));
        }
        Ok(ByteSize(bytes as u64))
    }

    /// A byte count from a database or file; refused when negative or above 1 PB.
    pub fn from_bytes(field: &str, bytes: i64) -> Result<Self, ValidationError> {
        if bytes < 0 {
            return Err(ValidationError::new(
                field,
                bytes.to_string(),
                NEGATIVE_RULE,
            ));
        }
        if bytes as f64 > MAX_BYTES {
            return Err(ValidationError::new(field, bytes.to_string(), MAX_RULE));
        }
        Ok(ByteSize(bytes as u64))
    }

    /// The size in bytes.
    pub fn bytes(self) -> u64 {
        self.0
    }
}

fn parse_decimal(text: &str) -> Option<f64> {
    let valid = text.chars().any(|c| c.is_ascii_digit()) && text.matches('.').count() <= 1;
    if valid { text.parse().ok() } else { None }
}

fn unit_scale(unit: &str) -> Option<f64> {
    let scale = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" | "k" => 1e3,
        "mb" => 1e6,
        "gb" | "g" => 1e9,
        "tb" | "t" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    Some(scale)
}

impl fmt::Display for ByteSize {
    /// Decimal units with up to two decimals: `340MB`, `1.5GB`, `512B`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let units = [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "KB")];
        let bytes = self.0 as f64;
        for (scale, name) in units {
            if bytes >= scale {
                let value = format!("{:.2}", bytes / scale);
                let value = value.trim_end_matches('0').trim_end_matches('.');
                return write!(f, "{value}{name}");
            }
        }
        write!(f, "{}B", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(raw: &str) -> u64 {
        ByteSize::parse("up", raw).unwrap().bytes()
    }

    #[test]
    fn decimal_and_binary_units() {
        assert_eq!(bytes("512"), 512);
        assert_eq!(bytes("12KB"), 12_000);
        assert_eq!(bytes("1.5MB"), 1_500_000);
        assert_eq!(bytes("2GiB"), 2 * 1024 * 1024 * 1024);
        assert_eq!(bytes("340mb"), 340_000_000);
        assert_eq!(bytes("1 MiB"), 1_048_576);
        assert_eq!(bytes("1063.0"), 1063);
        assert_eq!(bytes("0"), 0);
    }

    #[test]
    fn rejects_negative_sizes() {
        let err = ByteSize::parse("up", "-5MB").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid up "-5MB": must not be negative"#
        );
        let err = ByteSize::from_bytes("bytes_down", -1).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid bytes_down "-1": must not be negative"#
        );
    }

    #[test]
    fn rejects_malformed_sizes() {
        for bad in ["", "MB", "12XB", "1.2.3MB", "twelve"] {
            let err = ByteSize::parse("down", bad).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("invalid down {bad:?}: must be a size such as 512, 12KB, 1.5MB or 2GiB")
            );
        }
    }

    #[test]
    fn m_is_never_megabytes() {
        for typed in ["300m", "300M", "1.5 m"] {
            let err = ByteSize::parse("down", typed).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "invalid down {typed:?}: must say MB for megabytes: `m` means minutes in tally (write 300MB, not 300m)"
                )
            );
        }
        assert_eq!(bytes("300MB"), 300_000_000);
    }

    #[test]
    fn rejects_absurd_sizes() {
        let err = ByteSize::parse("down", "2000TB").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid down "2000TB": must be at most 1PB"#
        );
    }

    #[test]
    fn displays_in_decimal_units() {
        assert_eq!(ByteSize(340_000_000).to_string(), "340MB");
        assert_eq!(ByteSize(1_500_000_000).to_string(), "1.5GB");
        assert_eq!(ByteSize(512).to_string(), "512B");
    }
}
