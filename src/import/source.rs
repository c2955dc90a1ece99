//! Reading CSV input: files, stdin (`-`) and `.gz` files, record by record, keeping each
//! record's original text (for the rejects file) and counting bytes (for the progress bar).

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// An opened input: its bytes (decompressed), its size on disk when known, and a counter of the
/// bytes read so far from disk.
pub struct Input {
    pub reader: Box<dyn Read>,
    pub size: Option<u64>,
    pub consumed: Arc<AtomicU64>,
}

/// Opens `-` (stdin), a plain file or a gzip file (by its `.gz` name).
pub fn open(path: &str) -> io::Result<Input> {
    let consumed = Arc::new(AtomicU64::new(0));
    if path == "-" {
        let counted = Counted {
            inner: io::stdin().lock(),
            consumed: consumed.clone(),
        };
        return Ok(Input {
            reader: Box::new(counted),
            size: None,
            consumed,
        });
    }
    let file = File::open(path)?;
    let size = file.metadata().ok().map(|m| m.len());
    let counted = Counted {
        inner: BufReader::with_capacity(1 << 16, file),
        consumed: consumed.clone(),
    };
    let reader: Box<dyn Read> = if Path::new(path).extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(counted))
    } else {
        Box::new(counted)
    };
    Ok(Input {
        reader,
        size,
        consumed,
    })
}

struct Counted<R> {
    inner: R,
    consumed: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.consumed.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Keeps a copy of what the CSV parser reads, so a record's original text can be cut out.
struct Tap<R> {
    inner: R,
    seen: Rc<RefCell<Vec<u8>>>,
}

impl<R: Read> Read for Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.seen.borrow_mut().extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

/// How the CSV is written.
#[derive(Debug, Clone)]
pub struct Dialect {
    pub delimiter: u8,
    /// None: quotes are ordinary characters.
    pub quote: Option<u8>,
    /// Trim spaces around fields (`a, b` and `        1063.0`).
    pub trim: bool,
}

/// One record of the file.
#[derive(Debug, Clone)]
pub struct RawRow {
    /// The line the record starts on (1-based).
    pub line: u64,
    pub fields: Vec<String>,
    /// The record as it stands in the file, without its line ending.
    pub text: String,
    /// Set when a field is not UTF-8; the row cannot be read.
    pub bad_encoding: bool,
}

pub struct Rows {
    csv: csv::Reader<Tap<Box<dyn Read>>>,
    seen: Rc<RefCell<Vec<u8>>>,
    /// File offset of `seen[0]`.
    base: u64,
    record: csv::ByteRecord,
}

impl Rows {
    pub fn new(reader: Box<dyn Read>, dialect: &Dialect) -> Rows {
        let seen = Rc::new(RefCell::new(Vec::with_capacity(1 << 17)));
        let tap = Tap {
            inner: reader,
            seen: seen.clone(),
        };
        let mut builder = csv::ReaderBuilder::new();
        builder
            .has_headers(false)
            .flexible(true)
            .delimiter(dialect.delimiter)
            .trim(if dialect.trim {
                csv::Trim::All
            } else {
                csv::Trim::None
            });
        match dialect.quote {
            Some(q) => builder.quote(q),
            None => builder.quoting(false),
        };
        Rows {
            csv: builder.from_reader(tap),
            seen,
            base: 0,
            record: csv::ByteRecord::new(),
        }
    }

    /// The next record, or None at the end. An I/O error (a truncated gzip, a vanished file)
    /// ends the import.
    pub fn next_row(&mut self) -> io::Result<Option<RawRow>> {
        let start = self.csv.position().byte();
        let more =
            self.csv
                .read_byte_record(&mut self.record)
                .map_err(|e| match e.into_kind() {
                    csv::ErrorKind::Io(io) => io,
                    other => io::Error::other(format!("{other:?}")),
                })?;
        if !more {
            return Ok(None);
        }
        let end = self.csv.position().byte();
        let line = self.record.position().map_or(0, |p| p.line());
        let text = self.cut(start, end);
        let mut bad_encoding = false;
        let fields = self
            .record
            .iter()
            .map(|f| {
                String::from_utf8(f.to_vec()).unwrap_or_else(|e| {
                    bad_encoding = true;
                    String::from_utf8_lossy(e.as_bytes()).into_owned()
                })
            })
            .collect();
        Ok(Some(RawRow {
            line,
            fields,
            text,
            bad_encoding,
        }))
    }

    /// The original bytes from `start` to `end`, and forgets everything before `end`.
    fn cut(&mut self, start: u64, end: u64) -> String {
        let mut seen = self.seen.borrow_mut();
        let from = usize::try_from(start.saturating_sub(self.base))
            .unwrap_or(0)
            .min(seen.len());
        let to = usize::try_from(end.saturating_sub(self.base))
            .unwrap_or(0)
            .min(seen.len());
        // The terminator of the previous record may be split across the two (CR now, LF next).
        let text = String::from_utf8_lossy(&seen[from..to])
            .trim_matches(['\r', '\n'])
            .to_string();
        seen.drain(..to);
        self.base += to as u64;
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str, dialect: Dialect) -> Vec<RawRow> {
        let mut rows = Rows::new(
            Box::new(io::Cursor::new(text.as_bytes().to_vec())),
            &dialect,
        );
        let mut out = Vec::new();
        while let Some(row) = rows.next_row().unwrap() {
            out.push(row);
        }
        out
    }

    fn comma() -> Dialect {
        Dialect {
            delimiter: b',',
            quote: Some(b'"'),
            trim: false,
        }
    }

    #[test]
    fn keeps_the_original_text_and_line_of_each_record() {
        let got = rows(
            "a,b\r\n\"x, \"\"y\"\"\",2\r\n\r\nlast,\"multi\nline\"\nend,1",
            comma(),
        );
        assert_eq!(got.len(), 4);
        assert_eq!(got[1].fields, vec!["x, \"y\"", "2"]);
        assert_eq!(got[1].text, "\"x, \"\"y\"\"\",2");
        assert_eq!(got[1].line, 2);
        assert_eq!(got[2].text, "last,\"multi\nline\"");
        assert_eq!(got[2].line, 4);
        assert_eq!((got[3].line, got[3].text.as_str()), (6, "end,1"));
    }

    #[test]
    fn trims_when_asked() {
        let got = rows(
            "81050000, abbey1,  650200000\n",
            Dialect {
                trim: true,
                ..comma()
            },
        );
        assert_eq!(got[0].fields, vec!["81050000", "abbey1", "650200000"]);
    }

    #[test]
    fn flags_fields_that_are_not_utf8() {
        let mut rows = Rows::new(
            Box::new(io::Cursor::new(b"ok,\xff\xfe\nfine,1\n".to_vec())),
            &comma(),
        );
        assert!(rows.next_row().unwrap().unwrap().bad_encoding);
        assert!(!rows.next_row().unwrap().unwrap().bad_encoding);
    }
}
