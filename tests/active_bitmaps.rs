//! The active-customer bitmaps (`active_daily`) under attack: customer ids past 32 bits, records
//! moved between days and customers, a damaged bitmap. Each count is checked against
//! hand-written SQL over the raw tables, on both backends.

mod common;

use common::{BACKENDS, Backend, TestDb, raw};
use tally::model::{InputContext, Record, RecordKind, Zone};
use tally::query::{Answer, QueryError, run};
use tally::store::{RecordChanges, Store, Value};

fn customers(store: &Store, query: &str) -> Result<i64, QueryError> {
    match run(store, query, &Zone::utc(), common::test_now())? {
        Answer::Table(rs) => {
            let at = rs.column_index("customers").expect("a customers column");
            Ok(rs.rows[0][at].as_i64().expect("a count"))
        }
        other => panic!("{query}: {other:?}"),
    }
}

fn by_hand(store: &Store, from: &str, to: &str) -> i64 {
    store
        .read(|c| {
            Ok(c.query(
                "SELECT COUNT(DISTINCT customer_id) FROM calls WHERE start_time >= ? AND start_time < ?",
                &[from.into(), to.into()],
            )?)
        })
        .unwrap()
        .scalar()
        .and_then(Value::as_i64)
        .unwrap()
}

fn call(customer: &str, at: &str, key: &str) -> Record {
    common::call(customer, at, 60, key)
}

fn setup(backend: Backend) -> (TestDb, Store) {
    let db = TestDb::new(backend);
    let store = db.open();
    // Ids past 2^32: a 32-bit bitmap would wrap them onto small ids and merge customers.
    for (id, key) in [(1_i64, "a"), (4_294_967_297, "b"), (8_589_934_593, "c")] {
        store
            .read(|c| {
                Ok(c.execute(
                    "INSERT INTO customers (id, subscriber_key, status, created_at) VALUES (?, ?, 'active', '2026-11-01 00:00:00')",
                    &[id.into(), key.into()],
                )?)
            })
            .unwrap();
    }
    (db, store)
}

const WEEK: &str = "calls between 2026-11-16 and 2026-11-23 show count, customers";

#[test]
fn ids_past_32_bits_count_as_different_customers() {
    for backend in BACKENDS {
        let (_db, store) = setup(backend);
        let batch = [
            call("a", "2026-11-17 10:00", "k1"),
            call("b", "2026-11-17 11:00", "k2"),
            call("c", "2026-11-18 12:00", "k3"),
        ];
        store.insert_batch(&batch, false).unwrap();
        let want = by_hand(&store, "2026-11-16 00:00:00", "2026-11-23 00:00:00");
        assert_eq!(want, 3);
        assert_eq!(customers(&store, WEEK).unwrap(), want, "{backend:?}");
        raw::assert_rollups_exact(&store);
    }
}

#[test]
fn moving_and_deleting_records_keeps_the_bitmaps_exact() {
    for backend in BACKENDS {
        let (_db, store) = setup(backend);
        let batch = [
            call("a", "2026-11-17 10:00", "k1"),
            call("a", "2026-11-17 18:00", "k2"),
            call("b", "2026-11-17 11:00", "k3"),
        ];
        store.insert_batch(&batch, false).unwrap();
        let id = |key: &str| {
            store
                .read(|c| Ok(c.query("SELECT id FROM calls WHERE source_key = ?", &[key.into()])?))
                .unwrap()
                .scalar()
                .and_then(Value::as_i64)
                .unwrap()
        };
        let ctx = InputContext {
            zone: Zone::utc(),
            now: common::test_now(),
        };
        // One of a's two calls moves to another day: a stays active on the 17th.
        let moved = RecordChanges {
            at: Some("2026-11-19 09:00".into()),
            ..Default::default()
        };
        store
            .update_record(RecordKind::Call, id("k1"), &moved, &ctx)
            .unwrap();
        raw::assert_rollups_exact(&store);
        // b's only call moves to customer c: b leaves the 17th, c joins it.
        let to_c = RecordChanges {
            customer: Some("c".into()),
            ..Default::default()
        };
        store
            .update_record(RecordKind::Call, id("k3"), &to_c, &ctx)
            .unwrap();
        raw::assert_rollups_exact(&store);
        store.delete_record(RecordKind::Call, id("k2")).unwrap();
        raw::assert_rollups_exact(&store);
        for query in [
            "calls on 2026-11-17 show count, customers",
            "calls on 2026-11-19 show count, customers",
            WEEK,
        ] {
            let got = customers(&store, query).unwrap();
            let want = match query {
                q if q.contains("11-17") => {
                    by_hand(&store, "2026-11-17 00:00:00", "2026-11-18 00:00:00")
                }
                q if q.contains("11-19") => {
                    by_hand(&store, "2026-11-19 00:00:00", "2026-11-20 00:00:00")
                }
                _ => by_hand(&store, "2026-11-16 00:00:00", "2026-11-23 00:00:00"),
            };
            assert_eq!(got, want, "{backend:?}: {query}");
        }
        // Nothing is left on the 17th but c's call: one customer.
        assert_eq!(
            customers(&store, "calls on 2026-11-17 show customers").unwrap(),
            1
        );
    }
}

#[test]
fn a_damaged_bitmap_is_an_error_never_a_count() {
    for backend in BACKENDS {
        let (_db, store) = setup(backend);
        store
            .insert_batch(&[call("a", "2026-11-17 10:00", "k1")], false)
            .unwrap();
        store
            .read(|c| {
                Ok(c.execute(
                    "UPDATE active_daily SET customers = ?",
                    &[Value::Bytes(vec![0x3a, 0x30, 0xff])],
                )?)
            })
            .unwrap();
        let e = customers(&store, WEEK).expect_err("a damaged bitmap must not count");
        assert!(
            e.to_string().contains("active_daily"),
            "{backend:?}: the error names the table: {e}"
        );
    }
}
