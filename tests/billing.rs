//! Revenue as billing computes it, on both backends: usage priced at the plan in force on its
//! day, monthly fees prorated by the days each plan was held with the account open, ARPU over
//! the accounts open in the range. The bill is computed here by hand from the prices and the
//! records written in the test.

mod common;

use common::{BACKENDS, TestDb, stderr, tally};
use tally::model::{CustomerStatus, NewCustomer, SubscriberKey, Zone};
use tally::query::{Answer, run};
use tally::store::{Store, Value};

const KEY: &str = "447700900001";
const LATE: &str = "447700900002";
const GONE: &str = "447700900003";

/// After the month: the whole of November is billed.
fn december() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-12-05T09:00:00Z")
        .expect("a time")
        .with_timezone(&chrono::Utc)
}

fn cli(db: &TestDb, args: &[&str]) {
    let mut all = vec!["--db", db.url.as_str(), "--tz", "UTC"];
    all.extend_from_slice(args);
    let out = tally(&all);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
}

/// KEY on `plan` from the UTC day `from`, through the command line.
fn move_plan(db: &TestDb, plan: &str, from: &str) {
    cli(
        db,
        &["customer", "update", KEY, "--plan", plan, "--from", from],
    );
}

fn customer(store: &Store, key: &str, plan: &str, opened: &str) {
    store
        .add_customer(&NewCustomer {
            key: SubscriberKey::parse("customer", key).expect("a key"),
            name: None,
            plan: Some(plan.into()),
            region: Some("North".into()),
            status: CustomerStatus::Active,
            created_at: Some(
                chrono::DateTime::parse_from_rfc3339(opened)
                    .expect("a time")
                    .with_timezone(&chrono::Utc),
            ),
        })
        .expect("a customer");
}

/// Plans A (cheap usage, small fee) and B (the reverse); KEY on A from 1 October, moving to B
/// on 12 November, with usage on both sides; LATE opened on 16 November on A with no usage;
/// GONE on B, closed on 10 November.
fn setup(backend: common::Backend) -> (TestDb, Store) {
    let db = TestDb::new(backend);
    let store = db.open();
    cli(
        &db,
        &[
            "plan",
            "add",
            "A",
            "--per-minute",
            "0.10",
            "--per-sms",
            "0.05",
            "--per-mb",
            "0.02",
            "--monthly-fee",
            "10",
        ],
    );
    cli(
        &db,
        &[
            "plan",
            "add",
            "B",
            "--per-minute",
            "0.04",
            "--per-sms",
            "0.01",
            "--per-mb",
            "0.005",
            "--monthly-fee",
            "30",
        ],
    );
    customer(&store, KEY, "A", "2026-10-01T00:00:00Z");
    customer(&store, LATE, "A", "2026-11-16T00:00:00Z");
    customer(&store, GONE, "B", "2026-10-01T00:00:00Z");
    store
        .read(|c| {
            Ok(c.execute(
                "UPDATE customers SET status = 'closed', closed_at = '2026-11-10 00:00:00' WHERE subscriber_key = ?",
                &[GONE.into()],
            )?)
        })
        .expect("closing GONE");
    // On plan A: 10 min out, 5 min in (free), 3 SMS out, 1 SMS in (free), 100 MB; and a call
    // starting before midnight of the 11th, priced on its start day. On plan B: 20 min out,
    // 2 SMS out, 300 MB. ({KEY} calls or texts 447700900999.)
    let lines = [
        "call out --at 2026-11-05T10:00:00Z --duration 10m",
        "call in --at 2026-11-05T11:00:00Z --duration 5m",
        "sms out --at 2026-11-06T09:00:00Z",
        "sms out --at 2026-11-06T09:01:00Z",
        "sms out --at 2026-11-06T09:02:00Z",
        "sms in --at 2026-11-06T09:03:00Z",
        "data --at 2026-11-08T12:00:00Z --duration 30m --up 20MB --down 80MB",
        "call out --at 2026-11-11T23:59:00Z --duration 2m",
        "call out --at 2026-11-20T18:00:00Z --duration 20m",
        "sms out --at 2026-11-21T08:00:00Z",
        "sms out --at 2026-11-21T08:05:00Z",
        "data --at 2026-11-25T20:00:00Z --duration 1h --up 50MB --down 250MB",
    ];
    for line in lines {
        let mut words: Vec<&str> = line.split_whitespace().collect();
        let kind = words.remove(0);
        let mut args = vec!["log", kind, KEY];
        if kind != "data" {
            // The direction, then the other party.
            args.push(words.remove(0));
            args.push("447700900999");
        }
        args.extend(words);
        cli(&db, &args);
    }
    move_plan(&db, "B", "2026-11-12");
    (db, store)
}

