//! The small things that cost trust: zones written as users write them, line numbers in files
//! with old Mac line endings, a gzip file cut short, the exit code of a bad `log` line.

mod common;

use common::{Backend, TestDb, import_counts, stderr, stdout, tally};
use std::io::Write;

fn db() -> TestDb {
    let db = TestDb::new(Backend::Sqlite);
    let out = tally(&[
        "--db",
        &db.url,
        "log",
        "sms",
        "447700900001",
        "out",
        "447700900002",
        "--at",
        "2026-11-20T10:30:00Z",
        "--create-customer",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    db
}

#[test]
fn zones_are_read_as_people_write_them() {
    let db = db();
    let hour = |zone: &str| {
        let out = tally(&[
            "--db",
            &db.url,
            "--tz",
            zone,
            "--format",
            "csv",
            "-e",
            "sms per hour show count",
        ]);
        assert!(out.status.success(), "--tz {zone}: {}", stderr(&out));
        stdout(&out)
    };
    assert_eq!(
        hour("-03:00"),
        "hour,count\n7,1\n",
        "a negative offset is not a flag"
    );
    assert_eq!(hour("utc"), "hour,count\n10,1\n");
    assert_eq!(hour("europe/london"), "hour,count\n10,1\n");
    for bad in ["+00:60", "+15:00", "Mars/Olympus"] {
        let out = tally(&["--db", &db.url, "--tz", bad, "-e", "summary"]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(
            stderr(&out).contains("invalid time zone"),
            "{bad}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn rejected_rows_keep_their_own_line_numbers_whatever_the_line_endings() {
    for ending in ["\n", "\r\n", "\r"] {
        let db = db();
        let dir = tempfile::tempdir().unwrap();
        let lines = [
            "source_key,subscriber_key,direction,other_party,start_time,duration_s,status,cell_id",
            "a,447700900001,out,447700900002,2026-11-20T10:00:00Z,5,answered,",
            "b,447700900001,sideways,447700900002,2026-11-20T10:00:00Z,5,answered,",
            "c,447700900001,out,447700900002,2026-11-20T10:00:00Z,5,answered,",
            "d,447700900001,up,447700900002,2026-11-20T10:00:00Z,5,answered,",
            "e,447700900001,down,447700900002,2026-11-20T10:00:00Z,5,answered,",
        ];
        let file = dir.path().join("calls.csv");
        std::fs::write(&file, lines.join(ending)).unwrap();
        let out = tally(&["--db", &db.url, "import", "calls", file.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        // [read, inserted, duplicates, rejected]: rows a..e; b, d and e have no valid direction.
        assert_eq!(import_counts(&stdout(&out)), [5, 2, 0, 3]);
        let rejects = std::fs::read_to_string(dir.path().join("calls.csv.rejects.csv")).unwrap();
        let numbers: Vec<&str> = rejects
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(1).unwrap())
            .collect();
        // The file lines of b, d and e (the header is line 1, a is line 2).
        assert_eq!(numbers, ["3", "5", "6"], "{ending:?}: {rejects}");
    }
}

#[test]
fn a_damaged_or_cut_gzip_file_stores_nothing_and_says_so() {
    let db = db();
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from(
        "source_key,subscriber_key,direction,other_party,start_time,duration_s,status,cell_id\n",
    );
    for i in 0..20_000 {
        text.push_str(&format!(
            "k{i},447700900001,out,447700900002,2026-11-20T10:00:00Z,{},answered,\n",
            i % 100
        ));
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(text.as_bytes()).unwrap();
    let whole = gz.finish().unwrap();
    let mut flipped = whole.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x55;
    for (name, bytes) in [
        ("cut.csv.gz", &whole[..whole.len() / 2]),
        ("flipped.csv.gz", &flipped[..]),
    ] {
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let out = tally(&[
            "--db",
            &db.url,
            "import",
            "calls",
            file.to_str().unwrap(),
            "--batch-size",
            "1000",
        ]);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("damaged or cut short"),
            "{}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains("nothing of it was stored"),
            "{}",
            stderr(&out)
        );
        let stored = tally(&["--db", &db.url, "--format", "csv", "-e", "calls show count"]);
        assert_eq!(
            stdout(&stored),
            "count\n0\n",
            "{name}: not one row of a damaged file"
        );
    }
}

#[test]
fn a_bad_log_line_in_a_batch_exits_1_like_any_bad_statement() {
    let db = db();
    for line in [
        "log call 447700900001 out --duration 2m",
        "log call 447700900001 out 447700900002 --duration 25h",
        "log sms 447700900001 sideways 447700900002",
    ] {
        let out = tally(&["--db", &db.url, "-e", line]);
        assert_eq!(out.status.code(), Some(1), "{line}: {}", stderr(&out));
    }
}
