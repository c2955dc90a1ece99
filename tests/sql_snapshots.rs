//! The SQL and bind parameters each example line compiles to, per dialect, as snapshots in
//! tests/snapshots/: a change to the generated SQL shows up in review as a diff.
//!
//! Everything is fixed (zone, clock, data extent), so the snapshots never depend on when or where
//! the tests run. Update them with `INSTA_UPDATE=always cargo test --test sql_snapshots`.

use chrono::{DateTime, Utc};
use sqlformat::{FormatOptions, Indent, QueryParams};
use std::sync::Arc;
use tally::metric::Metrics;
use tally::model::Zone;
use tally::parse::ast::Statement;
use tally::plan::{Aggregate, Context, plan};
use tally::sql::build;
use tally::store::dialect::{MARIADB, Sqlite};
use tally::store::{Dialect, Value};

fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .with_timezone(&Utc)
}

fn context(zone: &str) -> Context {
    let mut metrics = Metrics::new(None);
    metrics
        .define("rev_est", "minutes * 0.05 + sms * 0.02 + data_mb * 0.01")
        .unwrap();
    metrics
        .define(
            "heavy",
            "if data_mb > 500.0 && revenue > 1.0 { 1 } else { 0 }",
        )
        .unwrap();
    Context {
        zone: Zone::parse(zone).unwrap(),
        now: at("2026-11-25T12:00:00Z"),
        extent: Some((at("2026-10-01T00:00:00Z"), at("2026-11-25T11:00:00Z"))),
        metrics: Arc::new(metrics),
    }
}

/// One aggregate's SQL over several lines, then its parameters.
fn section(title: &str, agg: &Aggregate, d: &dyn Dialect) -> String {
    sql_section(title, build(agg, d))
}

/// One statement's SQL over several lines, then its parameters.
fn sql_section(title: &str, q: tally::sql::SqlQuery) -> String {
    assert_no_inline_values(&q.sql, &q.params);
    format!(
        "-- {title}\n{}\nparams: {:?}\n",
        over_several_lines(&q.sql),
        q.params
    )
}

/// The SQL laid out by `sqlformat`, one clause or select item a line, so a planner change shows
/// up as a readable diff of the lines it touched. The layout may only add or move whitespace:
/// that is checked, so every character of the SQL is in the snapshot.
fn over_several_lines(sql: &str) -> String {
    let options = FormatOptions {
        indent: Indent::Spaces(2),
        // Keep the builder's letter case: a change of case is a change of the SQL.
        uppercase: None,
        ..FormatOptions::default()
    };
    let formatted = sqlformat::format(sql, &QueryParams::None, &options);
    let bare = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    assert_eq!(
        bare(&formatted),
        bare(sql),
        "the layout changed more than whitespace:\n{sql}\n{formatted}"
    );
    formatted
}

/// User values travel as parameters: no date, time or key of the example lines in the SQL text,
/// and no parameter's text quoted in it either. The only quoted text allowed is the builder's
/// own constant conditions (`CASE WHEN direction = 'out' THEN`), which a bound `out` would match.
fn assert_no_inline_values(sql: &str, params: &[Value]) {
    let own = without_own_conditions(sql);
    let quoted = params
        .iter()
        .filter_map(Value::as_str)
        .map(|p| format!("'{p}'"));
    for needle in ["2026", "447700900123", ":30", ":15"]
        .map(String::from)
        .into_iter()
        .chain(quoted)
    {
        assert!(!own.contains(&needle), "`{needle}` written into SQL: {sql}");
    }
}

/// The SQL without the builder's own constant conditions (src/sql/parts.rs: the direction and
/// status columns of the raw parts and atoms), each cut out only in exactly that form. Any other
/// `CASE WHEN` (a metric's, or one holding a user's value) stays in and is checked.
fn without_own_conditions(sql: &str) -> String {
    let mut out = sql.to_string();
    for table in ["", "t."] {
        for cond in [
            "direction = 'out'",
            "direction = 'in'",
            "status = 'answered'",
        ] {
            out = out.replace(&format!("CASE WHEN {table}{cond} THEN "), "CASE WHEN THEN ");
        }
    }
    without_zone_changes(&out)
}

