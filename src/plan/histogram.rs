//! `histogram FIELD calls|data`: the records counted into buckets of a numeric field, with the
//! edges given (`buckets 0, 30s, 1m`) or a ladder of round values.

use super::finish::{Spec, finish};
use super::time::UtcRange;
use super::{Context, Field, Kind, Plan, Style};
use crate::diag::Diagnostic;
use crate::parse::ast::{Literal, Query, Source, Spanned};

/// Most edges a histogram takes: each is a bind parameter and a bucket on the screen.
pub const MAX_EDGES: usize = 50;

/// Round durations, in seconds: 10 s to 4 h.
const SECONDS: [i64; 12] = [0, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14_400];

/// Round sizes, in bytes: 100 kB to 5 GB.
const BYTES: [i64; 10] = [
    0,
    100_000,
    1_000_000,
    5_000_000,
    10_000_000,
    50_000_000,
    100_000_000,
    500_000_000,
    1_000_000_000,
    5_000_000_000,
];

/// The buckets of a histogram.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    /// The field counted.
    pub field: Field,
    /// Ascending edges in stored units (seconds, bytes), the first 0: bucket i holds values
    /// from edge i up to (not including) edge i + 1, the last one everything above.
    pub edges: Vec<i64>,
    /// Each bucket's label: `30s–1m`, `1GB+`.
    pub labels: Vec<String>,
    /// Whether the edges were chosen by tally (empty buckets above the last value are left
    /// out) rather than written (every bucket is shown).
    pub automatic: bool,
}

/// Plans `histogram FIELD SOURCE`.
pub(super) fn plan(
    query: &Query,
    field: &Spanned<String>,
    source: Source,
    range: UtcRange,
    ctx: &Context,
) -> Result<Plan, Diagnostic> {
    let Some(f) = crate::vocab::numeric(source)
        .find(|n| n.name == field.value)
        .map(|n| n.field)
    else {
        let known: Vec<String> = crate::vocab::numeric(source)
            .map(|n| n.name.to_string())
            .collect();
        return Err(Diagnostic::new(
            field.span,
            format!(
                "`{}` is not a numeric field of {}",
                field.value,
                source.name()
            ),
        )
        .expected(known));
    };
    let automatic = query.buckets.is_empty();
    let edges = if automatic {
        match f.kind() {
            Kind::Seconds => SECONDS.to_vec(),
            _ => BYTES.to_vec(),
        }
    } else {
        written_edges(&query.buckets, f)?
    };
    let labels = labels(&edges, f.kind());
    let filter = query
        .filter
        .as_ref()
        .map(|e| super::filter::check(e, source))
        .transpose()?;
    let count = super::metric::named("count", source, ctx)?;
    let title = format!(
        "{} of {} {}",
        field.value,
        source.name(),
        super::describe_range(range, ctx)
    );
    let mut plan = finish(
        Spec {
            source,
            filter,
            range,
            keys: Vec::new(),
            measures: vec![count],
            sort: None,
            take: None,
            having: None,
            style: Style::Histogram,
            title,
        },
        ctx,
    )?;
    // Every record is read to be put in its bucket: the raw rows, whatever else could count.
    plan.main.parts = vec![super::Part {
        table: super::Table::Raw,
        range: plan.main.range,
    }];
    plan.histogram = Some(Histogram {
        field: f,
        edges,
        labels,
        automatic,
    });
    Ok(plan)
}

/// The edges written after `buckets`, in stored units, ascending, with 0 first.
fn written_edges(written: &[Spanned<Literal>], f: Field) -> Result<Vec<i64>, Diagnostic> {
    if written.len() > MAX_EDGES {
        return Err(Diagnostic::new(
            written[MAX_EDGES].span,
            format!("a histogram takes at most {MAX_EDGES} edges"),
        ));
    }
    let mut edges = vec![0];
    for w in written {
        let edge = edge(w, f)?;
        if edge == 0 && edges.len() == 1 {
            continue;
        }
        if edges.last().is_some_and(|last| edge <= *last) {
            return Err(Diagnostic::new(
                w.span,
                "bucket edges must grow from left to right",
            ));
        }
        edges.push(edge);
    }
    Ok(edges)
}

/// One edge in stored units: durations in seconds (a bare number is seconds), sizes in bytes
/// (a bare number is MB, as sizes are shown).
fn edge(w: &Spanned<Literal>, f: Field) -> Result<i64, Diagnostic> {
    let seconds = f.kind() == Kind::Seconds;
    let value = match (&w.value, seconds) {
        (Literal::Duration(s, _), true) => Some(i64::from(*s)),
        (Literal::Number(n, _), true) if *n >= 0.0 && n.fract() == 0.0 => Some(*n as i64),
        (Literal::Size(b, _), false) => i64::try_from(*b).ok(),
        (Literal::Number(n, _), false) if *n >= 0.0 && *n < 1e12 => Some((n * 1e6).round() as i64),
        _ => None,
    };
    value.ok_or_else(|| {
        let text = match &w.value {
            Literal::Number(_, t)
            | Literal::Duration(_, t)
            | Literal::Size(_, t)
            | Literal::Time(t)
            | Literal::Text(t) => t.clone(),
        };
        let want = if seconds {
            "a duration such as 30s or 5m, or whole seconds"
        } else {
            "a size such as 10MB, or a number of MB"
        };
        Diagnostic::new(
            w.span,
            format!("`{text}` is not a bucket edge here: write {want}"),
        )
    })
}

/// `0s–10s`, …, `4h+`; `0–100kB`, …, `5GB+`.
fn labels(edges: &[i64], kind: Kind) -> Vec<String> {
    let show = |v: i64| match kind {
        Kind::Seconds => duration(v),
        _ => size(v),
    };
    edges
        .iter()
        .enumerate()
        .map(|(i, e)| match edges.get(i + 1) {
            Some(next) => format!("{}–{}", show(*e), show(*next)),
            None => format!("{}+", show(*e)),
        })
        .collect()
}

fn duration(s: i64) -> String {
    match s {
        s if s % 3600 == 0 && s > 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 && s > 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

fn size(b: i64) -> String {
    let (value, unit) = match b {
        b if b >= 1_000_000_000 => (b as f64 / 1e9, "GB"),
        b if b >= 1_000_000 => (b as f64 / 1e6, "MB"),
        b if b >= 1_000 => (b as f64 / 1e3, "kB"),
        b => (b as f64, "B"),
    };
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if b == 0 {
        "0".into()
    } else {
        format!("{text}{unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_as_people_write_the_edges() {
        assert_eq!(
            labels(&[0, 30, 60, 300, 5400], Kind::Seconds),
            ["0s–30s", "30s–1m", "1m–5m", "5m–90m", "90m+"]
        );
        assert_eq!(
            labels(&[0, 1_500_000, 1_000_000_000], Kind::Megabytes),
            ["0–1.5MB", "1.5MB–1GB", "1GB+"]
        );
    }
}
