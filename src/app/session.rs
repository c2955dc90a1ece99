//! The session: an open store and everything a statement runs with (the display zone, the
//! clock, the metrics, the output format and where answers go), shared by every front end.

use super::output::Output;
use super::{AppError, Origin};
use crate::metric::Metrics;
use crate::model::Zone;
use crate::parse::Params;
use crate::store::Store;
use crate::table::Format;
use chrono::{DateTime, Utc};
use std::path::Path;
use std::sync::Arc;

/// What the front ends provide that the statement layer cannot: running a report (`.run`)
/// and the menu (`.menu`). The layer calls them through this, never names them.
pub trait FrontEnds: Send + Sync {
    /// Runs the report `name` (a file or the name of a known report) with its parameters.
    fn run_report(
        &self,
        session: &mut Session,
        name: &str,
        params: &[(String, String)],
    ) -> Result<(), AppError>;
    /// Opens the numbered menu on this session; returns when it closes.
    fn menu(&self, session: &mut Session) -> Result<(), AppError>;
}

/// Where the time comes from: the machine's clock, or a fixed instant (a report run as of a
/// day, a test).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The current time at each statement.
    System,
    /// Always this instant.
    Fixed(DateTime<Utc>),
}

/// What the screen answers go to allows: how many rows fit, colours, a pager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Screen {
    /// Rows of the terminal; longer answers are paged or cut with a note. None: not a
    /// terminal (batch mode), nothing is cut.
    pub rows: Option<usize>,
    /// Whether to draw colours.
    pub color: bool,
    /// Whether long answers go through the pager (`.pager on|off`).
    pub pager: bool,
}

/// An open database and the state statements run in.
pub struct Session {
    store: Arc<Store>,
    /// The pool size a `.db` switch opens the new database with.
    pool: crate::config::PoolSize,
    /// The display zone.
    pub zone: Zone,
    /// The clock statements read `now` from.
    pub clock: Clock,
    metrics: Arc<Metrics>,
    /// How answers are printed.
    pub format: crate::table::Format,
    /// The operator's currency, shown beside money in tables.
    pub currency: Option<crate::model::Currency>,
    /// Where answers go.
    pub output: Output,
    /// Whether to say how long each statement took.
    pub timing: bool,
    /// The terminal, when answers go to one.
    pub screen: Screen,
    /// Values of `$name` parameters (a report's).
    pub params: Params,
    /// Whether statements may store records (not a report run from the menu).
    pub may_log: bool,
    /// The title the next answer gets (a report's `title` line).
    pub title: Option<String>,
    /// A report's csv or json tables, gathered until it ends.
    pub(super) gathered: Option<super::tables::Gathered>,
    /// Whether answers are a blank line apart (a report's tables).
    pub(super) separate_answers: bool,
    /// Answers shown since the report began.
    pub(super) answers: usize,
    front_ends: Option<Arc<dyn FrontEnds>>,
}

impl Session {
    /// A session on `store`, in `zone`, with `metrics`; answers as tables on standard output.
    pub fn new(store: Store, zone: Zone, metrics: Metrics) -> Session {
        Session {
            store: Arc::new(store),
            pool: crate::config::PoolSize { min: 1, max: 16 },
            zone,
            clock: Clock::System,
            metrics: Arc::new(metrics),
            format: Format::Table,
            currency: None,
            output: Output::default(),
            timing: false,
            screen: Screen::default(),
            params: Params::new(),
            may_log: true,
            title: None,
            gathered: None,
            separate_answers: false,
            answers: 0,
            front_ends: None,
        }
    }

    /// A message for people (a record stored, a metric defined): standard error, never the
    /// answers.
    pub fn notice(&self, text: &str) {
        eprintln!("{text}");
    }

    /// The pool size a `.db` switch uses.
    pub fn with_pool(mut self, pool: crate::config::PoolSize) -> Session {
        self.pool = pool;
        self
    }

    /// Lets `.run` and `.menu` reach the front ends.
    pub fn with_front_ends(mut self, front_ends: Arc<dyn FrontEnds>) -> Session {
        self.front_ends = Some(front_ends);
        self
    }

    /// The open store.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Replaces the store (`.db URL`).
    pub fn set_store(&mut self, store: Store) {
        self.store = Arc::new(store);
    }

    /// The pool size new connections use.
    pub fn pool(&self) -> crate::config::PoolSize {
        self.pool
    }

    /// The metrics statements may name.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// The metrics, to change them (define, save, drop).
    pub fn metrics_mut(&mut self) -> &mut Metrics {
        Arc::make_mut(&mut self.metrics)
    }

    /// The time statements run at.
    pub fn now(&self) -> DateTime<Utc> {
        match self.clock {
            Clock::System => Utc::now(),
            Clock::Fixed(t) => t,
        }
    }

    /// The front ends, for `.run` and `.menu`.
    pub fn front_ends(&self) -> Option<Arc<dyn FrontEnds>> {
        self.front_ends.clone()
    }

    /// Runs a report through the front ends.
    pub fn run_report(&mut self, name: &str, params: &[(String, String)]) -> Result<(), AppError> {
        let Some(front) = self.front_ends() else {
            return Err(super::dot::DotError::NotHere(".run".into()).into());
        };
        front.run_report(self, name, params)
    }

    /// Runs every statement of `script`, stopping at the first error.
    pub fn run_script(&mut self, script: &str, origin: &Origin) -> Result<super::Flow, AppError> {
        for piece in super::split(script, &self.params) {
            let at = origin.at(script, piece.start, piece.line);
            if self.execute(&piece.text, &at)? == super::Flow::Quit {
                return Ok(super::Flow::Quit);
            }
        }
        Ok(super::Flow::Continue)
    }

    /// A session for a report run from this one: the same store, zone, clock, metrics (its
    /// own definitions kept apart), format and output target.
    pub fn for_report(&mut self) -> Session {
        Session {
            store: Arc::clone(&self.store),
            pool: self.pool,
            zone: self.zone.clone(),
            clock: Clock::Fixed(self.now()),
            metrics: Arc::new(self.metrics.scratch()),
            format: self.format,
            currency: self.currency,
            output: std::mem::take(&mut self.output),
            timing: false,
            screen: self.screen,
            params: Params::new(),
            may_log: self.may_log,
            title: None,
            gathered: None,
            separate_answers: false,
            answers: 0,
            front_ends: self.front_ends.clone(),
        }
    }

    /// Takes back the output a report session borrowed.
    pub fn after_report(&mut self, report: Session) {
        self.output = report.output;
    }

    /// Answers to `path` from now on (None: standard output).
    pub fn set_output(&mut self, path: Option<&Path>) -> Result<(), AppError> {
        Ok(self.output.set_file(path)?)
    }
}
