//! Text patterns of `like` and `starts with`: literal text and wildcards, kept apart so each
//! database is given the pattern in its own syntax with every literal character escaped.

/// One piece of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// These characters, exactly (case included).
    Text(String),
    /// Any run of characters, the empty one included (`%`).
    AnyRun,
    /// Exactly one character (`_`).
    AnyOne,
}

/// A text pattern, matched against the whole value, case-sensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern(pub Vec<Piece>);

impl Pattern {
    /// `like` syntax: `%` is any run, `_` one character, `\` makes the next character literal.
    pub fn like(text: &str) -> Pattern {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            let wildcard = match c {
                '%' => Piece::AnyRun,
                '_' => Piece::AnyOne,
                '\\' => {
                    literal.push(chars.next().unwrap_or('\\'));
                    continue;
                }
                c => {
                    literal.push(c);
                    continue;
                }
            };
            if !literal.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut literal)));
            }
            pieces.push(wildcard);
        }
        if !literal.is_empty() {
            pieces.push(Piece::Text(literal));
        }
        Pattern(pieces)
    }

    /// `starts with`: the text exactly (its `%` and `_` included), then anything.
    pub fn prefix(text: &str) -> Pattern {
        let mut pieces = Vec::new();
        if !text.is_empty() {
            pieces.push(Piece::Text(text.to_string()));
        }
        pieces.push(Piece::AnyRun);
        Pattern(pieces)
    }

    /// The pattern with phone-number writing removed, as keys and parties are stored: when
    /// every literal character is a digit, `+` or a separator (space, `-`, `.`, parentheses),
    /// only the digits are kept, so `'+44 77%'` finds `447700900123`.
    pub fn as_phone_digits(self) -> Pattern {
        let phone_like = self.0.iter().all(|p| match p {
            Piece::Text(t) => t
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '.' | '(' | ')')),
            _ => true,
        });
        let has_digit = self
            .0
            .iter()
            .any(|p| matches!(p, Piece::Text(t) if t.chars().any(|c| c.is_ascii_digit())));
        if !phone_like || !has_digit {
            return self;
        }
        let pieces = self
            .0
            .into_iter()
            .filter_map(|p| match p {
                Piece::Text(t) => {
                    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
                    (!digits.is_empty()).then_some(Piece::Text(digits))
                }
                wildcard => Some(wildcard),
            })
            .collect();
        Pattern(pieces)
    }

    /// The pattern for SQL `LIKE … ESCAPE 'escape'`: wildcards as `%` and `_`, and `%`, `_`
    /// and the escape character itself escaped in literal text.
    pub fn to_like(&self, escape: char) -> String {
        let mut out = String::new();
        for piece in &self.0 {
            match piece {
                Piece::AnyRun => out.push('%'),
                Piece::AnyOne => out.push('_'),
                Piece::Text(t) => {
                    for c in t.chars() {
                        if c == '%' || c == '_' || c == escape {
                            out.push(escape);
                        }
                        out.push(c);
                    }
                }
            }
        }
        out
    }

    /// The pattern for SQLite's `GLOB` (case-sensitive, unlike its `LIKE`): wildcards as `*`
    /// and `?`, and `*`, `?` and `[` of literal text inside brackets.
    pub fn to_glob(&self) -> String {
        let mut out = String::new();
        for piece in &self.0 {
            match piece {
                Piece::AnyRun => out.push('*'),
                Piece::AnyOne => out.push('?'),
                Piece::Text(t) => {
                    for c in t.chars() {
                        match c {
                            '*' | '?' | '[' => {
                                out.push('[');
                                out.push(c);
                                out.push(']');
                            }
                            c => out.push(c),
                        }
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_text_reads_wildcards_and_escapes() {
        let p = Pattern::like(r"44_7%\%off");
        assert_eq!(
            p.0,
            [
                Piece::Text("44".into()),
                Piece::AnyOne,
                Piece::Text("7".into()),
                Piece::AnyRun,
                Piece::Text("%off".into()),
            ]
        );
        assert_eq!(p.to_like('!'), "44_7%!%off");
        assert_eq!(p.to_glob(), "44?7*%off");
    }

    #[test]
    fn a_prefix_keeps_its_wildcard_characters_literal() {
        let p = Pattern::prefix("50%_off*[x]?!");
        assert_eq!(p.to_like('!'), "50!%!_off*[x]?!!%");
        assert_eq!(p.to_glob(), "50%_off[*][[]x][?]!*");
    }

    #[test]
    fn phone_writing_is_dropped_only_from_phone_like_patterns() {
        let digits = |s: &str| Pattern::like(s).as_phone_digits().to_like('!');
        assert_eq!(digits("+44 (0) 77%"), "44077%");
        assert_eq!(Pattern::prefix("+44").as_phone_digits().to_like('!'), "44%");
        assert_eq!(digits("N-00%"), "N-00%");
        assert_eq!(digits("+%"), "+%");
    }
}
