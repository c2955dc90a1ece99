//! The menu's customer management: add, show, list, change a customer's status or plan.

use super::form::{Field, choice, listed};
use super::{Eof, Menu};
use crate::model::{CustomerChanges, CustomerStatus, NewCustomer, SubscriberKey};
use crate::store::CustomerFilter;

const STATUSES: [(&str, &str); 3] = [
    ("active", "active"),
    ("suspended", "suspended"),
    ("closed", "closed"),
];

impl Menu<'_> {
    pub fn manage_customers(&mut self) -> Result<(), Eof> {
        loop {
            self.say(
                "\nManage customers\n  1  Add a customer\n  2  Show a customer\n  3  List customers\n  4  Change a customer's status\n  5  Change a customer's plan\n  0  Back to the menu",
            );
            match self.ask("Choose 0-5")?.as_str() {
                "1" => self.add_customer()?,
                "2" => self.show_customer()?,
                "3" => self.list_customers()?,
                "4" => self.change_status()?,
                "5" => self.change_plan()?,
                "0" | "b" | "q" => return Ok(()),
                other => self.say(&format!("`{other}` is not on this menu: type 0 to 5")),
            }
        }
    }

    fn add_customer(&mut self) -> Result<(), Eof> {
        let store = self.store();
        let plans: Vec<String> = store
            .plans()
            .map(|p| p.into_iter().map(|p| p.name).collect())
            .unwrap_or_default();
        let regions = store.regions().unwrap_or_default();
        let new_key = move |a: &str| {
            let key = SubscriberKey::parse("customer", a).map_err(|e| e.to_string())?;
            match store.customer(&key) {
                Ok(None) => Ok(key.as_str().to_string()),
                Ok(Some(_)) => Err(format!("customer {} exists already", key.as_str())),
                Err(e) => Err(e.to_string()),
            }
        };
        let fields = [
            Field::new(
                "Subscriber key",
                "phone number or account id, e.g. 447700900123",
                new_key,
            ),
            Field::new("Name", "or - for none", |a| Ok(a.to_string())).default("-"),
            listed("Plan", plans, false),
            // A region may be new: the first customer there brings it.
            listed("Region", regions, true),
        ];
        let Some(a) = self.form(&fields, Some("About to add this customer"))? else {
            return Ok(());
        };
        let optional = |s: &String| (s != "-").then(|| s.clone());
        let added = SubscriberKey::parse("customer", &a[0])
            .map_err(|e| e.to_string())
            .and_then(|key| {
                let new = NewCustomer {
                    name: optional(&a[1]),
                    plan: optional(&a[2]),
                    region: optional(&a[3]),
                    ..NewCustomer::bare(key)
                };
                self.store().add_customer(&new).map_err(|e| e.to_string())
            });
        match added {
            Ok(c) => self.say(&format!("Saved: customer {}", c.key.as_str())),
            Err(e) => self.say(&format!("Not saved: {e}")),
        }
        Ok(())
    }

    fn show_customer(&mut self) -> Result<(), Eof> {
        let store = self.store();
        let field = Field::new("Customer", "subscriber key", move |a| {
            super::actions::known_customer(&store, a)
        });
        let Some(a) = self.form(&[field], None)? else {
            return Ok(());
        };
        let shown = SubscriberKey::parse("customer", &a[0])
            .ok()
            .and_then(|key| self.store().customer(&key).ok().flatten())
            .map(|c| {
                format!(
                    "  key      {}\n  name     {}\n  plan     {}\n  region   {}\n  status   {}",
                    c.key.as_str(),
                    c.name.unwrap_or_default(),
                    c.plan.unwrap_or_default(),
                    c.region.unwrap_or_default(),
                    c.status
                )
            })
            .unwrap_or_else(|| "not found".into());
        self.say(&shown);
        self.pause()
    }

    fn list_customers(&mut self) -> Result<(), Eof> {
        let filter = CustomerFilter {
            limit: Some(50),
            ..CustomerFilter::default()
        };
        match self.store().customers(&filter) {
            Ok(list) if list.is_empty() => self.say("No customers yet."),
            Ok(list) => {
                for c in &list {
                    let line = format!(
                        "  {:<16} {:<24} {:<12} {}",
                        c.key.as_str(),
                        c.name.as_deref().unwrap_or(""),
                        c.plan.as_deref().unwrap_or(""),
                        c.status
                    );
                    self.say(&line);
                }
                if list.len() == 50 {
                    self.say("  (the first 50; `tally customer list` shows all)");
                }
            }
            Err(e) => self.say(&format!("Could not list: {e}")),
        }
        self.pause()
    }

    /// A new plan from a day on: usage before it stays priced at the plans it had.
    fn change_plan(&mut self) -> Result<(), Eof> {
        let store = self.store();
        let plans: Vec<String> = store
            .plans()
            .map(|p| p.into_iter().map(|p| p.name).collect())
            .unwrap_or_default();
        let today = chrono::Utc::now().date_naive().to_string();
        let fields = [
            Field::new("Customer", "subscriber key", move |a| {
                super::actions::known_customer(&store, a)
            }),
            listed("New plan", plans, false),
            Field::new(
                "From (UTC day)",
                "YYYY-MM-DD; usage before it keeps its plan",
                |a| {
                    chrono::NaiveDate::parse_from_str(a, "%Y-%m-%d")
                        .map(|d| d.to_string())
                        .map_err(|_| format!("`{a}` is not a date like 2026-11-12"))
                },
            )
            .default(&today),
        ];
        let Some(a) = self.form(&fields, Some("About to change the plan"))? else {
            return Ok(());
        };
        let changed = SubscriberKey::parse("customer", &a[0])
            .map_err(|e| e.to_string())
            .and_then(|key| {
                let changes = CustomerChanges {
                    plan: Some((a[1] != "-").then(|| a[1].clone())),
                    plan_from: chrono::NaiveDate::parse_from_str(&a[2], "%Y-%m-%d").ok(),
                    ..CustomerChanges::default()
                };
                self.store()
                    .update_customer(&key, &changes)
                    .map_err(|e| e.to_string())
            });
        match changed {
            Ok(c) => self.say(&format!(
                "Saved: {} is on {} from {}",
                c.key.as_str(),
                c.plan.as_deref().unwrap_or("no plan"),
                a[2]
            )),
            Err(e) => self.say(&format!("Not saved: {e}")),
        }
        Ok(())
    }

    fn change_status(&mut self) -> Result<(), Eof> {
        let store = self.store();
        let fields = [
            Field::new("Customer", "subscriber key", move |a| {
                super::actions::known_customer(&store, a)
            }),
            choice("New status", &STATUSES, 0),
        ];
        let Some(a) = self.form(&fields, Some("About to change"))? else {
            return Ok(());
        };
        let changed = SubscriberKey::parse("customer", &a[0])
            .map_err(|e| e.to_string())
            .and_then(|key| {
                let status = CustomerStatus::parse("status", &a[1]).map_err(|e| e.to_string())?;
                let changes = CustomerChanges {
                    status: Some(status),
                    ..CustomerChanges::default()
                };
                self.store()
                    .update_customer(&key, &changes)
                    .map_err(|e| e.to_string())
            });
        match changed {
            Ok(c) => self.say(&format!("Saved: {} is now {}", c.key.as_str(), c.status)),
            Err(e) => self.say(&format!("Not saved: {e}")),
        }
        Ok(())
    }
}
