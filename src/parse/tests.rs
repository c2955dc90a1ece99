use super::*;

fn ok(source: &str) -> Query {
    match parse(source) {
        Ok(Statement::Query(q)) | Ok(Statement::Explain(q)) => q,
        Err(e) => panic!("{source}: {}", e.diagnostic.render(source)),
    }
}

fn err(source: &str) -> String {
    match parse(source) {
        Ok(s) => panic!("{source} parsed: {s:?}"),
        Err(e) => e.diagnostic.render(source),
    }
}

#[test]
fn the_example_lines_parse() {
    for line in [
        "summary",
        "summary 447700900123",
        "customers last 30 days",
        "peak hours calls last 7 days",
        "peak hours sms this month",
        "peak hours data today",
        "top 10 customers by minutes this month",
        "top 5 customers by revenue last 3 months",
        "calls where direction = out and duration > 5m since 2026-11-01 per day show count, minutes, avg(duration)",
        "trend minutes per day last 30 days",
        "explain top 10 customers by minutes this month",
        "sms where direction = in per hour show count yesterday",
        "data where up > 10MB or down >= 1.5GiB between 2026-11-01 and 2026-11-08 per customer sort data_mb desc limit 20",
        "usage per plan, region show customers, revenue",
        "calls where status in (busy, no_answer) and not (cell = 'N-001') on 2026-11-20",
        "calls where duration between 1m and 5m until '2026-11-25 10:15' per weekday top 3",
        "SUMMARY Last 7 Days; -- keywords in any case",
    ] {
        ok(line);
    }
}

#[test]
fn the_tree_keeps_clauses_and_places() {
    let q = ok(
        "calls where direction = out and duration > 5m since 2026-11-01 per day show count, minutes, avg(duration)",
    );
    assert_eq!(
        q.head,
        Head::Source(Spanned::new(Source::Calls, crate::diag::Span::new(0, 5)))
    );
    assert!(matches!(q.filter, Some(Expr::And(_, _))));
    assert_eq!(
        q.per.iter().map(|d| d.value.as_str()).collect::<Vec<_>>(),
        ["day"]
    );
    let labels: Vec<String> = q.show.iter().map(|m| m.value.label()).collect();
    assert_eq!(labels, ["count", "minutes", "avg(duration)"]);
    assert!(matches!(&q.range.as_ref().unwrap().value, Range::Since(t) if t.value == "2026-11-01"));
    let q = ok("summary 447700900123 last 30 days");
    assert!(matches!(q.head, Head::Summary { customer: Some(ref k) } if k.value == "447700900123"));
    assert_eq!(q.range.unwrap().value, Range::Last(30, "day".into()));
    let q = ok("summary today");
    assert!(matches!(q.head, Head::Summary { customer: None }));
}

#[test]
fn and_binds_tighter_than_or() {
    let q = ok("calls where direction = out or status = busy and duration > 1m");
    let Some(Expr::Or(_, right)) = q.filter else {
        panic!("or at the top")
    };
    assert!(matches!(*right, Expr::And(_, _)));
}

#[test]
fn a_misspelt_keyword_gets_a_caret_and_a_suggestion() {
    assert_eq!(
        err("sumary last 7 days"),
        "line 1, column 1: unexpected word `sumary`\n  sumary last 7 days\n  ^^^^^^\n  expected one of: summary, customers, peak, top, trend, histogram, idle, capacity, anomalies, declining, suspects, calls, sms, data, usage\n  did you mean `summary`?\n"
    );
    let e = err("calls wehre direction = out");
    assert!(e.starts_with("line 1, column 7: unexpected word `wehre`\n  calls wehre direction = out\n        ^^^^^\n"), "{e}");
    assert!(e.ends_with("did you mean `where`?\n"), "{e}");
    let e = err("peak hours cals");
    assert!(
        e.contains("expected one of: calls, sms, data\n  did you mean `calls`?"),
        "{e}"
    );
}

#[test]
fn errors_point_at_the_right_column_on_later_lines() {
    let e = err("calls\nwhere direction = = out");
    assert!(
        e.starts_with(
            "line 2, column 19: unexpected `=`\n  where direction = = out\n                    ^\n"
        ),
        "{e}"
    );
}

#[test]
fn repeated_clauses_are_refused() {
    assert!(err("calls per day per hour").starts_with("line 1, column 15: `per` is given twice"));
    assert!(
        err("calls today yesterday").starts_with("line 1, column 13: a time range is given twice")
    );
    let q = ok("calls since 2026-11-01 until 2026-11-08");
    assert!(matches!(
        q.range.unwrap().value,
        super::ast::Range::Between(..)
    ));
}

#[test]
fn incomplete_input_is_told_apart() {
    for source in [
        "calls where (direction = out",
        "calls where direction = out and",
        "top 10 customers by",
        "trend minutes per",
    ] {
        assert!(parse(source).unwrap_err().incomplete, "{source}");
    }
    assert!(
        !parse("calls where direction = out )")
            .unwrap_err()
            .incomplete
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!(
        "calls where {}direction = out{}",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    let e = err(&deep);
    assert!(
        e.contains("nested too deeply (more than 64 levels)"),
        "{}",
        &e[..200]
    );
    let nots = format!("calls where {}direction = out", "not ".repeat(10_000));
    assert!(err(&nots).contains("nested too deeply"));
    let fine = format!(
        "calls where {}direction = out{}",
        "(".repeat(60),
        ")".repeat(60)
    );
    ok(&fine);
}

#[test]
fn numbers_must_be_counts_where_counts_are_needed() {
    assert!(
        err("top 0 customers by minutes")
            .contains("expected how many, a whole number from 1, found `0`")
    );
    assert!(err("calls limit 2.5").contains("a whole number from 1"));
}

#[test]
fn the_parser_says_what_fits_where_the_input_ends() {
    use crate::vocab::Source;
    let at = |text: &str| expecting(text).map(|e| (e.slot, e.source));
    assert_eq!(at("sms show "), Some((Slot::Measure, Some(Source::Sms))));
    assert_eq!(
        at("peak hours data where "),
        Some((Slot::Field, Some(Source::Data)))
    );
    assert_eq!(
        at("data show avg("),
        Some((Slot::NumericField, Some(Source::Data)))
    );
    assert_eq!(
        at("top 3 customers by "),
        Some((Slot::Measure, Some(Source::Usage)))
    );
    assert_eq!(
        at("calls per day, "),
        Some((Slot::Dimension, Some(Source::Calls)))
    );
    assert_eq!(
        at("calls where plan = "),
        Some((Slot::Value("plan".into()), Some(Source::Calls)))
    );
    assert_eq!(
        at("summary "),
        Some((
            Slot::Next {
                key: true,
                condition: false
            },
            Some(Source::Usage)
        ))
    );
    assert_eq!(
        at("calls where direction = out "),
        Some((
            Slot::Next {
                key: false,
                condition: true
            },
            Some(Source::Calls)
        ))
    );
    let Some((Slot::Words(words), None)) = at("") else {
        panic!("{:?}", at(""));
    };
    assert!(words.contains(&"summary".to_string()), "{words:?}");
    assert_eq!(at("calls where ) "), None, "already wrong");
}
