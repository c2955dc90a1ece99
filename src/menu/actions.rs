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

const PERIODS: [(&str, &str); 6] = [
    ("today", "today"),
    ("yesterday", "yesterday"),
    ("last 7 days", "last 7 days"),
    ("last 30 days", "last 30 days"),
    ("this month", "this month"),
    ("all time", ""),
];

/// How many customers a search lists when the answer fits several.
const MATCHES_SHOWN: usize = 10;

/// The key of the customer `answer` names: a whole subscriber key, or the start of one or a
/// part of a name that fits exactly one customer. Several fits are listed to choose from.
pub fn known_customer(store: &Store, answer: &str) -> Result<String, String> {
    if let Ok(key) = SubscriberKey::parse("customer", answer)
        && let Some(c) = store.customer(&key).map_err(|e| e.to_string())?
    {
        return Ok(c.key.as_str().to_string());
    }
    let found = store
        .find_customers(answer, MATCHES_SHOWN + 1)
        .map_err(|e| e.to_string())?;
    match found.as_slice() {
        [] => Err(format!(
            "no customer's key starts with `{answer}` and no name holds it; add them with 9 Manage customers"
        )),
        [one] => Ok(one.key.as_str().to_string()),
        several => {
            let mut listed: Vec<String> = several
                .iter()
                .take(MATCHES_SHOWN)
                .map(|c| match &c.name {
                    Some(name) => format!("{} ({name})", c.key.as_str()),
                    None => c.key.as_str().to_string(),
                })
                .collect();
            if several.len() > MATCHES_SHOWN {
                listed.push("…".into());
            }
            Err(format!(
                "several customers fit `{answer}`: {}; type more of the key or name",
                listed.join(", ")
            ))
        }
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
        Field::new(
            "Customer",
            "subscriber key, its start, or part of the name",
            move |a| known_customer(&store, a),
        )
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
        let reports = crate::report::known();
        self.say("\nRun a report — q returns to the menu.");
        for (i, r) in reports.iter().enumerate() {
            self.say(&format!("  {:>2}  {:<22} {}", i + 1, r.name, r.description));
        }
        let names: Vec<String> = reports.iter().map(|r| r.name.clone()).collect();
        let pick = Field::new("Report", "its number, its name or a file", move |a| {
            let by_number = a
                .parse::<usize>()
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|i| names.get(i));
            match by_number.or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(a))) {
                Some(name) => Ok(name.clone()),
                None => crate::report::find(a).map(|_| a.to_string()).map_err(|_| {
                    format!(
                        "pick a number from 1 to {}, or give a report file",
                        names.len()
                    )
                }),
            }
        });
        let Some(a) = self.form(&[pick], None)? else {
            return Ok(());
        };
        let file = match crate::report::find(&a[0]) {
            Ok(file) => file,
            Err(e) => {
                self.say(&format!("The report cannot be read: {e}"));
                return self.pause();
            }
        };
        let Some(params) = self.ask_params(&file.describe())? else {
            return Ok(());
        };
        self.say("");
        // Nothing is stored from the menu without a confirmation: the report may not log.
        let may_log = std::mem::replace(&mut self.session.may_log, false);
        let format = std::mem::replace(&mut self.session.format, Format::Table);
        let ran = crate::report::run(self.session, &file, &params, None);
        self.session.may_log = may_log;
        self.session.format = format;
        if let Err(e) = ran {
            self.say(&format!("The report stopped: {}", e.render().trim_end()));
        }
        self.pause()
    }

    /// Each parameter of `report` asked by its name, with its default; None: back to the menu.
    fn ask_params(
        &mut self,
        report: &crate::report::Known,
    ) -> Result<Option<Vec<(String, String)>>, Eof> {
        let fields: Vec<Field> = report
            .params
            .iter()
            .map(|(name, default)| {
                let field =
                    Field::new(
                        name.clone(),
                        "a value for the report",
                        |a| Ok(a.to_string()),
                    );
                match default {
                    Some(d) => field.default(d.clone()),
                    None => field,
                }
            })
            .collect();
        let Some(answers) = self.form(&fields, None)? else {
            return Ok(None);
        };
        Ok(Some(
            report
                .params
                .iter()
                .map(|(name, _)| name.clone())
                .zip(answers)
                .collect(),
        ))
    }
}
