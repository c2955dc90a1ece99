//! Metric statements: `metric NAME = EXPRESSION` defines one for this run, `metric save NAME`
//! keeps it for later runs; `.metrics` lists them.

use super::{AppError, Session};
use crate::metric::{MetricError, Metrics, Origin, split_definition};

/// `metric NAME = EXPRESSION` or `metric save NAME`.
pub fn statement(session: &mut Session, text: &str) -> Result<(), AppError> {
    let mut words = text.split_whitespace().skip(1);
    if let (Some("save"), Some(name), None) = (words.next(), words.next(), words.next()) {
        return save(session, name);
    }
    if !session.params.is_empty() && text.contains('$') {
        return Err(MetricError {
            metric: String::new(),
            file: None,
            place: None,
            message: "a metric definition cannot use report parameters ($name): write the number, or pass the value to a query".into(),
        }
        .into());
    }
    let (name, expression) = split_definition(text).map_err(|message| MetricError {
        metric: String::new(),
        file: None,
        place: None,
        message,
    })?;
    session.metrics_mut().define(&name, &expression)?;
    let way = match session
        .metrics()
        .get(&name)
        .and_then(|m| session.metrics().pushdown(m))
    {
        Some(_) => "plain arithmetic: computed in SQL where it can be",
        None => "evaluated by Rhai after aggregation",
    };
    session.notice(&format!(
        "metric {name} defined for this session ({way}); `metric save {name}` keeps it"
    ));
    Ok(())
}

/// `metric save NAME`, `.metric save NAME`: kept in the user's metrics file.
pub fn save(session: &mut Session, name: &str) -> Result<(), AppError> {
    let path = session.metrics_mut().save_metric(name)?;
    session.notice(&format!("metric {name} saved in {}", path.display()));
    Ok(())
}

/// `.metrics`: each metric with its definition, where it comes from and how it runs.
pub fn list(metrics: &Metrics) -> String {
    let all = metrics.list();
    if all.is_empty() {
        return "no metrics yet; define one with: metric NAME = EXPRESSION\n".into();
    }
    let mut out = String::new();
    for m in all {
        let origin = match &m.origin {
            Origin::Session => "defined in this session, not saved".to_string(),
            Origin::Own => "saved".to_string(),
            Origin::Shared(path) => format!("from {}", path.display()),
        };
        let way = if metrics.pushdown(m).is_some() {
            "SQL"
        } else {
            "Rhai"
        };
        out.push_str(&format!("metric {} = {}\n", m.name, m.text));
        out.push_str(&format!("  -- {origin}; computed in {way}\n"));
    }
    out
}
