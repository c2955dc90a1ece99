//! The vocabulary written out: docs/LANGUAGE.md's tables and `.help`'s lists, made from the tables.

use super::{DIMENSIONS, FIELDS, MEASURES, Source, numeric, words};

const TICK: &str = "✓";

/// A markdown table row; an empty cell is `| |`.
fn row(cells: &[String]) -> String {
    let cells: Vec<String> = cells
        .iter()
        .map(|c| {
            if c.is_empty() {
                " ".into()
            } else {
                format!(" {c} ")
            }
        })
        .collect();
    format!("|{}|\n", cells.join("|"))
}

fn header(columns: &[&str]) -> String {
    let names: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
    let rules: Vec<String> = columns.iter().map(|_| "---".to_string()).collect();
    format!("{}|{}|\n", row(&names), rules.join("|"))
}

/// `✓` or nothing per source, in the order calls, sms, data, usage.
fn ticks(has: impl Fn(Source) -> bool) -> Vec<String> {
    Source::ALL
        .iter()
        .map(|s| if has(*s) { TICK.into() } else { String::new() })
        .collect()
}

fn code(word: &str) -> String {
    format!("`{word}`")
}

/// The Measures table of docs/LANGUAGE.md.
pub fn measures_table() -> String {
    let mut out = header(&["measure", "calls", "sms", "data", "usage", "unit / meaning"]);
    for m in MEASURES {
        let mut cells = vec![code(m.name)];
        cells.extend(ticks(|s| m.applies_to(s)));
        cells.push(m.meaning.to_string());
        out.push_str(&row(&cells));
    }
    let mut cells = vec![
        words::FUNCTIONS
            .iter()
            .map(|f| code(&call(f)))
            .collect::<Vec<_>>()
            .join(" "),
    ];
    for source in Source::ALL {
        let names: Vec<String> = numeric(source).map(|n| code(n.name)).collect();
        cells.push(if names.is_empty() {
            String::new()
        } else {
            format!("f = {}", names.join(", "))
        });
    }
    cells.push(
        "seconds for `duration`, MB (10^6 bytes) for sizes; `pNN` is any whole per cent \
         `p1`-`p99`, p of `percentile` a fraction 0-1"
            .into(),
    );
    out.push_str(&row(&cells));
    let mut cells = vec![code("share(m)")];
    cells.extend(ticks(|_| true));
    cells.push(SHARE.into());
    out.push_str(&row(&cells));
    out
}

/// A function as called: `avg(f)`, `percentile(f, p)`.
fn call(function: &str) -> String {
    match function {
        "percentile" => "percentile(f, p)".into(),
        f => format!("{f}(f)"),
    }
}

/// What `share(m)` is, for the docs and `.help`.
const SHARE: &str = "per cent: the group's m over m summed over every group of the answer \
                     (m adds up over groups: a count, `minutes`, `data_mb`, `revenue`, ...)";

/// The Filters table of docs/LANGUAGE.md.
pub fn fields_table() -> String {
    let mut out = header(&[
        "field",
        "calls",
        "sms",
        "data",
        "usage",
        "values",
        "comparisons",
    ]);
    for f in FIELDS {
        let mut cells = vec![code(f.name)];
        cells.extend(ticks(|s| f.sources.contains(&s)));
        cells.push(f.values.to_string());
        cells.push(if f.field.numeric() {
            "all, `in`, `between`".into()
        } else if f.field.is_text() {
            "`=` `!=` `<>` `in` `like` `starts with`".into()
        } else {
            "`=` `!=` `<>` `in`".into()
        });
        out.push_str(&row(&cells));
    }
    out
}

/// The Dimensions table of docs/LANGUAGE.md.
pub fn dimensions_table() -> String {
    let mut out = header(&["dimension", "calls", "sms", "data", "usage", "groups by"]);
    for d in DIMENSIONS {
        let mut cells = vec![code(d.name)];
        cells.extend(ticks(|s| d.sources.contains(&s)));
        cells.push(d.meaning.to_string());
        out.push_str(&row(&cells));
    }
    out
}

