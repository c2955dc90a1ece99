//! `like` and `starts with` on both backends: case-sensitive everywhere (SQLite's own `LIKE` is
//! not), `%` and `_` literal in `starts with`, each database's other wildcard characters (`*`,
//! `?`, `[` for SQLite's GLOB; the escape character) literal everywhere, phone numbers written
//! with `+` and spaces, and records with no cell matching nothing. Expected sets are written
//! here by hand from the inserted values.

mod common;

use common::{BACKENDS, TestDb};
use tally::model::{CallInput, InputContext, Record, Zone};
use tally::store::Store;

const CELLS: [Option<&str>; 10] = [
    Some("N-001"),
    Some("n-001"),
    Some("50%_off"),
    Some("50xYoff"),
    Some("a*b"),
    Some("a?b"),
    Some("[x]"),
    Some("e!x"),
    Some("back\\slash"),
    None,
];

const PARTIES: [&str; 3] = ["+44 7700 900123", "+1 555 123 4567", "+33 1 23 45 67 89"];

fn load(store: &Store) {
    let ctx = InputContext::new(Zone::utc());
    let mut records = Vec::new();
    for (i, cell) in CELLS.iter().enumerate() {
        for (j, other) in PARTIES.iter().enumerate() {
            let call = CallInput {
                customer: "447700900001".into(),
                direction: "out".into(),
                other: (*other).into(),
                at: Some(format!("2026-11-10 10:{:02}", i * 3 + j)),
                duration: Some("60".into()),
                status: Some("answered".into()),
                cell: cell.map(String::from),
                source_key: Some(format!("p{i}-{j}")),
            };
            records.push(Record::Call(call.validate(&ctx).expect("a valid call")));
        }
    }
    store.insert_batch(&records, true).expect("stored");
}

/// The groups of `per` the query lists, sorted.
fn groups(store: &Store, condition: &str, per: &str) -> Vec<String> {
    let query = format!("calls where {condition} per {per} show count");
    let mut got: Vec<String> = common::table_rows(store, &query, "UTC")
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    got.sort();
    got
}

#[test]
fn patterns_match_the_same_records_on_both_backends() {
    let cells = |list: &[&str]| {
        let mut v: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        v.sort();
        v
    };
    let every_cell: Vec<&str> = CELLS.iter().flatten().copied().collect();
    let cases: Vec<(&str, Vec<String>)> = vec![
        ("cell like 'N-%'", cells(&["N-001"])),
        ("cell like 'n-%'", cells(&["n-001"])),
        ("cell starts with '50%'", cells(&["50%_off"])),
        ("cell like '50%off'", cells(&["50%_off", "50xYoff"])),
        (r"cell like '50_\_off'", cells(&["50%_off"])),
        ("cell like 'a*b'", cells(&["a*b"])),
        ("cell like 'a?b'", cells(&["a?b"])),
        ("cell like 'a_b'", cells(&["a*b", "a?b"])),
        ("cell starts with '['", cells(&["[x]"])),
        ("cell like 'e!%'", cells(&["e!x"])),
        // `starts with` takes its text as it is; in `like`, `\` makes the next character literal.
        (r"cell starts with 'back\slash'", cells(&["back\\slash"])),
        (r"cell starts with 'back\\'", cells(&[])),
        (r"cell like 'back\\%'", cells(&["back\\slash"])),
        (r"cell like 'back\slash'", cells(&[])),
        ("cell like '%'", cells(&every_cell)),
        (
            "cell not like 'N-%'",
            cells(&every_cell[1..]), // no cell matches nothing, not even `not`
        ),
        ("cell like ''", cells(&[])),
    ];
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let store = db.open();
        load(&store);
        for (condition, want) in &cases {
            assert_eq!(
                &groups(&store, condition, "cell"),
                want,
                "{backend:?}: {condition}"
            );
        }
        for (condition, want) in [
            ("other starts with '+44 7700'", vec!["447700900123"]),
            ("other starts with '44'", vec!["447700900123"]),
            ("other like '1555%'", vec!["15551234567"]),
            ("other like '+1 (555) %'", vec!["15551234567"]),
            ("other like '331_3%'", vec!["33123456789"]),
            ("other like '%789'", vec!["33123456789"]),
            ("other starts with '33_'", vec![]),
            ("other starts with '331%'", vec![]),
            (
                "not other starts with '44'",
                vec!["15551234567", "33123456789"],
            ),
        ] {
            assert_eq!(
                groups(&store, condition, "other"),
                want,
                "{backend:?}: {condition}"
            );
        }
        assert_eq!(
            groups(&store, "customer starts with '+44 7700 9000'", "customer"),
            ["447700900001"],
            "{backend:?}"
        );
    }
}

#[test]
fn patterns_on_fields_that_are_not_text_are_refused() {
    let db = TestDb::new(common::Backend::Sqlite);
    let store = db.open();
    for (query, says) in [
        ("calls where status like 'a%'", "apply to text fields"),
        ("calls where duration starts with 1", "apply to text fields"),
        ("calls where other starts '44'", "expected with"),
        ("calls where other like", "the query ends too soon"),
    ] {
        common::assert_refused(&store, query, says);
    }
}