/// The SQL without the instants the zone changes its offset at (`WHEN t.hour < '2026-10-25
/// 01:00:00' THEN 3600`, src/sql/parts.rs `local`): they come from the zone's rules, not from
/// the user, and are cut out only where a time column is compared in exactly that form.
fn without_zone_changes(sql: &str) -> String {
    let mut out = sql.to_string();
    for column in ["t.hour", "t.day", "t.t_time", "t.start_time", "t.sent_at"] {
        let head = format!("WHEN {column} < '");
        while let Some(at) = out.find(&head) {
            let value_start = at + head.len();
            let value_end = value_start + "2026-10-25 01:00:00".len();
            let is_instant = out.get(value_start..value_end).is_some_and(|v| {
                chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S").is_ok()
            }) && out[value_end..].starts_with("' THEN ");
            assert!(is_instant, "not a zone change: {}", &out[at..]);
            out.replace_range(at..value_end + 1, "WHEN ZONE_CHANGE");
        }
    }
    out
}

/// Snapshots `line` planned in `zone`, once per dialect, as `<name>-mariadb` and `<name>-sqlite`.
fn check(name: &str, line: &str, zone: &str) {
    let query = match tally::parse::parse(line) {
        Ok(Statement::Query(q)) => q,
        other => panic!("{line}: {other:?}"),
    };
    let planned = plan(&query, &context(zone)).unwrap_or_else(|e| panic!("{}", e.render(line)));
    let dialects: [(&str, &dyn Dialect); 2] = [("mariadb", &MARIADB), ("sqlite", &Sqlite)];
    for (dialect, d) in dialects {
        let mut text = format!("query: {line}\nzone: {zone}\n\n");
        match (&planned.histogram, &planned.idle) {
            (_, Some(idle)) => text.push_str(&sql_section("idle", tally::sql::idle(idle, d))),
            (Some(h), _) => text.push_str(&sql_section(
                "histogram",
                tally::sql::histogram(&planned.main, h, d),
            )),
            _ => text.push_str(&section("main", &planned.main, d)),
        }
        if let Some(active) = &planned.active {
            text.push('\n');
            text.push_str(&section("active customers", active, d));
        }
        insta::assert_snapshot!(format!("{name}-{dialect}"), text);
    }
}

#[test]
fn summary() {
    check("summary", "summary", "UTC");
}

#[test]
fn summary_of_one_customer() {
    check("summary_customer", "summary 447700900123", "UTC");
}

#[test]
fn customers_last_30_days() {
    check("customers_last_30_days", "customers last 30 days", "UTC");
}

#[test]
fn peak_hours() {
    check(
        "peak_calls_last_7_days",
        "peak hours calls last 7 days",
        "UTC",
    );
    check("peak_sms_this_month", "peak hours sms this month", "UTC");
    check("peak_data_today", "peak hours data today", "UTC");
}

#[test]
fn peak_hours_in_other_zones() {
    let line = "peak hours calls last 7 days";
    check("peak_calls_last_7_days_london", line, "Europe/London");
    check("peak_calls_last_7_days_plus_0530", line, "+05:30");
}

#[test]
fn top_customers() {
    check(
        "top_10_by_minutes",
        "top 10 customers by minutes this month",
        "UTC",
    );
    check(
        "top_10_by_revenue",
        "top 10 customers by revenue this month",
        "UTC",
    );
}

