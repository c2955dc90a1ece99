//! The layers of ARCHITECTURE.md, checked on the source: a module names only modules of lower
//! layers (`crate::x` paths, grouped imports included), so dependencies run one way and no
//! cycle can come back unnoticed. Test code inside a module is left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module and its layer, bottom first, as ARCHITECTURE.md draws them.
const LAYERS: &[(&str, u32)] = &[
    ("model", 0),
    ("diag", 0),
    ("vocab", 0),
    ("out", 0),
    ("interrupt", 0),
    ("config", 1),
    ("lex", 1),
    ("metric", 1),
    ("native", 1),
    ("store", 2),
    ("parse", 2),
    ("plan", 3),
    ("import", 3),
    ("demo", 3),
    ("sql", 4),
    ("rows", 5),
    ("table", 6),
    ("query", 6),
    ("app", 7),
    ("report", 8),
    ("shell", 9),
    ("menu", 9),
    ("cli", 10),
];

fn layer(module: &str) -> Option<u32> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

/// The files of the module whose file or folder is `path`.
fn files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    let mut out = Vec::new();
    for entry in std::fs::read_dir(path).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
    out
}

/// The source without its test code: a file named `tests.rs`, and everything from a
/// `#[cfg(test)]` line on (tests sit at the end of a file, as the style asks).
fn production_code(path: &Path) -> String {
    if path.file_name().is_some_and(|n| n == "tests.rs") {
        return String::new();
    }
    let text = std::fs::read_to_string(path).unwrap();
    match text.find("#[cfg(test)]") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// The top-level modules `text` names through `crate::`: `crate::store::X`, and each name of
/// a group `crate::{model::Zone, store}`.
fn named_modules(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if c.is_whitespace() => {}
                    _ if start && depth == 0 => {
                        found.insert(ident(&group[i..]));
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            found.insert(ident(rest));
        }
    }
    found.retain(|m| !m.is_empty());
    found
}

#[test]
fn the_group_reader_sees_every_name() {
    let text = "use crate::{model::{Zone, Key}, store};\nlet x = crate::plan::plan(q);";
    let found: Vec<String> = named_modules(text).into_iter().collect();
    assert_eq!(found, ["model", "plan", "store"]);
}

#[test]
fn every_module_names_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if matches!(name, "lib" | "main") {
            continue;
        }
        assert!(
            layer(name).is_some(),
            "src/{name} is not in ARCHITECTURE.md's layers: place it there and in LAYERS"
        );
        let named = uses.entry(name.to_string()).or_default();
        for file in files(&path) {
            named.extend(named_modules(&production_code(&file)));
        }
        named.remove(name);
    }
    let mut wrong = Vec::new();
    for (module, named) in &uses {
        let own = layer(module).unwrap_or(0);
        for other in named {
            match layer(other) {
                Some(l) if l < own => {}
                Some(l) => wrong.push(format!("{module} (layer {own}) uses {other} (layer {l})")),
                None => wrong.push(format!("{module} uses crate::{other}, which is no module")),
            }
        }
    }
    assert!(uses.len() >= 20, "{uses:?}");
    assert!(
        wrong.is_empty(),
        "dependencies against the layers:\n{}",
        wrong.join("\n")
    );
}
