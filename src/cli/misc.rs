//! `tally config`, `migrate`, `demo` and `summary`.

use super::Invocation;
use super::args::{ConfigCommand, DemoArgs, RunArgs};
use crate::app::AppError;
use crate::demo::{self, DemoSpec};
use chrono::{NaiveDate, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use std::sync::Arc;

pub fn config(session: &Invocation, command: ConfigCommand) -> Result<(), AppError> {
    let s = &session.settings;
    match command {
        ConfigCommand::Path => match &s.config_path {
            Some(p) => crate::out::line(&p.display().to_string())?,
            None => return Err(crate::app::UsageError::NoConfigDir.into()),
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

pub fn migrate(session: &Invocation) -> Result<(), AppError> {
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

pub fn demo(session: &Invocation, args: DemoArgs) -> Result<(), AppError> {
    let end = match &args.end {
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            crate::model::ValidationError::new("end", text, "must be a date such as 2026-11-25")
        })?,
        None => Utc::now().date_naive(),
    };
    if args.days == 0 || args.days > 3660 || args.customers == 0 {
        return Err(crate::app::UsageError::DemoSize.into());
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
            if args.anomalies {
                let planted = demo::load_planted(&store, &spec)?;
                crate::out::line(&format!(
                    "planted {} customers ({} calls) for anomalies, suspects and declining customers to find:",
                    planted.customers, planted.calls
                ))?;
                for (key, what) in demo::planted::PLANTED {
                    crate::out::line(&format!("  {key}  {what}"))?;
                }
            }
        }
    }
    if args.open {
        use std::io::IsTerminal;
        // The shell on a terminal; elsewhere (a script, CI) the network summary.
        return if std::io::stdin().is_terminal() {
            crate::shell::run(session.session()?)
        } else {
            super::batch(session, "summary", crate::app::Origin::typed())
        };
    }
    Ok(())
}

/// `tally run REPORT --param NAME=VALUE`: the report on stdout (or `--output`), the first
/// failure with its file and line; `--list` shows the known reports.
pub fn run_report(invocation: &Invocation, args: RunArgs) -> Result<(), AppError> {
    if args.list {
        return crate::out::print(&crate::report::listing()).map_err(Into::into);
    }
    let name = args.report.unwrap_or_default();
    let params = args
        .params
        .iter()
        .map(|p| crate::app::parse_param(p))
        .collect::<Result<Vec<_>, _>>()?;
    let file = crate::report::find(&name)?;
    let mut session = invocation.session()?;
    if let Some(format) = &args.format {
        session.format = super::format_named(Some(format))?;
    }
    // With csv and several tables, --output names a folder; otherwise the report's file.
    let dir = match (&args.output, session.format) {
        (Some(path), crate::table::Format::Csv) if path.is_dir() || path.extension().is_none() => {
            Some(path.clone())
        }
        (Some(path), _) => {
            session.set_output(Some(path))?;
            None
        }
        (None, _) => None,
    };
    // Ctrl-C stops the report: its query on the server, and its own code at the next step.
    let store = Arc::clone(session.store());
    crate::interrupt::on_press(move |_| {
        let _ = store.cancel_running();
    });
    let result = crate::report::run(&mut session, &file, &params, dir.as_deref());
    if crate::interrupt::pressed() {
        eprintln!("tally: interrupted");
        return Err(AppError::Interrupted);
    }
    result
}
