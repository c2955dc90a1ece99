//! Reading CSV input: files, stdin (`-`) and `.gz` files, record by record, keeping each
//! record's original text (for the rejects file) and counting bytes (for the progress bar).

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::ops::Range;
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The size on disk of `path`, when it is a file.
pub fn size(path: &str) -> Option<u64> {
    (path != "-")
        .then(|| std::fs::metadata(path).ok().map(|m| m.len()))
        .flatten()
}

/// Opens `-` (stdin), a plain file or a gzip file (by its `.gz` name); `consumed` counts the
/// bytes read from disk, for the progress bar.
pub fn open(path: &str, consumed: Arc<AtomicU64>) -> io::Result<Box<dyn Read>> {
    if path == "-" {
        return Ok(Box::new(Counted {
            inner: io::stdin().lock(),
            consumed,
        }));
    }
    let gzip = Path::new(path).extension().is_some_and(|e| e == "gz");
    if gzip {
        verify_gzip(path)?;
    }
    let file = File::open(path)?;
    let counted = Counted {
        inner: BufReader::with_capacity(1 << 16, file),
        consumed,
    };
    Ok(if gzip {
        Box::new(flate2::read::MultiGzDecoder::new(counted))
    } else {
        Box::new(counted)
    })
}

/// Reads a gzip file through once: its checksum is only known at the end, and a damaged or
/// cut file must be refused before any of its rows is stored, not after some were.
fn verify_gzip(path: &str) -> io::Result<()> {
    let file = BufReader::with_capacity(1 << 16, File::open(path)?);
    let mut decoder = flate2::read::MultiGzDecoder::new(file);
    io::copy(&mut decoder, &mut io::sink()).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("the compressed file is damaged or cut short ({e}); nothing of it was stored"),
        )
    })?;
    Ok(())
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

/// One record of the file, owned (headers, and the small customer and plan files).
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

/// One record, borrowed from the reader until the next one is read.
pub struct Row<'r> {
    pub line: u64,
    /// None when the record is not valid UTF-8.
    pub fields: Option<&'r csv::StringRecord>,
    /// Where the record's original text was appended to the caller's buffer.
    pub text: Range<usize>,
}

pub struct Rows {
    csv: csv::Reader<Tap<Box<dyn Read>>>,
    seen: Rc<RefCell<Vec<u8>>>,
    /// File offset of `seen[0]`.
    base: u64,
    bytes: csv::ByteRecord,
    record: csv::StringRecord,
    /// Line breaks before the next unread byte, counted here: the CSV parser counts only line
    /// feeds, so in a file with CR-only endings every record was on line 1.
    lines: Lines,
}

/// Counts line breaks the way editors do: CRLF, a lone CR and a lone LF are one each, also
/// when a CRLF is split between two reads.
#[derive(Debug, Default)]
struct Lines {
    breaks: u64,
    after_cr: bool,
}

impl Lines {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            match b {
                b'\n' if self.after_cr => self.after_cr = false,
                b'\n' => self.breaks += 1,
                b'\r' => {
                    self.breaks += 1;
                    self.after_cr = true;
                }
                _ => self.after_cr = false,
            }
        }
    }
}

/// Read-ahead kept before the consumed part of the tap buffer is dropped: dropping it after
/// every record would move the rest of the buffer each time.
const COMPACT_AFTER: usize = 1 << 20;

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
            bytes: csv::ByteRecord::new(),
            record: csv::StringRecord::new(),
            lines: Lines::default(),
        }
    }

    /// The next record, its original text appended to `text`; None at the end. An I/O error (a
    /// truncated gzip, a vanished file) ends the import.
    pub fn next_row(&mut self, text: &mut Vec<u8>) -> io::Result<Option<Row<'_>>> {
        let mut bytes = std::mem::take(&mut self.record).into_byte_record();
        std::mem::swap(&mut bytes, &mut self.bytes);
        let start = self.csv.position().byte();
        let more = self
            .csv
            .read_byte_record(&mut self.bytes)
            .map_err(|e| match e.into_kind() {
                csv::ErrorKind::Io(io) => io,
                other => io::Error::other(format!("{other:?}")),
            })?;
        if !more {
            return Ok(None);
        }
        let end = self.csv.position().byte();
        let (span, line) = self.cut(start, end, text);
        let fields = match csv::StringRecord::from_byte_record(std::mem::take(&mut self.bytes)) {
            Ok(record) => {
                self.record = record;
                Some(&self.record)
            }
            Err(e) => {
                self.bytes = e.into_byte_record();
                None
            }
        };
        Ok(Some(Row {
            line,
            fields,
            text: span,
        }))
    }

    /// The next record as owned strings.
    pub fn next_owned(&mut self) -> io::Result<Option<RawRow>> {
        let mut text = Vec::new();
        let Some(row) = self.next_row(&mut text)? else {
            return Ok(None);
        };
        let (fields, bad_encoding) = match row.fields {
            Some(r) => (r.iter().map(str::to_string).collect(), false),
            None => (Vec::new(), true),
        };
        Ok(Some(RawRow {
            line: row.line,
            fields,
            text: String::from_utf8_lossy(&text).into_owned(),
            bad_encoding,
        }))
    }

    /// Appends the original bytes from `start` to `end`, without surrounding line breaks, to
    /// `out`; returns where they went and the line (from 1) the record starts on.
    fn cut(&mut self, start: u64, end: u64, out: &mut Vec<u8>) -> (Range<usize>, u64) {
        let mut seen = self.seen.borrow_mut();
        let offset = |at: u64| usize::try_from(at.saturating_sub(self.base)).unwrap_or(0);
        let (from, to) = (offset(start).min(seen.len()), offset(end).min(seen.len()));
        let raw = &seen[from..to];
        let first = raw
            .iter()
            .position(|b| !matches!(b, b'\r' | b'\n'))
            .unwrap_or(raw.len());
        self.lines.feed(&raw[..first]);
        let line = self.lines.breaks + 1;
        self.lines.feed(&raw[first..]);
        let last = raw
            .iter()
            .rposition(|b| !matches!(b, b'\r' | b'\n'))
            .map_or(first, |i| i + 1);
        let at = out.len();
        out.extend_from_slice(&raw[first..last.max(first)]);
        let span = at..out.len();
        if to >= COMPACT_AFTER {
            seen.drain(..to);
            self.base += to as u64;
        }
        (span, line)
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
        while let Some(row) = rows.next_owned().unwrap() {
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
    fn counts_lines_with_any_kind_of_ending() {
        let dialect = || Dialect {
            delimiter: b',',
            quote: Some(b'"'),
            trim: false,
        };
        for ending in ["\n", "\r\n", "\r"] {
            let text = ["h", "a", "b", "", "\"c", "d\"", "e"].join(ending);
            let got = rows(&text, dialect());
            let lines: Vec<u64> = got.iter().map(|r| r.line).collect();
            assert_eq!(lines, [1, 2, 3, 5, 7], "{ending:?}");
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
        assert!(rows.next_owned().unwrap().unwrap().bad_encoding);
        assert!(!rows.next_owned().unwrap().unwrap().bad_encoding);
    }
}
