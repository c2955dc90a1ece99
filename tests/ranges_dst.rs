//! Every range form across both daylight-saving changes of 2026, in zones with whole-hour,
//! half-hour and 45-minute offsets: the count a query gives equals a count computed here from
//! the records' instants and the zone's wall clock alone (chrono-tz), for many clock times
//! around each change. Also ranges that cannot be answered in full, which must be refused.

mod common;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use common::{Backend, TestDb, stderr, tally};
use tally::model::{CallInput, InputContext, Record, Zone};
use tally::query::{Answer, run};
use tally::store::Store;

const ZONES: [&str; 5] = [
    "Europe/London",
    "America/New_York",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/Santiago",
];

/// The instants at which `tz` changed its offset in 2026.
fn changes(tz: Tz) -> Vec<DateTime<Utc>> {
    let offset = |t: DateTime<Utc>| t.with_timezone(&tz).naive_local() - t.naive_utc();
    let mut out = Vec::new();
    let mut t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let end = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
    while t < end {
        let next = t + Duration::minutes(15);
        if offset(next) != offset(t) {
            out.push(next);
        }
        t = next;
    }
    out
}

/// One call every 10 minutes for 5 days either side of each change of every zone.
fn instants() -> Vec<DateTime<Utc>> {
    let mut all: Vec<DateTime<Utc>> = ZONES
        .iter()
        .flat_map(|z| changes(z.parse().unwrap()))
        .flat_map(|c| (-720..720).map(move |k| c + Duration::minutes(10 * k)))
        .map(|t| DateTime::from_timestamp(t.timestamp() / 600 * 600, 0).unwrap())
        .collect();
    all.sort();
    all.dedup();
    all
}

fn load(store: &Store, times: &[DateTime<Utc>]) {
    let ctx = InputContext::new(Zone::utc());
    let records: Vec<Record> = times
        .iter()
        .map(|t| {
            Record::Call(
                CallInput {
                    customer: "447700900001".into(),
                    direction: "out".into(),
                    other: "447700900002".into(),
                    at: Some(t.to_rfc3339()),
                    duration: Some("60".into()),
                    ..Default::default()
                }
                .validate(&ctx)
                .unwrap(),
            )
        })
        .collect();
    for chunk in records.chunks(5_000) {
        store.insert_batch(chunk, true).unwrap();
    }
}

/// Which records a range form holds, computed from wall clocks alone.
fn expected(form: &str, tz: Tz, now: DateTime<Utc>, times: &[DateTime<Utc>]) -> usize {
    let wall = |t: DateTime<Utc>| t.with_timezone(&tz).naive_local();
    let today = wall(now).date();
    let monday = |d: NaiveDate| d - Duration::days(i64::from(d.weekday().num_days_from_monday()));
    let month = |d: NaiveDate| d.year() * 12 + d.month0() as i32;
    let words: Vec<&str> = form.split_whitespace().collect();
    // `last N hours` is N real hours of 3,600 seconds: the current hour (back from now by the
    // minutes and seconds the zone's clock shows) and the N - 1 before it, whatever the clock
    // did meanwhile.
    let hours = match words.as_slice() {
        ["last", n, "hours"] => {
            let n: i64 = n.parse().unwrap();
            let clock = wall(now);
            let into = i64::from(clock.minute()) * 60 + i64::from(clock.second());
            let end = now - Duration::seconds(into) + Duration::seconds(3_600);
            let start = end - Duration::seconds(3_600 * n);
            assert!(start <= now && now < end);
            Some((start, end))
        }
        _ => None,
    };
    let holds = |t: DateTime<Utc>| -> bool {
        if let Some((start, end)) = hours {
            return t >= start && t < end;
        }
        let d = wall(t).date();
        match words.as_slice() {
            ["today"] => d == today,
            ["yesterday"] => d == today.pred_opt().unwrap(),
            ["on", day] => d == NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap(),
            ["this", "week"] => monday(d) == monday(today),
            ["this", "month"] => month(d) == month(today),
            ["this", "year"] => d.year() == today.year(),
            ["last", n, "days"] => {
                let n: i64 = n.parse().unwrap();
                d <= today && d > today - Duration::days(n)
            }
            ["last", n, "weeks"] => {
                let n: i64 = n.parse().unwrap();
                monday(d) <= monday(today) && monday(d) > monday(today) - Duration::weeks(n)
            }
            ["last", n, "months"] => {
                let n: i32 = n.parse().unwrap();
                month(d) <= month(today) && month(d) > month(today) - n
            }
            other => panic!("no expectation for {other:?}"),
        }
    };
    times.iter().filter(|t| holds(**t)).count()
}

