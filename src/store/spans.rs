//! Spans: per-customer totals over a range of whole UTC days (`customer_spans`), summed from
//! `customer_daily` once and read by every later query over the same days. A span records the
//! sum of its days' versions (`day_versions`, raised by every write to a day) when it was built;
//! it answers only while that sum is unchanged, checked in the same snapshot as the query that
//! reads it. Writers never touch spans, so imports pay only the version bump.

use super::schema::tables::COUNTERS;
use super::{Conn, DbError, Store, StoreError, Value};
use crate::model::sql_time;

/// Spans kept: the few ranges people ask again and again (this month, last 30 days) stay;
/// older ones make room.
const KEPT: i64 = 8;

/// The stamp of a range asked about once: building a span costs about three times the query
/// it replaces (all 12 counters summed per customer), so a range gets one only when it is
/// asked a second time; a question asked once is answered from `customer_daily` as before.
const ASKED_ONCE: i64 = -1;

/// A range of UTC days, as `YYYY-MM-DD` texts, half-open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayRange {
    /// The first day.
    pub first: String,
    /// The day after the last.
    pub end: String,
}

impl Store {
    /// The id of a span over `days` that is current now, building or rebuilding it when it is
    /// stale or asked for the second time. None the first time `days` are asked about, or when
    /// this user may not write: the query then reads `customer_daily`.
    pub fn customer_span(&self, days: &DayRange) -> Result<Option<i64>, StoreError> {
        if let Some(id) = self.read(|conn| current_span(conn, days))? {
            return Ok(Some(id));
        }
        match self.write(|conn| build(conn, days)) {
            Ok(id) => Ok(id),
            Err(StoreError::Db(DbError::Denied(_))) => Ok(None),
            // Another process built the same span at the same moment: use it if current.
            Err(StoreError::Db(DbError::Duplicate(_))) => {
                self.read(|conn| current_span(conn, days))
            }
            Err(e) => Err(e),
        }
    }
}

/// The days' versions summed now.
fn stamp(conn: &mut dyn Conn, days: &DayRange) -> Result<i64, StoreError> {
    Ok(conn
        .query(
            "SELECT COALESCE(SUM(version), 0) FROM day_versions WHERE day >= ? AND day < ?",
            &[days.first.as_str().into(), days.end.as_str().into()],
        )?
        .scalar()
        .and_then(Value::as_i64)
        .unwrap_or(0))
}

/// The span over `days` if it is current in what `conn` sees. Run in the query's snapshot,
/// this is what makes reading the span exact.
pub fn current_span(conn: &mut dyn Conn, days: &DayRange) -> Result<Option<i64>, StoreError> {
    let rows = conn.query(
        "SELECT id, stamp FROM spans WHERE first_day = ? AND end_day = ?",
        &[days.first.as_str().into(), days.end.as_str().into()],
    )?;
    let Some(row) = rows.rows.first() else {
        return Ok(None);
    };
    let (id, built_at) = (row[0].as_i64(), row[1].as_i64());
    Ok(match (id, built_at) {
        (Some(id), Some(s)) if s == stamp(conn, days)? => Some(id),
        _ => None,
    })
}

/// Whether `customer_daily` holds a row in `days`: one probe of its primary key (day first).
/// Run in the query's snapshot, it lets a span answer alone when the days after it are empty.
pub fn days_hold_records(conn: &mut dyn Conn, days: &DayRange) -> Result<bool, StoreError> {
    let rows = conn.query(
        "SELECT 1 FROM customer_daily WHERE day >= ? AND day < ? LIMIT 1",
        &[days.first.as_str().into(), days.end.as_str().into()],
    )?;
    Ok(!rows.rows.is_empty())
}

/// Builds the span inside a write transaction, or notes that `days` were asked about once. The
/// stamp is read before the totals: a write committed in between makes the span look older
/// than it is (rebuilt next time), never newer.
fn build(conn: &mut dyn Conn, days: &DayRange) -> Result<Option<i64>, StoreError> {
    let range = [
        Value::from(days.first.as_str()),
        Value::from(days.end.as_str()),
    ];
    let now = stamp(conn, days)?;
    let existing = conn
        .query(
            "SELECT id, stamp FROM spans WHERE first_day = ? AND end_day = ?",
            &range,
        )?
        .rows
        .first()
        .map(|r| (r[0].as_i64(), r[1].as_i64()));
    let id = match existing {
        Some((Some(id), Some(s))) if s == now => return Ok(Some(id)),
        Some((Some(id), _)) => {
            conn.execute("DELETE FROM customer_spans WHERE span_id = ?", &[id.into()])?;
            conn.execute(
                "UPDATE spans SET stamp = ?, built_at = ? WHERE id = ?",
                &[now.into(), sql_time(chrono::Utc::now()).into(), id.into()],
            )?;
            id
        }
        _ => {
            let id = conn.insert(
                "INSERT INTO spans (first_day, end_day, stamp, built_at) VALUES (?, ?, ?, ?)",
                &[
                    range[0].clone(),
                    range[1].clone(),
                    ASKED_ONCE.into(),
                    sql_time(chrono::Utc::now()).into(),
                ],
            )?;
            evict(conn, id)?;
            return Ok(None);
        }
    };
    let sums: Vec<String> = COUNTERS.iter().map(|c| format!("SUM({c})")).collect();
    conn.execute(
        &format!(
            "INSERT INTO customer_spans (span_id, customer_id, {}) \
             SELECT ?, customer_id, {} FROM customer_daily WHERE day >= ? AND day < ? GROUP BY customer_id",
            COUNTERS.join(", "),
            sums.join(", ")
        ),
        &[id.into(), range[0].clone(), range[1].clone()],
    )?;
    evict(conn, id)?;
    Ok(Some(id))
}

/// Deletes all but the newest spans. A query reading one of them in its snapshot still sees it.
fn evict(conn: &mut dyn Conn, keep: i64) -> Result<(), StoreError> {
    let old: Vec<i64> = conn
        .query("SELECT id FROM spans ORDER BY built_at DESC, id DESC", &[])?
        .rows
        .iter()
        .skip(usize::try_from(KEPT).unwrap_or(8))
        .filter_map(|r| r[0].as_i64())
        .filter(|id| *id != keep)
        .collect();
    for id in old {
        conn.execute("DELETE FROM customer_spans WHERE span_id = ?", &[id.into()])?;
        conn.execute("DELETE FROM spans WHERE id = ?", &[id.into()])?;
    }
    Ok(())
}
