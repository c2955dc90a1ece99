//! What a `.rhai` report can call: `query`, `table`, `save`, `print`, `param`, `customer`, the
//! date helpers and `log_call` / `log_sms` / `log_data`, over the report's session.

use super::dates;
use crate::app::Session;
use crate::model::{CallInput, DataInput, InputContext, Record, SmsInput, SubscriberKey};
use crate::parse::Params;
use crate::query::{self, Answer};
use crate::rows::{Column, Kind, ResultSet};
use crate::store::Value;
use crate::table::{self, Format, Options};
use rhai::{Array, Dynamic, Engine, EvalAltResult, INT, Map};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

type Fallible<T> = Result<T, Box<EvalAltResult>>;

/// The rows of a query: `rows.len()`, `rows[i].calls`, `for row in rows`, `rows.columns`.
#[derive(Clone)]
pub struct Rows(Arc<ResultSet>);

impl Rows {
    fn row(&self, i: usize) -> Map {
        let rs = &self.0;
        rs.columns
            .iter()
            .zip(&rs.rows[i])
            .map(|(c, v)| (c.name.as_str().into(), to_dynamic(v)))
            .collect()
    }
}

impl IntoIterator for Rows {
    type Item = Dynamic;
    type IntoIter = std::vec::IntoIter<Dynamic>;

    fn into_iter(self) -> Self::IntoIter {
        (0..self.0.rows.len())
            .map(|i| Dynamic::from_map(self.row(i)))
            .collect::<Vec<_>>()
            .into_iter()
    }
}

/// The state a script's calls share: the report's session, its parameters.
pub struct Context {
    session: Mutex<Option<Session>>,
    pub params: Vec<(String, String)>,
    /// Parameters the script asked for, to tell about `--param`s nobody read.
    pub used: Mutex<BTreeSet<String>>,
}

impl Context {
    pub fn new(session: Session, params: Vec<(String, String)>) -> Context {
        Context {
            session: Mutex::new(Some(session)),
            params,
            used: Mutex::new(BTreeSet::new()),
        }
    }

    /// The session back, once the script is done.
    pub fn take_session(&self) -> Option<Session> {
        self.session.lock().ok().and_then(|mut s| s.take())
    }

    /// Runs `work` on the session.
    fn with<T>(&self, work: impl FnOnce(&mut Session) -> Fallible<T>) -> Fallible<T> {
        let mut guard = self
            .session
            .lock()
            .map_err(|_| "the report's session is not available".to_string())?;
        match guard.as_mut() {
            Some(session) => work(session),
            None => Err("the report's session is not available".into()),
        }
    }

