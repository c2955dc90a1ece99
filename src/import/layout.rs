//! A mapping bound to a file's columns: turns each row into a checked record.

use super::mapping::{ColumnRef, FieldDetail, FieldSpec, Mapping, MappingError, missing_column};
use crate::model::{
    ByteSize, Call, CallStatus, DataSession, Direction, Duration, PartyId, Record, RecordKind, Sms,
    SourceKey, SubscriberKey, ValidationError, Zone, check_not_future, parse_cell, parse_time,
};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use std::borrow::Cow;

/// The fields of one row, however the reader holds them.
pub trait Fields {
    fn field(&self, index: usize) -> Option<&str>;
    fn count(&self) -> usize;
}

impl Fields for [String] {
    fn field(&self, index: usize) -> Option<&str> {
        self.get(index).map(String::as_str)
    }

    fn count(&self) -> usize {
        self.len()
    }
}

impl Fields for Vec<String> {
    fn field(&self, index: usize) -> Option<&str> {
        self.as_slice().field(index)
    }

    fn count(&self) -> usize {
        self.len()
    }
}

impl Fields for csv::StringRecord {
    fn field(&self, index: usize) -> Option<&str> {
        self.get(index)
    }

    fn count(&self) -> usize {
        self.len()
    }
}

/// Where one field's text comes from.
#[derive(Debug, Clone)]
enum From {
    Column { index: usize, name: String },
    Columns(Vec<(usize, String)>),
    Constant(String),
}

#[derive(Debug, Clone)]
struct Getter {
    field: &'static str,
    from: From,
    /// (spelling in lower case, tally's value)
    map: Vec<(String, String)>,
    default: Option<String>,
    unit: Option<String>,
    zero_duration: Option<String>,
}

#[derive(Debug, Clone)]
enum TimeFormat {
    /// tally's own forms (RFC 3339, `2026-11-25 10:15[:00]`).
    Native,
    Epoch {
        scale: f64,
    },
    WithOffset(String),
    Wall(String),
}

/// A mapping resolved against a header (or a headerless file).
#[derive(Debug, Clone)]
pub struct Layout {
    /// The kind of record each row becomes.
    pub kind: RecordKind,
    prefix: Option<String>,
    zone: Zone,
    time_format: TimeFormat,
    getters: Vec<Getter>,
}

impl Layout {
    /// Binds `mapping` to `header` (None for a headerless file); every named column must exist.
    pub fn new(
        mapping: &Mapping,
        name: &str,
        header: Option<&[String]>,
        zone: Zone,
    ) -> Result<Layout, MappingError> {
        let error = |reason: String| MappingError::new(name, reason);
        let kind = mapping.kind().map_err(error)?;
        let mut getters = Vec::new();
        for &field in super::mapping::fields_of(kind).0 {
            if let Some(spec) = mapping.fields.get(field) {
                getters.push(getter(field, spec, header).map_err(error)?);
            }
        }
        let time_format = match mapping.time.format.as_deref() {
            None => TimeFormat::Native,
            Some("epoch") => TimeFormat::Epoch { scale: 1.0 },
            Some("epoch_ms") => TimeFormat::Epoch { scale: 1000.0 },
            Some(f) if f.contains("%z") || f.contains("%:z") || f.contains("%#z") => {
                TimeFormat::WithOffset(f.into())
            }
            Some(f) => TimeFormat::Wall(f.into()),
        };
        Ok(Layout {
            kind,
            prefix: mapping.source.clone(),
            zone,
            time_format,
            getters,
        })
    }

    fn getter(&self, field: &str) -> Option<&Getter> {
        self.getters.iter().find(|g| g.field == field)
    }

