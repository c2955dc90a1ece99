//! The parser takes any text without panicking: arbitrary strings, random sentences made of the
//! language's own words, and nesting far past `MAX_DEPTH` on a small stack.

use proptest::prelude::*;
use tally::parse::{MAX_DEPTH, ParseError, parse};
use tally::vocab::words;

/// Symbols and literals the lexer knows, to mix with the keywords.
const EXTRA: &[&str] = &[
    "(",
    ")",
    ",",
    "=",
    "!=",
    "<",
    ">",
    "<=",
    ">=",
    ";",
    "5m",
    "10MB",
    "2026-11-01",
    "'x'",
    "447700900123",
];

fn vocabulary() -> Vec<&'static str> {
    words::all().chain(EXTRA.iter().copied()).collect()
}

/// An error's span lies within the input on character boundaries, and its rendering points at
/// it: the line and column of the span's start (counted here, in characters), the input line
/// holding it, and a caret under each character of the span on that line (one at least).
///
/// (This used to check only that the rendering contains the message, which `render` writes
/// unconditionally: true whatever the span.)
fn check_error(input: &str, e: &ParseError) {
    let span = e.diagnostic.span;
    assert!(
        span.start <= span.end && span.end <= input.len(),
        "span {span:?} outside {} bytes of {input:?}",
        input.len()
    );
    assert!(
        input.is_char_boundary(span.start) && input.is_char_boundary(span.end),
        "span {span:?} cuts a character of {input:?}"
    );
    let before = &input[..span.start];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line_end = input[span.start..]
        .find('\n')
        .map_or(input.len(), |i| span.start + i);
    let line_no = before.matches('\n').count() + 1;
    let column = input[line_start..span.start].chars().count() + 1;
    let carets = input[span.start..span.end.min(line_end)]
        .chars()
        .count()
        .max(1);
    let want = format!(
        "line {line_no}, column {column}: {}\n  {}\n  {}{}\n",
        e.diagnostic.message,
        &input[line_start..line_end],
        " ".repeat(column - 1),
        "^".repeat(carets)
    );
    let rendered = e.diagnostic.render(input);
    assert!(
        rendered.starts_with(&want),
        "{span:?} in {input:?} rendered as\n{rendered}\nnot as\n{want}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn any_string_parses_or_fails(input in any::<String>()) {
        if let Err(e) = parse(&input) {
            check_error(&input, &e);
        }
    }

    #[test]
    fn text_with_quotes_comments_and_parentheses(
        input in r#"[a-z0-9 '"()\-;=<>!,.:+\n\t]{0,60}"#
    ) {
        if let Err(e) = parse(&input) {
            check_error(&input, &e);
        }
    }

    /// Starts with a head word half the time, so the parser gets past the first word and into
    /// the clauses.
    #[test]
    fn sentences_of_the_language_words(
        head in proptest::option::of(proptest::sample::select(words::HEADS)),
        picks in proptest::collection::vec(any::<proptest::sample::Index>(), 0..16)
    ) {
        let vocabulary = vocabulary();
        let input = head
            .into_iter()
            .chain(picks.iter().map(|i| *i.get(&vocabulary)))
            .collect::<Vec<_>>()
            .join(" ");
        if let Err(e) = parse(&input) {
            check_error(&input, &e);
        }
    }
}

/// A stack that holds `MAX_DEPTH` levels but not 1,000. In a debug build one level of
/// parentheses takes about 7 KiB (a `not` about 3 KiB), so 64 levels need about 480 KiB and
/// 1,000 unchecked levels about 7 MiB.
const SMALL_STACK: usize = 1024 * 1024;

/// Parses `input` on a thread with a small stack: a missing depth limit overflows it.
fn parse_on_small_stack(input: String) -> Result<(), String> {
    std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(move || match parse(&input) {
            Ok(_) => Ok(()),
            Err(e) => Err(e.diagnostic.message),
        })
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn nesting_up_to_the_limit_fits_the_small_stack() {
    // Each `(` and the predicate inside are one level each.
    let levels = MAX_DEPTH - 1;
    let parens = format!(
        "calls where {}direction = out{}",
        "(".repeat(levels),
        ")".repeat(levels)
    );
    let nots = format!("calls where {}direction = out", "not ".repeat(levels));
    for input in [parens, nots] {
        assert_eq!(parse_on_small_stack(input), Ok(()));
    }
}

#[test]
fn deep_nesting_is_refused_on_a_small_stack() {
    for depth in [1_000, 10_000, 100_000] {
        let parens = format!(
            "calls where {}direction = out{}",
            "(".repeat(depth),
            ")".repeat(depth)
        );
        let nots = format!("calls where {}direction = out", "not ".repeat(depth));
        let mixed = format!("calls where {}direction = out", "not (".repeat(depth / 2));
        for input in [parens, nots, mixed] {
            let head = input[..40].to_string();
            let message = parse_on_small_stack(input).unwrap_err();
            assert!(
                message.contains("nested too deeply"),
                "{head}...: {message}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn any_depth_past_the_limit_is_refused(depth in 1_000usize..100_000, not in any::<bool>()) {
        let open = if not { "not " } else { "(" };
        let input = format!("calls where {}duration > 5m", open.repeat(depth));
        let message = parse_on_small_stack(input).unwrap_err();
        prop_assert!(message.contains("nested too deeply"), "{}", message);
    }
}
