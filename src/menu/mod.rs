//! The menu for novice operators: numbered choices, one question at a time, nothing stored
//! before every answer is valid and confirmed. Uses the same library calls as the commands.

mod actions;
mod form;
mod people;

use crate::app::{AppError, Session};
use crate::model::Zone;
use crate::store::Store;
use std::io::{BufRead, Write};
use std::sync::Arc;

/// The input ended (Ctrl-D, or a closed pipe): the menu closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Eof;

pub struct Menu<'a> {
    session: &'a mut Session,
    input: Box<dyn BufRead + 'a>,
    out: Box<dyn Write + 'a>,
}

const MAIN: &str = "\
tally menu
  1  Log a call
  2  Log an SMS
  3  Log a data session
  4  Customer summary
  5  Network summary
  6  Peak hours
  7  Top customers
  8  Run a report
  9  Manage customers
  0  Exit";

/// `tally menu`, `.menu`: the menu on standard input and output, on `session`.
pub fn run(session: &mut Session) -> Result<(), AppError> {
    let stdin = std::io::stdin();
    let mut menu = Menu::new(session, Box::new(stdin.lock()), Box::new(std::io::stdout()));
    menu.main_loop();
    Ok(())
}

impl<'a> Menu<'a> {
    pub fn new(
        session: &'a mut Session,
        input: Box<dyn BufRead + 'a>,
        out: Box<dyn Write + 'a>,
    ) -> Menu<'a> {
        Menu {
            session,
            input,
            out,
        }
    }

    fn store(&self) -> Arc<Store> {
        Arc::clone(self.session.store())
    }

    fn zone(&self) -> Zone {
        self.session.zone.clone()
    }

    /// Shows the menu and runs choices until 0 or the end of input.
    pub fn main_loop(&mut self) {
        loop {
            self.say(&format!("\n{MAIN}"));
            let Ok(choice) = self.ask("Choose 0-9") else {
                return;
            };
            let done = match choice.as_str() {
                "1" => self.log_call(),
                "2" => self.log_sms(),
                "3" => self.log_data(),
                "4" => self.customer_summary(),
                "5" => self.network_summary(),
                "6" => self.peak_hours(),
                "7" => self.top_customers(),
                "8" => self.run_report(),
                "9" => self.manage_customers(),
                "0" | "q" | "exit" | "quit" => return,
                "" => Ok(()),
                other => {
                    self.say(&format!(
                        "`{other}` is not on the menu: type a number from 0 to 9"
                    ));
                    Ok(())
                }
            };
            if done.is_err() {
                return;
            }
        }
    }

    /// Prints a line.
    pub fn say(&mut self, text: &str) {
        // A closed terminal is noticed by the next read, which ends the menu.
        let _ = writeln!(self.out, "{text}");
    }

    /// Prints `prompt: ` and reads one answer, trimmed.
    pub fn ask(&mut self, prompt: &str) -> Result<String, Eof> {
        let _ = write!(self.out, "{prompt}: ");
        let _ = self.out.flush();
        let mut line = String::new();
        match self.input.read_line(&mut line) {
            Ok(0) | Err(_) => {
                let _ = writeln!(self.out);
                Err(Eof)
            }
            Ok(_) => Ok(line.trim().to_string()),
        }
    }

    /// After a report: wait for the reader.
    pub fn pause(&mut self) -> Result<(), Eof> {
        self.ask("Press Enter to return to the menu").map(|_| ())
    }
}

#[cfg(test)]
mod tests;
