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

use common::examples::{DOC, DOC_KEY, Example, examples, examples_table, transcripts};

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
    // A customer gone quiet a month ago, for `idle customers` to find; the planted cases of
    // `demo --anomalies`, for the insights.
    let spec = tally::demo::DemoSpec {
        customers: 80,
        days: 45,
        seed: 11,
        end: chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("a date"),
    };
    for store in [&maria, &sqlite] {
        tally::demo::load_planted(store, &spec).expect("planted");
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
