//! The error every front end gets: each stage's own error, kept as data (with its source)
//! until the one place that renders it, the exit code it means, and where a statement came from.

use crate::config::ConfigError;
use crate::diag::Diagnostic;
use crate::import::{ImportError, MappingError, RejectsError};
use crate::metric::MetricError;
use crate::model::ValidationError;
use crate::out::OutputError;
use crate::query::QueryError;
use crate::store::StoreError;
use std::path::PathBuf;
use std::sync::Arc;

/// Exit codes, as documented in README.md.
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// A rejected value, a refused operation, a failed statement, output that cannot be written.
    pub const DATA: u8 = 1;
    /// Bad usage or configuration.
    pub const USAGE: u8 = 2;
    /// The database cannot be reached.
    pub const UNREACHABLE: u8 = 3;
    /// Stopped by Ctrl-C (128 + SIGINT).
    pub const INTERRUPTED: u8 = 130;
}

/// Where a statement's text came from: a file (a `.tally` report, `-f`) or none (the shell,
/// `-e`, standard input), and the line and column its first character has there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file, when there is one.
    pub file: Option<PathBuf>,
    /// The line of the statement's first character, from 1.
    pub line: usize,
    /// The column of the statement's first character on that line, from 1.
    pub column: usize,
}

impl Origin {
    /// A statement typed or given on the command line: positions are its own.
    pub fn typed() -> Origin {
        Origin {
            file: None,
            line: 1,
            column: 1,
        }
    }

    /// The start of `file`.
    pub fn file(path: impl Into<PathBuf>) -> Origin {
        Origin {
            file: Some(path.into()),
            line: 1,
            column: 1,
        }
    }

    /// The place of a statement that starts at byte `start` (on line `line`) of a script that
    /// starts here.
    pub fn at(&self, script: &str, start: usize, line: usize) -> Origin {
        let before = &script[..start.min(script.len())];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        let first_line = line == 1;
        Origin {
            file: self.file.clone(),
            line: self.line + line - 1,
            column: if first_line {
                self.column + column - 1
            } else {
                column
            },
        }
    }
}

/// A statement that failed, with its text and origin: rendered with the line and a caret.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", render_statement(self))]
pub struct StatementError {
    /// Where the statement starts.
    pub origin: Origin,
    /// The statement as written.
    pub text: String,
    /// What went wrong.
    pub error: QueryError,
}

/// A report that failed at a line of its file (0: at no line, the file cannot be read): its
/// Rhai code threw, or a parameter or directive is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportError {
    /// The report file.
    pub file: PathBuf,
    /// The line, from 1; 0 for none.
    pub line: usize,
    /// What went wrong, as the script or tally said it.
    pub message: String,
    /// Where on the line, when known: the column (from 1) and the line's text, shown with a
    /// caret under the spot.
    pub spot: Option<(usize, String)>,
}

impl std::error::Error for ReportError {}

impl std::fmt::Display for ReportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.spot {
            // A message of several lines (a query's own caret) is shown as it is.
            Some((column, text)) if self.line > 0 && !self.message.contains('\n') => {
                let start: usize = text
                    .chars()
                    .take(column.saturating_sub(1))
                    .map(char::len_utf8)
                    .sum();
                let width = text[start..].chars().next().map_or(0, char::len_utf8);
                let shown = Diagnostic::new(
                    crate::diag::Span::new(start, start + width),
                    self.message.clone(),
                )
                .render_from(text, Some(&self.file), self.line, 1);
                f.write_str(shown.trim_end())
            }
            _ if self.line > 0 => {
                write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
            }
            _ => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

impl ReportError {
    /// A failure at `line` of `file`.
    pub fn new(file: &std::path::Path, line: usize, message: impl Into<String>) -> ReportError {
        ReportError {
            file: file.to_path_buf(),
            line,
            message: message.into(),
            spot: None,
        }
    }