/// A month's top 10 read from span 7 alone (its days' `customer_daily` part empty): the span's
/// rows are not grouped again, and the 10th value comes from a second read of them.
#[test]
fn top_customers_from_a_span_alone() {
    let query = match tally::parse::parse("top 10 customers by minutes this month") {
        Ok(Statement::Query(q)) => q,
        other => panic!("{other:?}"),
    };
    let mut agg = plan(&query, &context("UTC")).expect("a plan").main;
    assert_eq!(agg.parts.len(), 1);
    agg.parts[0].table = tally::plan::Table::CustomerSpan(7);
    let dialects: [(&str, &dyn Dialect); 2] = [("mariadb", &MARIADB), ("sqlite", &Sqlite)];
    for (dialect, d) in dialects {
        insta::assert_snapshot!(
            format!("top_10_by_minutes_from_a_span-{dialect}"),
            section("main", &agg, d)
        );
    }
}

#[test]
fn calls_filtered_per_day() {
    check(
        "calls_out_over_5m_per_day",
        "calls where direction = out and duration > 5m since 2026-11-01 per day show count, minutes, avg(duration)",
        "UTC",
    );
}

#[test]
fn trend_per_day() {
    check(
        "trend_minutes_per_day",
        "trend minutes per day last 30 days",
        "UTC",
    );
}

#[test]
fn usage_per_plan() {
    check(
        "usage_per_plan",
        "usage per plan show customers, revenue",
        "UTC",
    );
}

#[test]
fn summary_between_times() {
    check(
        "summary_since_until",
        "summary since '2026-11-10 07:30' until '2026-11-20 18:15'",
        "UTC",
    );
}

#[test]
fn metrics_pushed_down() {
    check(
        "top_10_by_pushed_metric",
        "top 10 customers by rev_est this month show minutes",
        "UTC",
    );
}

/// A value written into a `CASE WHEN` is caught too: only the builder's own constant conditions
/// are let through.
#[test]
#[should_panic(expected = "`'N-001'` written into SQL")]
fn a_value_inlined_in_a_case_condition_is_caught() {
    assert_no_inline_values(
        "SELECT SUM(CASE WHEN t.cell_id = 'N-001' THEN 1 ELSE 0 END) FROM calls t",
        &[Value::from("N-001")],
    );
}

#[test]
fn the_builders_own_conditions_are_not_taken_for_values() {
    assert_no_inline_values(
        "SELECT SUM(CASE WHEN t.direction = 'out' THEN 1 ELSE 0 END) FROM calls t WHERE t.direction = ?",
        &[Value::from("out")],
    );
}

#[test]
fn the_other_example_lines() {
    check(
        "data_down_over_100mb_per_region",
        "data where down > 100MB per region show count, data_mb",
        "UTC",
    );
    check(
        "sms_in_per_hour_yesterday",
        "sms where direction = in per hour show count yesterday",
        "UTC",
    );
    check(
        "calls_busy_or_unanswered_not_on_a_cell",
        "calls where status in (busy, no_answer) and not (cell = 'N-001') on 2026-11-20",
        "UTC",
    );
    check(
        "calls_between_1m_and_5m_top_3_weekdays",
        "calls where duration between 1m and 5m per weekday top 3",
        "UTC",
    );
    check(
        "usage_per_plan_region_sorted_by_revenue",
        "usage per plan, region show customers, revenue sort revenue",
        "UTC",
    );
    check(
        "usage_at_night_per_customer_top_10_london",
        "usage where hour >= 22 or hour < 6 per customer top 10",
        "Europe/London",
    );
    check(
        "calls_at_weekends_per_week_london",
        "calls where weekday in (sat, sun) per week show count, minutes",
        "Europe/London",
    );
    check("usage_per_daytype", "usage per daytype", "UTC");
    check(
        "calls_to_uk_numbers_per_day",
        "calls where other starts with '+44' and not cell like 'N-%' per day",
        "UTC",
    );
    check(
        "calls_per_day_percentiles",
        "calls per day show median(duration), p95(duration), count",
        "UTC",
    );
    check(
        "histogram_duration_of_outgoing_calls",
        "histogram duration calls where direction = out buckets 0, 30s, 1m, 5m, 30m",
        "UTC",
    );
    check(
        "idle_customers_calls_last_14_days",
        "idle customers calls last 14 days where plan = Basic",
        "UTC",
    );
}
