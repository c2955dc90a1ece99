//! The clauses after a query's head: where, the time range, per, having, show, sort, top,
//! limit.

use super::ast::*;
use super::{ParseError, Parser, Slot};
use crate::diag::Diagnostic;
use crate::lex::TokenKind;
use crate::vocab::words;

impl Parser<'_> {
    /// One clause; each may appear once, in any order.
    pub(super) fn clause(&mut self, query: &mut Query) -> Result<(), ParseError> {
        // A parameter where a clause starts is a whole time range (`top $n customers $range`).
        if let Some(t) = self.peek().filter(|t| t.kind == TokenKind::Param) {
            self.pos += 1;
            let range = self.param_range(t)?;
            if query.range.is_some() {
                return Err(ParseError::from(Diagnostic::new(
                    t.span,
                    "a time range is given twice",
                )));
            }
            query.range = Some(range);
            return Ok(());
        }
        let word = self.keyword(words::CLAUSES)?;
        let once = |set: bool| -> Result<(), ParseError> {
            if set {
                return Err(ParseError::from(Diagnostic::new(
                    word.span,
                    format!("`{}` is given twice", word.value),
                )));
            }
            Ok(())
        };
        match word.value.as_str() {
            "where" => {
                once(query.filter.is_some())?;
                query.filter = Some(self.expr()?);
            }
            "having" => {
                once(query.having.is_some())?;
                self.having = true;
                let condition = self.expr();
                self.having = false;
                query.having = Some(condition?);
            }
            "per" => {
                once(!query.per.is_empty())?;
                query.per = self.list(|p| p.name(Slot::Dimension, words::dimensions()))?;
            }
            "show" => {
                once(!query.show.is_empty())?;
                query.show = self.list(Parser::measure)?;
            }
            "sort" => {
                once(query.sort.is_some())?;
                self.eat("by");
                let measure = self.measure()?;
                let order = if self.eat("asc") {
                    Order::Asc
                } else {
                    self.eat("desc");
                    Order::Desc
                };
                query.sort = Some((measure, order));
            }
            "top" => {
                once(query.top.is_some())?;
                query.top = Some(self.count("how many")?);
            }
            "buckets" => {
                once(!query.buckets.is_empty())?;
                query.buckets = self.list(Parser::literal)?;
            }
            "grade" => {
                once(query.grade.is_some())?;
                query.grade = Some(self.grade()?);
            }
            "threshold" => {
                once(query.threshold.is_some())?;
                query.threshold = Some(self.threshold()?);
            }
            "baseline" => {
                once(query.baseline.is_some())?;
                query.baseline = Some(self.count("the least baseline")?);
            }
            "vs" => {
                once(query.vs_previous.is_some())?;
                let previous = self.keyword(&["previous"])?;
                query.vs_previous = Some(word.span.to(previous.span));
            }
            "limit" => {
                once(query.limit.is_some())?;
                query.limit = Some(self.count("how many rows")?);
            }
            _ => {
                let range = self.range(&word.value)?;
                let span = word.span.to(self.last_span());
                query.range = Some(match (query.range.take(), range) {
                    (None, range) => Spanned::new(range, span),
                    // `since A until B` and `until B since A` are `between A and B`.
                    (
                        Some(Spanned {
                            value: Range::Since(a),
                            span: first,
                        }),
                        Range::Until(b),
                    )
                    | (
                        Some(Spanned {
                            value: Range::Until(b),
                            span: first,
                        }),
                        Range::Since(a),
                    ) => Spanned::new(Range::Between(a, b), first.to(span)),
                    (Some(_), _) => {
                        return Err(ParseError::from(Diagnostic::new(
                            span,
                            "a time range is given twice",
                        )));
                    }
                });
            }
        }
        Ok(())
    }

    /// A blocking probability: `1%` or `0.01`, above 0 and below 1.
    fn grade(&mut self) -> Result<Spanned<f64>, ParseError> {
        let Some(t) = self.next() else {
            return Err(self.at_end(&["a grade of service such as 1%"]));
        };
        let TokenKind::Number(n) = t.kind else {
            return Err(ParseError::from(Diagnostic::new(
                t.span,
                format!(
                    "expected a grade of service such as `1%` or `0.01`, found `{}`",
                    t.text
                ),
            )));
        };
        let (value, span) = if self.eat_symbol("%") {
            (n / 100.0, t.span.to(self.last_span()))
        } else {
            (n, t.span)
        };
        if !(value > 0.0 && value < 1.0) {
            return Err(ParseError::from(Diagnostic::new(
                span,
                "a grade of service is a blocking probability above 0 and below 100% (1% is usual)",
            )));
        }
        Ok(Spanned::new(value, span))
    }

    /// A positive number, `4` or `50%` (its fraction).
    fn threshold(&mut self) -> Result<Spanned<f64>, ParseError> {
        let Some(t) = self.next() else {
            return Err(self.at_end(&["a threshold such as 4 or 50%"]));
        };
        match t.kind {
            TokenKind::Number(n) if n > 0.0 && n.is_finite() => {
                if self.eat_symbol("%") {
                    Ok(Spanned::new(n / 100.0, t.span.to(self.last_span())))
                } else {
                    Ok(Spanned::new(n, t.span))
                }
            }
            _ => Err(ParseError::from(Diagnostic::new(
                t.span,
                format!(
                    "expected a threshold above 0, such as `4` or `50%`, found `{}`",
                    t.text
                ),
            ))),
        }
    }

    /// `a, b, c`
    fn list<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<T, ParseError>,
    ) -> Result<Vec<T>, ParseError> {
        let mut items = vec![item(self)?];
        while self.eat_symbol(",") {
            items.push(item(self)?);
        }
        Ok(items)
    }

    /// The rest of a range clause whose first word was `word`.
    pub(super) fn range(&mut self, word: &str) -> Result<Range, ParseError> {
        Ok(match word {
            "since" => Range::Since(self.time()?),
            "until" => Range::Until(self.time()?),
            "between" => {
                let from = self.time()?;
                self.keyword(&["and"])?;
                Range::Between(from, self.time()?)
            }
            "on" => Range::On(self.time()?),
            "today" => Range::Today,
            "yesterday" => Range::Yesterday,
            "last" => {
                let n = self.count("how many")?;
                let unit = self.keyword(&[
                    "hour", "hours", "day", "days", "week", "weeks", "month", "months",
                ])?;
                Range::Last(n.value, words::singular(&unit.value))
            }
            _ => Range::This(self.keyword(words::THIS)?.value),
        })
    }

    /// A point in time: `2026-11-25`, `2026-11-25 10:15`, a quoted time, `now`.
    fn time(&mut self) -> Result<Spanned<String>, ParseError> {
        let expected = [
            "a date such as 2026-11-25",
            "a time such as 2026-11-25 10:15",
            "now",
        ];
        match self.peek() {
            None => Err(self.at_end(&expected)),
            Some(t) if t.kind == TokenKind::Param => {
                self.pos += 1;
                Ok(Spanned::new(
                    self.param_value(t)?.trim().to_string(),
                    t.span,
                ))
            }
            Some(t) if matches!(t.kind, TokenKind::Time | TokenKind::Str) || t.is("now") => {
                self.pos += 1;
                Ok(Spanned::new(t.text.clone(), t.span))
            }
            Some(t) => Err(self.unexpected(t, &expected)),
        }
    }
}
