#![doc = include_str!("../ARCHITECTURE.md")]

pub mod cli;
pub mod config;
pub mod demo;
pub mod diag;
pub mod import;
pub mod lex;
pub mod model;
pub mod native;
pub mod parse;
pub mod plan;
pub mod query;
pub mod rows;
pub mod shell;
pub mod sql;
pub mod store;
pub mod table;
