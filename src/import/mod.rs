//! `tally import`: CSV files (native, Asterisk, FreeSWITCH, or any layout through a mapping) →
//! checked records → the store, in batches, each record exactly once.

mod layout;
mod mapping;
mod people;
mod rejects;
mod source;

pub use layout::Layout;
pub use mapping::{Mapping, MappingError};
pub use people::{import_customers, import_plans};
pub use rejects::{Existing, Protected, Rejects, RejectsError, default_path, same_file};

use crate::model::{Record, RecordKind, Zone};
use crate::store::{BatchMemory, Store, StoreError};
use chrono::Utc;
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

/// A built-in file layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// tally's own CSV layout, as `tally demo --csv` writes it.
    Native,
    /// Asterisk's `Master.csv` call records.
    Asterisk,
    /// FreeSWITCH's CSV call records.
    Freeswitch,
}

impl Format {
    /// The built-in mapping for this format and record kind.
    pub fn mapping(self, kind: RecordKind) -> Result<(String, &'static str), ImportError> {
        let text = match (self, kind) {
            (Format::Native, RecordKind::Call) => include_str!("formats/native-calls.toml"),
            (Format::Native, RecordKind::Sms) => include_str!("formats/native-sms.toml"),
            (Format::Native, RecordKind::Data) => include_str!("formats/native-data.toml"),
            (Format::Asterisk, RecordKind::Call) => include_str!("formats/asterisk.toml"),
            (Format::Freeswitch, RecordKind::Call) => include_str!("formats/freeswitch.toml"),
            (format, kind) => {
                return Err(ImportError::Usage(format!(
                    "the {format:?} format holds calls only, not {kind} records; use --map for other files"
                )));
            }
        };
        Ok((format!("{self:?} format").to_lowercase(), text))
    }
}

/// Why an import stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The input could not be opened or read before any row was stored.
    #[error("{path}: {reason}")]
    Io {
        /// The input file.
        path: String,
        /// What went wrong, as the system said it.
        reason: String,
    },
    /// The mapping is not valid, or does not fit the file's header.
    #[error(transparent)]
    Mapping(#[from] MappingError),
    /// The database failed before any row was stored.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The database failed mid-import: the batches before `line` are stored.
    #[error(
        "stopped before line {line}: {source} (the rows before it are stored; run the same command again to finish)"
    )]
    Stopped {
        /// The first line of the batch that was not stored.
        line: u64,
        /// What the database said.
        source: StoreError,
    },
    /// The command asks for something that cannot be done (a built-in format for a kind it does
    /// not hold).
    #[error("{0}")]
    Usage(String),
    /// The rejects file could not be written.
    #[error(transparent)]
    Rejects(#[from] RejectsError),
    /// The input broke off (a truncated gzip, a vanished file) after some rows were stored.
    #[error(
        "{path}: {reason}; the file is stored up to line {line}: run the same command again with the whole file (stored rows count as duplicates)"
    )]
    CutShort {
        /// The input file.
        path: String,
        /// What broke.
        reason: String,
        /// The last line whose record is stored.
        line: u64,
    },
}

impl ImportError {
    /// The database error behind the failure, if it was one.
    pub fn store_error(&self) -> Option<&StoreError> {
        match self {
            ImportError::Store(e) | ImportError::Stopped { source: e, .. } => Some(e),
            _ => None,
        }
    }
}

fn io_error(path: &str) -> impl Fn(std::io::Error) -> ImportError + '_ {
    move |e| ImportError::Io {
        path: path.to_string(),
        reason: e.to_string(),
    }
}

/// How to import.
#[derive(Debug, Clone)]
pub struct Options {
    /// The mapping (built-in or from --map) and its name for messages.
    pub mapping: Mapping,
    /// The mapping's name for messages: `asterisk format`, a `--map` file's path.
    pub mapping_name: String,
    /// Whether a record for a customer not stored yet creates the customer (else it is rejected).
    pub create_customers: bool,
    /// The zone of times without an offset: `--tz`, else the mapping's, else the settings'.
    pub zone: Zone,
    /// Checked records per batch; each batch is one transaction.
    pub batch_size: usize,
}

