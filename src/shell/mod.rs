//! The interactive shell: a line editor with history, completion and multi-line statements;
//! queries, `log` lines and dot commands; Ctrl-C cancels a running query on the server.

mod complete;
mod dot;
mod helper;
mod metrics;

pub use complete::Names;

use crate::cli::{AppError, Session};
use crate::model::Zone;
use crate::query::{self, Answer};
use crate::store::Store;
use crate::table::{self, Format, Options};
use helper::TallyHelper;
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{Config, Editor};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

/// The store whose query is running now, for the Ctrl-C handler.
static RUNNING: Mutex<Option<Arc<Store>>> = Mutex::new(None);

/// Where answers go: the terminal, a file (`.output`), or a file for one answer (`.once`).
enum Output {
    Stdout,
    File(std::fs::File),
}

pub struct Shell {
    store: Arc<Store>,
    zone: Zone,
    format: Format,
    timing: bool,
    output: Output,
    once: Option<std::fs::File>,
    names: Arc<RwLock<Names>>,
    color: bool,
    /// Rows shown before a result is cut, on a terminal.
    screen_rows: Option<usize>,
    session: Session,
    metrics: Arc<crate::metric::Metrics>,
}

/// Whether to draw colours: a terminal that wants them.
fn colour_terminal() -> bool {
    std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none()
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

/// `TALLY_HISTORY`, else `history` in the state directory (or the data directory).
pub fn history_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("TALLY_HISTORY") {
        return Some(PathBuf::from(path));
    }
    dirs::state_dir()
        .or_else(dirs::data_dir)
        .map(|d| d.join("tally").join("history"))
}

/// A line that holds a password is never written to the history: a URL with `user:secret@`,
/// or URL text that does not parse and would be masked in a message (`mysql:bob:secret`).
fn holds_password(line: &str) -> bool {
    line.split_whitespace().any(|w| {
        crate::config::may_hold_password(w)
            || (crate::config::DbUrl::parse(w).is_err() && crate::config::mask_url_text(w) != w)
    })
}

pub fn run(session: Session) -> Result<(), AppError> {
    let store = Arc::new(session.open_store()?);
    let format = crate::cli::output_format(&session)?;
    let mut shell = Shell {
        zone: session.settings.zone.clone(),
        store,
        format,
        timing: false,
        output: Output::Stdout,
        once: None,
        names: Arc::new(RwLock::new(Names::default())),
        color: colour_terminal(),
        screen_rows: None,
        metrics: Arc::new(session.metrics()),
        session,
    };
    shell.refresh_metric_names();
    shell.load_names();
    install_ctrl_c();
    let config = Config::builder()
        .auto_add_history(false)
        .max_history_size(10_000)
        .and_then(|b| b.history_ignore_dups(true))
        .map(|b| b.build())
        .map_err(|e| AppError::Io(e.to_string()))?;
    let mut editor: Editor<TallyHelper, FileHistory> =
        Editor::with_config(config).map_err(|e| AppError::Io(e.to_string()))?;
    editor.set_helper(Some(TallyHelper {
        names: shell.names.clone(),
        color: shell.color,
    }));
    let history = history_path();
    if let Some(path) = &history {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = editor.load_history(path);
    }
    eprintln!(
        "tally on {} — .help for help, Ctrl-D to quit",
        shell.store.url()
    );
    loop {
        shell.screen_rows = editor
            .dimensions()
            .map(|(_, rows)| (rows as usize).saturating_sub(6).max(10));
        let prompt = format!("tally {}> ", shell.store.url().short_name());
        match editor.readline(&prompt) {
            Ok(line) => {
                if line.trim().is_empty() {
                    continue;
                }
                if !holds_password(&line) {
                    let _ = editor.add_history_entry(line.as_str());
                    if let Some(path) = &history {
                        let _ = editor.save_history(path);
                    }
                }
                if shell.line(&line) == Flow::Quit {
                    break;
                }
            }
            // Ctrl-C at the prompt clears the line.
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(AppError::Io(e.to_string())),
        }
    }
    Ok(())
}

