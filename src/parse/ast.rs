//! The syntax tree of a query, with the place in the text of everything a later stage may
//! need to point at.

use crate::diag::Span;

/// A value with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    /// The value itself.
    pub value: T,
    /// Where the value was written in the query text.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Pairs a value with the span it was written at.
    pub fn new(value: T, span: Span) -> Spanned<T> {
        Spanned { value, span }
    }
}

/// One line of the query language.
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// A query to run.
    Query(Query),
    /// `explain QUERY`: show the SQL instead of running it.
    Explain(Query),
}

/// A whole query: its head and its clauses, each clause at most once.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// What the query is about (`summary`, `customers`, `calls`, ...).
    pub head: Head,
    /// `where ...`: conditions on each record.
    pub filter: Option<Expr>,
    /// `having ...`: conditions on each group's measures, checked after grouping.
    pub having: Option<Expr>,
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
    /// `vs previous`: each measure also over the equal period just before the range.
    pub vs_previous: Option<Span>,
    /// `buckets e1, e2, ...`: the edges of a histogram's buckets, as written.
    pub buckets: Vec<Spanned<Literal>>,
    /// `grade 1%`: the blocking probability a `capacity` answer is dimensioned for, 0 to 1.
    pub grade: Option<Spanned<f64>>,
    /// `threshold N` or `threshold N%`: how far is far, for the insights (as written; a per
    /// cent as its fraction).
    pub threshold: Option<Spanned<f64>>,
    /// `baseline N`: the least usage an insight compares from.
    pub baseline: Option<Spanned<u64>>,
    /// The whole query's place in the text, from the head to the last clause.
    pub span: Span,
}

/// What a query is about; the first words of the line.
#[derive(Debug, Clone, PartialEq)]
pub enum Head {
    /// `summary [KEY]`: network totals, or one customer's.
    Summary {
        /// The customer's key as written, or `None` for the whole network.
        customer: Option<Spanned<String>>,
    },
    /// `customers`: one row per customer.
    Customers,
    /// `peak hours calls|sms|data`: the 24 hours of the day.
    PeakHours {
        /// Which traffic: calls, SMS or data.
        source: Spanned<Source>,
        /// `by M`: the measure the hours are drawn and ranked by (the count when not given).
        by: Option<Spanned<Measure>>,
    },
    /// `top N customers by MEASURE`
    TopCustomers {
        /// How many customers to list.
        n: Spanned<u64>,
        /// The measure to rank them by.
        by: Spanned<Measure>,
    },
    /// `trend MEASURE per hour|day|week|month`
    Trend {
        /// The measure to follow over time.
        measure: Spanned<Measure>,
        /// The bucket size as written: `hour`, `day`, `week` or `month`.
        bucket: Spanned<String>,
    },
    /// `histogram FIELD calls|data`: how many records fall in each bucket of the field.
    Histogram {
        /// The numeric field counted into buckets (`duration`, `data_mb`, `bytes`, ...).
        field: Spanned<String>,
        /// Which records.
        source: Spanned<Source>,
    },
    /// `idle customers [calls|sms|data|usage]`: customers with no record of the source in the
    /// range, with their last one before it.
    Idle {
        /// Which records count as activity (`usage`, all of them, when not written).
        source: Spanned<Source>,
    },
    /// `capacity calls`: the busy hour's traffic and the circuits it needs.
    Capacity {
        /// Which records (calls: circuits carry calls).
        source: Spanned<Source>,
    },
    /// `anomalies [SOURCE]`: customer-days and network hours far from their own baseline.
    Anomalies {
        /// Which records (`usage`, all of them, when not written).
        source: Spanned<Source>,
    },
    /// `declining customers [SOURCE]`: customers whose usage fell against the period before.
    Declining {
        /// Which records (`usage` when not written).
        source: Spanned<Source>,
    },
    /// `suspects simbox|international`: customers whose traffic looks like fraud.
    Suspects {
        /// `simbox` or `international`.
        kind: Spanned<String>,
    },
    /// `calls`, `sms`, `data` or `usage`, with clauses.
    Source(Spanned<Source>),
}

pub use crate::vocab::Source;

