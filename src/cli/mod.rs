//! The `tally` command: parses arguments, resolves settings, runs one command, maps errors to
//! exit codes.

mod args;
mod batch;
mod error;
mod import;
mod manage;
mod misc;
pub mod output;
mod records;

pub use args::{Cli, LogCommand};
pub use batch::{define_metric, format as output_format, statements, without_comment};
pub use error::{AppError, exit};
pub use records::{
    checked as checked_record, describe as describe_record, is_log_line, log_command, log_line,
    store_record,
};

use crate::config::{DbUrl, Overrides, Settings, config_path};
use crate::metric::{Metrics, Origin};
use crate::model::InputContext;
use crate::store::{DbError, Store, StoreError};
use args::Command;
use clap::Parser;
use std::io::IsTerminal;
use std::process::ExitCode;

/// Everything a command needs besides its own arguments.
#[derive(Clone)]
pub struct Session {
    pub settings: Settings,
    prompt_password: bool,
    /// `--format`, as given.
    pub format: Option<String>,
    /// `--metrics FILE`, as given.
    pub metric_files: Vec<std::path::PathBuf>,
}

impl Session {
    /// Every metric: the config file's shared files, then `--metrics` files, then the user's
    /// own. A definition that fails is reported on stderr and left out; the rest load.
    pub fn metrics(&self) -> Metrics {
        let mut metrics = Metrics::new(Metrics::default_file());
        let shared = self.settings.metric_files.iter().chain(&self.metric_files);
        let mut errors = Vec::new();
        for path in shared {
            errors.extend(metrics.load(path, Origin::Shared(path.clone())));
        }
        if let Some(own) = Metrics::default_file() {
            errors.extend(metrics.load(&own, Origin::Own));
        }
        for e in errors {
            eprintln!("tally: {e}");
        }
        metrics
    }

    /// What a report runs against: the store, the zone, the metrics, the output format.
    pub fn reporter(&self) -> Result<crate::report::Reporter, AppError> {
        Ok(crate::report::Reporter {
            store: std::sync::Arc::new(self.open_store()?),
            zone: self.settings.zone.clone(),
            metrics: std::sync::Arc::new(self.metrics()),
            format: batch::format(self)?,
            now: chrono::Utc::now(),
            may_log: true,
        })
    }

    pub fn input_context(&self) -> InputContext {
        InputContext::new(self.settings.zone.clone())
    }

    /// Opens the database and brings its schema up to date. A MySQL login without a password
    /// that the server refuses is retried with a password asked on the terminal.
    pub fn open_store(&self) -> Result<Store, AppError> {
        let mut url = self.settings.db.clone();
        let needs_password = matches!(&url, DbUrl::Mysql(m) if m.password.is_none());
        if self.prompt_password && needs_password {
            ask_password(&mut url)?;
        }
        let mut store = match Store::open(&url, self.settings.pool) {
            Err(StoreError::Db(DbError::Unreachable { reason, .. }))
                if reason.contains("Access denied")
                    && needs_password
                    && !self.prompt_password
                    && std::io::stdin().is_terminal() =>
            {
                ask_password(&mut url)?;
                Store::open(&url, self.settings.pool)?
            }
            other => other?,
        };
        store.set_notices(std::sync::Arc::new(|text: &str| eprintln!("tally: {text}")));
        Ok(store)
    }
}

fn ask_password(url: &mut DbUrl) -> Result<(), AppError> {
    if let DbUrl::Mysql(m) = url {
        let prompt = format!("Password for {}@{}: ", m.user, m.address());
        m.password = Some(rpassword::prompt_password(prompt)?);
    }
    Ok(())
}

/// Runs tally with the process's arguments; returns the exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(AppError::Interrupted) => ExitCode::from(exit::INTERRUPTED),
        Err(e @ (AppError::Query { .. } | AppError::Report(_))) => {
            let shown = e.to_string();
            eprintln!("{}", shown.trim_end());
            ExitCode::from(e.exit_code())
        }
        Err(e) => {
            eprintln!("tally: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

fn run(cli: Cli) -> Result<(), AppError> {
    let overrides = Overrides::from_env(cli.db.clone(), cli.tz.clone());
    let settings = Settings::resolve(&overrides, config_path())?;
    let session = Session {
        settings,
        prompt_password: cli.password,
        format: cli.format.clone(),
        metric_files: cli.metrics.clone(),
    };
    if let Some(text) = &cli.execute {
        return batch::run(&session, text);
    }
    if let Some(path) = &cli.file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| AppError::Usage(format!("{}: {e}", path.display())))?;
        return batch::run(&session, &text);
    }
    let Some(command) = cli.command else {
        // No command: the shell on a terminal, statements from standard input otherwise.
        if std::io::stdin().is_terminal() {
            return crate::shell::run(session);
        }
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)?;
        return batch::run(&session, &text);
    };
    match command {
        Command::Config(c) => misc::config(&session, c),
        Command::Migrate => misc::migrate(&session),
        Command::Customer(c) => manage::customer(&session, c),
        Command::Plan(c) => manage::plan(&session, c),
        Command::Log(c) => records::log(&session, c),
        Command::Record(c) => records::record(&session, c),
        Command::Demo(args) => misc::demo(&session, args),
        Command::Import(args) => import::run(&session, args, cli.tz.is_some()),
        Command::Summary => misc::summary(&session),
        Command::Run(args) => misc::run_report(&session, args),
        Command::Menu => crate::menu::run(&session),
    }
}
