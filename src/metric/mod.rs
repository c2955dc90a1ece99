//! Metrics: measures written in Rhai over a result row's measures, compiled once, pushed into
//! the SQL when they are plain arithmetic and evaluated per row after aggregation otherwise.

mod arith;
mod file;
mod names;
mod sandbox;

pub use arith::{Arith, Op};
pub use file::{is_definition, open_brackets, parse_file, render_file, split_definition};
pub use sandbox::{Failure, MAX_OPERATIONS, Place, Sandbox, TIME_LIMIT};

use names::{check_name, identifiers};
use rhai::AST;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The largest SQL form a metric may have, in nodes, once the metrics it reads are written
/// out: beyond it (a chain of metrics doubling each other) Rhai evaluates it instead.
const MAX_PUSHED_NODES: usize = 2_000;

/// Where a metric was defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Defined in this run (the shell, a batch, a report): gone when it ends unless saved.
    Session,
    /// The user's own metrics file (saved with `metric save NAME`).
    Own,
    /// A shared file (`--metrics FILE`, `metrics = [...]` in config.toml), read only.
    Shared(PathBuf),
}

/// A metric ready to use: its text, what it reads, its compiled form and its SQL form.
#[derive(Clone)]
pub struct Metric {
    /// The metric's name, as queries write it: lowercase letters, digits and `_`.
    pub name: String,
    /// The Rhai expression after `=`, trimmed, without a final `;`.
    pub text: String,
    /// Where it was defined: this run, the user's own file, or a shared file.
    pub origin: Origin,
    /// The line of the file it starts on (1 at the shell).
    pub line: usize,
    /// Measures and metrics it reads.
    pub inputs: Vec<String>,
    /// Its own text as plain arithmetic, other metrics still named (`Metrics::pushdown`
    /// replaces them by their current definitions).
    pub pushdown: Option<Arith>,
    ast: Arc<AST>,
    sandbox: Arc<Sandbox>,
}

impl fmt::Debug for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "metric {} = {}", self.name, self.text)
    }
}

impl PartialEq for Metric {
    fn eq(&self, other: &Metric) -> bool {
        self.name == other.name && self.text == other.text
    }
}

impl Metric {
    /// The metric's value for one row; `values` holds each of its inputs.
    pub fn eval(&self, values: &[(String, f64)]) -> Result<Option<f64>, MetricError> {
        self.sandbox
            .eval(&self.ast, values)
            .map_err(|f| self.error(f.message, f.place))
    }

    fn error(&self, message: String, place: Option<Place>) -> MetricError {
        // A shared metric is shown by its place in its file; one's own by its place in the
        // text `.metrics` shows.
        let (file, first_line) = match &self.origin {
            Origin::Shared(p) => (Some(p.clone()), self.line),
            Origin::Own | Origin::Session => (None, 1),
        };
        MetricError {
            metric: self.name.clone(),
            file,
            place: place.map(|p| Place {
                line: p.line + first_line - 1,
                column: p.column,
            }),
            message,
        }
    }
}

/// A metric that cannot be defined or stopped while running.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct MetricError {
    /// The metric's name; empty for an error of a whole file.
    pub metric: String,
    /// The metrics file, for a metric read from one (shown as `FILE:LINE:COLUMN:`).
    pub file: Option<PathBuf>,
    /// Where in the metric's text, or in the file, the error is, when known.
    pub place: Option<Place>,
    /// What went wrong, in words.
    pub message: String,
}

impl fmt::Display for MetricError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}:", file.display())?;
            if let Some(p) = self.place {
                write!(f, "{}:{}:", p.line, p.column)?;
            }
            f.write_str(" ")?;
        }
        if self.metric.is_empty() {
            return f.write_str(&self.message);
        }
        write!(f, "metric `{}`", self.metric)?;
        if let (None, Some(p)) = (&self.file, self.place) {
            write!(f, ", line {}, column {}", p.line, p.column)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Every metric known to this session, in the order they were defined.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    sandbox: Arc<Sandbox>,
    list: Vec<Metric>,
    /// Where saved metrics are kept.
    own_file: Option<PathBuf>,
    /// What the own file holds, loaded or not (a shared metric one reads may be missing this
    /// time): rewritten with a saved metric's text, never with what a run only defined.
    saved: Vec<file::Definition>,
}

