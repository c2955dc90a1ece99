//! Standard output for answers: a closed pipe (`tally -e … | head -1`) ends tally quietly, as it
//! ends other Unix tools; any other failure to write (a full disk) is an error, reported once.

use std::io::Write;

/// The exit code after the reader of standard output went away: 128 + SIGPIPE, what a shell
/// reports for a tool the signal ended.
pub const CLOSED_PIPE_EXIT: i32 = 141;

/// Standard output could not take the answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("cannot write the output: {0}")]
pub struct OutputError(pub String);

/// Writes `text` to standard output and flushes it. When nobody reads any more, the process
/// ends here with [`CLOSED_PIPE_EXIT`] and no message: there is no one to tell, and nothing
/// half-done (every write to the database is its own transaction).
pub fn print(text: &str) -> Result<(), OutputError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            std::process::exit(CLOSED_PIPE_EXIT)
        }
        Err(e) => Err(OutputError(e.to_string())),
    }
}

/// [`print()`] with a line end.
pub fn line(text: &str) -> Result<(), OutputError> {
    print(&format!("{text}\n"))
}
