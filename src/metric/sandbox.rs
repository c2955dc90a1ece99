//! The Rhai engine metrics run in: no modules, `eval` or printing, and bounds on operations,
//! call depth, string and array sizes, and time, so a runaway metric stops and the shell goes on.

use rhai::{AST, Dynamic, Engine, EvalAltResult, Position, Scope};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long one evaluation of a metric may run.
pub const TIME_LIMIT: Duration = Duration::from_millis(500);
/// How many Rhai operations one evaluation may take (a loop of a few million steps).
pub const MAX_OPERATIONS: u64 = 20_000_000;

/// A place in a metric's text, from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Place {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1.
    pub column: usize,
}

impl Place {
    fn of(p: Position) -> Option<Place> {
        Some(Place {
            line: p.line()?,
            column: p.position().unwrap_or(1),
        })
    }
}

/// Why Rhai refused or stopped a metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// What went wrong, in words.
    pub message: String,
    /// None when the failure has no place (the result is not a number).
    pub place: Option<Place>,
}

/// The Rhai engine metrics run in: no modules, no `eval`, no printing, strict variables, and
/// limits on time, operations, nesting and sizes. One engine serves every metric of a session.
pub struct Sandbox {
    engine: Engine,
    epoch: Instant,
    /// Nanoseconds after `epoch` at which the running evaluation is stopped.
    deadline: Arc<AtomicU64>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sandbox")
    }
}

impl Default for Sandbox {
    fn default() -> Self {
        Sandbox::new()
    }
}

impl Sandbox {
    /// An engine with those limits.
    pub fn new() -> Sandbox {
        let epoch = Instant::now();
        let deadline = Arc::new(AtomicU64::new(u64::MAX));
        let mut engine = Engine::new();
        // The standard packages touch no files, network or processes; modules could, and
        // `eval` would run text the definition never showed.
        engine.set_module_resolver(rhai::module_resolvers::DummyModuleResolver::new());
        engine.disable_symbol("eval");
        engine.on_print(|_| {});
        engine.on_debug(|_, _, _| {});
        engine.set_strict_variables(true);
        engine.set_max_operations(MAX_OPERATIONS);
        engine.set_max_call_levels(32);
        engine.set_max_expr_depths(64, 32);
        engine.set_max_string_size(10_000);
        engine.set_max_array_size(10_000);
        engine.set_max_map_size(1_000);
        let watched = Arc::clone(&deadline);
        engine.on_progress(move |operations| {
            // Reading the clock every operation would cost more than the metric.
            if operations % 4096 != 0 {
                return None;
            }
            let now = u64::try_from(epoch.elapsed().as_nanos()).unwrap_or(u64::MAX);
            (now > watched.load(Ordering::Relaxed)).then(|| Dynamic::from("time limit"))
        });
        Sandbox {
            engine,
            epoch,
            deadline,
        }
    }

    /// Compiles a metric's text; `names` are the variables it may read (strict variables:
    /// a misspelt measure is an error here, not at the first query).
    pub fn compile(&self, text: &str, names: &[String]) -> Result<AST, Failure> {
        let mut scope = Scope::new();
        for name in names {
            // Variables, not constants: the optimiser would fold a constant's value in.
            scope.push(name.as_str(), 0.0_f64);
        }
        self.engine
            .compile_with_scope(&scope, text)
            .map_err(|e| Failure {
                message: e.err_type().to_string(),
                place: Place::of(e.position()),
            })
    }

    /// Evaluates a compiled metric with the row's values; None for "no value" (a division by
    /// zero, or `()`).
    pub fn eval(&self, ast: &AST, values: &[(String, f64)]) -> Result<Option<f64>, Failure> {
        let mut scope = Scope::new();
        for (name, value) in values {
            scope.push_constant(name.as_str(), *value);
        }
        let start = u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX);
        let limit = u64::try_from(TIME_LIMIT.as_nanos()).unwrap_or(u64::MAX);
        self.deadline
            .store(start.saturating_add(limit), Ordering::Relaxed);
        let result = self.engine.eval_ast_with_scope::<Dynamic>(&mut scope, ast);
        self.deadline.store(u64::MAX, Ordering::Relaxed);
        let value = result.map_err(|e| failure(*e))?;
        number(value)
    }
}

fn failure(mut e: EvalAltResult) -> Failure {
    let place = Place::of(e.take_position());
    let message = match e {
        EvalAltResult::ErrorTerminated(..) => format!(
            "stopped after {} ms (does it loop forever?)",
            TIME_LIMIT.as_millis()
        ),
        EvalAltResult::ErrorTooManyOperations(..) => {
            format!("stopped after {MAX_OPERATIONS} operations (does it loop forever?)")
        }
        other => other.to_string(),
    };
    Failure { message, place }
}

fn number(value: Dynamic) -> Result<Option<f64>, Failure> {
    let n = if value.is_unit() {
        return Ok(None);
    } else if let Ok(f) = value.as_float() {
        f
    } else if let Ok(i) = value.as_int() {
        i as f64
    } else if let Ok(b) = value.as_bool() {
        if b { 1.0 } else { 0.0 }
    } else {
        return Err(Failure {
            message: format!("gives a {}, not a number", value.type_name()),
            place: None,
        });
    };
    Ok(n.is_finite().then_some(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        vec!["minutes".into(), "calls".into()]
    }

    #[test]
    fn evaluates_with_the_rows_values() {
        let s = Sandbox::new();
        let ast = s.compile("minutes * 0.5 + calls", &names()).unwrap();
        let v = s
            .eval(&ast, &[("minutes".into(), 10.0), ("calls".into(), 2.0)])
            .unwrap();
        assert_eq!(v, Some(7.0));
    }

    #[test]
    fn a_misspelt_measure_is_a_compile_error_with_its_place() {
        let s = Sandbox::new();
        let e = s.compile("minutes +\n  cals", &names()).unwrap_err();
        assert!(e.message.contains("cals"), "{e:?}");
        assert_eq!(e.place, Some(Place { line: 2, column: 3 }));
    }

    #[test]
    fn an_endless_loop_is_stopped_quickly() {
        let s = Sandbox::new();
        let ast = s.compile("loop { }", &names()).unwrap();
        let start = Instant::now();
        let e = s.eval(&ast, &[]).unwrap_err();
        assert!(e.message.starts_with("stopped after"), "{e:?}");
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn no_modules_no_eval() {
        let s = Sandbox::new();
        assert!(s.compile("eval(\"1\")", &names()).is_err());
        let ast = s.compile("import \"x\" as y; 1", &names());
        let e = match ast {
            Err(e) => e.message,
            Ok(ast) => s.eval(&ast, &[]).unwrap_err().message,
        };
        assert!(e.to_lowercase().contains("module"), "{e}");
    }

    #[test]
    fn division_by_zero_and_unit_are_no_value_and_text_is_an_error() {
        let s = Sandbox::new();
        let ast = s.compile("minutes / 0.0", &names()).unwrap();
        assert_eq!(s.eval(&ast, &[("minutes".into(), 1.0)]).unwrap(), None);
        let ast = s.compile("\"many\"", &names()).unwrap();
        assert!(s.eval(&ast, &[]).unwrap_err().message.contains("string"));
        let ast = s.compile("calls > 1", &names()).unwrap();
        assert_eq!(s.eval(&ast, &[("calls".into(), 2.0)]).unwrap(), Some(1.0));
    }
}
