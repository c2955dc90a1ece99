//! Pushdown: the part of Rhai that SQL can say the same way — numbers, measures, `+ - * /`,
//! comparisons, `&& || !` and `if .. { } else { }` — parsed into a tree that renders as SQL.
//! A metric outside this subset is evaluated by Rhai after aggregation instead.

/// An arithmetic expression over measures.
#[derive(Debug, Clone, PartialEq)]
pub enum Arith {
    /// A literal; `int` when written without a point or exponent (Rhai's INT).
    Number {
        /// The number's value.
        value: f64,
        /// Whether it was written as an integer.
        int: bool,
    },
    /// A measure or another metric, by name.
    Var(String),
    /// `-a`.
    Neg(Box<Arith>),
    /// `!a`.
    Not(Box<Arith>),
    /// `a op b`.
    Binary(Op, Box<Arith>, Box<Arith>),
    /// `if c { a } else { b }`.
    If(Box<Arith>, Box<Arith>, Box<Arith>),
}

/// A binary operator of the pushdown subset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`; a division by zero gives no value (SQL `NULL`).
    Div,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `&&`
    And,
    /// `||`
    Or,
}

impl Op {
    fn sql(self) -> &'static str {
        match self {
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
            Op::Div => "/",
            Op::Eq => "=",
            Op::Ne => "<>",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::And => "AND",
            Op::Or => "OR",
        }
    }

    fn logical(self) -> bool {
        matches!(self, Op::And | Op::Or)
    }

    fn comparison(self) -> bool {
        matches!(self, Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge)
    }
}

/// What an expression yields, as Rhai sees it: the two must agree for SQL to say the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Type {
    /// A number that holds a measure: a float in Rhai.
    Float,
    /// An integer literal, or arithmetic over literals only: integer arithmetic in Rhai.
    Int,
    Bool,
}

impl Arith {
    /// Parses `text` when it is entirely within the pushdown subset and its types agree;
    /// None otherwise (the metric is then evaluated by Rhai).
    pub fn parse(text: &str) -> Option<Arith> {
        let tokens = tokenize(text)?;
        let mut p = Parser { tokens, pos: 0 };
        // Rhai reads a leading `if` or `{ }` as a whole statement: `if c { 1 } else { 0 } + x`
        // is two statements there (the value is `+x`), so such a text must end with it.
        let statement_first = match p.tokens.first() {
            Some(Tok::Sym("{")) => true,
            Some(Tok::Ident(w)) => w == "if",
            _ => false,
        };
        let tree = if statement_first {
            p.primary()?
        } else {
            p.or()?
        };
        if p.pos != p.tokens.len() {
            return None;
        }
        tree.type_of()?;
        let mut vars = Vec::new();
        tree.vars(&mut vars);
        // A constant needs no SQL.
        (!vars.is_empty() && tree.pushable()).then_some(tree)
    }

    /// Whether SQL computes what Rhai would: no division inside a condition (Rhai compares an
    /// infinite or NaN quotient where SQL has NULL) and no literal beyond a double's range.
    pub fn pushable(&self) -> bool {
        self.agrees(false)
    }

    fn agrees(&self, in_condition: bool) -> bool {
        match self {
            Arith::Number { value, .. } => value.is_finite(),
            Arith::Var(_) => true,
            Arith::Neg(a) => a.agrees(in_condition),
            Arith::Not(a) => a.agrees(true),
            Arith::Binary(Op::Div, _, _) if in_condition => false,
            Arith::Binary(op, a, b) => {
                let inner = in_condition || op.logical() || op.comparison();
                a.agrees(inner) && b.agrees(inner)
            }
            Arith::If(c, a, b) => {
                c.agrees(true) && a.agrees(in_condition) && b.agrees(in_condition)
            }
        }
    }

