//! What may come next at the cursor, from the words before it: keywords, sources, fields after
//! `where`, dimensions after `per`, measures after `show`/`by`, and names from the database.

use crate::store::{Store, StoreError, Value};
use crate::vocab::words;

/// Names from the database, loaded in the background.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub plans: Vec<String>,
    pub regions: Vec<String>,
    pub keys: Vec<String>,
    /// Custom metrics, usable wherever a measure is.
    pub metrics: Vec<String>,
}

/// Plans, regions and subscriber keys, for completion.
pub fn load(store: &Store) -> Result<Names, StoreError> {
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

/// The candidates for the word that ends at the end of `before` (the text up to the cursor).
pub fn candidates(before: &str, names: &Names) -> (usize, Vec<String>) {
    let start = before
        .rfind(|c: char| c.is_whitespace() || matches!(c, '(' | ','))
        .map_or(0, |i| i + 1);
    let word = &before[start..];
    let previous: Vec<String> = before[..start]
        .split(|c: char| c.is_whitespace() || c == '(')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let pool = pool(&previous, before[..start].trim_end().ends_with(','), names);
    let lower = word.to_lowercase();
    let mut found: Vec<String> = pool
        .into_iter()
        .filter(|c| c.to_lowercase().starts_with(&lower) && c.as_str() != word)
        .collect();
    found.sort();
    found.dedup();
    (start, found)
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Everything that may come after the words `previous`.
fn pool(previous: &[String], after_comma: bool, names: &Names) -> Vec<String> {
    let Some(last) = previous.last().map(String::as_str) else {
        let mut heads = strings(words::HEADS);
        heads.extend(crate::app::dot::COMMANDS.iter().map(|c| c.name.to_string()));
        heads.extend(strings(&["log", "metric"]));
        return heads;
    };
    let measures = || {
        let mut m = strings(words::measures());
        m.extend(words::FUNCTIONS.iter().map(|f| format!("{f}(")));
        m.extend(names.metrics.iter().cloned());
        m
    };
    if after_comma {
        // A list goes on: dimensions after `per`, measures after `show`.
        let list_head = previous
            .iter()
            .rev()
            .find(|w| matches!(w.as_str(), "per" | "show"));
        return match list_head.map(String::as_str) {
            Some("per") => strings(words::dimensions()),
            _ => measures(),
        };
    }
    match last {
        "where" | "and" | "or" | "not" => strings(words::fields()),
        "per" => strings(words::dimensions()),
        "show" | "by" | "sort" | "trend" => measures(),
        "summary" => names
            .keys
            .iter()
            .take(200)
            .cloned()
            .chain(strings(words::RANGES))
            .collect(),
        "peak" => vec!["hours".into()],
        "hours" if previous.iter().any(|w| w == "peak") => strings(&["calls", "sms", "data"]),
        "this" => strings(words::THIS),
        "=" | "!=" | "<>" | "in" => values(previous, names),
        dot if dot.starts_with('.') => crate::app::dot::find(dot)
            .map(|c| strings(c.values))
            .unwrap_or_default(),
        "log" => strings(&["call", "sms", "data"]),
        "drop" | "save" if previous.len() >= 2 && previous[previous.len() - 2] == ".metric" => {
            names.metrics.clone()
        }
        w if previous.len() >= 2
            && previous[previous.len() - 2] == "last"
            && w.parse::<u64>().is_ok() =>
        {
            strings(words::UNITS)
        }
        _ => strings(words::CLAUSES),
    }
}

/// Values for the field before the operator.
fn values(previous: &[String], names: &Names) -> Vec<String> {
    let field = previous
        .iter()
        .rev()
        .nth(1)
        .map(String::as_str)
        .unwrap_or("");
    match field {
        "direction" => strings(&["out", "in"]),
        "status" => strings(&["answered", "busy", "no_answer", "failed"]),
        "plan" => names.plans.iter().map(|p| quoted(p)).collect(),
        "region" => names.regions.iter().map(|r| quoted(r)).collect(),
        "customer" => names.keys.iter().take(200).cloned().collect(),
        _ => Vec::new(),
    }
}

/// A name as a literal: bare when it is a plain word, quoted otherwise.
fn quoted(name: &str) -> String {
    if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
    {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        Names {
            plans: vec!["Basic".into(), "Data Max".into()],
            regions: vec!["North".into()],
            keys: vec!["447700000001".into(), "447700000002".into()],
            metrics: vec!["rev_est".into()],
        }
    }

    fn complete(before: &str) -> Vec<String> {
        candidates(before, &names()).1
    }

    #[test]
    fn heads_at_the_start() {
        assert_eq!(complete("su"), ["summary"]);
        assert_eq!(complete(".fo"), [".format"]);
    }

    #[test]
    fn context_decides() {
        assert_eq!(complete("calls where dir"), ["direction"]);
        assert_eq!(complete("calls per da"), ["day"]);
        assert_eq!(complete("calls per day, re"), ["region"]);
        assert_eq!(complete("calls show co"), ["count"]);
        assert_eq!(complete("calls show count, mi"), ["min(", "minutes"]);
        assert_eq!(complete("top 10 customers by rev"), ["rev_est", "revenue"]);
        assert_eq!(complete("peak hours c"), ["calls"]);
        assert_eq!(complete("customers last 30 d"), ["days"]);
        assert_eq!(complete("calls wh"), ["where"]);
    }

    #[test]
    fn names_from_the_database() {
        assert_eq!(
            complete("summary 4477000000"),
            ["447700000001", "447700000002"]
        );
        assert_eq!(complete("usage where plan = "), ["'Data Max'", "Basic"]);
        assert_eq!(complete("calls where direction = "), ["in", "out"]);
    }

    #[test]
    fn the_word_start_is_returned() {
        assert_eq!(candidates("calls per da", &names()).0, 10);
    }
}
