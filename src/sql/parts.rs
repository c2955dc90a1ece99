//! One table part of an aggregate as a SELECT: its source, keys, atoms, range and filter.

use super::conditions::{filter_sql, single_customer};
use crate::model::sql_time;
use crate::parse::ast::Source;
use crate::plan::{Aggregate, Atom, Field, FilterField, Key, Part, Table};
use crate::store::{Dialect, Value};
use chrono::{DateTime, Utc};

/// SQL text with its bind parameters, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Frag {
    /// The SQL text, with a `?` for each parameter.
    pub sql: String,
    /// The bind parameters, in the order of their `?`s.
    pub params: Vec<Value>,
}

impl Frag {
    pub(super) fn push(&mut self, sql: &str) {
        self.sql.push_str(sql);
    }

    pub(super) fn bind(&mut self, value: Value) {
        self.sql.push('?');
        self.params.push(value);
    }

    pub(super) fn append(&mut self, other: Frag) {
        self.sql.push_str(&other.sql);
        self.params.extend(other.params);
    }
}

/// The counters of a usage part built from the raw tables, named like the rollups' columns
/// (all but `records`) so the same atom expressions read both.
fn usage_counters() -> &'static [&'static str] {
    &crate::store::schema::tables::COUNTERS[1..]
}

/// How a part is read: what to select from and which column holds its time.
struct From {
    sql: Frag,
    time: &'static str,
    /// Whether times in the range are days (`customer_daily`).
    days: bool,
    /// Raw calls, sms or data_sessions rows (not a rollup nor the usage union).
    raw: Option<Source>,
}

/// ` WHERE ` before a statement's first condition, ` AND ` before the others.
fn conjunction(started: &mut bool) -> &'static str {
    if std::mem::replace(started, true) {
        " AND "
    } else {
        " WHERE "
    }
}

fn range_bounds(f: &mut Frag, column: &str, part: &Part, days: bool, started: &mut bool) {
    let show = |t: DateTime<Utc>| {
        let text = sql_time(t);
        if days { text[..10].to_string() } else { text }
    };
    let mut conds = Vec::new();
    if let Some(a) = part.range.start {
        conds.push((">=", show(a)));
    }
    if let Some(b) = part.range.end {
        conds.push(("<", show(b)));
    }
    for (op, value) in conds {
        f.push(conjunction(started));
        f.push(&format!("{column} {op} "));
        f.bind(Value::Text(value));
    }
}

fn from(agg: &Aggregate, part: &Part) -> From {
    let plain = |table: &str| Frag {
        sql: format!("{table} t"),
        params: vec![],
    };
    match (part.table, agg.source) {
        (Table::NetworkHourly, _) => From {
            sql: plain("network_hourly"),
            time: "t.hour",
            days: false,
            raw: None,
        },
        (Table::CustomerDaily, _) => From {
            sql: plain("customer_daily"),
            time: "t.day",
            days: true,
            raw: None,
        },
        // No time column: a span row covers all of the part's days (no time key reaches here).
        (Table::CustomerSpan(_), _) => From {
            sql: plain("customer_spans"),
            time: "",
            days: true,
            raw: None,
        },
        (Table::Raw, Source::Calls) => From {
            sql: plain("calls"),
            time: "t.start_time",
            days: false,
            raw: Some(Source::Calls),
        },
        (Table::Raw, Source::Sms) => From {
            sql: plain("sms"),
            time: "t.sent_at",
            days: false,
            raw: Some(Source::Sms),
        },
        (Table::Raw, Source::Data) => From {
            sql: plain("data_sessions"),
            time: "t.start_time",
            days: false,
            raw: Some(Source::Data),
        },
        (Table::Raw, Source::Usage) => From {
            sql: usage_union(part, single_customer(agg.filter.as_ref()), &agg.atoms),
            time: "t.t_time",
            days: false,
            raw: None,
        },
    }
}

