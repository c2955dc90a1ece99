//! Running one statement in a session: a query's answer to the output, a `log` line stored, a
//! metric defined or saved, a dot command.

use super::split::{Kind, kind};
use super::{AppError, Origin, Session};
use crate::model::InputContext;
use crate::query::{self, Answer, QueryError};
use std::time::Instant;

/// Whether the session goes on after a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Read the next statement.
    Continue,
    /// `.quit`: stop reading.
    Quit,
}

impl Session {
    /// Runs one statement (`origin` says where its text starts, for messages).
    pub fn execute(&mut self, text: &str, origin: &Origin) -> Result<Flow, AppError> {
        match kind(text) {
            Kind::Dot => return super::dot::run(self, text).map_err(|e| e.at(origin)),
            Kind::Log => self.log(text).map_err(|e| e.at(origin))?,
            Kind::Metric => super::metrics::statement(self, text).map_err(|e| match e {
                // A definition's error points into the statement as written.
                AppError::Metric(m) if m.file.is_none() => {
                    AppError::statement(QueryError::Metric(m), text, origin)
                }
                other => other.at(origin),
            })?,
            Kind::Query => self.query(text, origin)?,
        }
        Ok(Flow::Continue)
    }

    /// Runs a query and writes its answer where answers go.
    fn query(&mut self, text: &str, origin: &Origin) -> Result<(), AppError> {
        let started = Instant::now();
        let answer = query::run_with_params(
            self.store(),
            text,
            &self.zone,
            self.now(),
            self.metrics(),
            &self.params,
        )
        .map_err(|e| AppError::statement(e, text, origin))?;
        match answer {
            Answer::Table(rs) => {
                let rows = rs.rows.len();
                self.show(rs)?;
                if self.timing {
                    self.notice(&format!(
                        "({rows} rows in {:.1} ms)",
                        started.elapsed().as_secs_f64() * 1000.0
                    ));
                }
            }
            Answer::Explain(text) => self.output.answer(&text)?,
        }
        Ok(())
    }

    /// `log call|sms|data …`: checked and stored as `tally log` does.
    fn log(&mut self, text: &str) -> Result<(), AppError> {
        if !self.may_log {
            return Err(super::dot::DotError::NoLogging.into());
        }
        let command = super::log::parse_line_with(text, &self.params).map_err(|e| match e {
            super::log::LogLineError::Arguments(c) => AppError::LogLine(Box::new(c)),
            other => AppError::Dot(super::dot::DotError::Quotes(other.to_string())),
        })?;
        let (record, create) = super::log::checked(command, &InputContext::new(self.zone.clone()))?;
        let message = super::log::store(self.store(), record, create, &self.zone)?;
        self.notice(&message);
        Ok(())
    }
}
