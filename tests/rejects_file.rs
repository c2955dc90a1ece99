//! The rejects file as a hostile tester uses it: pointed at the input, at the database, at
//! `/dev/null`, at a file of an earlier run, into a missing folder, shared by several inputs.
//! Nothing stored or on disk may be lost, and every rejected row must be in the file.

mod common;

use common::{BACKENDS, Backend, TestDb, import_counts, stderr, stdout, tally};
use std::path::{Path, PathBuf};

const HEADER: &str =
    "source_key,subscriber_key,direction,other_party,start_time,duration_s,status,cell_id\n";

/// A calls file with `good` valid rows and `bad` rows whose direction is wrong.
fn calls_file(dir: &Path, name: &str, good: u32, bad: u32) -> PathBuf {
    let mut text = HEADER.to_string();
    for i in 0..good {
        text.push_str(&format!(
            "{name}-{i},447700900001,out,447700900002,2026-11-20T10:{:02}:00Z,{i},answered,\n",
            i % 60
        ));
    }
    for i in 0..bad {
        text.push_str(&format!(
            "{name}-bad-{i},447700900001,sideways,447700900002,2026-11-20T11:00:00Z,5,answered,\n"
        ));
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn import(db: &TestDb, args: &[&str]) -> std::process::Output {
    let mut full = vec![
        "--db",
        db.url.as_str(),
        "import",
        "calls",
        "--create-customers",
    ];
    full.extend_from_slice(args);
    tally(&full)
}

fn stored_calls(db: &TestDb) -> i64 {
    db.open()
        .read(|c| Ok(c.query("SELECT COUNT(*) FROM calls", &[])?))
        .unwrap()
        .scalar()
        .and_then(|v| v.as_i64())
        .unwrap()
}

fn data_rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["file", "line", "reason", "record"]
    );
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn the_rejects_file_is_never_an_input() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let dir = tempfile::tempdir().unwrap();
        let input = calls_file(dir.path(), "calls.csv", 3, 2);
        let before = std::fs::read(&input).unwrap();
        let same = input.to_str().unwrap();
        let other_spelling = dir.path().join(".").join("calls.csv");
        for rejects in [same, other_spelling.to_str().unwrap()] {
            for extra in [&[][..], &["--force"], &["--append"]] {
                let mut args = vec![same, "--rejects", rejects];
                args.extend_from_slice(extra);
                let out = import(&db, &args);
                assert_eq!(out.status.code(), Some(2), "{backend:?} {args:?}");
                assert!(
                    stderr(&out).contains("is the input file"),
                    "{}",
                    stderr(&out)
                );
                assert_eq!(
                    std::fs::read(&input).unwrap(),
                    before,
                    "the input is intact"
                );
            }
        }
        assert_eq!(
            stored_calls(&db),
            0,
            "nothing is stored when the run is refused"
        );
    }
}

#[test]
fn the_rejects_file_is_never_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("tally.db");
    let url = format!("sqlite:{}", db_path.display());
    let input = calls_file(dir.path(), "calls.csv", 4, 1);
    let first = tally(&[
        "--db",
        &url,
        "import",
        "calls",
        input.to_str().unwrap(),
        "--create-customers",
    ]);
    assert!(first.status.success(), "{}", stderr(&first));
    std::fs::remove_file(dir.path().join("calls.csv.rejects.csv")).unwrap();
    for target in ["tally.db", "tally.db-wal"] {
        let rejects = dir.path().join(target);
        let out = tally(&[
            "--db",
            &url,
            "import",
            "calls",
            input.to_str().unwrap(),
            "--rejects",
            rejects.to_str().unwrap(),
            "--force",
        ]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("is the database"), "{}", stderr(&out));
    }
    let summary = tally(&["--db", &url, "-e", "calls show count", "--format", "csv"]);
    assert_eq!(stdout(&summary), "count\n4\n", "{}", stderr(&summary));
}

