//! `where` conditions, checked against the source's fields and given typed values.

use crate::diag::{Diagnostic, Span};
use crate::model::{CallStatus, Direction, PartyId, Pattern, SubscriberKey};
use crate::parse::ast::{CmpOp, Expr, Literal, Source, Spanned};
use crate::store::Value;
use crate::vocab::{FIELDS, FieldWord};

pub use crate::vocab::FilterField;

/// The `where` fields a source's records have, in the vocabulary's order.
pub fn fields(source: Source) -> impl Iterator<Item = &'static FieldWord> {
    FIELDS.iter().filter(move |f| f.sources.contains(&source))
}

/// A checked condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// Both conditions hold.
    And(Box<Filter>, Box<Filter>),
    /// Either condition holds.
    Or(Box<Filter>, Box<Filter>),
    /// The condition does not hold.
    Not(Box<Filter>),
    /// `field op value`.
    Compare {
        /// The field compared.
        field: FilterField,
        /// The comparison operator.
        op: CmpOp,
        /// The value as the column stores it (seconds, bytes, a normalised key).
        value: Value,
    },
    /// `field [not] in (...)`.
    In {
        /// The field tested.
        field: FilterField,
        /// The values, as the column stores them.
        values: Vec<Value>,
        /// Whether it is `not in`.
        negated: bool,
    },
    /// `field [not] like …` or `starts with …`: the whole value matches, case-sensitively.
    Matches {
        /// The text field tested.
        field: FilterField,
        /// The pattern, normalised like the field's values.
        pattern: Pattern,
        /// Whether it is `not like` / `not starts with`.
        negated: bool,
    },
    /// `field [not] between low and high`, both ends included.
    Between {
        /// The field tested; always a numeric one.
        field: FilterField,
        /// The lower end, included.
        low: Value,
        /// The upper end, included.
        high: Value,
        /// Whether it is `not between`.
        negated: bool,
    },
}

impl Filter {
    /// Whether any part needs the raw rows.
    pub fn raw_only(&self) -> bool {
        match self {
            Filter::And(a, b) | Filter::Or(a, b) => a.raw_only() || b.raw_only(),
            Filter::Not(a) => a.raw_only(),
            Filter::Compare { field, .. }
            | Filter::In { field, .. }
            | Filter::Matches { field, .. }
            | Filter::Between { field, .. } => field.raw_only(),
        }
    }

    /// Whether any part names a property of the customer (customer, plan, region, account).
    pub fn per_customer(&self) -> bool {
        let mut fields = Vec::new();
        self.fields(&mut fields);
        fields.iter().any(|f| f.per_customer())
    }

    /// The time keys a table must be fine enough for to check it: `hour` needs hours,
    /// `weekday` and `daytype` need days in the zone.
    pub fn time_keys(&self) -> Vec<super::Key> {
        let mut fields = Vec::new();
        self.fields(&mut fields);
        fields
            .iter()
            .filter_map(|f| match f {
                FilterField::Hour => Some(super::Key::Hour),
                FilterField::Weekday => Some(super::Key::Weekday),
                FilterField::Daytype => Some(super::Key::Daytype),
                _ => None,
            })
            .collect()
    }

    /// Every field it names.
    pub fn fields(&self, out: &mut Vec<FilterField>) {
        match self {
            Filter::And(a, b) | Filter::Or(a, b) => {
                a.fields(out);
                b.fields(out);
            }
            Filter::Not(a) => a.fields(out),
            Filter::Compare { field, .. }
            | Filter::In { field, .. }
            | Filter::Matches { field, .. }
            | Filter::Between { field, .. } => out.push(*field),
        }
    }
}

