#![doc = include_str!("../ARCHITECTURE.md")]
#![warn(missing_docs)]

pub mod app;
mod cli;
pub mod config;
pub mod demo;
pub mod diag;
pub mod import;
pub mod interrupt;
pub mod lex;
mod menu;
pub mod metric;
pub mod model;
pub mod native;
pub mod out;
pub mod parse;
pub mod plan;
pub mod query;
mod report;
pub mod rows;
mod shell;
pub mod sql;
pub mod store;
pub mod table;
pub mod vocab;

/// Runs the `tally` command with the process's arguments; returns its exit code.
pub fn main() -> std::process::ExitCode {
    cli::main()
}