impl Metrics {
    /// No metrics; definitions are kept in `own_file` when there is one.
    pub fn new(own_file: Option<PathBuf>) -> Metrics {
        Metrics {
            sandbox: Arc::new(Sandbox::new()),
            list: Vec::new(),
            own_file,
            saved: Vec::new(),
        }
    }

    /// `$XDG_CONFIG_HOME/tally/metrics.rhai`.
    pub fn default_file() -> Option<PathBuf> {
        dirs::config_dir().map(|d| d.join("tally").join("metrics.rhai"))
    }

    /// The same metrics, for a report: what it defines stays its own.
    pub fn scratch(&self) -> Metrics {
        self.clone()
    }

    /// The metric called `name`, if there is one.
    pub fn get(&self, name: &str) -> Option<&Metric> {
        self.list.iter().find(|m| m.name == name)
    }

    /// Every metric, in the order they were defined.
    pub fn list(&self) -> &[Metric] {
        &self.list
    }

    /// The metrics' names, in the order they were defined.
    pub fn names(&self) -> Vec<String> {
        self.list.iter().map(|m| m.name.clone()).collect()
    }

    /// Whether every measure `name` reads, through the metrics it reads, exists on `source`:
    /// where it does not, a query naming it is refused.
    pub fn applies_to(&self, name: &str, source: crate::vocab::Source) -> bool {
        self.applies_within(name, source, self.list.len())
    }

    fn applies_within(&self, name: &str, source: crate::vocab::Source, depth: usize) -> bool {
        if let Some(word) = crate::vocab::measure(name) {
            return word.applies_to(source);
        }
        // Definitions never form a cycle; the depth only bounds a damaged list.
        match (self.get(name), depth.checked_sub(1)) {
            (Some(m), Some(depth)) => m
                .inputs
                .iter()
                .all(|input| self.applies_within(input, source, depth)),
            _ => false,
        }
    }

