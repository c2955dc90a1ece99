//! `tally demo --anomalies`: four customers whose traffic follows a known pattern, added to the
//! ordinary demo so that `anomalies`, `suspects` and `declining customers` have something to
//! find. Each is steady until the last days of the demo, then does what its name says.

use super::DemoSpec;
use crate::model::{
    Call, CallStatus, CustomerStatus, Direction, Duration, NewCustomer, PartyId, Record, SourceKey,
    SubscriberKey,
};
use chrono::{NaiveDate, TimeDelta};

/// The planted customers: (key, what they do).
pub const PLANTED: [(&str, &str); 4] = [
    (
        "447799000001",
        "spike: 5 calls a day, then 80 calls on the demo's third-last day",
    ),
    (
        "447799000002",
        "SIM box: from the demo's third-last day, 150 short outgoing calls a day to new numbers from one cell, none incoming",
    ),
    (
        "447799000003",
        "international: 4 domestic calls a day, then 15 calls a day to the US over the last 3 days",
    ),
    (
        "447799000004",
        "declining: 10 calls a day, then one every other day over the last 14 days",
    ),
];

/// The planted customers, on the Standard plan.
pub fn customers(spec: &DemoSpec) -> Vec<NewCustomer> {
    let opened = (spec.first_day() - TimeDelta::days(400))
        .and_hms_opt(9, 0, 0)
        .map(|t| t.and_utc());
    PLANTED
        .iter()
        .enumerate()
        .filter_map(|(i, (key, _))| {
            Some(NewCustomer {
                key: SubscriberKey::parse("customer", key).ok()?,
                name: Some(format!(
                    "Planted {}",
                    ["spike", "simbox", "international", "declining"][i]
                )),
                plan: Some("Standard".into()),
                region: Some("Central".into()),
                status: CustomerStatus::Active,
                created_at: opened,
            })
        })
        .collect()
}

/// The planted customers' records on `day`.
pub fn day_records(spec: &DemoSpec, day: NaiveDate) -> Vec<Record> {
    let from_end = (spec.end - day).num_days(); // 1 on the last day
    let mut out = Vec::new();
    let mut add =
        |who: usize, n: u32, direction: Direction, other: String, seconds: i64, cell: &str| {
            let key = PLANTED[who].0;
            let at = day
                .and_hms_opt(8, 0, 0)
                .map(|t| t.and_utc())
                .unwrap_or_default()
                + TimeDelta::seconds(i64::from(n) * 97 % 50_000);
            let (Ok(customer), Ok(party), Ok(source_key)) = (
                SubscriberKey::parse("customer", key),
                PartyId::parse("other", &other),
                SourceKey::given(
                    "source",
                    &format!(
                        "demo:{}:planted:{key}:{}:{n}",
                        spec.seed,
                        day.format("%Y%m%d")
                    ),
                ),
            ) else {
                return;
            };
            out.push(Record::Call(Call {
                customer,
                direction,
                other: party,
                start: at,
                duration: Duration::from_seconds("duration", seconds).unwrap_or_default(),
                status: CallStatus::Answered,
                cell: Some(cell.to_string()),
                source_key,
            }));
        };
    let domestic = |n: u32| format!("44790{:07}", 1_000 + n);
    let stamp = day.format("%m%d").to_string();
    // Spike.
    let spike_calls = if from_end == 3 { 80 } else { 5 };
    for n in 0..spike_calls {
        add(0, n, Direction::Out, domestic(n), 120, "C-001");
    }
    // SIM box: every call to a number never called before.
    if from_end <= 3 {
        for n in 0..150 {
            add(
                1,
                n,
                Direction::Out,
                format!("4478{stamp}{n:04}"),
                30 + i64::from(n % 30),
                "SB-001",
            );
        }
    }
    // International.
    for n in 0..4 {
        add(2, n, Direction::Out, domestic(n), 180, "C-002");
    }
    if from_end <= 3 {
        for n in 4..19 {
            add(
                2,
                n,
                Direction::Out,
                format!("1202555{:04}", n),
                300,
                "C-002",
            );
        }
    }
    // Declining.
    let declining_calls = if from_end > 14 {
        10
    } else if from_end % 2 == 0 {
        1
    } else {
        0
    };
    for n in 0..declining_calls {
        add(
            3,
            n,
            if n % 2 == 0 {
                Direction::Out
            } else {
                Direction::In
            },
            domestic(n),
            150,
            "C-003",
        );
    }
    out
}
