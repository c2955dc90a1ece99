//! The interactive shell: a line editor with history, completion and multi-line statements;
//! every entry goes to the session as statements; Ctrl-C cancels a running query on the server.

mod complete;
mod helper;

pub use complete::Names;

use crate::app::{AppError, Flow, Origin, Pager, Session};
use crate::store::Store;
use helper::TallyHelper;
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{Config, Editor};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

/// The store whose query is running now, for the Ctrl-C handler.
static RUNNING: Mutex<Option<Arc<Store>>> = Mutex::new(None);

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

/// Runs the shell on `session` until Ctrl-D or `.quit`.
pub fn run(mut session: Session) -> Result<(), AppError> {
    session.screen.color = colour_terminal();
    session.screen.pager = true;
    let names = Arc::new(RwLock::new(Names::default()));
    load_names(&session, &names);
    install_ctrl_c();
    let config = Config::builder()
        .auto_add_history(false)
        .max_history_size(10_000)
        .and_then(|b| b.history_ignore_dups(true))
        .map(|b| b.completion_type(rustyline::CompletionType::List).build())?;
    let mut editor: Editor<TallyHelper, FileHistory> = Editor::with_config(config)?;
    editor.set_helper(Some(TallyHelper {
        names: names.clone(),
        color: session.screen.color,
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
        session.store().url()
    );
    loop {
        let rows = editor
            .dimensions()
            .map(|(_, rows)| (rows as usize).saturating_sub(6).max(10));
        session.screen.rows = rows;
        session
            .output
            .set_pager(rows.filter(|_| session.screen.pager).map(Pager::from_env));
        let prompt = format!("tally {}> ", session.store().url().short_name());
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
                let before = session.store().url().clone();
                if entry(&mut session, &line) == Flow::Quit {
                    break;
                }
                refresh(&session, &names, &before);
            }
            // Ctrl-C at the prompt clears the line.
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// One entry of the user: its statements, each run in turn; an error is shown and the shell
/// goes on with the next entry.
fn entry(session: &mut Session, line: &str) -> Flow {
    // A Ctrl-C that stopped the last entry is not meant for this one.
    crate::interrupt::reset();
    for piece in crate::app::split(line, &session.params) {
        let origin = Origin::typed().at(line, piece.start, piece.line);
        if let Ok(mut running) = RUNNING.lock() {
            *running = Some(Arc::clone(session.store()));
        }
        let result = session.execute(&piece.text, &origin);
        if let Ok(mut running) = RUNNING.lock() {
            *running = None;
        }
        match result {
            Ok(Flow::Quit) => return Flow::Quit,
            Ok(Flow::Continue) => {}
            Err(e) if is_cancelled(&e) => eprintln!("query cancelled"),
            Err(e) => eprint!("{}", with_newline(e.render())),
        }
    }
    Flow::Continue
}

fn with_newline(mut text: String) -> String {
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

fn is_cancelled(e: &AppError) -> bool {
    use crate::store::{DbError, StoreError};
    match e {
        AppError::Statement(s) => matches!(
            s.error,
            crate::query::QueryError::Store(StoreError::Db(DbError::Cancelled))
        ),
        AppError::Store(StoreError::Db(DbError::Cancelled)) => true,
        _ => false,
    }
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

/// Loads plan names, regions and metric names for completion, without delaying the prompt.
fn load_names(session: &Session, names: &Arc<RwLock<Names>>) {
    let (store, names) = (Arc::clone(session.store()), Arc::clone(names));
    let metrics = complete::metric_sources(session.metrics());
    std::thread::spawn(move || {
        if let (Ok(loaded), Ok(mut names)) = (complete::load(&store), names.write()) {
            *names = Names { metrics, ..loaded };
        }
    });
}

/// After an entry: names again when the database changed, metric names always.
fn refresh(session: &Session, names: &Arc<RwLock<Names>>, before: &crate::config::DbUrl) {
    if session.store().url() != before {
        load_names(session, names);
    } else if let Ok(mut n) = names.write() {
        n.metrics = complete::metric_sources(session.metrics());
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_stay_out_of_the_history() {
        assert!(super::holds_password(".db mysql://bob:secret@host/db"));
        assert!(!super::holds_password(".db mysql://bob@host/db"));
        assert!(!super::holds_password("summary"));
        for malformed in [
            ".db mysql:/bob:hunter2@host/db",
            ".db mysql:bob:hunter2",
            ".db mysql//bob:hunter2@h/db",
            ".db mysql://bob:pa/ss@host/db",
        ] {
            assert!(super::holds_password(malformed), "{malformed}");
        }
    }
}
