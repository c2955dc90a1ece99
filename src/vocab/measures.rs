//! The built-in measures: what each is made of, per source, and how it is shown.

use super::{Kind, Source};

/// A number the database computes per group: a sum or count over records, never a ratio, so
/// results from several tables add up and both backends return the same integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Atom {
    /// Calls, both directions: on raw rows a `COUNT(*)`, which the (customer, time) index
    /// answers alone, where counting each direction reads every row.
    Calls,
    /// Outgoing calls.
    CallsOut,
    /// Incoming calls.
    CallsIn,
    /// Answered calls, both directions.
    Answered,
    /// Calls that met a busy line, both directions.
    Busy,
    /// Calls nobody answered, both directions.
    NoAnswer,
    /// Seconds of answered calls, both directions.
    SecondsAnswered,
    /// Seconds of outgoing calls.
    SecondsOut,
    /// Seconds of incoming calls.
    SecondsIn,
    /// SMS, both directions (a `COUNT(*)` on raw rows, as `Calls`).
    Sms,
    /// Outgoing SMS.
    SmsOut,
    /// Incoming SMS.
    SmsIn,
    /// Data sessions.
    Sessions,
    /// Seconds of data sessions.
    DataSeconds,
    /// Bytes sent by customers.
    BytesUp,
    /// Bytes received by customers.
    BytesDown,
    /// Distinct customers: not additive, so never summed across groups.
    Customers,
    /// Smallest value of a record field (raw rows only).
    Min(Field),
    /// Largest value of a record field (raw rows only).
    Max(Field),
    /// The field's percentile at this many millionths (500,000 is the median), interpolated
    /// linearly between the two nearest values like `PERCENTILE_CONT` (raw rows only).
    Percentile(Field, u32),
}

impl Atom {
    /// Whether a rollup table has it (min, max and percentiles need the raw rows).
    pub fn in_rollups(self) -> bool {
        !matches!(self, Atom::Min(_) | Atom::Max(_) | Atom::Percentile(..))
    }

    /// Whether its value may be a fraction (an interpolated percentile), not a whole number.
    pub fn is_fractional(self) -> bool {
        matches!(self, Atom::Percentile(..))
    }
}

/// Numeric fields of records, the arguments of `sum` `avg` `min` `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// A call's duration, in seconds.
    CallDuration,
    /// A data session's duration, in seconds.
    DataDuration,
    /// Bytes a data session sent.
    Up,
    /// Bytes a data session received.
    Down,
    /// Bytes a data session sent and received.
    Bytes,
}

impl Field {
    /// The atoms whose sum is the field's total.
    pub fn sum(self) -> Vec<Atom> {
        match self {
            Field::CallDuration => SECONDS.to_vec(),
            Field::DataDuration => vec![Atom::DataSeconds],
            Field::Up => vec![Atom::BytesUp],
            Field::Down => vec![Atom::BytesDown],
            Field::Bytes => BYTES.to_vec(),
        }
    }

    /// The atoms counting the records that have the field (an average's denominator).
    pub fn records(self) -> Vec<Atom> {
        match self {
            Field::CallDuration => CALLS.to_vec(),
            _ => vec![Atom::Sessions],
        }
    }

    /// Seconds for durations, MB for sizes.
    pub fn kind(self) -> Kind {
        match self {
            Field::CallDuration | Field::DataDuration => Kind::Seconds,
            _ => Kind::Megabytes,
        }
    }

    /// What the stored value is divided by to be shown in `kind` (bytes → MB).
    pub fn scale(self) -> f64 {
        match self.kind() {
            Kind::Megabytes => 1e6,
            _ => 1.0,
        }
    }
}

/// How a measure's value comes from its atoms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// The sum of the atoms of every part the source includes.
    Sum,
    /// Distinct customers (the one atom `Customers`).
    Distinct,
    /// The atoms priced at the plan in force on their day; on `usage`, with the monthly fees.
    Revenue,
    /// The atoms priced at the plan in force on their day, without fees.
    UsageRevenue,
    /// Monthly fees, prorated by the days each plan was held with the account open (`usage`).
    Fees,
    /// Revenue with fees over the customers with an account open in the range (`usage`).
    Arpu,
    /// The atoms' sum over the sum of these atoms of the same records (an average, a rate).
    Ratio(&'static [Atom]),
    /// The atoms' sum in the group's busiest hour (the hour of the zone's clock with most).
    Busiest,
    /// The atoms' sum over the seconds of time the group covers (traffic in Erlangs).
    Intensity,
}

/// One built-in measure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeasureWord {
    /// The word a query writes: `minutes`, `data_mb`.
    pub name: &'static str,
    /// The atoms it reads from each kind of record; none: not a measure of that source.
    pub calls: &'static [Atom],
    /// The atoms it reads from SMS; empty: not a measure of SMS.
    pub sms: &'static [Atom],
    /// The atoms it reads from data sessions; empty: not a measure of data.
    pub data: &'static [Atom],
    /// How its value comes from the atoms.
    pub how: How,
    /// How its value is shown.
    pub kind: Kind,
    /// What the atoms' sum is divided by: 60 for minutes, 10^6 for MB.
    pub scale: f64,
    /// Whether `summary` lists it.
    pub in_summary: bool,
    /// Its unit and meaning, for `.help` and docs/LANGUAGE.md.
    pub meaning: &'static str,
}