/// What an import did: `read = inserted + duplicates + rejected` always holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// The file imported, as given.
    pub file: String,
    /// Data rows read.
    pub read: u64,
    /// Records stored.
    pub inserted: u64,
    /// Records already stored, or repeated in the file.
    pub duplicates: u64,
    /// Rows refused (a bad value, an unknown customer): each is in the rejects file.
    pub rejected: u64,
    /// The rejects file, when a row of this file was rejected.
    pub rejects_file: Option<PathBuf>,
    /// The last line whose record is stored, when Ctrl-C stopped the import.
    pub interrupted_after_line: Option<u64>,
    /// How long the import took.
    pub elapsed: Duration,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.elapsed.as_secs_f64();
        let rate = if secs > 0.0 {
            self.read as f64 / secs
        } else {
            0.0
        };
        write!(
            f,
            "{}: read {} = inserted {} + duplicates {} + rejected {} in {secs:.1} s ({rate:.0} rows/s)",
            self.file, self.read, self.inserted, self.duplicates, self.rejected
        )?;
        if let Some(path) = &self.rejects_file {
            write!(f, "; rejected rows are in {}", path.display())?;
        }
        Ok(())
    }
}

/// Progress as (bytes read from disk, total bytes if known, rows read).
pub type Progress<'a> = &'a dyn Fn(u64, Option<u64>, u64);

/// Rows read and checked by the reader thread, ready to store.
struct Batch {
    records: Vec<Record>,
    /// Line of each record and where its original text is in `text`, for rejects the store
    /// finds (unknown customers).
    lines: Vec<(u64, std::ops::Range<usize>)>,
    /// The original text of the batch's rows, one buffer instead of a string per row.
    text: Vec<u8>,
    /// Rows that failed their checks: line, text, reason.
    rejects: Vec<(u64, String, String)>,
    rows: u64,
    last_line: u64,
}

