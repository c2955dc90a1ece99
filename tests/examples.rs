//! The library example runs on both backends (cargo test builds it beside the binary).

mod common;

use common::{BACKENDS, TestDb};

#[test]
fn the_embedding_example_runs_on_both_backends() {
    let tally = std::path::Path::new(env!("CARGO_BIN_EXE_tally"));
    let example = tally
        .parent()
        .expect("target dir")
        .join("examples")
        .join("embed");
    assert!(
        example.exists(),
        "{} is built by cargo test",
        example.display()
    );
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let out = std::process::Command::new(&example)
            .arg(&db.url)
            .output()
            .unwrap();
        let shown = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{backend:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(shown.contains("  revenue   3.72"), "{backend:?}: {shown}");
        assert!(
            shown.contains("  rev_est   3.70666"),
            "{backend:?}: {shown}"
        );
    }
}