    /// Reads a file of definitions; a definition that fails is reported and the rest are kept.
    pub fn load(&mut self, path: &Path, origin: Origin) -> Vec<MetricError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && origin == Origin::Own => {
                return Vec::new();
            }
            Err(e) => {
                return vec![MetricError {
                    metric: String::new(),
                    file: Some(path.to_path_buf()),
                    place: None,
                    message: format!("cannot read the metrics file: {e}"),
                }];
            }
        };
        let mut errors = Vec::new();
        for def in parse_file(&text) {
            if let (Ok(d), Origin::Own) = (&def, &origin) {
                self.saved.push(d.clone());
            }
            let added = def.and_then(|d| self.add(&d.name, &d.text, origin.clone(), d.line));
            if let Err(mut e) = added {
                e.file = Some(path.to_path_buf());
                errors.push(e);
            }
        }
        errors
    }

    /// `metric NAME = TEXT`: checked, compiled, tried once, and kept for this run (an own
    /// metric of that name is replaced until the run ends; `save` keeps the new text).
    pub fn define(&mut self, name: &str, text: &str) -> Result<&Metric, MetricError> {
        if let Some(Origin::Shared(path)) = self.get(name).map(|m| &m.origin) {
            return Err(MetricError {
                metric: name.to_string(),
                file: None,
                place: None,
                message: format!(
                    "is defined in {}; change it there, or pick another name",
                    path.display()
                ),
            });
        }
        self.add(name, text, Origin::Session, 1)?;
        self.get(name).ok_or_else(|| MetricError {
            metric: name.to_string(),
            file: None,
            place: None,
            message: "was not kept".into(),
        })
    }

    /// `metric save NAME`: keeps a metric in the user's own metrics file, so every later run
    /// has it; returns the file.
    pub fn save_metric(&mut self, name: &str) -> Result<PathBuf, MetricError> {
        let err = |message: String| MetricError {
            metric: name.to_string(),
            file: None,
            place: None,
            message,
        };
        let Some(path) = self.own_file.clone() else {
            return Err(err(
                "cannot be saved: no config directory (set XDG_CONFIG_HOME or HOME)".into(),
            ));
        };
        let Some(i) = self.list.iter().position(|m| m.name == name) else {
            return Err(err("is not defined".into()));
        };
        if let Origin::Shared(file) = &self.list[i].origin {
            return Err(err(format!("is defined in {}", file.display())));
        }
        // A metric it reads that is only defined for this run is saved with it.
        let inputs = self.list[i].inputs.clone();
        for input in inputs {
            if self
                .get(&input)
                .is_some_and(|m| m.origin == Origin::Session)
            {
                self.save_metric(&input)?;
            }
        }
        let (before_list, before_saved) = (self.list.clone(), self.saved.clone());
        let definition = file::Definition {
            name: name.to_string(),
            text: self.list[i].text.clone(),
            line: 1,
        };
        match self.saved.iter().position(|d| d.name == name) {
            Some(at) => self.saved[at] = definition,
            None => self.saved.push(definition),
        }
        self.list[i].origin = Origin::Own;
        if let Err(e) = self.save() {
            (self.list, self.saved) = (before_list, before_saved);
            return Err(e);
        }
        Ok(path)
    }

    /// `.metric drop NAME`.
    pub fn drop(&mut self, name: &str) -> Result<(), MetricError> {
        let err = |message: String| MetricError {
            metric: name.to_string(),
            file: None,
            place: None,
            message,
        };
        let Some(i) = self.list.iter().position(|m| m.name == name) else {
            return Err(err("is not defined".into()));
        };
        if let Origin::Shared(path) = &self.list[i].origin {
            return Err(err(format!(
                "is defined in {}; remove it there",
                path.display()
            )));
        }
        if let Some(user) = self
            .list
            .iter()
            .find(|m| m.inputs.iter().any(|n| n == name))
        {
            return Err(err(format!(
                "is used by metric `{}`; drop that first",
                user.name
            )));
        }
        let (before_list, before_saved) = (self.list.clone(), self.saved.clone());
        self.list.remove(i);
        let in_file = self.saved.iter().any(|d| d.name == name);
        self.saved.retain(|d| d.name != name);
        if in_file && let Err(e) = self.save() {
            (self.list, self.saved) = (before_list, before_saved);
            return Err(e);
        }
        Ok(())
    }

    /// Writes the saved definitions to the user's own file.
    fn save(&self) -> Result<(), MetricError> {
        let Some(path) = &self.own_file else {
            return Ok(());
        };
        let failed = |e: std::io::Error| MetricError {
            metric: String::new(),
            file: Some(path.clone()),
            place: None,
            message: format!("cannot save the metrics: {e}"),
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(failed)?;
        }
        // Written beside and renamed, so a crash never leaves half a file.
        let temp = path.with_extension("rhai.tmp");
        std::fs::write(&temp, render_file(&self.saved)).map_err(failed)?;
        std::fs::rename(&temp, path).map_err(failed)
    }

    fn add(
        &mut self,
        name: &str,
        text: &str,
        origin: Origin,
        line: usize,
    ) -> Result<(), MetricError> {
        let err = |message: String, place: Option<Place>| MetricError {
            metric: name.to_string(),
            file: None,
            place: place.map(|p| Place {
                line: p.line + line - 1,
                column: p.column,
            }),
            message,
        };
        check_name(name).map_err(|m| err(m, None))?;
        let text = text.trim().trim_end_matches(';').trim_end().to_string();
        if text.is_empty() {
            return Err(err("has no expression after `=`".into(), None));
        }
        let others: Vec<String> = self
            .list
            .iter()
            .filter(|m| m.name != name)
            .map(|m| m.name.clone())
            .collect();
        let known: Vec<String> = crate::vocab::words::measures()
            .iter()
            .map(|s| s.to_string())
            .chain(others.iter().cloned())
            .collect();
        let ast = self
            .sandbox
            .compile(&text, &known)
            .map_err(|f| err(f.message, f.place))?;
        let inputs: Vec<String> = identifiers(&text)
            .into_iter()
            .filter(|w| known.contains(w))
            .collect();
        if let Some(cycle) = self.cycle(name, &inputs) {
            return Err(err(format!("would depend on itself: {cycle}"), None));
        }
        let pushdown = Arith::parse(&text);
        let metric = Metric {
            name: name.to_string(),
            text,
            origin,
            line,
            inputs,
            pushdown,
            ast: Arc::new(ast),
            sandbox: Arc::clone(&self.sandbox),
        };
        // One trial run with every input at 1 finds type errors and endless loops now.
        let trial: Vec<(String, f64)> = self.trial_values(&metric);
        metric.eval(&trial).map_err(|mut e| {
            // An own metric's runtime places count from its text; at loading, from the file.
            if let (Origin::Own | Origin::Session, Some(p)) = (&metric.origin, e.place.as_mut()) {
                p.line += line - 1;
            }
            e
        })?;
        match self.list.iter().position(|m| m.name == name) {
            Some(i) => self.list[i] = metric,
            None => self.list.push(metric),
        }
        Ok(())
    }

    /// The values a metric reads, every measure at 1 and every metric at its own trial value.
    fn trial_values(&self, metric: &Metric) -> Vec<(String, f64)> {
        metric
            .inputs
            .iter()
            .map(|name| {
                let value = match self.get(name) {
                    Some(m) => m.eval(&self.trial_values(m)).ok().flatten().unwrap_or(1.0),
                    None => 1.0,
                };
                (name.clone(), value)
            })
            .collect()
    }

    /// The metric's SQL form as of now: other metrics replaced by their current trees. None when
    /// one of them is not plain arithmetic, when the tree grows too big, or when SQL and Rhai
    /// could disagree (see `Arith::pushable`).
    pub fn pushdown(&self, metric: &Metric) -> Option<Arith> {
        let mut budget = MAX_PUSHED_NODES;
        let tree = self.inline(metric.pushdown.clone()?, &mut budget)?;
        tree.pushable().then_some(tree)
    }

    fn inline(&self, tree: Arith, budget: &mut usize) -> Option<Arith> {
        *budget = budget.checked_sub(1)?;
        Some(match tree {
            Arith::Var(v) => match self.get(&v) {
                Some(m) => self.inline(m.pushdown.clone()?, budget)?,
                None => Arith::Var(v),
            },
            Arith::Neg(a) => Arith::Neg(Box::new(self.inline(*a, budget)?)),
            Arith::Not(a) => Arith::Not(Box::new(self.inline(*a, budget)?)),
            Arith::Binary(op, a, b) => Arith::Binary(
                op,
                Box::new(self.inline(*a, budget)?),
                Box::new(self.inline(*b, budget)?),
            ),
            Arith::If(c, a, b) => Arith::If(
                Box::new(self.inline(*c, budget)?),
                Box::new(self.inline(*a, budget)?),
                Box::new(self.inline(*b, budget)?),
            ),
            n @ Arith::Number { .. } => n,
        })
    }

    /// `a → b → a` when `name` reading `inputs` would close a loop.
    fn cycle(&self, name: &str, inputs: &[String]) -> Option<String> {
        for input in inputs {
            if input == name {
                return Some(format!("{name} → {name}"));
            }
            if let Some(rest) = self.get(input).and_then(|m| self.cycle(name, &m.inputs)) {
                return Some(format!("{name} → {}", rest.replacen(name, input, 1)));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests;
