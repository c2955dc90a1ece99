//! tally as a library: open a store, add a plan and a customer, log records, define a metric,
//! ask a question and read the answer's rows.
//!
//! `cargo run --example embed` (an in-memory SQLite store), or
//! `cargo run --example embed -- mysql://root@127.0.0.1/tally_example`.

use std::sync::Arc;
use tally::config::{DbUrl, PoolSize};
use tally::metric::Metrics;
use tally::model::{
    CallInput, DataInput, InputContext, NewCustomer, NewPlan, Price, Record, SmsInput,
    SubscriberKey, Zone,
};
use tally::query::{Answer, run_with};
use tally::store::Store;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sqlite::memory:".into());
    // Connects and brings the schema up to date.
    let store = Store::open(&DbUrl::parse(&url)?, PoolSize::default())?;

    store.add_plan(&NewPlan {
        name: "Standard".into(),
        per_minute: Price::parse("per_minute", "0.05")?,
        per_sms: Price::parse("per_sms", "0.03")?,
        per_mb: Price::parse("per_mb", "0.01")?,
        monthly_fee: Price::parse("monthly_fee", "15")?,
    })?;
    let key = SubscriberKey::parse("customer", "447700900123")?;
    store.add_customer(&NewCustomer {
        plan: Some("Standard".into()),
        ..NewCustomer::bare(key)
    })?;

    // Records are typed as people write them, checked, then stored exactly once.
    let ctx = InputContext::new(Zone::utc());
    let call = CallInput {
        customer: "447700900123".into(),
        direction: "out".into(),
        other: "+447700900456".into(),
        duration: Some("3m20s".into()),
        at: Some("2026-11-20 10:15".into()),
        ..CallInput::default()
    };
    store.log(&Record::Call(call.validate(&ctx)?), false)?;
    let sms = SmsInput {
        customer: "447700900123".into(),
        direction: "out".into(),
        other: "+447700900456".into(),
        at: Some("2026-11-20 10:20".into()),
        source_key: None,
    };
    store.log(&Record::Sms(sms.validate(&ctx)?), false)?;
    let data = DataInput {
        customer: "447700900123".into(),
        duration: Some("25m".into()),
        up: Some("12MB".into()),
        down: Some("340MB".into()),
        at: Some("2026-11-20 11:00".into()),
        ..DataInput::default()
    };
    store.log(&Record::Data(data.validate(&ctx)?), false)?;

    // A metric, as `metric NAME = ...` defines it at the shell (here not saved to a file).
    let mut metrics = Metrics::new(None);
    metrics.define("rev_est", "minutes * 0.05 + sms * 0.02 + data_mb * 0.01")?;
    let metrics = Arc::new(metrics);

    let text = "customers show calls, minutes, sms, data_mb, revenue, rev_est";
    let Answer::Table(answer) = run_with(&store, text, &Zone::utc(), chrono::Utc::now(), &metrics)
        .map_err(|e| e.render(text))?
    else {
        return Err("not a table".into());
    };
    println!("{}", answer.title.as_deref().unwrap_or(""));
    let names: Vec<&str> = answer.columns.iter().map(|c| c.name.as_str()).collect();
    for row in &answer.rows {
        for (name, value) in names.iter().zip(row) {
            println!("  {name:<9} {value}");
        }
    }
    let minutes = answer.column_index("minutes").ok_or("no minutes column")?;
    assert_eq!(answer.rows[0][minutes].as_f64(), Some(200.0 / 60.0));
    Ok(())
}