    /// The measures and metrics it reads.
    pub fn vars(&self, out: &mut Vec<String>) {
        match self {
            Arith::Number { .. } => {}
            Arith::Var(v) => {
                if !out.contains(v) {
                    out.push(v.clone())
                }
            }
            Arith::Neg(a) | Arith::Not(a) => a.vars(out),
            Arith::Binary(_, a, b) => {
                a.vars(out);
                b.vars(out);
            }
            Arith::If(c, a, b) => {
                c.vars(out);
                a.vars(out);
                b.vars(out);
            }
        }
    }

    fn type_of(&self) -> Option<Type> {
        match self {
            Arith::Number { int: true, .. } => Some(Type::Int),
            Arith::Number { .. } | Arith::Var(_) => Some(Type::Float),
            Arith::Neg(a) => match a.type_of()? {
                Type::Bool => None,
                t => Some(t),
            },
            Arith::Not(a) => (a.type_of()? == Type::Bool).then_some(Type::Bool),
            Arith::Binary(op, a, b) => {
                let (x, y) = (a.type_of()?, b.type_of()?);
                if op.logical() {
                    (x == Type::Bool && y == Type::Bool).then_some(Type::Bool)
                } else if x == Type::Bool || y == Type::Bool {
                    None
                } else if op.comparison() {
                    Some(Type::Bool)
                } else if x == Type::Int && y == Type::Int {
                    // Rhai divides integers as integers (`1 / 2` is 0); SQL would not.
                    (*op != Op::Div).then_some(Type::Int)
                } else {
                    Some(Type::Float)
                }
            }
            Arith::If(c, a, b) => {
                if c.type_of()? != Type::Bool {
                    return None;
                }
                match (a.type_of()?, b.type_of()?) {
                    (Type::Bool, Type::Bool) => Some(Type::Bool),
                    (Type::Bool, _) | (_, Type::Bool) => None,
                    // Either branch may be chosen: a float if either is.
                    (Type::Int, Type::Int) => Some(Type::Int),
                    _ => Some(Type::Float),
                }
            }
        }
    }

    /// SQL for both dialects. `var` gives the SQL of a measure (as a floating-point value);
    /// division by zero is NULL, as Rhai's infinite result is shown as nothing.
    pub fn sql(&self, var: &dyn Fn(&str) -> String) -> String {
        match self {
            Arith::Number { value, .. } => float_literal(*value),
            Arith::Var(v) => var(v),
            Arith::Neg(a) => format!("(-{})", a.sql(var)),
            Arith::Not(a) => format!("(NOT {})", a.sql(var)),
            Arith::Binary(Op::Div, a, b) => {
                format!("({} / NULLIF({}, 0))", a.sql(var), b.sql(var))
            }
            Arith::Binary(op, a, b) => format!("({} {} {})", a.sql(var), op.sql(), b.sql(var)),
            Arith::If(c, a, b) => format!(
                "(CASE WHEN {} THEN {} ELSE {} END)",
                c.sql(var),
                a.sql(var),
                b.sql(var)
            ),
        }
    }
}

/// A double in both dialects: an exponent makes MySQL read it as DOUBLE, not DECIMAL.
fn float_literal(n: f64) -> String {
    format!("{n:e}")
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Int(f64),
    Float(f64),
    Ident(String),
    Sym(&'static str),
}

const SYMBOLS: [&str; 17] = [
    "&&", "||", "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "!", "(", ")", "{", "}",
];

/// Rhai's tokens for the subset; None at anything else (strings, `;`, `let`, calls, ...).
fn tokenize(text: &str) -> Option<Vec<Tok>> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        rest = skip_space_and_comments(rest)?;
        let Some(c) = rest.chars().next() else {
            return Some(out);
        };
        if c.is_ascii_digit() {
            let (tok, len) = number(rest)?;
            out.push(tok);
            rest = &rest[len..];
        } else if c.is_ascii_alphabetic() || c == '_' {
            let len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let word = &rest[..len];
            rest = &rest[len..];
            // A call (`abs(x)`) is Rhai's business, not SQL's.
            if skip_space_and_comments(rest)?.starts_with('(') {
                return None;
            }
            out.push(Tok::Ident(word.to_string()));
        } else {
            let sym = SYMBOLS.iter().find(|s| rest.starts_with(**s))?;
            out.push(Tok::Sym(sym));
            rest = &rest[sym.len()..];
        }
    }
}

