//! What may come next at the cursor: the parser says what kind of thing fits there, the
//! vocabulary and the database say which names of that kind the statement's source has.

use crate::parse::{self, Expecting, Slot};
use crate::store::{Store, StoreError};
use crate::vocab::{self, Source, words};
use std::sync::Arc;

/// How many subscriber keys one Tab lists.
const KEYS_SHOWN: usize = 100;

/// Names from the database and the session, loaded in the background.
#[derive(Clone, Default)]
pub struct Names {
    pub plans: Vec<String>,
    pub regions: Vec<String>,
    /// Custom metrics with the sources that have every measure each reads.
    pub metrics: Vec<(String, Vec<Source>)>,
    /// Where subscriber keys are looked up by prefix, as they are typed.
    pub store: Option<Arc<Store>>,
}

/// Plans and regions, for completion.
pub fn load(store: &Arc<Store>) -> Result<Names, StoreError> {
    let plans = store.plans()?.into_iter().map(|p| p.name).collect();
    let regions = store.regions()?;
    Ok(Names {
        plans,
        regions,
        metrics: Vec::new(),
        store: Some(Arc::clone(store)),
    })
}

/// Each metric with the sources it can be asked of.
pub fn metric_sources(metrics: &crate::metric::Metrics) -> Vec<(String, Vec<Source>)> {
    metrics
        .names()
        .into_iter()
        .map(|name| {
            let sources = Source::ALL
                .into_iter()
                .filter(|s| metrics.applies_to(&name, *s))
                .collect();
            (name, sources)
        })
        .collect()
}

/// The candidates for the word that ends at the end of `before` (the text up to the cursor),
/// and where that word starts.
pub fn candidates(before: &str, names: &Names) -> (usize, Vec<String>) {
    let start = before
        .rfind(|c: char| c.is_whitespace() || matches!(c, '(' | ','))
        .map_or(0, |i| i + 1);
    let word = &before[start..];
    // The statement being typed: after the last `;` of the line.
    let statement = before[..start]
        .rfind(';')
        .map_or(&before[..start], |i| &before[i + 1..start]);
    let pool = pool(statement, word, names);
    // A name that needs quotes is offered for the word typed without them too.
    let bare = |s: &str| s.trim_start_matches(['\'', '"']).to_lowercase();
    let typed = bare(word);
    let quoted_typed = word.starts_with(['\'', '"']);
    let mut found: Vec<String> = pool
        .into_iter()
        .filter(|c| {
            let fits = if quoted_typed {
                c.starts_with(['\'', '"'])
            } else {
                true
            };
            fits && bare(c).starts_with(&typed) && c.as_str() != word
        })
        .collect();
    found.sort();
    found.dedup();
    (start, found)
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Everything that may come after `statement` (the statement's text before the word typed).
fn pool(statement: &str, word: &str, names: &Names) -> Vec<String> {
    let previous: Vec<String> = statement
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let Some(first) = previous.first() else {
        let mut heads = strings(words::HEADS);
        heads.extend(crate::app::dot::COMMANDS.iter().map(|c| c.name.to_string()));
        heads.extend(strings(&["log", "metric"]));
        return heads;
    };
    match first.as_str() {
        dot if dot.starts_with('.') => dot_values(&previous, names),
        "log" if previous.len() == 1 => strings(&["call", "sms", "data"]),
        "log" => Vec::new(),
        "metric" if previous.len() == 1 => strings(&["save"]),
        "metric" if previous == ["metric", "save"] => metric_names(names),
        "metric" => Vec::new(),
        _ => match parse::expecting(statement) {
            Some(expecting) => fitting(&expecting, word, names),
            None => Vec::new(),
        },
    }
}

/// The arguments of a dot command: its listed values, or metric names for `.metric`.
fn dot_values(previous: &[String], names: &Names) -> Vec<String> {
    match previous {
        [dot] => crate::app::dot::find(dot)
            .map(|c| strings(c.values))
            .unwrap_or_default(),
        [dot, _] if dot == ".metric" => metric_names(names),
        _ => Vec::new(),
    }
}

fn metric_names(names: &Names) -> Vec<String> {
    names.metrics.iter().map(|(n, _)| n.clone()).collect()
}

/// The names of the kind the parser expects, for the statement's source.
fn fitting(expecting: &Expecting, word: &str, names: &Names) -> Vec<String> {
    let source = expecting.source.unwrap_or(Source::Usage);
    match &expecting.slot {
        Slot::Words(list) => list.clone(),
        Slot::Measure => measures(source, names),
        Slot::Field => vocab::FIELDS
            .iter()
            .filter(|f| f.sources.contains(&source))
            .map(|f| f.name.to_string())
            .collect(),
        Slot::NumericField => vocab::numeric(source).map(|n| n.name.to_string()).collect(),
        Slot::Dimension => vocab::DIMENSIONS
            .iter()
            .filter(|d| d.sources.contains(&source))
            .map(|d| d.name.to_string())
            .collect(),
        Slot::Value(field) => values(field, word, names),
        Slot::Next { key, condition } => {
            let mut next = strings(words::CLAUSES);
            if *condition {
                next.extend(strings(&["and", "or"]));
            }
            if *key {
                next.extend(keys(word, names));
            }
            next
        }
    }
}

/// The measures `source` has: built-in ones, functions of its numeric fields, and the metrics
/// whose inputs it has.
fn measures(source: Source, names: &Names) -> Vec<String> {
    let mut found: Vec<String> = vocab::MEASURES
        .iter()
        .filter(|m| m.applies_to(source))
        .map(|m| m.name.to_string())
        .collect();
    if vocab::numeric(source).next().is_some() {
        found.extend(words::FUNCTIONS.iter().map(|f| format!("{f}(")));
    }
    found.extend(
        names
            .metrics
            .iter()
            .filter(|(_, sources)| sources.contains(&source))
            .map(|(name, _)| name.clone()),
    );
    found
}

/// Values for a `where` field.
fn values(field: &str, word: &str, names: &Names) -> Vec<String> {
    match field {
        "direction" => strings(&["out", "in"]),
        "status" => strings(&["answered", "busy", "no_answer", "failed"]),
        "account" => strings(&["active", "suspended", "closed"]),
        "weekday" => strings(&["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
        "daytype" => strings(&["weekday", "weekend"]),
        "plan" => names.plans.iter().map(|p| quoted(p)).collect(),
        "region" => names.regions.iter().map(|r| quoted(r)).collect(),
        "customer" => keys(word, names),
        _ => Vec::new(),
    }
}

/// Subscriber keys starting with what is typed, from the database (quotes typed are left out
/// of the prefix). A database that does not answer completes nothing.
fn keys(word: &str, names: &Names) -> Vec<String> {
    let Some(store) = &names.store else {
        return Vec::new();
    };
    let prefix = word.trim_start_matches(['\'', '"']);
    store
        .keys_starting(prefix, KEYS_SHOWN)
        .unwrap_or_default()
        .iter()
        .map(|k| {
            if word.starts_with(['\'', '"']) {
                quote(k)
            } else {
                quoted(k)
            }
        })
        .collect()
}

/// A name as a literal: bare when the lexer reads it back as one token (a word, digits, a
/// phone number), quoted otherwise.
fn quoted(name: &str) -> String {
    let word = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let number = digits(name) || name.strip_prefix('+').is_some_and(digits);
    if (word && !words::all().any(|w| w.eq_ignore_ascii_case(name))) || number {
        name.to_string()
    } else {
        quote(name)
    }
}

fn quote(name: &str) -> String {
    format!("'{}'", name.replace('\'', "''"))
}

#[cfg(test)]
mod tests;