/// All three raw tables as one, each row counted like the rollups count it, with the counters
/// `atoms` read and no others. The range goes inside each branch so every table's time index
/// is used.
fn usage_union(part: &Part, customer: Option<&Value>, atoms: &[Atom]) -> Frag {
    let read = |name: &str| {
        atoms
            .iter()
            .any(|a| counter(*a).split(" + t.").any(|c| c == name))
    };
    let out = |then: &str| format!("CASE WHEN direction = 'out' THEN {then} ELSE 0 END");
    let inward = |then: &str| format!("CASE WHEN direction = 'in' THEN {then} ELSE 0 END");
    let status = |is: &str, then: &str| format!("CASE WHEN status = '{is}' THEN {then} ELSE 0 END");
    let zero = || "0".to_string();
    let branches: [(&str, &str, [String; 14]); 3] = [
        (
            "calls",
            "start_time",
            [
                out("1"),
                inward("1"),
                status("answered", "1"),
                out("duration_s"),
                inward("duration_s"),
                zero(),
                zero(),
                zero(),
                zero(),
                zero(),
                zero(),
                status("busy", "1"),
                status("no_answer", "1"),
                status("answered", "duration_s"),
            ],
        ),
        (
            "sms",
            "sent_at",
            [
                zero(),
                zero(),
                zero(),
                zero(),
                zero(),
                out("1"),
                inward("1"),
                zero(),
                zero(),
                zero(),
                zero(),
                zero(),
                zero(),
                zero(),
            ],
        ),
        (
            "data_sessions",
            "start_time",
            [
                zero(),
                zero(),
                zero(),
                zero(),
                zero(),
                zero(),
                zero(),
                "1".into(),
                "duration_s".into(),
                "bytes_up".into(),
                "bytes_down".into(),
                zero(),
                zero(),
                zero(),
            ],
        ),
    ];
    let mut f = Frag::default();
    f.push("(");
    for (i, (table, time, counters)) in branches.iter().enumerate() {
        if i > 0 {
            f.push(" UNION ALL ");
        }
        let named: String = counters
            .iter()
            .zip(usage_counters())
            .filter(|(_, n)| read(n))
            .map(|(c, n)| format!(", {c} AS {n}"))
            .collect();
        f.push(&format!(
            "SELECT customer_id, {time} AS t_time{named} FROM {table}"
        ));
        let mut started = false;
        range_bounds(&mut f, time, part, false, &mut started);
        if let Some(key) = customer {
            // One customer: each table's (customer, time) index, not every customer's rows.
            f.push(conjunction(&mut started));
            f.push("customer_id = (SELECT id FROM customers WHERE subscriber_key = ");
            f.bind(key.clone());
            f.push(")");
        }
    }
    f.push(") t");
    f
}

/// The SQL of an atom over a part's rows.
pub(super) fn atom(a: Atom, raw: Option<Source>) -> String {
    let case = |cond: &str, then: &str| format!("SUM(CASE WHEN {cond} THEN {then} ELSE 0 END)");
    let field = field_sql;
    match (raw, a) {
        (_, Atom::Customers) => "COUNT(DISTINCT t.customer_id)".into(),
        (_, Atom::Percentile(f, millionths)) => super::percentile::value(f, millionths),
        (_, Atom::Min(f)) => format!("MIN({})", field(f)),
        (_, Atom::Max(f)) => format!("MAX({})", field(f)),
        (Some(Source::Calls), Atom::Calls) | (Some(Source::Sms), Atom::Sms) => "COUNT(*)".into(),
        (Some(Source::Calls), Atom::CallsOut) => case("t.direction = 'out'", "1"),
        (Some(Source::Calls), Atom::CallsIn) => case("t.direction = 'in'", "1"),
        (Some(Source::Calls), Atom::Answered) => case("t.status = 'answered'", "1"),
        (Some(Source::Calls), Atom::Busy) => case("t.status = 'busy'", "1"),
        (Some(Source::Calls), Atom::NoAnswer) => case("t.status = 'no_answer'", "1"),
        (Some(Source::Calls), Atom::SecondsAnswered) => {
            case("t.status = 'answered'", "t.duration_s")
        }
        (Some(Source::Calls), Atom::SecondsOut) => case("t.direction = 'out'", "t.duration_s"),
        (Some(Source::Calls), Atom::SecondsIn) => case("t.direction = 'in'", "t.duration_s"),
        (Some(Source::Sms), Atom::SmsOut) => case("t.direction = 'out'", "1"),
        (Some(Source::Sms), Atom::SmsIn) => case("t.direction = 'in'", "1"),
        (Some(Source::Data), Atom::Sessions) => "COUNT(*)".into(),
        (Some(Source::Data), Atom::DataSeconds) => "SUM(t.duration_s)".into(),
        (Some(Source::Data), Atom::BytesUp) => "SUM(t.bytes_up)".into(),
        (Some(Source::Data), Atom::BytesDown) => "SUM(t.bytes_down)".into(),
        (Some(_), _) => "0".into(),
        (None, a) => format!("SUM(t.{})", counter(a)),
    }
}

