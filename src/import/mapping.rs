//! Mapping files: how the columns of any CSV become tally's fields. The built-in formats
//! (native, asterisk, freeswitch) are mapping files too, shipped inside the binary.

use crate::diag::{Diagnostic, Span};
use crate::model::{RecordKind, ValidationError, Zone};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A mapping file as written (see examples/mappings/ and README.md).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// What the file is, for people.
    pub description: Option<String>,
    /// `calls`, `sms` or `data`: the kind of record each row is.
    pub record: String,
    /// Whether the first record names the columns.
    #[serde(default = "yes")]
    pub header: bool,
    /// One character; `\t` for tab.
    #[serde(default = "comma")]
    pub delimiter: String,
    /// The quote character; an empty string turns quoting off.
    #[serde(default = "double_quote")]
    pub quote: String,
    /// Trim spaces around every field.
    #[serde(default)]
    pub trim: bool,
    /// Prefix for the source's own record ids, so ids of two systems never collide.
    pub source: Option<String>,
    /// `[time]`: how the file writes times, and in which zone.
    #[serde(default)]
    pub time: TimeSpec,
    /// `[fields]`: where each of tally's fields comes from, by field name (`customer`, `time`, ...).
    pub fields: BTreeMap<String, FieldSpec>,
}

fn yes() -> bool {
    true
}

fn comma() -> String {
    ",".into()
}

fn double_quote() -> String {
    "\"".into()
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeSpec {
    /// chrono format (`%Y%m%d %H%M`, `%a %b %d %H:%M:%S %z %Y`), `epoch` (seconds) or
    /// `epoch_ms`; absent: tally's own forms (`2026-11-25 10:15:00`, RFC 3339).
    pub format: Option<String>,
    /// Zone of times without an offset; `--tz` on the command line wins.
    pub zone: Option<String>,
}

/// Where a field comes from: a column name, a 1-based column position, or a table.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum FieldSpec {
    Column(ColumnRef),
    Detailed(FieldDetail),
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum ColumnRef {
    Name(String),
    Position(usize),
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDetail {
    pub column: Option<ColumnRef>,
    /// Several columns joined with `:` (a source key made of an id and a side).
    pub columns: Option<Vec<ColumnRef>>,
    /// A constant, for a field the file does not have.
    pub value: Option<String>,
    /// How the file spells tally's values: `{ out = ["True", "Outgoing"], in = ["False"] }`.
    pub map: Option<BTreeMap<String, Vec<String>>>,
    /// The value for spellings the map does not list.
    pub default: Option<String>,
    /// Durations: `s` (default), `ms`, `min`, `h`. Sizes: `B` (default), `KB`, `MB`, `KiB`, ...
    pub unit: Option<String>,
    /// Status only: the status of an `answered` call whose duration is zero.
    pub zero_duration: Option<String>,
}

/// The fields each record kind takes, and which of them a mapping must give.
pub fn fields_of(kind: RecordKind) -> (&'static [&'static str], &'static [&'static str]) {
    match kind {
        RecordKind::Call => (
            &[
                "customer",
                "other",
                "time",
                "duration",
                "direction",
                "status",
                "cell",
                "source_key",
            ],
            &["customer", "other", "time", "direction"],
        ),
        RecordKind::Sms => (
            &["customer", "other", "time", "direction", "source_key"],
            &["customer", "other", "time", "direction"],
        ),
        RecordKind::Data => (
            &[
                "customer",
                "time",
                "duration",
                "up",
                "down",
                "cell",
                "source_key",
            ],
            &["customer", "time"],
        ),
    }
}

/// A mapping that cannot be used; reported before any row is read.
#[derive(Debug, Clone, PartialEq)]
pub struct MappingError {
    /// The mapping's name in messages: a built-in format's, or the `--map` file's path.
    pub name: String,
    /// What is wrong, in words.
    pub reason: String,
    /// Where in the mapping's text, when known: shown with the line and a caret.
    pub at: Option<MappingPlace>,
}

/// A spot in a mapping file's text.
#[derive(Debug, Clone, PartialEq)]
pub struct MappingPlace {
    pub span: Span,
    pub text: Arc<str>,
}

impl MappingError {
    /// An error of the mapping `name` as a whole.
    pub fn new(name: &str, reason: impl Into<String>) -> MappingError {
        MappingError {
            name: name.to_string(),
            reason: reason.into(),
            at: None,
        }
    }
}

impl std::error::Error for MappingError {}