impl MeasureWord {
    /// The atoms it reads from the records of one kind (`Usage` is not a kind of record).
    pub fn part(&self, kind: Source) -> &'static [Atom] {
        match kind {
            Source::Calls => self.calls,
            Source::Sms => self.sms,
            Source::Data => self.data,
            Source::Usage => &[],
        }
    }

    /// Whether `source` has it: some kind of record it includes gives it atoms (fees and
    /// ARPU belong to a customer's account, so to `usage` only).
    pub fn applies_to(&self, source: Source) -> bool {
        match self.how {
            How::Fees | How::Arpu => source == Source::Usage,
            _ => !self.atoms(source).is_empty(),
        }
    }

    /// Every atom it reads on `source`, in order, without repeats.
    pub fn atoms(&self, source: Source) -> Vec<Atom> {
        let mut atoms: Vec<Atom> = Vec::new();
        for kind in [Source::Calls, Source::Sms, Source::Data] {
            if source.includes(kind) {
                for atom in self.part(kind) {
                    if !atoms.contains(atom) {
                        atoms.push(*atom);
                    }
                }
            }
        }
        atoms
    }
}

const CALLS: [Atom; 1] = [Atom::Calls];
const SECONDS: [Atom; 2] = [Atom::SecondsOut, Atom::SecondsIn];
const SMS: [Atom; 1] = [Atom::Sms];
const BYTES: [Atom; 2] = [Atom::BytesUp, Atom::BytesDown];
const CUSTOMERS: [Atom; 1] = [Atom::Customers];

