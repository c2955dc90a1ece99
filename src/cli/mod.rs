//! The `tally` command: turns flags, environment and the config file into settings, opens a
//! session on the database, and hands it to what the command asks for (a front end, a batch,
//! a management command). Errors are rendered once, here.

mod args;
mod import;
mod manage;
mod misc;
mod output;
mod records;

use crate::app::{AppError, FrontEnds, Origin, Session, UsageError};
use crate::config::{DbUrl, Overrides, Settings, config_path};
use crate::metric::{Metrics, Origin as MetricOrigin};
use crate::model::InputContext;
use crate::store::{DbError, Store, StoreError};
use args::{Cli, Command};
use clap::Parser;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

/// What the command line, the environment and the config file say, before a database is
/// opened.
#[derive(Clone)]
struct Invocation {
    settings: Settings,
    prompt_password: bool,
    /// `--format`, as given.
    format: Option<String>,
    /// `--metrics FILE`, as given.
    metric_files: Vec<std::path::PathBuf>,
}

impl Invocation {
    /// Every metric: the config file's shared files, then `--metrics` files, then the user's
    /// saved ones. A definition that fails is reported on stderr and left out; the rest load.
    fn metrics(&self) -> Metrics {
        let mut metrics = Metrics::new(Metrics::default_file());
        let shared = self.settings.metric_files.iter().chain(&self.metric_files);
        let mut errors = Vec::new();
        for path in shared {
            errors.extend(metrics.load(path, MetricOrigin::Shared(path.clone())));
        }
        if let Some(own) = Metrics::default_file() {
            errors.extend(metrics.load(&own, MetricOrigin::Own));
        }
        for e in errors {
            eprintln!("tally: {e}");
        }
        metrics
    }

    fn input_context(&self) -> InputContext {
        InputContext::new(self.settings.zone.clone())
    }

    fn format(&self) -> Result<crate::table::Format, AppError> {
        format_named(self.format.as_deref())
    }

    /// Opens the database and brings its schema up to date. A MySQL login without a password
    /// that the server refuses is retried with a password asked on the terminal.
    fn open_store(&self) -> Result<Store, AppError> {
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
        store.set_notices(Arc::new(|text: &str| eprintln!("tally: {text}")));
        Ok(store)
    }

    /// A session on the database, with the metrics, the format and the front ends.
    fn session(&self) -> Result<Session, AppError> {
        let format = self.format()?;
        let mut session = Session::new(
            self.open_store()?,
            self.settings.zone.clone(),
            self.metrics(),
        )
        .with_pool(self.settings.pool)
        .with_front_ends(Arc::new(Fronts));
        session.format = format;
        session.currency = self.settings.currency;
        Ok(session)
    }
}

/// The format named `name` (None: table).
fn format_named(name: Option<&str>) -> Result<crate::table::Format, AppError> {
    match name {
        None => Ok(crate::table::Format::Table),
        Some(name) => crate::table::Format::parse(name)
            .ok_or_else(|| UsageError::UnknownFormat(name.to_string()).into()),
    }
}

/// The front ends the statement layer reaches through `.run` and `.menu`.
struct Fronts;

impl FrontEnds for Fronts {
    fn run_report(
        &self,
        session: &mut Session,
        name: &str,
        params: &[(String, String)],
    ) -> Result<(), AppError> {
        let file = crate::report::find(name)?;
        crate::report::run(session, &file, params, None)
    }

    fn menu(&self, session: &mut Session) -> Result<(), AppError> {
        crate::menu::run(session)
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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_exit(&e),
    };
    match run(cli) {
        Ok(()) => ExitCode::from(crate::app::exit::OK),
        Err(AppError::Interrupted) => ExitCode::from(crate::app::exit::INTERRUPTED),
        Err(e) => {
            let shown = e.render();
            eprintln!("{}", shown.trim_end());
            ExitCode::from(e.exit_code())
        }
    }
}

/// `--help` and `--version` go through tally's output (a closed pipe, a full disk); a usage
/// mistake is said on stderr with exit code 2.
fn clap_exit(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    let text = e.render().to_string();
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => match crate::out::print(&text) {
            Ok(()) => ExitCode::from(crate::app::exit::OK),
            Err(failed) => {
                eprintln!("tally: {failed}");
                ExitCode::from(crate::app::exit::DATA)
            }
        },
        _ => {
            eprint!("{text}");
            ExitCode::from(crate::app::exit::USAGE)
        }
    }
}

fn run(cli: Cli) -> Result<(), AppError> {
    let overrides = Overrides::from_env(cli.db.clone(), cli.tz.clone());
    let settings = Settings::resolve(&overrides, config_path())?;
    let invocation = Invocation {
        settings,
        prompt_password: cli.password,
        format: cli.format.clone(),
        metric_files: cli.metrics.clone(),
    };
    if let Some(text) = &cli.execute {
        return batch(&invocation, text, Origin::typed());
    }
    if let Some(path) = &cli.file {
        let text = std::fs::read_to_string(path).map_err(|e| UsageError::ReadFile {
            path: path.clone(),
            source: Arc::new(e),
        })?;
        return batch(&invocation, &text, Origin::file(path));
    }
    let Some(command) = cli.command else {
        // No command: the shell on a terminal, statements from standard input otherwise.
        if std::io::stdin().is_terminal() {
            return crate::shell::run(invocation.session()?);
        }
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)?;
        return batch(&invocation, &text, Origin::typed());
    };
    match command {
        Command::Config(c) => misc::config(&invocation, c),
        Command::Migrate => misc::migrate(&invocation),
        Command::Customer(c) => manage::customer(&invocation, c),
        Command::Plan(c) => manage::plan(&invocation, c),
        Command::Log(c) => records::log(&invocation, c),
        Command::Record(c) => records::record(&invocation, c),
        Command::Demo(args) => misc::demo(&invocation, args),
        Command::Import(args) => import::run(&invocation, args, cli.tz.is_some()),
        Command::Summary => batch(&invocation, "summary", Origin::typed()),
        Command::Run(args) => misc::run_report(&invocation, args),
        Command::Menu => crate::menu::run(&mut invocation.session()?),
    }
}

/// Statements from `-e`, `-f` or standard input: answers on stdout; the first error stops.
fn batch(invocation: &Invocation, text: &str, origin: Origin) -> Result<(), AppError> {
    let mut session = invocation.session()?;
    session.run_script(text, &origin)?;
    Ok(())
}
