//! Metric names: the names a metric may take, and the names its text reads.

/// Rhai's keywords and reserved words (lowercase ones: metric names are lowercase).
const RHAI_WORDS: &[&str] = &[
    "true",
    "false",
    "let",
    "const",
    "if",
    "else",
    "switch",
    "do",
    "while",
    "until",
    "loop",
    "for",
    "in",
    "continue",
    "break",
    "return",
    "throw",
    "try",
    "catch",
    "import",
    "export",
    "as",
    "global",
    "private",
    "fn",
    "this",
    "call",
    "curry",
    "type_of",
    "print",
    "debug",
    "eval",
    "is_def_var",
    "is_def_fn",
    "is_shared",
    "var",
    "static",
    "shared",
    "goto",
    "exit",
    "match",
    "case",
    "public",
    "protected",
    "new",
    "use",
    "with",
    "module",
    "package",
    "super",
    "thread",
    "spawn",
    "go",
    "await",
    "async",
    "sync",
    "yield",
    "default",
    "void",
    "null",
    "nil",
];

/// Lowercase letters, digits and `_`, starting with a letter; not a word of the language.
pub(super) fn check_name(name: &str) -> Result<(), String> {
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.len() <= 64;
    if !valid {
        return Err(
            "a metric's name is lowercase letters, digits and _, starting with a letter".into(),
        );
    }
    if crate::vocab::words::all().any(|w| w == name) {
        return Err("is a word of the query language; pick another name".into());
    }
    if RHAI_WORDS.contains(&name) {
        return Err("is a keyword of Rhai; pick another name".into());
    }
    Ok(())
}

/// The identifiers of a Rhai text, outside strings and comments, each once.
pub(super) fn identifiers(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' | '`' | '\'' => {
                let mut escaped = false;
                for (_, d) in chars.by_ref() {
                    if d == c && !escaped {
                        break;
                    }
                    escaped = d == '\\' && !escaped;
                }
            }
            '/' if chars.peek().is_some_and(|(_, d)| *d == '/') => {
                for (_, d) in chars.by_ref() {
                    if d == '\n' {
                        break;
                    }
                }
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut end = i + c.len_utf8();
                while let Some((j, d)) = chars.peek() {
                    if d.is_ascii_alphanumeric() || *d == '_' {
                        end = j + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                let word = &text[i..end];
                if !out.iter().any(|w| w == word) {
                    out.push(word.to_string());
                }
            }
            c if c.is_ascii_digit() => {
                // The rest of a number (`1e3`, `0x1F`) is not a name.
                while chars
                    .peek()
                    .is_some_and(|(_, d)| d.is_ascii_alphanumeric() || *d == '_' || *d == '.')
                {
                    chars.next();
                }
            }
            _ => {}
        }
    }
    out
}
