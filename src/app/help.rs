//! `.help`: the statements, made from the language's words and the dot command table, so it
//! never lists what does not exist.

use super::dot::COMMANDS;
use crate::vocab::words;

/// `.help examples`.
pub const EXAMPLES: &str = "\
  summary
  summary 447700900123 last 30 days
  customers last 30 days
  peak hours calls last 7 days
  top 10 customers by minutes this month
  calls where direction = out and duration > 5m since 2026-11-01 per day show count, minutes, avg(duration)
  trend minutes per day last 30 days
  usage per plan show customers, revenue
";

const STATEMENTS: &str = "\
Statements (see docs/LANGUAGE.md); a newline or ; ends a complete one:
  summary [KEY] [RANGE]                network or one customer's totals
  customers [RANGE]                    one row per customer
  peak hours calls|sms|data [RANGE]    the 24 hours of the day
  top N customers by MEASURE [RANGE]   the biggest customers
  trend MEASURE per hour|day|week|month [RANGE]
  calls|sms|data|usage [where ...] [RANGE] [per ...] [show ...] [sort ...] [top N] [limit N]
  explain STATEMENT                    the SQL and the tables that answer
  log call|sms|data ...                store one record (as `tally log`)
  metric NAME = EXPRESSION             a measure in Rhai over the measures below, for this session
  metric save NAME                     keep a metric for later sessions
";

/// The whole `.help` text.
pub fn text() -> String {
    let mut out = String::from(STATEMENTS);
    out.push_str("Dot commands:\n");
    for c in COMMANDS.iter().filter(|c| !c.help.is_empty()) {
        let usage = format!("{} {}", c.name, c.args);
        out.push_str(&format!("  {:<36} {}\n", usage.trim_end(), c.help));
    }
    let list = |title: &str, list: &[&str]| format!("{title}: {}\n", list.join(", "));
    out.push_str(&list("Ranges", words::RANGES));
    out.push_str(&crate::vocab::doc::help_lists());
    out.push_str(
        "Keys: Tab lists what may come next, Ctrl-R searches the history, Ctrl-C clears the line or cancels a query, Ctrl-D leaves.\n",
    );
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn help_lists_every_dot_command() {
        let text = super::text();
        for c in super::COMMANDS.iter().filter(|c| !c.help.is_empty()) {
            assert!(text.contains(c.name), "{}", c.name);
        }
    }
}
