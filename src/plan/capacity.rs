//! `capacity calls [grade G]`: the traffic of each hour of the day averaged over the days of
//! the range (the time-consistent busy hour is the highest), and the circuits Erlang B needs
//! to carry it at that grade of service.

use super::finish::{Spec, finish};
use super::measure::{Atom, Compute, MeasureDef};
use super::time::UtcRange;
use super::{Context, Key, Kind, Plan, Style};
use crate::diag::Diagnostic;
use crate::parse::ast::{Query, Source};

/// The grade of service when none is given: 1% of calls blocked in the busy hour.
pub const DEFAULT_GRADE: f64 = 0.01;

/// Plans the 24 hours of the day with their average Erlangs and calls per day.
pub fn plan(query: &Query, range: UtcRange, ctx: &Context) -> Result<Plan, Diagnostic> {
    let source = Source::Calls;
    let filter = query
        .filter
        .as_ref()
        .map(|e| super::filter::check(e, source))
        .transpose()?;
    let grade = query.grade.as_ref().map_or(DEFAULT_GRADE, |g| g.value);
    let seconds = vec![Atom::SecondsOut, Atom::SecondsIn];
    let measures = vec![
        MeasureDef {
            label: "erlangs".into(),
            kind: Kind::Number,
            compute: Compute::Intensity(seconds),
            scale: 1.0,
        },
        // Calls per second of the hour's covered time, times 3,600: the hour's calls per day.
        MeasureDef {
            label: "bhca".into(),
            kind: Kind::Number,
            compute: Compute::Intensity(vec![Atom::Calls]),
            scale: 1.0 / 3600.0,
        },
    ];
    let title = format!(
        "Capacity of calls {} ({}): each hour's Erlangs and calls averaged over the days \
         (time-consistent busy hour), circuits by Erlang B at {} blocking",
        super::describe_range(range, ctx),
        ctx.zone,
        percent(grade)
    );
    finish(
        Spec {
            source,
            filter,
            range,
            keys: vec![Key::Hour],
            measures,
            sort: None,
            take: None,
            having: None,
            style: Style::Capacity { grade },
            title,
        },
        ctx,
    )
}

/// `1%`, `0.5%`: a grade as people write it.
pub fn percent(grade: f64) -> String {
    let p = grade * 100.0;
    let text = format!("{p:.4}");
    format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
}

/// The blocking probability of `erlangs` offered to `circuits`, by the Erlang B recursion
/// B(0) = 1, B(n) = E·B(n−1) / (n + E·B(n−1)), which stays within 0 and 1 at every step.
pub fn erlang_b(erlangs: f64, circuits: u32) -> f64 {
    (1..=circuits).fold(1.0, |b, n| erlangs * b / (f64::from(n) + erlangs * b))
}

/// The fewest circuits that carry `erlangs` with at most `grade` of the calls blocked; None for
/// traffic too large to dimension (over ten million circuits).
pub fn circuits(erlangs: f64, grade: f64) -> Option<u32> {
    if erlangs <= 0.0 {
        return Some(0);
    }
    let mut b = 1.0;
    for n in 1..=10_000_000u32 {
        b = erlangs * b / (f64::from(n) + erlangs * b);
        if b <= grade {
            return Some(n);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recursion_gives_the_textbook_blocking() {
        assert_eq!(erlang_b(1.0, 1), 0.5);
        assert!((erlang_b(2.0, 2) - 0.4).abs() < 1e-15);
        assert_eq!(erlang_b(3.0, 0), 1.0);
    }

    #[test]
    fn circuits_match_published_erlang_b_tables() {
        // Erlang B tables at 1% blocking: 5 E → 11, 10 E → 18, 2 E → 7, 20 E → 30.
        for (erlangs, want) in [(5.0, 11), (10.0, 18), (2.0, 7), (20.0, 30)] {
            assert_eq!(circuits(erlangs, 0.01), Some(want), "{erlangs} E");
        }
        // At 0.1% more circuits are needed: 10 E → 21; at 5%, fewer: 10 E → 15.
        assert_eq!(circuits(10.0, 0.001), Some(21));
        assert_eq!(circuits(10.0, 0.05), Some(15));
        assert_eq!(circuits(0.0, 0.01), Some(0));
        // The tables' capacity figures at 1%: 18 circuits carry 10.44 E, 11 carry 5.16 E
        // (rounded to two decimals; the exact limits are 10.4369 and 5.1599).
        assert!(erlang_b(10.436, 18) <= 0.01 && erlang_b(10.438, 18) > 0.01);
        assert!(erlang_b(5.159, 11) <= 0.01 && erlang_b(5.161, 11) > 0.01);
    }

    #[test]
    fn grades_print_as_people_write_them() {
        assert_eq!(percent(0.01), "1%");
        assert_eq!(percent(0.005), "0.5%");
        assert_eq!(percent(0.25), "25%");
    }
}
