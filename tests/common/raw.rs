//! Hand-written aggregates over the raw tables, to check the rollups against. Written here, per
//! dialect, without the store's rollup code, so a bug there cannot hide itself.

use tally::store::{Store, Value};

fn hour_expr(dialect: &str, col: &str) -> String {
    match dialect {
        "mysql" => format!("DATE_FORMAT({col}, '%Y-%m-%d %H:00:00')"),
        _ => format!("strftime('%Y-%m-%d %H:00:00', {col})"),
    }
}

fn day_expr(dialect: &str, col: &str) -> String {
    match dialect {
        "mysql" => format!("DATE_FORMAT({col}, '%Y-%m-%d')"),
        _ => format!("strftime('%Y-%m-%d', {col})"),
    }
}

/// One row per raw record with the 15 counters, keyed by `key(time column)`.
fn union(key: &dyn Fn(&str) -> String) -> String {
    format!(
        "SELECT {c} AS k, customer_id, 1 AS records, \
           CASE WHEN direction = 'out' THEN 1 ELSE 0 END AS calls_out, \
           CASE WHEN direction = 'in' THEN 1 ELSE 0 END AS calls_in, \
           CASE WHEN status = 'answered' THEN 1 ELSE 0 END AS calls_answered, \
           CASE WHEN direction = 'out' THEN duration_s ELSE 0 END AS seconds_out, \
           CASE WHEN direction = 'in' THEN duration_s ELSE 0 END AS seconds_in, \
           0 AS sms_out, 0 AS sms_in, 0 AS data_sessions, 0 AS data_seconds, 0 AS bytes_up, 0 AS bytes_down, \
           CASE WHEN status = 'busy' THEN 1 ELSE 0 END AS calls_busy, \
           CASE WHEN status = 'no_answer' THEN 1 ELSE 0 END AS calls_no_answer, \
           CASE WHEN status = 'answered' THEN duration_s ELSE 0 END AS seconds_answered \
         FROM calls \
         UNION ALL SELECT {s}, customer_id, 1, 0, 0, 0, 0, 0, \
           CASE WHEN direction = 'out' THEN 1 ELSE 0 END, CASE WHEN direction = 'in' THEN 1 ELSE 0 END, \
           0, 0, 0, 0, 0, 0, 0 FROM sms \
         UNION ALL SELECT {d}, customer_id, 1, 0, 0, 0, 0, 0, 0, 0, 1, duration_s, bytes_up, bytes_down, 0, 0, 0 \
         FROM data_sessions",
        c = key("start_time"),
        s = key("sent_at"),
        d = key("start_time"),
    )
}

const SUMS: &str = "SUM(records), SUM(calls_out), SUM(calls_in), SUM(calls_answered), SUM(seconds_out), \
    SUM(seconds_in), SUM(sms_out), SUM(sms_in), SUM(data_sessions), SUM(data_seconds), SUM(bytes_up), SUM(bytes_down), \
    SUM(calls_busy), SUM(calls_no_answer), SUM(seconds_answered)";

const COLUMNS: &str = "records, calls_out, calls_in, calls_answered, seconds_out, seconds_in, sms_out, sms_in, \
    data_sessions, data_seconds, bytes_up, bytes_down, calls_busy, calls_no_answer, seconds_answered";

fn query(store: &Store, sql: &str) -> Vec<Vec<String>> {
    let rows = store.read(|conn| Ok(conn.query(sql, &[])?)).expect(sql);
    rows.rows
        .into_iter()
        .map(|r| r.iter().map(Value::to_string).collect())
        .collect()
}

/// (from raw rows, from the rollup) for network × hour.
pub fn hourly(store: &Store) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let d = store.dialect().name();
    let raw = format!(
        "SELECT k, {SUMS} FROM ({}) u GROUP BY k ORDER BY k",
        union(&|c| hour_expr(d, c))
    );
    let rollup = format!("SELECT hour, {COLUMNS} FROM network_hourly ORDER BY hour");
    (query(store, &raw), query(store, &rollup))
}

/// (from raw rows, from the rollup) for customer × day.
pub fn daily(store: &Store) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let d = store.dialect().name();
    let raw = format!(
        "SELECT customer_id, k, {SUMS} FROM ({}) u GROUP BY customer_id, k ORDER BY customer_id, k",
        union(&|c| day_expr(d, c))
    );
    let rollup =
        format!("SELECT customer_id, day, {COLUMNS} FROM customer_daily ORDER BY customer_id, day");
    (query(store, &raw), query(store, &rollup))
}

