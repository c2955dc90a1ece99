//! Every public dataset in ../shared/datasets imports with its mapping from examples/mappings/,
//! and per-customer counts and seconds (or bytes) equal a count computed here, independently,
//! from the file itself; the same on MariaDB and SQLite.

mod common;

use common::{BACKENDS, TestDb, stderr, stdout, tally};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// ../shared/datasets beside the project, or `TALLY_DATASETS`.
fn datasets() -> PathBuf {
    let candidates = [
        std::env::var("TALLY_DATASETS").ok().map(PathBuf::from),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets")),
        Some(PathBuf::from("/work/shared/datasets")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|p| p.join("README.md").exists())
        .expect(
            "the public datasets are not found: set TALLY_DATASETS to the shared/datasets folder",
        )
}

/// subscriber key → (records, seconds or bytes)
type Totals = BTreeMap<String, (i64, i64)>;

fn csv_rows(path: &PathBuf, header: bool, delimiter: u8, trim: bool) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(header)
        .flexible(true)
        .delimiter(delimiter)
        .trim(if trim {
            csv::Trim::All
        } else {
            csv::Trim::None
        })
        .from_path(path)
        .unwrap();
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// Sums (1, amount) per key over the rows `keep` accepts.
fn totals(
    rows: &[Vec<String>],
    key: usize,
    amount: impl Fn(&[String]) -> i64,
    keep: impl Fn(&[String]) -> bool,
) -> Totals {
    let mut t = Totals::new();
    for row in rows.iter().filter(|r| keep(r)) {
        let e = t.entry(row[key].clone()).or_default();
        e.0 += 1;
        e.1 += amount(row);
    }
    t
}

fn num(text: &str) -> f64 {
    text.trim().parse().unwrap()
}

struct Case {
    kind: &'static str,
    files: &'static [&'static str],
    mapping: &'static str,
    expected: Box<dyn Fn(&PathBuf) -> Totals>,
    rejected: u64,
}

fn cases() -> Vec<Case> {
    let secs = |col: usize| move |r: &[String]| num(&r[col]).round() as i64;
    vec![
        Case {
            kind: "calls",
            files: &["flowkit/calls_20160101.csv", "flowkit/calls_20160102.csv"],
            mapping: "flowkit-calls",
            expected: Box::new(move |d| {
                let mut rows = csv_rows(&d.join("flowkit/calls_20160101.csv"), true, b',', false);
                rows.extend(csv_rows(
                    &d.join("flowkit/calls_20160102.csv"),
                    true,
                    b',',
                    false,
                ));
                totals(&rows, 3, secs(6), |_| true)
            }),
            rejected: 0,
        },
        Case {
            kind: "sms",
            files: &["flowkit/sms_20160101.csv", "flowkit/sms_20160102.csv"],
            mapping: "flowkit-sms",
            expected: Box::new(|d| {
                let mut rows = csv_rows(&d.join("flowkit/sms_20160101.csv"), true, b',', false);
                rows.extend(csv_rows(
                    &d.join("flowkit/sms_20160102.csv"),
                    true,
                    b',',
                    false,
                ));
                totals(&rows, 3, |_| 0, |_| true)
            }),
            rejected: 0,
        },
        Case {
            kind: "data",
            files: &["flowkit/mds_20160101.csv", "flowkit/mds_20160102.csv"],
            mapping: "flowkit-mds",
            expected: Box::new(|d| {
                let mut rows = csv_rows(&d.join("flowkit/mds_20160101.csv"), true, b',', true);
                rows.extend(csv_rows(
                    &d.join("flowkit/mds_20160102.csv"),
                    true,
                    b',',
                    true,
                ));
                // Upload and download in KB, as the mapping says, to bytes.
                totals(
                    &rows,
                    1,
                    |r| (num(&r[7]) * 1000.0).round() as i64 + (num(&r[8]) * 1000.0).round() as i64,
                    |_| true,
                )
            }),
            rejected: 0,
        },
        Case {
            // test_data/calls.csv repeats 49 rows of calls_.csv: imported second, it adds nothing.
            kind: "calls",
            files: &["cellyzer/calls_.csv", "cellyzer/test_data/calls.csv"],
            mapping: "cellyzer-calls",
            expected: Box::new(move |d| {
                totals(
                    &csv_rows(&d.join("cellyzer/calls_.csv"), true, b',', false),
                    0,
                    secs(3),
                    |_| true,
                )
            }),
            rejected: 0,
        },
        Case {
            kind: "sms",
            files: &["cellyzer/test_data/messages.csv"],
            mapping: "cellyzer-messages",
            expected: Box::new(|d| {
                totals(
                    &csv_rows(
                        &d.join("cellyzer/test_data/messages.csv"),
                        true,
                        b',',
                        false,
                    ),
                    0,
                    |_| 0,
                    |_| true,
                )
            }),
            rejected: 0,
        },
        Case {
            kind: "calls",
            files: &["vast2008-cdr/cdr.csv"],
            mapping: "vast2008-cdr",
            expected: Box::new(move |d| {
                totals(
                    &csv_rows(&d.join("vast2008-cdr/cdr.csv"), true, b',', false),
                    0,
                    secs(3),
                    |r| num(&r[3]) >= 0.0,
                )
            }),
            rejected: 4,
        },
        Case {
            kind: "calls",
            files: &["cdr-stats/CDRImport-2015-10-26.csv"],
            mapping: "cdr-stats-cdrimport",
            expected: Box::new(move |d| {
                totals(
                    &csv_rows(
                        &d.join("cdr-stats/CDRImport-2015-10-26.csv"),
                        true,
                        b',',
                        false,
                    ),
                    3,
                    secs(11),
                    |_| true,
                )
            }),
            rejected: 0,
        },
        Case {
            kind: "calls",
            files: &["cdr-stats/import_cdr_100.txt"],
            mapping: "cdr-stats-import-cdr-100",
            // billsec = duration - rand(1..10) went negative once: that row is rejected.
            expected: Box::new(move |d| {
                totals(
                    &csv_rows(&d.join("cdr-stats/import_cdr_100.txt"), false, b',', true),
                    0,
                    secs(4),
                    |r| num(&r[4]) >= 0.0,
                )
            }),
            rejected: 1,
        },
        Case {
            kind: "calls",
            files: &["cdr-stats/import_cdr.txt"],
            mapping: "cdr-stats-import-cdr",
            expected: Box::new(move |d| {
                totals(
                    &csv_rows(&d.join("cdr-stats/import_cdr.txt"), false, b',', true),
                    0,
                    secs(4),
                    |_| true,
                )
            }),
            rejected: 0,
        },
        Case {
            kind: "calls",
            files: &["cdr-stats/import_voipcall_report.txt"],
            mapping: "cdr-stats-voipcall-report",
            // The last row has no date.
            expected: Box::new(move |d| {
                totals(
                    &csv_rows(
                        &d.join("cdr-stats/import_voipcall_report.txt"),
                        false,
                        b',',
                        false,
                    ),
                    1,
                    secs(3),
                    |r| r.len() == 7,
                )
            }),
            rejected: 1,
        },
        Case {
            kind: "calls",
            files: &["asterisk-master-csv/Master.csv"],
            mapping: "asterisk-master-csv",
            expected: Box::new(move |d| {
                totals(
                    &csv_rows(
                        &d.join("asterisk-master-csv/Master.csv"),
                        false,
                        b',',
                        false,
                    ),
                    1,
                    secs(12),
                    |_| true,
                )
            }),
            rejected: 0,
        },
    ]
}

