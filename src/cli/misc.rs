//! `tally config`, `migrate`, `demo` and `summary`.

use super::args::{ConfigCommand, DemoArgs, RunArgs};
use super::{AppError, Session};
use crate::demo::{self, DemoSpec};
use chrono::{NaiveDate, Utc};
use indicatif::{ProgressBar, ProgressStyle};

pub fn config(session: &Session, command: ConfigCommand) -> Result<(), AppError> {
    let s = &session.settings;
    match command {
        ConfigCommand::Path => match &s.config_path {
            Some(p) => crate::out::line(&p.display().to_string())?,
            None => {
                return Err(AppError::Usage(
                    "no config directory: set XDG_CONFIG_HOME or HOME".into(),
                ));
            }
        },
        ConfigCommand::Show => {
            let path = s
                .config_path
                .as_ref()
                .map_or("(none)".into(), |p| p.display().to_string());
            crate::out::line(&format!("config file: {path}"))?;
            crate::out::line(&format!(
                "database:    {} (from {})",
                s.db,
                s.origin.describe()
            ))?;
            crate::out::line(&format!("time zone:   {}", s.zone))?;
            crate::out::line(&format!(
                "pool:        min {} max {}",
                s.pool.min, s.pool.max
            ))?;
        }
    }
    Ok(())
}

pub fn migrate(session: &Session) -> Result<(), AppError> {
    // Opening already migrates; report what the database holds now.
    let store = crate::store::Store::connect(&session.settings.db, session.settings.pool)?;
    let report = store.migrate()?;
    if report.applied.is_empty() {
        crate::out::line(&format!("schema is up to date (version {})", report.to))?;
    }
    for (version, description) in &report.applied {
        crate::out::line(&format!("applied migration {version}: {description}"))?;
    }
    Ok(())
}

fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} customer-days ({per_sec}, ETA {eta})",
    ) {
        bar.set_style(style);
    }
    bar
}

pub fn demo(session: &Session, args: DemoArgs) -> Result<(), AppError> {
    let end = match &args.end {
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            crate::model::ValidationError::new("end", text, "must be a date such as 2026-11-25")
        })?,
        None => Utc::now().date_naive(),
    };
    if args.days == 0 || args.days > 3660 || args.customers == 0 {
        return Err(AppError::Usage(
            "--customers must be at least 1 and --days from 1 to 3660".into(),
        ));
    }
    let spec = DemoSpec {
        customers: args.customers,
        days: args.days,
        seed: args.seed,
        end,
    };
    let bar = progress_bar();
    match &args.csv {
        Some(dir) => {
            let report = demo::write_csv(dir, &spec, &bar)?;
            crate::out::line(&format!(
                "wrote {report} to {} (seed {})",
                dir.display(),
                spec.seed
            ))?;
        }
        None => {
            let store = session.open_store()?;
            let report = demo::load(&store, &spec, &bar)?;
            crate::out::line(&format!(
                "demo data in {}: {report}, {} to {} (seed {})",
                store.url(),
                spec.first_day(),
                spec.end.pred_opt().unwrap_or(spec.end),
                spec.seed
            ))?;
        }
    }
    if args.open {
        use std::io::IsTerminal;
        // The shell on a terminal; elsewhere (a script, CI) the network summary.
        return if std::io::stdin().is_terminal() {
            crate::shell::run(session.clone())
        } else {
            summary(session)
        };
    }
    Ok(())
}

/// Network totals over all time: the query language's `summary`.
pub fn summary(session: &Session) -> Result<(), AppError> {
    super::batch::run(session, "summary")
}

/// `tally run FILE --param NAME=VALUE`: the report on stdout, the first failure as FILE:LINE.
pub fn run_report(session: &Session, args: RunArgs) -> Result<(), AppError> {
    let params = args
        .params
        .iter()
        .map(|p| crate::report::parse_param(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(AppError::Usage)?;
    let mut session = session.clone();
    if args.format.is_some() {
        session.format = args.format.clone();
    }
    let reporter = session.reporter()?;
    // Ctrl-C stops the report: its query on the server, and its own code at the next step.
    let store = std::sync::Arc::clone(&reporter.store);
    crate::interrupt::on_press(move |_| {
        let _ = store.cancel_running();
    });
    let result = crate::report::run(&reporter, &args.file, &params);
    if crate::interrupt::pressed() {
        eprintln!("tally: interrupted");
        return Err(AppError::Interrupted);
    }
    Ok(result?)
}
