//! Points in time: parsed in a display zone, stored in UTC, shown in the zone again.

use super::ValidationError;
use chrono::{DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use std::fmt;

const SYNTAX_RULE: &str = "must be a time such as 2026-11-25 10:15, 2026-11-25T10:15:00Z, 2026-11-25T10:15:00+02:00 or now";
const FUTURE_RULE: &str = "must not be more than 5 minutes in the future";
const GAP_RULE: &str = "does not exist in the time zone (skipped by a daylight-saving change)";
const BEFORE_1970_RULE: &str = "must not be before 1970-01-01 00:00 UTC";

/// How far ahead of the clock a record may be: switches' clocks drift a little.
pub const FUTURE_TOLERANCE_SECS: i64 = 5 * 60;

/// The format of every time the store holds (UTC) and every time bound into SQL.
pub const SQL_TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// The zone in which times without an offset are read and in which times are shown.
#[derive(Debug, Clone, PartialEq)]
pub enum Zone {
    /// The machine's zone (the `TZ` variable or /etc/localtime).
    Local,
    /// A zone of the IANA database, such as `Europe/London` or `UTC`, with its daylight-saving rules.
    Named(chrono_tz::Tz),
    /// A fixed offset from UTC, such as `+03:00`.
    Fixed(FixedOffset),
}

impl Zone {
    /// `local`, `UTC`, an IANA name such as `Europe/London`, or an offset such as `+03:00`.
    pub fn parse(raw: &str) -> Result<Zone, ValidationError> {
        let text = raw.trim();
        if text.eq_ignore_ascii_case("local") {
            return Ok(Zone::Local);
        }
        if let Some(offset) = parse_offset(text) {
            return Ok(Zone::Fixed(offset));
        }
        // Names are matched without case, as `local` is: `utc`, `europe/london`.
        text.parse::<chrono_tz::Tz>()
            .ok()
            .or_else(|| {
                chrono_tz::TZ_VARIANTS
                    .iter()
                    .find(|tz| tz.name().eq_ignore_ascii_case(text))
                    .copied()
            })
            .map(Zone::Named)
            .ok_or_else(|| {
            ValidationError::new(
                "time zone",
                raw,
                "must be local, UTC, an IANA name such as Europe/London, or an offset such as +03:00",
            )
        })
    }

    /// The UTC zone.
    pub fn utc() -> Zone {
        Zone::Named(chrono_tz::UTC)
    }

    /// The UTC instant of a wall-clock time in this zone. In a daylight-saving overlap the earlier
    /// instant is taken; a time inside a gap does not exist and is refused.
    pub fn to_utc(&self, wall: NaiveDateTime) -> Option<DateTime<Utc>> {
        fn pick<T: TimeZone>(r: LocalResult<DateTime<T>>) -> Option<DateTime<Utc>> {
            r.earliest().map(|t| t.with_timezone(&Utc))
        }
        match self {
            Zone::Local => pick(chrono::Local.from_local_datetime(&wall)),
            Zone::Named(tz) => pick(tz.from_local_datetime(&wall)),
            Zone::Fixed(off) => pick(off.from_local_datetime(&wall)),
        }
    }

    /// The first instant at or after a wall-clock time: the time itself, or, inside a
    /// daylight-saving gap, the moment the clocks jumped (the first wall time that exists after
    /// it). What a range that starts or ends in a gap means. None beyond chrono's calendar.
    pub fn first_instant_from(&self, wall: NaiveDateTime) -> Option<DateTime<Utc>> {
        // Gaps last an hour or less in every zone but a few historic whole-day skips (Samoa
        // in 2011); two days of minutes covers them all.
        (0..=2 * 24 * 60).find_map(|m| {
            let t = wall.checked_add_signed(chrono::TimeDelta::minutes(m))?;
            self.to_utc(t)
        })
    }

    /// The wall-clock time in this zone of a UTC instant.
    pub fn wall(&self, t: DateTime<Utc>) -> NaiveDateTime {
        match self {
            Zone::Local => t.with_timezone(&chrono::Local).naive_local(),
            Zone::Named(tz) => t.with_timezone(tz).naive_local(),
            Zone::Fixed(off) => t.with_timezone(off).naive_local(),
        }
    }

    /// `2026-11-25 10:15:00` in this zone.
    pub fn show(&self, t: DateTime<Utc>) -> String {
        self.wall(t).format(SQL_TIME_FORMAT).to_string()
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Zone::Local => f.write_str("local"),
            Zone::Named(tz) => f.write_str(tz.name()),
            Zone::Fixed(off) => write!(f, "{off}"),
        }
    }
}

