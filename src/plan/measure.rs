//! Measures: what each built-in measure is made of (atoms the database sums) and how its value
//! is computed from them, per source.

use super::Kind;
use crate::diag::Diagnostic;
use crate::parse::ast::{Measure as Written, Source, Spanned};
use crate::vocab::{self, How, MEASURES, MeasureWord};

pub use crate::vocab::{Atom, Field};

/// How a measure's value comes from its atoms.
#[derive(Debug, Clone, PartialEq)]
pub enum Compute {
    /// The sum of the atoms.
    Sum(Vec<Atom>),
    /// Sum of the first atoms over the sum of the second (an average).
    Ratio(Vec<Atom>, Vec<Atom>),
    /// One atom as it is (min, max, distinct customers).
    Single(Atom),
    /// Usage priced at the plan in force on its day: outgoing minutes, outgoing SMS, MB both
    /// ways; with the monthly fees when `fees`.
    Revenue {
        /// Whether outgoing call seconds are priced per minute.
        minutes: bool,
        /// Whether outgoing SMS are priced each.
        sms: bool,
        /// Whether bytes up and down are priced per MB.
        data: bool,
        /// Whether the monthly fees are added (`revenue` on `usage`).
        fees: bool,
    },
    /// Monthly fees prorated over the days each plan was held with the account open.
    Fees,
    /// Usage charges and fees over the customers with an account open in the range.
    Arpu,
    /// The atoms' sum in the group's busiest clock hour (the aggregate is split by hour too).
    Busiest(Vec<Atom>),
    /// The atoms' sum over the seconds of time the group covers.
    Intensity(Vec<Atom>),
    /// A metric, from its inputs.
    Metric(Box<super::MetricUse>),
    /// `share(M)`: the group's M as a per cent of M over every group of the answer.
    Share(Box<MeasureDef>),
}

impl Compute {
    /// The atoms the database must sum for it, without repeats for a metric.
    pub fn atoms(&self) -> Vec<Atom> {
        match self {
            Compute::Sum(a) | Compute::Busiest(a) | Compute::Intensity(a) => a.clone(),
            Compute::Ratio(a, b) => a.iter().chain(b).copied().collect(),
            Compute::Single(a) => vec![*a],
            Compute::Revenue {
                minutes, sms, data, ..
            } => {
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
            Compute::Arpu => vec![
                Atom::SecondsOut,
                Atom::SmsOut,
                Atom::BytesUp,
                Atom::BytesDown,
            ],
            Compute::Fees => Vec::new(),
            Compute::Metric(m) => {
                let mut atoms: Vec<Atom> =
                    m.inputs.iter().flat_map(|i| i.compute.atoms()).collect();
                atoms.sort();
                atoms.dedup();
                atoms
            }
            Compute::Share(m) => m.compute.atoms(),
        }
    }

    /// Whether the rows need their plan's prices.
    pub fn priced(&self) -> bool {
        match self {
            Compute::Revenue { .. } | Compute::Arpu => true,
            Compute::Metric(m) => m.inputs.iter().any(|i| i.compute.priced()),
            Compute::Share(m) => m.compute.priced(),
            _ => false,
        }
    }

    /// Whether SQL can compute it (to sort and cut in the database).
    pub fn in_sql(&self) -> bool {
        match self {
            Compute::Metric(m) => m.pushdown.is_some(),
            Compute::Share(_) | Compute::Busiest(_) | Compute::Intensity(_) => false,
            Compute::Fees | Compute::Arpu | Compute::Revenue { fees: true, .. } => false,
            _ => true,
        }
    }

    /// Whether it, or a measure it reads, is read from a split of the groups by clock hour.
    pub fn needs_hours(&self) -> bool {
        self.reads(&|c| matches!(c, Compute::Busiest(_)))
    }

    /// Whether it, or a measure it reads, adds the monthly fees.
    pub fn needs_fees(&self) -> bool {
        self.reads(&|c| {
            matches!(
                c,
                Compute::Fees | Compute::Arpu | Compute::Revenue { fees: true, .. }
            )
        })
    }

    /// Whether it, or a measure it reads, divides by the time its group covers.
    pub fn needs_clock(&self) -> bool {
        self.reads(&|c| matches!(c, Compute::Intensity(_)))
    }

    fn reads(&self, is: &dyn Fn(&Compute) -> bool) -> bool {
        match self {
            Compute::Metric(m) => m.inputs.iter().any(|i| i.compute.reads(is)),
            Compute::Share(m) => m.compute.reads(is),
            other => is(other),
        }
    }

    /// Whether its value depends on every group of the answer (a share of the total): the
    /// database must then return every group, uncut.
    pub fn needs_all_groups(&self) -> bool {
        matches!(self, Compute::Share(_))
    }
}

/// A measure resolved for a source.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureDef {
    /// The column name: `minutes`, `avg(duration)`.
    pub label: String,
    /// How its values are shown (a count, minutes, money, ...).
    pub kind: Kind,
    /// How its value comes from the atoms.
    pub compute: Compute,
    /// What the computed value is divided by: 60 for minutes, 10^6 for MB.
    pub scale: f64,
}

