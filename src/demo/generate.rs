//! Deterministic synthetic traffic: the same seed gives the same customers and, for each
//! customer and day, the same records, whatever window the day falls in.

use crate::model::{
    ByteSize, Call, CallStatus, CustomerStatus, DataSession, Direction, Duration, NewCustomer,
    NewPlan, PartyId, Price, Record, Sms, SourceKey, SubscriberKey,
};
use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc, Weekday};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal, Poisson};

/// Mean records per customer per day at activity 1 (about 10M calls, 5M SMS and 5M sessions for
/// 100,000 customers over 30 days).
const CALLS_PER_DAY: f64 = 3.3;
const SMS_PER_DAY: f64 = 1.7;
const SESSIONS_PER_DAY: f64 = 1.7;

/// Relative call volume by UTC hour: quiet at night, peaks late morning and early evening.
const CALL_CURVE: [f64; 24] = [
    0.15, 0.08, 0.05, 0.04, 0.05, 0.12, 0.35, 0.70, 1.00, 1.25, 1.45, 1.55, 1.40, 1.30, 1.30, 1.35,
    1.40, 1.50, 1.65, 1.75, 1.60, 1.20, 0.80, 0.40,
];
/// Data peaks later, in the evening.
const DATA_CURVE: [f64; 24] = [
    0.50, 0.30, 0.20, 0.15, 0.15, 0.25, 0.50, 0.80, 0.95, 1.00, 1.00, 1.05, 1.15, 1.10, 1.05, 1.05,
    1.10, 1.25, 1.45, 1.70, 1.90, 1.95, 1.60, 1.00,
];

const REGIONS: [&str; 5] = ["North", "South", "East", "West", "Central"];
const FIRST: [&str; 12] = [
    "Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Imani", "Jonas", "Keiko",
    "Luis",
];
const LAST: [&str; 12] = [
    "Okafor", "Smith", "Nguyen", "Patel", "Kowalski", "Garcia", "Muller", "Haddad", "Jones",
    "Rossi", "Tanaka", "Silva",
];

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoSpec {
    /// How many customers.
    pub customers: usize,
    /// How many days of traffic, ending the day before [`DemoSpec::end`].
    pub days: u32,
    /// The random seed: the same seed gives the same customers and records.
    pub seed: u64,
    /// The day after the last generated day (UTC). Defaults to today, so the data covers the
    /// last `days` whole days and never lies in the future.
    pub end: NaiveDate,
}

impl DemoSpec {
    /// The first generated day (UTC).
    pub fn first_day(&self) -> NaiveDate {
        self.end - TimeDelta::days(i64::from(self.days))
    }

    /// Every generated day, in order.
    pub fn day_list(&self) -> Vec<NaiveDate> {
        (0..self.days)
            .map(|i| self.first_day() + TimeDelta::days(i64::from(i)))
            .collect()
    }
}

/// The four demo tariff plans: Basic, Standard, Premium and DataMax.
pub fn plans() -> Vec<NewPlan> {
    let plan = |name: &str, minute: f64, sms: f64, mb: f64, fee: f64| NewPlan {
        name: name.to_string(),
        per_minute: Price::from_f64(minute),
        per_sms: Price::from_f64(sms),
        per_mb: Price::from_f64(mb),
        monthly_fee: Price::from_f64(fee),
    };
    vec![
        plan("Basic", 0.10, 0.05, 0.02, 5.0),
        plan("Standard", 0.05, 0.03, 0.01, 15.0),
        plan("Premium", 0.02, 0.01, 0.005, 35.0),
        plan("DataMax", 0.08, 0.04, 0.002, 25.0),
    ]
}

/// A demo customer and how much it uses the network.
#[derive(Debug, Clone)]
pub struct DemoCustomer {
    /// The customer as it is stored.
    pub customer: NewCustomer,
    /// Mean 1, heavy-tailed: a few customers make most of the traffic.
    pub activity: f64,
    /// How many more data sessions than usual the customer opens: 2.5 on DataMax, else 1.
    pub data_factor: f64,
    /// The cell id of the customer's calls and data sessions.
    pub home_cell: String,
}

/// The subscriber key of demo customer `index`: `4477` and eight digits, from `447700000001`.
pub fn customer_key(index: usize) -> SubscriberKey {
    // 12-digit UK-style mobile numbers, all in one block.
    let digits = format!("4477{:08}", index + 1);
    SubscriberKey::parse("customer", &digits).unwrap_or_else(|_| unreachable!("12 digits"))
}

fn rng_for(seed: u64, a: u64, b: u64) -> ChaCha8Rng {
    // splitmix64 of the three numbers: independent streams per customer and per day.
    let mut x =
        seed ^ a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ChaCha8Rng::seed_from_u64(x ^ (x >> 31))
}

