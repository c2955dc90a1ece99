//! `where` conditions as SQL, with every value a bind parameter.

use super::parts::{Frag, PARTY_COUNTRY};
use crate::plan::{Filter, FilterField, Key};
use crate::store::{Dialect, Value};

/// A condition as SQL; `time` gives the SQL of a piece of the record's local time.
pub(super) fn filter_sql(
    f: &Filter,
    d: &dyn Dialect,
    time: &dyn Fn(Key) -> String,
    out: &mut Frag,
) {
    let column = |field: FilterField| match field {
        FilterField::Direction => "t.direction".to_string(),
        FilterField::Status => "t.status".into(),
        FilterField::Duration => "t.duration_s".into(),
        FilterField::Other => "t.other_party".into(),
        FilterField::Cell => "t.cell_id".into(),
        FilterField::Up => "t.bytes_up".into(),
        FilterField::Down => "t.bytes_down".into(),
        FilterField::Bytes => "(t.bytes_up + t.bytes_down)".into(),
        FilterField::Customer => "c.subscriber_key".into(),
        FilterField::Plan => "p.name".into(),
        FilterField::Region => "c.region".into(),
        FilterField::Account => "c.status".into(),
        FilterField::Hour => time(Key::Hour),
        FilterField::Weekday => time(Key::Weekday),
        FilterField::Daytype => time(Key::Daytype),
        FilterField::Country => PARTY_COUNTRY.into(),
        FilterField::International => format!(
            "(CASE WHEN {PARTY_COUNTRY} <> 'unknown' AND COALESCE(cc.country, 'unknown') <> \
             'unknown' AND {PARTY_COUNTRY} <> cc.country THEN 1 ELSE 0 END)"
        ),
    };
    match f {
        Filter::And(a, b) | Filter::Or(a, b) => {
            out.push("(");
            filter_sql(a, d, time, out);
            out.push(if matches!(f, Filter::And(..)) {
                " AND "
            } else {
                " OR "
            });
            filter_sql(b, d, time, out);
            out.push(")");
        }
        Filter::Not(a) => {
            out.push("NOT (");
            filter_sql(a, d, time, out);
            out.push(")");
        }
        Filter::Compare { field, op, value } => {
            out.push(&format!("{} {} ", column(*field), op.sql()));
            out.bind(value.clone());
        }
        Filter::In {
            field,
            values,
            negated,
        } => {
            out.push(&format!(
                "{} {}IN (",
                column(*field),
                if *negated { "NOT " } else { "" }
            ));
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    out.push(", ");
                }
                out.bind(v.clone());
            }
            out.push(")");
        }
        Filter::Matches {
            field,
            pattern,
            negated,
        } => {
            let (condition, value) = d.matching(&column(*field), pattern);
            let (before, after) = condition.split_once('?').unwrap_or((&condition, ""));
            out.push(if *negated { "NOT (" } else { "(" });
            out.push(before);
            out.bind(Value::Text(value));
            out.push(after);
            out.push(")");
        }
        Filter::Between {
            field,
            low,
            high,
            negated,
        } => {
            out.push(&format!(
                "{} {}BETWEEN ",
                column(*field),
                if *negated { "NOT " } else { "" }
            ));
            out.bind(low.clone());
            out.push(" AND ");
            out.bind(high.clone());
        }
    }
}

/// The subscriber key when the filter asks for one customer (alone or and-ed with more).
pub(super) fn single_customer(filter: Option<&Filter>) -> Option<&Value> {
    match filter? {
        Filter::Compare {
            field: FilterField::Customer,
            op: crate::parse::ast::CmpOp::Eq,
            value,
        } => Some(value),
        Filter::And(a, b) => single_customer(Some(a)).or_else(|| single_customer(Some(b))),
        _ => None,
    }
}