impl std::fmt::Display for MappingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.at {
            Some(at) => {
                let file = std::path::Path::new(&self.name);
                let shown = Diagnostic::new(at.span, format!("mapping: {}", self.reason))
                    .render_from(&at.text, Some(file), 1, 1);
                f.write_str(shown.trim_end())
            }
            None => write!(f, "mapping {}: {}", self.name, self.reason),
        }
    }
}

/// A check the mapping failed, and the key it is about (`delimiter`, `fields.status`,
/// `fields` for a field that is missing) to point at.
struct Problem {
    reason: String,
    key: Option<String>,
}

impl Problem {
    fn at(key: impl Into<String>, reason: String) -> Problem {
        Problem {
            reason,
            key: Some(key.into()),
        }
    }
}

impl From<String> for Problem {
    fn from(reason: String) -> Problem {
        Problem { reason, key: None }
    }
}

/// Where `key` is written in a mapping's text: `name =` (as a line of its table or dotted),
/// or a `[table]` header. A guess from the text, enough to point at the line.
fn locate(text: &str, key: &str) -> Option<Span> {
    let last = key.rsplit('.').next().unwrap_or(key);
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let header = format!("[{key}]");
        let found = if trimmed.starts_with(&header) {
            Some(header.len())
        } else {
            [key, last].iter().find_map(|k| {
                let quoted = format!("\"{k}\"");
                [k.to_string(), quoted].into_iter().find_map(|written| {
                    let rest = trimmed.strip_prefix(&written)?;
                    rest.trim_start().starts_with('=').then_some(written.len())
                })
            })
        };
        if let Some(width) = found {
            let start = offset + indent;
            return Some(Span::new(start, start + width));
        }
        offset += line.len();
    }
    None
}

impl Mapping {
    /// Reads a mapping file's text and checks it against the fields its record kind takes;
    /// `name` is what errors call it.
    pub fn parse(name: &str, text: &str) -> Result<Mapping, MappingError> {
        let placed = |reason: String, span: Option<Span>| MappingError {
            name: name.to_string(),
            reason,
            at: span.map(|span| MappingPlace {
                span,
                text: Arc::from(text),
            }),
        };
        let mapping: Mapping = toml::from_str(text).map_err(|e| {
            let span = e.span().map(|s| Span::new(s.start, s.end));
            let message = e.message().trim();
            let message = if message.contains("untagged enum FieldSpec") {
                "a field is a column name, a column position (1 is the first) or a table with \
                 one of column, columns or value (and map, unit, zero_duration)"
                    .to_string()
            } else {
                message.to_string()
            };
            placed(message, span)
        })?;
        mapping.check().map_err(|p| {
            let span = p.key.as_deref().and_then(|k| locate(text, k));
            placed(p.reason, span)
        })?;
        Ok(mapping)
    }

    /// The kind of record each row is, from `record` (`calls`, `call`, `sms` or `data`).
    pub fn kind(&self) -> Result<RecordKind, String> {
        match self.record.as_str() {
            "calls" | "call" => Ok(RecordKind::Call),
            "sms" => Ok(RecordKind::Sms),
            "data" => Ok(RecordKind::Data),
            other => Err(format!("record = {other:?} must be calls, sms or data")),
        }
    }

    fn check(&self) -> Result<(), Problem> {
        let kind = self
            .kind()
            .map_err(|reason| Problem::at("record", reason))?;
        let (allowed, required) = fields_of(kind);
        for name in self.fields.keys() {
            if !allowed.contains(&name.as_str()) {
                return Err(Problem::at(
                    format!("fields.{name}"),
                    format!(
                        "field {name:?} is not a field of {} records (fields: {})",
                        self.record,
                        allowed.join(", ")
                    ),
                ));
            }
        }
        for name in required {
            if !self.fields.contains_key(*name) {
                return Err(Problem::at(
                    "fields",
                    format!("field {name:?} is required for {} records", self.record),
                ));
            }
        }
        if self.delimiter_byte().is_none() {
            return Err(Problem::at(
                "delimiter",
                format!(
                    "delimiter {:?} must be one ASCII character or \\t",
                    self.delimiter
                ),
            ));
        }
        if self.quote.len() > 1 || !self.quote.is_ascii() {
            return Err(Problem::at(
                "quote",
                format!(
                    "quote {:?} must be one ASCII character or empty",
                    self.quote
                ),
            ));
        }
        if let Some(zone) = &self.time.zone {
            Zone::parse(zone).map_err(|e| Problem::at("time.zone", e.to_string()))?;
        }
        for (name, spec) in &self.fields {
            check_field(name, spec, self.header)
                .map_err(|reason| Problem::at(format!("fields.{name}"), reason))?;
        }
        Ok(())
    }

