//! The top-level error: every stage's error, its exit code, and its one rendering.

use crate::config::ConfigError;
use crate::model::ValidationError;
use crate::store::StoreError;

/// Exit codes, as documented in README.md.
pub mod exit {
    pub const OK: u8 = 0;
    /// A rejected value, a refused operation, a failed query.
    pub const DATA: u8 = 1;
    /// Bad usage or configuration.
    pub const USAGE: u8 = 2;
    /// The database cannot be reached.
    pub const UNREACHABLE: u8 = 3;
    /// Stopped by Ctrl-C (128 + SIGINT).
    pub const INTERRUPTED: u8 = 130;
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Metric(#[from] crate::metric::MetricError),
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
    #[error("{0}")]
    Io(String),
    /// Standard output would not take the answer (a full disk).
    #[error(transparent)]
    Output(#[from] crate::out::OutputError),
    #[error("{message}")]
    Import { message: String, unreachable: bool },
    /// A query failed; the message already shows where.
    #[error("{message}")]
    Query { message: String, unreachable: bool },
    /// Ctrl-C stopped the command; what it did so far is kept and was reported.
    #[error("interrupted")]
    Interrupted,
}

impl AppError {
    pub fn exit_code(&self) -> u8 {
        match self {
            AppError::Config(_) | AppError::Usage(_) => exit::USAGE,
            AppError::Store(e) if e.is_unreachable() => exit::UNREACHABLE,
            AppError::Store(StoreError::SchemaTooNew { .. } | StoreError::SchemaBehind { .. }) => {
                exit::USAGE
            }
            AppError::Interrupted => exit::INTERRUPTED,
            AppError::Import {
                unreachable: true, ..
            }
            | AppError::Query {
                unreachable: true, ..
            } => exit::UNREACHABLE,
            _ => exit::DATA,
        }
    }
}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        AppError::Io(e.to_string())
    }
}

impl From<csv::Error> for AppError {
    fn from(e: csv::Error) -> Self {
        AppError::Io(e.to_string())
    }
}
