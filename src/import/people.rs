//! Importing customers and plans from tally's native CSV files.

use super::rejects::Rejects;
use super::source::{self, Rows};
use super::{ImportError, Report, io_error};
use crate::model::{
    CustomerStatus, NewCustomer, NewPlan, Price, SubscriberKey, ValidationError, Zone,
    parse_display_name, parse_name, parse_time,
};
use crate::native::{CUSTOMERS_HEADER, PLANS_HEADER};
use crate::store::Store;
use chrono::Utc;
use std::collections::HashSet;
use std::time::Instant;

const BATCH: usize = 2_000;

/// Reads a native file, checks its header names every column the layout needs, and returns the
/// row reader and each column's index.
fn open(path: &str, wanted: &[&str]) -> Result<(Rows, Vec<usize>), ImportError> {
    let input = source::open(path, Default::default()).map_err(io_error(path))?;
    let dialect = source::Dialect {
        delimiter: b',',
        quote: Some(b'"'),
        trim: false,
    };
    let mut rows = Rows::new(input, &dialect);
    let header = rows
        .next_owned()
        .map_err(io_error(path))?
        .map(|r| r.fields)
        .unwrap_or_default();
    let index = wanted
        .iter()
        .map(|w| {
            header
                .iter()
                .position(|h| h.trim() == *w)
                .ok_or_else(|| ImportError::Io {
                    path: path.to_string(),
                    reason: format!(
                        "the header has no column {w:?} (expected: {})",
                        wanted.join(", ")
                    ),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((rows, index))
}

/// The row through `parse`, unless it is not UTF-8.
fn checked<T>(
    row: &source::RawRow,
    parse: impl FnOnce(&[String]) -> Result<T, ValidationError>,
) -> Result<T, String> {
    if row.bad_encoding {
        return Err("the record is not valid UTF-8".into());
    }
    parse(&row.fields).map_err(|e| e.to_string())
}

fn field<'a>(row: &'a [String], index: &[usize], i: usize) -> &'a str {
    row.get(index[i]).map_or("", String::as_str)
}

fn customer_row(
    row: &[String],
    index: &[usize],
    plans: &HashSet<String>,
    zone: &Zone,
) -> Result<NewCustomer, ValidationError> {
    let optional = |i: usize, name: &str| {
        let text = field(row, index, i);
        if text.trim().is_empty() {
            Ok(None)
        } else {
            parse_name(name, text).map(Some)
        }
    };
    let plan = optional(2, "plan")?;
    if let Some(p) = &plan
        && !plans.contains(p)
    {
        return Err(ValidationError::new(
            "plan",
            p,
            "no such plan (import plans.csv or `tally plan add` it first)",
        ));
    }
    let status = field(row, index, 4);
    let created = field(row, index, 5);
    Ok(NewCustomer {
        key: SubscriberKey::parse("subscriber_key", field(row, index, 0))?,
        name: parse_display_name("name", field(row, index, 1))?,
        plan,
        region: optional(3, "region")?,
        status: if status.trim().is_empty() {
            CustomerStatus::Active
        } else {
            CustomerStatus::parse("status", status)?
        },
        created_at: if created.trim().is_empty() {
            None
        } else {
            Some(parse_time("created_at", created, zone, Utc::now())?)
        },
    })
}

/// Imports customers.csv; customers already stored are counted as duplicates and left as they are.
pub fn import_customers(
    store: &Store,
    path: &str,
    rejects: &mut Rejects,
    zone: &Zone,
) -> Result<Report, ImportError> {
    let started = Instant::now();
    let (mut rows, index) = open(path, &CUSTOMERS_HEADER)?;
    let plans: HashSet<String> = store.plans()?.into_iter().map(|p| p.name).collect();
    let rejected_before = rejects.count;
    let mut report = Report {
        file: path.to_string(),
        ..Report::default()
    };
    let mut batch = Vec::new();
    let store_batch =
        |batch: &mut Vec<NewCustomer>, report: &mut Report| -> Result<(), ImportError> {
            let added = store.add_customers(batch)?;
            report.inserted += added as u64;
            report.duplicates += (batch.len() - added) as u64;
            batch.clear();
            Ok(())
        };
    while let Some(row) = rows.next_owned().map_err(io_error(path))? {
        report.read += 1;
        match checked(&row, |f| customer_row(f, &index, &plans, zone)) {
            Ok(c) => batch.push(c),
            Err(e) => rejects.add(path, row.line, &row.text, &e.to_string())?,
        }
        if batch.len() >= BATCH {
            store_batch(&mut batch, &mut report)?;
        }
    }
    store_batch(&mut batch, &mut report)?;
    finish(report, rejects, rejected_before, started)
}

/// The report's counts of rejected rows and where they are.
fn finish(
    mut report: Report,
    rejects: &mut Rejects,
    rejected_before: u64,
    started: Instant,
) -> Result<Report, ImportError> {
    rejects.flush()?;
    report.rejected = rejects.count - rejected_before;
    if report.rejected > 0 {
        report.rejects_file = Some(rejects.path().to_path_buf());
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

fn plan_row(row: &[String], index: &[usize]) -> Result<NewPlan, ValidationError> {
    Ok(NewPlan {
        name: parse_name("name", field(row, index, 0))?,
        per_minute: Price::parse("price_per_minute", field(row, index, 1))?,
        per_sms: Price::parse("price_per_sms", field(row, index, 2))?,
        per_mb: Price::parse("price_per_mb", field(row, index, 3))?,
        monthly_fee: Price::parse("monthly_fee", field(row, index, 4))?,
    })
}

/// Imports plans.csv; plans already stored (by name) are left as they are.
pub fn import_plans(
    store: &Store,
    path: &str,
    rejects: &mut Rejects,
) -> Result<Report, ImportError> {
    let started = Instant::now();
    let (mut rows, index) = open(path, &PLANS_HEADER)?;
    let rejected_before = rejects.count;
    let mut report = Report {
        file: path.to_string(),
        ..Report::default()
    };
    while let Some(row) = rows.next_owned().map_err(io_error(path))? {
        report.read += 1;
        match checked(&row, |f| plan_row(f, &index)) {
            Ok(p) if store.plan(&p.name)?.is_some() => report.duplicates += 1,
            Ok(p) => {
                store.add_plan(&p)?;
                report.inserted += 1;
            }
            Err(e) => rejects.add(path, row.line, &row.text, &e.to_string())?,
        }
    }
    finish(report, rejects, rejected_before, started)
}