fn rows(store: &Store, query: &str) -> Vec<Vec<Value>> {
    match run(store, query, &Zone::utc(), december()) {
        Ok(Answer::Table(rs)) => rs.rows,
        other => panic!("{query}: {other:?}"),
    }
}

fn money(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("money, not {v:?}"))
}

fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[test]
fn a_plan_change_on_the_12th_is_billed_as_by_hand() {
    // By hand. Plan A, 1-11 November: 10 + 2 min out at 0.10, 3 SMS at 0.05, 100 MB at 0.02;
    // fee 10 × 11/30. Plan B, 12-30 November: 20 min at 0.04, 2 SMS at 0.01, 300 MB at 0.005;
    // fee 30 × 19/30.
    let usage_a = 12.0 * 0.10 + 3.0 * 0.05 + 100.0 * 0.02;
    let usage_b = 20.0 * 0.04 + 2.0 * 0.01 + 300.0 * 0.005;
    let fee_a = 10.0 * 11.0 / 30.0;
    let fee_b = 30.0 * 19.0 / 30.0;
    // LATE: A from the 16th, 15 of 30 days; GONE: B until the 10th, 9 of 30 days.
    let fee_late = 10.0 * 15.0 / 30.0;
    let fee_gone = 30.0 * 9.0 / 30.0;
    for backend in BACKENDS {
        let (_db, store) = setup(backend);
        let month = "between 2026-11-01 and 2026-12-01";
        let bill = rows(
            &store,
            &format!(
                "usage where customer = {KEY} per plan {month} show usage_revenue, fees, revenue"
            ),
        );
        let want = [("A", usage_a, fee_a), ("B", usage_b, fee_b)];
        assert_eq!(bill.len(), 2, "{backend:?}: {bill:?}");
        for (row, (plan, usage, fee)) in bill.iter().zip(want) {
            assert_eq!(row[0], Value::from(plan), "{backend:?}");
            assert_eq!(money(&row[1]), cents(usage), "{backend:?} {plan} usage");
            assert_eq!(money(&row[2]), cents(fee), "{backend:?} {plan} fees");
            assert_eq!(
                money(&row[3]),
                cents(usage + fee),
                "{backend:?} {plan} revenue"
            );
        }
        // The customer's whole bill, and every account's: fees without usage count too.
        let total = rows(
            &store,
            &format!("usage where customer = {KEY} {month} show revenue"),
        );
        assert_eq!(
            money(&total[0][0]),
            cents(usage_a + usage_b + fee_a + fee_b)
        );
        let all = rows(&store, &format!("usage {month} show revenue, fees, arpu"));
        let revenue = usage_a + usage_b + fee_a + fee_b + fee_late + fee_gone;
        assert_eq!(money(&all[0][0]), cents(revenue), "{backend:?}");
        assert_eq!(
            money(&all[0][1]),
            cents(fee_a + fee_b + fee_late + fee_gone),
            "{backend:?}"
        );
        assert_eq!(
            money(&all[0][2]),
            cents(revenue / 3.0),
            "{backend:?}: three accounts open"
        );
        // Per customer: LATE has fees and no usage, and is listed.
        let per = rows(&store, &format!("usage per customer {month} show revenue"));
        let late: Vec<&Vec<Value>> = per.iter().filter(|r| r[0] == Value::from(LATE)).collect();
        assert_eq!(late.len(), 1, "{backend:?}: {per:?}");
        assert_eq!(money(&late[0][1]), cents(fee_late));
        // A top N with fees is cut after the fees are in: every customer is a candidate.
        let top = rows(
            &store,
            &format!("usage per customer {month} show calls, fees sort calls top 2"),
        );
        assert_eq!(top.len(), 2, "{backend:?}: {top:?}");
        assert_eq!(top[0][0], Value::from(KEY), "{backend:?}: {top:?}");
        // Calls alone carry no fee: the minutes at the plan of their day.
        let calls = rows(
            &store,
            &format!("calls where customer = {KEY} {month} show revenue"),
        );
        assert_eq!(money(&calls[0][0]), cents(12.0 * 0.10 + 20.0 * 0.04));
        // The plan history as stored.
        let key = SubscriberKey::parse("customer", KEY).expect("a key");
        let history: Vec<(String, String, Option<String>)> = store
            .plan_history(&key)
            .expect("history")
            .into_iter()
            .map(|p| (p.from, p.until, p.plan))
            .collect();
        assert_eq!(
            history,
            [
                ("1000-01-01".into(), "2026-11-12".into(), Some("A".into())),
                ("2026-11-12".into(), "9999-12-31".into(), Some("B".into())),
            ],
            "{backend:?}"
        );
    }
}

