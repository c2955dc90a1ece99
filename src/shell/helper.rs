//! The line editor's helper: completion, hints and colours, and the validator that reuses the
//! real parser to tell a finished statement from one that goes on to the next line.

use super::complete::{Names, candidates};
use crate::vocab::words;
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};
use std::borrow::Cow;
use std::sync::{Arc, RwLock};

pub struct TallyHelper {
    pub names: Arc<RwLock<Names>>,
    /// Colours only on a colour terminal.
    pub color: bool,
}

impl Helper for TallyHelper {}

impl TallyHelper {
    /// Candidates for Tab; with `keys`, subscriber keys are looked up in the database.
    fn candidates(&self, before: &str, keys: bool) -> (usize, Vec<String>) {
        match self.names.read() {
            Ok(names) if keys => candidates(before, &names),
            // A hint is asked at every key press: no round trip to the database for it.
            Ok(names) => candidates(
                before,
                &Names {
                    store: None,
                    ..names.clone()
                },
            ),
            Err(_) => candidates(before, &Names::default()),
        }
    }
}

impl Completer for TallyHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, found) = self.candidates(&line[..pos], true);
        let pairs = found
            .into_iter()
            .map(|c| Pair {
                display: c.clone(),
                replacement: c,
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Hinter for TallyHelper {
    type Hint = String;

    /// The rest of the word when only one candidate fits what is typed.
    fn hint(&self, line: &str, pos: usize, _: &Context<'_>) -> Option<String> {
        if pos < line.len() || line.ends_with(char::is_whitespace) {
            return None;
        }
        let (start, found) = self.candidates(line, false);
        let typed = &line[start..];
        match found.as_slice() {
            [only] if !typed.is_empty() && only.len() > typed.len() => {
                Some(only[typed.len()..].to_string())
            }
            _ => None,
        }
    }
}

impl Highlighter for TallyHelper {
    fn highlight<'l>(&self, line: &'l str, _: usize) -> Cow<'l, str> {
        if !self.color {
            return Cow::Borrowed(line);
        }
        Cow::Owned(color_keywords(line))
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.color {
            Cow::Owned(format!("\x1b[2m{hint}\x1b[0m"))
        } else {
            Cow::Borrowed(hint)
        }
    }

    fn highlight_char(&self, _: &str, _: usize, _: CmdKind) -> bool {
        self.color
    }
}

/// Keywords in cyan; everything else as typed.
fn color_keywords(line: &str) -> String {
    let keywords: Vec<&str> = words::all().collect();
    let mut out = String::with_capacity(line.len() + 16);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if keywords.iter().any(|k| k.eq_ignore_ascii_case(word)) {
            out.push_str(&format!("\x1b[36m{word}\x1b[0m"));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in line.chars() {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

impl Validator for TallyHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        Ok(complete_or_not(ctx.input()))
    }
}

/// Incomplete only while a statement is open (the splitter's rule, the real parser's verdict
/// for queries); every other error is shown when the statement runs, so the user can fix it
/// on the same line.
pub fn complete_or_not(input: &str) -> ValidationResult {
    let params = crate::parse::Params::new();
    let pieces = crate::app::split(input, &params);
    match pieces.last() {
        Some(last) if !crate::app::complete(&last.text, &params) => ValidationResult::Incomplete,
        _ => ValidationResult::Valid(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_statements_continue() {
        assert!(matches!(
            complete_or_not("calls where (direction = out"),
            ValidationResult::Incomplete
        ));
        assert!(matches!(
            complete_or_not("calls where direction = out and"),
            ValidationResult::Incomplete
        ));
        assert!(matches!(
            complete_or_not("calls where direction = out"),
            ValidationResult::Valid(None)
        ));
        assert!(matches!(
            complete_or_not("calls wehre x"),
            ValidationResult::Valid(None)
        ));
        assert!(matches!(
            complete_or_not(".format csv"),
            ValidationResult::Valid(None)
        ));
    }

    #[test]
    fn keywords_are_coloured_without_moving_text() {
        let colored = color_keywords("calls per day, foo");
        assert_eq!(
            colored.replace("\x1b[36m", "").replace("\x1b[0m", ""),
            "calls per day, foo"
        );
        assert!(colored.starts_with("\x1b[36mcalls\x1b[0m"));
    }
}
