//! Every example line of docs/LANGUAGE.md, answered on MariaDB and on SQLite over the same
//! generated data, gives equal typed answers: the whole `ResultSet` (title, columns with their
//! kinds, every `Int`, `Float`, `Text` and `Null`) compared with `assert_eq!`, not values turned
//! into `f64` and compared within a tolerance.
//!
//! The lines are read from the document itself (compiled in with `include_str!`), so a line added
//! to the document is tested without touching this file:
//!
//! - every `statement` of the *Examples* table;
//! - every statement typed at a `tally>` prompt in the document's transcripts (the fenced
//!   `text` blocks), in order, with the metrics those transcripts define.
//!
//! Fragments quoted in the prose (`calls where (direction = out`, `calls per dya`, ...) are left
//! out on purpose: many are deliberately unfinished or wrong.

mod common;

use common::Backend;
use std::sync::Arc;
use tally::metric::Metrics;
use tally::model::Zone;
use tally::query::{Answer, QueryError, run_with};
use tally::store::Store;

const DOC: &str = include_str!("../docs/LANGUAGE.md");

/// The document's example customer. Demo customers are `4477` and eight digits counting from 1
/// (`tally::demo` numbers them 447700000001, 447700000002, ...), so this key is not one of them.
const DOC_KEY: &str = "447700900123";
/// The demo customer that stands in for `DOC_KEY` (one of the 80 the fixture creates).
const DEMO_KEY: &str = "447700000003";

/// A statement from the document, and the metrics defined before it in its transcript.
struct Example {
    line: String,
    metrics: Arc<Metrics>,
}

