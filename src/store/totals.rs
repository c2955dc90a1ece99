//! Totals read from the rollups: the network summary and per-customer totals.

use super::rollup::Counters;
use super::schema::tables::COUNTERS;
use super::{Store, StoreError, Value};

/// Network or customer totals over all time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Sums of every usage counter.
    pub counters: Counters,
    /// Customers with at least one record.
    pub active_customers: i64,
}

fn sums(prefix: &str) -> String {
    COUNTERS
        .iter()
        .map(|c| format!("SUM({prefix}{c})"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// All-time network totals, from `network_hourly`; active customers from `customer_daily`,
    /// because a distinct count cannot be added up across hours.
    pub fn network_totals(&self) -> Result<Totals, StoreError> {
        self.read(|conn| {
            let rows = conn.query(&format!("SELECT {} FROM network_hourly", sums("")), &[])?;
            let counters = rows
                .rows
                .first()
                .map(|r| Counters::from_values(r))
                .unwrap_or_default();
            let active = conn
                .query(
                    "SELECT COUNT(DISTINCT customer_id) FROM customer_daily",
                    &[],
                )?
                .scalar()
                .and_then(Value::as_i64)
                .unwrap_or(0);
            Ok(Totals {
                counters,
                active_customers: active,
            })
        })
    }

    /// All-time totals per customer that has records, by subscriber key.
    pub fn customer_totals(&self) -> Result<Vec<(String, Counters)>, StoreError> {
        let sql = format!(
            "SELECT c.subscriber_key, {} FROM customer_daily d JOIN customers c ON c.id = d.customer_id \
             GROUP BY c.subscriber_key ORDER BY c.subscriber_key",
            sums("d.")
        );
        let rows = self.read(|conn| Ok(conn.query(&sql, &[])?))?;
        Ok(rows
            .rows
            .iter()
            .map(|r| (r[0].to_string(), Counters::from_values(&r[1..])))
            .collect())
    }
}