/// A numeric field of a raw row.
pub(super) fn field_sql(f: Field) -> String {
    match f {
        Field::Bytes => "t.bytes_up + t.bytes_down".to_string(),
        Field::Up => "t.bytes_up".into(),
        Field::Down => "t.bytes_down".into(),
        Field::CallDuration | Field::DataDuration => "t.duration_s".into(),
    }
}

/// The rollup (and usage union) column of an additive atom (of `t.`: both directions are
/// summed by `atom`).
fn counter(a: Atom) -> &'static str {
    match a {
        Atom::Calls => "calls_out + t.calls_in",
        Atom::Sms => "sms_out + t.sms_in",
        Atom::CallsOut => "calls_out",
        Atom::CallsIn => "calls_in",
        Atom::Answered => "calls_answered",
        Atom::Busy => "calls_busy",
        Atom::NoAnswer => "calls_no_answer",
        Atom::SecondsAnswered => "seconds_answered",
        Atom::SecondsOut => "seconds_out",
        Atom::SecondsIn => "seconds_in",
        Atom::SmsOut => "sms_out",
        Atom::SmsIn => "sms_in",
        Atom::Sessions => "data_sessions",
        Atom::DataSeconds => "data_seconds",
        Atom::BytesUp => "bytes_up",
        Atom::BytesDown => "bytes_down",
        Atom::Customers | Atom::Min(_) | Atom::Max(_) | Atom::Percentile(..) => "records",
    }
}

/// The local time of `column`: shifted by the zone's offset, which may change (daylight saving)
/// inside the range. The offsets and instants come from the zone, not from the user.
fn local(d: &dyn Dialect, column: &str, offsets: &[(DateTime<Utc>, i64)]) -> String {
    match offsets {
        [] => column.to_string(),
        [(_, 0)] => column.to_string(),
        [(_, o)] => d.shift(column, &o.to_string()),
        pieces => {
            let mut case = String::from("CASE");
            for window in pieces.windows(2) {
                case.push_str(&format!(
                    " WHEN {column} < '{}' THEN {}",
                    sql_time(window[1].0),
                    window[0].1
                ));
            }
            let last = pieces.last().map_or(0, |p| p.1);
            case.push_str(&format!(" ELSE {last} END"));
            d.shift(column, &case)
        }
    }
}

/// The other party's country: a number stored before its country was (none is) reads as
/// unknown.
pub(super) const PARTY_COUNTRY: &str = "COALESCE(oc.country, 'unknown')";

/// A group key's SQL; `time` is the column holding the row's time.
fn key(d: &dyn Dialect, k: Key, time: &str, offsets: &[(DateTime<Utc>, i64)]) -> String {
    let t = || local(d, time, offsets);
    match k {
        Key::Customer => "t.customer_id".into(),
        Key::Plan => "pp.plan_id".into(),
        Key::Region => "c.region".into(),
        Key::Account => "c.status".into(),
        Key::Direction => "t.direction".into(),
        Key::Status => "t.status".into(),
        Key::Cell => "t.cell_id".into(),
        Key::Other => "t.other_party".into(),
        Key::Country => PARTY_COUNTRY.into(),
        Key::Hour => d.hour_of(&t()),
        Key::Day => d.date_of(&t()),
        Key::Week => d.week_of(&t()),
        Key::Month => d.month_of(&t()),
        Key::Weekday => d.weekday_of(&t()),
        Key::Daytype => format!(
            "CASE WHEN {} >= 6 THEN 'weekend' ELSE 'weekday' END",
            d.weekday_of(&t())
        ),
        Key::Hourly => d.hour_start_of(&t()),
    }
}

/// The days of a bounded, day-aligned part, when there are not too many to list.
fn day_list(part: &Part) -> Option<Vec<String>> {
    let (start, end) = (part.range.start?, part.range.end?);
    let days = (end - start).num_days();
    (days <= 5_000).then(|| {
        (0..days)
            .map(|i| sql_time(start + chrono::TimeDelta::days(i))[..10].to_string())
            .collect()
    })
}