fn skip_space_and_comments(mut rest: &str) -> Option<&str> {
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.find('\n').map_or("", |i| &after[i..]);
        } else if rest.starts_with("/*") {
            // Block comments may nest in Rhai; leave those scripts to Rhai.
            return None;
        } else {
            return Some(rest);
        }
    }
}

/// `12`, `1_000`, `0.05`, `1e3`, `2.5e-2`.
fn number(text: &str) -> Option<(Tok, usize)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        while *i < bytes.len() && (bytes[*i].is_ascii_digit() || bytes[*i] == b'_') {
            *i += 1;
        }
    };
    digits(&mut i);
    let mut float = false;
    if i + 1 < bytes.len() && bytes[i] == b'.' && bytes[i + 1].is_ascii_digit() {
        float = true;
        i += 1;
        digits(&mut i);
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        let mut j = i + 1;
        if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
            j += 1;
        }
        if j < bytes.len() && bytes[j].is_ascii_digit() {
            float = true;
            i = j;
            digits(&mut i);
        }
    }
    if i < bytes.len() && (bytes[i].is_ascii_alphabetic() || bytes[i] == b'.') {
        // `0x1F`, `1.abs()`: not in the subset.
        return None;
    }
    let value: f64 = text[..i].replace('_', "").parse().ok()?;
    Some((
        if float {
            Tok::Float(value)
        } else {
            Tok::Int(value)
        },
        i,
    ))
}