    /// The field's text after the spelling map, or None when the mapping does not give it.
    fn text<'r>(
        &'r self,
        field: &str,
        row: &'r dyn Fields,
    ) -> Result<Option<Cow<'r, str>>, ValidationError> {
        let Some(g) = self.getter(field) else {
            return Ok(None);
        };
        let raw: Cow<str> = match &g.from {
            From::Constant(v) => Cow::Borrowed(v),
            From::Column { index, name } => match row.field(*index) {
                Some(v) => Cow::Borrowed(v),
                None => return Err(missing_column(field, row.count(), index + 1, name)),
            },
            From::Columns(cols) => {
                let parts: Vec<&str> = cols.iter().filter_map(|(i, _)| row.field(*i)).collect();
                if parts.len() < cols.len() || parts.iter().all(|p| p.trim().is_empty()) {
                    return Ok(None);
                }
                Cow::Owned(parts.join(":"))
            }
        };
        if g.map.is_empty() {
            return Ok(Some(raw));
        }
        let spelled = raw.trim().to_lowercase();
        if let Some((_, value)) = g.map.iter().find(|(s, _)| *s == spelled) {
            return Ok(Some(Cow::Borrowed(value)));
        }
        Ok(Some(g.default.as_deref().map_or(raw, Cow::Borrowed)))
    }

    fn required<'r>(
        &'r self,
        field: &str,
        row: &'r dyn Fields,
    ) -> Result<Cow<'r, str>, ValidationError> {
        Ok(self.text(field, row)?.unwrap_or_default())
    }

    /// The row as a checked record.
    pub fn record(&self, row: &dyn Fields, now: DateTime<Utc>) -> Result<Record, ValidationError> {
        let customer = SubscriberKey::parse("customer", &self.required("customer", row)?)?;
        let time_text = self.required("time", row)?;
        let time = self.time(&time_text, now)?;
        let record = match self.kind {
            RecordKind::Call => {
                let duration = self.duration(row)?;
                Record::Call(Call {
                    customer,
                    direction: Direction::parse("direction", &self.required("direction", row)?)?,
                    other: PartyId::parse("other", &self.required("other", row)?)?,
                    start: time,
                    duration,
                    status: self.status(row, duration)?,
                    cell: self.cell(row)?,
                    source_key: placeholder(),
                })
            }
            RecordKind::Sms => Record::Sms(Sms {
                customer,
                direction: Direction::parse("direction", &self.required("direction", row)?)?,
                other: PartyId::parse("other", &self.required("other", row)?)?,
                at: time,
                source_key: placeholder(),
            }),
            RecordKind::Data => Record::Data(DataSession {
                customer,
                start: time,
                duration: self.duration(row)?,
                up: self.size("up", row)?,
                down: self.size("down", row)?,
                cell: self.cell(row)?,
                source_key: placeholder(),
            }),
        };
        self.keyed(record, row)
    }

    fn keyed(&self, mut record: Record, row: &dyn Fields) -> Result<Record, ValidationError> {
        match self.text("source_key", row)? {
            Some(id) if !id.trim().is_empty() => {
                let key = match &self.prefix {
                    Some(p) => format!("{p}:{}", id.trim()),
                    None => id.into_owned(),
                };
                record.set_source_key(SourceKey::given("source_key", &key)?);
                Ok(record)
            }
            _ => Ok(record.with_derived_key()),
        }
    }

    fn time(&self, text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, ValidationError> {
        let bad = |rule: &str| ValidationError::new("time", text, rule);
        let t = match &self.time_format {
            TimeFormat::Native => parse_time("time", text, &self.zone, now)?,
            TimeFormat::Epoch { scale } => {
                let n: f64 = text
                    .trim()
                    .parse()
                    .map_err(|_| bad("must be a number of seconds since 1970"))?;
                // `NaN` and `inf` parse as numbers; cast to an integer they would be 1970.
                if !n.is_finite() {
                    return Err(bad("must be a number of seconds since 1970"));
                }
                let seconds = (n / scale).floor();
                if seconds.abs() > 1e13 {
                    return Err(bad("is out of range"));
                }
                DateTime::from_timestamp(seconds as i64, 0).ok_or_else(|| bad("is out of range"))?
            }
            TimeFormat::WithOffset(f) => DateTime::parse_from_str(text.trim(), f)
                .map_err(|_| bad(&format!("does not match the time format {f:?}")))?
                .with_timezone(&Utc),
            TimeFormat::Wall(f) => {
                let wall = NaiveDateTime::parse_from_str(text.trim(), f)
                    .or_else(|_| {
                        NaiveDate::parse_from_str(text.trim(), f)
                            .map(|d| d.and_time(Default::default()))
                    })
                    .map_err(|_| bad(&format!("does not match the time format {f:?}")))?;
                self.zone.to_utc(wall).ok_or_else(|| {
                    bad("does not exist in the time zone (skipped by a daylight-saving change)")
                })?
            }
        };
        if t.timestamp() < 0 {
            return Err(bad("must not be before 1970-01-01"));
        }
        check_not_future("time", text, t, now)?;
        Ok(t)
    }

    fn duration(&self, row: &dyn Fields) -> Result<Duration, ValidationError> {
        let Some(text) = self.text("duration", row)? else {
            return Ok(Duration::default());
        };
        let unit = self
            .getter("duration")
            .and_then(|g| g.unit.as_deref())
            .unwrap_or("s");
        let scale = match unit {
            "s" => return Duration::parse("duration", &text),
            "ms" => 0.001,
            "min" => 60.0,
            "h" => 3600.0,
            other => {
                return Err(ValidationError::new(
                    "duration",
                    text.as_ref(),
                    format!("unknown unit {other:?}"),
                ));
            }
        };
        let n: f64 = text.trim().parse().map_err(|_| {
            ValidationError::new(
                "duration",
                text.as_ref(),
                format!("must be a number of {unit}"),
            )
        })?;
        Duration::from_secs_f64("duration", &text, n * scale)
    }

    fn status(&self, row: &dyn Fields, duration: Duration) -> Result<CallStatus, ValidationError> {
        let status = match self.text("status", row)? {
            Some(text) => CallStatus::parse("status", &text)?,
            None if duration.seconds() > 0 => CallStatus::Answered,
            None => CallStatus::NoAnswer,
        };
        let zero = self
            .getter("status")
            .and_then(|g| g.zero_duration.as_deref());
        match zero {
            Some(z) if status == CallStatus::Answered && duration.seconds() == 0 => {
                CallStatus::parse("status", z)
            }
            _ => Ok(status),
        }
    }

    fn size(&self, field: &str, row: &dyn Fields) -> Result<ByteSize, ValidationError> {
        let Some(text) = self.text(field, row)? else {
            return Ok(ByteSize::default());
        };
        match self.getter(field).and_then(|g| g.unit.as_deref()) {
            Some(unit) => ByteSize::parse(field, &format!("{}{unit}", text.trim())).map_err(|e| {
                ValidationError {
                    value: text.to_string(),
                    ..e
                }
            }),
            None => ByteSize::parse(field, &text),
        }
    }

    fn cell(&self, row: &dyn Fields) -> Result<Option<String>, ValidationError> {
        self.text("cell", row)?
            .map_or(Ok(None), |c| parse_cell("cell", &c))
    }
}