/// Demo customer `index` of `spec`: always the same for the same seed.
pub fn customer(spec: &DemoSpec, index: usize) -> DemoCustomer {
    let mut rng = rng_for(spec.seed, index as u64, u64::MAX);
    let activity = sample(&LogNormal::new(-0.5, 1.0), &mut rng, 1.0).min(25.0);
    let plan = [
        "Basic", "Basic", "Standard", "Standard", "Standard", "Premium", "DataMax",
    ][rng.random_range(0..7)];
    let region_index = rng.random_range(0..REGIONS.len());
    let status = match rng.random_range(0..100) {
        0..95 => CustomerStatus::Active,
        95..99 => CustomerStatus::Suspended,
        _ => CustomerStatus::Closed,
    };
    let created = spec.first_day() - TimeDelta::days(rng.random_range(30..1500));
    let name = format!(
        "{} {}",
        FIRST[rng.random_range(0..FIRST.len())],
        LAST[rng.random_range(0..LAST.len())]
    );
    DemoCustomer {
        customer: NewCustomer {
            key: customer_key(index),
            name: Some(name),
            plan: Some(plan.to_string()),
            region: Some(REGIONS[region_index].to_string()),
            status,
            created_at: created.and_hms_opt(9, 0, 0).map(|t| t.and_utc()),
        },
        activity,
        data_factor: if plan == "DataMax" { 2.5 } else { 1.0 },
        home_cell: format!(
            "{}-{:03}",
            &REGIONS[region_index][..1],
            rng.random_range(1..=40)
        ),
    }
}

fn sample<D: Distribution<f64>, E>(
    dist: &Result<D, E>,
    rng: &mut ChaCha8Rng,
    fallback: f64,
) -> f64 {
    dist.as_ref().map_or(fallback, |d| d.sample(rng))
}

fn count(rng: &mut ChaCha8Rng, mean: f64) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    sample(&Poisson::new(mean), rng, 0.0) as u64
}

fn pick_hour(rng: &mut ChaCha8Rng, curve: &[f64; 24]) -> u32 {
    let total: f64 = curve.iter().sum();
    let mut target = rng.random::<f64>() * total;
    for (hour, weight) in curve.iter().enumerate() {
        if target < *weight {
            return hour as u32;
        }
        target -= weight;
    }
    23
}

fn moment(rng: &mut ChaCha8Rng, day: NaiveDate, curve: &[f64; 24]) -> DateTime<Utc> {
    let hour = pick_hour(rng, curve);
    let seconds = hour * 3600 + rng.random_range(0..3600);
    day.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc() + TimeDelta::seconds(i64::from(seconds)))
        .unwrap_or_default()
}

fn other_party(rng: &mut ChaCha8Rng, spec: &DemoSpec) -> PartyId {
    let text = if rng.random_bool(0.35) && spec.customers > 1 {
        customer_key(rng.random_range(0..spec.customers))
            .as_str()
            .to_string()
    } else {
        let n = rng.random_range(1_000_000_000u64..10_000_000_000);
        // Outside numbers come from a population of 50,000, as a network's customers call the
        // same people again and again; about one in ten abroad. Both follow from the digits
        // already drawn, so the random stream (every other value of a seed) stays as it was.
        let contact = n % 50_000;
        match contact % 40 {
            0 | 1 => format!("1202555{:04}", contact / 40 % 10_000),
            2 => format!("3361{:07}", contact),
            3 => format!("4915{:09}", contact * 7_919),
            _ => format!("447{:09}", 400_000_000 + contact * 9_973),
        }
    };
    PartyId::parse("other", &text).unwrap_or_else(|_| unreachable!("digits"))
}

fn seconds(value: f64) -> Duration {
    Duration::from_seconds("duration", value.round().clamp(0.0, 86_400.0) as i64)
        .unwrap_or_default()
}

/// Every record of customer `index` on `day`, in time order.
pub fn day_records(
    spec: &DemoSpec,
    index: usize,
    who: &DemoCustomer,
    day: NaiveDate,
) -> Vec<Record> {
    let mut rng = rng_for(spec.seed, index as u64, day.num_days_from_ce() as u64);
    let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
    let (call_f, data_f) = if weekend { (0.75, 1.25) } else { (1.0, 1.0) };
    let key = &who.customer.key;
    let tag = |kind: char, n: u64| {
        SourceKey::given(
            "source",
            &format!(
                "demo:{}:{key}:{}:{kind}{n}",
                spec.seed,
                day.format("%Y%m%d")
            ),
        )
        .unwrap_or_else(|_| unreachable!("short printable key"))
    };
    let mut out = Vec::new();
    for n in 0..count(&mut rng, CALLS_PER_DAY * who.activity * call_f) {
        out.push(Record::Call(call(&mut rng, spec, who, day, tag('c', n))));
    }
    for n in 0..count(&mut rng, SMS_PER_DAY * who.activity) {
        out.push(Record::Sms(Sms {
            customer: key.clone(),
            direction: if rng.random_bool(0.55) {
                Direction::Out
            } else {
                Direction::In
            },
            other: other_party(&mut rng, spec),
            at: moment(&mut rng, day, &CALL_CURVE),
            source_key: tag('s', n),
        }));
    }
    for n in 0..count(
        &mut rng,
        SESSIONS_PER_DAY * who.activity.sqrt() * who.data_factor * data_f,
    ) {
        out.push(Record::Data(session(&mut rng, who, day, tag('d', n))));
    }
    out.sort_by_key(Record::time);
    out
}

