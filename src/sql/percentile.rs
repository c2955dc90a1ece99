//! Exact percentiles in SQL: the database's own `PERCENTILE_CONT` window where it has one
//! (MariaDB); elsewhere each group's values are numbered in order by a window function, and the
//! group then picks the value at position p·(n−1) and the next one, and interpolates between
//! them as `PERCENTILE_CONT` does, the position computed in integers (p in millionths). The two
//! ways can differ in the last bits of a double; the rows stage rounds percentiles to a
//! millionth, so both backends answer alike.

use super::parts::{Frag, atom, field_sql};
use crate::parse::ast::Source;
use crate::plan::{Atom, Field};
use crate::store::Dialect;

/// The raw-row columns the atoms read, as the inner query must pass them on under their own
/// names so the ordinary atom SQL reads them unchanged.
fn row_columns(raw: Option<Source>) -> &'static [&'static str] {
    match raw {
        Some(Source::Calls) => &["customer_id", "direction", "status", "duration_s"],
        Some(Source::Sms) => &["customer_id", "direction"],
        Some(Source::Data) => &["customer_id", "duration_s", "bytes_up", "bytes_down"],
        _ => &["customer_id"],
    }
}

/// A short name for a field's window columns.
fn tag(f: Field) -> &'static str {
    match f {
        Field::CallDuration | Field::DataDuration => "duration",
        Field::Up => "up",
        Field::Down => "down",
        Field::Bytes => "bytes",
    }
}

/// The percentiles asked, each once.
fn asked(atoms: &[Atom]) -> Vec<(Field, u32)> {
    let mut asked: Vec<(Field, u32)> = atoms
        .iter()
        .filter_map(|a| match a {
            Atom::Percentile(f, m) => Some((*f, *m)),
            _ => None,
        })
        .collect();
    asked.sort();
    asked.dedup();
    asked
}

/// The fields whose percentiles are asked, each once.
fn ranked_fields(atoms: &[Atom]) -> Vec<Field> {
    let mut fields: Vec<Field> = asked(atoms).into_iter().map(|(f, _)| f).collect();
    fields.dedup();
    fields
}

/// The inner query's columns after the keys when `atoms` hold percentiles: the raw columns
/// the atoms read, then for each ranked field its value, its 0-based rank within the group
/// and the group's count of values. None when there is no percentile.
pub(super) fn ranks(
    atoms: &[Atom],
    keys: &[String],
    raw: Option<Source>,
    d: &dyn Dialect,
) -> Option<Vec<String>> {
    let fields = ranked_fields(atoms);
    if fields.is_empty() {
        return None;
    }
    let partition = if keys.is_empty() {
        String::new()
    } else {
        format!("PARTITION BY {} ", keys.join(", "))
    };
    // The row's own columns only when other atoms read them: a window over narrow rows sorts
    // less.
    let others = atoms.iter().any(|a| !a.is_fractional());
    let mut columns: Vec<String> = row_columns(raw)
        .iter()
        .filter(|_| others)
        .map(|c| format!("t.{c} AS {c}"))
        .collect();
    let window = partition.trim_end();
    let native: Option<Vec<String>> = asked(atoms)
        .into_iter()
        .map(|(f, m)| {
            d.percentile_cont(&field_sql(f), window, m)
                .map(|sql| format!("{sql} AS {}", native_column(f, m)))
        })
        .collect();
    if let Some(native) = native {
        columns.extend(native);
        return Some(columns);
    }
    for f in fields {
        let (value, tag) = (field_sql(f), tag(f));
        columns.push(format!("{value} AS tally_v_{tag}"));
        // The count over the same ordered window as the rank, framed to the whole partition:
        // both databases then sort the rows once for the two, not once each.
        let window = format!("{partition}ORDER BY {value}");
        columns.push(format!("ROW_NUMBER() OVER ({window}) - 1 AS tally_r_{tag}"));
        columns.push(format!(
            "COUNT({value}) OVER ({window} ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS tally_n_{tag}"
        ));
    }
    Some(columns)
}

/// When the database has its own percentile, there are groups and every atom is a percentile:
/// the atoms' columns, each the window value every row of its group carries, for a `SELECT
/// DISTINCT` that needs no grouping level above it (at 10M calls as fast as MariaDB's own
/// query; the grouping level cost it 1.37×). None otherwise.
pub(super) fn distinct_columns(
    atoms: &[Atom],
    keys: &[String],
    d: &dyn Dialect,
) -> Option<Vec<String>> {
    if keys.is_empty() || !atoms.iter().all(|a| a.is_fractional()) {
        return None;
    }
    let window = format!("PARTITION BY {}", keys.join(", "));
    atoms
        .iter()
        .enumerate()
        .map(|(j, a)| match a {
            Atom::Percentile(f, m) => d
                .percentile_cont(&field_sql(*f), &window, *m)
                .map(|sql| format!("{sql} AS a{j}")),
            _ => None,
        })
        .collect()
}

/// The column of the database's own percentile `m` of `f`.
fn native_column(f: Field, m: u32) -> String {
    format!("tally_p_{}_{m}", tag(f))
}

/// The ranked rows `inner`, grouped by their `keys` first columns, with every atom.
pub(super) fn grouped(
    inner: Frag,
    keys: usize,
    atoms: &[Atom],
    raw: Option<Source>,
    d: &dyn Dialect,
) -> Frag {
    let group: Vec<String> = (0..keys).map(|i| format!("t.k{i}")).collect();
    let mut select: Vec<String> = group
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{k} AS k{i}"))
        .collect();
    // With the database's own percentile every row of a group carries the same window value:
    // any one of them is the answer.
    let has_own = d.percentile_cont("", "", 0).is_some();
    let native = |f: Field, m: u32| has_own.then(|| format!("MIN(t.{})", native_column(f, m)));
    select.extend(atoms.iter().enumerate().map(|(j, a)| {
        let sql = match a {
            Atom::Percentile(f, m) => native(*f, *m).unwrap_or_else(|| value(*f, *m)),
            _ => atom(*a, raw),
        };
        format!("{sql} AS a{j}")
    }));
    let mut f = Frag::default();
    f.push(&format!("SELECT {} FROM (", select.join(", ")));
    f.append(inner);
    f.push(") t");
    if !group.is_empty() {
        f.push(&format!(" GROUP BY {}", group.join(", ")));
    }
    f
}

/// The percentile `millionths` of field `f` over a group of ranked rows: the value at rank
/// lo = ⌊p·(n−1)⌋ plus the fraction p·(n−1) − lo of the step to the next one.
pub(super) fn value(f: Field, millionths: u32) -> String {
    let tag = tag(f);
    let position = format!("({millionths} * (t.tally_n_{tag} - 1))");
    let low = format!("(({position} - {position} % 1000000) / 1000000)");
    let at =
        |rank: &str| format!("MIN(CASE WHEN t.tally_r_{tag} = {rank} THEN t.tally_v_{tag} END)");
    let (below, above) = (at(&low), at(&format!("{low} + 1")));
    let fraction = format!("MAX({position} % 1000000 * 1e0 / 1000000)");
    format!("({below} + {fraction} * (COALESCE({above}, {below}) - {below}))")
}