#[test]
fn plan_changes_replace_the_future_and_join_equal_neighbours() {
    for backend in BACKENDS {
        let (db, store) = setup(backend);
        // Back to A from the 20th, then to B from the 15th: the later change replaces the
        // earlier one from its day on; back to A from the 12th joins the first period.
        move_plan(&db, "A", "2026-11-20");
        move_plan(&db, "B", "2026-11-15");
        let key = SubscriberKey::parse("customer", KEY).expect("a key");
        let plans = |store: &Store| -> Vec<(String, Option<String>)> {
            store
                .plan_history(&key)
                .expect("history")
                .into_iter()
                .map(|p| (p.from, p.plan))
                .collect()
        };
        assert_eq!(
            plans(&store),
            [
                ("1000-01-01".to_string(), Some("A".to_string())),
                ("2026-11-12".into(), Some("B".into())),
            ],
            "{backend:?}"
        );
        move_plan(&db, "A", "2026-11-12");
        assert_eq!(
            plans(&store),
            [("1000-01-01".to_string(), Some("A".to_string()))],
            "{backend:?}"
        );
    }
}

#[test]
fn plan_change_mistakes_are_refused_and_change_nothing() {
    let (db, store) = setup(common::Backend::Sqlite);
    let key = SubscriberKey::parse("customer", KEY).expect("a key");
    let before = store.plan_history(&key).expect("history");
    for (args, says) in [
        (
            vec!["customer", "update", KEY, "--from", "2026-11-12"],
            "give --plan too",
        ),
        (
            vec![
                "customer",
                "update",
                KEY,
                "--plan",
                "B",
                "--from",
                "2026-13-01",
            ],
            "must be a date",
        ),
        (
            vec![
                "customer",
                "update",
                KEY,
                "--plan",
                "Nope",
                "--from",
                "2026-11-01",
            ],
            "Nope",
        ),
        (
            vec![
                "customer",
                "update",
                KEY,
                "--plan",
                "B",
                "--from",
                "9999-12-31",
            ],
            "to before 9999-12-31",
        ),
    ] {
        let mut all = vec!["--db", db.url.as_str()];
        all.extend_from_slice(&args);
        let out = tally(&all);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(store.plan_history(&key).expect("history"), before);
    // Fees cannot be split by what belongs to records.
    for query in [
        "usage per hour show revenue",
        "usage where hour >= 22 show fees",
        "usage per weekday show arpu",
    ] {
        common::assert_refused(&store, query, "monthly fees belong to an account");
    }
}

#[test]
fn a_closed_account_with_no_closing_time_pays_until_its_last_record() {
    // Stored closed (an import of old accounts, or closed before schema 8): when it closed is
    // not known, so its fees run until its last record, here the SMS of 6 November 00:00.
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let store = db.open();
        cli(&db, &["plan", "add", "A", "--monthly-fee", "10"]);
        customer(&store, KEY, "A", "2026-10-01T00:00:00Z");
        cli(
            &db,
            &[
                "log",
                "sms",
                KEY,
                "out",
                "447700900999",
                "--at",
                "2026-11-06 00:00",
            ],
        );
        store
            .read(|c| {
                Ok(c.execute(
                    "UPDATE customers SET status = 'closed' WHERE subscriber_key = ?",
                    &[KEY.into()],
                )?)
            })
            .expect("closing without a time");
        let fees = rows(
            &store,
            "usage between 2026-11-01 and 2026-12-01 show fees, arpu",
        );
        assert_eq!(money(&fees[0][0]), cents(10.0 * 5.0 / 30.0), "{backend:?}");
        assert_eq!(money(&fees[0][1]), cents(10.0 * 5.0 / 30.0), "{backend:?}");
        // Closing it again changes nothing: when it closed is still not known.
        cli(&db, &["customer", "update", KEY, "--status", "closed"]);
        let again = rows(&store, "usage between 2026-11-01 and 2026-12-01 show fees");
        assert_eq!(money(&again[0][0]), cents(10.0 * 5.0 / 30.0), "{backend:?}");
        // Reopened, it is open.
        cli(&db, &["customer", "update", KEY, "--status", "active"]);
        let open = rows(&store, "usage between 2026-11-01 and 2026-12-01 show fees");
        assert_eq!(
            money(&open[0][0]),
            10.0,
            "{backend:?}: reopened, a whole month"
        );
    }
}