/// A measure summing atoms of the calls only, the SMS only or the data only.
const fn sum(
    name: &'static str,
    parts: [&'static [Atom]; 3],
    kind: Kind,
    scale: f64,
    in_summary: bool,
    meaning: &'static str,
) -> MeasureWord {
    MeasureWord {
        name,
        calls: parts[0],
        sms: parts[1],
        data: parts[2],
        how: How::Sum,
        kind,
        scale,
        in_summary,
        meaning,
    }
}

const NONE: &[Atom] = &[];

/// A telecom KPI of the calls (or of the data sessions, with `data`).
const fn kpi(
    name: &'static str,
    calls: &'static [Atom],
    data: &'static [Atom],
    how: How,
    kind: Kind,
    scale: f64,
    meaning: &'static str,
) -> MeasureWord {
    MeasureWord {
        name,
        calls,
        sms: NONE,
        data,
        how,
        kind,
        scale,
        in_summary: false,
        meaning,
    }
}

/// Every built-in measure, in the order `summary`, `.help` and the docs list them.
pub const MEASURES: &[MeasureWord] = &[
    sum(
        "count",
        [&CALLS, &SMS, &[Atom::Sessions]],
        Kind::Count,
        1.0,
        false,
        "number of records: calls, messages or sessions (on `usage`, all three)",
    ),
    sum(
        "calls",
        [&CALLS, NONE, NONE],
        Kind::Count,
        1.0,
        true,
        "calls, both directions",
    ),
    sum(
        "calls_out",
        [&[Atom::CallsOut], NONE, NONE],
        Kind::Count,
        1.0,
        true,
        "outgoing calls",
    ),
    sum(
        "calls_in",
        [&[Atom::CallsIn], NONE, NONE],
        Kind::Count,
        1.0,
        true,
        "incoming calls",
    ),
    sum(
        "answered",
        [&[Atom::Answered], NONE, NONE],
        Kind::Count,
        1.0,
        true,
        "calls with status `answered`",
    ),
    sum(
        "minutes",
        [&SECONDS, NONE, NONE],
        Kind::Number,
        60.0,
        true,
        "call seconds (both directions) ÷ 60, not rounded per call",
    ),
    sum(
        "seconds",
        [&SECONDS, NONE, NONE],
        Kind::Seconds,
        1.0,
        false,
        "call seconds, both directions",
    ),
    sum(
        "sms",
        [NONE, &SMS, NONE],
        Kind::Count,
        1.0,
        true,
        "SMS, both directions",
    ),
    sum(
        "sms_out",
        [NONE, &[Atom::SmsOut], NONE],
        Kind::Count,
        1.0,
        true,
        "SMS sent",
    ),
    sum(
        "sms_in",
        [NONE, &[Atom::SmsIn], NONE],
        Kind::Count,
        1.0,
        true,
        "SMS received",
    ),
    sum(
        "data_sessions",
        [NONE, NONE, &[Atom::Sessions]],
        Kind::Count,
        1.0,
        true,
        "data sessions",
    ),
    sum(
        "data_mb",
        [NONE, NONE, &BYTES],
        Kind::Megabytes,
        1e6,
        true,
        "(bytes up + bytes down) ÷ 10^6",
    ),
    MeasureWord {
        name: "customers",
        calls: &CUSTOMERS,
        sms: &CUSTOMERS,
        data: &CUSTOMERS,
        how: How::Distinct,
        kind: Kind::Count,
        scale: 1.0,
        in_summary: false,
        meaning: "distinct customers with a record of the source in the group (for `usage`, of any kind)",
    },
    MeasureWord {
        name: "revenue",
        calls: &[Atom::SecondsOut],
        sms: &[Atom::SmsOut],
        data: &BYTES,
        how: How::Revenue,
        kind: Kind::Money,
        scale: 1.0,
        in_summary: false,
        meaning: "money: outgoing minutes, outgoing SMS and MB priced at the plan in force on \
                  their day; on `usage`, plus the monthly fees (`usage_revenue` + `fees`)",
    },
    MeasureWord {
        name: "usage_revenue",
        calls: &[Atom::SecondsOut],
        sms: &[Atom::SmsOut],
        data: &BYTES,
        how: How::UsageRevenue,
        kind: Kind::Money,
        scale: 1.0,
        in_summary: false,
        meaning: "money: usage charges alone, without fees",
    },
    MeasureWord {
        name: "fees",
        calls: NONE,
        sms: NONE,
        data: NONE,
        how: How::Fees,
        kind: Kind::Money,
        scale: 1.0,
        in_summary: false,
        meaning: "money: each plan's monthly fee × the part of the month it was held with the \
                  account open, in the range",
    },
    MeasureWord {
        name: "arpu",
        calls: &[Atom::SecondsOut],
        sms: &[Atom::SmsOut],
        data: &BYTES,
        how: How::Arpu,
        kind: Kind::Money,
        scale: 1.0,
        in_summary: false,
        meaning: "money: (`usage_revenue` + `fees`) ÷ customers with an account open in the range",
    },
    kpi(
        "asr",
        &[Atom::Answered],
        NONE,
        How::Ratio(&CALLS),
        Kind::Number,
        0.01,
        "answer-seizure ratio: answered calls ÷ calls, per cent",
    ),
    kpi(
        "ner",
        &[Atom::Answered, Atom::Busy, Atom::NoAnswer],
        NONE,
        How::Ratio(&CALLS),
        Kind::Number,
        0.01,
        "network effectiveness ratio: (answered + busy + no_answer calls) ÷ calls, per cent; \
         a busy line or nobody answering is the network doing its job",
    ),
    kpi(
        "acd",
        &[Atom::SecondsAnswered],
        NONE,
        How::Ratio(&[Atom::Answered]),
        Kind::Seconds,
        1.0,
        "average call duration: seconds of answered calls ÷ answered calls",
    ),
    kpi(
        "mou",
        &SECONDS,
        NONE,
        How::Ratio(&CUSTOMERS),
        Kind::Number,
        60.0,
        "minutes of use: call minutes ÷ active customers (`customers` of the same source and group)",
    ),
    kpi(
        "erlangs",
        &SECONDS,
        NONE,
        How::Intensity,
        Kind::Number,
        1.0,
        "traffic intensity: call seconds ÷ the seconds of time the group covers (an hour for \
         `per hour`, the covered part of the range otherwise)",
    ),
    kpi(
        "bhca",
        &CALLS,
        NONE,
        How::Busiest,
        Kind::Count,
        1.0,
        "busy-hour call attempts: calls in the group's busiest clock hour",
    ),
    kpi(
        "mb_per_session",
        NONE,
        &BYTES,
        How::Ratio(&[Atom::Sessions]),
        Kind::Megabytes,
        1e6,
        "(bytes up + bytes down) ÷ 10^6 ÷ data sessions",
    ),
    kpi(
        "avg_throughput",
        NONE,
        &BYTES,
        How::Ratio(&[Atom::DataSeconds]),
        Kind::Number,
        125.0,
        "kbit/s: (bytes up + bytes down) × 8 ÷ 1000 ÷ seconds of data sessions",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_every_measure_applies_somewhere() {
        for (i, m) in MEASURES.iter().enumerate() {
            assert!(MEASURES[..i].iter().all(|o| o.name != m.name), "{}", m.name);
            assert!(m.applies_to(Source::Usage), "{}", m.name);
        }
    }

    #[test]
    fn usage_reads_every_part_once() {
        let count = super::super::measure("count").unwrap();
        assert_eq!(
            count.atoms(Source::Usage),
            [Atom::Calls, Atom::Sms, Atom::Sessions]
        );
        let customers = super::super::measure("customers").unwrap();
        assert_eq!(customers.atoms(Source::Usage), [Atom::Customers]);
        assert!(
            !super::super::measure("sms")
                .unwrap()
                .applies_to(Source::Calls)
        );
    }
}
