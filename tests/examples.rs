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
        // What examples/embed.rs logs: a 3m20s outgoing call, one outgoing SMS and a session of
        // 12 MB up and 340 MB down, for a customer on its Standard plan (0.05 a minute, 0.03 an
        // SMS, 0.01 a MB). Revenue is shown to the cent; its metric rev_est prices minutes at
        // 0.05, SMS at 0.02 and MB at 0.01, shown unrounded (compared to five decimals here).
        let (minutes, sms, mb): (f64, f64, f64) = (200.0 / 60.0, 1.0, 12.0 + 340.0);
        let revenue = minutes * 0.05 + sms * 0.03 + mb * 0.01;
        let rev_est = minutes * 0.05 + sms * 0.02 + mb * 0.01;
        let revenue = format!("  revenue   {revenue:.2}");
        let rev_est = format!("  rev_est   {:.5}", (rev_est * 1e5).floor() / 1e5);
        assert!(
            shown.contains(&revenue),
            "{backend:?}: {revenue:?} in {shown}"
        );
        assert!(
            shown.contains(&rev_est),
            "{backend:?}: {rev_est:?} in {shown}"
        );
    }
}
