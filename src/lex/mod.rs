//! Tokens: query text cut into words, numbers, durations, sizes, dates, strings and symbols.

use crate::diag::{Diagnostic, Span};
use crate::model::{ByteSize, Duration};
use nom::branch::alt;
use nom::bytes::complete::{tag, take_while, take_while_m_n, take_while1};
use nom::character::complete::{char, digit1, one_of};
use nom::combinator::{opt, recognize};
use nom::sequence::pair;
use nom::{IResult, Parser};

/// What sort of token it is; a literal's value, already converted, travels with it.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenKind {
    /// A keyword or a bare name (`summary`, `out`, `a1b2c3`).
    Word,
    /// Digits, perhaps with a fraction; also a subscriber key written as digits.
    Number(f64),
    /// `90s`, `3m20s`, `1h`, `01:02:03`, in seconds.
    Duration(u32),
    /// `12KB`, `1.5GiB`, in bytes.
    Size(u64),
    /// `2026-11-25`, perhaps with a time and an offset, as written.
    Time,
    /// `'quoted'` or `"quoted"`, unquoted.
    Str,
    /// `+447700900123`: a phone number with its plus.
    Phone,
    /// `=`, `!=`, `<>`, `<`, `<=`, `>`, `>=`, `(`, `)`, `,`, `*`, `;`.
    Symbol,
    /// `$name` or `${name}`: a report's parameter; the text is the name. Its value is bound
    /// where a value goes, never pasted into the text.
    Param,
}

/// One token of query text, with its kind and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// What sort of token this is, with a literal's value.
    pub kind: TokenKind,
    /// The token's text (without the quotes of a string).
    pub text: String,
    /// Where the token is in the query text, quotes included.
    pub span: Span,
}

impl Token {
    /// Whether this is the word `keyword`, in any letter case.
    pub fn is(&self, keyword: &str) -> bool {
        self.kind == TokenKind::Word && self.text.eq_ignore_ascii_case(keyword)
    }

    /// Whether this is the symbol `symbol` (`=`, `(`, `<=`, ...), exactly as written.
    pub fn is_symbol(&self, symbol: &str) -> bool {
        self.kind == TokenKind::Symbol && self.text == symbol
    }
}

/// Cuts `source` into tokens; `--` starts a comment that runs to the end of the line.
pub fn tokens(source: &str) -> Result<Vec<Token>, Diagnostic> {
    let mut out = Vec::new();
    let mut rest = skip_blank(source);
    while !rest.is_empty() {
        let start = source.len() - rest.len();
        let (after, kind) = token(rest).map_err(|_| unexpected(source, start))?;
        let end = source.len() - after.len();
        let raw = &source[start..end];
        let kind = kind.map_err(|message| Diagnostic::new(Span::new(start, end), message))?;
        let text = match kind {
            TokenKind::Str => unquote(raw),
            TokenKind::Param => raw
                .trim_start_matches('$')
                .trim_start_matches('{')
                .trim_end_matches('}')
                .to_string(),
            _ => raw.to_string(),
        };
        out.push(Token {
            kind,
            text,
            span: Span::new(start, end),
        });
        rest = skip_blank(after);
    }
    Ok(out)
}

fn unexpected(source: &str, at: usize) -> Diagnostic {
    let c = source[at..].chars().next().unwrap_or(' ');
    let span = Span::new(at, at + c.len_utf8());
    if c == '\'' || c == '"' {
        return Diagnostic::new(span, format!("unterminated string: no closing {c}"));
    }
    Diagnostic::new(span, format!("unexpected character `{c}`"))
}

fn skip_blank(mut rest: &str) -> &str {
    loop {
        let trimmed = rest.trim_start();
        match trimmed.strip_prefix("--") {
            Some(comment) => rest = comment.find('\n').map_or("", |i| &comment[i..]),
            None => return trimmed,
        }
    }
}