    fn given(&self, name: &str) -> Option<String> {
        if let Ok(mut used) = self.used.lock() {
            used.insert(name.to_string());
        }
        self.params
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    fn today(&self) -> Fallible<chrono::NaiveDate> {
        self.with(|s| Ok(s.zone.wall(s.now()).date()))
    }

    fn print_table(&self, rs: &ResultSet) -> Fallible<()> {
        self.with(|s| s.show(rs.clone()).map_err(|e| e.to_string().into()))
    }

    /// A line of the report; in csv and json, where it would break the result, a message.
    fn print(&self, text: &str) -> Fallible<()> {
        self.with(|s| {
            if matches!(s.format, Format::Csv | Format::Json) {
                s.notice(text);
                return Ok(());
            }
            s.output
                .answer(&format!("{text}\n"))
                .map_err(|e| e.to_string().into())
        })
    }

    fn query(&self, text: &str, params: &Params) -> Fallible<Rows> {
        self.with(|s| {
            match query::run_with_params(s.store(), text, &s.zone, s.now(), s.metrics(), params) {
                Ok(Answer::Table(rs)) => Ok(Rows(Arc::new(rs))),
                Ok(Answer::Explain(_)) => Err("query() runs queries; `explain` has no rows".into()),
                Err(e) => Err(format!("query `{text}`: {}", e.render(text).trim_end()).into()),
            }
        })
    }
}

pub fn register(engine: &mut Engine, ctx: &Arc<Context>) {
    engine
        .register_type_with_name::<Rows>("Rows")
        .register_fn("len", |r: &mut Rows| r.0.rows.len() as INT)
        .register_fn("is_empty", |r: &mut Rows| r.0.rows.is_empty())
        .register_get("columns", |r: &mut Rows| -> Array {
            r.0.columns
                .iter()
                .map(|c| Dynamic::from(c.name.clone()))
                .collect()
        })
        .register_get("title", |r: &mut Rows| {
            r.0.title.clone().unwrap_or_default()
        })
        .register_indexer_get(|r: &mut Rows, i: INT| -> Fallible<Map> {
            let n = r.0.rows.len();
            let at = if i < 0 { n as INT + i } else { i };
            usize::try_from(at)
                .ok()
                .filter(|&at| at < n)
                .map(|at| r.row(at))
                .ok_or_else(|| format!("row {i} of {n}").into())
        })
        .register_iterator::<Rows>();
    register_queries(engine, ctx);
    register_output(engine, ctx);
    register_dates(engine, ctx);
    register_logging(engine, ctx);
}

fn register_queries(engine: &mut Engine, ctx: &Arc<Context>) {
    let c = Arc::clone(ctx);
    engine.register_fn("query", move |text: &str| c.query(text, &Params::new()));
    let c = Arc::clone(ctx);
    engine.register_fn("query", move |text: &str, params: Map| -> Fallible<Rows> {
        // Bound where the statement names them, never pasted into its text.
        let bound: Params = params
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        c.query(text, &bound)
    });
    let c = Arc::clone(ctx);
    engine.register_fn("param", move |name: &str| -> Fallible<String> {
        c.given(name).ok_or_else(|| {
            format!("parameter `{name}` has no value: give --param {name}=VALUE").into()
        })
    });
    let c = Arc::clone(ctx);
    engine.register_fn(
        "param",
        move |name: &str, default: Dynamic| -> Fallible<Dynamic> {
            let Some(text) = c.given(name) else {
                return Ok(default);
            };
            // A number default asks for a number.
            if default.is_int() {
                return text
                    .trim()
                    .parse::<INT>()
                    .map(Dynamic::from)
                    .map_err(|_| format!("--param {name}={text}: expected a whole number").into());
            }
            if default.is_float() {
                return text
                    .trim()
                    .parse::<f64>()
                    .map(Dynamic::from)
                    .map_err(|_| format!("--param {name}={text}: expected a number").into());
            }
            Ok(Dynamic::from(text))
        },
    );
    let c = Arc::clone(ctx);
    engine.register_fn("customer", move |key: &str| -> Fallible<Dynamic> {
        c.with(|s| customer(s.store(), key))
    });
}

/// A customer with their plan's prices, or `()` for an unknown key.
fn customer(store: &crate::store::Store, key: &str) -> Fallible<Dynamic> {
    let key = SubscriberKey::parse("customer", key).map_err(|e| e.to_string())?;
    let Some(found) = store.customer(&key).map_err(|e| e.to_string())? else {
        return Ok(Dynamic::UNIT);
    };
    let mut map = Map::new();
    let text = |s: Option<String>| s.map_or(Dynamic::UNIT, Dynamic::from);
    map.insert("key".into(), Dynamic::from(found.key.as_str().to_string()));
    map.insert("name".into(), text(found.name));
    map.insert("plan".into(), text(found.plan.clone()));
    map.insert("region".into(), text(found.region));
    map.insert("status".into(), Dynamic::from(found.status.to_string()));
    let plan = match &found.plan {
        Some(name) => store
            .plans()
            .map_err(|e| e.to_string())?
            .into_iter()
            .find(|p| &p.name == name),
        None => None,
    };
    let prices = plan.map_or([0.0; 4], |p| {
        [p.per_minute, p.per_sms, p.per_mb, p.monthly_fee].map(|x| x.value())
    });
    for (name, value) in [
        "price_per_minute",
        "price_per_sms",
        "price_per_mb",
        "monthly_fee",
    ]
    .iter()
    .zip(prices)
    {
        map.insert((*name).into(), Dynamic::from(value));
    }
    Ok(Dynamic::from_map(map))
}

fn register_output(engine: &mut Engine, ctx: &Arc<Context>) {
    let c = Arc::clone(ctx);
    engine.on_print(move |text| {
        if let Err(e) = c.print(text) {
            eprintln!("tally: {e}");
        }
    });
    let c = Arc::clone(ctx);
    engine.register_fn("table", move |rows: Rows| c.print_table(&rows.0));
    let c = Arc::clone(ctx);
    engine.register_fn("table", move |rows: Rows, title: &str| {
        let mut rs = (*rows.0).clone();
        rs.title = Some(title.to_string());
        c.print_table(&rs)
    });
    let c = Arc::clone(ctx);
    engine.register_fn("table", move |rows: Array| -> Fallible<()> {
        c.print_table(&from_maps(&rows, None, None)?)
    });
    let c = Arc::clone(ctx);
    engine.register_fn(
        "table",
        move |rows: Array, columns: Array| -> Fallible<()> {
            c.print_table(&from_maps(&rows, Some(&columns), None)?)
        },
    );
    let c = Arc::clone(ctx);
    engine.register_fn(
        "table",
        move |rows: Array, columns: Array, title: &str| -> Fallible<()> {
            c.print_table(&from_maps(&rows, Some(&columns), Some(title))?)
        },
    );
    // `save`, not `export`: that is a reserved word of Rhai, so a script could never call it.
    engine.register_fn("save", |rows: Rows, path: &str| save(&rows.0, path));
    engine.register_fn("save", |rows: Array, path: &str| -> Fallible<()> {
        save(&from_maps(&rows, None, None)?, path)
    });
    engine.register_fn(
        "save",
        |rows: Array, columns: Array, path: &str| -> Fallible<()> {
            save(&from_maps(&rows, Some(&columns), None)?, path)
        },
    );
}

/// Writes rows as CSV or JSON, by the file's extension.
fn save(rs: &ResultSet, path: &str) -> Fallible<()> {
    let format = match std::path::Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
    {
        Some("csv") => Format::Csv,
        Some("json") => Format::Json,
        _ => return Err(format!("save to `{path}`: name a .csv or .json file").into()),
    };
    std::fs::write(path, table::render(rs, format, &Options::default()))
        .map_err(|e| format!("save to `{path}`: {e}").into())
}

/// A table from an array of object maps: the columns named, or the first map's keys.
fn from_maps(rows: &Array, columns: Option<&Array>, title: Option<&str>) -> Fallible<ResultSet> {
    let maps: Vec<Map> = rows
        .iter()
        .map(|r| {
            r.clone()
                .try_cast::<Map>()
                .ok_or_else(|| format!("table(): each row is an object map, not {}", r.type_name()))
        })
        .collect::<Result<_, _>>()?;
    let names: Vec<String> = match columns {
        Some(list) => list.iter().map(|c| c.to_string()).collect(),
        None => maps
            .first()
            .map(|m| m.keys().map(|k| k.to_string()).collect())
            .unwrap_or_default(),
    };
    let values: Vec<Vec<Value>> = maps
        .iter()
        .map(|m| {
            names
                .iter()
                .map(|n| m.get(n.as_str()).map_or(Value::Null, to_value))
                .collect()
        })
        .collect();
    let columns = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let first = values.iter().map(|r| &r[i]).find(|v| !v.is_null());
            let kind = match first {
                Some(Value::Int(_)) => Kind::Count,
                Some(Value::Float(_)) => Kind::Number,
                _ => Kind::Text,
            };
            Column::new(n.clone(), kind)
        })
        .collect();
    Ok(ResultSet {
        title: title.map(str::to_string),
        columns,
        rows: values,
        vertical: false,
    })
}