#[test]
fn money_has_the_configured_currency_in_tables_and_exact_cents_in_csv_and_json() {
    let (db, _store) = setup(common::Backend::Sqlite);
    let config = tempfile::tempdir().expect("a folder");
    std::fs::create_dir_all(config.path().join("tally")).expect("a folder");
    std::fs::write(
        config.path().join("tally/config.toml"),
        "currency = \"gbp\"\n",
    )
    .expect("a config");
    let run = |format: &str| {
        let out = common::tally_cmd(&[
            "--db",
            &db.url,
            "--tz",
            "UTC",
            "--format",
            format,
            "-e",
            &format!("usage where customer = {KEY} between 2026-11-01 and 2026-11-12 show fees"),
        ])
        .env("XDG_CONFIG_HOME", config.path())
        .output()
        .expect("tally");
        assert!(out.status.success(), "{}", stderr(&out));
        common::stdout(&out)
    };
    // Plan A's fee for 1-11 November: 10 × 11/30 = 3.666…, billed as 3.67.
    assert!(run("table").contains("fees (GBP)"), "{}", run("table"));
    assert_eq!(run("csv"), "fees\n3.67\n");
    assert_eq!(run("json"), "[\n  {\"fees\":3.67}\n]\n");
    // A whole number of pounds keeps its two places.
    let csv = common::tally_cmd(&[
        "--db",
        &db.url,
        "--format",
        "csv",
        "-e",
        "usage where customer = 447700900003 between 2026-11-01 and 2026-11-10 show fees",
    ])
    .env("XDG_CONFIG_HOME", config.path())
    .output()
    .expect("tally");
    assert_eq!(common::stdout(&csv), "fees\n9.00\n", "{}", stderr(&csv));
    // A currency that is not a code is refused, naming the file.
    std::fs::write(
        config.path().join("tally/config.toml"),
        "currency = \"£\"\n",
    )
    .expect("a config");
    let out = common::tally_cmd(&["--db", &db.url, "-e", "usage show fees"])
        .env("XDG_CONFIG_HOME", config.path())
        .output()
        .expect("tally");
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("config.toml") && stderr(&out).contains("three-letter ISO 4217"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_customer_an_import_creates_opens_with_its_first_record() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let store = db.open();
        cli(
            &db,
            &[
                "log",
                "call",
                "447700900777",
                "out",
                "447700900999",
                "--at",
                "2026-11-05T10:00:00Z",
                "--duration",
                "1m",
                "--create-customer",
            ],
        );
        let opened = store
            .read(|c| {
                Ok(c.query(
                    "SELECT created_at FROM customers WHERE subscriber_key = '447700900777'",
                    &[],
                )?)
            })
            .expect("the customer")
            .scalar()
            .map(Value::to_string)
            .unwrap_or_default();
        assert!(
            opened.starts_with("2026-11-05 10:00:00"),
            "{backend:?}: {opened}"
        );
        // Its account is open in November: ARPU counts it (no plan: nothing to pay).
        let arpu = rows(&store, "usage between 2026-11-01 and 2026-12-01 show arpu");
        assert_eq!(arpu[0][0].as_f64(), Some(0.0), "{backend:?}: {arpu:?}");
    }
}

#[test]
fn two_writers_changing_one_customers_plan_at_once_leave_one_unbroken_history() {
    // Two processes' stores on one MariaDB database, each moving the same customer between
    // plans from different days, many times over: the periods must still cover all time
    // without gap or overlap, whatever order the writers run in.
    let db = TestDb::new(common::Backend::Mysql);
    let store = db.open();
    cli(&db, &["plan", "add", "A", "--monthly-fee", "10"]);
    cli(&db, &["plan", "add", "B", "--monthly-fee", "30"]);
    customer(&store, KEY, "A", "2026-10-01T00:00:00Z");
    let key = SubscriberKey::parse("customer", KEY).expect("a key");
    let writers: Vec<std::thread::JoinHandle<()>> = (0..2)
        .map(|w| {
            let mine = db.open();
            let key = key.clone();
            std::thread::spawn(move || {
                for n in 0..40u32 {
                    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 1 + (n * 7 + w * 3) % 28)
                        .expect("a day");
                    let changes = tally::model::CustomerChanges {
                        plan: Some(Some(if (n + w) % 2 == 0 { "A" } else { "B" }.into())),
                        plan_from: Some(day),
                        ..Default::default()
                    };
                    mine.update_customer(&key, &changes).expect("a plan change");
                }
            })
        })
        .collect();
    for w in writers {
        w.join().expect("a writer");
    }
    let history = store.plan_history(&key).expect("history");
    assert_eq!(history.first().map(|p| p.from.as_str()), Some("1000-01-01"));
    assert_eq!(history.last().map(|p| p.until.as_str()), Some("9999-12-31"));
    for pair in history.windows(2) {
        assert_eq!(
            pair[0].until, pair[1].from,
            "a gap or an overlap: {history:?}"
        );
        assert!(pair[0].from < pair[0].until, "{history:?}");
    }
}
