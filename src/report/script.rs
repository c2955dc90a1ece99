//! `.rhai` reports: a Rhai script with tally's API, run once; the first error stops it with
//! its line.

use super::api::{self, Context};
use super::{ReportError, Reporter};
use rhai::{Engine, EvalAltResult};
use std::path::Path;
use std::sync::Arc;

pub fn run(
    r: &Reporter,
    path: &Path,
    text: &str,
    params: &[(String, String)],
) -> Result<(), ReportError> {
    let ctx = Arc::new(Context::new(r.clone(), params.to_vec()));
    let mut engine = Engine::new();
    // Reports are the operator's own files, but they read and write through tally's API only.
    engine.set_module_resolver(rhai::module_resolvers::DummyModuleResolver::new());
    engine.set_max_call_levels(64);
    api::register(&mut engine, &ctx);
    let ast = engine.compile(text).map_err(|e| {
        ReportError::new(
            path,
            e.position().line().unwrap_or(0),
            e.err_type().to_string(),
        )
    })?;
    engine.run_ast(&ast).map_err(|e| failure(path, *e))?;
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

/// The error at the line it happened on; a function's error at the line that called it.
fn failure(path: &Path, mut e: EvalAltResult) -> ReportError {
    let position = e.take_position();
    let message = match e {
        EvalAltResult::ErrorRuntime(value, _) => value.to_string(),
        EvalAltResult::ErrorInFunctionCall(name, _, inner, _) => {
            return ReportError {
                message: format!("in {name}: {}", failure(path, *inner).message),
                ..ReportError::new(path, position.line().unwrap_or(0), "")
            };
        }
        other => other.to_string(),
    };
    ReportError::new(path, position.line().unwrap_or(0), message)
}
