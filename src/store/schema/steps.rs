//! The steps that bring an older database up to date, and the table rebuild they share: the new
//! table is made beside the old one, filled from it, and put in its place, so that the same
//! statements work on both backends and a step cut short completes when it runs again.

use super::tables::{self, KPI_COUNTERS, Table};
use crate::store::dialect::ColumnType;
use crate::store::{Conn, DbError, Dialect, StoreError, Value};
use chrono::Utc;

/// Version 2: foreign keys from records to customers, ids that are never reused, text compared
/// without padding, prices to 6 decimals. Records left without their customer by tally 0.1
/// (a delete racing an import) are kept: each missing customer comes back as a closed
/// customer `orphan-ID`, so no row is lost and the foreign keys hold.
pub fn v2_keys_and_collation(conn: &mut dyn Conn, d: &dyn Dialect) -> Result<(), StoreError> {
    // The tables are rebuilt as they are declared now, with version 6's narrower types.
    check_narrowed_values(conn)?;
    adopt_orphans(conn)?;
    name_empty_keys(conn)?;
    for table in [
        tables::plans(),
        tables::customers(),
        tables::calls(),
        tables::sms(),
        tables::data_sessions(),
    ] {
        rebuild(conn, d, &table)?;
    }
    check_foreign_keys(conn)
}

/// Version 3: the active-customer bitmaps, built from `customer_daily`.
pub fn v3_active_bitmaps(conn: &mut dyn Conn, d: &dyn Dialect) -> Result<(), StoreError> {
    let table = tables::active_daily();
    conn.execute(&table.create_sql(d), &[])?;
    crate::store::active::rebuild(conn, d)
}

/// Version 4: the span tables, and a version for every day that has records.
pub fn v4_spans(conn: &mut dyn Conn, d: &dyn Dialect) -> Result<(), StoreError> {
    for table in [
        tables::day_versions(),
        tables::spans(),
        tables::customer_spans(),
    ] {
        conn.execute(&table.create_sql(d), &[])?;
        for index in table.index_sql() {
            conn.execute(&index, &[])?;
        }
    }
    conn.execute(
        "INSERT INTO day_versions (day, version) SELECT DISTINCT day, 1 FROM customer_daily",
        &[],
    )?;
    Ok(())
}

/// Schema 5: the country of every number stored, for `per country` and `where international`.
pub fn v5_number_countries(conn: &mut dyn Conn, d: &dyn Dialect) -> Result<(), StoreError> {
    conn.execute(&tables::number_countries().create_sql(d), &[])?;
    crate::store::countries::backfill(conn, d)
}

/// Version 6: compact records. Directions, call statuses and account statuses become one-byte
/// enumerations and durations 3-byte integers on MySQL (SQLite stores them as it did).
pub fn v6_compact_records(conn: &mut dyn Conn, d: &dyn Dialect) -> Result<(), StoreError> {
    check_narrowed_values(conn)?;
    for table in narrowed_tables() {
        let columns: Vec<String> = table
            .columns
            .iter()
            .filter(|c| is_narrowed(c.ty))
            .map(|c| table.column_sql(c, d))
            .collect();
        if let Some(sql) = d.retype_columns(table.name, &columns) {
            conn.execute(&sql, &[])?;
        }
    }
    Ok(())
}

/// Version 7: the rollups' KPI counters (busy, unanswered, answered seconds), filled from the
/// raw calls. Spans are dropped rather than filled: they are rebuilt when next asked for.
/// Every statement can run again after a crash (MySQL commits each `ALTER` at once): a column
/// already there is not added twice, and the counters are set to zero before they are summed.
pub fn v7_kpi_counters(conn: &mut dyn Conn, d: &dyn Dialect) -> Result<(), StoreError> {
    conn.execute("DELETE FROM customer_spans", &[])?;
    conn.execute("DELETE FROM spans", &[])?;
    for table in [
        tables::network_hourly(),
        tables::customer_daily(),
        tables::customer_spans(),
    ] {
        let there = conn
            .query(&format!("SELECT * FROM {} LIMIT 0", table.name), &[])?
            .columns;
        let missing = table
            .columns
            .iter()
            .filter(|c| KPI_COUNTERS.contains(&c.name) && !there.iter().any(|t| t == c.name));
        for column in missing {
            conn.execute(
                &format!(
                    "ALTER TABLE {} ADD COLUMN {}",
                    table.name,
                    table.column_sql(column, d)
                ),
                &[],
            )?;
        }
    }
    let zeroed: Vec<String> = KPI_COUNTERS.iter().map(|c| format!("{c} = 0")).collect();
    let sums = "SUM(CASE WHEN status = 'busy' THEN 1 ELSE 0 END) AS calls_busy, \
                SUM(CASE WHEN status = 'no_answer' THEN 1 ELSE 0 END) AS calls_no_answer, \
                SUM(CASE WHEN status = 'answered' THEN duration_s ELSE 0 END) AS seconds_answered";
    let hour = d.hour_key_of("start_time");
    let day = d.date_of("start_time");
    let fills = [
        (
            "network_hourly",
            &["hour"][..],
            format!("(SELECT {hour} AS hour, {sums} FROM calls GROUP BY {hour}) k"),
        ),
        (
            "customer_daily",
            &["day", "customer_id"][..],
            format!(
                "(SELECT {day} AS day, customer_id, {sums} FROM calls GROUP BY {day}, customer_id) k"
            ),
        ),
    ];
    for (table, keys, source) in fills {
        conn.execute(&format!("UPDATE {table} SET {}", zeroed.join(", ")), &[])?;
        conn.execute(
            &crate::store::dialect::upsert_add_from(d, table, keys, &KPI_COUNTERS, &source),
            &[],
        )?;
    }
    Ok(())
}

