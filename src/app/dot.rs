//! Dot commands, declared once: name, arguments, help, the values completion offers, and what
//! each does to the session. `.help` is made from this table; every mode runs them.

use super::{AppError, Flow, Session};
use crate::config::DbUrl;
use crate::model::Zone;
use crate::table::Format;
use std::path::Path;

/// A dot command that cannot run as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DotError {
    /// No such command.
    #[error("unknown command {name}; .help lists them{}", .hint.as_ref().map(|h| format!(" (did you mean {h}?)")).unwrap_or_default())]
    Unknown {
        /// What was typed.
        name: String,
        /// A close command.
        hint: Option<String>,
    },
    /// Wrong arguments.
    #[error("usage: {name} {args}")]
    Usage {
        /// The command.
        name: &'static str,
        /// Its arguments.
        args: &'static str,
    },
    /// A command this mode has no use for (`.menu` without a terminal).
    #[error("{0} is not available here")]
    NotHere(String),
    /// The line's quotes do not close.
    #[error("{0}")]
    Quotes(String),
    /// A report run from the menu tried to store a record.
    #[error(
        "this report stores records, which the menu does not allow without asking: run it with `tally run`"
    )]
    NoLogging,
}

type Run = fn(&mut Session, &[String]) -> Result<Flow, AppError>;

/// One dot command.
pub struct DotCommand {
    /// `.format`
    pub name: &'static str,
    /// `table|vertical|csv|json|markdown`
    pub args: &'static str,
    /// One line of help.
    pub help: &'static str,
    /// The words its first argument may be, for completion (empty: a name or a path).
    pub values: &'static [&'static str],
    run: Run,
}

/// Every dot command, in the order `.help` lists them.
pub static COMMANDS: &[DotCommand] = &[
    DotCommand {
        name: ".help",
        args: "[examples]",
        help: "the statements, dot commands, measures and fields; example lines",
        values: &["examples"],
        run: help,
    },
    DotCommand {
        name: ".format",
        args: "table|vertical|csv|json|markdown",
        help: "how answers are printed",
        values: &["table", "vertical", "csv", "json", "markdown"],
        run: format,
    },
    DotCommand {
        name: ".output",
        args: "[FILE]",
        help: "answers (and reports) to FILE; without FILE back to the screen",
        values: &[],
        run: output,
    },
    DotCommand {
        name: ".once",
        args: "FILE",
        help: "the next answer to FILE",
        values: &[],
        run: once,
    },
    DotCommand {
        name: ".timing",
        args: "on|off",
        help: "how long each statement took",
        values: &["on", "off"],
        run: timing,
    },
    DotCommand {
        name: ".pager",
        args: "on|off",
        help: "answers longer than the screen through $PAGER (less -S)",
        values: &["on", "off"],
        run: pager,
    },
    DotCommand {
        name: ".tz",
        args: "ZONE",
        help: "the display zone: local, UTC, Europe/London, +03:00",
        values: &["local", "UTC"],
        run: tz,
    },
    DotCommand {
        name: ".db",
        args: "URL",
        help: "switch to another database",
        values: &[],
        run: db,
    },
    DotCommand {
        name: ".schema",
        args: "",
        help: "the tables, as this backend creates them",
        values: &[],
        run: schema,
    },
    DotCommand {
        name: ".metrics",
        args: "",
        help: "the metrics, their definitions and how each runs",
        values: &[],
        run: metrics,
    },
    DotCommand {
        name: ".metric",
        args: "save|drop NAME",
        help: "keep a metric for later runs, or forget one",
        values: &["save", "drop"],
        run: metric,
    },
    DotCommand {
        name: ".run",
        args: "REPORT [NAME=VALUE ...]",
        help: "run a report (a file, or a name from `tally run --list`)",
        values: &[],
        run: run_report,
    },
    DotCommand {
        name: ".menu",
        args: "",
        help: "the numbered menu",
        values: &[],
        run: menu,
    },
    DotCommand {
        name: ".quit",
        args: "",
        help: "leave (also .exit, or Ctrl-D in the shell)",
        values: &[],
        run: quit,
    },
    DotCommand {
        name: ".exit",
        args: "",
        help: "",
        values: &[],
        run: quit,
    },
];

/// The command named `name`.
pub fn find(name: &str) -> Option<&'static DotCommand> {
    COMMANDS.iter().find(|c| c.name == name)
}

/// Runs a dot command line.
pub fn run(session: &mut Session, line: &str) -> Result<Flow, AppError> {
    let words = shell_words::split(line).map_err(|e| DotError::Quotes(e.to_string()))?;
    let Some((name, args)) = words.split_first() else {
        return Ok(Flow::Continue);
    };
    let command = find(name).ok_or_else(|| DotError::Unknown {
        name: name.clone(),
        hint: crate::diag::closest(name, COMMANDS.iter().map(|c| c.name)).map(str::to_string),
    })?;
    (command.run)(session, args)
}