/// Cancels the running query on the server; the shell goes on.
fn install_ctrl_c() {
    crate::interrupt::on_press(|_| {
        let running = RUNNING.lock().map(|r| r.clone()).unwrap_or(None);
        if let Some(store) = running {
            let _ = store.cancel_running();
        }
    });
}

#[derive(Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Quit,
}

impl Shell {
    /// Loads plan names, regions and subscriber keys for completion, without delaying the prompt.
    fn load_names(&self) {
        let (store, names) = (self.store.clone(), self.names.clone());
        std::thread::spawn(move || {
            let loaded = dot::names(&store);
            if let (Ok(loaded), Ok(mut names)) = (loaded, names.write()) {
                let metrics = std::mem::take(&mut names.metrics);
                *names = Names { metrics, ..loaded };
            }
        });
    }

    /// One entry of the user: a dot command, a `log` line, or statements.
    pub fn line(&mut self, line: &str) -> Flow {
        // A Ctrl-C that stopped the last entry is not meant for this one.
        crate::interrupt::reset();
        let text = line.trim();
        if text.starts_with('.') {
            return self.dot(text);
        }
        if crate::cli::is_log_line(text) {
            self.log(text);
            return Flow::Continue;
        }
        if crate::metric::is_definition(text) {
            self.define_metric(text);
            return Flow::Continue;
        }
        for statement in crate::cli::statements(text) {
            self.statement(&statement);
        }
        Flow::Continue
    }

    fn statement(&mut self, text: &str) {
        let started = Instant::now();
        if let Ok(mut running) = RUNNING.lock() {
            *running = Some(self.store.clone());
        }
        let result = query::run_with(
            &self.store,
            text,
            &self.zone,
            chrono::Utc::now(),
            &self.metrics,
        );
        if let Ok(mut running) = RUNNING.lock() {
            *running = None;
        }
        match result {
            Ok(Answer::Table(rs)) => {
                let rows = rs.rows.len();
                let options = Options {
                    max_rows: self.cut_at(),
                    color: self.color && self.to_terminal(),
                };
                self.emit(&table::render(&rs, self.format, &options));
                if self.timing {
                    eprintln!(
                        "({rows} rows in {:.1} ms)",
                        started.elapsed().as_secs_f64() * 1000.0
                    );
                }
            }
            Ok(Answer::Explain(text)) => self.emit(&text),
            Err(query::QueryError::Store(crate::store::StoreError::Db(
                crate::store::DbError::Cancelled,
            ))) => {
                eprintln!("query cancelled");
            }
            Err(e) => eprint!("{}", e.render(text)),
        }
    }

    fn to_terminal(&self) -> bool {
        self.once.is_none()
            && matches!(self.output, Output::Stdout)
            && std::io::stdout().is_terminal()
    }

    fn cut_at(&self) -> Option<usize> {
        if self.to_terminal() {
            self.screen_rows
        } else {
            None
        }
    }

    /// Writes an answer where answers go now.
    fn emit(&mut self, text: &str) {
        if let Some(mut file) = self.once.take() {
            if let Err(e) = file.write_all(text.as_bytes()) {
                eprintln!("tally: cannot write the output file: {e}");
            }
            return;
        }
        let written = match &mut self.output {
            Output::Stdout => crate::out::print(text).map_err(|e| std::io::Error::other(e.0)),
            Output::File(file) => file.write_all(text.as_bytes()),
        };
        if let Err(e) = written {
            eprintln!("tally: cannot write the output: {e}");
        }
    }

    /// `log call|sms|data ...`: the same as `tally log`, parsed by the same command line.
    fn log(&mut self, text: &str) {
        match crate::cli::log_line(&self.store, text, &self.zone) {
            Ok(message) => {
                if let Err(e) = crate::out::line(&message) {
                    eprintln!("tally: {e}");
                }
            }
            Err(e) => eprintln!("{e}"),
        }
    }
}
