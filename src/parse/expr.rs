//! `where` and `having` conditions: comparisons, `in`, `between` (of fields; of measures,
//! comparisons only), joined by `and`, `or`, `not` and parentheses; `and` binds tighter.

use super::ast::*;
use super::{MAX_CONDITIONS, MAX_DEPTH, MAX_VALUES, ParseError, Parser, Slot};
use crate::diag::Diagnostic;
use crate::lex::TokenKind;
use crate::vocab::words;

impl Parser<'_> {
    pub(super) fn expr(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.and_expr()?;
        while self.eat("or") {
            left = Expr::Or(Box::new(left), Box::new(self.and_expr()?));
        }
        Ok(left)
    }

    fn and_expr(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.unary()?;
        while self.eat("and") {
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError::from(Diagnostic::new(
                self.span_here(),
                format!("the condition is nested too deeply (more than {MAX_DEPTH} levels)"),
            )));
        }
        let result = self.unary_inner();
        self.depth -= 1;
        result
    }

    fn unary_inner(&mut self) -> Result<Expr, ParseError> {
        let start = self.span_here();
        if self.eat("not") {
            let inner = self.unary()?;
            return Ok(Expr::Not(Box::new(inner), start.to(self.last_span())));
        }
        if self.eat_symbol("(") {
            let inner = self.expr()?;
            if !self.eat_symbol(")") {
                return Err(match self.peek() {
                    None => self.at_end(&[")"]),
                    Some(t) => self.unexpected(t, &[")", "and", "or"]),
                });
            }
            return Ok(inner);
        }
        self.predicate()
    }

    /// `field op value`, `field [not] in (v, ...)`, `field [not] between v and v`.
    fn predicate(&mut self) -> Result<Expr, ParseError> {
        self.conditions += 1;
        if self.conditions > MAX_CONDITIONS {
            return Err(ParseError::from(Diagnostic::new(
                self.span_here(),
                format!(
                    "a condition may hold at most {MAX_CONDITIONS} comparisons; for many values of one field use `in (...)`"
                ),
            )));
        }
        if self.having {
            let measure = self.measure()?;
            let op = self.operator()?;
            return Ok(Expr::Measured {
                measure,
                op,
                value: self.literal()?,
            });
        }
        let field = self.name(Slot::Field, words::fields())?;
        self.field = Some(field.value.clone());
        let compared = self.peek().is_some_and(|t| {
            (t.kind == TokenKind::Symbol && !t.is_symbol(")") && !t.is_symbol(";"))
                || ["in", "between", "not", "like", "starts"]
                    .iter()
                    .any(|w| t.is(w))
        });
        if field.value == "international" && !compared {
            // A condition by itself: `where international`.
            let span = field.span;
            return Ok(Expr::Compare {
                field,
                op: Spanned::new(CmpOp::Eq, span),
                value: Spanned::new(Literal::Text("yes".into()), span),
            });
        }
        let negated = self.eat("not");
        if self.eat("in") {
            if !self.eat_symbol("(") {
                return Err(self.missing(&["("]));
            }
            let mut values = vec![self.literal()?];
            while self.eat_symbol(",") {
                values.push(self.literal()?);
            }
            if !self.eat_symbol(")") {
                return Err(self.missing(&[",", ")"]));
            }
            return Ok(Expr::In {
                field,
                values,
                negated,
            });
        }
        if self.eat("between") {
            let low = self.literal()?;
            self.keyword(&["and"])?;
            return Ok(Expr::Between {
                field,
                low,
                high: self.literal()?,
                negated,
            });
        }
        let prefix = self.eat("starts");
        if prefix || self.eat("like") {
            if prefix {
                self.keyword(&["with"])?;
            }
            return Ok(Expr::Matches {
                field,
                pattern: self.literal()?,
                prefix,
                negated,
            });
        }
        if negated {
            return Err(self.missing(&["in", "between", "like", "starts"]));
        }
        let op = self.operator()?;
        Ok(Expr::Compare {
            field,
            op,
            value: self.literal()?,
        })
    }

    fn missing(&self, expected: &[&str]) -> ParseError {
        match self.peek() {
            None => self.at_end(expected),
            Some(t) => self.unexpected(t, expected),
        }
    }

    fn operator(&mut self) -> Result<Spanned<CmpOp>, ParseError> {
        let ops = [
            "=", "!=", "<>", "<", "<=", ">", ">=", "in", "between", "like", "starts",
        ];
        let Some(t) = self.peek().filter(|t| t.kind == TokenKind::Symbol) else {
            return Err(self.missing(&ops));
        };
        let op = match t.text.as_str() {
            "=" => CmpOp::Eq,
            "!=" | "<>" => CmpOp::Ne,
            "<" => CmpOp::Lt,
            "<=" => CmpOp::Le,
            ">" => CmpOp::Gt,
            ">=" => CmpOp::Ge,
            _ => return Err(self.unexpected(t, &ops)),
        };
        self.pos += 1;
        Ok(Spanned::new(op, t.span))
    }

    pub(super) fn literal(&mut self) -> Result<Spanned<Literal>, ParseError> {
        self.values += 1;
        if self.values > MAX_VALUES {
            return Err(ParseError::from(Diagnostic::new(
                self.span_here(),
                format!("a condition may hold at most {MAX_VALUES} values"),
            )));
        }
        let expected = [
            "a number",
            "a duration such as 5m",
            "a size such as 10MB",
            "a date",
            "a word",
            "'text'",
        ];
        let Some(t) = self.peek() else {
            let field = self.field.clone().unwrap_or_default();
            return Err(self.ended(Slot::Value(field), &expected));
        };
        let value = match &t.kind {
            TokenKind::Number(n) => Literal::Number(*n, t.text.clone()),
            TokenKind::Duration(s) => Literal::Duration(*s, t.text.clone()),
            TokenKind::Size(b) => Literal::Size(*b, t.text.clone()),
            TokenKind::Time => Literal::Time(t.text.clone()),
            TokenKind::Str if self.names_a_param(&t.text) => {
                return Err(ParseError::from(Diagnostic::new(
                    t.span,
                    format!(
                        "'{}' is text in quotes, not the parameter: write {} without quotes to use its value",
                        t.text, t.text
                    ),
                )));
            }
            TokenKind::Str | TokenKind::Phone | TokenKind::Word => Literal::Text(t.text.clone()),
            TokenKind::Param => {
                self.pos += 1;
                return self.param_literal(t);
            }
            TokenKind::Symbol => return Err(self.unexpected(t, &expected)),
        };
        self.pos += 1;
        Ok(Spanned::new(value, t.span))
    }
}