/// The cells of a Markdown table row; `\|` inside a cell is a `|`.
fn cells(row: &str) -> Vec<String> {
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
fn examples_table(doc: &str) -> Vec<String> {
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
fn transcripts(doc: &str) -> Vec<Example> {
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
fn examples() -> Vec<Example> {
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

fn ask(store: &Store, e: &Example) -> Result<Answer, QueryError> {
    run_with(store, &e.line, &Zone::utc(), common::test_now(), &e.metrics)
}

/// An `explain` answer without its SQL text, the one part that is meant to differ between the
/// dialects: the title, the tables with their ranges, the parameters and the metric notes stay.
fn explain_without_sql(text: &str, dialect: &str) -> String {
    let mut out = Vec::new();
    let mut lines = text.lines();
    let mut saw_sql = false;
    while let Some(line) = lines.next() {
        let inlined = line.starts_with(&format!("SQL ({dialect}), parameters inlined"));
        if inlined || line == "as tally runs it, with bind parameters:" {
            let sql = lines.next().unwrap_or_default();
            assert!(sql.starts_with("  SELECT "), "{dialect}: {text}");
            saw_sql |= inlined;
            continue;
        }
        out.push(line);
    }
    assert!(
        saw_sql,
        "no `SQL ({dialect}), parameters inlined` in {text}"
    );
    out.join("\n")
}

/// Both backends over the same data: the demo with a fixed seed (80 customers, 45 days up to
/// 2026-11-25) and one customer quiet since October, asked at `common::test_now()` (2026-11-25 12:00 UTC) in UTC.
#[test]
fn every_example_of_the_language_gives_equal_typed_answers_on_both_backends() {
    let examples = examples();
    assert!(
        !examples.is_empty(),
        "no examples read from docs/LANGUAGE.md"
    );
    let (_maria_db, maria) = common::demo_store(Backend::Mysql, 80, 45, 11);
    let (_sqlite_db, sqlite) = common::demo_store(Backend::Sqlite, 80, 45, 11);
    // A customer gone quiet a month ago, for `idle customers` to find.
    for store in [&maria, &sqlite] {
        let quiet = common::call("447700999999", "2026-10-20 09:30", 60, "quiet-1");
        store.insert_batch(&[quiet], true).expect("stored");
    }

    let mut answers = Vec::new();
    for e in &examples {
        let on = |store: &Store, name: &str| {
            ask(store, e)
                .unwrap_or_else(|err| panic!("{name}: {}:\n{}", e.line, err.render(&e.line)))
        };
        answers.push((e, on(&maria, "MariaDB"), on(&sqlite, "SQLite")));
    }

    // Every difference first, so one run shows them all; then each line's assertion.
    for (e, m, s) in &answers {
        if let (Answer::Table(m), Answer::Table(s)) = (m, s)
            && m != s
        {
            eprintln!("MariaDB and SQLite differ on `{}`:", e.line);
            if m.columns != s.columns || m.title != s.title || m.vertical != s.vertical {
                eprintln!(
                    "  heading: {:?} {:?}",
                    (&m.title, &m.columns),
                    (&s.title, &s.columns)
                );
            }
            if m.rows.len() != s.rows.len() {
                eprintln!("  rows: {} vs {}", m.rows.len(), s.rows.len());
            }
            for (i, (a, b)) in m.rows.iter().zip(&s.rows).enumerate() {
                for (j, (x, y)) in a.iter().zip(b).enumerate() {
                    if x != y {
                        let column = m.columns.get(j).map_or("?", |c| c.name.as_str());
                        eprintln!("  row {i} `{column}`: MariaDB {x:?}, SQLite {y:?}");
                    }
                }
            }
        }
    }
    for (e, m, s) in answers {
        match (m, s) {
            (Answer::Table(m), Answer::Table(s)) => {
                assert!(!m.rows.is_empty(), "no rows for `{}`", e.line);
                assert!(
                    m.rows
                        .iter()
                        .flatten()
                        .any(|v| v.as_f64().is_some_and(|x| x != 0.0)),
                    "`{}` answers only zeros: the data does not exercise it",
                    e.line
                );
                assert_eq!(m, s, "MariaDB (left) and SQLite (right) on `{}`", e.line);
            }
            (Answer::Explain(m), Answer::Explain(s)) => {
                assert_eq!(
                    explain_without_sql(&m, "mysql"),
                    explain_without_sql(&s, "sqlite"),
                    "MariaDB (left) and SQLite (right) explain `{}`",
                    e.line
                );
            }
            (m, s) => panic!("`{}`: MariaDB {m:?}, SQLite {s:?}", e.line),
        }
    }

    // The document's own key is nobody in the demo: `summary KEY` as written is the error
    // LANGUAGE.md promises ("an error if no such customer is stored"), the same on both backends.
    let as_written = format!("summary {DOC_KEY}");
    if examples_table(DOC).contains(&as_written) {
        let e = Example {
            line: as_written,
            metrics: Arc::new(Metrics::new(None)),
        };
        let errors = [&maria, &sqlite].map(|store| match ask(store, &e) {
            Err(err) => err.render(&e.line),
            Ok(answer) => panic!("`{}` answered {answer:?}", e.line),
        });
        assert_eq!(errors[0], errors[1]);
        assert!(
            errors[0].contains(&format!("no customer `{DOC_KEY}`")),
            "{}",
            errors[0]
        );
    }
}

#[test]
fn examples_are_read_from_tables_and_transcripts() {
    let doc = "\
## Heads

| head | answers |
|---|---|
| `peak hours calls\\|sms` | not an example |

## Examples

| statement | returns |
|---|---|
| `summary` | totals |
| `calls where cell = 'a\\|b'` | a pipe in a value |

```text
tally> metric m = {
    ->   calls * 2
    -> }
metric m defined
tally> top 3 customers by m
```

```rhai
tally> not a transcript
```

## Output
";
    assert_eq!(examples_table(doc), ["summary", "calls where cell = 'a|b'"]);
    let typed = transcripts(doc);
    assert_eq!(typed.len(), 1);
    assert_eq!(typed[0].line, "top 3 customers by m");
    let m = typed[0].metrics.get("m").expect("the transcript's metric");
    assert_eq!(m.text, "{\ncalls * 2\n}");
}
