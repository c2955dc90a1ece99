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
fn metrics_read_other_metrics_and_inline_their_current_definitions() {
    let mut m = metrics();
    m.define("a", "minutes * 2").unwrap();
    let b = m.define("b", "a + sms").unwrap().clone();
    assert_eq!(b.inputs, ["a", "sms"]);
    let sql = |m: &Metrics, name: &str| {
        m.pushdown(m.get(name).unwrap())
            .map(|t| t.sql(&|v| format!("[{v}]")))
    };
    assert_eq!(sql(&m, "b").as_deref(), Some("(([minutes] * 2e0) + [sms])"));
    // Redefining `a` changes what `b` computes.
    m.define("a", "data_mb * 3").unwrap();
    assert_eq!(sql(&m, "b").as_deref(), Some("(([data_mb] * 3e0) + [sms])"));
    m.define("c", "{ let x = a; x }").unwrap();
    m.define("d", "c + 1").unwrap();
    assert_eq!(sql(&m, "d"), None, "reads a metric Rhai must evaluate");
}

#[test]
fn a_chain_of_doubling_metrics_is_not_written_out_into_sql() {
    let mut m = metrics();
    m.define("a0", "minutes").unwrap();
    for i in 1..40 {
        m.define(&format!("a{i}"), &format!("a{} + a{}", i - 1, i - 1))
            .unwrap();
    }
    assert!(m.pushdown(m.get("a5").unwrap()).is_some());
    assert!(
        m.pushdown(m.get("a39").unwrap()).is_none(),
        "too big for SQL"
    );
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
    let e = m.define("true", "calls").unwrap_err();
    assert!(e.message.contains("keyword of Rhai"), "{e}");
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
fn definitions_last_the_session_unless_saved_and_drop_refuses_what_is_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tally").join("metrics.rhai");
    let mut m = Metrics::new(Some(file.clone()));
    m.define("a", "minutes * 2").unwrap();
    m.define("b", "{\n  let x = a;\n  x + sms\n}").unwrap();
    assert!(!file.exists(), "defining saves nothing");
    let e = m.drop("a").unwrap_err();
    assert!(e.message.contains("used by metric `b`"), "{e}");
    // Saving b saves a, which it reads.
    assert_eq!(m.save_metric("b").unwrap(), file);
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

#[test]
fn own_definitions_that_do_not_load_are_kept_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let own = dir.path().join("metrics.rhai");
    std::fs::write(
        &own,
        "metric mine = team_rate * minutes\nmetric ok = calls\n",
    )
    .unwrap();
    let mut m = Metrics::new(Some(own.clone()));
    let errors = m.load(&own, Origin::Own);
    assert_eq!(errors.len(), 1, "team_rate is not defined this time");
    assert!(
        errors[0]
            .to_string()
            .contains("Undefined variable: team_rate"),
        "{}",
        errors[0]
    );
    m.define("more", "sms").unwrap();
    m.define("ok", "calls + 1").unwrap();
    m.save_metric("more").unwrap();
    let saved = std::fs::read_to_string(&own).unwrap();
    assert!(
        saved.contains("metric mine = team_rate * minutes"),
        "{saved}"
    );
    assert!(saved.contains("metric ok = calls\n") && saved.contains("metric more = sms"));
    assert!(
        !saved.contains("calls + 1"),
        "a redefinition for this session only is not written: {saved}"
    );
}

#[test]
fn a_metric_applies_where_everything_it_reads_exists() {
    use crate::vocab::Source;
    let mut m = metrics();
    m.define("per_call", "minutes / calls").unwrap();
    m.define("mixed", "per_call + sms").unwrap();
    m.define("constant", "1").unwrap();
    assert!(m.applies_to("per_call", Source::Calls));
    assert!(m.applies_to("per_call", Source::Usage));
    assert!(!m.applies_to("per_call", Source::Sms));
    assert!(!m.applies_to("mixed", Source::Calls), "reads sms");
    assert!(m.applies_to("mixed", Source::Usage));
    assert!(m.applies_to("constant", Source::Data));
    assert!(!m.applies_to("nothing_by_that_name", Source::Usage));
}
