//! `tally import`: runs the importer over each file with a progress bar and Ctrl-C handling.

use super::Invocation;
use super::args::{FormatArg, ImportArgs, ImportKind};
use crate::app::{AppError, UsageError};
use crate::import::{
    self, Existing, Format, ImportError, Mapping, Options, Protected, Rejects, RejectsError, Report,
};
use crate::model::{RecordKind, Zone};
use indicatif::{ProgressBar, ProgressStyle};
use std::sync::atomic::{AtomicBool, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);

/// Exit code after Ctrl-C (128 + SIGINT), as shells report it.
pub const INTERRUPTED: u8 = crate::app::exit::INTERRUPTED;

/// The first Ctrl-C asks the import to stop after the batch in flight; a second one ends the
/// process at once (the database still holds only whole batches).
fn install_ctrl_c() {
    crate::interrupt::on_press(|presses| {
        if presses > 1 {
            std::process::exit(i32::from(INTERRUPTED));
        }
        STOP.store(true, Ordering::SeqCst);
        eprintln!("\ntally: stopping after the batch in flight (Ctrl-C again to quit at once)");
    });
}

fn record_kind(kind: ImportKind) -> Option<RecordKind> {
    match kind {
        ImportKind::Calls => Some(RecordKind::Call),
        ImportKind::Sms => Some(RecordKind::Sms),
        ImportKind::Data => Some(RecordKind::Data),
        ImportKind::Customers | ImportKind::Plans => None,
    }
}

fn load_mapping(args: &ImportArgs, kind: RecordKind) -> Result<(Mapping, String), AppError> {
    let (name, text) = match &args.map {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| UsageError::ReadFile {
                path: path.clone(),
                source: std::sync::Arc::new(e),
            })?;
            (path.display().to_string(), text)
        }
        None => {
            let format = match args.format {
                FormatArg::Native => Format::Native,
                FormatArg::Asterisk => Format::Asterisk,
                FormatArg::Freeswitch => Format::Freeswitch,
            };
            let (name, text) = format.mapping(kind)?;
            (name, text.to_string())
        }
    };
    let mapping = Mapping::parse(&name, &text).map_err(UsageError::Mapping)?;
    let declared = mapping
        .kind()
        .map_err(|reason| UsageError::Mapping(crate::import::MappingError::new(&name, reason)))?;
    if declared != kind {
        return Err(UsageError::MappingKind {
            mapping: name,
            declared: mapping.record.clone(),
            asked: args.kind.to_possible_value_name(),
        }
        .into());
    }
    Ok((mapping, name))
}

trait PossibleName {
    fn to_possible_value_name(&self) -> String;
}

impl PossibleName for ImportKind {
    fn to_possible_value_name(&self) -> String {
        format!("{self:?}").to_lowercase()
    }
}

fn progress_bar(file: &str) -> ProgressBar {
    let bar = ProgressBar::new(0);
    if let Ok(style) = ProgressStyle::with_template(
        "{prefix} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg} ETA {eta}",
    ) {
        bar.set_style(style);
    }
    bar.set_prefix(file.to_string());
    bar
}

pub fn run(session: &Invocation, args: ImportArgs, tz_given: bool) -> Result<(), AppError> {
    if args.map.is_some() && record_kind(args.kind).is_none() {
        return Err(UsageError::MapForPeople.into());
    }
    // Everything is checked before anything is read or stored: the inputs exist, and every
    // rejects file can be written without destroying a file.
    for file in args.files.iter().filter(|f| f.as_str() != "-") {
        std::fs::metadata(file).map_err(|e| ImportError::Io {
            path: file.clone(),
            reason: e.to_string(),
        })?;
    }
    let mut rejects = open_rejects(session, &args)?;
    let store = session.open_store()?;
    install_ctrl_c();
    for (i, file) in args.files.iter().enumerate() {
        let r = rejects.for_file(i);
        let report = match record_kind(args.kind) {
            Some(kind) => import_file(session, &store, &args, kind, file, r, tz_given),
            None if args.kind == ImportKind::Customers => {
                import::import_customers(&store, file, r, &session.settings.zone)
                    .map_err(AppError::from)
            }
            None => import::import_plans(&store, file, r).map_err(AppError::from),
        }?;
        crate::out::line(&report.to_string())?;
        if let Some(line) = report.interrupted_after_line {
            eprintln!(
                "tally: interrupted: {file} is stored up to line {line}; run the same command again to finish (stored rows count as duplicates{})",
                if report.rejects_file.is_some() {
                    ", and --force writes the rejects file anew"
                } else {
                    ""
                }
            );
            rejects.finish()?;
            return Err(AppError::Interrupted);
        }
    }
    rejects.finish()
}