fn to_dynamic(v: &Value) -> Dynamic {
    match v {
        Value::Null => Dynamic::UNIT,
        Value::Int(i) => Dynamic::from(*i),
        Value::Float(f) => Dynamic::from(*f),
        Value::Text(t) => Dynamic::from(t.clone()),
        Value::Bytes(b) => Dynamic::from_blob(b.clone()),
    }
}

fn to_value(d: &Dynamic) -> Value {
    if d.is_unit() {
        Value::Null
    } else if let Ok(i) = d.as_int() {
        Value::Int(i)
    } else if let Ok(f) = d.as_float() {
        Value::Float(f)
    } else {
        Value::Text(d.to_string())
    }
}

fn register_dates(engine: &mut Engine, ctx: &Arc<Context>) {
    fn date(d: chrono::NaiveDate) -> String {
        d.to_string()
    }
    let c = Arc::clone(ctx);
    engine.register_fn("today", move || -> Fallible<String> {
        Ok(date(c.today()?))
    });
    let c = Arc::clone(ctx);
    engine.register_fn("days_ago", move |n: INT| -> Fallible<String> {
        Ok(date(dates::add_days(c.today()?, -n)?))
    });
    engine.register_fn("add_days", move |day: &str, n: INT| -> Fallible<String> {
        Ok(date(dates::add_days(dates::parse(day)?, n)?))
    });
    let c = Arc::clone(ctx);
    engine.register_fn("start_of_month", move || -> Fallible<String> {
        Ok(date(dates::start_of_month(c.today()?, 0)?))
    });
    let c = Arc::clone(ctx);
    engine.register_fn("start_of_month", move |months: INT| -> Fallible<String> {
        Ok(date(dates::start_of_month(c.today()?, months)?))
    });
    engine.register_fn("start_of_month", |day: &str| -> Fallible<String> {
        Ok(date(dates::start_of_month(dates::parse(day)?, 0)?))
    });
    let c = Arc::clone(ctx);
    engine.register_fn("iso_week", move || -> Fallible<String> {
        Ok(dates::iso_week(c.today()?))
    });
    engine.register_fn("iso_week", |day: &str| -> Fallible<String> {
        Ok(dates::iso_week(dates::parse(day)?))
    });
    engine.register_fn("weekday", |day: &str| -> Fallible<String> {
        Ok(dates::weekday(dates::parse(day)?))
    });
}