/// The measures each source has (functions summed up in one entry), for error messages.
pub fn names(source: Source) -> Vec<String> {
    let mut names: Vec<String> = MEASURES
        .iter()
        .filter(|m| m.applies_to(source))
        .map(|m| m.name.to_string())
        .collect();
    let fields: Vec<&str> = vocab::numeric(source).map(|n| n.name).collect();
    if !fields.is_empty() {
        names.push(format!("sum/avg/min/max({})", fields.join(", ")));
    }
    names
}

/// The plan's form of a vocabulary measure on `source` (which must have it).
pub fn defined(word: &MeasureWord, source: Source, label: String) -> MeasureDef {
    let compute = match word.how {
        How::Sum => Compute::Sum(word.atoms(source)),
        How::Distinct => Compute::Single(Atom::Customers),
        How::Ratio(den) => Compute::Ratio(word.atoms(source), den.to_vec()),
        How::Busiest => Compute::Busiest(word.atoms(source)),
        How::Intensity => Compute::Intensity(word.atoms(source)),
        How::Revenue | How::UsageRevenue => Compute::Revenue {
            minutes: source.includes(Source::Calls) && !word.calls.is_empty(),
            sms: source.includes(Source::Sms) && !word.sms.is_empty(),
            data: source.includes(Source::Data) && !word.data.is_empty(),
            fees: word.how == How::Revenue && source == Source::Usage,
        },
        How::Fees => Compute::Fees,
        How::Arpu => Compute::Arpu,
    };
    MeasureDef {
        label,
        kind: word.kind,
        compute,
        scale: word.scale,
    }
}

/// The built-in measure `written` for `source`; None when it is not a built-in name (it may
/// be a metric).
pub fn builtin(
    written: &Spanned<Written>,
    source: Source,
) -> Result<Option<MeasureDef>, Diagnostic> {
    let label = written.value.label();
    let name = match &written.value {
        Written::Function {
            function,
            field,
            arg,
        } if function == "share" => {
            no_argument(function, arg.as_ref())?;
            return share_of(field, source, label).map(Some);
        }
        Written::Function {
            function,
            field,
            arg,
        } => {
            return function_of(function, field, arg.as_ref(), source, &label).map(Some);
        }
        Written::Named(name) => name.as_str(),
    };
    match vocab::measure(name) {
        None => Ok(None),
        Some(word) if word.applies_to(source) => Ok(Some(defined(word, source, label))),
        Some(_) => Err(Diagnostic::new(
            written.span,
            format!("`{name}` is not a measure of {}", source.name()),
        )
        .expected(names(source))),
    }
}

/// `p95` as 95: `p` and a whole per cent from 1 to 99.
fn percent_of(function: &str) -> Option<u32> {
    let digits = function.strip_prefix('p')?;
    let n: u32 = digits.parse().ok()?;
    (digits.len() <= 2 && (1..=99).contains(&n)).then_some(n)
}