/// One customer's rows of `customer_daily`, which is keyed by day first: a primary-key lookup
/// per day instead of a scan of every customer's rows in the range.
fn one_customers_days(f: &mut Frag, key: &Value, part: &Part, started: &mut bool) {
    f.push(conjunction(started));
    f.push("t.customer_id = (SELECT id FROM customers WHERE subscriber_key = ");
    f.bind(key.clone());
    f.push(") AND t.day IN (");
    for (i, day) in day_list(part).unwrap_or_default().into_iter().enumerate() {
        if i > 0 {
            f.push(", ");
        }
        f.bind(Value::Text(day));
    }
    f.push(")");
}

/// The condition that a rollup row holds records of `source`; None for raw rows, and for
/// `usage`, which every rollup row holds.
fn rollup_holds(table: Table, source: Source) -> Option<&'static str> {
    if table == Table::Raw {
        return None;
    }
    match source {
        Source::Calls => Some("(t.calls_out + t.calls_in) > 0"),
        Source::Sms => Some("(t.sms_out + t.sms_in) > 0"),
        Source::Data => Some("t.data_sessions > 0"),
        Source::Usage => None,
    }
}

/// Which joins a part needs for its keys and filter.
fn joins(agg: &Aggregate) -> Joins {
    let mut fields = Vec::new();
    if let Some(f) = &agg.filter {
        f.fields(&mut fields);
    }
    let international = fields.contains(&FilterField::International);
    let plans = fields.contains(&FilterField::Plan);
    let periods = plans || agg.keys.contains(&Key::Plan);
    let customers = plans
        || international
        || fields.iter().any(|f| {
            matches!(
                f,
                FilterField::Customer | FilterField::Region | FilterField::Account
            )
        })
        || agg
            .keys
            .iter()
            .any(|k| matches!(k, Key::Region | Key::Account));
    let countries =
        international || fields.contains(&FilterField::Country) || agg.keys.contains(&Key::Country);
    Joins {
        customers,
        periods,
        plans,
        party_country: countries,
        customer_country: international,
    }
}

/// The tables a part joins to its rows.
struct Joins {
    /// `customers c`, for customer keys and fields.
    customers: bool,
    /// `plan_periods pp`, the plan in force at the row's time.
    periods: bool,
    /// `plans p`, for the plan's name.
    plans: bool,
    /// `number_countries oc`, the other party's country.
    party_country: bool,
    /// `number_countries cc`, the customer's own country.
    customer_country: bool,
}

/// `SELECT keys AS k0.., atoms AS a0.. FROM part WHERE range AND filter GROUP BY keys`;
/// `extra_customer` adds the customer id as a key, for distinct counts across parts.
pub fn part_select(
    agg: &Aggregate,
    part: &Part,
    d: &dyn Dialect,
    atoms: &[Atom],
    extra_customer: bool,
) -> Frag {
    let from = from(agg, part);
    let mut keys: Vec<String> = agg
        .keys
        .iter()
        .map(|k| key(d, *k, from.time, &agg.offsets))
        .collect();
    if extra_customer {
        keys.push("t.customer_id".into());
    }
    let mut columns: Vec<String> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{k} AS k{i}"))
        .collect();
    if let Some(values) = per_customer_row(agg, part, atoms, extra_customer) {
        columns.extend(values);
        let mut f = Frag::default();
        f.push(&format!("SELECT {} FROM ", columns.join(", ")));
        f.append(body(agg, part, d, from));
        return f;
    }
    if let Some(own) = super::percentile::distinct_columns(atoms, &keys, d) {
        columns.extend(own);
        let mut f = Frag::default();
        f.push(&format!("SELECT DISTINCT {} FROM ", columns.join(", ")));
        f.append(body(agg, part, d, from));
        return f;
    }
    // Percentiles rank each group's rows first: the rows are read with their ranks, then
    // grouped around them (src/sql/percentile.rs).
    let ranked = super::percentile::ranks(atoms, &keys, from.raw, d);
    match &ranked {
        None => columns.extend(
            atoms
                .iter()
                .enumerate()
                .map(|(i, a)| format!("{} AS a{i}", atom(*a, from.raw))),
        ),
        Some(row_columns) => columns.extend(row_columns.iter().cloned()),
    }
    let raw = from.raw;
    let mut f = Frag::default();
    f.push(&format!("SELECT {} FROM ", columns.join(", ")));
    f.append(body(agg, part, d, from));
    if ranked.is_some() {
        return super::percentile::grouped(f, keys.len(), atoms, raw, d);
    }
    if !keys.is_empty() {
        f.push(&format!(" GROUP BY {}", keys.join(", ")));
    }
    f
}

