//! A top N whose Nth place is shared: the database ranks groups by the measure before joining
//! customers for their keys, and every group tied at the Nth place must still be considered, so
//! that the key breaks the tie exactly as the final ORDER BY says (smallest key first).

mod common;

use common::{BACKENDS, TestDb};
use tally::model::{Record, Zone};
use tally::query::{Answer, run};
use tally::store::{Store, Value};

fn keys(store: &Store, query: &str) -> Vec<String> {
    match run(store, query, &Zone::utc(), common::test_now()) {
        Ok(Answer::Table(rs)) => rs.rows.iter().map(|r| r[0].to_string()).collect(),
        other => panic!("{query}: {other:?}"),
    }
}

#[test]
fn ties_at_the_nth_place_are_broken_by_the_key_on_both_backends() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let store = db.open();
        // Inserted in an order unlike the keys', so no accident of storage order helps.
        let minutes = [
            ("e", 300),
            ("a", 100),
            ("d", 300),
            ("f", 50),
            ("c", 300),
            ("b", 300),
        ];
        let batch: Vec<Record> = minutes
            .iter()
            .enumerate()
            .map(|(i, (who, s))| common::call(who, "2026-11-10 10:00", *s, &format!("k{i}")))
            .collect();
        store.insert_batch(&batch, true).unwrap();
        let range = "between 2026-11-01 and 2026-11-20";
        assert_eq!(
            keys(&store, &format!("top 3 customers by minutes {range}")),
            ["b", "c", "d"],
            "{backend:?}"
        );
        assert_eq!(
            keys(&store, &format!("top 5 customers by minutes {range}")),
            ["b", "c", "d", "e", "a"],
            "{backend:?}"
        );
        assert_eq!(
            keys(
                &store,
                &format!("calls per customer {range} sort minutes asc top 2")
            ),
            ["f", "a"],
            "{backend:?}"
        );
        let all: i64 = store
            .read(|c| Ok(c.query("SELECT COUNT(*) FROM calls", &[])?))
            .unwrap()
            .scalar()
            .and_then(Value::as_i64)
            .unwrap();
        assert_eq!(all, 6);
    }
}
