//! `.rhai` reports: a Rhai script with tally's API, run once; the first error stops it with
//! its line.

use super::api::{self, Context};
use crate::app::{AppError, ReportError, Session};
use rhai::{Dynamic, Engine, EvalAltResult};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Runs the script in `session` (taken for the run and given back with the result).
pub fn run(
    session: Session,
    path: &Path,
    text: &str,
    params: &[(String, String)],
) -> (Option<Session>, Result<(), AppError>) {
    let ctx = Arc::new(Context::new(session, params.to_vec()));
    let result = run_in(&ctx, path, text, params);
    (ctx.take_session(), result)
}

fn run_in(
    ctx: &Arc<Context>,
    path: &Path,
    text: &str,
    params: &[(String, String)],
) -> Result<(), AppError> {
    let mut engine = Engine::new();
    limit(&mut engine);
    api::register(&mut engine, ctx);
    let ast = engine.compile(text).map_err(|e| {
        ReportError::new(
            path,
            e.position().line().unwrap_or(0),
            e.err_type().to_string(),
        )
        .at_column(text, e.position().position())
    })?;
    engine.run_ast(&ast).map_err(|e| failure(path, text, *e))?;
    let used = ctx.used.lock().map(|u| u.clone()).unwrap_or_default();
    for (name, _) in params {
        if !used.contains(name) {
            eprintln!(
                "tally: {}: --param {name} was given but the script never asked for it",
                path.display()
            );
        }
    }
    Ok(())
}

/// How long a report may run in all (its queries included): a recurring report that takes
/// longer is stuck, not slow.
pub const TIME_LIMIT: Duration = Duration::from_secs(600);
/// How many Rhai operations a report's own code may take: far more than looping over the rows
/// of every query a report makes, far fewer than `loop {}` reaches in seconds.
pub const MAX_OPERATIONS: u64 = 50_000_000;

/// Reports are the operator's own files, but they read and write through tally's API only,
/// within limits like a metric's (larger: a report handles whole answers), and Ctrl-C stops
/// them.
fn limit(engine: &mut Engine) {
    engine.set_module_resolver(rhai::module_resolvers::DummyModuleResolver::new());
    engine.disable_symbol("eval");
    engine.set_max_call_levels(64);
    engine.set_max_expr_depths(128, 64);
    engine.set_max_operations(MAX_OPERATIONS);
    engine.set_max_string_size(10_000_000);
    engine.set_max_array_size(1_000_000);
    engine.set_max_map_size(1_000_000);
    let started = Instant::now();
    engine.on_progress(move |operations| {
        if operations % 4096 != 0 {
            return None;
        }
        if crate::interrupt::pressed() {
            return Some(Dynamic::from("interrupted (Ctrl-C)".to_string()));
        }
        if started.elapsed() > TIME_LIMIT {
            return Some(Dynamic::from(format!(
                "stopped after {} s (does it loop forever?)",
                TIME_LIMIT.as_secs()
            )));
        }
        None
    });
}

/// The error at the line it happened on; a function's error at the line that called it.
fn failure(path: &Path, text: &str, mut e: EvalAltResult) -> ReportError {
    let position = e.take_position();
    let message = match e {
        EvalAltResult::ErrorRuntime(value, _) => value.to_string(),
        EvalAltResult::ErrorTerminated(value, _) => value.to_string(),
        EvalAltResult::ErrorTooManyOperations(_) => {
            format!("stopped after {MAX_OPERATIONS} operations (does it loop forever?)")
        }
        EvalAltResult::ErrorInFunctionCall(name, _, inner, _) => {
            return ReportError {
                message: format!("in {name}: {}", failure(path, text, *inner).message),
                ..ReportError::new(path, position.line().unwrap_or(0), "")
            }
            .at_column(text, position.position());
        }
        other => other.to_string(),
    };
    ReportError::new(path, position.line().unwrap_or(0), message)
        .at_column(text, position.position())
}
