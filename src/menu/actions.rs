//! The menu's choices: logging a record, the summaries, peak hours, top customers and saved
//! reports, each through the same library calls as the commands.

use super::form::{Field, choice};
use super::{Eof, Menu};
use crate::model::{
    ByteSize, CallInput, DataInput, Direction, Duration, InputContext, PhoneNumber, Record,
    SmsInput, SubscriberKey,
};
use crate::query::{self, Answer};
use crate::store::{Store, StoredRecord};
use crate::table::{self, Format, Options};
use std::path::PathBuf;

const PERIODS: [(&str, &str); 6] = [
    ("today", "today"),
    ("yesterday", "yesterday"),
    ("last 7 days", "last 7 days"),
    ("last 30 days", "last 30 days"),
    ("this month", "this month"),
    ("all time", ""),
];

/// A subscriber key that names a known customer.
pub fn known_customer(store: &Store, answer: &str) -> Result<String, String> {
    let key = SubscriberKey::parse("customer", answer).map_err(|e| e.to_string())?;
    match store.customer(&key) {
        Ok(Some(c)) => Ok(c.key.as_str().to_string()),
        Ok(None) => Err(format!(
            "no customer {}; add them first with 9 Manage customers",
            key.as_str()
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// The key as a literal of the query language.
fn quoted(key: &str) -> String {
    if key.contains('\'') {
        format!("\"{key}\"")
    } else {
        format!("'{key}'")
    }
}

fn validated<T>(
    parse: impl Fn(&str, &str) -> Result<T, crate::model::ValidationError>,
    field: &'static str,
) -> impl Fn(&str) -> Result<String, String> {
    move |answer| {
        parse(field, answer)
            .map(|_| answer.to_string())
            .map_err(|e| e.to_string())
    }
}

fn direction_field(meaning: &'static str) -> Field<'static> {
    Field::new(
        "Direction",
        meaning,
        validated(Direction::parse, "direction"),
    )
    .default("out")
}

fn other_field() -> Field<'static> {
    Field::new(
        "Other number",
        "e.g. +447700900456",
        validated(PhoneNumber::parse, "other party"),
    )
}

impl Menu<'_> {
    fn customer_field(&self) -> Field<'static> {
        let store = self.store();
        Field::new("Customer", "subscriber key, e.g. 447700900123", move |a| {
            known_customer(&store, a)
        })
    }

    fn time_field(&self) -> Field<'static> {
        let zone = self.zone();
        Field::new(
            "Time",
            format!("e.g. 2026-11-25 10:15, in {zone}"),
            move |a| {
                InputContext::new(zone.clone())
                    .time("time", Some(a))
                    .map(|_| a.to_string())
                    .map_err(|e| e.to_string())
            },
        )
        .default("now")
    }

    pub fn log_call(&mut self) -> Result<(), Eof> {
        self.say("\nLog a call — b goes back one question, q returns to the menu.");
        let fields = [
            self.customer_field(),
            direction_field("out = the customer called, in = was called"),
            other_field(),
            self.time_field(),
            Field::new(
                "Duration",
                "e.g. 3m20s, 90s, 01:02:03",
                validated(Duration::parse, "duration"),
            ),
        ];
        let Some(a) = self.form(&fields, Some("About to log this call"))? else {
            return Ok(());
        };
        let input = CallInput {
            customer: a[0].clone(),
            direction: a[1].clone(),
            other: a[2].clone(),
            at: Some(a[3].clone()),
            duration: Some(a[4].clone()),
            ..CallInput::default()
        };
        let record = input
            .validate(&InputContext::new(self.zone()))
            .map(Record::Call);
        self.save(record);
        Ok(())
    }

    pub fn log_sms(&mut self) -> Result<(), Eof> {
        self.say("\nLog an SMS — b goes back one question, q returns to the menu.");
        let fields = [
            self.customer_field(),
            direction_field("out = the customer sent it, in = received"),
            other_field(),
            self.time_field(),
        ];
        let Some(a) = self.form(&fields, Some("About to log this SMS"))? else {
            return Ok(());
        };
        let input = SmsInput {
            customer: a[0].clone(),
            direction: a[1].clone(),
            other: a[2].clone(),
            at: Some(a[3].clone()),
            source_key: None,
        };
        let record = input
            .validate(&InputContext::new(self.zone()))
            .map(Record::Sms);
        self.save(record);
        Ok(())
    }

    pub fn log_data(&mut self) -> Result<(), Eof> {
        self.say("\nLog a data session — b goes back one question, q returns to the menu.");
        let fields = [
            self.customer_field(),
            self.time_field(),
            Field::new(
                "Duration",
                "e.g. 25m",
                validated(Duration::parse, "duration"),
            ),
            Field::new(
                "Data sent",
                "e.g. 12MB, 512KB",
                validated(ByteSize::parse, "up"),
            )
            .default("0"),
            Field::new(
                "Data received",
                "e.g. 340MB, 1.5GB",
                validated(ByteSize::parse, "down"),
            ),
        ];
        let Some(a) = self.form(&fields, Some("About to log this data session"))? else {
            return Ok(());
        };
        let input = DataInput {
            customer: a[0].clone(),
            at: Some(a[1].clone()),
            duration: Some(a[2].clone()),
            up: Some(a[3].clone()),
            down: Some(a[4].clone()),
            ..DataInput::default()
        };
        let record = input
            .validate(&InputContext::new(self.zone()))
            .map(Record::Data);
        self.save(record);
        Ok(())
    }

    /// Stores a confirmed record once and says what was stored.
    fn save(&mut self, record: Result<Record, crate::model::ValidationError>) {
        let stored = record.map_err(|e| e.to_string()).and_then(|r| {
            self.store()
                .log(&r, false)
                .map(|id| StoredRecord { id, record: r })
                .map_err(|e| e.to_string())
        });
        match stored {
            Ok(s) => {
                let line = crate::app::log::describe(&s, &self.zone());
                self.say(&format!("Saved: {line}"));
            }
            Err(e) => self.say(&format!("Not saved: {e}")),
        }
    }

    pub fn customer_summary(&mut self) -> Result<(), Eof> {
        self.say("\nCustomer summary — q returns to the menu.");
        let fields = [self.customer_field(), choice("Period", &PERIODS, 3)];
        let Some(a) = self.form(&fields, None)? else {
            return Ok(());
        };
        self.show(&format!("summary {} {}", quoted(&a[0]), a[1]))
    }

    pub fn network_summary(&mut self) -> Result<(), Eof> {
        self.say("\nNetwork summary — q returns to the menu.");
        let Some(a) = self.form(&[choice("Period", &PERIODS, 3)], None)? else {
            return Ok(());
        };
        self.show(&format!("summary {}", a[0]))
    }

    pub fn peak_hours(&mut self) -> Result<(), Eof> {
        const WHAT: [(&str, &str); 3] = [("calls", "calls"), ("SMS", "sms"), ("data", "data")];
        self.say("\nPeak hours — q returns to the menu.");
        let fields = [choice("Of", &WHAT, 0), choice("Period", &PERIODS, 2)];
        let Some(a) = self.form(&fields, None)? else {
            return Ok(());
        };
        self.show(&format!("peak hours {} {}", a[0], a[1]))
    }

    pub fn top_customers(&mut self) -> Result<(), Eof> {
        const BY: [(&str, &str); 5] = [
            ("minutes", "minutes"),
            ("calls", "calls"),
            ("SMS", "sms"),
            ("data", "data_mb"),
            ("revenue", "revenue"),
        ];
        self.say("\nTop customers — q returns to the menu.");
        let how_many = Field::new("How many", "a number from 1 to 100", |a| {
            a.parse::<u32>()
                .ok()
                .filter(|n| (1..=100).contains(n))
                .map(|n| n.to_string())
                .ok_or_else(|| "a whole number from 1 to 100".to_string())
        })
        .default("10");
        let fields = [
            choice("By", &BY, 0),
            how_many,
            choice("Period", &PERIODS, 4),
        ];
        let Some(a) = self.form(&fields, None)? else {
            return Ok(());
        };
        self.show(&format!("top {} customers by {} {}", a[1], a[0], a[2]))
    }

    /// Runs a query built from the answers and shows its table.
    fn show(&mut self, text: &str) -> Result<(), Eof> {
        let answer = query::run_with(
            &self.store(),
            text,
            &self.zone(),
            self.session.now(),
            self.session.metrics(),
        );
        let shown = match answer {
            Ok(Answer::Table(rs)) => table::render(&rs, Format::Table, &Options::default()),
            Ok(Answer::Explain(e)) => e,
            Err(e) => format!("Could not answer: {}", e.render(text)),
        };
        self.say(&format!("\n{}", shown.trim_end()));
        self.pause()
    }

    pub fn run_report(&mut self) -> Result<(), Eof> {
        let found = saved_reports();
        self.say("\nRun a saved report — q returns to the menu.");
        for (i, path) in found.iter().enumerate() {
            self.say(&format!("  {}  {}", i + 1, path.display()));
        }
        let choices = found.clone();
        let report = Field::new(
            "Report",
            "its number, or the path of a .tally or .rhai file",
            move |a| {
                let path = a
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| n.checked_sub(1))
                    .and_then(|i| choices.get(i).cloned())
                    .unwrap_or_else(|| PathBuf::from(a));
                if path.is_file() {
                    Ok(path.display().to_string())
                } else {
                    Err(format!("no report file {}", path.display()))
                }
            },
        );
        let params = Field::new("Parameters", "NAME=VALUE ..., or Enter for none", |a| {
            let words = shell_words::split(a).map_err(|e| e.to_string())?;
            for w in &words {
                crate::app::parse_param(w).map_err(|e| e.to_string())?;
            }
            Ok(a.to_string())
        })
        .default("");
        let Some(a) = self.form(&[report, params], None)? else {
            return Ok(());
        };
        let params = shell_words::split(&a[1])
            .unwrap_or_default()
            .iter()
            .filter_map(|w| crate::app::parse_param(w).ok())
            .collect::<Vec<_>>();
        self.say("");
        let _ = std::io::Write::flush(&mut std::io::stdout());
        // Nothing is stored from the menu without a confirmation: the report may not log.
        let may_log = std::mem::replace(&mut self.session.may_log, false);
        let format = std::mem::replace(&mut self.session.format, Format::Table);
        let ran = crate::report::find(&a[0])
            .map_err(crate::app::AppError::from)
            .and_then(|file| crate::report::run(self.session, &file, &params, None));
        self.session.may_log = may_log;
        self.session.format = format;
        if let Err(e) = ran {
            self.say(&format!("The report stopped: {}", e.render().trim_end()));
        }
        self.pause()
    }
}

/// Report files in ./scripts and in the config folder's `reports`, by name.
fn saved_reports() -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from("scripts")];
    if let Some(config) = dirs::config_dir() {
        dirs.push(config.join("tally").join("reports"));
    }
    let mut found: Vec<PathBuf> = dirs
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("tally" | "rhai")
            )
        })
        .collect();
    found.sort();
    found
}