fn parse_offset(text: &str) -> Option<FixedOffset> {
    let sign = match text.chars().next()? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let body = text[1..].replace(':', "");
    if body.len() != 4 || !body.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = body[..2].parse().ok()?;
    let minutes: i32 = body[2..].parse().ok()?;
    // Real offsets run from -12:00 to +14:00; `+00:60` is no offset at all.
    if minutes >= 60 || hours > 14 || (hours == 14 && minutes > 0) {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

/// Reads a time as users write it: `now`, `2026-11-25 10:15[:00]`, `2026-11-25T10:15:00Z`, with an
/// offset, or a date alone (midnight). Times without an offset are wall-clock times in `zone`.
pub fn parse_time(
    field: &str,
    raw: &str,
    zone: &Zone,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, ValidationError> {
    let text = raw.trim();
    let reject = |rule: &str| ValidationError::new(field, raw, rule);
    if text.eq_ignore_ascii_case("now") {
        return Ok(truncate_to_second(now));
    }
    if let Some(with_offset) = parse_with_offset(text) {
        return check_epoch(with_offset, reject);
    }
    let wall = parse_wall(text).ok_or_else(|| reject(SYNTAX_RULE))?;
    let utc = zone.to_utc(wall).ok_or_else(|| reject(GAP_RULE))?;
    check_epoch(truncate_to_second(utc), reject)
}

fn check_epoch(
    t: DateTime<Utc>,
    reject: impl Fn(&str) -> ValidationError,
) -> Result<DateTime<Utc>, ValidationError> {
    if t.timestamp() < 0 {
        return Err(reject(BEFORE_1970_RULE));
    }
    Ok(t)
}

fn parse_with_offset(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(truncate_to_second(t.with_timezone(&Utc)));
    }
    let normalised = text.replacen(' ', "T", 1);
    if let Ok(t) = DateTime::parse_from_rfc3339(&normalised) {
        return Some(truncate_to_second(t.with_timezone(&Utc)));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%#z",
        "%Y-%m-%dT%H:%M%#z",
        "%Y-%m-%dT%H:%M:%S %#z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(text.replacen(' ', "T", 1).as_str(), format) {
            return Some(truncate_to_second(t.with_timezone(&Utc)));
        }
    }
    None
}

fn parse_wall(text: &str) -> Option<NaiveDateTime> {
    let normalised = text.replacen('T', " ", 1);
    for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(&normalised, format) {
            return Some(t.with_nanosecond_zero());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
}

/// Refuses a time more than [`FUTURE_TOLERANCE_SECS`] ahead of `now`.
pub fn check_not_future(
    field: &str,
    raw: &str,
    t: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), ValidationError> {
    if (t - now).num_seconds() > FUTURE_TOLERANCE_SECS {
        return Err(ValidationError::new(field, raw, FUTURE_RULE));
    }
    Ok(())
}

/// The same instant with its fraction of a second dropped: the store keeps whole seconds.
pub fn truncate_to_second(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

/// The text form stored in and bound to SQL: `2026-11-25 10:15:00` (UTC). Written out by hand:
/// imports format a time per record, and chrono's format strings are many times slower.
pub fn sql_time(t: DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Reads a time the store wrote with [`sql_time`].
pub fn from_sql_time(text: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(text, SQL_TIME_FORMAT)
        .ok()
        .map(|t| t.and_utc())
}

trait WithNanosecondZero {
    fn with_nanosecond_zero(self) -> Self;
}

impl WithNanosecondZero for NaiveDateTime {
    fn with_nanosecond_zero(self) -> Self {
        use chrono::Timelike;
        self.with_nanosecond(0).unwrap_or(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn parse(raw: &str, zone: &Zone) -> String {
        sql_time(parse_time("at", raw, zone, now()).unwrap())
    }

    #[test]
    fn reads_wall_clock_times_in_the_zone() {
        let london = Zone::parse("Europe/London").unwrap();
        let helsinki = Zone::parse("Europe/Helsinki").unwrap();
        assert_eq!(
            parse("2026-11-25 10:15", &Zone::utc()),
            "2026-11-25 10:15:00"
        );
        assert_eq!(parse("2026-07-01 10:15", &london), "2026-07-01 09:15:00");
        assert_eq!(
            parse("2026-11-25 10:15:30", &helsinki),
            "2026-11-25 08:15:30"
        );
        assert_eq!(parse("2026-11-25", &Zone::utc()), "2026-11-25 00:00:00");
    }

    #[test]
    fn explicit_offsets_win_over_the_zone() {
        let london = Zone::parse("Europe/London").unwrap();
        assert_eq!(
            parse("2026-11-25T10:15:00Z", &london),
            "2026-11-25 10:15:00"
        );
        assert_eq!(
            parse("2026-11-25T10:15:00+02:00", &london),
            "2026-11-25 08:15:00"
        );
        assert_eq!(
            parse("2026-11-25 10:15:00+0200", &london),
            "2026-11-25 08:15:00"
        );
        assert_eq!(parse("now", &london), "2026-11-25 12:00:00");
    }

    #[test]
    fn rejects_malformed_times() {
        for bad in [
            "yesterday-ish",
            "2026-13-01 10:00",
            "2026-11-25 25:00",
            "25/11/2026",
            "",
        ] {
            let err = parse_time("at", bad, &Zone::utc(), now()).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "invalid at {bad:?}: must be a time such as 2026-11-25 10:15, 2026-11-25T10:15:00Z, 2026-11-25T10:15:00+02:00 or now"
                )
            );
        }
    }

    #[test]
    fn rejects_times_in_a_daylight_saving_gap() {
        let london = Zone::parse("Europe/London").unwrap();
        let err = parse_time("at", "2026-03-29 01:30", &london, now()).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid at "2026-03-29 01:30": does not exist in the time zone (skipped by a daylight-saving change)"#
        );
    }

    #[test]
    fn rejects_times_before_1970() {
        let err = parse_time("at", "1969-12-31 23:59", &Zone::utc(), now()).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid at "1969-12-31 23:59": must not be before 1970-01-01 00:00 UTC"#
        );
    }

    #[test]
    fn future_times_beyond_five_minutes_are_refused() {
        let ok = parse_time("at", "2026-11-25 12:05", &Zone::utc(), now()).unwrap();
        assert!(check_not_future("at", "2026-11-25 12:05", ok, now()).is_ok());
        let late = parse_time("at", "2026-11-25 12:05:01", &Zone::utc(), now()).unwrap();
        let err = check_not_future("at", "2026-11-25 12:05:01", late, now()).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid at "2026-11-25 12:05:01": must not be more than 5 minutes in the future"#
        );
    }

    #[test]
    fn zones_parse_by_name_and_offset() {
        assert_eq!(Zone::parse("UTC").unwrap().to_string(), "UTC");
        assert_eq!(Zone::parse("+03:00").unwrap().to_string(), "+03:00");
        assert_eq!(Zone::parse("local").unwrap(), Zone::Local);
        assert_eq!(Zone::parse("utc").unwrap().to_string(), "UTC");
        assert_eq!(
            Zone::parse("europe/london").unwrap().to_string(),
            "Europe/London"
        );
        assert_eq!(Zone::parse("-03:00").unwrap().to_string(), "-03:00");
        for bad in ["+00:60", "+15:00", "-14:30", "+1:00"] {
            assert!(Zone::parse(bad).is_err(), "{bad}");
        }
        let err = Zone::parse("Mars/Olympus").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid time zone "Mars/Olympus": must be local, UTC, an IANA name such as Europe/London, or an offset such as +03:00"#
        );
    }
}
