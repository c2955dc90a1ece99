//! `having` conditions: comparisons of each group's measures, checked once the groups are made,
//! with values converted to the unit the measure is shown in.

use super::measure::MeasureDef;
use super::metric::resolve;
use super::{Context, Kind};
use crate::diag::Diagnostic;
use crate::parse::ast::{CmpOp, Expr, Literal, Source, Spanned};
use crate::store::Value;

/// A checked `having` condition over the plan's measures.
#[derive(Debug, Clone, PartialEq)]
pub enum Having {
    /// Both conditions hold.
    And(Box<Having>, Box<Having>),
    /// Either condition holds.
    Or(Box<Having>, Box<Having>),
    /// The condition does not hold.
    Not(Box<Having>),
    /// The measure at `column` of `Plan::measures` compared with `value`, in its shown unit.
    Compare {
        /// The measure's index in the plan's measures.
        column: usize,
        /// The comparison operator.
        op: CmpOp,
        /// The value, in the unit the measure is shown in (seconds, MB, minutes, ...).
        value: f64,
    },
}

impl Having {
    /// Whether a group whose measures are `values` is kept. A measure with no value (an average
    /// of nothing) makes its comparison unknown, as in SQL: neither it nor its `not` holds.
    pub fn holds(&self, values: &[Value]) -> bool {
        self.truth(values) == Some(true)
    }

    /// SQL's three-valued logic: None is unknown.
    fn truth(&self, values: &[Value]) -> Option<bool> {
        match self {
            Having::And(a, b) => match (a.truth(values), b.truth(values)) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            },
            Having::Or(a, b) => match (a.truth(values), b.truth(values)) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            },
            Having::Not(a) => a.truth(values).map(|t| !t),
            Having::Compare { column, op, value } => {
                let x = values.get(*column).and_then(Value::as_f64)?;
                Some(match op {
                    CmpOp::Eq => x == *value,
                    CmpOp::Ne => x != *value,
                    CmpOp::Lt => x < *value,
                    CmpOp::Le => x <= *value,
                    CmpOp::Gt => x > *value,
                    CmpOp::Ge => x >= *value,
                })
            }
        }
    }
}

/// Checks a `having` condition: each measure resolves for `source` and is added to `measures`
/// (shown, like a sort measure) when not already there.
pub fn check(
    expr: &Expr,
    source: Source,
    measures: &mut Vec<MeasureDef>,
    ctx: &Context,
) -> Result<Having, Diagnostic> {
    let both = |a: &Expr, b: &Expr, measures: &mut Vec<MeasureDef>| {
        Ok::<_, Diagnostic>((
            Box::new(check(a, source, measures, ctx)?),
            Box::new(check(b, source, measures, ctx)?),
        ))
    };
    Ok(match expr {
        Expr::And(a, b) => {
            let (a, b) = both(a, b, measures)?;
            Having::And(a, b)
        }
        Expr::Or(a, b) => {
            let (a, b) = both(a, b, measures)?;
            Having::Or(a, b)
        }
        Expr::Not(a, _) => Having::Not(Box::new(check(a, source, measures, ctx)?)),
        Expr::Measured { measure, op, value } => {
            let def = resolve(measure, source, ctx).map_err(|d| field_meant(d, measure))?;
            let value = in_unit(&def, value)?;
            let column = match measures.iter().position(|m| m.label == def.label) {
                Some(i) => i,
                None => {
                    measures.push(def);
                    measures.len() - 1
                }
            };
            Having::Compare {
                column,
                op: op.value,
                value,
            }
        }
        Expr::Compare { field, .. }
        | Expr::In { field, .. }
        | Expr::Between { field, .. }
        | Expr::Matches { field, .. } => {
            return Err(Diagnostic::new(
                field.span,
                "`having` compares measures; a field of records is compared with `where`",
            ));
        }
    })
}

/// `having duration > 5m`: a field where a measure goes is meant for `where`, or a function.
fn field_meant(d: Diagnostic, measure: &Spanned<crate::parse::ast::Measure>) -> Diagnostic {
    let crate::parse::ast::Measure::Named(word) = &measure.value else {
        return d;
    };
    if !crate::vocab::FIELDS.iter().any(|f| f.name == word) {
        return d;
    }
    let numeric = crate::vocab::NUMERIC.iter().any(|n| n.name == word);
    let functions = if numeric {
        format!(", or a group's with `avg({word})`, `min({word})`, `max({word})`")
    } else {
        String::new()
    };
    d.hint(Some(format!(
        "`{word}` is a field of records: compare each record's with `where {word} …`{functions}"
    )))
}

/// The value in the unit `def` is shown in: a number as written, a duration in seconds for a
/// duration measure, a size in MB for a data measure.
fn in_unit(def: &MeasureDef, v: &Spanned<Literal>) -> Result<f64, Diagnostic> {
    let refuse = |what: &str, written: &str| {
        let unit = match def.kind {
            Kind::Seconds => "a duration such as 90s or 5m",
            Kind::Megabytes => "a number of MB or a size such as 500MB",
            _ => "a number",
        };
        Diagnostic::new(
            v.span,
            format!(
                "`{written}` is {what}; `{}` is compared with {unit}",
                def.label
            ),
        )
    };
    match (&v.value, def.kind) {
        (Literal::Number(n, _), _) => Ok(*n),
        (Literal::Duration(s, _), Kind::Seconds) => Ok(f64::from(*s)),
        (Literal::Size(bytes, _), Kind::Megabytes) => Ok(*bytes as f64 / 1e6),
        (Literal::Duration(_, text), _) => Err(refuse("a duration", text)),
        (Literal::Size(_, text), _) => Err(refuse("a size", text)),
        (Literal::Time(text) | Literal::Text(text), _) => Err(refuse("not a number", text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_value_satisfies_neither_a_comparison_nor_its_negation() {
        let gt = Having::Compare {
            column: 0,
            op: CmpOp::Gt,
            value: 1.0,
        };
        assert!(!gt.holds(&[Value::Null]));
        assert!(gt.holds(&[Value::Float(1.5)]));
        assert!(!gt.holds(&[Value::Int(1)]));
        let not = Having::Not(Box::new(gt.clone()));
        assert!(!not.holds(&[Value::Null]));
        assert!(not.holds(&[Value::Int(1)]));
        let either = Having::Or(Box::new(gt), Box::new(not));
        assert!(!either.holds(&[Value::Null]));
        assert!(either.holds(&[Value::Int(0)]));
    }
}