fn placeholder() -> SourceKey {
    SourceKey::pending()
}

fn resolve(
    field: &str,
    r: &ColumnRef,
    header: Option<&[String]>,
) -> Result<(usize, String), String> {
    match r {
        ColumnRef::Position(p) => Ok((
            p - 1,
            header
                .and_then(|h| h.get(p - 1))
                .cloned()
                .unwrap_or_default(),
        )),
        ColumnRef::Name(name) => {
            let header = header.unwrap_or_default();
            let wanted = name.trim().to_lowercase();
            header
                .iter()
                .position(|h| h.trim().to_lowercase() == wanted)
                .map(|i| (i, name.clone()))
                .ok_or_else(|| {
                    format!(
                        "column {name:?} (for field {field}) is not in the file's header: {}",
                        header.join(", ")
                    )
                })
        }
    }
}

fn getter(
    field: &'static str,
    spec: &FieldSpec,
    header: Option<&[String]>,
) -> Result<Getter, String> {
    let detail = match spec {
        FieldSpec::Column(r) => FieldDetail {
            column: Some(r.clone()),
            ..FieldDetail::default()
        },
        FieldSpec::Detailed(d) => d.clone(),
    };
    let from = if let Some(value) = &detail.value {
        From::Constant(value.clone())
    } else if let Some(cols) = &detail.columns {
        From::Columns(
            cols.iter()
                .map(|c| resolve(field, c, header))
                .collect::<Result<_, _>>()?,
        )
    } else if let Some(c) = &detail.column {
        let (index, name) = resolve(field, c, header)?;
        From::Column { index, name }
    } else {
        return Err(format!(
            "field {field:?} needs exactly one of column, columns or value"
        ));
    };
    let map = detail
        .map
        .iter()
        .flatten()
        .flat_map(|(value, spellings)| {
            spellings
                .iter()
                .map(move |s| (s.trim().to_lowercase(), value.clone()))
        })
        .collect();
    Ok(Getter {
        field,
        from,
        map,
        default: detail.default,
        unit: detail.unit,
        zero_duration: detail.zero_duration,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn layout(toml: &str, header: Option<&[&str]>) -> Layout {
        let mapping = Mapping::parse("t", toml).unwrap();
        let header: Option<Vec<String>> = header.map(|h| h.iter().map(|s| s.to_string()).collect());
        Layout::new(&mapping, "t", header.as_deref(), Zone::utc()).unwrap()
    }

    fn row(fields: &[&str]) -> Vec<String> {
        fields.iter().map(|s| s.to_string()).collect()
    }

    const CELLYZER: &str = r#"
record = "calls"
[time]
format = "%a %b %d %H:%M:%S %z %Y"
[fields]
customer = "user"
other = "other"
time = "timestamp"
duration = "duration"
direction = { column = "direction", map = { out = ["Outgoing"], in = ["Incoming", "Missed"] } }
status = { column = "direction", map = { no_answer = ["Missed"] }, default = "answered", zero_duration = "no_answer" }
cell = "antenna_id"
"#;

    #[test]
    fn spellings_offsets_and_zero_durations() {
        let l = layout(
            CELLYZER,
            Some(&[
                "user",
                "other",
                "direction",
                "duration",
                "timestamp",
                "antenna_id",
                "cost",
            ]),
        );
        let r = l
            .record(
                &row(&[
                    "7610039694",
                    "7434677419",
                    "Incoming",
                    "211",
                    "Wed Sep 15 19:17:44 +0100 2010",
                    "2",
                    "33",
                ]),
                now(),
            )
            .unwrap();
        let Record::Call(c) = &r else { panic!() };
        assert_eq!(
            (c.direction, c.status, c.duration.seconds()),
            (Direction::In, CallStatus::Answered, 211)
        );
        assert_eq!(crate::model::sql_time(c.start), "2010-09-15 18:17:44");
        assert!(c.source_key.as_str().starts_with("h:"));
        let r = l
            .record(
                &row(&[
                    "1",
                    "2",
                    "Outgoing",
                    "0",
                    "Wed Sep 15 19:17:44 +0100 2010",
                    "2",
                    "0",
                ]),
                now(),
            )
            .unwrap();
        let Record::Call(c) = &r else { panic!() };
        assert_eq!(c.status, CallStatus::NoAnswer);
        let r = l
            .record(
                &row(&[
                    "1",
                    "2",
                    "Missed",
                    "0",
                    "Wed Sep 15 19:17:44 +0100 2010",
                    "2",
                    "0",
                ]),
                now(),
            )
            .unwrap();
        let Record::Call(c) = &r else { panic!() };
        assert_eq!(
            (c.direction, c.status),
            (Direction::In, CallStatus::NoAnswer)
        );
    }

    #[test]
    fn a_missing_header_column_is_an_error_before_any_row() {
        let mapping = Mapping::parse("t", CELLYZER).unwrap();
        let header = row(&["user", "other", "direction", "duration", "antenna_id"]);
        let err = Layout::new(&mapping, "c.toml", Some(&header), Zone::utc()).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"mapping c.toml: column "timestamp" (for field time) is not in the file's header: user, other, direction, duration, antenna_id"#
        );
    }

    #[test]
    fn short_rows_name_the_missing_column() {
        let l = layout(
            "record = \"calls\"\nheader = false\n[time]\nformat = \"%Y-%m-%d %H:%M:%S\"\n[fields]\ncustomer = 2\nother = 1\ntime = 7\ndirection = { value = \"out\" }\n",
            None,
        );
        let err = l
            .record(&row(&["1", "2", "3", "4", "5", "6"]), now())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid time "": missing: the record has 6 fields and time is column 7"#
        );
    }

    #[test]
    fn source_keys_from_columns_carry_the_source_prefix() {
        let l = layout(
            "record = \"sms\"\nsource = \"fk\"\n[fields]\ncustomer = \"msisdn\"\nother = \"c\"\ntime = \"t\"\ndirection = { column = \"outgoing\", map = { out = [\"True\"], in = [\"False\"] } }\nsource_key = { columns = [\"id\", \"outgoing\"] }\n",
            Some(&["t", "c", "id", "msisdn", "outgoing"]),
        );
        let r = l
            .record(
                &row(&["2016-01-01 10:16:38", "q", "G6vkQ", "v", "True"]),
                now(),
            )
            .unwrap();
        assert_eq!(r.source_key().as_str(), "fk:G6vkQ:True");
    }

    #[test]
    fn units_scale_durations_and_sizes() {
        let l = layout(
            "record = \"data\"\n[time]\nformat = \"epoch\"\n[fields]\ncustomer = \"m\"\ntime = \"t\"\nduration = { column = \"d\", unit = \"ms\" }\ndown = { column = \"v\", unit = \"KB\" }\n",
            Some(&["m", "t", "d", "v"]),
        );
        let r = l
            .record(&row(&["x", "1336101842", "90500", "937.17"]), now())
            .unwrap();
        let Record::Data(d) = &r else { panic!() };
        assert_eq!((d.duration.seconds(), d.down.bytes()), (91, 937_170));
        assert_eq!(crate::model::sql_time(d.start), "2012-05-04 03:24:02");
        let err = l
            .record(&row(&["x", "1336101842", "90500", "-3"]), now())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid down "-3": must not be negative"#
        );
    }
}