/// Checks a `where` condition against `source`'s fields: each field must exist for the source,
/// text fields take only `=` and `!=`, and each value is converted to what the column stores.
pub fn check(expr: &Expr, source: Source) -> Result<Filter, Diagnostic> {
    Ok(match expr {
        Expr::And(a, b) => Filter::And(Box::new(check(a, source)?), Box::new(check(b, source)?)),
        Expr::Or(a, b) => Filter::Or(Box::new(check(a, source)?), Box::new(check(b, source)?)),
        Expr::Not(a, _) => Filter::Not(Box::new(check(a, source)?)),
        Expr::Matches {
            field,
            pattern,
            prefix,
            negated,
        } => {
            let f = field_of(field, source)?;
            Filter::Matches {
                field: f,
                pattern: pattern_of(f, field, pattern, *prefix)?,
                negated: *negated,
            }
        }
        Expr::Measured { measure, .. } => {
            return Err(Diagnostic::new(
                measure.span,
                "`where` compares fields of records; a measure is compared with `having`",
            ));
        }
        Expr::Compare { field, op, value } => {
            let f = field_of(field, source)?;
            if !f.numeric() && !matches!(op.value, CmpOp::Eq | CmpOp::Ne) {
                return Err(Diagnostic::new(
                    op.span,
                    format!("`{}` can only be compared with = or !=", field.value),
                ));
            }
            Filter::Compare {
                field: f,
                op: op.value,
                value: value_of(f, value)?,
            }
        }
        Expr::In {
            field,
            values,
            negated,
        } => {
            let f = field_of(field, source)?;
            let values = values
                .iter()
                .map(|v| value_of(f, v))
                .collect::<Result<_, _>>()?;
            Filter::In {
                field: f,
                values,
                negated: *negated,
            }
        }
        Expr::Between {
            field,
            low,
            high,
            negated,
        } => {
            let f = field_of(field, source)?;
            if !f.numeric() {
                return Err(Diagnostic::new(
                    field.span,
                    format!("`{}` is not a number: `between` needs one", field.value),
                ));
            }
            Filter::Between {
                field: f,
                low: value_of(f, low)?,
                high: value_of(f, high)?,
                negated: *negated,
            }
        }
    })
}

/// The pattern of `like` or `starts with` on a text field, normalised as the field's values are
/// (keys and parties written as phone numbers lose their `+` and separators).
fn pattern_of(
    f: FilterField,
    field: &Spanned<String>,
    written: &Spanned<Literal>,
    prefix: bool,
) -> Result<Pattern, Diagnostic> {
    if !f.is_text() {
        return Err(Diagnostic::new(
            field.span,
            format!(
                "`like` and `starts with` apply to text fields (other, cell, customer, plan, \
                 region), not to `{}`",
                field.value
            ),
        ));
    }
    let raw = text(&written.value);
    let pattern = if prefix {
        Pattern::prefix(&raw)
    } else {
        Pattern::like(&raw)
    };
    Ok(match f {
        FilterField::Other | FilterField::Customer => pattern.as_phone_digits(),
        _ => pattern,
    })
}

fn field_of(field: &Spanned<String>, source: Source) -> Result<FilterField, Diagnostic> {
    fields(source)
        .find(|f| f.name == field.value)
        .map(|f| f.field)
        .ok_or_else(|| {
            let names: Vec<&str> = fields(source).map(|f| f.name).collect();
            Diagnostic::new(
                field.span,
                format!("{} records have no field `{}`", source.name(), field.value),
            )
            .expected(names.iter().map(|s| s.to_string()).collect())
            .hint(
                measure_meant(&field.value)
                    .or_else(|| crate::diag::suggest(&field.value, names.iter().copied())),
            )
        })
}

/// `where minutes > 600`: a measure where a field goes is meant for `having`.
fn measure_meant(word: &str) -> Option<String> {
    crate::vocab::measure(word).map(|_| {
        format!("`{word}` is a measure of groups: keep groups by it with `having {word} > …`")
    })
}

fn text(v: &Literal) -> String {
    match v {
        Literal::Number(_, text)
        | Literal::Time(text)
        | Literal::Text(text)
        | Literal::Duration(_, text)
        | Literal::Size(_, text) => text.clone(),
    }
}

/// `300m` where a size goes: `m` is minutes in tally, never megabytes.
fn megabytes_meant(raw: &str) -> Option<String> {
    let number = raw.strip_suffix(['m', 'M'])?;
    (!number.is_empty() && number.chars().all(|c| c.is_ascii_digit() || c == '.'))
        .then(|| format!("`m` means minutes; for megabytes write `{number}MB`"))
}

fn bad(span: Span, message: String) -> Diagnostic {
    Diagnostic::new(span, message)
}