/// A measure as written: a name (`minutes`, a metric) or a function of a field (`avg(duration)`).
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    /// A measure or metric by name: `minutes`, `count`, `revenue`.
    Named(String),
    /// An aggregate function of a numeric field: `avg(duration)`, `percentile(duration, 0.9)`.
    Function {
        /// The function's name: `sum`, `avg`, `min`, `max`, `median`, `p95`, `percentile`, ...
        function: String,
        /// The field it applies to.
        field: Spanned<String>,
        /// A second argument, as written (`0.9` of `percentile(duration, 0.9)`).
        arg: Option<Spanned<String>>,
    },
}

impl Measure {
    /// The column name it gets: `minutes`, `avg(duration)`.
    pub fn label(&self) -> String {
        match self {
            Measure::Named(name) => name.clone(),
            Measure::Function {
                function,
                field,
                arg: None,
            } => format!("{function}({})", field.value),
            Measure::Function {
                function,
                field,
                arg: Some(arg),
            } => format!("{function}({}, {})", field.value, arg.value),
        }
    }
}

/// The direction of a `sort`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Smallest first.
    Asc,
    /// Largest first; the default.
    Desc,
}

/// A condition on records.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// Both conditions hold.
    And(Box<Expr>, Box<Expr>),
    /// Either condition holds.
    Or(Box<Expr>, Box<Expr>),
    /// The condition does not hold; the span covers `not` and the condition.
    Not(Box<Expr>, Span),
    /// `field op value`: `duration > 5m`.
    Compare {
        /// The field compared.
        field: Spanned<String>,
        /// The comparison operator.
        op: Spanned<CmpOp>,
        /// The value compared against.
        value: Spanned<Literal>,
    },
    /// `field [not] in (v, ...)`.
    In {
        /// The field tested.
        field: Spanned<String>,
        /// The values listed, in the order written.
        values: Vec<Spanned<Literal>>,
        /// Whether it was `not in`.
        negated: bool,
    },
    /// `field [not] like 'pattern'` or `field [not] starts with 'text'`.
    Matches {
        /// The text field tested.
        field: Spanned<String>,
        /// The pattern (`like`) or the prefix (`starts with`), as written.
        pattern: Spanned<Literal>,
        /// Whether it was `starts with`: the text is a prefix, its `%` and `_` literal.
        prefix: bool,
        /// Whether it was negated (`not like`, `not starts with`).
        negated: bool,
    },
    /// `measure op value` in `having`: `minutes > 600`, `avg(duration) >= 2m`.
    Measured {
        /// The measure compared, as written.
        measure: Spanned<Measure>,
        /// The comparison operator.
        op: Spanned<CmpOp>,
        /// The value compared against.
        value: Spanned<Literal>,
    },
    /// `field [not] between low and high`, both ends included.
    Between {
        /// The field tested.
        field: Spanned<String>,
        /// The lower end, included.
        low: Spanned<Literal>,
        /// The upper end, included.
        high: Spanned<Literal>,
        /// Whether it was `not between`.
        negated: bool,
    },
}

/// A comparison operator in a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `!=` or `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// The operator as SQL writes it (`<>` for not equal).
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
    /// A duration (`90s`, `3m20s`), in seconds, with the text as written.
    Duration(u32, String),
    /// A size (`12KB`, `1.5GiB`), in bytes, with the text as written.
    Size(u64, String),
    /// A date, perhaps with a time and an offset, as written.
    Time(String),
    /// A quoted string, a bare word or a `+` phone number.
    Text(String),
}

/// A time range, as written; the planner turns it into instants.
#[derive(Debug, Clone, PartialEq)]
pub enum Range {
    /// `since T`: from `T` on.
    Since(Spanned<String>),
    /// `until T`: up to `T`.
    Until(Spanned<String>),
    /// `between A and B`, also written `since A until B`.
    Between(Spanned<String>, Spanned<String>),
    /// `on DATE`: that one day.
    On(Spanned<String>),
    /// `today`: in the session's time zone.
    Today,
    /// `yesterday`: in the session's time zone.
    Yesterday,
    /// `last N hours|days|weeks|months`
    Last(u64, String),
    /// `this week|month|year`
    This(String),
}
