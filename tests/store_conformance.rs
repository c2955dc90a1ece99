//! The store's behaviour, the same on MariaDB and SQLite: every test runs on both.

mod common;

use chrono::{DateTime, Utc};
use common::{BACKENDS, TestDb, raw};
use tally::model::*;
use tally::store::{RecordChanges, Store, StoreError, rollup_at as counter};

fn ctx() -> InputContext {
    InputContext {
        zone: Zone::utc(),
        now: DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc),
    }
}

fn key(k: &str) -> SubscriberKey {
    SubscriberKey::parse("customer", k).unwrap()
}

fn add_customer(store: &Store, k: &str) {
    store.add_customer(&NewCustomer::bare(key(k))).unwrap();
}

fn call(customer: &str, at: &str, duration: &str) -> Record {
    Record::Call(
        CallInput {
            customer: customer.into(),
            direction: "out".into(),
            other: "447700900999".into(),
            at: Some(at.into()),
            duration: Some(duration.into()),
            ..CallInput::default()
        }
        .validate(&ctx())
        .unwrap(),
    )
}

fn sms(customer: &str, at: &str, source: &str) -> Record {
    Record::Sms(
        SmsInput {
            customer: customer.into(),
            direction: "in".into(),
            other: "447700900999".into(),
            at: Some(at.into()),
            source_key: Some(source.into()),
        }
        .validate(&ctx())
        .unwrap(),
    )
}

fn data(customer: &str, at: &str, down: &str) -> Record {
    Record::Data(
        DataInput {
            customer: customer.into(),
            at: Some(at.into()),
            duration: Some("10m".into()),
            up: Some("1MB".into()),
            down: Some(down.into()),
            ..DataInput::default()
        }
        .validate(&ctx())
        .unwrap(),
    )
}

#[test]
fn logged_records_read_back_and_count_in_the_rollups() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let store = db.open();
        add_customer(&store, "447700900123");
        let c = store
            .log(&call("447700900123", "2026-11-25 10:15", "3m20s"), false)
            .unwrap();
        let s = store
            .log(&sms("447700900123", "2026-11-25 10:16", "s1"), false)
            .unwrap();
        let d = store
            .log(&data("447700900123", "2026-11-25 11:00", "340MB"), false)
            .unwrap();
        let back = store.record(RecordKind::Call, c).unwrap().unwrap();
        let Record::Call(back) = back.record else {
            panic!("not a call")
        };
        assert_eq!(back.duration.seconds(), 200, "{backend:?}");
        assert_eq!(sql_time(back.start), "2026-11-25 10:15:00");
        assert!(store.record(RecordKind::Sms, s).unwrap().is_some());
        assert!(store.record(RecordKind::Data, d).unwrap().is_some());
        let totals = store.network_totals().unwrap();
        assert_eq!(totals.active_customers, 1);
        // What the three records logged above add, counter by counter (the rest stay 0).
        let mut want = [0i64; 15];
        want[counter::RECORDS] = 3; // one call, one SMS, one data session
        want[counter::CALLS_OUT] = 1; // call() logs an outgoing call
        want[counter::CALLS_ANSWERED] = 1; // with no status given, a call is answered
        want[counter::SECONDS_OUT] = 3 * 60 + 20; // "3m20s"
        want[counter::SECONDS_ANSWERED] = 3 * 60 + 20; // and it was answered
        want[counter::SMS_IN] = 1; // sms() logs an incoming SMS
        want[counter::DATA_SESSIONS] = 1;
        want[counter::DATA_SECONDS] = 10 * 60; // data() lasts "10m"
        want[counter::BYTES_UP] = 1_000_000; // "1MB", 10^6 bytes
        want[counter::BYTES_DOWN] = 340 * 1_000_000; // "340MB"
        assert_eq!(totals.counters.0, want, "{backend:?}");
        raw::assert_rollups_exact(&store);
    }
}

