//! Metrics, reports and the menu at the shell: `metric NAME = EXPRESSION`, `.metrics`,
//! `.metric drop NAME`, `.run FILE` and `.menu`.

use super::Shell;
use crate::metric::Origin;
use std::sync::Arc;

impl Shell {
    /// `metric NAME = EXPRESSION`: defined, saved in the user's metrics file, confirmed.
    pub(super) fn define_metric(&mut self, text: &str) {
        match crate::cli::define_metric(&mut self.metrics, text) {
            Ok(message) => {
                eprintln!("{message}");
                self.refresh_metric_names();
            }
            Err(e) => eprintln!("{e}"),
        }
    }

    /// `.metrics`: each metric with its definition, where it comes from and how it runs.
    pub(super) fn list_metrics(&self) -> String {
        let list = self.metrics.list();
        if list.is_empty() {
            return "no metrics yet; define one with: metric NAME = EXPRESSION\n".into();
        }
        let mut out = String::new();
        for m in list {
            let origin = match &m.origin {
                Origin::Own => "defined here".to_string(),
                Origin::Shared(path) => format!("from {}", path.display()),
            };
            let way = if self.metrics.pushdown(m).is_some() {
                "SQL"
            } else {
                "Rhai"
            };
            out.push_str(&format!("metric {} = {}\n", m.name, m.text));
            out.push_str(&format!("  -- {origin}; computed in {way}\n"));
        }
        out
    }

    /// `.metric drop NAME`.
    pub(super) fn metric_command(&mut self, args: &[&str]) -> Result<(), String> {
        match args {
            ["drop", name] => {
                Arc::make_mut(&mut self.metrics)
                    .drop(name)
                    .map_err(|e| e.to_string())?;
                eprintln!("metric {name} dropped");
                self.refresh_metric_names();
                Ok(())
            }
            _ => Err("usage: .metric drop NAME (.metrics lists them)".into()),
        }
    }

    /// Completion offers the metrics wherever a measure goes.
    pub(super) fn refresh_metric_names(&self) {
        if let Ok(mut names) = self.names.write() {
            names.metrics = self.metrics.names();
        }
    }
}

impl Shell {
    /// `.run FILE [NAME=VALUE ...]`: a report with this shell's database, zone, metrics and format.
    pub(super) fn run_report(&mut self, text: &str) -> Result<(), String> {
        let words = shell_words::split(text).map_err(|e| format!(".run: {e}"))?;
        let Some(file) = words.get(1) else {
            return Err("usage: .run FILE [NAME=VALUE ...]".into());
        };
        let params = words[2..]
            .iter()
            .map(|w| crate::report::parse_param(w))
            .collect::<Result<Vec<_>, _>>()?;
        let reporter = crate::report::Reporter {
            store: self.store.clone(),
            zone: self.zone.clone(),
            metrics: self.metrics.clone(),
            format: self.format,
            now: chrono::Utc::now(),
            may_log: true,
        };
        crate::report::run(&reporter, std::path::Path::new(file), &params)
            .map_err(|e| e.to_string())
    }

    /// `.menu`: the numbered menu on this database; the shell resumes when it closes.
    pub(super) fn menu(&mut self) {
        let stdin = std::io::stdin();
        let mut menu = crate::menu::Menu::new(
            self.store.clone(),
            self.zone.clone(),
            self.metrics.clone(),
            Box::new(stdin.lock()),
            Box::new(std::io::stdout()),
        );
        menu.main_loop();
    }
}
