//! The metrics file: `metric NAME = EXPRESSION` definitions, one after another, an expression
//! running on over the following lines while a bracket is open; `//` comments between them.

use super::MetricError;

/// One definition as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    pub name: String,
    pub text: String,
    /// The line it starts on, from 1.
    pub line: usize,
}

/// Splits `metric NAME = EXPRESSION` into the name and the expression.
pub fn split_definition(text: &str) -> Result<(String, String), String> {
    let usage = "expected `metric NAME = EXPRESSION`";
    let rest = text
        .trim_start()
        .strip_prefix("metric")
        .filter(|r| r.starts_with(char::is_whitespace))
        .ok_or(usage)?;
    let (name, expression) = rest.split_once('=').ok_or(usage)?;
    let name = name.trim();
    if name.is_empty() || name.contains(char::is_whitespace) {
        return Err(usage.into());
    }
    // `metric x == 1` is a comparison, not a definition.
    if expression.starts_with('=') {
        return Err(usage.into());
    }
    Ok((name.to_string(), expression.trim().to_string()))
}

/// Whether `text` is a `metric` definition (complete or not).
pub fn is_definition(text: &str) -> bool {
    let mut words = text.split_whitespace();
    words.next() == Some("metric")
}

/// How many brackets `text` leaves open, outside strings and comments.
pub fn open_brackets(text: &str) -> i64 {
    let mut depth = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '`' | '\'' => {
                let mut escaped = false;
                for d in chars.by_ref() {
                    if d == c && !escaped {
                        break;
                    }
                    escaped = d == '\\' && !escaped;
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                for d in chars.by_ref() {
                    if d == '\n' {
                        break;
                    }
                }
            }
            '(' | '{' | '[' => depth += 1,
            ')' | '}' | ']' => depth -= 1,
            _ => {}
        }
    }
    depth
}

/// The definitions of a file, each parsed or the reason it is not.
pub fn parse_file(text: &str) -> Vec<Result<Definition, MetricError>> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    let finish = |start: usize, body: String| {
        split_definition(&body)
            .map(|(name, text)| Definition {
                name,
                text,
                line: start,
            })
            .map_err(|message| MetricError {
                metric: String::new(),
                file: None,
                place: Some(super::Place {
                    line: start,
                    column: 1,
                }),
                message,
            })
    };
    for (i, line) in text.lines().enumerate() {
        let open = current.as_ref().is_some_and(|(_, b)| open_brackets(b) > 0);
        let trimmed = line.trim_start();
        if !open && is_definition(trimmed) {
            if let Some((start, body)) = current.take() {
                out.push(finish(start, body));
            }
            current = Some((i + 1, line.to_string()));
        } else if let Some((_, body)) = current.as_mut() {
            if open || !(trimmed.is_empty() || trimmed.starts_with("//")) {
                body.push('\n');
                body.push_str(line);
            }
        } else if !(trimmed.is_empty() || trimmed.starts_with("//")) {
            out.push(finish(i + 1, line.to_string()));
        }
    }
    if let Some((start, body)) = current {
        out.push(finish(start, body));
    }
    out
}

/// The file for the saved definitions, readable and editable by hand.
pub fn render_file(saved: &[Definition]) -> String {
    let mut out = String::from(
        "// tally metrics: `metric NAME = EXPRESSION`, in Rhai, over the measures of a result row\n\
         // (count, calls, answered, minutes, seconds, sms, data_mb, customers, revenue) and\n\
         // other metrics. Rewritten by `metric save NAME` and `.metric drop NAME`: definitions\n\
         // edited here are kept, comments between them are not.\n",
    );
    for d in saved {
        out.push_str(&format!("metric {} = {}\n", d.name, d.text));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_span_lines_while_a_bracket_is_open() {
        let text = "// shared\nmetric a = minutes * 2\n\nmetric b = {\n  let x = a;\n  x + 1\n}\n// end\nmetric c = sms;\n";
        let defs: Vec<Definition> = parse_file(text).into_iter().map(Result::unwrap).collect();
        assert_eq!(defs.len(), 3);
        assert_eq!((defs[0].name.as_str(), defs[0].line), ("a", 2));
        assert_eq!(defs[1].text, "{\n  let x = a;\n  x + 1\n}");
        assert_eq!(defs[1].line, 4);
        assert_eq!(defs[2].text, "sms;");
    }

    #[test]
    fn a_line_that_is_no_definition_is_reported_with_its_line() {
        let out = parse_file("metric a = 1\nrevenue * 2\n");
        // A line after a complete definition continues it: Rhai then reports it.
        assert_eq!(out.len(), 1);
        let out = parse_file("oops\nmetric a = 1\n");
        let err = out[0].clone().unwrap_err();
        assert_eq!(err.place.unwrap().line, 1);
        assert!(err.message.contains("expected `metric NAME = EXPRESSION`"));
    }

    #[test]
    fn split_definition_needs_a_name_and_an_equals_sign() {
        assert_eq!(
            split_definition("metric rev = minutes * 0.05").unwrap(),
            ("rev".into(), "minutes * 0.05".into())
        );
        assert!(split_definition("metric rev minutes").is_err());
        assert!(split_definition("metric two words = 1").is_err());
        assert!(split_definition("metric x == 1").is_err());
        assert!(split_definition("metrics x = 1").is_err());
    }
}
