//! One splitter for every mode (the shell, `-e`, `-f`, standard input, `.tally` reports): a
//! statement ends at a `;` or at the end of a line that completes it, and goes on to the next
//! line while it is open. Quotes, comments and brackets follow one rule per kind of statement:
//! the lexer's for queries (`'…'`, `"…"`, `--` to the end of the line), the shell's for `log`
//! lines (quotes; `--flag` is a flag), Rhai's for metric definitions (brackets, strings, `//`).

use crate::parse::{Params, parse_with};

/// A statement cut from a script, with where it starts (for messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// The statement's text, trimmed, without its `;`.
    pub text: String,
    /// Byte offset of the text in the script.
    pub start: usize,
    /// Line of the script the text starts on, from 1.
    pub line: usize,
}

/// What kind of statement a text is, from its first word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `.format csv`: one line.
    Dot,
    /// `log call …`: one line, shell quoting.
    Log,
    /// `metric NAME = …`: Rhai, open while a bracket or string is.
    Metric,
    /// Everything else: the query language.
    Query,
}

/// The kind of the statement `text` starts.
pub fn kind(text: &str) -> Kind {
    let first = text.split_whitespace().next().unwrap_or("");
    if first.starts_with('.') {
        Kind::Dot
    } else if first.eq_ignore_ascii_case("log") {
        Kind::Log
    } else if first.eq_ignore_ascii_case("metric") {
        Kind::Metric
    } else {
        Kind::Query
    }
}

/// Where a scan of one kind of statement stands after some text.
#[derive(Debug, Clone, Default)]
struct Scan {
    quote: Option<char>,
    depth: i64,
}

impl Scan {
    /// Feeds one line (without its line break); returns the byte offsets of the `;` that end
    /// statements in it.
    fn line(&mut self, kind: Kind, line: &str) -> Vec<usize> {
        let mut ends = Vec::new();
        let bytes = line.as_bytes();
        for (i, c) in line.char_indices() {
            match (self.quote, c) {
                (Some(q), c) if c == q => self.quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') => self.quote = Some(c),
                (None, '`') if kind == Kind::Metric => self.quote = Some(c),
                (None, '-') if bytes.get(i + 1) == Some(&b'-') && comment(kind, bytes, i) => break,
                (None, '/') if kind == Kind::Metric && bytes.get(i + 1) == Some(&b'/') => break,
                (None, '(' | '{' | '[') if kind == Kind::Metric => self.depth += 1,
                (None, ')' | '}' | ']') if kind == Kind::Metric => self.depth -= 1,
                (None, ';') if self.depth <= 0 => ends.push(i),
                _ => {}
            }
        }
        ends
    }

    /// Whether the text fed so far leaves a quote or bracket open.
    fn open(&self) -> bool {
        self.quote.is_some() || self.depth > 0
    }
}

/// Whether `--` at `i` starts a comment: always in a query; in a `log` line only when no
/// letter follows (`--duration` is a flag).
fn comment(kind: Kind, bytes: &[u8], i: usize) -> bool {
    match kind {
        Kind::Query | Kind::Dot => true,
        Kind::Log => !bytes.get(i + 2).is_some_and(u8::is_ascii_alphabetic),
        Kind::Metric => false,
    }
}

/// Whether `text` is a whole statement: nothing open, and for a query, a parse that did not
/// run out of input (any other error is the statement's, shown when it runs).
pub fn complete(text: &str, params: &Params) -> bool {
    let text = text.trim();
    if text.is_empty() {
        return true;
    }
    let kind = kind(text);
    let mut scan = Scan::default();
    for line in text.lines() {
        scan.line(kind, line);
    }
    if scan.open() {
        return false;
    }
    match kind {
        Kind::Query => !matches!(parse_with(text, params), Err(e) if e.incomplete),
        _ => true,
    }
}

/// A statement being read: where it started, its kind and what is open in it.
struct Open {
    start: usize,
    line: usize,
    kind: Kind,
    scan: Scan,
    /// Where the statement ends when the next line does not continue it: it is complete.
    done_at: Option<usize>,
}

/// Whether a line goes on with the query before it although that was complete: it starts
/// with a word that cannot start a statement (`per day`, `show minutes`, `and …`).
fn continues(line: &str) -> bool {
    let mut words = line.split_whitespace().map(str::to_lowercase);
    let Some(first) = words.next() else {
        return false;
    };
    match first.as_str() {
        // `top 5` is a clause; `top 5 customers by …` starts a statement.
        "top" => {
            let _count = words.next();
            words.next().is_none_or(|w| w != "customers")
        }
        "and" | "or" => true,
        w => crate::vocab::words::CLAUSES.contains(&w),
    }
}

