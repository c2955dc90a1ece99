//! Measures by name: a built-in one, or a metric with its inputs resolved for the source and,
//! when it is plain arithmetic, its SQL form's inputs too.

use super::Context;
use super::Kind;
use super::measure::{self, Compute, MeasureDef};
use crate::diag::{Diagnostic, Span};
use crate::metric::{Arith, Metric};
use crate::parse::ast::{Measure, Source, Spanned};

/// A metric as a plan uses it.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricUse {
    /// The metric as defined: its name, text and compiled script.
    pub metric: Metric,
    /// Its inputs, in the order `metric.inputs` names them: built-in measures or metrics.
    pub inputs: Vec<MeasureDef>,
    /// Its SQL form with the built-in measures that form reads, when it has one.
    pub pushdown: Option<(Arith, Vec<(String, MeasureDef)>)>,
}

/// The measure `written` names, for `source`.
pub fn resolve(
    written: &Spanned<Measure>,
    source: Source,
    ctx: &Context,
) -> Result<MeasureDef, Diagnostic> {
    if let Some(def) = measure::builtin(written, source)? {
        return Ok(def);
    }
    let label = written.value.label();
    match ctx.metrics.get(&label) {
        Some(m) => metric(m, source, ctx, written.span),
        None => {
            let mut names = measure::names(source);
            names.extend(ctx.metrics.names());
            let hint = crate::diag::suggest(&label, names.iter().map(String::as_str));
            Err(
                Diagnostic::new(written.span, format!("unknown measure `{label}`"))
                    .expected(names)
                    .hint(hint),
            )
        }
    }
}

/// A built-in measure by name, for the defaults of a query.
pub fn named(name: &str, source: Source, ctx: &Context) -> Result<MeasureDef, Diagnostic> {
    resolve(
        &Spanned::new(Measure::Named(name.into()), Span::default()),
        source,
        ctx,
    )
}

fn metric(m: &Metric, source: Source, ctx: &Context, span: Span) -> Result<MeasureDef, Diagnostic> {
    let input = |name: &str| {
        let written = Spanned::new(Measure::Named(name.to_string()), span);
        resolve(&written, source, ctx).map_err(|_| {
            Diagnostic::new(
                span,
                format!(
                    "metric `{}` reads `{name}`, which {} records do not have",
                    m.name,
                    source.name()
                ),
            )
        })
    };
    let inputs = m
        .inputs
        .iter()
        .map(|n| input(n))
        .collect::<Result<Vec<_>, _>>()?;
    let pushdown = match ctx.metrics.pushdown(m) {
        Some(tree) => {
            let mut names = Vec::new();
            tree.vars(&mut names);
            let defs = names
                .iter()
                .map(|n| input(n).map(|d| (n.clone(), d)))
                .collect::<Result<Vec<_>, _>>()?;
            // A measure only tally computes (a busiest hour) keeps the metric out of SQL.
            defs.iter()
                .all(|(_, d)| d.compute.in_sql())
                .then_some((tree, defs))
        }
        None => None,
    };
    Ok(MeasureDef {
        label: m.name.clone(),
        kind: Kind::Number,
        compute: Compute::Metric(Box::new(MetricUse {
            metric: m.clone(),
            inputs,
            pushdown,
        })),
        scale: 1.0,
    })
}
