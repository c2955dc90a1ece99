//! The example statements of docs/LANGUAGE.md, read from the document itself (compiled in
//! with `include_str!`), so a line added to the document is tested without touching a test:
//! every `statement` of the *Examples* table, and every statement typed at a `tally>` prompt in
//! the document's transcripts (the fenced `text` blocks), in order, with the metrics those
//! transcripts define.

use std::sync::Arc;
use tally::metric::Metrics;

pub const DOC: &str = include_str!("../../docs/LANGUAGE.md");

/// The document's example customer. Demo customers are `4477` and eight digits counting from 1
/// (`tally::demo` numbers them 447700000001, 447700000002, ...), so this key is not one of them.
pub const DOC_KEY: &str = "447700900123";
/// The demo customer that stands in for `DOC_KEY` (one of the 80 the fixture creates).
pub const DEMO_KEY: &str = "447700000003";

/// A statement from the document, and the metrics defined before it in its transcript.
pub struct Example {
    /// The statement as written.
    pub line: String,
    /// The metrics defined before it.
    pub metrics: Arc<Metrics>,
}

/// The cells of a Markdown table row; `\|` inside a cell is a `|`.
pub fn cells(row: &str) -> Vec<String> {
    let inner = row.trim().trim_start_matches('|').trim_end_matches('|');
    let mut cells = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                chars.next();
                cells.last_mut().unwrap().push('|');
            }
            '|' => cells.push(String::new()),
            c => cells.last_mut().unwrap().push(c),
        }
    }
    cells.iter().map(|c| c.trim().to_string()).collect()
}

/// The `statement` column of the *Examples* table, each statement as written.
pub fn examples_table(doc: &str) -> Vec<String> {
    let mut lines = doc
        .lines()
        .skip_while(|l| l.trim() != "## Examples")
        .skip(1);
    let rows: Vec<&str> = lines
        .by_ref()
        .take_while(|l| !l.starts_with("## "))
        .filter(|l| l.trim_start().starts_with('|'))
        .collect();
    assert!(rows.len() > 2, "no Examples table in docs/LANGUAGE.md");
    assert_eq!(
        cells(rows[0]).first().map(String::as_str),
        Some("statement"),
        "the Examples table's first column is `statement`: {}",
        rows[0]
    );
    assert!(
        cells(rows[1]).iter().all(|c| c.chars().all(|c| c == '-')),
        "the second row is the table's rule: {}",
        rows[1]
    );
    rows[2..]
        .iter()
        .map(|row| {
            let first = &cells(row)[0];
            let code = first
                .strip_prefix('`')
                .and_then(|c| c.strip_suffix('`'))
                .filter(|c| !c.contains('`'))
                .unwrap_or_else(|| panic!("the statement cell is not one `code` span: {row}"));
            code.to_string()
        })
        .collect()
}

/// The statements typed at `tally>` in the document's `text` blocks, a statement continued on
/// `->` lines joined to it, each with the metrics its transcript defined before it. A `metric`
/// definition is not an example itself: it is kept for the statements after it.
pub fn transcripts(doc: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut in_text = false;
    let mut metrics = Metrics::new(None);
    let mut lines = doc.lines().peekable();
    while let Some(line) = lines.next() {
        if line.starts_with("```") {
            in_text = !in_text && line.trim() == "```text";
            if !in_text {
                // A new transcript starts with no metrics.
                metrics = Metrics::new(None);
            }
            continue;
        }
        let Some(first) = line.strip_prefix("tally> ").filter(|_| in_text) else {
            continue;
        };
        let mut statement = first.to_string();
        while let Some(more) = lines.peek().and_then(|l| l.trim_start().strip_prefix("->")) {
            statement.push('\n');
            statement.push_str(more.trim());
            lines.next();
        }
        if let Some(definition) = statement.strip_prefix("metric ") {
            let (name, text) = definition
                .split_once('=')
                .unwrap_or_else(|| panic!("a metric definition without `=`: {statement}"));
            metrics
                .define(name.trim(), text.trim())
                .unwrap_or_else(|e| panic!("{statement}: {e}"));
        } else {
            out.push(Example {
                line: statement,
                metrics: Arc::new(metrics.clone()),
            });
        }
    }
    out
}

/// Every example of the document, with `DOC_KEY` replaced by `DEMO_KEY`.
pub fn examples() -> Vec<Example> {
    let none = Arc::new(Metrics::new(None));
    let table = examples_table(DOC).into_iter().map(|line| Example {
        line,
        metrics: Arc::clone(&none),
    });
    table
        .chain(transcripts(DOC))
        .map(|e| Example {
            line: e.line.replace(DOC_KEY, DEMO_KEY),
            metrics: e.metrics,
        })
        .collect()
}

/// Asks every example of the document of both stores (at the tests' fixed now, in UTC) and
/// asserts the same table from each; `left` and `right` name the stores in failures.
pub fn assert_same_answers(
    left: &tally::store::Store,
    right: &tally::store::Store,
    names: (&str, &str),
) {
    use tally::query::{Answer, run_with};
    for e in examples() {
        let ask = |store: &tally::store::Store| {
            run_with(
                store,
                &e.line,
                &tally::model::Zone::utc(),
                super::test_now(),
                &e.metrics,
            )
            .unwrap_or_else(|err| panic!("{}:\n{}", e.line, err.render(&e.line)))
        };
        match (ask(left), ask(right)) {
            (Answer::Table(l), Answer::Table(r)) => assert_eq!(
                l, r,
                "{} (left) and {} (right) on `{}`",
                names.0, names.1, e.line
            ),
            (Answer::Explain(_), Answer::Explain(_)) => {}
            (l, r) => panic!("`{}`: {} {l:?}, {} {r:?}", e.line, names.0, names.1),
        }
    }
}
