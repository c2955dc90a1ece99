//! The other party's country (`per country`, `where country …`) and `where international`, on
//! both backends: countries of numbers written here by hand, counts against hand-written SQL,
//! and "international" as a customer of one country calling another.

mod common;

use common::{BACKENDS, TestDb};
use tally::model::{CallInput, InputContext, Record, Zone};
use tally::store::Store;

/// (customer, other party as written, the other party's country by hand)
const CALLS: [(&str, &str, &str); 9] = [
    ("+44 7700 900001", "+1 202 555 0123", "US"),
    ("+44 7700 900001", "+33 6 12 34 56 78", "FR"),
    ("+44 7700 900001", "+49 151 23456789", "DE"),
    ("+44 7700 900001", "+44 7700 900123", "GB"),
    ("+44 7700 900001", "+81 90 1234 5678", "JP"),
    ("+44 7700 900001", "+800 1234 0000", "unknown"),
    ("+33 6 98 76 54 32", "+44 7700 900123", "GB"),
    ("+33 6 98 76 54 32", "+33 6 12 34 56 78", "FR"),
    ("alice", "+1 202 555 0123", "US"),
];

fn load(store: &Store) {
    let ctx = InputContext::new(Zone::utc());
    let records: Vec<Record> = CALLS
        .iter()
        .enumerate()
        .map(|(i, (customer, other, _))| {
            let call = CallInput {
                customer: (*customer).into(),
                direction: "out".into(),
                other: (*other).into(),
                at: Some(format!("2026-11-10 10:{i:02}")),
                duration: Some(format!("{}", 60 * (i + 1))),
                status: Some("answered".into()),
                cell: None,
                source_key: Some(format!("c{i}")),
            };
            Record::Call(call.validate(&ctx).expect("a valid call"))
        })
        .collect();
    store.insert_batch(&records, true).expect("stored");
}

fn sorted(mut rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
    rows.sort();
    rows
}

#[test]
fn countries_and_international_calls_equal_what_is_written_by_hand() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let store = db.open();
        load(&store);
        // Per country: count and seconds from the list above.
        let mut want: std::collections::BTreeMap<&str, (i64, i64)> = Default::default();
        for (i, (_, _, country)) in CALLS.iter().enumerate() {
            let e = want.entry(country).or_default();
            e.0 += 1;
            e.1 += 60 * (i as i64 + 1);
        }
        let want_rows: Vec<Vec<String>> = want
            .iter()
            .map(|(c, (n, s))| vec![c.to_string(), n.to_string(), s.to_string()])
            .collect();
        let got = common::table_rows(&store, "calls per country show count, seconds", "UTC");
        assert_eq!(sorted(got), want_rows, "{backend:?}");
        // International: a known other country than the customer's own (GB for the first,
        // FR for the second; `alice` is no number, so nothing of hers is international).
        let got = common::table_rows(
            &store,
            "calls where international per country show count",
            "UTC",
        );
        let want = [
            ["DE", "1"],
            ["GB", "1"],
            ["FR", "1"],
            ["JP", "1"],
            ["US", "1"],
        ]
        .map(|r| r.map(String::from).to_vec());
        assert_eq!(sorted(got), sorted(want.to_vec()), "{backend:?}");
        let domestic =
            common::table_rows(&store, "calls where international = no show count", "UTC");
        assert_eq!(domestic, [["4"]], "{backend:?}: GB→GB, FR→FR, +800, alice");
        let got = common::table_rows(
            &store,
            "calls where country in (us, fr) and not international per customer show count",
            "UTC",
        );
        assert_eq!(
            sorted(got),
            [["33698765432", "1"], ["alice", "1"]],
            "{backend:?}"
        );
        // Every number stored has its country stored, by hand-written SQL.
        let missing = store
            .read(|c| {
                Ok(c.query(
                    "SELECT COUNT(*) FROM calls t LEFT JOIN number_countries n \
                     ON n.number = t.other_party WHERE n.number IS NULL",
                    &[],
                )?)
            })
            .unwrap();
        assert_eq!(missing.rows[0][0].as_i64(), Some(0), "{backend:?}");
    }
}

#[test]
fn a_corrected_other_party_has_its_country() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let store = db.open();
        load(&store);
        let stored = store
            .read(|c| Ok(c.query("SELECT id FROM calls WHERE source_key = 'c3'", &[])?))
            .unwrap();
        let id = stored.rows[0][0].as_i64().unwrap();
        let changes = tally::store::RecordChanges {
            other: Some("+61 406 823 897".into()),
            ..Default::default()
        };
        store
            .update_record(
                tally::model::RecordKind::Call,
                id,
                &changes,
                &InputContext::new(Zone::utc()),
            )
            .unwrap();
        let got = common::table_rows(&store, "calls where country = au show count", "UTC");
        assert_eq!(got, [["1"]], "{backend:?}");
    }
}

#[test]
fn demo_countries_equal_a_hand_written_join() {
    for backend in BACKENDS {
        let (_db, store) = common::demo_store(backend, 40, 10, 5);
        let sql = "SELECT COALESCE(n.country, 'unknown'), COUNT(*) FROM sms t \
                   LEFT JOIN number_countries n ON n.number = t.other_party \
                   WHERE t.sent_at >= '2026-11-20 00:00:00' AND t.sent_at < '2026-11-24 00:00:00' \
                   GROUP BY COALESCE(n.country, 'unknown')";
        let rows = store.read(|c| Ok(c.query(sql, &[])?)).unwrap().rows;
        let want: Vec<Vec<String>> = rows
            .iter()
            .map(|r| vec![r[0].to_string(), r[1].to_string()])
            .collect();
        let got = common::table_rows(
            &store,
            "sms per country between 2026-11-20 and 2026-11-24 show count",
            "UTC",
        );
        assert_eq!(sorted(got), sorted(want), "{backend:?}");
        assert!(
            common::table_rows(&store, "sms per country", "UTC").len() >= 4,
            "{backend:?}: the demo calls abroad too"
        );
    }
}

#[test]
fn country_mistakes_are_pointed_at() {
    let db = TestDb::new(common::Backend::Sqlite);
    let store = db.open();
    for (query, says) in [
        ("calls where international = maybe", "is not yes or no"),
        (
            "calls where international > 1",
            "can only be compared with = or !=",
        ),
        ("data per country", "data records have no country"),
        (
            "data where international",
            "data records have no field `international`",
        ),
    ] {
        common::assert_refused(&store, query, says);
    }
}
