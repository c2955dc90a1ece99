//! Property: after any sequence of logging, batch imports, corrections and deletions, both
//! rollups equal an aggregate computed by hand over the raw rows, on each backend.

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::{BACKENDS, Backend, TestDb, raw};
use proptest::prelude::*;
use tally::model::*;
use tally::store::{RecordChanges, Store, StoreError};

const CUSTOMERS: [&str; 4] = ["447700900001", "447700900002", "pseudo-x", "pseudo-y"];

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

#[derive(Debug, Clone)]
enum Op {
    Log {
        kind: u8,
        customer: usize,
        minutes_ago: u32,
        amount: u32,
        out: bool,
    },
    /// The same few records twice in one batch, then the batch again.
    Batch {
        customer: usize,
        minutes_ago: u32,
    },
    Update {
        pick: usize,
        customer: usize,
        minutes_ago: u32,
        amount: u32,
    },
    Delete {
        pick: usize,
    },
    DeleteCustomer {
        customer: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let minutes = 0u32..(3 * 24 * 60);
    prop_oneof![
        6 => (0u8..3, 0usize..4, minutes.clone(), 0u32..7200, any::<bool>())
            .prop_map(|(kind, customer, minutes_ago, amount, out)| Op::Log { kind, customer, minutes_ago, amount, out }),
        1 => (0usize..4, minutes.clone()).prop_map(|(customer, minutes_ago)| Op::Batch { customer, minutes_ago }),
        2 => (any::<usize>(), 0usize..4, minutes, 0u32..7200)
            .prop_map(|(pick, customer, minutes_ago, amount)| Op::Update { pick, customer, minutes_ago, amount }),
        2 => any::<usize>().prop_map(|pick| Op::Delete { pick }),
        1 => (0usize..4).prop_map(|customer| Op::DeleteCustomer { customer }),
    ]
}

fn at(minutes_ago: u32) -> String {
    sql_time(now() - TimeDelta::minutes(i64::from(minutes_ago)))
}

fn record(
    kind: u8,
    customer: &str,
    minutes_ago: u32,
    amount: u32,
    out: bool,
    source: Option<String>,
) -> Record {
    let ctx = InputContext {
        zone: Zone::utc(),
        now: now(),
    };
    let direction = if out { "out" } else { "in" };
    match kind {
        0 => Record::Call(
            CallInput {
                customer: customer.into(),
                direction: direction.into(),
                other: "447700900999".into(),
                at: Some(at(minutes_ago)),
                duration: Some(amount.to_string()),
                status: Some(
                    ["answered", "busy", "no_answer", "failed"][amount as usize % 4].into(),
                ),
                source_key: source,
                ..Default::default()
            }
            .validate(&ctx)
            .unwrap(),
        ),
        1 => Record::Sms(
            SmsInput {
                customer: customer.into(),
                direction: direction.into(),
                other: "447700900999".into(),
                at: Some(at(minutes_ago)),
                source_key: source,
            }
            .validate(&ctx)
            .unwrap(),
        ),
        _ => Record::Data(
            DataInput {
                customer: customer.into(),
                at: Some(at(minutes_ago)),
                duration: Some((amount % 3600).to_string()),
                up: Some(format!("{amount}KB")),
                down: Some(format!("{}KB", amount * 7)),
                source_key: source,
                ..Default::default()
            }
            .validate(&ctx)
            .unwrap(),
        ),
    }
}

/// A record `Op::Log` stored, as the test expects the store to hold it.
struct Logged {
    kind: RecordKind,
    id: i64,
    /// An index into `CUSTOMERS`; a correction may move the record to another customer.
    customer: usize,
    /// Derived from the record's content when it was logged; kept through corrections.
    source_key: String,
}

/// Runs `ops`, checking each outcome against what the test knows is stored: which customers
/// exist, which logged records are still there and whose they are, and how many records each
/// customer has. An operation that fails (or succeeds) when it should not fails the test.
fn run(store: &Store, ops: &[Op]) {
    let ctx = InputContext {
        zone: Zone::utc(),
        now: now(),
    };
    let mut logged: Vec<Logged> = Vec::new();
    let mut exists = [false; CUSTOMERS.len()];
    // Records stored by `Op::Batch`, per customer (never corrected or deleted one by one).
    let mut batched = [0usize; CUSTOMERS.len()];
    for (n, op) in ops.iter().enumerate() {
        match op {
            Op::Log {
                kind,
                customer,
                minutes_ago,
                amount,
                out,
            } => {
                let r = record(
                    *kind,
                    CUSTOMERS[*customer],
                    *minutes_ago,
                    *amount,
                    *out,
                    None,
                );
                let source_key = r.source_key().as_str().to_string();
                let outcome = store.log(&r, true);
                if logged.iter().any(|l| l.source_key == source_key) {
                    // The same content logged twice has the same derived key: refused.
                    assert!(
                        matches!(outcome, Err(StoreError::Refused(_))),
                        "op {n}: a second {op:?} gave {outcome:?}"
                    );
                    continue;
                }
                let id = outcome.unwrap_or_else(|e| panic!("op {n}: {op:?}: {e}"));
                exists[*customer] = true;
                logged.push(Logged {
                    kind: r.kind(),
                    id,
                    customer: *customer,
                    source_key,
                });
            }
            Op::Batch {
                customer,
                minutes_ago,
            } => {
                let batch: Vec<Record> = (0..3u8)
                    .flat_map(|k| {
                        let r = record(
                            k,
                            CUSTOMERS[*customer],
                            *minutes_ago,
                            61,
                            true,
                            Some(format!("b{n}-{k}")),
                        );
                        [r.clone(), r]
                    })
                    .collect();
                let first = store.insert_batch(&batch, true).unwrap();
                assert_eq!((first.inserted, first.duplicates), (3, 3));
                let again = store.insert_batch(&batch, true).unwrap();
                assert_eq!((again.inserted, again.duplicates), (0, 6));
                exists[*customer] = true;
                batched[*customer] += 3;
            }
            Op::Update {
                pick,
                customer,
                minutes_ago,
                amount,
            } => {
                if logged.is_empty() {
                    continue;
                }
                let i = pick % logged.len();
                let (kind, id) = (logged[i].kind, logged[i].id);
                let mut changes = RecordChanges {
                    customer: Some(CUSTOMERS[*customer].into()),
                    at: Some(at(*minutes_ago)),
                    ..Default::default()
                };
                match kind {
                    RecordKind::Call => changes.duration = Some(amount.to_string()),
                    RecordKind::Data => changes.down = Some(format!("{amount}MB")),
                    RecordKind::Sms => {
                        changes.direction = Some(if amount % 2 == 0 { "out" } else { "in" }.into())
                    }
                }
                let outcome = store.update_record(kind, id, &changes, &ctx);
                if exists[*customer] {
                    let stored = outcome.unwrap_or_else(|e| panic!("op {n}: {op:?}: {e}"));
                    assert_eq!(stored.id, id, "op {n}");
                    assert_eq!(stored.record.customer().as_str(), CUSTOMERS[*customer]);
                    logged[i].customer = *customer;
                } else {
                    // Moving a record to a customer that is not stored is refused, and changes
                    // nothing (the rollup check at the end sees it).
                    assert!(
                        matches!(outcome, Err(StoreError::Invalid(_))),
                        "op {n}: {op:?} to a missing customer gave {outcome:?}"
                    );
                }
            }
            Op::Delete { pick } => {
                if logged.is_empty() {
                    continue;
                }
                let gone = logged.remove(pick % logged.len());
                let deleted = store
                    .delete_record(gone.kind, gone.id)
                    .unwrap_or_else(|e| panic!("op {n}: {op:?}: {e}"));
                assert_eq!(deleted.id, gone.id, "op {n}");
                assert_eq!(
                    deleted.record.customer().as_str(),
                    CUSTOMERS[gone.customer],
                    "op {n}"
                );
            }
            Op::DeleteCustomer { customer } => {
                let key = SubscriberKey::parse("customer", CUSTOMERS[*customer]).unwrap();
                let outcome = store.delete_customer(&key, true);
                if !exists[*customer] {
                    assert!(
                        matches!(outcome, Err(StoreError::NotFound(_))),
                        "op {n}: {op:?} of a missing customer gave {outcome:?}"
                    );
                    continue;
                }
                let counts = outcome.unwrap_or_else(|e| panic!("op {n}: {op:?}: {e}"));
                let own = logged.iter().filter(|l| l.customer == *customer).count();
                assert_eq!(
                    counts.total(),
                    own + batched[*customer],
                    "op {n}: {op:?} deleted {counts}"
                );
                logged.retain(|l| l.customer != *customer);
                batched[*customer] = 0;
                exists[*customer] = false;
            }
        }
    }
}

fn check(backend: Backend, ops: Vec<Op>) {
    let db = TestDb::new(backend);
    let store = db.open();
    run(&store, &ops);
    raw::assert_rollups_exact(&store);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, max_shrink_iters: 50, ..ProptestConfig::default() })]

    #[test]
    fn rollups_equal_raw_aggregates_on_both_backends(ops in proptest::collection::vec(op(), 1..40)) {
        for backend in BACKENDS {
            check(backend, ops.clone());
        }
    }
}

/// Every outcome `run` checks, in one fixed sequence (random sequences rarely log the same
/// record twice or touch a customer that is not stored).
#[test]
fn each_kind_of_outcome_is_checked_on_both_backends() {
    let sms = |customer, minutes_ago| Op::Log {
        kind: 1,
        customer,
        minutes_ago,
        amount: 5,
        out: true,
    };
    let ops = vec![
        sms(0, 10),
        // The same SMS again: refused as a duplicate.
        sms(0, 10),
        Op::Batch {
            customer: 0,
            minutes_ago: 20,
        },
        // Customer 2 is not stored: refused.
        Op::Update {
            pick: 0,
            customer: 2,
            minutes_ago: 30,
            amount: 1,
        },
        // Customer 3 is not stored: not found.
        Op::DeleteCustomer { customer: 3 },
        sms(1, 40),
        // Customer 1's SMS moves to customer 0.
        Op::Update {
            pick: 1,
            customer: 0,
            minutes_ago: 50,
            amount: 2,
        },
        // Two logged SMS and three batched records go with customer 0.
        Op::DeleteCustomer { customer: 0 },
        sms(1, 60),
        Op::Delete { pick: 0 },
    ];
    for backend in BACKENDS {
        check(backend, ops.clone());
    }
}