struct Parser {
    tokens: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek_sym(&self) -> Option<&'static str> {
        match self.tokens.get(self.pos) {
            Some(Tok::Sym(s)) => Some(s),
            _ => None,
        }
    }

    fn eat(&mut self, sym: &str) -> bool {
        if self.peek_sym() == Some(sym) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn binary(
        &mut self,
        ops: &[(&str, Op)],
        next: fn(&mut Parser) -> Option<Arith>,
    ) -> Option<Arith> {
        let mut left = next(self)?;
        'outer: loop {
            for (sym, op) in ops {
                if self.eat(sym) {
                    let right = next(self)?;
                    left = Arith::Binary(*op, Box::new(left), Box::new(right));
                    continue 'outer;
                }
            }
            return Some(left);
        }
    }

    fn or(&mut self) -> Option<Arith> {
        self.binary(&[("||", Op::Or)], Parser::and)
    }

    fn and(&mut self) -> Option<Arith> {
        self.binary(&[("&&", Op::And)], Parser::comparison)
    }

    fn comparison(&mut self) -> Option<Arith> {
        let left = self.sum()?;
        let ops = [
            ("==", Op::Eq),
            ("!=", Op::Ne),
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("<", Op::Lt),
            (">", Op::Gt),
        ];
        for (sym, op) in ops {
            if self.eat(sym) {
                let right = self.sum()?;
                // Rhai does not chain comparisons either.
                if ops.iter().any(|(s, _)| self.peek_sym() == Some(s)) {
                    return None;
                }
                return Some(Arith::Binary(op, Box::new(left), Box::new(right)));
            }
        }
        Some(left)
    }

    fn sum(&mut self) -> Option<Arith> {
        self.binary(&[("+", Op::Add), ("-", Op::Sub)], Parser::product)
    }

    fn product(&mut self) -> Option<Arith> {
        self.binary(&[("*", Op::Mul), ("/", Op::Div)], Parser::unary)
    }

    fn unary(&mut self) -> Option<Arith> {
        if self.eat("-") {
            return Some(Arith::Neg(Box::new(self.unary()?)));
        }
        if self.eat("!") {
            return Some(Arith::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Option<Arith> {
        let tok = self.tokens.get(self.pos)?.clone();
        self.pos += 1;
        match tok {
            Tok::Int(value) => Some(Arith::Number { value, int: true }),
            Tok::Float(value) => Some(Arith::Number { value, int: false }),
            Tok::Ident(word) if word == "if" => self.if_else(),
            Tok::Ident(word) if is_reserved(&word) => None,
            Tok::Ident(word) => Some(Arith::Var(word)),
            Tok::Sym("(") => {
                let inner = self.or()?;
                self.eat(")").then_some(inner)
            }
            Tok::Sym("{") => {
                let inner = self.or()?;
                self.eat("}").then_some(inner)
            }
            Tok::Sym(_) => None,
        }
    }

    /// `if C { A } else { B }` and `else if` chains; Rhai's `if` without `else` yields `()`.
    fn if_else(&mut self) -> Option<Arith> {
        let condition = self.or()?;
        let then = self.block()?;
        match self.tokens.get(self.pos) {
            Some(Tok::Ident(w)) if w == "else" => self.pos += 1,
            _ => return None,
        }
        let otherwise = match self.tokens.get(self.pos) {
            Some(Tok::Ident(w)) if w == "if" => {
                self.pos += 1;
                self.if_else()?
            }
            _ => self.block()?,
        };
        Some(Arith::If(
            Box::new(condition),
            Box::new(then),
            Box::new(otherwise),
        ))
    }

    fn block(&mut self) -> Option<Arith> {
        if !self.eat("{") {
            return None;
        }
        let inner = self.or()?;
        self.eat("}").then_some(inner)
    }
}

fn is_reserved(word: &str) -> bool {
    matches!(
        word,
        "else"
            | "let"
            | "const"
            | "while"
            | "loop"
            | "for"
            | "in"
            | "fn"
            | "return"
            | "true"
            | "false"
            | "switch"
            | "do"
            | "until"
            | "break"
            | "continue"
            | "throw"
            | "try"
            | "catch"
            | "import"
            | "export"
            | "this"
            | "global"
            | "private"
            | "Fn"
            | "call"
            | "curry"
            | "eval"
            | "type_of"
            | "print"
            | "debug"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sql(text: &str) -> Option<String> {
        Arith::parse(text).map(|a| a.sql(&|v| format!("[{v}]")))
    }

    #[test]
    fn arithmetic_over_measures_is_pushed_down() {
        assert_eq!(
            sql("minutes * 0.05 + sms * 0.02").as_deref(),
            Some("(([minutes] * 5e-2) + ([sms] * 2e-2))")
        );
        assert_eq!(
            sql("calls / answered").as_deref(),
            Some("([calls] / NULLIF([answered], 0))")
        );
        assert_eq!(
            sql("if data_mb > 1_000 && calls < 10 { 1 } else { 0 }").as_deref(),
            Some("(CASE WHEN (([data_mb] > 1e3) AND ([calls] < 1e1)) THEN 1e0 ELSE 0e0 END)")
        );
        assert_eq!(
            sql("-(minutes) // a comment").as_deref(),
            Some("(-[minutes])")
        );
    }

    #[test]
    fn anything_else_is_left_to_rhai() {
        for text in [
            "let x = minutes; x * 2",
            "abs(minutes)",
            "minutes.abs()",
            "\"text\"",
            "1 / 2 * minutes",
            "42",
            "if calls { 1 } else { 0 }",
            "calls && sms",
            "if calls > 1 { 1 }",
            "minutes % 7",
            "if calls > 100 { 5 } else { 0 } + minutes",
            "{ calls } - 1",
            "if answered / calls >= 0.5 { 1 } else { 0 }",
            "!(answered / calls >= 0.5)",
            "1e999 * calls",
            "0x1F * calls",
            "calls < sms < 3",
            "/* block */ calls",
            "loop { }",
        ] {
            assert_eq!(sql(text), None, "{text}");
        }
    }

    #[test]
    fn vars_lists_each_name_once() {
        let mut vars = Vec::new();
        Arith::parse("minutes + minutes * sms")
            .unwrap()
            .vars(&mut vars);
        assert_eq!(vars, ["minutes", "sms"]);
    }
}