/// Version 8: plan history and account closing. Every customer gets one period over all time
/// with the plan it has; `closed_at` is added, empty: when a closed account closed is not
/// known, and fees take it to be its last record (`sql::fee_periods`). Each statement can run
/// again.
pub fn v8_plan_history(conn: &mut dyn Conn, d: &dyn Dialect) -> Result<(), StoreError> {
    let periods = tables::plan_periods();
    conn.execute(&periods.create_sql(d), &[])?;
    let customers = tables::customers();
    let there = conn.query("SELECT * FROM customers LIMIT 0", &[])?.columns;
    if !there.iter().any(|c| c == "closed_at") {
        let column = customers
            .columns
            .iter()
            .find(|c| c.name == "closed_at")
            .map(|c| customers.column_sql(c, d))
            .unwrap_or_default();
        conn.execute(&format!("ALTER TABLE customers ADD COLUMN {column}"), &[])?;
    }
    conn.execute(
        "INSERT INTO plan_periods (customer_id, valid_from, valid_until, plan_id) \
         SELECT c.id, ?, ?, c.plan_id FROM customers c \
         WHERE NOT EXISTS (SELECT 1 FROM plan_periods p WHERE p.customer_id = c.id)",
        &[
            crate::store::SINCE_ALWAYS.into(),
            crate::store::UNTIL_FURTHER.into(),
        ],
    )?;
    Ok(())
}

/// The tables with a column whose type version 6 narrowed.
fn narrowed_tables() -> [Table; 4] {
    [
        tables::customers(),
        tables::calls(),
        tables::sms(),
        tables::data_sessions(),
    ]
}

fn is_narrowed(ty: ColumnType) -> bool {
    matches!(ty, ColumnType::Enum(_) | ColumnType::Seconds)
}

/// Refuses, before anything changes, a database holding a value the narrower types cannot
/// keep (only rows written around tally can): MySQL would stop half way through, SQLite would
/// keep answering with a value tally never stores. Names the table, the column and the value.
fn check_narrowed_values(conn: &mut dyn Conn) -> Result<(), StoreError> {
    for table in narrowed_tables() {
        for column in table.columns.iter().filter(|c| is_narrowed(c.ty)) {
            if let Some(problem) = unstorable(conn, table.name, column.name, column.ty)? {
                return Err(StoreError::Refused(format!(
                    "cannot migrate to schema version 6: {}.{} {problem}; correct or delete those rows with SQL, then run `tally migrate` again",
                    table.name, column.name
                )));
            }
        }
    }
    Ok(())
}

