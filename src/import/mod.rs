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

use crate::model::{Record, RecordKind, Zone};
use crate::store::{Store, StoreError};
use chrono::Utc;
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A built-in file layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Native,
    Asterisk,
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

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {reason}")]
    Io { path: String, reason: String },
    #[error(transparent)]
    Mapping(#[from] MappingError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The database failed mid-import: the batches before `line` are stored.
    #[error(
        "stopped before line {line}: {source} (the rows before it are stored; run the same command again to finish)"
    )]
    Stopped { line: u64, source: StoreError },
    #[error("{0}")]
    Usage(String),
}

impl ImportError {
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
    pub mapping_name: String,
    pub rejects: Option<PathBuf>,
    pub create_customers: bool,
    /// The zone of times without an offset: `--tz`, else the mapping's, else the settings'.
    pub zone: Zone,
    pub batch_size: usize,
}

/// What an import did: `read = inserted + duplicates + rejected` always holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub file: String,
    pub read: u64,
    pub inserted: u64,
    pub duplicates: u64,
    pub rejected: u64,
    pub rejects_file: Option<PathBuf>,
    /// The last line whose record is stored, when Ctrl-C stopped the import.
    pub interrupted_after_line: Option<u64>,
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

struct Pending {
    records: Vec<Record>,
    lines: Vec<(u64, String)>,
}

/// Imports one file of usage records. Stops between batches when `stop` is set; everything
/// committed stays, and running the same import again completes it.
pub fn import_records(
    store: &Store,
    path: &str,
    opts: &Options,
    stop: &AtomicBool,
    progress: Progress,
) -> Result<Report, ImportError> {
    let started = Instant::now();
    let input = source::open(path).map_err(io_error(path))?;
    let (size, consumed) = (input.size, input.consumed.clone());
    let m = &opts.mapping;
    let dialect = source::Dialect {
        delimiter: m.delimiter_byte().unwrap_or(b','),
        quote: m.quote_byte(),
        trim: m.trim,
    };
    let mut rows = source::Rows::new(input.reader, &dialect);
    let mut report = Report {
        file: path.to_string(),
        ..Report::default()
    };
    let header = if m.header {
        match rows.next_row().map_err(io_error(path))? {
            Some(h) => Some(h.fields),
            None => return Ok(report),
        }
    } else {
        None
    };
    let layout = Layout::new(m, &opts.mapping_name, header.as_deref(), opts.zone.clone())?;
    let rejects_path = opts
        .rejects
        .clone()
        .unwrap_or_else(|| rejects::default_path(path));
    let mut rejects = rejects::Rejects::new(rejects_path.clone())
        .map_err(io_error(&rejects_path.display().to_string()))?;
    let now = Utc::now();
    let mut pending = Pending {
        records: Vec::new(),
        lines: Vec::new(),
    };
    while let Some(row) = rows.next_row().map_err(io_error(path))? {
        report.read += 1;
        let last_line = row.line;
        let record = if row.bad_encoding {
            Err("the record is not valid UTF-8".to_string())
        } else {
            layout.record(&row.fields, now).map_err(|e| e.to_string())
        };
        match record {
            Ok(r) => {
                pending.records.push(r);
                pending.lines.push((row.line, row.text));
            }
            Err(reason) => rejects
                .add(row.line, &row.text, &reason)
                .map_err(io_error(path))?,
        }
        if pending.records.len() >= opts.batch_size {
            flush(store, &mut pending, opts, &mut report, &mut rejects, path)?;
            progress(consumed.load(Ordering::Relaxed), size, report.read);
            if stop.load(Ordering::SeqCst) {
                report.interrupted_after_line = Some(last_line);
                break;
            }
        }
    }
    if report.interrupted_after_line.is_none() {
        flush(store, &mut pending, opts, &mut report, &mut rejects, path)?;
    }
    progress(consumed.load(Ordering::Relaxed), size, report.read);
    report.rejected = rejects.count;
    report.rejects_file = rejects.written().map(PathBuf::from);
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Stores the pending batch (one transaction with its rollup changes) and writes the rows the
/// store refused to the rejects file.
fn flush(
    store: &Store,
    pending: &mut Pending,
    opts: &Options,
    report: &mut Report,
    rejects: &mut rejects::Rejects,
    path: &str,
) -> Result<(), ImportError> {
    if let Some(&(first_line, _)) = pending.lines.first() {
        let outcome = store
            .insert_batch(&pending.records, opts.create_customers)
            .map_err(|e| ImportError::Stopped {
                line: first_line,
                source: e,
            })?;
        report.inserted += outcome.inserted as u64;
        report.duplicates += outcome.duplicates as u64;
        for (index, reason) in outcome.rejected {
            let (line, text) = &pending.lines[index];
            rejects
                .add(*line, text, &reason.to_string())
                .map_err(io_error(path))?;
        }
        pending.records.clear();
        pending.lines.clear();
    }
    rejects.flush().map_err(io_error(path))
}