/// Imports one file of usage records; rows that cannot be stored go to `rejects`. A reader
/// thread parses and checks rows while this thread stores the previous batch. Stops between
/// batches when `stop` is set; everything committed stays, and running the same import again
/// completes it.
pub fn import_records(
    store: &Store,
    path: &str,
    opts: &Options,
    rejects: &mut Rejects,
    stop: &AtomicBool,
    progress: Progress,
) -> Result<Report, ImportError> {
    let started = Instant::now();
    let size = source::size(path);
    let consumed = Arc::new(AtomicU64::new(0));
    let rejected_before = rejects.count;
    let mut report = Report {
        file: path.to_string(),
        ..Report::default()
    };
    let mut cache = BatchMemory::default();
    std::thread::scope(|scope| -> Result<(), ImportError> {
        // A rendezvous: the reader fills the next batch while this thread stores one, and
        // waits for this thread to take it. A batch parked in between would only hold memory.
        let (sender, batches) = mpsc::sync_channel(0);
        let counter = consumed.clone();
        scope.spawn(move || read_batches(path, opts, counter, &sender));
        let mut stored_through = 0;
        for batch in batches {
            let batch = match batch {
                Err(ImportError::Io { path, reason }) if report.read > 0 => {
                    return Err(ImportError::CutShort {
                        path,
                        reason,
                        line: stored_through,
                    });
                }
                other => other?,
            };
            report.read += batch.rows;
            for (line, text, reason) in &batch.rejects {
                rejects.add(path, *line, text, reason)?;
            }
            store_batch(store, &batch, opts, &mut cache, &mut report, rejects, path)?;
            stored_through = batch.last_line;
            progress(consumed.load(Ordering::Relaxed), size, report.read);
            if stop.load(Ordering::SeqCst) {
                report.interrupted_after_line = Some(batch.last_line);
                // Dropping the receiver ends the reader at its next batch.
                break;
            }
        }
        Ok(())
    })?;
    report.rejected = rejects.count - rejected_before;
    if report.rejected > 0 {
        report.rejects_file = Some(rejects.path().to_path_buf());
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

/// The reader thread: opens the input, binds the mapping to its header, and sends checked rows
/// in batches until the end of the file or until the receiver is gone.
fn read_batches(
    path: &str,
    opts: &Options,
    consumed: Arc<AtomicU64>,
    out: &mpsc::SyncSender<Result<Batch, ImportError>>,
) {
    if let Err(e) = read_into(path, opts, consumed, out) {
        let _ = out.send(Err(e));
    }
}

fn read_into(
    path: &str,
    opts: &Options,
    consumed: Arc<AtomicU64>,
    out: &mpsc::SyncSender<Result<Batch, ImportError>>,
) -> Result<(), ImportError> {
    let m = &opts.mapping;
    let dialect = source::Dialect {
        delimiter: m.delimiter_byte().unwrap_or(b','),
        quote: m.quote_byte(),
        trim: m.trim,
    };
    let mut rows = source::Rows::new(
        source::open(path, consumed).map_err(io_error(path))?,
        &dialect,
    );
    let header = match m.header {
        true => match rows.next_owned().map_err(io_error(path))? {
            Some(h) => Some(h.fields),
            None => return Ok(()),
        },
        false => None,
    };
    let layout = Layout::new(m, &opts.mapping_name, header.as_deref(), opts.zone.clone())?;
    let now = Utc::now();
    let empty = || Batch {
        records: Vec::new(),
        lines: Vec::new(),
        text: Vec::new(),
        rejects: Vec::new(),
        rows: 0,
        last_line: 0,
    };
    let mut batch = empty();
    loop {
        let row = match rows.next_row(&mut batch.text) {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) => {
                // What was read before the break is sound: store it, then say where it broke.
                if batch.rows > 0 {
                    let _ = out.send(Ok(std::mem::replace(&mut batch, empty())));
                }
                return Err(io_error(path)(e));
            }
        };
        batch.rows += 1;
        batch.last_line = row.line;
        let checked = match row.fields {
            None => Err("the record is not valid UTF-8".to_string()),
            Some(fields) => layout.record(fields, now).map_err(|e| e.to_string()),
        };
        match checked {
            Ok(r) => {
                batch.records.push(r);
                batch.lines.push((row.line, row.text));
            }
            Err(reason) => {
                let text = String::from_utf8_lossy(&batch.text[row.text]).into_owned();
                batch.rejects.push((row.line, text, reason));
            }
        }
        if batch.records.len() >= opts.batch_size
            && out
                .send(Ok(std::mem::replace(&mut batch, empty())))
                .is_err()
        {
            return Ok(());
        }
    }
    if batch.rows > 0 {
        let _ = out.send(Ok(batch));
    }
    Ok(())
}

/// Stores one batch (one transaction with its rollup changes) and writes the rows the store
/// refused to the rejects file.
fn store_batch(
    store: &Store,
    batch: &Batch,
    opts: &Options,
    cache: &mut BatchMemory,
    report: &mut Report,
    rejects: &mut rejects::Rejects,
    path: &str,
) -> Result<(), ImportError> {
    if let Some(&(first_line, _)) = batch.lines.first() {
        let outcome = store
            .insert_batch_with(&batch.records, opts.create_customers, cache)
            .map_err(|e| ImportError::Stopped {
                line: first_line,
                source: e,
            })?;
        report.inserted += outcome.inserted as u64;
        report.duplicates += outcome.duplicates as u64;
        for (index, reason) in outcome.rejected {
            let (line, span) = &batch.lines[index];
            let text = String::from_utf8_lossy(&batch.text[span.clone()]);
            rejects.add(path, *line, &text, &reason.to_string())?;
        }
    }
    Ok(rejects.flush()?)
}