#[test]
fn dev_null_takes_rejects_and_stays() {
    let db = TestDb::new(Backend::Sqlite);
    let dir = tempfile::tempdir().unwrap();
    let input = calls_file(dir.path(), "calls.csv", 2, 3);
    let out = import(&db, &[input.to_str().unwrap(), "--rejects", "/dev/null"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // [read, inserted, duplicates, rejected]: calls_file's 2 good and 3 bad rows.
    assert_eq!(import_counts(&stdout(&out)), [5, 2, 0, 3]);
    let meta = std::fs::metadata("/dev/null").unwrap();
    assert!(!meta.is_file(), "/dev/null is still the device");
}

#[test]
fn one_rejects_file_holds_every_rejected_row_of_every_file() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let dir = tempfile::tempdir().unwrap();
        let files: Vec<PathBuf> = (0..3)
            .map(|i| calls_file(dir.path(), &format!("part{i}.csv"), 5, 6 + i))
            .collect();
        let rejects = dir.path().join("all-rejects.csv");
        let mut args: Vec<&str> = files.iter().map(|f| f.to_str().unwrap()).collect();
        args.extend(["--rejects", rejects.to_str().unwrap()]);
        let out = import(&db, &args);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        let summaries: Vec<&str> = text.lines().collect();
        assert_eq!(summaries.len(), 3);
        let said: u64 = summaries.iter().map(|s| import_counts(s)[3]).sum();
        let rows = data_rows(&rejects);
        assert_eq!(said, 6 + 7 + 8);
        assert_eq!(rows.len() as u64, said, "every rejected row is in the file");
        for (i, file) in files.iter().enumerate() {
            let of_file = rows
                .iter()
                .filter(|r| r[0] == file.to_str().unwrap())
                .count();
            assert_eq!(of_file, 6 + i, "{backend:?} {}", file.display());
            assert!(
                summaries[i].contains(&rejects.display().to_string()),
                "{}",
                summaries[i]
            );
        }
        assert_eq!(stored_calls(&db), 15);
    }
}

