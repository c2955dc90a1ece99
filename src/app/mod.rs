//! The statement layer between the pipeline and the front ends: a [`Session`] (store, zone,
//! clock, metrics, output), the one splitter every mode uses, and `execute` for every kind of
//! statement (query, `explain`, `log`, `metric`, dot command, report). The shell, the batch
//! modes, reports and the menu run statements only through it; it never calls them back
//! except through [`FrontEnds`].

pub mod dot;
mod error;
mod execute;
mod help;
pub mod log;
mod metrics;
mod output;
mod session;
pub mod split;
mod tables;

pub use error::{
    AppError, Origin, ReportError, StatementError, UsageError, exit, render_statement,
};
pub use execute::Flow;
pub use log::LogCommand;
pub use output::{Output, Pager};
pub use session::{Clock, FrontEnds, Screen, Session};
pub use split::{Piece, complete, split};

/// `NAME=VALUE` of `--param` and `.run`.
pub fn parse_param(text: &str) -> Result<(String, String), UsageError> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| UsageError::Param(text.to_string()))?;
    let name = name.trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(UsageError::Param(text.to_string()));
    }
    Ok((name.to_string(), value.to_string()))
}
