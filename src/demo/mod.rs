//! `tally demo`: realistic synthetic traffic, stored through the normal insert path or written
//! as native CSV files.

mod generate;
pub mod planted;

pub use generate::{DemoCustomer, DemoSpec, customer, customer_key, day_records, plans};

use crate::model::{Record, RecordKind};
use crate::native;
use crate::store::{Store, StoreError};
use indicatif::ProgressBar;
use std::fmt;
use std::path::Path;

/// Records per transaction when loading into a store.
const BATCH: usize = 5_000;

/// What a demo run produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoReport {
    /// Plans stored or written.
    pub plans: usize,
    /// Customers stored or written.
    pub customers: usize,
    /// Calls generated.
    pub calls: usize,
    /// SMS generated.
    pub sms: usize,
    /// Data sessions generated.
    pub data: usize,
    /// Records already stored by an earlier run with the same seed.
    pub duplicates: usize,
}

impl DemoReport {
    fn count(&mut self, records: &[Record]) {
        for r in records {
            match r.kind() {
                RecordKind::Call => self.calls += 1,
                RecordKind::Sms => self.sms += 1,
                RecordKind::Data => self.data += 1,
            }
        }
    }
}

impl fmt::Display for DemoReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} plans, {} customers, {} calls, {} SMS, {} data sessions",
            self.plans, self.customers, self.calls, self.sms, self.data
        )?;
        if self.duplicates > 0 {
            write!(f, " ({} records were already stored)", self.duplicates)?;
        }
        Ok(())
    }
}

/// Stores the demo data. Running it again with the same seed adds nothing twice.
pub fn load(store: &Store, spec: &DemoSpec, bar: &ProgressBar) -> Result<DemoReport, StoreError> {
    let mut report = DemoReport::default();
    for plan in plans() {
        if store.plan(&plan.name)?.is_none() {
            store.add_plan(&plan)?;
        }
        report.plans += 1;
    }
    let people: Vec<DemoCustomer> = (0..spec.customers).map(|i| customer(spec, i)).collect();
    for chunk in people.chunks(BATCH) {
        let batch: Vec<_> = chunk.iter().map(|p| p.customer.clone()).collect();
        store.add_customers(&batch)?;
    }
    report.customers = people.len();
    bar.set_length((spec.customers * spec.days as usize) as u64);
    let mut pending: Vec<Record> = Vec::with_capacity(BATCH * 2);
    for day in spec.day_list() {
        for (i, who) in people.iter().enumerate() {
            pending.extend(day_records(spec, i, who, day));
            if pending.len() >= BATCH {
                flush(store, &mut pending, &mut report)?;
            }
            bar.inc(1);
        }
    }
    flush(store, &mut pending, &mut report)?;
    bar.finish_and_clear();
    Ok(report)
}

/// Adds the planted customers (`demo --anomalies`) and their records to a store the demo of
/// `spec` was loaded into; running it again adds nothing twice.
pub fn load_planted(store: &Store, spec: &DemoSpec) -> Result<DemoReport, StoreError> {
    let mut report = DemoReport::default();
    let planted = planted::customers(spec);
    report.customers = planted.len();
    store.add_customers(&planted)?;
    let mut pending: Vec<Record> = Vec::new();
    for day in spec.day_list() {
        pending.extend(planted::day_records(spec, day));
        if pending.len() >= BATCH {
            flush(store, &mut pending, &mut report)?;
        }
    }
    flush(store, &mut pending, &mut report)?;
    Ok(report)
}

fn flush(
    store: &Store,
    pending: &mut Vec<Record>,
    report: &mut DemoReport,
) -> Result<(), StoreError> {
    if pending.is_empty() {
        return Ok(());
    }
    let outcome = store.insert_batch(pending, false)?;
    if let Some((_, e)) = outcome.rejected.into_iter().next() {
        return Err(e);
    }
    report.count(pending);
    report.duplicates += outcome.duplicates;
    pending.clear();
    Ok(())
}

/// Writes plans.csv, customers.csv, calls.csv, sms.csv and data.csv into `dir`.
pub fn write_csv(dir: &Path, spec: &DemoSpec, bar: &ProgressBar) -> Result<DemoReport, csv::Error> {
    std::fs::create_dir_all(dir)?;
    let mut report = DemoReport::default();
    let mut plans_out = csv::Writer::from_path(dir.join("plans.csv"))?;
    plans_out.write_record(native::PLANS_HEADER)?;
    for plan in plans() {
        plans_out.write_record(native::plan_fields(&plan))?;
        report.plans += 1;
    }
    plans_out.flush()?;
    let people: Vec<DemoCustomer> = (0..spec.customers).map(|i| customer(spec, i)).collect();
    let mut customers_out = csv::Writer::from_path(dir.join("customers.csv"))?;
    customers_out.write_record(native::CUSTOMERS_HEADER)?;
    for p in &people {
        customers_out.write_record(native::customer_fields(&p.customer))?;
    }
    customers_out.flush()?;
    report.customers = people.len();
    let mut writers = Vec::new();
    for kind in [RecordKind::Call, RecordKind::Sms, RecordKind::Data] {
        let mut w = csv::Writer::from_path(dir.join(native::file_name(kind)))?;
        w.write_record(native::header(kind))?;
        writers.push(w);
    }
    bar.set_length((spec.customers * spec.days as usize) as u64);
    for day in spec.day_list() {
        for (i, who) in people.iter().enumerate() {
            let records = day_records(spec, i, who, day);
            for r in &records {
                writers[r.kind() as usize].write_record(native::record_fields(r))?;
            }
            report.count(&records);
            bar.inc(1);
        }
    }
    for mut w in writers {
        w.flush()?;
    }
    bar.finish_and_clear();
    Ok(report)
}
