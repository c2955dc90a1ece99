//! Asking for fields one at a time: an example and a default for each, a bad answer asked again
//! with its reason, `b` for the previous field, `q` back to the menu, and a confirmation.

use super::{Eof, Menu};

/// Checks an answer: the value to keep, or why it is refused.
type Check<'a> = Box<dyn Fn(&str) -> Result<String, String> + 'a>;

/// One question of a form.
pub struct Field<'a> {
    pub label: String,
    /// What a good answer looks like: `e.g. 447700900123`.
    pub example: String,
    /// Taken for an empty answer.
    pub default: Option<String>,
    /// The answer checked and normalised, or why it is refused.
    pub check: Check<'a>,
}

impl<'a> Field<'a> {
    pub fn new(
        label: impl Into<String>,
        example: impl Into<String>,
        check: impl Fn(&str) -> Result<String, String> + 'a,
    ) -> Field<'a> {
        Field {
            label: label.into(),
            example: example.into(),
            default: None,
            check: Box::new(check),
        }
    }

    pub fn default(mut self, value: impl Into<String>) -> Field<'a> {
        self.default = Some(value.into());
        self
    }
}

/// A numbered choice: the answer is the chosen item's value.
pub fn choice<'a>(
    label: &'static str,
    items: &'a [(&'static str, &'static str)],
    default: usize,
) -> Field<'a> {
    let example = items
        .iter()
        .enumerate()
        .map(|(i, (name, _))| format!("{} {name}", i + 1))
        .collect::<Vec<_>>()
        .join(", ");
    Field::new(label, example, move |answer| {
        let picked = answer
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| items.get(i))
            .or_else(|| {
                items
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(answer))
            });
        picked
            .map(|(_, value)| value.to_string())
            .ok_or_else(|| format!("pick a number from 1 to {}", items.len()))
    })
    .default((default + 1).to_string())
}

/// A choice from names known at run time (plans, regions): a number from the list, or a
/// name typed in full (any case). `other` lets a name not on the list through (a new region);
/// `-` means none.
pub fn listed<'a>(label: &'static str, items: Vec<String>, other: bool) -> Field<'a> {
    let example = if items.is_empty() {
        "none yet; - for none".to_string()
    } else {
        let numbered: Vec<String> = items
            .iter()
            .enumerate()
            .map(|(i, name)| format!("{} {name}", i + 1))
            .collect();
        format!("{}; - for none", numbered.join(", "))
    };
    let count = items.len();
    Field::new(label, example, move |answer| {
        if answer == "-" {
            return Ok(answer.to_string());
        }
        let by_number = answer
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| items.get(i));
        let by_name = items.iter().find(|name| name.eq_ignore_ascii_case(answer));
        match by_number.or(by_name) {
            Some(name) => Ok(name.clone()),
            None if other && answer.parse::<usize>().is_err() => Ok(answer.to_string()),
            None if count == 0 => Err("there is nothing to choose yet: answer -".into()),
            None => Err(format!("pick a number from 1 to {count}, or -")),
        }
    })
    .default("-")
}

impl Menu<'_> {
    /// Asks every field, then (when `confirm` names what is saved) shows the answers and asks
    /// to save. The answers, or None when the user went back to the menu.
    pub fn form(
        &mut self,
        fields: &[Field],
        confirm: Option<&str>,
    ) -> Result<Option<Vec<String>>, Eof> {
        let mut answers: Vec<String> = vec![String::new(); fields.len()];
        let mut i = 0;
        loop {
            if i == fields.len() {
                let Some(what) = confirm else {
                    return Ok(Some(answers));
                };
                self.say(&format!("\n{what}:"));
                for (f, a) in fields.iter().zip(&answers) {
                    self.say(&format!("  {:<18} {a}", f.label));
                }
                match self.ask("Save it? (y)es, (n)o, (b)ack")? {
                    a if a.eq_ignore_ascii_case("y") || a.eq_ignore_ascii_case("yes") => {
                        return Ok(Some(answers));
                    }
                    a if a.eq_ignore_ascii_case("n") || a.eq_ignore_ascii_case("no") => {
                        self.say("Not saved.");
                        return Ok(None);
                    }
                    a if a.eq_ignore_ascii_case("b") => i -= 1,
                    a if a.eq_ignore_ascii_case("q") => return Ok(None),
                    _ => self.say("  answer y to save, n to drop it, b to change the last answer"),
                }
                continue;
            }
            let f = &fields[i];
            let prompt = match &f.default {
                Some(d) => format!("{} ({}) [{d}]", f.label, f.example),
                None => format!("{} ({})", f.label, f.example),
            };
            let answer = self.ask(&prompt)?;
            match answer.as_str() {
                "b" | "B" if i == 0 => return Ok(None),
                "b" | "B" => i -= 1,
                "q" | "Q" => return Ok(None),
                _ => {
                    let given = match (answer.is_empty(), &f.default) {
                        (true, Some(d)) => d.clone(),
                        (true, None) => {
                            self.say("  an answer is needed here (b: back, q: menu)");
                            continue;
                        }
                        (false, _) => answer,
                    };
                    match (f.check)(&given) {
                        Ok(value) => {
                            answers[i] = value;
                            i += 1;
                        }
                        Err(reason) => self.say(&format!("  not valid: {reason}; try again")),
                    }
                }
            }
        }
    }
}