/// The rows of the Keywords table that come from the vocabulary's tables.
pub fn keyword_rows() -> String {
    let line = |group: &str, list: &[&str]| {
        let words: Vec<String> = list.iter().map(|w| code(w)).collect();
        row(&[group.to_string(), words.join(" ")])
    };
    [
        line("sources", words::SOURCES),
        line("dimensions (`per`)", words::dimensions()),
        line("measures", words::measures()),
        line(
            "functions",
            &[words::FUNCTIONS, words::MEASURE_FUNCTIONS].concat(),
        ),
        line("fields", words::fields()),
    ]
    .concat()
}

/// The columns of `summary`, as the Heads table lists them.
pub fn summary_columns() -> String {
    let mut names = vec![code("active_customers")];
    names.extend(
        MEASURES
            .iter()
            .filter(|m| m.in_summary)
            .map(|m| code(m.name)),
    );
    names.join(", ")
}

/// Which sources have it, as `.help` writes it: `all`, or the names.
fn sources_of(has: impl Fn(Source) -> bool) -> String {
    let names: Vec<&str> = Source::ALL
        .iter()
        .filter(|s| has(**s))
        .map(|s| s.name())
        .collect();
    if names.len() == Source::ALL.len() {
        "all".into()
    } else {
        names.join(" ")
    }
}

/// `.help`'s lists of measures, functions, dimensions and fields, with the sources that have
/// each.
pub fn help_lists() -> String {
    let mut out =
        String::from("Measures (show, by, sort, trend), with the sources that have them:\n");
    for m in MEASURES {
        let sources = sources_of(|s| m.applies_to(s));
        out.push_str(&format!(
            "  {:<14} {:<16} {}\n",
            m.name,
            sources,
            plain(m.meaning)
        ));
    }
    for source in Source::ALL {
        let names: Vec<&str> = numeric(source).map(|n| n.name).collect();
        if !names.is_empty() {
            let calls: Vec<String> = words::FUNCTIONS.iter().map(|f| call(f)).collect();
            out.push_str(&format!(
                "  {} on {}: f = {}\n",
                calls.join(" "),
                source.name(),
                names.join(", ")
            ));
        }
    }
    out.push_str(&format!(
        "  {:<14} {:<16} {}\n",
        "share(m)",
        "all",
        plain(SHARE)
    ));
    out.push_str("Dimensions (per):\n");
    for d in DIMENSIONS {
        let sources = sources_of(|s| d.sources.contains(&s));
        out.push_str(&format!(
            "  {:<14} {:<16} {}\n",
            d.name,
            sources,
            plain(d.meaning)
        ));
    }
    out.push_str("Fields (where):\n");
    for f in FIELDS {
        let sources = sources_of(|s| f.sources.contains(&s));
        out.push_str(&format!(
            "  {:<14} {:<16} {}\n",
            f.name,
            sources,
            plain(f.values)
        ));
    }
    out
}

/// Markdown's backticks left out, for the terminal.
fn plain(text: &str) -> String {
    text.replace('`', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    const LANGUAGE: &str = include_str!("../../docs/LANGUAGE.md");

    fn assert_documented(table: &str, what: &str) {
        assert!(
            LANGUAGE.contains(table),
            "docs/LANGUAGE.md's {what} table is not the vocabulary's; paste this:\n{table}"
        );
    }

    #[test]
    fn the_language_doc_shows_the_vocabulary() {
        assert_documented(&measures_table(), "Measures");
        assert_documented(&fields_table(), "Filters");
        assert_documented(&dimensions_table(), "Dimensions");
        assert_documented(&keyword_rows(), "Keywords");
        let summary = format!(
            "| `summary` | network totals | `where` | {} |",
            summary_columns()
        );
        assert_documented(&summary, "Heads");
    }

    #[test]
    fn help_names_every_word_with_its_sources() {
        let help = help_lists();
        assert!(
            help.contains("  sms_out        sms usage        SMS sent\n"),
            "{help}"
        );
        assert!(help.contains("  customers      all "), "{help}");
        assert!(help.contains(
            "sum(f) avg(f) min(f) max(f) median(f) p90(f) p95(f) p99(f) percentile(f, p) on data: \
             f = duration, up, down, bytes, data_mb"
        ));
        for m in MEASURES {
            assert!(help.contains(&format!("  {} ", m.name)), "{}", m.name);
        }
    }
}