fn unquote(raw: &str) -> String {
    let quote = &raw[..1];
    raw[1..raw.len() - 1].replace(&format!("{quote}{quote}"), quote)
}

/// One token; its kind, or why its text is not a valid literal.
type Lexed<'a> = IResult<&'a str, Result<TokenKind, String>>;

fn token(input: &str) -> Lexed<'_> {
    alt((string, time, clock, amount, phone, param, word, symbol)).parse(input)
}

fn string(input: &str) -> Lexed<'_> {
    let quoted = |q: char| {
        recognize((
            char(q),
            nom::multi::many0(alt((
                recognize(pair(char(q), char(q))),
                take_while1(move |c: char| c != q),
            ))),
            char(q),
        ))
    };
    let (rest, _) = alt((quoted('\''), quoted('"'))).parse(input)?;
    Ok((rest, Ok(TokenKind::Str)))
}

fn digits(n: usize) -> impl Fn(&str) -> IResult<&str, &str> {
    move |input| take_while_m_n(n, n, |c: char| c.is_ascii_digit())(input)
}

/// `2026-11-25`, `2026-11-25 10:15`, `2026-11-25T10:15:00Z`, `2026-11-25T10:15:00+02:00`.
fn time(input: &str) -> Lexed<'_> {
    let date = recognize((digits(4), char('-'), digits(2), char('-'), digits(2)));
    let clock = recognize((
        one_of("T "),
        digits(2),
        char(':'),
        digits(2),
        opt((char(':'), digits(2))),
    ));
    let offset = alt((
        recognize(char('Z')),
        recognize((one_of("+-"), digits(2), opt(char(':')), digits(2))),
    ));
    let (rest, _) = recognize((date, opt((clock, opt(offset))))).parse(input)?;
    Ok((rest, Ok(TokenKind::Time)))
}

/// `01:02:03` or `2:30`: a duration on a clock face.
fn clock(input: &str) -> Lexed<'_> {
    let (rest, text) =
        recognize((digit1, char(':'), digit1, opt((char(':'), digit1)))).parse(input)?;
    Ok((rest, duration(text)))
}

/// A number, perhaps with units: `42`, `1.5`, `90s`, `3m20s`, `12MB`, `2GiB`.
fn amount(input: &str) -> Lexed<'_> {
    let number = || recognize(pair(digit1, opt(pair(char('.'), digit1))));
    let unit = take_while1(|c: char| c.is_ascii_alphabetic());
    let (rest, text) = recognize(pair(
        number(),
        opt(nom::multi::many1(pair(unit, opt(number())))),
    ))
    .parse(input)?;
    if text.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Ok((
            rest,
            text.parse()
                .map(TokenKind::Number)
                .map_err(|_| format!("bad number `{text}`")),
        ));
    }
    match Duration::parse("duration", text) {
        Ok(d) => return Ok((rest, Ok(TokenKind::Duration(d.seconds())))),
        // A duration beyond a day: say that, not that it is no duration at all.
        Err(e) if e.rule.starts_with("must be between") => return Ok((rest, Err(e.to_string()))),
        Err(_) => {}
    }
    if let Ok(b) = ByteSize::parse("size", text) {
        return Ok((rest, Ok(TokenKind::Size(b.bytes()))));
    }
    Ok((
        rest,
        Err(format!(
            "`{text}` is neither a duration (90s, 3m20s, 1h) nor a size (512, 12KB, 1.5MB, 2GiB); quote it if it is a name: '{text}'"
        )),
    ))
}

fn duration(text: &str) -> Result<TokenKind, String> {
    Duration::parse("duration", text)
        .map(|d| TokenKind::Duration(d.seconds()))
        .map_err(|e| e.rule)
}

fn phone(input: &str) -> Lexed<'_> {
    let (rest, _) = recognize(pair(char('+'), digit1)).parse(input)?;
    Ok((rest, Ok(TokenKind::Phone)))
}