/// The run's rejects files: one named by --rejects for every input, or one beside each input
/// (inputs that share a default path share its file).
struct RunRejects {
    files: Vec<Rejects>,
    /// Which file each input writes to.
    of_input: Vec<usize>,
}

impl RunRejects {
    fn for_file(&mut self, input: usize) -> &mut Rejects {
        let at = self.of_input.get(input).copied().unwrap_or(0);
        &mut self.files[at]
    }

    fn finish(self) -> Result<(), AppError> {
        for r in self.files {
            r.finish().map_err(rejects_error)?;
        }
        Ok(())
    }
}

fn open_rejects(session: &Invocation, args: &ImportArgs) -> Result<RunRejects, AppError> {
    let protected = protected_files(session, args);
    let existing = if args.force {
        Existing::Replace
    } else if args.append {
        Existing::Append
    } else {
        Existing::Refuse
    };
    if let Some(path) = &args.rejects {
        let shared = Rejects::open(path, existing, &protected).map_err(rejects_error)?;
        return Ok(RunRejects {
            files: vec![shared],
            of_input: vec![0; args.files.len()],
        });
    }
    let mut paths: Vec<std::path::PathBuf> = Vec::new();
    let mut files = Vec::new();
    let mut of_input = Vec::new();
    for input in &args.files {
        let path = import::default_path(input);
        let at = match paths.iter().position(|p| *p == path) {
            Some(at) => at,
            None => {
                files.push(Rejects::open(&path, existing, &protected).map_err(rejects_error)?);
                paths.push(path);
                files.len() - 1
            }
        };
        of_input.push(at);
    }
    Ok(RunRejects { files, of_input })
}

/// Files a rejects file must never be: the inputs (standard input's file too), the mapping,
/// the database and its journals, by the path given and by the file it resolves to (SQLite
/// keeps the journals of a linked database beside its target).
fn protected_files(session: &Invocation, args: &ImportArgs) -> Vec<Protected> {
    let mut out: Vec<Protected> = args
        .files
        .iter()
        .map(|f| Protected {
            // `-` is standard input: when it comes from a file, that file is protected.
            path: if f == "-" {
                "/dev/stdin".into()
            } else {
                f.into()
            },
            what: format!("the input file {f}"),
        })
        .collect();
    if let Some(map) = &args.map {
        out.push(Protected {
            path: map.clone(),
            what: "the mapping file".into(),
        });
    }
    if let crate::config::DbUrl::SqliteFile(db) = &session.settings.db {
        let mut spellings = vec![db.clone()];
        spellings.extend(std::fs::canonicalize(db).ok());
        for db in spellings {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let mut path = db.clone().into_os_string();
                path.push(suffix);
                out.push(Protected {
                    path: path.into(),
                    what: "the database".into(),
                });
            }
        }
    }
    out
}

/// A rejects file that cannot be used is a usage error, but failing to write one (a full
/// disk) is the import's error.
fn rejects_error(e: RejectsError) -> AppError {
    match e {
        RejectsError::Io { .. } => AppError::Import(ImportError::Rejects(e)),
        other => UsageError::Rejects(other).into(),
    }
}

fn import_file(
    session: &Invocation,
    store: &crate::store::Store,
    args: &ImportArgs,
    kind: RecordKind,
    file: &str,
    rejects: &mut Rejects,
    tz_given: bool,
) -> Result<Report, AppError> {
    let (mapping, mapping_name) = load_mapping(args, kind)?;
    let zone = match (&mapping.time.zone, tz_given) {
        (Some(z), false) => Zone::parse(z)?,
        _ => session.settings.zone.clone(),
    };
    let opts = Options {
        mapping,
        mapping_name,
        create_customers: args.create_customers,
        zone,
        batch_size: args
            .batch_size
            .map_or_else(|| store.dialect().import_batch_rows(), |n| n as usize),
    };
    let bar = progress_bar(file);
    let on_progress = |bytes: u64, total: Option<u64>, rows: u64| {
        if let Some(t) = total {
            bar.set_length(t);
        }
        bar.set_position(bytes);
        let secs = bar.elapsed().as_secs_f64().max(0.001);
        bar.set_message(format!("{rows} rows ({:.0} rows/s)", rows as f64 / secs));
    };
    let result = import::import_records(store, file, &opts, rejects, &STOP, &on_progress);
    bar.finish_and_clear();
    Ok(result?)
}
