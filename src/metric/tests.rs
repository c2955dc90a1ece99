use super::*;

fn metrics() -> Metrics {
    Metrics::new(None)
}

#[test]
fn a_definition_is_compiled_tried_and_pushed_down_when_plain() {
    let mut m = metrics();
    let rev = m
        .define("rev_est", "minutes * 0.05 + sms * 0.02 + data_mb * 0.01")
        .unwrap();
    assert_eq!(rev.inputs, ["minutes", "sms", "data_mb"]);
    assert!(rev.pushdown.is_some());
    let heavy = m
        .define(
            "heavy",
            "{ let gb = data_mb / 1000.0; if gb > 5.0 { 1 } else { 0 } }",
        )
        .unwrap();
    assert!(heavy.pushdown.is_none(), "a `let` is Rhai's");
    let v = heavy.eval(&[("data_mb".into(), 6000.0)]).unwrap();
    assert_eq!(v, Some(1.0));
}

#[test]
fn metrics_read_other_metrics_and_inline_them_into_sql() {
    let mut m = metrics();
    m.define("a", "minutes * 2").unwrap();
    let b = m.define("b", "a + sms").unwrap();
    assert_eq!(b.inputs, ["a", "sms"]);
    let sql = b.pushdown.as_ref().unwrap().sql(&|v| format!("[{v}]"));
    assert_eq!(sql, "(([minutes] * 2e0) + [sms])");
    m.define("c", "{ let x = a; x }").unwrap();
    assert!(m.define("d", "c + 1").unwrap().pushdown.is_none());
}

#[test]
fn errors_name_the_metric_and_the_place() {
    let mut m = metrics();
    let e = m.define("x", "minutes + cals").unwrap_err();
    assert_eq!(
        e.to_string(),
        "metric `x`, line 1, column 11: Undefined variable: cals"
    );
    let e = m.define("x", "minutes +").unwrap_err();
    assert!(
        e.to_string().starts_with("metric `x`, line 1, column"),
        "{e}"
    );
    let e = m.define("x", "\"text\"").unwrap_err();
    assert!(
        e.to_string().contains("gives a string, not a number"),
        "{e}"
    );
    let e = m.define("Top", "1").unwrap_err();
    assert!(e.message.contains("lowercase"), "{e}");
    let e = m.define("minutes", "calls").unwrap_err();
    assert!(e.message.contains("word of the query language"), "{e}");
    let e = m.define("x", "").unwrap_err();
    assert!(e.message.contains("no expression"), "{e}");
    assert!(m.list().is_empty(), "nothing half-defined is kept");
}

#[test]
fn an_endless_loop_is_refused_at_definition() {
    let mut m = metrics();
    let e = m.define("spin", "loop { }").unwrap_err();
    assert!(e.message.contains("loop forever"), "{e}");
}

#[test]
fn a_metric_cannot_depend_on_itself() {
    let mut m = metrics();
    m.define("a", "minutes").unwrap();
    m.define("b", "a * 2").unwrap();
    let e = m.define("a", "b + 1").unwrap_err();
    assert_eq!(e.message, "would depend on itself: a → b → a");
    assert_eq!(
        m.get("a").unwrap().text,
        "minutes",
        "the old definition stays"
    );
}

#[test]
fn definitions_persist_and_drop_refuses_what_is_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tally").join("metrics.rhai");
    let mut m = Metrics::new(Some(file.clone()));
    m.define("a", "minutes * 2").unwrap();
    m.define("b", "{\n  let x = a;\n  x + sms\n}").unwrap();
    let e = m.drop("a").unwrap_err();
    assert!(e.message.contains("used by metric `b`"), "{e}");
    let mut again = Metrics::new(Some(file.clone()));
    assert!(again.load(&file, Origin::Own).is_empty());
    assert_eq!(again.names(), ["a", "b"]);
    assert_eq!(
        again.get("b").unwrap().text,
        "{\n  let x = a;\n  x + sms\n}"
    );
    again.drop("b").unwrap();
    let mut third = Metrics::new(Some(file.clone()));
    third.load(&file, Origin::Own);
    assert_eq!(third.names(), ["a"]);
    assert!(
        third
            .drop("nope")
            .unwrap_err()
            .message
            .contains("not defined")
    );
}

#[test]
fn shared_files_are_read_only_and_their_errors_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("team.rhai");
    std::fs::write(
        &shared,
        "// team metrics\nmetric good = minutes * 0.1\n\nmetric bad = {\n  minutes +\n}\n",
    )
    .unwrap();
    let mut m = metrics();
    let errors = m.load(&shared, Origin::Shared(shared.clone()));
    assert_eq!(errors.len(), 1);
    let shown = errors[0].to_string();
    assert!(
        shown.starts_with(&format!("{}:6:1: metric `bad`", shared.display())),
        "{shown}"
    );
    assert_eq!(m.names(), ["good"]);
    assert!(m.drop("good").unwrap_err().message.contains("team.rhai"));
    assert!(
        m.define("good", "1")
            .unwrap_err()
            .message
            .contains("team.rhai")
    );
    let missing = m.load(
        &dir.path().join("none.rhai"),
        Origin::Shared("none.rhai".into()),
    );
    assert!(missing[0].message.contains("cannot read"), "{:?}", missing);
}

#[test]
fn identifiers_skip_strings_comments_and_numbers() {
    assert_eq!(
        identifiers("minutes + \"sms\" // calls\n + 1e3 * data_mb"),
        ["minutes", "data_mb"]
    );
}