/// `$name` or `${name}`.
fn param(input: &str) -> Lexed<'_> {
    let name = || {
        recognize(pair(
            take_while1(|c: char| c.is_ascii_alphanumeric() || c == '_'),
            take_while(|c: char| c.is_ascii_alphanumeric() || c == '_'),
        ))
    };
    let (rest, _) = recognize(pair(
        char('$'),
        alt((recognize((char('{'), name(), char('}'))), name())),
    ))
    .parse(input)?;
    Ok((rest, Ok(TokenKind::Param)))
}

fn word(input: &str) -> Lexed<'_> {
    let (rest, _) = recognize(pair(
        take_while1(|c: char| c.is_alphabetic() || c == '_'),
        take_while(|c: char| c.is_alphanumeric() || c == '_'),
    ))
    .parse(input)?;
    Ok((rest, Ok(TokenKind::Word)))
}

fn symbol(input: &str) -> Lexed<'_> {
    let (rest, _) = alt((
        tag("!="),
        tag("<>"),
        tag("<="),
        tag(">="),
        recognize(one_of("=<>(),*;%")),
    ))
    .parse(input)?;
    Ok((rest, Ok(TokenKind::Symbol)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<(TokenKind, String)> {
        tokens(source)
            .unwrap()
            .into_iter()
            .map(|t| (t.kind, t.text))
            .collect()
    }

    #[test]
    fn cuts_a_query() {
        use TokenKind::*;
        assert_eq!(
            kinds(
                "calls where duration > 5m since 2026-11-01 per day -- comment\nshow avg(duration)"
            ),
            vec![
                (Word, "calls".into()),
                (Word, "where".into()),
                (Word, "duration".into()),
                (Symbol, ">".into()),
                (Duration(300), "5m".into()),
                (Word, "since".into()),
                (Time, "2026-11-01".into()),
                (Word, "per".into()),
                (Word, "day".into()),
                (Word, "show".into()),
                (Word, "avg".into()),
                (Symbol, "(".into()),
                (Word, "duration".into()),
                (Symbol, ")".into()),
            ]
        );
    }

    #[test]
    fn literals() {
        use TokenKind::*;
        assert_eq!(kinds("3m20s")[0].0, Duration(200));
        assert_eq!(kinds("01:02:03")[0].0, Duration(3723));
        assert_eq!(kinds("1.5GiB")[0].0, Size(1_610_612_736));
        assert_eq!(kinds("10MB")[0].0, Size(10_000_000));
        assert_eq!(kinds("447700900123")[0].0, Number(447_700_900_123.0));
        assert_eq!(kinds("+447700900123")[0], (Phone, "+447700900123".into()));
        assert_eq!(kinds("'it''s'")[0], (Str, "it's".into()));
        assert_eq!(
            kinds("2026-11-25 10:15")[0],
            (Time, "2026-11-25 10:15".into())
        );
        assert_eq!(
            kinds("2026-11-25T10:15:00+02:00")[0],
            (Time, "2026-11-25T10:15:00+02:00".into())
        );
        assert_eq!(kinds("on 2026-11-25 per day").len(), 4);
        assert_eq!(kinds("a >= 1")[1], (Symbol, ">=".into()));
        assert_eq!(kinds("$who")[0], (Param, "who".into()));
        assert_eq!(kinds("${range}x")[0], (Param, "range".into()));
        assert_eq!(kinds("'$who'")[0], (Str, "$who".into()));
    }

    #[test]
    fn errors_say_what_and_where() {
        let err = tokens("calls where x = 'open").unwrap_err();
        assert_eq!(
            (err.span, err.message.as_str()),
            (Span::new(16, 17), "unterminated string: no closing '")
        );
        let err = tokens("calls where duration > 5x").unwrap_err();
        assert_eq!(err.span, Span::new(23, 25));
        assert!(
            err.message.starts_with("`5x` is neither a duration"),
            "{}",
            err.message
        );
        let err = tokens("calls # x").unwrap_err();
        assert_eq!(err.message, "unexpected character `#`");
    }
}