fn usage(name: &'static str) -> AppError {
    let args = find(name).map_or("", |c| c.args);
    DotError::Usage { name, args }.into()
}

fn on_off(name: &'static str, args: &[String]) -> Result<bool, AppError> {
    match args {
        [v] if v == "on" => Ok(true),
        [v] if v == "off" => Ok(false),
        _ => Err(usage(name)),
    }
}

fn help(session: &mut Session, args: &[String]) -> Result<Flow, AppError> {
    let text = match args {
        [] => super::help::text(),
        [a] if a == "examples" => super::help::EXAMPLES.to_string(),
        _ => return Err(usage(".help")),
    };
    session.output.answer(&text)?;
    Ok(Flow::Continue)
}

fn format(session: &mut Session, args: &[String]) -> Result<Flow, AppError> {
    match args {
        [name] => {
            session.format = Format::parse(name)
                .ok_or_else(|| super::UsageError::UnknownFormat(name.clone()))?;
            Ok(Flow::Continue)
        }
        _ => Err(usage(".format")),
    }
}

fn output(session: &mut Session, args: &[String]) -> Result<Flow, AppError> {
    match args {
        [] => session.set_output(None)?,
        [path] => session.set_output(Some(Path::new(path)))?,
        _ => return Err(usage(".output")),
    }
    Ok(Flow::Continue)
}

fn once(session: &mut Session, args: &[String]) -> Result<Flow, AppError> {
    match args {
        [path] => session.output.set_once(Path::new(path))?,
        _ => return Err(usage(".once")),
    }
    Ok(Flow::Continue)
}

fn timing(session: &mut Session, args: &[String]) -> Result<Flow, AppError> {
    session.timing = on_off(".timing", args)?;
    Ok(Flow::Continue)
}

fn pager(session: &mut Session, args: &[String]) -> Result<Flow, AppError> {
    session.screen.pager = on_off(".pager", args)?;
    Ok(Flow::Continue)
}

fn tz(session: &mut Session, args: &[String]) -> Result<Flow, AppError> {
    match args {
        [zone] => session.zone = Zone::parse(zone)?,
        [] => {
            session.notice(&format!("the zone is {}", session.zone));
        }
        _ => return Err(usage(".tz")),
    }
    Ok(Flow::Continue)
}

fn db(session: &mut Session, args: &[String]) -> Result<Flow, AppError> {
    let [text] = args else {
        session.notice(&format!("connected to {}", session.store().url()));
        return Ok(Flow::Continue);
    };
    let url = DbUrl::parse(text)?;
    let store = crate::store::Store::open(&url, session.pool())?;
    session.set_store(store);
    session.notice(&format!("now on {}", session.store().url()));
    Ok(Flow::Continue)
}

fn schema(session: &mut Session, _: &[String]) -> Result<Flow, AppError> {
    let d = session.store().dialect();
    let mut out = String::new();
    for t in crate::store::schema::tables::all() {
        out.push_str(&t.create_sql(d));
        out.push_str(";\n");
        for index in t.index_sql() {
            out.push_str(&index);
            out.push_str(";\n");
        }
    }
    session.output.answer(&out)?;
    Ok(Flow::Continue)
}

fn metrics(session: &mut Session, _: &[String]) -> Result<Flow, AppError> {
    let text = super::metrics::list(session.metrics());
    session.output.answer(&text)?;
    Ok(Flow::Continue)
}

fn metric(session: &mut Session, args: &[String]) -> Result<Flow, AppError> {
    match args {
        [action, name] if action == "save" => super::metrics::save(session, name)?,
        [action, name] if action == "drop" => {
            session.metrics_mut().drop(name)?;
            session.notice(&format!("metric {name} dropped"));
        }
        _ => return Err(usage(".metric")),
    }
    Ok(Flow::Continue)
}

fn run_report(session: &mut Session, args: &[String]) -> Result<Flow, AppError> {
    let Some((name, rest)) = args.split_first() else {
        return Err(usage(".run"));
    };
    let params = rest
        .iter()
        .map(|p| super::parse_param(p))
        .collect::<Result<Vec<_>, _>>()?;
    session.run_report(name, &params)?;
    Ok(Flow::Continue)
}

fn menu(session: &mut Session, _: &[String]) -> Result<Flow, AppError> {
    let Some(front) = session.front_ends() else {
        return Err(DotError::NotHere(".menu".into()).into());
    };
    front.menu(session)?;
    Ok(Flow::Continue)
}

fn quit(_: &mut Session, _: &[String]) -> Result<Flow, AppError> {
    Ok(Flow::Quit)
}
