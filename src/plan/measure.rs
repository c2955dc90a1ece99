//! Measures: what each built-in measure is made of (atoms the database sums) and how its value
//! is computed from them, per source.

use super::Kind;
use crate::diag::Diagnostic;
use crate::parse::ast::{Measure as Written, Source, Spanned};

/// A number the database computes per group: a sum or count over records, never a ratio, so
/// results from several tables add up and both backends return the same integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Atom {
    CallsOut,
    CallsIn,
    Answered,
    SecondsOut,
    SecondsIn,
    SmsOut,
    SmsIn,
    Sessions,
    DataSeconds,
    BytesUp,
    BytesDown,
    /// Distinct customers: not additive, so never summed across groups.
    Customers,
    /// Smallest / largest value of a record field (raw rows only).
    Min(Field),
    Max(Field),
}

/// Numeric fields of records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    CallDuration,
    DataDuration,
    Up,
    Down,
    Bytes,
}

impl Atom {
    /// Whether a rollup table has it (min and max need the raw rows).
    pub fn in_rollups(self) -> bool {
        !matches!(self, Atom::Min(_) | Atom::Max(_))
    }
}

/// How a measure's value comes from its atoms.
#[derive(Debug, Clone, PartialEq)]
pub enum Compute {
    /// The sum of the atoms.
    Sum(Vec<Atom>),
    /// Sum of the first atoms over the sum of the second (an average).
    Ratio(Vec<Atom>, Vec<Atom>),
    /// One atom as it is (min, max, distinct customers).
    Single(Atom),
    /// Usage priced at each customer's plan: outgoing minutes, outgoing SMS, MB both ways.
    Revenue {
        minutes: bool,
        sms: bool,
        data: bool,
    },
    /// A metric, from its inputs.
    Metric(Box<super::MetricUse>),
}

impl Compute {
    pub fn atoms(&self) -> Vec<Atom> {
        match self {
            Compute::Sum(a) => a.clone(),
            Compute::Ratio(a, b) => a.iter().chain(b).copied().collect(),
            Compute::Single(a) => vec![*a],
            Compute::Revenue { minutes, sms, data } => {
                let mut atoms = Vec::new();
                if *minutes {
                    atoms.push(Atom::SecondsOut);
                }
                if *sms {
                    atoms.push(Atom::SmsOut);
                }
                if *data {
                    atoms.extend([Atom::BytesUp, Atom::BytesDown]);
                }
                atoms
            }
            Compute::Metric(m) => {
                let mut atoms: Vec<Atom> =
                    m.inputs.iter().flat_map(|i| i.compute.atoms()).collect();
                atoms.sort();
                atoms.dedup();
                atoms
            }
        }
    }

    /// Whether the rows need their plan's prices.
    pub fn priced(&self) -> bool {
        match self {
            Compute::Revenue { .. } => true,
            Compute::Metric(m) => m.inputs.iter().any(|i| i.compute.priced()),
            _ => false,
        }
    }

    /// Whether SQL can compute it (to sort and cut in the database).
    pub fn in_sql(&self) -> bool {
        match self {
            Compute::Metric(m) => m.pushdown.is_some(),
            _ => true,
        }
    }
}

/// A measure resolved for a source.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureDef {
    /// The column name: `minutes`, `avg(duration)`.
    pub label: String,
    pub kind: Kind,
    pub compute: Compute,
    /// What the computed value is divided by: 60 for minutes, 10^6 for MB.
    pub scale: f64,
}

const CALLS: [Atom; 2] = [Atom::CallsOut, Atom::CallsIn];
const SECONDS: [Atom; 2] = [Atom::SecondsOut, Atom::SecondsIn];
const SMS: [Atom; 2] = [Atom::SmsOut, Atom::SmsIn];
const BYTES: [Atom; 2] = [Atom::BytesUp, Atom::BytesDown];

/// The measures each source has, for error messages.
pub fn names(source: Source) -> &'static [&'static str] {
    match source {
        Source::Calls => &[
            "count",
            "calls",
            "answered",
            "minutes",
            "seconds",
            "customers",
            "revenue",
            "sum/avg/min/max(duration)",
        ],
        Source::Sms => &["count", "sms", "customers", "revenue"],
        Source::Data => &[
            "count",
            "data_mb",
            "customers",
            "revenue",
            "sum/avg/min/max(duration, up, down, bytes)",
        ],
        Source::Usage => &[
            "count",
            "calls",
            "answered",
            "minutes",
            "seconds",
            "sms",
            "data_mb",
            "customers",
            "revenue",
        ],
    }
}

fn has(source: Source, part: Source) -> bool {
    source == part || source == Source::Usage
}