fn count(store: &Store, query: &str, zone: &str, now: DateTime<Utc>) -> usize {
    match run(store, query, &Zone::parse(zone).unwrap(), now) {
        Ok(Answer::Table(rs)) => rs
            .rows
            .first()
            .and_then(|r| r.first())
            .and_then(|v| v.as_i64())
            .unwrap_or(0) as usize,
        Ok(other) => panic!("{query}: {other:?}"),
        Err(e) => panic!("{query} in {zone} at {now}: {}", e.render(query)),
    }
}

fn forms(change: DateTime<Utc>, tz: Tz) -> Vec<String> {
    let day = change.with_timezone(&tz).date_naive();
    let mut out: Vec<String> = [
        "today",
        "yesterday",
        "this week",
        "this month",
        "this year",
        "last 2 days",
        "last 3 weeks",
        "last 2 months",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    out.push(format!("on {day}"));
    out.push(format!("on {}", day.pred_opt().unwrap()));
    out.extend([1, 2, 3, 5, 24, 26, 49].map(|n| format!("last {n} hours")));
    out
}

#[test]
fn every_range_form_across_daylight_saving_changes_counts_what_the_wall_clock_says() {
    let db = TestDb::new(Backend::Sqlite);
    let store = db.open();
    let times = instants();
    load(&store, &times);
    let mut checked = 0;
    for zone in ZONES {
        let tz: Tz = zone.parse().unwrap();
        for change in changes(tz) {
            // Clock times from two hours before the change to a day after, every 40 minutes.
            for k in -3..=39 {
                let now = change + Duration::minutes(40 * k);
                for form in forms(change, tz) {
                    let query = format!("calls {form} show count");
                    let got = count(&store, &query, zone, now);
                    let want = expected(&form, tz, now, &times);
                    assert_eq!(
                        got, want,
                        "`{query}` in {zone} at {now} (change at {change})"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 2_500, "{checked} cases");
}

#[test]
fn last_hours_are_real_hours_across_a_skipped_hour() {
    // The report: at 02:30 on the spring-forward day in London, `last 2 hours` returned
    // almost nothing because its first hour (01:00) does not exist. It is two real hours,
    // 00:00-01:00 GMT and 02:00-03:00 BST: 12 calls at one every 10 minutes.
    for backend in [Backend::Sqlite, Backend::Mysql] {
        let db = TestDb::new(backend);
        let store = db.open();
        let times = instants();
        load(&store, &times);
        let tz: Tz = "Europe/London".parse().unwrap();
        let now = Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 0).unwrap(); // 02:30 BST
        assert_eq!(now.with_timezone(&tz).hour(), 2);
        for n in 1..=4 {
            let form = format!("last {n} hours");
            let got = count(
                &store,
                &format!("calls {form} show count"),
                "Europe/London",
                now,
            );
            assert_eq!(got, expected(&form, tz, now, &times), "{backend:?} {form}");
            assert!(got >= 6, "{backend:?} {form}: {got}");
        }
    }
}

#[test]
fn ranges_that_cannot_be_answered_in_full_are_refused_quickly() {
    let db = TestDb::new(Backend::Sqlite);
    let store = db.open();
    load(
        &store,
        &[Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap()],
    );
    drop(store);
    let cases: [(&str, &str); 5] = [
        ("trend minutes per hour since 2010-01-01", "buckets"),
        ("summary last 999999 days", "before 1970-01-01"),
        ("summary last 1000000000 hours", "before 1970-01-01"),
        ("summary last 9999999 weeks", "before 1970-01-01"),
        ("calls last 2000 months", "before 1970-01-01"),
    ];
    for (query, says) in cases {
        let started = std::time::Instant::now();
        let out = tally(&["--db", &db.url, "--tz", "Europe/London", "-e", query]);
        assert_eq!(out.status.code(), Some(1), "{query}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{query}: {}", stderr(&out));
        assert!(
            started.elapsed().as_secs() < 30,
            "{query} took {:?}: it must be refused, not worked through",
            started.elapsed()
        );
    }
    // Centuries asked for explicitly are answered at once: only the hours that hold data are
    // looked at for the zone's offsets.
    for query in [
        "peak hours calls between 1970-01-02 and 9999-12-31",
        "calls per day between 1970-01-02 and 9999-12-31",
    ] {
        let started = std::time::Instant::now();
        let out = tally(&[
            "--db",
            &db.url,
            "--tz",
            "Europe/London",
            "--format",
            "csv",
            "-e",
            query,
        ]);
        assert!(out.status.success(), "{query}: {}", stderr(&out));
        assert!(
            started.elapsed().as_secs() < 20,
            "{query} took {:?}",
            started.elapsed()
        );
    }
    let out = tally(&[
        "--db",
        &db.url,
        "--tz",
        "Europe/London",
        "--format",
        "csv",
        "-e",
        "trend calls per hour last 99999 hours",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // What can be answered in full still is: every day since 1970 is a long trend, but whole.
    let out = tally(&[
        "--db",
        &db.url,
        "--tz",
        "UTC",
        "-e",
        "trend calls per month since 2026-01-01",
        "--format",
        "csv",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
}
