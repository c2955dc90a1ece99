//! A histogram as SQL: each record's bucket by a `CASE` over the edges (bound as parameters),
//! then the records counted per bucket.

use super::parts::{Frag, field_sql, raw_rows};
use super::{Column, SqlQuery};
use crate::plan::{Aggregate, Histogram};
use crate::store::{Dialect, Value};

/// `SELECT bucket, COUNT(*) FROM (SELECT CASE WHEN v < ? THEN 0 … END AS bucket FROM …) x
/// GROUP BY bucket`: bucket i counts the values from edge i up to edge i + 1.
pub fn histogram(agg: &Aggregate, h: &Histogram, d: &dyn Dialect) -> SqlQuery {
    let value = field_sql(h.field);
    let mut case = Frag::default();
    case.push("CASE");
    for (i, edge) in h.edges.iter().enumerate().skip(1) {
        case.push(&format!(" WHEN {value} < "));
        case.bind(Value::Int(*edge));
        case.push(&format!(" THEN {}", i - 1));
    }
    case.push(&format!(
        " ELSE {} END AS bucket",
        h.edges.len().saturating_sub(1)
    ));
    let mut f = Frag::default();
    f.push("SELECT x.bucket, COUNT(*) FROM (");
    f.append(raw_rows(agg, d, case));
    f.push(") x GROUP BY x.bucket");
    SqlQuery {
        sql: f.sql,
        params: f.params,
        columns: vec![Column::Bucket, Column::Atom(crate::plan::Atom::Sessions)],
    }
}