    /// The delimiter as a byte (a tab for `\t`, a tab character or `tab`); `None` when it is not
    /// one ASCII character.
    pub fn delimiter_byte(&self) -> Option<u8> {
        match self.delimiter.as_str() {
            "\\t" | "\t" | "tab" => Some(b'\t'),
            d if d.len() == 1 && d.is_ascii() => Some(d.as_bytes()[0]),
            _ => None,
        }
    }

    /// The quote character as a byte; `None` when quoting is off.
    pub fn quote_byte(&self) -> Option<u8> {
        self.quote.as_bytes().first().copied()
    }
}

fn check_field(name: &str, spec: &FieldSpec, header: bool) -> Result<(), String> {
    let check_ref = |r: &ColumnRef| match r {
        ColumnRef::Name(n) if !header => Err(format!(
            "field {name:?} names column {n:?}, but the file has no header: use its position (1 is the first column)"
        )),
        ColumnRef::Position(0) => Err(format!("field {name:?}: positions start at 1")),
        _ => Ok(()),
    };
    match spec {
        FieldSpec::Column(r) => check_ref(r),
        FieldSpec::Detailed(d) => {
            let sources = usize::from(d.column.is_some())
                + usize::from(d.columns.is_some())
                + usize::from(d.value.is_some());
            if sources != 1 {
                return Err(format!(
                    "field {name:?} needs exactly one of column, columns or value"
                ));
            }
            if let Some(r) = &d.column {
                check_ref(r)?;
            }
            for r in d.columns.iter().flatten() {
                check_ref(r)?;
            }
            if d.columns.is_some() && name != "source_key" {
                return Err(format!(
                    "field {name:?}: only source_key may join several columns"
                ));
            }
            if d.zero_duration.is_some() && name != "status" {
                return Err(format!(
                    "field {name:?}: zero_duration applies to status only"
                ));
            }
            if d.unit.is_some() && !["duration", "up", "down"].contains(&name) {
                return Err(format!(
                    "field {name:?}: unit applies to duration, up and down only"
                ));
            }
            Ok(())
        }
    }
}

/// Rejections made while mapping a row reuse the model's error.
pub fn missing_column(field: &str, have: usize, position: usize, name: &str) -> ValidationError {
    let named = if name.is_empty() {
        String::new()
    } else {
        format!(" ({name})")
    };
    ValidationError::new(
        field,
        "",
        format!("missing: the record has {have} fields and {field} is column {position}{named}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_what_is_wrong_with_a_mapping() {
        // Each case: the text, the reason, and the line and column the error points at.
        let cases = [
            (
                "record = \"calls\"\n[fields]\ncustomer = \"a\"\n",
                r#"field "other" is required for calls records"#,
                "2:1",
            ),
            (
                "record = \"sms\"\n[fields]\ncustomer = 1\nother = 2\ntime = 3\ndirection = 4\nduration = 5\n",
                r#"field "duration" is not a field of sms records (fields: customer, other, time, direction, source_key)"#,
                "7:1",
            ),
            (
                "record = \"data\"\nheader = false\n[fields]\ncustomer = \"msisdn\"\ntime = 2\n",
                r#"field "customer" names column "msisdn", but the file has no header: use its position (1 is the first column)"#,
                "4:1",
            ),
            (
                "record = \"data\"\n[fields]\ncustomer = 1\ntime = { }\n",
                r#"field "time" needs exactly one of column, columns or value"#,
                "4:1",
            ),
            (
                "record = \"data\"\ndelimiter = \";;\"\n[fields]\ncustomer = 1\ntime = 2\n",
                r#"delimiter ";;" must be one ASCII character or \t"#,
                "2:1",
            ),
            (
                "record = \"fax\"\n[fields]\n",
                r#"record = "fax" must be calls, sms or data"#,
                "1:1",
            ),
        ];
        for (text, reason, place) in cases {
            let err = Mapping::parse("m.toml", text).unwrap_err();
            let shown = err.to_string();
            assert!(
                shown.starts_with(&format!("m.toml:{place}: mapping: {reason}\n")),
                "{shown}"
            );
            assert!(shown.ends_with('^'), "a caret under the spot: {shown}");
        }
    }

    #[test]
    fn toml_errors_name_the_line() {
        let err =
            Mapping::parse("m.toml", "record = \"calls\"\nheadr = true\n[fields]\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("m.toml:2:1: mapping: unknown field `headr`"),
            "{err}"
        );
        let err = Mapping::parse(
            "m.toml",
            "record = \"calls\"\n[fields]\ntime = { colum = 2 }\n",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("3:8: mapping: a field is a column name"),
            "{err}"
        );
    }
}
