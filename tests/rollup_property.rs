//! Property: after any sequence of logging, batch imports, corrections and deletions, both
//! rollups equal an aggregate computed by hand over the raw rows, on each backend.

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::{BACKENDS, Backend, TestDb, raw};
use proptest::prelude::*;
use tally::model::*;
use tally::store::{RecordChanges, Store};

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

fn run(store: &Store, ops: &[Op]) {
    let ctx = InputContext {
        zone: Zone::utc(),
        now: now(),
    };
    let mut logged: Vec<(RecordKind, i64)> = Vec::new();
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
                let id = store.log(&r, true).unwrap();
                logged.push((r.kind(), id));
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
                let (kind, id) = logged[pick % logged.len()];
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
                // The record may have gone with its customer; both outcomes keep the rollups exact.
                let _ = store.update_record(kind, id, &changes, &ctx);
            }
            Op::Delete { pick } => {
                if logged.is_empty() {
                    continue;
                }
                let (kind, id) = logged.remove(pick % logged.len());
                let _ = store.delete_record(kind, id);
            }
            Op::DeleteCustomer { customer } => {
                let key = SubscriberKey::parse("customer", CUSTOMERS[*customer]).unwrap();
                let _ = store.delete_customer(&key, true);
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
