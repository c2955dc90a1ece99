//! Deleting a customer with its records: the customer's row locked first, its records taken
//! out of the rollups, then the customer.

use super::DeleteCounts;
use super::read::load_customer_records;
use crate::model::SubscriberKey;
use crate::store::rollup::Deltas;
use crate::store::{Store, StoreError, Value};

impl Store {
    /// Deletes a customer. One with records is refused unless `cascade`, which deletes the
    /// records too and takes them out of the rollups.
    pub fn delete_customer(
        &self,
        key: &SubscriberKey,
        cascade: bool,
    ) -> Result<DeleteCounts, StoreError> {
        let dialect = self.dialect();
        self.write(|conn| {
            // The customer's row is locked first: a record being stored for it (which takes a
            // shared lock on it through the foreign key) finishes before, and none can start
            // after, so the records read here are all there are.
            let id = conn
                .query(
                    &format!(
                        "SELECT id FROM customers WHERE subscriber_key = ?{}",
                        dialect.lock_rows()
                    ),
                    &[key.as_str().into()],
                )?
                .scalar()
                .and_then(Value::as_i64)
                .ok_or_else(|| StoreError::NotFound(format!("no customer {key}")))?;
            // Its records are read locked too: a correction or deletion of one of them running
            // now finishes first, and what is read here is what the DELETE below removes.
            let records = load_customer_records(conn, id, dialect.lock_rows())?;
            let counts = DeleteCounts::of(&records);
            if counts.total() > 0 && !cascade {
                return Err(StoreError::Refused(format!(
                    "customer {key} has {counts}; pass --cascade to delete them with the customer"
                )));
            }
            let mut deltas = Deltas::default();
            for record in &records {
                deltas.add(id, record, -1);
            }
            for table in ["calls", "sms", "data_sessions"] {
                conn.execute(
                    &format!("DELETE FROM {table} WHERE customer_id = ?"),
                    &[id.into()],
                )?;
            }
            deltas.apply(conn, dialect)?;
            conn.execute(
                "DELETE FROM plan_periods WHERE customer_id = ?",
                &[id.into()],
            )?;
            conn.execute("DELETE FROM customers WHERE id = ?", &[id.into()])?;
            Ok(counts)
        })
    }
}