#[test]
fn a_rejects_file_of_an_earlier_run_is_refused_unless_forced_or_appended() {
    let db = TestDb::new(Backend::Sqlite);
    let dir = tempfile::tempdir().unwrap();
    let input = calls_file(dir.path(), "calls.csv", 2, 2);
    let default = dir.path().join("calls.csv.rejects.csv");
    let first = import(&db, &[input.to_str().unwrap()]);
    assert!(first.status.success(), "{}", stderr(&first));
    let kept = std::fs::read_to_string(&default).unwrap();
    assert_eq!(data_rows(&default).len(), 2);

    let again = import(&db, &[input.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    assert_eq!(
        std::fs::read_to_string(&default).unwrap(),
        kept,
        "untouched"
    );

    let appended = import(&db, &[input.to_str().unwrap(), "--append"]);
    assert!(appended.status.success(), "{}", stderr(&appended));
    assert_eq!(data_rows(&default).len(), 4);

    let forced = import(&db, &[input.to_str().unwrap(), "--force"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert_eq!(data_rows(&default).len(), 2);
    // [read, inserted, duplicates, rejected]: the same 2 good and 2 bad rows a fourth time; the
    // good ones were stored by the first run.
    assert_eq!(import_counts(&stdout(&forced)), [4, 0, 2, 2]);
}

#[test]
fn a_run_without_rejects_leaves_no_file_and_a_header_only_file_is_reused() {
    let db = TestDb::new(Backend::Sqlite);
    let dir = tempfile::tempdir().unwrap();
    let input = calls_file(dir.path(), "calls.csv", 3, 0);
    let default = dir.path().join("calls.csv.rejects.csv");
    std::fs::write(&default, "file,line,reason,record\n").unwrap();
    let out = import(&db, &[input.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !stdout(&out).contains("rejected rows are in"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_rejects_file_in_a_missing_folder_is_named_in_the_error() {
    let db = TestDb::new(Backend::Sqlite);
    let dir = tempfile::tempdir().unwrap();
    let input = calls_file(dir.path(), "calls.csv", 3, 1);
    let out = import(
        &db,
        &[
            input.to_str().unwrap(),
            "--rejects",
            "/nonexistent/dir/r.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let message = stderr(&out);
    assert!(message.contains("/nonexistent/dir/r.csv"), "{message}");
    assert!(
        !message.contains("calls.csv:"),
        "the input is not blamed: {message}"
    );
    assert_eq!(stored_calls(&db), 0, "checked before anything is stored");
}

#[test]
fn a_database_reached_through_a_link_keeps_its_journals_safe() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.db");
    let link = dir.path().join("link.db");
    let first = tally(&["--db", &format!("sqlite:{}", real.display()), "migrate"]);
    assert!(first.status.success(), "{}", stderr(&first));
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let input = calls_file(dir.path(), "calls.csv", 3, 2);
    for target in ["real.db-wal", "real.db-shm", "real.db"] {
        let out = tally(&[
            "--db",
            &format!("sqlite:{}", link.display()),
            "import",
            "calls",
            input.to_str().unwrap(),
            "--create-customers",
            "--rejects",
            dir.path().join(target).to_str().unwrap(),
            "--force",
        ]);
        assert_eq!(out.status.code(), Some(2), "{target}: {}", stderr(&out));
        assert!(stderr(&out).contains("is the database"), "{}", stderr(&out));
    }
    let check = tally(&["--db", &format!("sqlite:{}", real.display()), "summary"]);
    assert!(
        check.status.success(),
        "the database is intact: {}",
        stderr(&check)
    );
}

#[test]
fn standard_input_s_file_is_never_the_rejects_file() {
    let db = TestDb::new(Backend::Sqlite);
    let dir = tempfile::tempdir().unwrap();
    let input = calls_file(dir.path(), "in.csv", 3, 2);
    let before = std::fs::read(&input).unwrap();
    let out = common::tally_cmd(&[
        "--db",
        &db.url,
        "import",
        "calls",
        "-",
        "--create-customers",
        "--rejects",
        input.to_str().unwrap(),
        "--force",
    ])
    .stdin(std::fs::File::open(&input).unwrap())
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is the input file -"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(&input).unwrap(),
        before,
        "the input is intact"
    );
}

#[test]
fn every_rejects_file_and_input_is_checked_before_anything_is_stored() {
    let db = TestDb::new(Backend::Sqlite);
    let dir = tempfile::tempdir().unwrap();
    let good = calls_file(dir.path(), "good.csv", 3, 0);
    let other = calls_file(dir.path(), "b.csv", 3, 1);
    std::fs::write(
        dir.path().join("b.csv.rejects.csv"),
        "file,line,reason,record\nb.csv,2,old,x\n",
    )
    .unwrap();
    let out = import(&db, &[good.to_str().unwrap(), other.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("b.csv.rejects.csv exists already"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stored_calls(&db), 0, "good.csv was not stored either");

    let missing = dir.path().join("nowhere").join("calls.csv");
    let out = import(&db, &[good.to_str().unwrap(), missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(
        message.contains("nowhere/calls.csv: No such file"),
        "{message}"
    );
    assert!(
        !message.contains("rejects"),
        "the input is named, not its rejects file: {message}"
    );
    assert_eq!(stored_calls(&db), 0);
}

#[test]
fn odd_rejects_paths_say_what_is_wrong() {
    let db = TestDb::new(Backend::Sqlite);
    let dir = tempfile::tempdir().unwrap();
    let input = calls_file(dir.path(), "calls.csv", 2, 2);
    let out = import(&db, &[input.to_str().unwrap(), "--rejects", "-"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("must be a file"), "{}", stderr(&out));
    let dangling = dir.path().join("dangling.csv");
    std::os::unix::fs::symlink(dir.path().join("gone.csv"), &dangling).unwrap();
    let out = import(
        &db,
        &[
            input.to_str().unwrap(),
            "--rejects",
            dangling.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("symbolic link to a file that does not exist"),
        "{}",
        stderr(&out)
    );
    let out = import(&db, &[input.to_str().unwrap(), "--rejects", "/dev/full"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a full disk is no usage error: {}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("No space left"), "{}", stderr(&out));
}

#[test]
fn a_run_that_fails_leaves_no_empty_rejects_file_behind() {
    let db = TestDb::new(Backend::Sqlite);
    let dir = tempfile::tempdir().unwrap();
    let good = calls_file(dir.path(), "good.csv", 2, 0);
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "no,such,header\n1,2,3\n").unwrap();
    let rejects = dir.path().join("r.csv");
    let out = import(
        &db,
        &[
            good.to_str().unwrap(),
            bad.to_str().unwrap(),
            "--rejects",
            rejects.to_str().unwrap(),
        ],
    );
    assert_ne!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        !rejects.exists(),
        "nothing was rejected, so no file remains"
    );
}