/// The first value of `table.column` that `ty` cannot hold, described, if there is one.
fn unstorable(
    conn: &mut dyn Conn,
    table: &str,
    column: &str,
    ty: ColumnType,
) -> Result<Option<String>, StoreError> {
    let (condition, params, allowed): (String, Vec<Value>, String) = match ty {
        ColumnType::Enum(words) => (
            format!("{column} NOT IN ({})", vec!["?"; words.len()].join(", ")),
            words.iter().map(|w| Value::from(*w)).collect(),
            format!("tally stores only {}", words.join(", ")),
        ),
        _ => (
            format!("({column} < 0 OR {column} > 86400)"),
            Vec::new(),
            "a record lasts 0 to 86400 seconds".to_string(),
        ),
    };
    let sql = format!(
        "SELECT {column}, COUNT(*) FROM {table} WHERE {condition} GROUP BY {column} ORDER BY {column}"
    );
    let rows = conn.query(&sql, &params)?;
    let Some(first) = rows.rows.first() else {
        return Ok(None);
    };
    let count = first.get(1).and_then(Value::as_i64).unwrap_or(0);
    let value = match first.first() {
        Some(Value::Text(t)) => format!("{t:?}"),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    Ok(Some(format!(
        "holds {value} in {count} row(s) ({} distinct such values); {allowed}",
        rows.rows.len()
    )))
}

/// Customers that records (or rollup rows) refer to but that no longer exist.
fn orphans(conn: &mut dyn Conn) -> Result<Vec<i64>, StoreError> {
    let mut ids = Vec::new();
    for table in ["calls", "sms", "data_sessions", "customer_daily"] {
        let rows = conn.query(
            &format!(
                "SELECT DISTINCT customer_id FROM {table} \
                 WHERE customer_id NOT IN (SELECT id FROM customers) ORDER BY customer_id"
            ),
            &[],
        )?;
        ids.extend(rows.rows.iter().filter_map(|r| r[0].as_i64()));
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

fn adopt_orphans(conn: &mut dyn Conn) -> Result<(), StoreError> {
    let now = crate::model::sql_time(Utc::now());
    for id in orphans(conn)? {
        let key = free_key(conn, &format!("orphan-{id}"))?;
        conn.execute(
            "INSERT INTO customers (id, subscriber_key, status, created_at) VALUES (?, ?, 'closed', ?)",
            &[id.into(), key.into(), now.clone().into()],
        )?;
    }
    Ok(())
}

/// `wanted`, or `wanted-2`, `wanted-3`, ... when a customer has that key already.
fn free_key(conn: &mut dyn Conn, wanted: &str) -> Result<String, StoreError> {
    let mut candidate = wanted.to_string();
    for n in 2.. {
        let taken = conn.query(
            "SELECT 1 FROM customers WHERE subscriber_key = ?",
            &[candidate.as_str().into()],
        )?;
        if taken.rows.is_empty() {
            break;
        }
        candidate = format!("{wanted}-{n}");
    }
    Ok(candidate)
}

/// Keys are never empty now (a CHECK says so); an empty one stored earlier gets a name.
fn name_empty_keys(conn: &mut dyn Conn) -> Result<(), StoreError> {
    let rows = conn.query("SELECT id FROM customers WHERE subscriber_key = ''", &[])?;
    for id in rows.rows.iter().filter_map(|r| r[0].as_i64()) {
        let key = free_key(conn, &format!("empty-key-{id}"))?;
        conn.execute(
            "UPDATE customers SET subscriber_key = ? WHERE id = ?",
            &[key.into(), id.into()],
        )?;
    }
    Ok(())
}

fn exists(conn: &mut dyn Conn, d: &dyn Dialect, table: &str) -> Result<bool, StoreError> {
    Ok(!conn
        .query(d.table_exists(), &[table.into()])?
        .rows
        .is_empty())
}

/// Replaces `table` by its current definition, keeping every row and id.
pub fn rebuild(conn: &mut dyn Conn, d: &dyn Dialect, table: &Table) -> Result<(), StoreError> {
    let new = format!("tally_new_{}", table.name);
    let (old_there, new_there) = (exists(conn, d, table.name)?, exists(conn, d, &new)?);
    if old_there {
        if new_there {
            // A copy cut short: start it again.
            conn.execute(&format!("DROP TABLE {new}"), &[])?;
        }
        conn.execute(&table.create_sql_named(d, &new), &[])?;
        // Columns a later version added are left to it (they have defaults or allow NULL).
        let old = conn
            .query(&format!("SELECT * FROM {} LIMIT 0", table.name), &[])?
            .columns;
        let columns = table
            .column_names()
            .into_iter()
            .filter(|c| old.iter().any(|o| o == c))
            .collect::<Vec<_>>()
            .join(", ");
        conn.execute(
            &format!(
                "INSERT INTO {new} ({columns}) SELECT {columns} FROM {}",
                table.name
            ),
            &[],
        )?;
        conn.execute(&format!("DROP TABLE {}", table.name), &[])?;
    } else if !new_there {
        return Err(StoreError::Db(DbError::Sql(
            format!("cannot migrate: the table {} is missing", table.name).into(),
        )));
    }
    conn.execute(&d.rename_table(&new, table.name), &[])?;
    for index in table.index_sql() {
        conn.execute(&index, &[])?;
    }
    Ok(())
}

/// SQLite builds the tables with its checks off: confirm that every record has its customer.
/// (MySQL checked each row as it was copied.)
fn check_foreign_keys(conn: &mut dyn Conn) -> Result<(), StoreError> {
    for table in ["calls", "sms", "data_sessions"] {
        let left: Vec<Value> = conn
            .query(
                &format!(
                    "SELECT COUNT(*) FROM {table} WHERE customer_id NOT IN (SELECT id FROM customers)"
                ),
                &[],
            )?
            .rows
            .into_iter()
            .flatten()
            .collect();
        if left.first().and_then(Value::as_i64).unwrap_or(0) > 0 {
            return Err(StoreError::Db(DbError::Sql(
                format!("cannot migrate: {table} still has records without a customer").into(),
            )));
        }
    }
    Ok(())
}