/// Panics with the first difference when a rollup differs from its raw aggregate.
pub fn assert_rollups_exact(store: &Store) {
    let (raw, rollup) = hourly(store);
    assert_eq!(raw, rollup, "network_hourly differs from the raw rows");
    let (raw, rollup) = daily(store);
    assert_eq!(raw, rollup, "customer_daily differs from the raw rows");
    let (raw, bitmaps) = active(store);
    assert_eq!(raw, bitmaps, "active_daily differs from the raw rows");
}

/// (from raw rows, from the `active_daily` bitmaps): for each day and kind with records, the
/// sorted ids of the customers with such a record that day.
pub fn active(store: &Store) -> (ActiveSets, ActiveSets) {
    let d = store.dialect().name();
    let mut raw = ActiveSets::new();
    for (table, time) in [
        ("calls", "start_time"),
        ("sms", "sent_at"),
        ("data_sessions", "start_time"),
    ] {
        let sql = format!(
            "SELECT DISTINCT {day}, customer_id FROM {table}",
            day = day_expr(d, time)
        );
        for row in query(store, &sql) {
            let id: u64 = row[1].parse().expect("a customer id");
            raw.entry((row[0].clone(), table.to_string()))
                .or_default()
                .insert(id);
        }
    }
    let stored_rows = store
        .read(|c| Ok(c.query("SELECT day, kind, customers FROM active_daily", &[])?))
        .expect("active_daily");
    let mut stored = ActiveSets::new();
    for row in stored_rows.rows {
        let bytes = row[2].as_bytes().expect("a bitmap is a BLOB");
        let bitmap = roaring::RoaringTreemap::deserialize_from(bytes).expect("a valid bitmap");
        stored.insert(
            (row[0].to_string(), row[1].to_string()),
            bitmap.iter().collect(),
        );
    }
    (raw, stored)
}

/// Customer ids by (day, kind).
pub type ActiveSets = std::collections::BTreeMap<(String, String), std::collections::BTreeSet<u64>>;

/// Per-customer totals straight from the raw tables: key, calls, seconds, sms, sessions, bytes.
pub fn customer_totals(store: &Store) -> Vec<Vec<String>> {
    query(
        store,
        "SELECT c.subscriber_key, \
           (SELECT COUNT(*) FROM calls x WHERE x.customer_id = c.id), \
           (SELECT COALESCE(SUM(duration_s), 0) FROM calls x WHERE x.customer_id = c.id), \
           (SELECT COUNT(*) FROM sms x WHERE x.customer_id = c.id), \
           (SELECT COUNT(*) FROM data_sessions x WHERE x.customer_id = c.id), \
           (SELECT COALESCE(SUM(bytes_up + bytes_down), 0) FROM data_sessions x WHERE x.customer_id = c.id) \
         FROM customers c ORDER BY c.subscriber_key",
    )
}

/// Fills both rollups from the raw rows by hand-written SQL (for databases built by hand, such
/// as one made with an old schema's DDL).
pub fn rebuild_rollups(store: &Store) {
    let d = store.dialect().name();
    // A schema older than 7 has no KPI counters: fill the columns the tables have.
    let has_kpis = store
        .read(|c| Ok(c.query("SELECT * FROM network_hourly LIMIT 0", &[])?))
        .expect("network_hourly")
        .columns
        .iter()
        .any(|c| c == "calls_busy");
    let kept = if has_kpis { 15 } else { 12 };
    let columns = COLUMNS
        .split(", ")
        .take(kept)
        .collect::<Vec<_>>()
        .join(", ");
    let sums = columns
        .split(", ")
        .map(|c| format!("SUM({c})"))
        .collect::<Vec<_>>()
        .join(", ");
    let statements = [
        "DELETE FROM network_hourly".to_string(),
        "DELETE FROM customer_daily".to_string(),
        format!(
            "INSERT INTO network_hourly (hour, {columns}) SELECT k, {sums} FROM ({}) u GROUP BY k",
            union(&|c| hour_expr(d, c))
        ),
        format!(
            "INSERT INTO customer_daily (day, customer_id, {columns}) SELECT k, customer_id, {sums} FROM ({}) u GROUP BY k, customer_id",
            union(&|c| day_expr(d, c))
        ),
    ];
    for sql in statements {
        store
            .read(|c| Ok(c.execute(&sql, &[])?))
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}