/// The value as the column stores it: seconds, bytes, normalised keys and enumerations.
fn value_of(field: FilterField, v: &Spanned<Literal>) -> Result<Value, Diagnostic> {
    let raw = text(&v.value);
    let invalid = |e: crate::model::ValidationError| bad(v.span, e.to_string());
    Ok(match field {
        FilterField::Direction => Value::from(
            Direction::parse("direction", &raw)
                .map_err(invalid)?
                .as_str(),
        ),
        FilterField::Status => {
            Value::from(CallStatus::parse("status", &raw).map_err(invalid)?.as_str())
        }
        FilterField::Duration => match v.value {
            Literal::Duration(s, _) => Value::Int(i64::from(s)),
            Literal::Number(n, _) if n >= 0.0 => Value::Int(n.round() as i64),
            _ => {
                return Err(bad(
                    v.span,
                    format!("`{raw}` is not a duration such as 90s, 5m or 1h"),
                ));
            }
        },
        FilterField::Up | FilterField::Down | FilterField::Bytes => match v.value {
            Literal::Size(b, _) => Value::Int(i64::try_from(b).unwrap_or(i64::MAX)),
            Literal::Number(n, _) if n >= 0.0 => Value::Int(n.round() as i64),
            _ => {
                return Err(bad(
                    v.span,
                    format!("`{raw}` is not a size such as 512, 10MB or 1.5GiB"),
                )
                .hint(megabytes_meant(&raw)));
            }
        },
        FilterField::Customer => Value::from(
            SubscriberKey::parse("customer", &raw)
                .map_err(invalid)?
                .as_str(),
        ),
        FilterField::Other => Value::from(PartyId::parse("other", &raw).map_err(invalid)?.as_str()),
        FilterField::Account => Value::from(
            crate::model::CustomerStatus::parse("account", &raw)
                .map_err(invalid)?
                .as_str(),
        ),
        FilterField::Hour => Value::Int(hour_of_day(&v.value).ok_or_else(|| {
            bad(
                v.span,
                format!("`{raw}` is not an hour of the day: write a whole number from 0 to 23"),
            )
        })?),
        FilterField::Weekday => Value::Int(weekday_number(&v.value).ok_or_else(|| {
            bad(v.span, format!("`{raw}` is not a day of the week"))
                .expected(WEEKDAYS.iter().map(|d| d.to_string()).collect())
                .hint(crate::diag::suggest(&raw.to_lowercase(), WEEKDAYS))
        })?),
        FilterField::Daytype => match raw.to_ascii_lowercase().as_str() {
            day @ ("weekday" | "weekend") => Value::from(day),
            _ => {
                return Err(bad(
                    v.span,
                    format!("`{raw}` is not a day type: write `weekday` or `weekend`"),
                ));
            }
        },
        FilterField::Country => {
            Value::from(if raw.eq_ignore_ascii_case(crate::model::UNKNOWN_COUNTRY) {
                crate::model::UNKNOWN_COUNTRY.to_string()
            } else {
                raw.to_ascii_uppercase()
            })
        }
        FilterField::International => match raw.to_ascii_lowercase().as_str() {
            "yes" | "true" | "1" => Value::Int(1),
            "no" | "false" | "0" => Value::Int(0),
            _ => {
                return Err(bad(
                    v.span,
                    format!(
                        "`{raw}` is not yes or no: write `where international` or `international = no`"
                    ),
                ));
            }
        },
        FilterField::Cell | FilterField::Plan | FilterField::Region => Value::from(raw),
    })
}

/// The days of the week as `weekday` takes them, Monday (1) first.
const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// `22` as an hour of the day; `None` for a fraction or a number outside 0-23.
fn hour_of_day(v: &Literal) -> Option<i64> {
    match v {
        Literal::Number(n, _) if n.fract() == 0.0 && (0.0..=23.0).contains(n) => Some(*n as i64),
        _ => None,
    }
}

/// `mon`, `Monday` or `1` as 1, up to `sun` as 7.
fn weekday_number(v: &Literal) -> Option<i64> {
    match v {
        Literal::Number(n, _) if n.fract() == 0.0 && (1.0..=7.0).contains(n) => Some(*n as i64),
        Literal::Text(word) => {
            let word = word.to_ascii_lowercase();
            let position = WEEKDAYS
                .iter()
                .position(|d| *d == word || (word.len() == 3 && d.starts_with(&word)))?;
            Some(position as i64 + 1)
        }
        _ => None,
    }
}
