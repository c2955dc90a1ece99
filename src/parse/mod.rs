//! Parse: tokens into a syntax tree, with errors that point at the word and say what would fit.

pub mod ast;
mod clauses;
mod expr;
mod params;

pub use params::Params;

use crate::diag::{Diagnostic, Span, closest};
use crate::lex::{Token, TokenKind, tokens};
use crate::vocab::words;
use ast::*;

/// How deep parentheses and `not`s may nest: deeper input is refused, not a stack overflow.
pub const MAX_DEPTH: usize = 64;

/// How many comparisons one `where` may hold: a flat chain of `or`s is as deep as it is long
/// for every stage after the parser (and for SQLite, which refuses expressions 1,000 deep).
pub const MAX_CONDITIONS: usize = 256;

/// How many values one `where` may hold, `in` lists included: each becomes a bind parameter,
/// in every table part of the query, and SQLite takes at most 32,766 in a statement.
pub const MAX_VALUES: usize = 5_000;

/// A syntax error; `incomplete` when the input ended too soon (the shell then reads on).
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    /// What is wrong and where.
    pub diagnostic: Diagnostic,
    /// Whether the input ended where more was needed; the shell then reads another line.
    pub incomplete: bool,
    /// What would have fitted where the input ended: the shell completes from it.
    pub expecting: Option<Box<Expecting>>,
}

impl From<Diagnostic> for ParseError {
    fn from(diagnostic: Diagnostic) -> Self {
        ParseError {
            diagnostic,
            incomplete: false,
            expecting: None,
        }
    }
}

/// What may come where the input ends, as the grammar sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Expecting {
    /// The kind of thing that fits there.
    pub slot: Slot,
    /// The source the statement reads, once its head is known: it decides which names fit.
    pub source: Option<Source>,
}

/// The kind of thing a place in a statement takes.
#[derive(Debug, Clone, PartialEq)]
pub enum Slot {
    /// One of these keywords or symbols.
    Words(Vec<String>),
    /// A measure or a metric's name, for `show`, `sort`, `top ... by` and `trend`.
    Measure,
    /// A field of `where`.
    Field,
    /// The field of `sum(…)`, `avg(…)`, `min(…)`, `max(…)`.
    NumericField,
    /// A dimension of `per`.
    Dimension,
    /// A value compared with this `where` field.
    Value(String),
    /// A finished statement: a clause may follow, `and`/`or` after a condition, and after a
    /// bare `summary` a subscriber key.
    Next {
        /// Whether a subscriber key may come next (after a bare `summary`).
        key: bool,
        /// Whether `and`/`or` may come next (after a `where` condition).
        condition: bool,
    },
}

impl Slot {
    /// How an error names what was expected.
    fn describe(&self) -> &'static str {
        match self {
            Slot::Measure => "a measure",
            Slot::Field | Slot::NumericField => "a field",
            Slot::Dimension => "a dimension",
            Slot::Value(_) => "a value",
            Slot::Words(_) | Slot::Next { .. } => "a word",
        }
    }
}

/// What may come after `before`, the text of a statement up to the word being typed; None
/// when `before` is already wrong.
pub fn expecting(before: &str) -> Option<Expecting> {
    let tokens = tokens(before).ok()?;
    let none = Params::new();
    let mut p = Parser::new(&tokens, before.len(), &none);
    match p.statement() {
        Err(e) => e.expecting.map(|e| *e),
        Ok(statement) => {
            let query = match &statement {
                Statement::Query(q) | Statement::Explain(q) => q,
            };
            let last_clause = tokens
                .iter()
                .rev()
                .find(|t| t.kind == TokenKind::Word && words::CLAUSES.iter().any(|c| t.is(c)));
            Some(Expecting {
                slot: Slot::Next {
                    key: matches!(query.head, Head::Summary { customer: None })
                        && last_clause.is_none(),
                    condition: last_clause.is_some_and(|t| t.is("where") || t.is("having")),
                },
                source: p.source,
            })
        }
    }
}

/// Parses one statement.
pub fn parse(source: &str) -> Result<Statement, ParseError> {
    parse_with(source, &Params::new())
}

