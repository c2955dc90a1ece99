//! Where a session's answers go: standard output, a file (`.output FILE`), a file for the next
//! answer only (`.once FILE`); through a pager on a terminal when an answer is longer than
//! the screen.

use crate::out::OutputError;
use std::fs::File;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// A file answers are written to, with its name for messages.
#[derive(Debug)]
struct Named {
    path: PathBuf,
    file: File,
}

impl Named {
    fn create(path: &Path) -> Result<Named, OutputError> {
        let file =
            File::create(path).map_err(|e| OutputError(format!("{}: {e}", path.display())))?;
        Ok(Named {
            path: path.to_path_buf(),
            file,
        })
    }

    fn write(&mut self, text: &str) -> Result<(), OutputError> {
        self.file
            .write_all(text.as_bytes())
            .and_then(|()| self.file.flush())
            .map_err(|e| OutputError(format!("{}: {e}", self.path.display())))
    }
}

/// The pager long answers go through on a terminal: `$PAGER`, else `less -S`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pager {
    /// The command line, as the shell would split it.
    pub command: String,
    /// Rows of the screen: longer answers are paged.
    pub rows: usize,
}

impl Pager {
    /// `$PAGER` or `less -S`, for a screen of `rows` rows.
    pub fn from_env(rows: usize) -> Pager {
        let command = std::env::var("PAGER")
            .ok()
            .filter(|p| !p.trim().is_empty())
            .unwrap_or_else(|| "less -S".to_string());
        Pager { command, rows }
    }

    /// Shows `text` through the pager; false when the pager could not be started.
    fn show(&self, text: &str) -> bool {
        let Ok(words) = shell_words::split(&self.command) else {
            return false;
        };
        let Some((program, args)) = words.split_first() else {
            return false;
        };
        let child = std::process::Command::new(program)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .spawn();
        let Ok(mut child) = child else {
            return false;
        };
        if let Some(mut input) = child.stdin.take() {
            // The reader may quit before reading all: that is not an error.
            let _ = input.write_all(text.as_bytes());
        }
        child.wait().is_ok()
    }
}

/// Where answers go now.
#[derive(Debug, Default)]
pub struct Output {
    file: Option<Named>,
    once: Option<Named>,
    pager: Option<Pager>,
}

impl Output {
    /// Answers to `path` from now on; None: back to standard output.
    pub fn set_file(&mut self, path: Option<&Path>) -> Result<(), OutputError> {
        self.file = path.map(Named::create).transpose()?;
        Ok(())
    }

    /// The next answer only to `path`.
    pub fn set_once(&mut self, path: &Path) -> Result<(), OutputError> {
        self.once = Some(Named::create(path)?);
        Ok(())
    }

    /// Page long answers on a terminal (the shell), or not.
    pub fn set_pager(&mut self, pager: Option<Pager>) {
        self.pager = pager;
    }

    /// Whether answers go to a terminal now (then they may be cut, coloured and paged).
    pub fn to_terminal(&self) -> bool {
        self.file.is_none() && self.once.is_none() && std::io::stdout().is_terminal()
    }

    /// The file answers go to, if any.
    pub fn file(&self) -> Option<&Path> {
        self.once
            .as_ref()
            .or(self.file.as_ref())
            .map(|n| n.path.as_path())
    }

    /// Writes one answer where answers go.
    pub fn answer(&mut self, text: &str) -> Result<(), OutputError> {
        if let Some(mut once) = self.once.take() {
            return once.write(text);
        }
        if let Some(file) = &mut self.file {
            return file.write(text);
        }
        if let Some(pager) = &self.pager
            && self.to_terminal()
            && text.lines().count() > pager.rows
            && pager.show(text)
        {
            return Ok(());
        }
        crate::out::print(text)
    }
}
