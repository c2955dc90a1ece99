//! The formats for programs: csv and json, with raw values and no decorations or title.

use serde_json::Value as Json;

use super::cells;
use crate::rows::{Column, Kind, ResultSet};
use crate::store::Value;

/// A header line, then one line per row; fields are quoted only where csv needs it.
pub fn csv(rs: &ResultSet) -> String {
    // Only I/O can fail, and writing to a Vec never does.
    write_csv(rs).unwrap_or_default()
}

fn write_csv(rs: &ResultSet) -> csv::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(data_columns(rs).map(|c| c.name.as_str()))?;
    for row in &rs.rows {
        let fields = cells(&rs.columns, row).filter(|(c, _)| is_data(c));
        w.write_record(fields.map(|(c, v)| money(c, v).unwrap_or_else(|| raw(v))))?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Money as the exact decimal it was rounded to, two places (`0.30`, never
/// `0.30000000000000004`); None for any other value.
fn money(column: &Column, value: &Value) -> Option<String> {
    match (column.kind, value) {
        (Kind::Money, Value::Float(x)) if x.is_finite() => Some(format!("{x:.2}")),
        (Kind::Money, Value::Int(i)) => Some(format!("{i}.00")),
        _ => None,
    }
}

/// A value as it is stored: integers as integers, floats in their shortest exact form.
fn raw(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Int(i) => i.to_string(),
        Value::Float(x) => x.to_string(),
        Value::Text(t) => t.clone(),
        Value::Bytes(_) => value.to_string(),
    }
}

/// An array with one object per row (and per line), keys in column order.
pub fn json(rs: &ResultSet) -> String {
    let keys: Vec<String> = data_columns(rs).map(|c| json_string(&c.name)).collect();
    let objects: Vec<String> = rs
        .rows
        .iter()
        .map(|row| {
            let values = cells(&rs.columns, row).filter(|(c, _)| is_data(c));
            let members = keys.iter().zip(values).map(|(k, (c, v))| {
                format!(
                    "{k}:{}",
                    money(c, v).unwrap_or_else(|| to_json(v).to_string())
                )
            });
            format!("  {{{}}}", members.collect::<Vec<_>>().join(","))
        })
        .collect();
    if objects.is_empty() {
        "[]\n".to_string()
    } else {
        format!("[\n{}\n]\n", objects.join(",\n"))
    }
}

fn to_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Int(i) => Json::from(*i),
        // NaN and infinities have no JSON form and become null.
        Value::Float(x) => Json::from(*x),
        Value::Text(t) => Json::from(t.as_str()),
        Value::Bytes(_) => Json::from(value.to_string()),
    }
}

fn json_string(text: &str) -> String {
    Json::from(text).to_string()
}

/// Decorations are drawn for people; programs get only the data.
fn is_data(column: &Column) -> bool {
    column.kind != Kind::Decoration
}

fn data_columns(rs: &ResultSet) -> impl Iterator<Item = &Column> {
    rs.columns.iter().filter(|c| is_data(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plans() -> ResultSet {
        ResultSet {
            vertical: false,
            title: Some("Plans".into()),
            columns: vec![
                Column::new("plan", Kind::Text),
                Column::new("calls", Kind::Count),
                Column::new("bar", Kind::Decoration),
                Column::new("data", Kind::Megabytes),
                Column::new("change", Kind::Change),
            ],
            rows: vec![
                vec![
                    "basic".into(),
                    Value::Int(1_234_567),
                    "███".into(),
                    Value::Float(340.0),
                    Value::Float(0.1),
                ],
                vec![
                    "say \"hi\", friends".into(),
                    Value::Int(-7),
                    "█".into(),
                    Value::Float(1.0 / 3.0),
                    Value::Null,
                ],
            ],
        }
    }

    #[test]
    fn csv_has_raw_values_and_no_decorations() {
        insta::assert_snapshot!(csv(&plans()), @r#"
        plan,calls,data,change
        basic,1234567,340,0.1
        "say ""hi"", friends",-7,0.3333333333333333,
        "#);
    }

    #[test]
    fn csv_quotes_line_breaks_and_reads_back() {
        let rs = ResultSet {
            vertical: false,
            title: None,
            columns: vec![Column::new("a,b", Kind::Text)],
            rows: vec![vec!["x\ny".into()], vec![Value::Null]],
        };
        let out = csv(&rs);
        assert_eq!(out, "\"a,b\"\n\"x\ny\"\n\"\"\n");
        let mut reader = csv::Reader::from_reader(out.as_bytes());
        let fields: Vec<String> = reader
            .records()
            .filter_map(Result::ok)
            .map(|r| r[0].to_string())
            .collect();
        assert_eq!(fields, ["x\ny", ""]);
    }

    #[test]
    fn json_is_an_array_of_ordered_objects() {
        insta::assert_snapshot!(json(&plans()), @r#"
        [
          {"plan":"basic","calls":1234567,"data":340.0,"change":0.1},
          {"plan":"say \"hi\", friends","calls":-7,"data":0.3333333333333333,"change":null}
        ]
        "#);
    }

    #[test]
    fn json_parses_back_to_the_same_values() {
        let parsed: Json = serde_json::from_str(&json(&plans())).unwrap_or_default();
        assert_eq!(
            parsed,
            serde_json::json!([
                {"plan": "basic", "calls": 1234567, "data": 340.0, "change": 0.1},
                {"plan": "say \"hi\", friends", "calls": -7, "data": 1.0 / 3.0, "change": null},
            ])
        );
    }

    #[test]
    fn json_escapes_keys_and_has_no_form_for_nan() {
        let rs = ResultSet {
            vertical: false,
            title: None,
            columns: vec![Column::new("a\"b\\c\n", Kind::Number)],
            rows: vec![
                vec![Value::Float(f64::NAN)],
                vec![Value::Text("\u{1}".into())],
            ],
        };
        let out = json(&rs);
        assert_eq!(
            out,
            "[\n  {\"a\\\"b\\\\c\\n\":null},\n  {\"a\\\"b\\\\c\\n\":\"\\u0001\"}\n]\n"
        );
        assert!(serde_json::from_str::<Json>(&out).is_ok());
    }

    #[test]
    fn empty_results_are_still_valid() {
        let rs = ResultSet {
            vertical: false,
            title: None,
            columns: vec![Column::new("n", Kind::Count)],
            rows: vec![],
        };
        assert_eq!(json(&rs), "[]\n");
        assert_eq!(csv(&rs), "n\n");
    }
}
