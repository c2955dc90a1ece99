//! Dot commands (`.format`, `.output`, `.tz`, `.db`, ...) and the names completion offers.

use super::{Flow, Names, Output, Shell};
use crate::config::DbUrl;
use crate::model::Zone;
use crate::store::{Store, StoreError, Value, schema::tables};
use crate::table::Format;
use std::sync::Arc;

const HELP: &str = "\
Statements (see docs/LANGUAGE.md):
  summary [KEY] [RANGE]                network or one customer's totals
  customers [RANGE]                    one row per customer
  peak hours calls|sms|data [RANGE]    the 24 hours of the day
  top N customers by MEASURE [RANGE]   the biggest customers
  trend MEASURE per hour|day|week|month [RANGE]
  calls|sms|data|usage [where ...] [RANGE] [per ...] [show ...] [sort ...] [top N] [limit N]
  explain STATEMENT                    the SQL and the tables that answer
  log call|sms|data ...                store one record (as `tally log`)
Dot commands:
  .help [examples]
  .format table|vertical|csv|json|markdown
  .output FILE | .output               answers to FILE, or back to the screen
  .once FILE                           the next answer to FILE
  .timing on|off                       how long each statement took
  .tz ZONE                             local, UTC, Europe/London, +03:00
  .db URL                              switch database
  .schema                              the tables
  .run FILE [NAME=VALUE ...]           run a saved report (.tally or .rhai)
  .menu                                the numbered menu
  .metrics                             the metrics, their definitions and how they run
  .metric drop NAME                    forget a metric defined here
Metrics:
  metric NAME = EXPRESSION             a measure in Rhai over calls, minutes, sms, data_mb,
                                       revenue, ... (e.g. metric rev = minutes * 0.05)
  .quit                                (or Ctrl-D)
Keys: Tab completes, Ctrl-R searches the history, Ctrl-C clears the line or cancels a query.
";

const EXAMPLES: &str = "\
  summary
  summary 447700900123 last 30 days
  customers last 30 days
  peak hours calls last 7 days
  top 10 customers by minutes this month
  calls where direction = out and duration > 5m since 2026-11-01 per day show count, minutes, avg(duration)
  trend minutes per day last 30 days
  usage per plan show customers, revenue
";

/// Plans, regions and subscriber keys, for completion.
pub fn names(store: &Store) -> Result<Names, StoreError> {
    let plans = store.plans()?.into_iter().map(|p| p.name).collect();
    let column = |sql: &str| -> Result<Vec<String>, StoreError> {
        let rows = store.read(|c| Ok(c.query(sql, &[])?))?;
        Ok(rows
            .rows
            .iter()
            .filter_map(|r| r.first().and_then(Value::as_str).map(str::to_string))
            .collect())
    };
    Ok(Names {
        plans,
        regions: column(
            "SELECT DISTINCT region FROM customers WHERE region IS NOT NULL ORDER BY region LIMIT 1000",
        )?,
        keys: column("SELECT subscriber_key FROM customers ORDER BY subscriber_key LIMIT 10000")?,
        metrics: Vec::new(),
    })
}

impl Shell {
    pub(super) fn dot(&mut self, text: &str) -> Flow {
        let mut words = text.split_whitespace();
        let command = words.next().unwrap_or("");
        let rest: Vec<&str> = words.collect();
        let arg = rest.first().copied();
        let result = match command {
            ".quit" | ".exit" => return Flow::Quit,
            ".help" => {
                let text = match arg {
                    Some("examples") => EXAMPLES,
                    _ => HELP,
                };
                self.emit(text);
                Ok(())
            }
            ".format" => self.set_format(arg),
            ".output" => self.set_output(arg),
            ".once" => self.set_once(arg),
            ".timing" => match arg {
                Some(on @ ("on" | "off")) => {
                    self.timing = on == "on";
                    Ok(())
                }
                _ => Err("usage: .timing on|off".to_string()),
            },
            ".tz" => match arg.map(Zone::parse) {
                Some(Ok(zone)) => {
                    self.zone = zone;
                    Ok(())
                }
                Some(Err(e)) => Err(e.to_string()),
                None => Err(format!("the zone is {}; usage: .tz ZONE", self.zone)),
            },
            ".db" => self.switch_db(arg),
            ".metrics" => {
                let text = self.list_metrics();
                self.emit(&text);
                Ok(())
            }
            ".metric" => self.metric_command(&rest),
            ".run" => self.run_report(text),
            ".menu" => {
                self.menu();
                Ok(())
            }
            ".schema" => {
                let text = schema(self.store.dialect());
                self.emit(&text);
                Ok(())
            }
            other => Err(format!("unknown command {other}; .help lists them")),
        };
        if let Err(message) = result {
            eprintln!("{message}");
        }
        Flow::Continue
    }

    fn set_format(&mut self, arg: Option<&str>) -> Result<(), String> {
        match arg.and_then(Format::parse) {
            Some(f) => {
                self.format = f;
                Ok(())
            }
            None => Err(format!(
                "usage: .format table|vertical|csv|json|markdown (now {})",
                self.format.name()
            )),
        }
    }

    fn set_output(&mut self, arg: Option<&str>) -> Result<(), String> {
        self.output = match arg {
            None => Output::Stdout,
            Some(path) => {
                let file = std::fs::File::create(path).map_err(|e| format!("{path}: {e}"))?;
                Output::File(file)
            }
        };
        Ok(())
    }

    fn set_once(&mut self, arg: Option<&str>) -> Result<(), String> {
        let path = arg.ok_or("usage: .once FILE")?;
        self.once = Some(std::fs::File::create(path).map_err(|e| format!("{path}: {e}"))?);
        Ok(())
    }

    fn switch_db(&mut self, arg: Option<&str>) -> Result<(), String> {
        let Some(text) = arg else {
            return Err(format!("connected to {}; usage: .db URL", self.store.url()));
        };
        let url = DbUrl::parse(text).map_err(|e| e.to_string())?;
        let store = Store::open(&url, self.session.settings.pool).map_err(|e| e.to_string())?;
        self.store = Arc::new(store);
        self.load_names();
        eprintln!("now on {}", self.store.url());
        Ok(())
    }
}

/// The tables, as this backend creates them.
fn schema(d: &dyn crate::store::Dialect) -> String {
    let all = [
        tables::plans(),
        tables::customers(),
        tables::calls(),
        tables::sms(),
        tables::data_sessions(),
        tables::network_hourly(),
        tables::customer_daily(),
    ];
    let mut out = String::new();
    for t in &all {
        out.push_str(&t.create_sql(d));
        out.push_str(";\n");
        for index in t.index_sql() {
            out.push_str(&index);
            out.push_str(";\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_stay_out_of_the_history() {
        assert!(super::super::holds_password(
            ".db mysql://bob:secret@host/db"
        ));
        assert!(!super::super::holds_password(".db mysql://bob@host/db"));
        assert!(!super::super::holds_password("summary"));
        for malformed in [
            ".db mysql:/bob:hunter2@host/db",
            ".db mysql:bob:hunter2",
            ".db mysql//bob:hunter2@h/db",
            ".db mysql://bob:pa/ss@host/db",
        ] {
            assert!(super::super::holds_password(malformed), "{malformed}");
        }
    }
}