/// The built-in measure `written` for `source`; None when it is not a built-in name (it may
/// be a metric).
pub fn builtin(
    written: &Spanned<Written>,
    source: Source,
) -> Result<Option<MeasureDef>, Diagnostic> {
    let unknown_here = |name: &str| {
        Diagnostic::new(
            written.span,
            format!("`{name}` is not a measure of {}", source.name()),
        )
        .expected(names(source).iter().map(|s| s.to_string()).collect())
    };
    let label = written.value.label();
    let def = |kind, compute| {
        Ok(Some(MeasureDef {
            label: label.clone(),
            kind,
            compute,
            scale: 1.0,
        }))
    };
    let scaled = |kind, compute, scale| {
        Ok(Some(MeasureDef {
            label: label.clone(),
            kind,
            compute,
            scale,
        }))
    };
    let name = match &written.value {
        Written::Function { function, field } => {
            return function_of(function, field, source, &label);
        }
        Written::Named(name) => name.as_str(),
    };
    let (calls, sms, data) = (
        has(source, Source::Calls),
        has(source, Source::Sms),
        has(source, Source::Data),
    );
    match name {
        "count" => {
            let mut atoms = Vec::new();
            if calls {
                atoms.extend(CALLS);
            }
            if sms {
                atoms.extend(SMS);
            }
            if data {
                atoms.push(Atom::Sessions);
            }
            def(Kind::Count, Compute::Sum(atoms))
        }
        "calls" if calls => def(Kind::Count, Compute::Sum(CALLS.to_vec())),
        "answered" if calls => def(Kind::Count, Compute::Single(Atom::Answered)),
        "minutes" if calls => scaled(Kind::Number, Compute::Sum(SECONDS.to_vec()), 60.0),
        "seconds" if calls => def(Kind::Seconds, Compute::Sum(SECONDS.to_vec())),
        "sms" if sms => def(Kind::Count, Compute::Sum(SMS.to_vec())),
        "data_mb" if data => scaled(Kind::Megabytes, Compute::Sum(BYTES.to_vec()), 1e6),
        "customers" => def(Kind::Count, Compute::Single(Atom::Customers)),
        "revenue" => def(
            Kind::Money,
            Compute::Revenue {
                minutes: calls,
                sms,
                data,
            },
        ),
        "calls" | "answered" | "minutes" | "seconds" | "sms" | "data_mb" => Err(unknown_here(name)),
        _ => Ok(None),
    }
}

fn function_of(
    function: &str,
    field: &Spanned<String>,
    source: Source,
    label: &str,
) -> Result<Option<MeasureDef>, Diagnostic> {
    let fields: &[(&str, Field)] = match source {
        Source::Calls => &[("duration", Field::CallDuration)],
        Source::Data => &[
            ("duration", Field::DataDuration),
            ("up", Field::Up),
            ("down", Field::Down),
            ("bytes", Field::Bytes),
        ],
        _ => &[],
    };
    let Some(&(_, f)) = fields.iter().find(|(n, _)| *n == field.value) else {
        let known: Vec<String> = fields.iter().map(|(n, _)| n.to_string()).collect();
        let message = if known.is_empty() {
            format!(
                "{} records have no numeric field for `{function}`",
                source.name()
            )
        } else {
            format!(
                "`{}` is not a numeric field of {}",
                field.value,
                source.name()
            )
        };
        return Err(Diagnostic::new(field.span, message).expected(known));
    };
    let kind = match f {
        Field::CallDuration | Field::DataDuration => Kind::Seconds,
        _ => Kind::Megabytes,
    };
    let sum = field_sum(f);
    let count = if f == Field::CallDuration {
        CALLS.to_vec()
    } else {
        vec![Atom::Sessions]
    };
    let scale = if kind == Kind::Megabytes { 1e6 } else { 1.0 };
    let compute = match function {
        "sum" => Compute::Sum(sum),
        "avg" => Compute::Ratio(sum, count),
        "min" => Compute::Single(Atom::Min(f)),
        "max" => Compute::Single(Atom::Max(f)),
        other => {
            return Err(
                Diagnostic::new(field.span, format!("unknown function `{other}`")).expected(
                    crate::parse::words::FUNCTIONS
                        .iter()
                        .map(|s| s.to_string())
                        .collect(),
                ),
            );
        }
    };
    Ok(Some(MeasureDef {
        label: label.to_string(),
        kind,
        compute,
        scale,
    }))
}

fn field_sum(f: Field) -> Vec<Atom> {
    match f {
        Field::CallDuration => SECONDS.to_vec(),
        Field::DataDuration => vec![Atom::DataSeconds],
        Field::Up => vec![Atom::BytesUp],
        Field::Down => vec![Atom::BytesDown],
        Field::Bytes => BYTES.to_vec(),
    }
}