/// Parses one statement whose `$name` tokens take their values from `params`.
pub fn parse_with(source: &str, params: &Params) -> Result<Statement, ParseError> {
    let tokens = tokens(source)?;
    let mut p = Parser::new(&tokens, source.len(), params);
    let statement = p.statement()?;
    while p.peek().is_some_and(|t| t.is_symbol(";")) {
        p.pos += 1;
    }
    if let Some(t) = p.peek() {
        let mut expected: Vec<&str> = words::CLAUSES.to_vec();
        expected.push("end of query");
        return Err(p.unexpected(t, &expected));
    }
    Ok(statement)
}

pub(crate) struct Parser<'a> {
    tokens: &'a [Token],
    pos: usize,
    /// Where the input ends, for errors at its end.
    end: usize,
    depth: usize,
    /// Comparisons and values read so far (see [`MAX_CONDITIONS`], [`MAX_VALUES`]).
    conditions: usize,
    values: usize,
    params: &'a Params,
    /// The source of the head, once read (see [`Expecting`]).
    source: Option<Source>,
    /// The `where` field whose value is read next (see [`Slot::Value`]).
    field: Option<String>,
    /// Reading a `having` condition: comparisons start with a measure, not a field.
    having: bool,
}

impl<'a> Parser<'a> {
    fn new(tokens: &'a [Token], end: usize, params: &'a Params) -> Parser<'a> {
        Parser {
            tokens,
            pos: 0,
            end,
            depth: 0,
            conditions: 0,
            values: 0,
            params,
            source: None,
            field: None,
            having: false,
        }
    }

    fn statement(&mut self) -> Result<Statement, ParseError> {
        Ok(if self.eat("explain") {
            Statement::Explain(self.query()?)
        } else {
            Statement::Query(self.query()?)
        })
    }

    fn peek(&self) -> Option<&'a Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<&'a Token> {
        let t = self.tokens.get(self.pos);
        self.pos += usize::from(t.is_some());
        t
    }

    /// Consumes the keyword when it comes next.
    fn eat(&mut self, keyword: &str) -> bool {
        let found = self.peek().is_some_and(|t| t.is(keyword));
        self.pos += usize::from(found);
        found
    }

    fn eat_symbol(&mut self, symbol: &str) -> bool {
        let found = self.peek().is_some_and(|t| t.is_symbol(symbol));
        self.pos += usize::from(found);
        found
    }

    fn span_here(&self) -> Span {
        self.peek()
            .map_or(Span::new(self.end, self.end), |t| t.span)
    }

    fn last_span(&self) -> Span {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .map_or(Span::default(), |t| t.span)
    }

    /// The error for the input ending where one of `expected` was needed.
    fn at_end(&self, expected: &[&str]) -> ParseError {
        // Descriptions such as `a number` are for people; only words can be completed.
        let words = expected
            .iter()
            .filter(|w| !w.contains(' '))
            .map(|w| w.to_string())
            .collect();
        self.ended(Slot::Words(words), expected)
    }

    /// The error for the input ending where `slot` was needed.
    fn ended(&self, slot: Slot, expected: &[&str]) -> ParseError {
        ParseError {
            diagnostic: Diagnostic::new(Span::new(self.end, self.end), "the query ends too soon")
                .expected(expected.iter().map(|s| s.to_string()).collect()),
            incomplete: true,
            expecting: Some(Box::new(Expecting {
                slot,
                source: self.source,
            })),
        }
    }

    /// The error for token `t` where one of `expected` was needed, with a close match if any.
    fn unexpected(&self, t: &Token, expected: &[&str]) -> ParseError {
        let hint = (t.kind == TokenKind::Word)
            .then(|| closest(&t.text, expected.iter().copied()))
            .flatten()
            .map(|w| format!("did you mean `{w}`?"));
        let what = match t.kind {
            TokenKind::Word => format!("unexpected word `{}`", t.text),
            TokenKind::Symbol => format!("unexpected `{}`", t.text),
            _ => format!("unexpected `{}`", t.text),
        };
        ParseError::from(
            Diagnostic::new(t.span, what)
                .expected(expected.iter().map(|s| s.to_string()).collect())
                .hint(hint),
        )
    }

    /// The next token, which must be one of the `expected` keywords; returns it in lower case.
    fn keyword(&mut self, expected: &[&str]) -> Result<Spanned<String>, ParseError> {
        match self.peek() {
            None => Err(self.at_end(expected)),
            Some(t) if t.kind == TokenKind::Word && expected.iter().any(|k| t.is(k)) => {
                self.pos += 1;
                Ok(Spanned::new(t.text.to_lowercase(), t.span))
            }
            Some(t) => Err(self.unexpected(t, expected)),
        }
    }

    /// A word that is a name (a dimension, a measure, a field); checked later by the planner.
    fn name(&mut self, slot: Slot, known: &[&str]) -> Result<Spanned<String>, ParseError> {
        let what = slot.describe();
        match self.peek() {
            None => Err(self.ended(slot, known)),
            Some(t) if t.kind == TokenKind::Word => {
                self.pos += 1;
                Ok(Spanned::new(t.text.to_lowercase(), t.span))
            }
            Some(t) => Err(ParseError::from(
                Diagnostic::new(t.span, format!("expected {what}, found `{}`", t.text))
                    .expected(known.iter().map(|s| s.to_string()).collect()),
            )),
        }
    }

    /// A whole number above zero.
    fn count(&mut self, what: &str) -> Result<Spanned<u64>, ParseError> {
        match self.next() {
            None => Err(self.at_end(&[what])),
            Some(t) if t.kind == TokenKind::Param => self.param_count(t),
            Some(t) => match t.kind {
                TokenKind::Number(n) if n >= 1.0 && n.fract() == 0.0 && n <= 1e9 => {
                    Ok(Spanned::new(n as u64, t.span))
                }
                _ => Err(ParseError::from(Diagnostic::new(
                    t.span,
                    format!("expected {what}, a whole number from 1, found `{}`", t.text),
                ))),
            },
        }
    }

    fn query(&mut self) -> Result<Query, ParseError> {
        let start = self.span_here();
        let head = self.head()?;
        let mut query = Query {
            head,
            filter: None,
            having: None,
            range: None,
            per: Vec::new(),
            show: Vec::new(),
            sort: None,
            top: None,
            limit: None,
            vs_previous: None,
            buckets: Vec::new(),
            grade: None,
            threshold: None,
            baseline: None,
            span: start,
        };
        while let Some(t) = self.peek() {
            if t.is_symbol(";") {
                break;
            }
            self.clause(&mut query)?;
        }
        query.span = start.to(self.last_span());
        Ok(query)
    }

    fn head(&mut self) -> Result<Head, ParseError> {
        let word = self.keyword(&words::HEADS[..words::HEADS.len() - 1])?;
        self.source = Some(source_of(&word.value));
        Ok(match word.value.as_str() {
            "summary" => Head::Summary {
                customer: self.optional_key()?,
            },
            "customers" => Head::Customers,
            "peak" => {
                self.keyword(&["hours"])?;
                let source = self.keyword(&["calls", "sms", "data"])?;
                self.source = Some(source_of(&source.value));
                let by = if self.eat("by") {
                    Some(self.measure()?)
                } else {
                    None
                };
                Head::PeakHours {
                    source: Spanned::new(source_of(&source.value), source.span),
                    by,
                }
            }
            "top" => {
                let n = self.count("how many")?;
                self.keyword(&["customers"])?;
                self.keyword(&["by"])?;
                Head::TopCustomers {
                    n,
                    by: self.measure()?,
                }
            }
            "histogram" => {
                let field = self.name(Slot::NumericField, words::fields())?;
                let source = self.keyword(&["calls", "data"])?;
                self.source = Some(source_of(&source.value));
                Head::Histogram {
                    field,
                    source: Spanned::new(source_of(&source.value), source.span),
                }
            }
            "idle" => {
                let word = self.keyword(&["customers"])?;
                let source = match self.peek() {
                    Some(t) if words::SOURCES.iter().any(|s| t.is(s)) => {
                        self.keyword(words::SOURCES)?
                    }
                    _ => Spanned::new("usage".to_string(), word.span),
                };
                self.source = Some(source_of(&source.value));
                Head::Idle {
                    source: Spanned::new(source_of(&source.value), source.span),
                }
            }
            "anomalies" => Head::Anomalies {
                source: self.optional_source(word.span)?,
            },
            "declining" => {
                let customers = self.keyword(&["customers"])?;
                Head::Declining {
                    source: self.optional_source(customers.span)?,
                }
            }
            "suspects" => {
                let kind = self.keyword(&["simbox", "international"])?;
                self.source = Some(Source::Calls);
                Head::Suspects { kind }
            }
            "capacity" => {
                let source = self.keyword(&["calls"])?;
                self.source = Some(Source::Calls);
                Head::Capacity {
                    source: Spanned::new(Source::Calls, source.span),
                }
            }
            "trend" => {
                let measure = self.measure()?;
                self.keyword(&["per"])?;
                Head::Trend {
                    measure,
                    bucket: self.keyword(words::BUCKETS)?,
                }
            }
            _ => Head::Source(Spanned::new(source_of(&word.value), word.span)),
        })
    }

    /// A source word if one comes next, else `usage` (placed at `at`).
    fn optional_source(&mut self, at: Span) -> Result<Spanned<Source>, ParseError> {
        let source = match self.peek() {
            Some(t) if words::SOURCES.iter().any(|s| t.is(s)) => self.keyword(words::SOURCES)?,
            _ => Spanned::new("usage".to_string(), at),
        };
        let value = source_of(&source.value);
        self.source = Some(value);
        Ok(Spanned::new(value, source.span))
    }

    /// A subscriber key after `summary`, unless the next word starts a clause; a parameter
    /// there is the key.
    fn optional_key(&mut self) -> Result<Option<Spanned<String>>, ParseError> {
        let Some(t) = self.peek() else {
            return Ok(None);
        };
        let is_key = match t.kind {
            TokenKind::Number(_) | TokenKind::Phone | TokenKind::Str => true,
            TokenKind::Word => !words::CLAUSES.iter().any(|c| t.is(c)),
            TokenKind::Param => {
                self.pos += 1;
                return Ok(Some(Spanned::new(self.param_value(t)?, t.span)));
            }
            _ => false,
        };
        Ok(is_key.then(|| {
            self.pos += 1;
            Spanned::new(t.text.clone(), t.span)
        }))
    }

    /// `minutes`, `revenue`, a metric's name, or `avg(duration)`.
    fn measure(&mut self) -> Result<Spanned<Measure>, ParseError> {
        let name = self.name(Slot::Measure, words::measures())?;
        if !self.eat_symbol("(") {
            return Ok(Spanned::new(Measure::Named(name.value), name.span));
        }
        let field = if name.value == "share" {
            // A built-in measure: neither functions nor metrics add up over groups.
            let measures = words::measures().iter().map(|m| m.to_string()).collect();
            self.name(Slot::Words(measures), words::measures())?
        } else {
            self.name(Slot::NumericField, words::fields())?
        };
        let arg = if self.eat_symbol(",") {
            match self.next() {
                Some(t) if matches!(t.kind, TokenKind::Number(_)) => {
                    Some(Spanned::new(t.text.clone(), t.span))
                }
                Some(t) => return Err(self.unexpected(t, &["a number such as 0.9"])),
                None => return Err(self.at_end(&["a number such as 0.9"])),
            }
        } else {
            None
        };
        if !self.eat_symbol(")") {
            return Err(match self.peek() {
                None => self.at_end(&[")"]),
                Some(t) => self.unexpected(t, &[")", ","]),
            });
        }
        let span = name.span.to(self.last_span());
        Ok(Spanned::new(
            Measure::Function {
                function: name.value,
                field,
                arg,
            },
            span,
        ))
    }
}

fn source_of(word: &str) -> Source {
    match word {
        "calls" => Source::Calls,
        "sms" => Source::Sms,
        "data" => Source::Data,
        _ => Source::Usage,
    }
}

#[cfg(test)]
mod tests;