    /// The same failure pointed at `column` of its line in `text` (the whole file).
    pub fn at_column(mut self, text: &str, column: Option<usize>) -> ReportError {
        let line = self.line.checked_sub(1).and_then(|i| text.lines().nth(i));
        if let (Some(column), Some(line)) = (column, line) {
            self.spot = Some((column, line.to_string()));
        }
        self
    }
}

/// Mistakes in how tally was asked to work (exit code 2).
#[derive(Debug, Clone, thiserror::Error)]
pub enum UsageError {
    /// An output format tally does not have.
    #[error("unknown format {0:?} (use table, vertical, csv, json or markdown)")]
    UnknownFormat(String),
    /// No folder for the config file.
    #[error("no config directory: set XDG_CONFIG_HOME or HOME")]
    NoConfigDir,
    /// `tally demo` out of its bounds.
    #[error("--customers must be at least 1 and --days from 1 to 3660")]
    DemoSize,
    /// A file that cannot be read.
    #[error("{}: {source}", path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// Why.
        source: Arc<std::io::Error>,
    },
    /// A `--param NAME=VALUE` that is not one.
    #[error("--param `{0}`: expected NAME=VALUE, NAME being letters, digits and _")]
    Param(String),
    /// A mapping file that cannot be used.
    #[error(transparent)]
    Mapping(#[from] MappingError),
    /// A mapping for another kind of record.
    #[error("mapping {mapping} describes {declared} records, not {asked}")]
    MappingKind {
        /// The mapping's name.
        mapping: String,
        /// What it describes.
        declared: String,
        /// What the command imports.
        asked: String,
    },
    /// `--map` with customers or plans.
    #[error("--map applies to calls, sms and data; customers and plans use the native layout")]
    MapForPeople,
    /// A built-in format for the wrong kind of record.
    #[error("the {format} format holds calls only, not {kind} records; use --map for other files")]
    FormatKind {
        /// The format.
        format: String,
        /// The kind asked for.
        kind: String,
    },
    /// A rejects file that cannot be used.
    #[error(transparent)]
    Rejects(#[from] RejectsError),
    /// A report of several tables asked for as one CSV.
    #[error(
        "the report has {0} tables, which one CSV cannot hold: give --output DIR for one CSV file per table, or use --format json"
    )]
    CsvTables(usize),
}

/// Everything that can stop a command, kept as each stage's own error.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Settings: a bad URL, config file or zone.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The database refused, failed or cannot be reached.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A value broke a rule.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// tally was asked wrongly.
    #[error(transparent)]
    Usage(#[from] UsageError),
    /// A `log` line that is not one (its command line does not parse).
    #[error("{}", .0.render().to_string().trim_end())]
    LogLine(Box<clap::Error>),
    /// A statement failed.
    #[error(transparent)]
    Statement(Box<StatementError>),
    /// A metric cannot be defined, saved or evaluated.
    #[error(transparent)]
    Metric(#[from] MetricError),
    /// A report failed at a line of its file.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// An import stopped.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// Standard output (or the output file) would not take the answer.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// A dot command was misused.
    #[error(transparent)]
    Dot(#[from] super::dot::DotError),
    /// The terminal failed under the shell.
    #[error("the terminal: {0}")]
    Terminal(Arc<rustyline::error::ReadlineError>),
    /// Ctrl-C stopped the command; what it did so far is kept and was reported.
    #[error("interrupted")]
    Interrupted,
    /// A statement of a file (a `log` line, a dot command) failed at this line.
    #[error("{}:{}: {error}", origin.file.as_deref().unwrap_or(std::path::Path::new("")).display(), origin.line)]
    At {
        /// Where the statement starts.
        origin: Origin,
        /// What went wrong.
        error: Box<AppError>,
    },
}

impl AppError {
    /// The exit code this error ends the process with.
    pub fn exit_code(&self) -> u8 {
        match self {
            AppError::Config(_) | AppError::Usage(_) => exit::USAGE,
            AppError::Store(e) => store_code(e),
            AppError::Import(e) if e.store_error().is_some_and(StoreError::is_unreachable) => {
                exit::UNREACHABLE
            }
            AppError::Import(ImportError::Mapping(_) | ImportError::Usage(_)) => exit::USAGE,
            AppError::Statement(s) => match &s.error {
                QueryError::Store(e) => store_code(e),
                _ => exit::DATA,
            },
            AppError::Interrupted => exit::INTERRUPTED,
            AppError::At { error, .. } => error.exit_code(),
            _ => exit::DATA,
        }
    }

    /// The message for people, as printed once on stderr.
    pub fn render(&self) -> String {
        match self {
            AppError::Statement(s) => render_statement(s),
            AppError::Report(r) => r.to_string(),
            other => format!("tally: {other}"),
        }
    }

    /// The error of a statement that starts at `origin`: placed when it comes from a file
    /// (typed statements are shown where they were typed).
    pub fn at(self, origin: &Origin) -> AppError {
        match (&self, &origin.file) {
            (AppError::Statement(_) | AppError::At { .. } | AppError::Report(_), _) | (_, None) => {
                self
            }
            _ => AppError::At {
                origin: origin.clone(),
                error: Box::new(self),
            },
        }
    }

    /// A statement's error, with its text and origin.
    pub fn statement(error: QueryError, text: &str, origin: &Origin) -> AppError {
        AppError::Statement(Box::new(StatementError {
            origin: origin.clone(),
            text: text.to_string(),
            error,
        }))
    }
}

fn store_code(e: &StoreError) -> u8 {
    match e {
        e if e.is_unreachable() => exit::UNREACHABLE,
        StoreError::SchemaTooNew { .. } | StoreError::SchemaBehind { .. } => exit::USAGE,
        _ => exit::DATA,
    }
}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        AppError::Output(OutputError(e.to_string()))
    }
}