fn call(
    rng: &mut ChaCha8Rng,
    spec: &DemoSpec,
    who: &DemoCustomer,
    day: NaiveDate,
    key: SourceKey,
) -> Call {
    let status = match rng.random_range(0..100) {
        0..80 => CallStatus::Answered,
        80..91 => CallStatus::NoAnswer,
        91..97 => CallStatus::Busy,
        _ => CallStatus::Failed,
    };
    let duration = if status == CallStatus::Answered {
        seconds(sample(&LogNormal::new(80f64.ln(), 1.0), rng, 80.0).clamp(1.0, 4.0 * 3600.0))
    } else {
        Duration::default()
    };
    Call {
        customer: who.customer.key.clone(),
        direction: if rng.random_bool(0.58) {
            Direction::Out
        } else {
            Direction::In
        },
        other: other_party(rng, spec),
        start: moment(rng, day, &CALL_CURVE),
        duration,
        status,
        cell: Some(who.home_cell.clone()),
        source_key: key,
    }
}

fn session(
    rng: &mut ChaCha8Rng,
    who: &DemoCustomer,
    day: NaiveDate,
    key: SourceKey,
) -> DataSession {
    let down = sample(&LogNormal::new(15e6f64.ln(), 1.4), rng, 15e6).min(20e9);
    let up = down * rng.random_range(0.03..0.2);
    let bytes = |v: f64| ByteSize::from_bytes("bytes", v.round() as i64).unwrap_or_default();
    DataSession {
        customer: who.customer.key.clone(),
        start: moment(rng, day, &DATA_CURVE),
        duration: seconds(
            sample(&LogNormal::new(600f64.ln(), 1.0), rng, 600.0).clamp(1.0, 6.0 * 3600.0),
        ),
        up: bytes(up),
        down: bytes(down),
        cell: Some(who.home_cell.clone()),
        source_key: key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> DemoSpec {
        DemoSpec {
            customers: 50,
            days: 7,
            seed: 7,
            end: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        }
    }

    #[test]
    fn same_seed_same_records() {
        let s = spec();
        let who = customer(&s, 3);
        let day = s.first_day();
        assert_eq!(
            day_records(&s, 3, &who, day),
            day_records(&s, 3, &customer(&s, 3), day)
        );
        let other = DemoSpec {
            seed: 8,
            ..s.clone()
        };
        assert_ne!(
            day_records(&s, 3, &who, day),
            day_records(&other, 3, &customer(&other, 3), day)
        );
    }

    #[test]
    fn a_day_is_the_same_in_any_window() {
        let s = spec();
        let longer = DemoSpec {
            days: 14,
            end: s.end + TimeDelta::days(3),
            ..s.clone()
        };
        let day = s.first_day() + TimeDelta::days(2);
        let who = customer(&s, 5);
        assert_eq!(
            day_records(&s, 5, &who, day),
            day_records(&longer, 5, &who, day)
        );
    }

    #[test]
    fn traffic_follows_the_daily_curve() {
        let s = DemoSpec {
            customers: 300,
            ..spec()
        };
        let mut by_hour = [0usize; 24];
        for i in 0..s.customers {
            let who = customer(&s, i);
            for day in s.day_list() {
                for r in day_records(&s, i, &who, day) {
                    if let Record::Call(c) = r {
                        by_hour[c.start.format("%H").to_string().parse::<usize>().unwrap()] += 1;
                    }
                }
            }
        }
        assert!(by_hour[11] > 5 * by_hour[3], "{by_hour:?}");
        assert!(by_hour[19] > 5 * by_hour[3], "{by_hour:?}");
    }

    #[test]
    fn records_stay_inside_their_day() {
        let s = spec();
        for i in 0..s.customers {
            let who = customer(&s, i);
            for day in s.day_list() {
                for r in day_records(&s, i, &who, day) {
                    assert_eq!(r.time().date_naive(), day);
                }
            }
        }
    }
}
