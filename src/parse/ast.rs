//! The syntax tree of a query, with the place in the text of everything a later stage may
//! need to point at.

use crate::diag::Span;

/// A value with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Spanned<T> {
        Spanned { value, span }
    }
}

/// One line of the query language.
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    Query(Query),
    /// `explain QUERY`: show the SQL instead of running it.
    Explain(Query),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub head: Head,
    /// `where ...`: conditions on each record.
    pub filter: Option<Expr>,
    /// `since`, `until`, `between`, `on`, `today`, `last 7 days`, ...
    pub range: Option<Spanned<Range>>,
    /// `per day, customer`: the groups, in output order.
    pub per: Vec<Spanned<String>>,
    /// `show count, minutes`: the measures, in output order.
    pub show: Vec<Spanned<Measure>>,
    /// `sort minutes desc`
    pub sort: Option<(Spanned<Measure>, Order)>,
    /// `top N`: the N first groups by the sort measure (descending by default).
    pub top: Option<Spanned<u64>>,
    /// `limit N`: at most N rows, in the order they come.
    pub limit: Option<Spanned<u64>>,
    pub span: Span,
}

/// What a query is about; the first words of the line.
#[derive(Debug, Clone, PartialEq)]
pub enum Head {
    /// `summary [KEY]`: network totals, or one customer's.
    Summary { customer: Option<Spanned<String>> },
    /// `customers`: one row per customer.
    Customers,
    /// `peak hours calls|sms|data`: the 24 hours of the day.
    PeakHours { source: Spanned<Source> },
    /// `top N customers by MEASURE`
    TopCustomers {
        n: Spanned<u64>,
        by: Spanned<Measure>,
    },
    /// `trend MEASURE per hour|day|week|month`
    Trend {
        measure: Spanned<Measure>,
        bucket: Spanned<String>,
    },
    /// `calls`, `sms`, `data` or `usage`, with clauses.
    Source(Spanned<Source>),
}

pub use crate::vocab::Source;

/// A measure as written: a name (`minutes`, a metric) or a function of a field (`avg(duration)`).
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    Named(String),
    Function {
        function: String,
        field: Spanned<String>,
    },
}

impl Measure {
    /// The column name it gets: `minutes`, `avg(duration)`.
    pub fn label(&self) -> String {
        match self {
            Measure::Named(name) => name.clone(),
            Measure::Function { function, field } => format!("{function}({})", field.value),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Asc,
    Desc,
}

/// A condition on records.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>, Span),
    Compare {
        field: Spanned<String>,
        op: Spanned<CmpOp>,
        value: Spanned<Literal>,
    },
    In {
        field: Spanned<String>,
        values: Vec<Spanned<Literal>>,
        negated: bool,
    },
    Between {
        field: Spanned<String>,
        low: Spanned<Literal>,
        high: Spanned<Literal>,
        negated: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn sql(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "<>",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// A value in a condition, as the lexer read it.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// Digits (also a subscriber key), with the text as written.
    Number(f64, String),
    Duration(u32),
    Size(u64),
    /// A date, perhaps with a time and an offset, as written.
    Time(String),
    /// A quoted string, a bare word or a `+` phone number.
    Text(String),
}

/// A time range, as written; the planner turns it into instants.
#[derive(Debug, Clone, PartialEq)]
pub enum Range {
    Since(Spanned<String>),
    Until(Spanned<String>),
    Between(Spanned<String>, Spanned<String>),
    On(Spanned<String>),
    Today,
    Yesterday,
    /// `last N hours|days|weeks|months`
    Last(u64, String),
    /// `this week|month|year`
    This(String),
}