impl From<csv::Error> for AppError {
    fn from(e: csv::Error) -> Self {
        AppError::Output(OutputError(e.to_string()))
    }
}

impl From<rustyline::error::ReadlineError> for AppError {
    fn from(e: rustyline::error::ReadlineError) -> Self {
        AppError::Terminal(Arc::new(e))
    }
}

/// The one rendering of an error in a statement: `FILE:LINE:COLUMN: message` (or `line L,
/// column C: message` for typed text), the line with a caret under the spot, what would have
/// fitted and a suggestion.
pub fn render_statement(s: &StatementError) -> String {
    match &s.error {
        QueryError::Syntax(e) => render_at(&e.diagnostic, &s.text, &s.origin),
        QueryError::Plan(d) => render_at(d, &s.text, &s.origin),
        QueryError::Metric(m) if m.file.is_none() && m.place.is_some() => {
            match definition_span(&s.text, m) {
                Some(span) => {
                    let message = format!("metric `{}`: {}", m.metric, m.message);
                    render_at(&Diagnostic::new(span, message), &s.text, &s.origin)
                }
                None => format!("{}\n", s.error),
            }
        }
        other => match &s.origin.file {
            Some(file) => format!("{}:{}: {other}\n", file.display(), s.origin.line),
            None => format!("{other}\n"),
        },
    }
}

/// Where a metric's error is in its definition statement (`metric NAME = EXPRESSION`): its
/// place counts lines and characters from the expression's start.
fn definition_span(text: &str, m: &MetricError) -> Option<crate::diag::Span> {
    let place = m.place?;
    let equals = text.find('=')?;
    let after = &text[equals + 1..];
    let start = equals + 1 + (after.len() - after.trim_start().len());
    let expression = &text[start..];
    let line_start: usize = expression
        .split_inclusive('\n')
        .take(place.line.checked_sub(1)?)
        .map(str::len)
        .sum();
    let line = expression[line_start.min(expression.len())..]
        .split('\n')
        .next()
        .unwrap_or("");
    let offset: usize = line
        .chars()
        .take(place.column.saturating_sub(1))
        .map(char::len_utf8)
        .sum();
    let at = start + line_start + offset;
    let width = text[at..].chars().next().map_or(0, char::len_utf8);
    Some(crate::diag::Span::new(at, at + width))
}

fn render_at(d: &Diagnostic, text: &str, origin: &Origin) -> String {
    d.render_from(text, origin.file.as_deref(), origin.line, origin.column)
}