/// Whether `part`'s rows are already one per group of `agg`: a span, grouped by customer alone.
pub(super) fn one_row_per_customer(agg: &Aggregate, part: &Part) -> bool {
    matches!(part.table, Table::CustomerSpan(_)) && agg.keys == [Key::Customer]
}

/// A span grouped by customer alone already holds one row per group: its atoms are the row's
/// own columns, and grouping them again cost a third of a month's top 10 at 110,000
/// customers (BENCHMARKS.md). None for any other part.
fn per_customer_row(
    agg: &Aggregate,
    part: &Part,
    atoms: &[Atom],
    extra_customer: bool,
) -> Option<Vec<String>> {
    if extra_customer || !one_row_per_customer(agg, part) {
        return None;
    }
    atoms
        .iter()
        .enumerate()
        .map(|(i, a)| match a {
            Atom::Customers => Some(format!("1 AS a{i}")),
            Atom::Min(_) | Atom::Max(_) | Atom::Percentile(..) => None,
            additive => Some(format!("(t.{}) AS a{i}", counter(*additive))),
        })
        .collect()
}

/// `SELECT select FROM …raw rows… WHERE range AND filter` over the aggregate's one raw part:
/// its records one by one, for a histogram.
pub(super) fn raw_rows(agg: &Aggregate, d: &dyn Dialect, select: Frag) -> Frag {
    let part = Part {
        table: Table::Raw,
        range: agg.range,
    };
    let from = from(agg, &part);
    let mut f = Frag::default();
    f.push("SELECT ");
    f.append(select);
    f.push(" FROM ");
    f.append(body(agg, &part, d, from));
    f
}

/// What follows `FROM`: the part's table, its joins, and its conditions (range, filter, and
/// for a rollup that the row holds the source).
fn body(agg: &Aggregate, part: &Part, d: &dyn Dialect, from: From) -> Frag {
    let mut f = Frag::default();
    f.append(from.sql);
    let joined = joins(agg);
    if joined.customers {
        f.push(" JOIN customers c ON c.id = t.customer_id");
    }
    if joined.periods {
        // The row's time as stored: a rollup's UTC day, a record's UTC instant.
        f.push(&format!(
            " JOIN plan_periods pp ON pp.customer_id = t.customer_id AND {time} >= pp.valid_from \
             AND {time} < pp.valid_until",
            time = from.time
        ));
    }
    if joined.plans {
        f.push(" LEFT JOIN plans p ON p.id = pp.plan_id");
    }
    if joined.party_country {
        f.push(" LEFT JOIN number_countries oc ON oc.number = t.other_party");
    }
    if joined.customer_country {
        f.push(" LEFT JOIN number_countries cc ON cc.number = c.subscriber_key");
    }
    // The record filter goes first: on a scan of raw rows it is cheaper than the time bounds
    // (an equality on a short column) and drops rows before they are compared.
    let time_column = from.time;
    let time = |k: Key| key(d, k, time_column, &agg.offsets);
    let mut started = false;
    if let Some(filter) = agg.filter.as_ref().filter(|_| from.raw.is_some()) {
        f.push(conjunction(&mut started));
        filter_sql(filter, d, &time, &mut f);
    }
    match single_customer(agg.filter.as_ref()).filter(|_| part.table == Table::CustomerDaily) {
        Some(key) if day_list(part).is_some() => {
            one_customers_days(&mut f, key, part, &mut started)
        }
        _ if let Table::CustomerSpan(id) = part.table => {
            f.push(conjunction(&mut started));
            f.push("t.span_id = ");
            f.bind(Value::Int(id));
        }
        _ if from.raw.is_some() || part.table != Table::Raw => {
            range_bounds(&mut f, from.time, part, from.days, &mut started)
        }
        _ => {}
    }
    if let Some(filter) = agg.filter.as_ref().filter(|_| from.raw.is_none()) {
        f.push(conjunction(&mut started));
        filter_sql(filter, d, &time, &mut f);
    }
    if let Some(holds) = rollup_holds(part.table, agg.source) {
        // A rollup row counts every kind of record: only rows holding the asked source make a
        // group (and a customer) of calls, sms or data.
        f.push(conjunction(&mut started));
        f.push(holds);
    }
    f
}