/// The fraction of `percentile(f, 0.9)` in millionths: from 0 to 1, at most 6 decimals.
fn fraction(arg: Option<&Spanned<String>>, field: &Spanned<String>) -> Result<u32, Diagnostic> {
    let Some(arg) = arg else {
        return Err(Diagnostic::new(
            field.span,
            "`percentile` needs the fraction too: `percentile(duration, 0.9)`",
        ));
    };
    let bad = || {
        Diagnostic::new(
            arg.span,
            format!(
                "`{}` is not a fraction from 0 to 1 with at most 6 decimals (0.9 is the 90th \
                 percentile)",
                arg.value
            ),
        )
    };
    let (whole, decimals) = arg.value.split_once('.').unwrap_or((&arg.value, ""));
    if decimals.len() > 6 || !decimals.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let whole: u32 = whole.parse().map_err(|_| bad())?;
    let decimals: u32 = format!("{decimals:0<6}").parse().map_err(|_| bad())?;
    let millionths = whole
        .checked_mul(1_000_000)
        .and_then(|w| w.checked_add(decimals))
        .ok_or_else(bad)?;
    if millionths > 1_000_000 {
        return Err(bad());
    }
    Ok(millionths)
}

/// Refuses a second argument to a function that takes one.
fn no_argument(function: &str, arg: Option<&Spanned<String>>) -> Result<(), Diagnostic> {
    match arg {
        Some(arg) => Err(Diagnostic::new(
            arg.span,
            format!("`{function}` takes one argument"),
        )),
        None => Ok(()),
    }
}

/// `share(M)` of a measure that adds up over groups (a count, minutes, MB, revenue): the
/// shares of an answer's groups then add up to 100.
fn share_of(
    inner: &Spanned<String>,
    source: Source,
    label: String,
) -> Result<MeasureDef, Diagnostic> {
    let written = Spanned::new(Written::Named(inner.value.clone()), inner.span);
    let additive = |m: &MeasureDef| {
        matches!(
            m.compute,
            Compute::Sum(_) | Compute::Revenue { .. } | Compute::Fees
        )
    };
    match builtin(&written, source)? {
        Some(m) if additive(&m) => Ok(MeasureDef {
            label,
            kind: Kind::Number,
            compute: Compute::Share(Box::new(m)),
            scale: 1.0,
        }),
        _ => {
            let sums: Vec<String> = MEASURES
                .iter()
                .filter(|m| m.applies_to(source) && m.how != How::Distinct)
                .map(|m| m.name.to_string())
                .collect();
            Err(Diagnostic::new(
                inner.span,
                format!(
                    "`share` takes a measure that adds up over groups; `{}` does not",
                    inner.value
                ),
            )
            .expected(sums))
        }
    }
}

fn function_of(
    function: &str,
    field: &Spanned<String>,
    arg: Option<&Spanned<String>>,
    source: Source,
    label: &str,
) -> Result<MeasureDef, Diagnostic> {
    let Some(f) = vocab::numeric(source)
        .find(|n| n.name == field.value)
        .map(|n| n.field)
    else {
        let known: Vec<String> = vocab::numeric(source).map(|n| n.name.to_string()).collect();
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
    if function != "percentile" {
        no_argument(function, arg)?;
    }
    let compute = match function {
        "sum" => Compute::Sum(f.sum()),
        "avg" => Compute::Ratio(f.sum(), f.records()),
        "min" => Compute::Single(Atom::Min(f)),
        "max" => Compute::Single(Atom::Max(f)),
        "median" => Compute::Single(Atom::Percentile(f, 500_000)),
        "percentile" => Compute::Single(Atom::Percentile(f, fraction(arg, field)?)),
        other if let Some(per_cent) = percent_of(other) => {
            Compute::Single(Atom::Percentile(f, per_cent * 10_000))
        }
        other => {
            return Err(
                Diagnostic::new(field.span, format!("unknown function `{other}`")).expected(
                    crate::vocab::words::FUNCTIONS
                        .iter()
                        .map(|s| s.to_string())
                        .collect(),
                ),
            );
        }
    };
    Ok(MeasureDef {
        label: label.to_string(),
        kind: f.kind(),
        compute,
        scale: f.scale(),
    })
}
