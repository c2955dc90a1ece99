//! Diagnostics: an error at a place in the input, rendered once with the line and a caret.

use std::fmt;

/// Byte offsets into the input, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Span {
    /// First byte of the span.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The span from byte `start` up to, not including, byte `end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span that covers both `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// What went wrong and where; every stage's error becomes one of these to be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where in the input the problem is.
    pub span: Span,
    /// What went wrong, in one line, without the place.
    pub message: String,
    /// What would have been accepted here.
    pub expected: Vec<String>,
    /// A suggestion ("did you mean `summary`?").
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with a message and nothing expected and no hint.
    pub fn new(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            span,
            message: message.into(),
            expected: Vec::new(),
            hint: None,
        }
    }

    /// Sets what would have been accepted here.
    pub fn expected(mut self, expected: Vec<String>) -> Diagnostic {
        self.expected = expected;
        self
    }

    /// Sets the suggestion shown under the message.
    pub fn hint(mut self, hint: Option<String>) -> Diagnostic {
        self.hint = hint;
        self
    }

    /// The line holding the error, a caret under it, the message and what was expected:
    ///
    /// ```text
    /// line 1, column 12: unknown word `minuts`
    ///   calls show minuts
    ///              ^^^^^^
    ///   expected one of: count, calls, minutes, ...
    ///   did you mean `minutes`?
    /// ```
    pub fn render(&self, source: &str) -> String {
        let start = self.span.start.min(source.len());
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[start..]
            .find('\n')
            .map_or(source.len(), |i| start + i);
        let line = &source[line_start..line_end];
        let line_no = source[..start].matches('\n').count() + 1;
        let column = source[line_start..start].chars().count() + 1;
        let width = source[start..self.span.end.clamp(start, line_end)]
            .chars()
            .count()
            .max(1);
        let mut out = format!("line {line_no}, column {column}: {}\n", self.message);
        out.push_str(&format!(
            "  {line}\n  {}{}\n",
            " ".repeat(column - 1),
            "^".repeat(width)
        ));
        if !self.expected.is_empty() {
            out.push_str(&format!("  expected {}\n", one_of(&self.expected)));
        }
        if let Some(hint) = &self.hint {
            out.push_str(&format!("  {hint}\n"));
        }
        out
    }
}

impl Diagnostic {
    /// As [`Diagnostic::render`], for `text` that starts at `line` and `column` of `file` (or
    /// of what was typed): `FILE:LINE:COLUMN: message` or `line L, column C: message`, then
    /// the line with a caret under the spot.
    pub fn render_from(
        &self,
        text: &str,
        file: Option<&std::path::Path>,
        line: usize,
        column: usize,
    ) -> String {
        let start = self.span.start.min(text.len());
        let line_in_text = text[..start].matches('\n').count();
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let column_in_line = text[line_start..start].chars().count() + 1;
        let column = if line_in_text == 0 {
            column + column_in_line - 1
        } else {
            column_in_line
        };
        let line = line + line_in_text;
        let place = match file {
            Some(file) => format!("{}:{line}:{column}", file.display()),
            None => format!("line {line}, column {column}"),
        };
        let body = self.render(text);
        // The first line of `render` gives the place within `text`: give the real one.
        let rest = body.split_once('\n').map_or("", |(_, r)| r);
        format!("{place}: {}\n{rest}", self.message)
    }
}

fn one_of(expected: &[String]) -> String {
    match expected {
        [one] => one.clone(),
        many => format!("one of: {}", many.join(", ")),
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The closest candidate within a small edit distance, for "did you mean".
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_lowercase();
    let limit = if word.chars().count() <= 4 { 1 } else { 2 };
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// "did you mean …?" for an unknown word: the closest candidate by spelling, else the
/// candidates the word begins (`data` → `data_sessions` or `data_mb`), at most three.
pub fn suggest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
) -> Option<String> {
    if let Some(w) = closest(word, candidates.clone()) {
        return Some(format!("did you mean `{w}`?"));
    }
    let lower = word.to_lowercase();
    if lower.len() < 2 {
        return None;
    }
    let starting: Vec<String> = candidates
        .into_iter()
        .filter(|c| c.starts_with(&lower) && *c != lower)
        .map(|c| format!("`{c}`"))
        .collect();
    match starting.len() {
        1..=3 => Some(format!("did you mean {}?", starting.join(" or "))),
        _ => None,
    }
}

/// Levenshtein distance, counting an adjacent swap as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_line_and_a_caret() {
        let d = Diagnostic::new(Span::new(11, 17), "unknown word `minuts`")
            .expected(vec!["count".into(), "minutes".into()])
            .hint(Some("did you mean `minutes`?".into()));
        assert_eq!(
            d.render("calls show minuts"),
            "line 1, column 12: unknown word `minuts`\n  calls show minuts\n             ^^^^^^\n  expected one of: count, minutes\n  did you mean `minutes`?\n"
        );
    }

    #[test]
    fn finds_the_line_of_a_multi_line_input() {
        let d = Diagnostic::new(Span::new(12, 13), "x");
        assert!(
            d.render("calls\nwhere (a = ")
                .starts_with("line 2, column 7: x\n  where (a = \n        ^\n")
        );
    }

    #[test]
    fn suggests_close_words_only() {
        let words = ["summary", "customers", "minutes", "top"];
        assert_eq!(closest("sumary", words), Some("summary"));
        assert_eq!(closest("minuets", words), Some("minutes"));
        assert_eq!(closest("tpo", words), Some("top"));
        assert_eq!(closest("revenue", words), None);
    }
}