/// subscriber key → (records, seconds or bytes) for one record kind, from the raw tables.
fn stored(db: &TestDb, kind: &str) -> Totals {
    let (table, amount) = match kind {
        "calls" => ("calls", "SUM(r.duration_s)"),
        "sms" => ("sms", "0"),
        _ => ("data_sessions", "SUM(r.bytes_up + r.bytes_down)"),
    };
    let sql = format!(
        "SELECT c.subscriber_key, COUNT(*), {amount} FROM {table} r JOIN customers c ON c.id = r.customer_id GROUP BY c.subscriber_key"
    );
    let rows = db.open().read(|c| Ok(c.query(&sql, &[])?)).unwrap();
    rows.rows
        .iter()
        .map(|r| {
            (
                r[0].to_string(),
                (r[1].as_i64().unwrap(), r[2].as_i64().unwrap_or(0)),
            )
        })
        .collect()
}

#[test]
fn every_public_dataset_imports_with_exact_totals() {
    let dir = datasets();
    let mappings = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/mappings");
    for backend in BACKENDS {
        for case in cases() {
            let db = TestDb::new(backend);
            let rejects_dir = tempfile::tempdir().unwrap();
            let mut rejected = 0;
            for (n, file) in case.files.iter().enumerate() {
                let map = mappings.join(format!("{}.toml", case.mapping));
                let rejects = rejects_dir.path().join(format!("rejects-{n}.csv"));
                let path = dir.join(file);
                let args = [
                    "--db",
                    &db.url,
                    "import",
                    case.kind,
                    path.to_str().unwrap(),
                    "--map",
                    map.to_str().unwrap(),
                    "--create-customers",
                    "--rejects",
                    rejects.to_str().unwrap(),
                ];
                let out = tally(&args);
                assert!(
                    out.status.success(),
                    "{file} on {backend:?}: {}",
                    stderr(&out)
                );
                let summary = stdout(&out);
                let [read, inserted, duplicates, rejected_here] = common::import_counts(&summary);
                assert_eq!(read, inserted + duplicates + rejected_here, "{summary}");
                rejected += rejected_here;
                if rejected_here > 0 {
                    let lines = std::fs::read_to_string(&rejects).unwrap();
                    assert!(lines.starts_with("file,line,reason,record\n"), "{lines}");
                }
            }
            assert_eq!(rejected, case.rejected, "{} on {backend:?}", case.mapping);
            assert_eq!(
                stored(&db, case.kind),
                (case.expected)(&dir),
                "{} on {backend:?}",
                case.mapping
            );
            common::raw::assert_rollups_exact(&db.open());
        }
    }
}

#[test]
fn reimporting_a_dataset_changes_no_count() {
    let dir = datasets();
    let map =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/mappings/flowkit-calls.toml");
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let file = dir.join("flowkit/calls_20160101.csv");
        let args = [
            "--db",
            db.url.as_str(),
            "import",
            "calls",
            file.to_str().unwrap(),
            "--map",
            map.to_str().unwrap(),
            "--create-customers",
        ];
        assert!(tally(&args).status.success());
        let before = stored(&db, "calls");
        let again = stdout(&tally(&args));
        assert!(
            again.contains("inserted 0 + duplicates 1252 + rejected 0"),
            "{again}"
        );
        assert_eq!(stored(&db, "calls"), before);
    }
}
