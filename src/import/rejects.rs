//! The rejects file: every row that could not be stored, with its file, line, the reason and
//! the original text, so nothing is dropped silently. The file is created new: an existing file
//! is never replaced unless asked (`--force`) or added to (`--append`), and it may never be one
//! of the run's inputs or the database itself.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead};
use std::path::{Path, PathBuf};

/// The header every rejects file starts with.
pub const HEADER: [&str; 4] = ["file", "line", "reason", "record"];

/// What to do when the rejects file exists already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Existing {
    /// Refuse (the default): a file that holds rejected rows is someone's data.
    #[default]
    Refuse,
    /// `--force`: replace its content.
    Replace,
    /// `--append`: add this run's rows after the ones it holds.
    Append,
}

/// Why a rejects file cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RejectsError {
    /// The file exists and holds rejected rows, and neither `--force` nor `--append` was given.
    #[error(
        "the rejects file {0} exists already; pass --force to replace it or --append to add to it"
    )]
    Exists(PathBuf),
    /// The file is one of the run's inputs, its mapping, or the database itself.
    #[error("the rejects file {path} is {what}: it would be overwritten; choose another --rejects")]
    Forbidden {
        /// The rejects file given.
        path: PathBuf,
        /// What it is: `the database`, `the mapping file`, `the input file calls.csv`.
        what: String,
    },
    /// `--append` to a file that is not a rejects file.
    #[error(
        "the rejects file {0} does not start with tally's rejects header ({h}); --append adds only to a rejects file",
        h = HEADER.join(",")
    )]
    NotRejects(PathBuf),
    /// It cannot be created or opened (a missing folder, no permission).
    #[error("the rejects file {path}: {reason}")]
    Create {
        /// The rejects file.
        path: PathBuf,
        /// Why, as the system said it.
        reason: String,
    },
    /// Writing to it failed (a full disk).
    #[error("the rejects file {path}: {reason}")]
    Io {
        /// The rejects file.
        path: PathBuf,
        /// Why, as the system said it.
        reason: String,
    },
    /// `-` was given: standard output carries the import's summary.
    #[error(
        "the rejects file must be a file: `-` would be standard output, which carries the import's summary"
    )]
    NotAFile,
    /// The path is a symbolic link to nothing.
    #[error(
        "the rejects file {0} is a symbolic link to a file that does not exist; give the path of the file itself"
    )]
    DanglingLink(PathBuf),
}

