//! The rejects file: every row that could not be stored, with its line, the reason and the
//! original text, so nothing is dropped silently.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

pub struct Rejects {
    path: PathBuf,
    writer: Option<csv::Writer<File>>,
    pub count: u64,
}

impl Rejects {
    /// A rejects file at `path`; a stale one from an earlier run is removed now and the file is
    /// only created when a row is rejected.
    pub fn new(path: PathBuf) -> io::Result<Rejects> {
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        Ok(Rejects {
            path,
            writer: None,
            count: 0,
        })
    }

    pub fn add(&mut self, line: u64, text: &str, reason: &str) -> io::Result<()> {
        if self.writer.is_none() {
            let mut w = csv::Writer::from_path(&self.path).map_err(io::Error::other)?;
            w.write_record(["line", "reason", "record"])
                .map_err(io::Error::other)?;
            self.writer = Some(w);
        }
        if let Some(w) = &mut self.writer {
            w.write_record([line.to_string().as_str(), reason, text])
                .map_err(io::Error::other)?;
        }
        self.count += 1;
        Ok(())
    }

    /// Makes what was written so far durable: called after each committed batch.
    pub fn flush(&mut self) -> io::Result<()> {
        match &mut self.writer {
            Some(w) => w.flush(),
            None => Ok(()),
        }
    }

    /// The file's path, when any row was rejected.
    pub fn written(&self) -> Option<&Path> {
        self.writer.as_ref().map(|_| self.path.as_path())
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