#[test]
fn a_record_is_stored_once_however_often_it_arrives() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let store = db.open();
        add_customer(&store, "a1");
        let batch = vec![
            sms("a1", "2026-11-25 10:00", "k1"),
            sms("a1", "2026-11-25 10:01", "k2"),
            sms("a1", "2026-11-25 10:01", "k2"),
        ];
        let first = store.insert_batch(&batch, false).unwrap();
        assert_eq!((first.inserted, first.duplicates), (2, 1), "{backend:?}");
        let again = store.insert_batch(&batch, false).unwrap();
        assert_eq!((again.inserted, again.duplicates), (0, 3));
        let err = store
            .log(&sms("a1", "2026-11-25 10:00", "k1"), false)
            .unwrap_err();
        assert!(
            err.to_string().starts_with("already stored as sms "),
            "{err}"
        );
        assert_eq!(
            store.network_totals().unwrap().counters.0[counter::RECORDS],
            2
        );
        raw::assert_rollups_exact(&store);
    }
}

#[test]
fn unknown_customers_are_refused_or_created_on_request() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let store = db.open();
        let err = store
            .log(&call("447700900555", "2026-11-25 10:00", "1m"), false)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid customer "447700900555": no such customer (add it with `tally customer add`, or pass --create-customer)"#
        );
        assert_eq!(
            store.network_totals().unwrap().counters.0[counter::RECORDS],
            0,
            "nothing half-stored"
        );
        store
            .log(&call("447700900555", "2026-11-25 10:00", "1m"), true)
            .unwrap();
        assert!(store.customer(&key("447700900555")).unwrap().is_some());
        let outcome = store
            .insert_batch(
                &[
                    call("447700900555", "2026-11-25 10:05", "1m"),
                    call("nobody", "2026-11-25 10:06", "1m"),
                ],
                false,
            )
            .unwrap();
        assert_eq!(outcome.inserted, 1, "{backend:?}");
        assert_eq!(outcome.rejected.len(), 1);
        assert_eq!(outcome.rejected[0].0, 1);
        raw::assert_rollups_exact(&store);
    }
}

#[test]
fn corrections_and_deletions_keep_rollups_exact() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let store = db.open();
        add_customer(&store, "a");
        add_customer(&store, "b");
        let id = store
            .log(&call("a", "2026-11-24 23:59", "2m"), false)
            .unwrap();
        store
            .log(&data("a", "2026-11-24 23:00", "5MB"), false)
            .unwrap();
        let changes = RecordChanges {
            customer: Some("b".into()),
            at: Some("2026-11-25 00:01".into()),
            duration: Some("1h".into()),
            status: Some("answered".into()),
            ..RecordChanges::default()
        };
        let updated = store
            .update_record(RecordKind::Call, id, &changes, &ctx())
            .unwrap();
        assert_eq!(updated.record.customer().as_str(), "b", "{backend:?}");
        raw::assert_rollups_exact(&store);
        store.delete_record(RecordKind::Call, id).unwrap();
        raw::assert_rollups_exact(&store);
        let err = store.delete_record(RecordKind::Call, id).unwrap_err();
        assert_eq!(err.to_string(), format!("no call record with id {id}"));
        let err = store
            .update_record(
                RecordKind::Sms,
                1,
                &RecordChanges {
                    duration: Some("1m".into()),
                    ..Default::default()
                },
                &ctx(),
            )
            .unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound(_) | StoreError::Refused(_)),
            "{err}"
        );
    }
}

#[test]
fn field_changes_that_do_not_apply_are_refused() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let store = db.open();
        add_customer(&store, "a");
        let id = store
            .log(&sms("a", "2026-11-25 10:00", "x"), false)
            .unwrap();
        let err = store
            .update_record(
                RecordKind::Sms,
                id,
                &RecordChanges {
                    duration: Some("1m".into()),
                    ..Default::default()
                },
                &ctx(),
            )
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "--duration does not apply to sms records",
            "{backend:?}"
        );
        let err = store
            .update_record(
                RecordKind::Sms,
                id,
                &RecordChanges {
                    at: Some("2030-01-01".into()),
                    ..Default::default()
                },
                &ctx(),
            )
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid time "2030-01-01": must not be more than 5 minutes in the future"#
        );
    }
}

#[test]
fn customers_with_records_need_cascade() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let store = db.open();
        add_customer(&store, "a");
        add_customer(&store, "b");
        store
            .log(&call("a", "2026-11-25 10:00", "1m"), false)
            .unwrap();
        store
            .log(&sms("a", "2026-11-25 10:00", "s"), false)
            .unwrap();
        store
            .log(&call("b", "2026-11-25 10:00", "1m"), false)
            .unwrap();
        let err = store.delete_customer(&key("a"), false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "customer a has 1 calls, 1 SMS and 0 data sessions; pass --cascade to delete them with the customer",
            "{backend:?}"
        );
        let counts = store.delete_customer(&key("a"), true).unwrap();
        assert_eq!(counts.total(), 2);
        assert!(store.customer(&key("a")).unwrap().is_none());
        raw::assert_rollups_exact(&store);
        assert_eq!(store.network_totals().unwrap().active_customers, 1);
    }
}