fn io_error(path: &Path) -> impl Fn(io::Error) -> RejectsError + '_ {
    move |e| RejectsError::Io {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

fn create_error(path: &Path) -> impl Fn(io::Error) -> RejectsError + '_ {
    move |e| RejectsError::Create {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// A file the rejects file must not be, and what it is (for the message).
#[derive(Debug, Clone)]
pub struct Protected {
    /// The protected file.
    pub path: PathBuf,
    /// What it is, for the message: `the database`, `the input file calls.csv`.
    pub what: String,
}

/// Rows that could not be stored, written as they come.
pub struct Rejects {
    path: PathBuf,
    writer: csv::Writer<File>,
    /// Whether this run made the file (then an unused one is removed at the end, also when
    /// the run fails).
    created: bool,
    /// Rows this run has written.
    pub count: u64,
}

impl Drop for Rejects {
    fn drop(&mut self) {
        if self.created && self.count == 0 {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl Rejects {
    /// Opens the rejects file at `path` for a run, after checking that it is none of the
    /// `protected` files and that nothing in it would be lost.
    pub fn open(
        path: &Path,
        existing: Existing,
        protected: &[Protected],
    ) -> Result<Rejects, RejectsError> {
        if path.as_os_str() == "-" {
            return Err(RejectsError::NotAFile);
        }
        let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        if link && std::fs::metadata(path).is_err() {
            return Err(RejectsError::DanglingLink(path.to_path_buf()));
        }
        for p in protected {
            if same_file(path, &p.path) {
                return Err(RejectsError::Forbidden {
                    path: path.to_path_buf(),
                    what: p.what.clone(),
                });
            }
        }
        let (file, created, needs_header) = match std::fs::metadata(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let file = OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(path)
                    .map_err(create_error(path))?;
                (file, true, true)
            }
            Err(e) => return Err(create_error(path)(e)),
            Ok(meta) => open_existing(path, &meta, existing)?,
        };
        let mut writer = csv::Writer::from_writer(file);
        if needs_header {
            writer
                .write_record(HEADER)
                .and_then(|()| writer.flush().map_err(csv::Error::from))
                .map_err(|e| io_error(path)(io::Error::other(e)))?;
        }
        Ok(Rejects {
            path: path.to_path_buf(),
            writer,
            created,
            count: 0,
        })
    }

    /// The rejects file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes one rejected row: the input `file`, its `line`, the `reason` and the row's
    /// original `text`.
    pub fn add(
        &mut self,
        file: &str,
        line: u64,
        text: &str,
        reason: &str,
    ) -> Result<(), RejectsError> {
        self.writer
            .write_record([file, line.to_string().as_str(), reason, text])
            .map_err(|e| io_error(&self.path)(io::Error::other(e)))?;
        self.count += 1;
        Ok(())
    }

    /// Makes what was written so far durable: called after each committed batch.
    pub fn flush(&mut self) -> Result<(), RejectsError> {
        self.writer.flush().map_err(io_error(&self.path))
    }

    /// Ends the run: flushed, and removed again when this run created it and rejected nothing.
    /// Returns the file's path when it holds this run's rejected rows.
    pub fn finish(mut self) -> Result<Option<PathBuf>, RejectsError> {
        self.flush()?;
        if self.count == 0 {
            if self.created {
                self.created = false;
                std::fs::remove_file(&self.path).map_err(io_error(&self.path))?;
            }
            return Ok(None);
        }
        Ok(Some(self.path.clone()))
    }
}

/// An existing file: refused unless it holds no rejected rows or the caller said what to do.
/// Special files (`/dev/null`, a pipe) are written as they are: nothing in them can be lost.
fn open_existing(
    path: &Path,
    meta: &std::fs::Metadata,
    existing: Existing,
) -> Result<(File, bool, bool), RejectsError> {
    if !meta.is_file() {
        let file = OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(create_error(path))?;
        return Ok((file, false, true));
    }
    let holds_rows = holds_rows(path)?;
    match existing {
        Existing::Refuse if holds_rows => Err(RejectsError::Exists(path.to_path_buf())),
        Existing::Append if holds_rows => {
            if !starts_with_header(path)? {
                return Err(RejectsError::NotRejects(path.to_path_buf()));
            }
            let file = OpenOptions::new()
                .append(true)
                .open(path)
                .map_err(create_error(path))?;
            Ok((file, false, false))
        }
        // Nothing to lose (empty, or only a header), or --force: write it anew.
        _ => {
            let file = OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(path)
                .map_err(create_error(path))?;
            Ok((file, false, true))
        }
    }
}

/// Whether the file holds anything beyond an empty line or tally's header.
fn holds_rows(path: &Path) -> Result<bool, RejectsError> {
    let file = File::open(path).map_err(create_error(path))?;
    let mut lines = io::BufReader::new(file).lines();
    let first = lines.next().transpose().map_err(create_error(path))?;
    let header_only = match first {
        None => return Ok(false),
        Some(line) => line.trim().is_empty() || line.trim_end() == HEADER.join(","),
    };
    if !header_only {
        return Ok(true);
    }
    Ok(lines
        .next()
        .transpose()
        .map_err(create_error(path))?
        .is_some())
}

fn starts_with_header(path: &Path) -> Result<bool, RejectsError> {
    let file = File::open(path).map_err(create_error(path))?;
    let mut first = String::new();
    io::BufReader::new(file)
        .read_line(&mut first)
        .map_err(create_error(path))?;
    Ok(first.trim_end() == HEADER.join(","))
}

/// Whether two paths name the same file: the same device and inode when both exist, else the
/// same absolute path once `.`/`..` and symbolic links in the existing part are resolved.
pub fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
        return x.dev() == y.dev() && x.ino() == y.ino();
    }
    match (resolved(a), resolved(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// The absolute path, with the longest existing ancestor canonicalised.
fn resolved(path: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(path).ok()?;
    let mut missing = Vec::new();
    let mut existing = absolute.as_path();
    loop {
        if let Ok(real) = existing.canonicalize() {
            let mut out = real;
            for part in missing.iter().rev() {
                out.push(part);
            }
            return Some(out);
        }
        missing.push(existing.file_name()?.to_os_string());
        existing = existing.parent()?;
    }
}

/// `calls.csv` → `calls.csv.rejects.csv`; stdin → `stdin.rejects.csv`.
pub fn default_path(input: &str) -> PathBuf {
    if input == "-" {
        PathBuf::from("stdin.rejects.csv")
    } else {
        PathBuf::from(format!("{input}.rejects.csv"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap()
    }

    #[test]
    fn a_new_file_is_created_and_removed_when_nothing_was_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        let r = Rejects::open(&path, Existing::Refuse, &[]).unwrap();
        assert!(path.exists());
        assert_eq!(r.finish().unwrap(), None);
        assert!(!path.exists());
    }

    #[test]
    fn a_file_with_rows_is_refused_replaced_or_appended_to_as_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        let mut r = Rejects::open(&path, Existing::Refuse, &[]).unwrap();
        r.add("a.csv", 2, "x,y", "bad").unwrap();
        assert_eq!(r.finish().unwrap(), Some(path.clone()));
        let before = read(&path);
        assert_eq!(before, "file,line,reason,record\na.csv,2,bad,\"x,y\"\n");
        assert_eq!(
            Rejects::open(&path, Existing::Refuse, &[]).err(),
            Some(RejectsError::Exists(path.clone()))
        );
        assert_eq!(read(&path), before, "a refused file is left as it was");
        let mut r = Rejects::open(&path, Existing::Append, &[]).unwrap();
        r.add("b.csv", 3, "z", "worse").unwrap();
        r.finish().unwrap();
        assert_eq!(read(&path), format!("{before}b.csv,3,worse,z\n"));
        let r = Rejects::open(&path, Existing::Replace, &[]).unwrap();
        assert_eq!(r.finish().unwrap(), None);
        assert_eq!(read(&path), "file,line,reason,record\n");
    }

    #[test]
    fn inputs_and_the_database_are_never_the_rejects_file() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("calls.csv");
        std::fs::write(&input, "data").unwrap();
        let protected = [Protected {
            path: input.clone(),
            what: "an input file".into(),
        }];
        let other_name = dir.path().join(".").join("calls.csv");
        for existing in [Existing::Refuse, Existing::Replace, Existing::Append] {
            let err = Rejects::open(&other_name, existing, &protected)
                .err()
                .unwrap();
            assert!(matches!(err, RejectsError::Forbidden { .. }), "{err}");
        }
        assert_eq!(read(&input), "data");
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let not_yet = dir.path().join("sub").join("..").join("db.sqlite");
        assert!(same_file(&not_yet, &dir.path().join("db.sqlite")));
    }

    #[test]
    fn special_files_are_written_not_replaced() {
        let r = Rejects::open(Path::new("/dev/null"), Existing::Refuse, &[]).unwrap();
        assert_eq!(r.finish().unwrap(), None);
        assert!(Path::new("/dev/null").exists());
    }
}
