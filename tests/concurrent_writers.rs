//! Eight threads log records for a while (10 s by default) while another reads totals: every
//! acknowledged record is stored exactly once and the totals equal what was acknowledged.

mod common;

use common::{BACKENDS, Backend, TestDb, raw};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tally::model::*;
use tally::store::{Counters, Store, Value, rollup_at as counter};

const WRITERS: usize = 8;

fn seconds() -> u64 {
    std::env::var("TALLY_TEST_CONCURRENCY_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10)
}

fn record(thread: usize, n: usize, ctx: &InputContext) -> Record {
    let customer = format!("447700{:06}", (thread * 7 + n) % 20);
    let source = Some(format!("t{thread}-{n}"));
    let at = Some(format!(
        "2026-11-{:02} {:02}:{:02}",
        20 + n % 5,
        n % 24,
        (n * 7) % 60
    ));
    match n % 3 {
        0 => Record::Call(
            CallInput {
                customer,
                direction: "out".into(),
                other: "447700900999".into(),
                at,
                duration: Some(format!("{}", n % 600)),
                source_key: source,
                ..Default::default()
            }
            .validate(ctx)
            .unwrap(),
        ),
        1 => Record::Sms(
            SmsInput {
                customer,
                direction: "in".into(),
                other: "447700900999".into(),
                at,
                source_key: source,
            }
            .validate(ctx)
            .unwrap(),
        ),
        _ => Record::Data(
            DataInput {
                customer,
                at,
                down: Some(format!("{n}KB")),
                source_key: source,
                ..Default::default()
            }
            .validate(ctx)
            .unwrap(),
        ),
    }
}

/// Logs until `stop`; returns what the store acknowledged.
fn writer(store: &Store, thread: usize, stop: &AtomicBool) -> Vec<Record> {
    let ctx = InputContext::new(Zone::utc());
    let mut acknowledged = Vec::new();
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        let r = record(thread, n, &ctx);
        match store.log(&r, false) {
            Ok(_) => acknowledged.push(r),
            Err(e) => panic!("writer {thread} failed on record {n}: {e}"),
        }
        n += 1;
    }
    acknowledged
}

/// Reads totals until `stop`: the record count never goes down and each read is consistent.
fn reader(store: &Store, stop: &AtomicBool) -> usize {
    let mut last = 0;
    let mut reads = 0;
    while !stop.load(Ordering::Relaxed) {
        let c = store.network_totals().unwrap().counters.0;
        let records = c[counter::RECORDS];
        assert!(records >= last, "records went from {last} to {records}");
        // Every record is one call, SMS or data session, each counted once by direction.
        let kinds = c[counter::CALLS_OUT]
            + c[counter::CALLS_IN]
            + c[counter::SMS_OUT]
            + c[counter::SMS_IN]
            + c[counter::DATA_SESSIONS];
        assert_eq!(records, kinds, "a read saw half a transaction: {c:?}");
        last = records;
        reads += 1;
    }
    reads
}

fn run(backend: Backend) {
    let db = TestDb::new(backend);
    let store = Arc::new(db.open());
    let keys: Vec<NewCustomer> = (0..20)
        .map(|i| NewCustomer::bare(SubscriberKey::parse("c", &format!("447700{i:06}")).unwrap()))
        .collect();
    store.add_customers(&keys).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..WRITERS)
        .map(|t| {
            let (store, stop) = (store.clone(), stop.clone());
            std::thread::spawn(move || writer(&store, t, &stop))
        })
        .collect();
    let reading = {
        let (store, stop) = (store.clone(), stop.clone());
        std::thread::spawn(move || reader(&store, &stop))
    };
    let started = Instant::now();
    std::thread::sleep(Duration::from_secs(seconds()));
    stop.store(true, Ordering::Relaxed);
    let acknowledged: Vec<Record> = writers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let reads = reading.join().unwrap();
    eprintln!(
        "{backend:?}: {} records from {WRITERS} writers and {reads} reads in {:.1} s",
        acknowledged.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(acknowledged.len() > WRITERS, "the writers made no progress");

    let mut expected = Counters::default();
    for r in &acknowledged {
        expected.add(&Counters::of(r), 1);
    }
    assert_eq!(store.network_totals().unwrap().counters, expected);
    let stored: i64 = ["calls", "sms", "data_sessions"]
        .iter()
        .map(|t| {
            store
                .read(|c| {
                    Ok(c.query(
                        &format!("SELECT COUNT(DISTINCT source_key), COUNT(*) FROM {t}"),
                        &[],
                    )?)
                })
                .map(|rows| {
                    let row = &rows.rows[0];
                    assert_eq!(row[0], row[1], "a source key is stored twice in {t}");
                    row[1].as_i64().unwrap()
                })
                .unwrap()
        })
        .sum();
    assert_eq!(
        stored,
        acknowledged.len() as i64,
        "stored rows differ from acknowledged records"
    );
    for r in &acknowledged {
        let found = store
            .read(|c| {
                Ok(c.query(
                    &format!(
                        "SELECT COUNT(*) FROM {} WHERE source_key = ?",
                        r.kind().table()
                    ),
                    &[Value::from(r.source_key().as_str())],
                )?)
            })
            .unwrap();
        assert_eq!(found.scalar().and_then(Value::as_i64), Some(1));
    }
    raw::assert_rollups_exact(&store);
}

#[test]
fn concurrent_writers_lose_nothing_and_count_nothing_twice() {
    for backend in BACKENDS {
        run(backend);
    }
}