fn register_logging(engine: &mut Engine, ctx: &Arc<Context>) {
    let c = Arc::clone(ctx);
    engine.register_fn("log_call", move |m: Map| -> Fallible<INT> {
        let input = CallInput {
            customer: required(&m, "customer")?,
            direction: required(&m, "direction")?,
            other: required(&m, "other")?,
            at: optional(&m, "at"),
            duration: optional(&m, "duration"),
            status: optional(&m, "status"),
            cell: optional(&m, "cell"),
            source_key: optional(&m, "source_key"),
        };
        let record = input
            .validate(&input_context(&c))
            .map_err(|e| e.to_string())?;
        store(&c, Record::Call(record), &m)
    });
    let c = Arc::clone(ctx);
    engine.register_fn("log_sms", move |m: Map| -> Fallible<INT> {
        let input = SmsInput {
            customer: required(&m, "customer")?,
            direction: required(&m, "direction")?,
            other: required(&m, "other")?,
            at: optional(&m, "at"),
            source_key: optional(&m, "source_key"),
        };
        let record = input
            .validate(&input_context(&c))
            .map_err(|e| e.to_string())?;
        store(&c, Record::Sms(record), &m)
    });
    let c = Arc::clone(ctx);
    engine.register_fn("log_data", move |m: Map| -> Fallible<INT> {
        let input = DataInput {
            customer: required(&m, "customer")?,
            at: optional(&m, "at"),
            duration: optional(&m, "duration"),
            up: optional(&m, "up"),
            down: optional(&m, "down"),
            cell: optional(&m, "cell"),
            source_key: optional(&m, "source_key"),
        };
        let record = input
            .validate(&input_context(&c))
            .map_err(|e| e.to_string())?;
        store(&c, Record::Data(record), &m)
    });
}

fn input_context(c: &Context) -> InputContext {
    let zone = c
        .with(|s| Ok(s.zone.clone()))
        .unwrap_or_else(|_| crate::model::Zone::utc());
    InputContext::new(zone)
}

fn required(m: &Map, field: &str) -> Fallible<String> {
    optional(m, field).ok_or_else(|| format!("`{field}` is required").into())
}

fn optional(m: &Map, field: &str) -> Option<String> {
    m.get(field).filter(|v| !v.is_unit()).map(|v| v.to_string())
}

fn store(c: &Context, record: Record, m: &Map) -> Fallible<INT> {
    let create = m
        .get("create_customer")
        .and_then(|v| v.as_bool().ok())
        .unwrap_or(false);
    c.with(|s| {
        if !s.may_log {
            return Err(super::NO_LOGGING.into());
        }
        s.store()
            .log(&record, create)
            .map_err(|e| e.to_string().into())
    })
}