#[test]
fn customers_and_plans_are_managed() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let store = db.open();
        let plan = NewPlan {
            name: "Basic".into(),
            per_minute: Price::parse("p", "0.05").unwrap(),
            per_sms: Price::parse("p", "0.02").unwrap(),
            per_mb: Price::parse("p", "0.01").unwrap(),
            monthly_fee: Price::parse("p", "5").unwrap(),
        };
        store.add_plan(&plan).unwrap();
        assert_eq!(
            store.add_plan(&plan).unwrap_err().to_string(),
            r#"a plan named "Basic" already exists"#
        );
        let updated = store
            .update_plan(
                "Basic",
                &PlanChanges {
                    per_sms: Some(Price::parse("p", "0.03").unwrap()),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(updated.per_sms.value(), 0.03, "{backend:?}");
        assert_eq!(updated.per_minute.value(), 0.05);
        let new = NewCustomer {
            plan: Some("Basic".into()),
            region: Some("North".into()),
            name: Some("Ada Okafor".into()),
            ..NewCustomer::bare(key("+44 7700 900123"))
        };
        let c = store.add_customer(&new).unwrap();
        assert_eq!(
            (c.key.as_str(), c.plan.as_deref()),
            ("447700900123", Some("Basic"))
        );
        assert_eq!(
            store.add_customer(&new).unwrap_err().to_string(),
            "customer 447700900123 already exists"
        );
        let missing_plan = NewCustomer {
            plan: Some("Gold".into()),
            ..NewCustomer::bare(key("x"))
        };
        assert_eq!(
            store.add_customer(&missing_plan).unwrap_err().to_string(),
            r#"no plan named "Gold" (see `tally plan list`)"#
        );
        let changes = CustomerChanges {
            status: Some(CustomerStatus::Suspended),
            plan: Some(None),
            ..Default::default()
        };
        let c = store
            .update_customer(&key("447700900123"), &changes)
            .unwrap();
        assert_eq!((c.status, c.plan), (CustomerStatus::Suspended, None));
        // Keys compare byte for byte on both backends.
        add_customer(&store, "abc");
        add_customer(&store, "ABC");
        assert_eq!(store.customers(&Default::default()).unwrap().len(), 3);
    }
}

#[test]
fn migrating_twice_changes_nothing_and_newer_schemas_are_refused() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let store = db.open();
        let again = store.migrate().unwrap();
        assert!(again.applied.is_empty(), "{backend:?}");
        assert_eq!(again.from, again.to);
        store
            .write(|conn| {
                conn.execute(
                    "INSERT INTO schema_version (version, applied_at, description) VALUES (999, '2030-01-01 00:00:00', 'future')",
                    &[],
                )?;
                Ok(())
            })
            .unwrap();
        let err = match Store::open(&db.db_url(), Default::default()) {
            Err(e) => e,
            Ok(_) => panic!("a newer schema was accepted"),
        };
        assert!(
            err.to_string().starts_with(
                "the database schema is version 999, newer than this tally understands"
            ),
            "{err}"
        );
    }
}

#[test]
fn demo_data_is_identical_on_both_backends() {
    let spec = tally::demo::DemoSpec {
        customers: 60,
        days: 5,
        seed: 7,
        end: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
    };
    let mut results = Vec::new();
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let store = db.open();
        let report = tally::demo::load(&store, &spec, &indicatif::ProgressBar::hidden()).unwrap();
        assert!(report.calls > 500, "{report}");
        let again = tally::demo::load(&store, &spec, &indicatif::ProgressBar::hidden()).unwrap();
        assert_eq!(
            again.duplicates,
            report.calls + report.sms + report.data,
            "a rerun adds nothing"
        );
        raw::assert_rollups_exact(&store);
        results.push((
            raw::customer_totals(&store),
            store.customer_totals().unwrap(),
        ));
    }
    assert_eq!(results[0], results[1]);
}