/// Cuts a script into statements. Blank lines and comment lines between statements are
/// skipped; a statement still open at the end is returned as it is (running it says why).
pub fn split(script: &str, params: &Params) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut open: Option<Open> = None;
    let mut offset = 0;
    for (number, raw) in script.split_inclusive('\n').enumerate() {
        let line = raw.trim_end_matches(['\n', '\r']);
        if let Some(o) = open.take_if(|o| o.done_at.is_some()) {
            // A complete query ends here unless this line (not blank) goes on with it.
            let blank = line.trim().is_empty() || is_comment(line);
            if !blank && o.kind == Kind::Query && continues(line) {
                open = Some(Open { done_at: None, ..o });
            } else if blank {
                open = Some(o);
                offset += raw.len();
                continue;
            } else {
                push(
                    &mut pieces,
                    script,
                    o.start,
                    o.done_at.unwrap_or(offset),
                    o.line,
                );
            }
        }
        let mut from = 0;
        loop {
            let rest = &line[from..];
            if open.is_none() {
                if rest.trim().is_empty() || is_comment(rest) {
                    break;
                }
                let lead = rest.len() - rest.trim_start().len();
                open = Some(Open {
                    start: offset + from + lead,
                    line: number + 1,
                    kind: kind(rest.trim_start()),
                    scan: Scan::default(),
                    done_at: None,
                });
            }
            let Some(o) = open.as_mut() else { break };
            let Some(&semi) = o.scan.line(o.kind, rest).first() else {
                break;
            };
            push(&mut pieces, script, o.start, offset + from + semi, o.line);
            open = None;
            from += semi + 1;
        }
        offset += raw.len();
        if let Some(o) = open.as_mut()
            && complete(&script[o.start..offset], params)
        {
            o.done_at = Some(offset);
        }
    }
    if let Some(o) = open {
        push(
            &mut pieces,
            script,
            o.start,
            o.done_at.unwrap_or(script.len()),
            o.line,
        );
    }
    pieces
}

/// A line that is only a comment (`--` or `//`).
fn is_comment(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("--") || t.starts_with("//")
}

fn push(pieces: &mut Vec<Piece>, script: &str, start: usize, end: usize, line: usize) {
    let raw = &script[start..end];
    let text = raw.trim();
    if text.is_empty() {
        return;
    }
    let lead = raw.len() - raw.trim_start().len();
    pieces.push(Piece {
        text: text.to_string(),
        start: start + lead,
        line,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(script: &str) -> Vec<String> {
        split(script, &Params::new())
            .into_iter()
            .map(|p| p.text)
            .collect()
    }

    #[test]
    fn newlines_end_complete_statements_and_semicolons_end_any() {
        assert_eq!(
            texts("summary\ncalls per day\n"),
            ["summary", "calls per day"]
        );
        assert_eq!(
            texts("summary; calls per day;"),
            ["summary", "calls per day"]
        );
        assert_eq!(
            texts("calls where\n  direction = out\nper day\n"),
            ["calls where\n  direction = out\nper day"]
        );
        assert_eq!(
            texts("top 3 customers by\nminutes"),
            ["top 3 customers by\nminutes"]
        );
        assert_eq!(
            texts("calls where direction = out\n  per day\n  top 5\ntop 3 customers by sms"),
            [
                "calls where direction = out\n  per day\n  top 5",
                "top 3 customers by sms"
            ]
        );
        assert_eq!(
            texts("summary\n\n-- next\nsms per day"),
            ["summary", "sms per day"]
        );
    }

    #[test]
    fn quotes_comments_and_flags_follow_the_kind_of_statement() {
        assert_eq!(
            texts("sms where region = 'a;b' -- note; not a split\nsummary"),
            ["sms where region = 'a;b' -- note; not a split", "summary"]
        );
        assert_eq!(
            texts("log call 1 out 2 --duration 2m --at '10:00; x'; summary"),
            ["log call 1 out 2 --duration 2m --at '10:00; x'", "summary"]
        );
        assert_eq!(
            texts("metric m = {\n  let x = calls;\n  x * 2\n}\ntop 3 customers by m"),
            [
                "metric m = {\n  let x = calls;\n  x * 2\n}",
                "top 3 customers by m"
            ]
        );
        assert_eq!(
            texts("-- a comment\n\n.format csv\nsummary"),
            [".format csv", "summary"]
        );
        assert_eq!(
            texts("summary; log sms 1 out 2"),
            ["summary", "log sms 1 out 2"]
        );
    }

    #[test]
    fn pieces_know_their_line_and_offset() {
        let script = "-- header\nsummary\n\ncalls per\n  day; sms";
        let pieces = split(script, &Params::new());
        let at: Vec<(usize, usize)> = pieces.iter().map(|p| (p.line, p.start)).collect();
        assert_eq!(at, [(2, 10), (4, 19), (5, 36)]);
        assert_eq!(&script[pieces[1].start..pieces[1].start + 9], "calls per");
    }

    #[test]
    fn completeness_for_the_shell() {
        let p = Params::new();
        assert!(!complete("calls where (direction = out", &p));
        assert!(!complete("calls where direction = out and", &p));
        assert!(complete("calls where direction = out", &p));
        assert!(
            complete("calls wehre x", &p),
            "an error is shown, not waited on"
        );
        assert!(!complete("metric m = { let x = 1;", &p));
        assert!(!complete("sms where region = 'open", &p));
        assert!(complete(".format csv", &p));
    }
}
