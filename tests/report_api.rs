//! Every call README documents for `.rhai` reports, each used by a script that checks its own
//! results (and throws when one is wrong); plus the limits: a runaway script is stopped, and
//! Ctrl-C stops one at once.

mod common;

use common::{BACKENDS, TestDb, stderr, stdout, tally, tally_cmd};

const SCRIPT: &str = r#"
let dir = param("dir");
fn check(ok, what) { if !ok { throw `wrong: ${what}`; } }

// query(text), query(text, map), and the rows it gives.
let rows = query("sms per customer show count");
check(rows.len() == 3, "rows.len()");
check(!rows.is_empty(), "rows.is_empty()");
check(rows.columns == ["customer", "count"], "rows.columns");
check(rows.title != "", "rows.title");
check(rows[0].customer == "447700900001", "rows[i].name");
check(rows[1]["count"] == 2, "rows[i][name]");
check(rows[-1].count == 3, "rows[-1]");
let total = 0;
for r in rows { total += r.count; }
check(total == 6, "for row in rows");
let bound = query("sms where customer = $k show count", #{k: "447700900002"});
check(bound[0].count == 2, "query with a map");

// table in all its forms, print.
table(rows);
table(rows, "Titled");
table([#{a: 1, b: "x"}]);
table([#{a: 1, b: "x"}], ["b", "a"]);
table([#{a: 2, b: "y"}], ["b", "a"], "Built");
print("a printed line");

// save in all its forms.
save(rows, dir + "/rows.csv");
save(rows, dir + "/rows.json");
save([#{a: 1}], dir + "/maps.csv");
save([#{a: 1, b: 2}], ["b"], dir + "/columns.csv");

// param, customer.
check(param("given") == "yes", "param(name)");
check(param("absent", 5) == 5, "param(name, default)");
check(param("n", 1) == 7, "param(name, number default) reads a number");
let c = customer("447700900001");
check(c.key == "447700900001" && c.plan == "Basic" && c.region == "North", "customer(key)");
check(c.price_per_minute == 0.05 && c.monthly_fee == 5.0, "customer(key) prices");
check(customer("000000000") == (), "customer(unknown)");

// dates.
check(days_ago(1) == add_days(today(), -1), "days_ago, add_days, today");
check(add_days("2026-11-30", 1) == "2026-12-01", "add_days across a month");
check(start_of_month("2026-11-25") == "2026-11-01", "start_of_month(date)");
check(start_of_month() <= today(), "start_of_month()");
check(start_of_month(-1) < start_of_month(), "start_of_month(-1)");
check(iso_week("2026-11-25") == "2026-W48", "iso_week(date)");
check(iso_week() != "", "iso_week()");
check(weekday("2026-11-25") == "Wed", "weekday(date)");

// log_call, log_sms, log_data.
let call_id = log_call(#{customer: "447700900001", direction: "out", other: "447700900009",
    duration: "2m", at: "2026-11-20 12:00"});
let sms_id = log_sms(#{customer: "447700900001", direction: "in", other: "447700900009",
    at: "2026-11-20 12:01"});
let data_id = log_data(#{customer: "447700900009", down: "5MB", duration: "1m",
    at: "2026-11-20 12:02", create_customer: true});
check(call_id > 0 && sms_id > 0 && data_id > 0, "log_* return ids");
print("done");
"#;

fn seeded(backend: common::Backend) -> TestDb {
    let db = TestDb::new(backend);
    let run = |args: &[&str]| {
        let mut full = vec!["--db", db.url.as_str()];
        full.extend_from_slice(args);
        let out = tally(&full);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    };
    run(&[
        "plan",
        "add",
        "Basic",
        "--per-minute",
        "0.05",
        "--monthly-fee",
        "5",
    ]);
    for (i, key) in ["447700900001", "447700900002", "447700900003"]
        .iter()
        .enumerate()
    {
        run(&[
            "customer", "add", key, "--plan", "Basic", "--region", "North",
        ]);
        for j in 0..=i {
            run(&[
                "log",
                "sms",
                key,
                "out",
                "447700900009",
                "--at",
                &format!("2026-11-19 10:0{j}"),
            ]);
        }
    }
    db
}

#[test]
fn every_documented_report_call_works() {
    for backend in BACKENDS {
        let db = seeded(backend);
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("api.rhai");
        std::fs::write(&script, SCRIPT).unwrap();
        let dir_param = format!("dir={}", dir.path().display());
        let out = tally(&[
            "--db",
            &db.url,
            "--tz",
            "UTC",
            "--format",
            "json",
            "run",
            script.to_str().unwrap(),
            "--param",
            &dir_param,
            "--param",
            "given=yes",
            "--param",
            "n=7",
        ]);
        assert!(out.status.success(), "{backend:?}: {}", stderr(&out));
        // One JSON document, a named array per table; print lines went to stderr.
        let doc: serde_json::Value =
            serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)));
        let tables = doc.as_object().unwrap();
        let names: Vec<&str> = tables.keys().map(String::as_str).collect();
        assert_eq!(names.len(), 5, "{names:?}");
        assert!(
            names.contains(&"Titled") && names.contains(&"Built"),
            "{names:?}"
        );
        let queried = &tables["Titled"];
        assert_eq!(queried.as_array().unwrap().len(), 3);
        assert_eq!(queried[2]["customer"], "447700900003");
        assert_eq!(queried[2]["count"], 3);
        assert_eq!(tables["Built"][0]["b"], "y");
        assert!(stderr(&out).contains("a printed line"), "{}", stderr(&out));
        assert!(stderr(&out).contains("done"), "{}", stderr(&out));
        let expected_tables = "customer,count\n447700900001,1\n447700900002,2\n447700900003,3\n";
        // As CSV, five tables are five files under --output DIR (on fresh data: the script
        // logs records).
        let db = seeded(backend);
        let csv_dir = dir.path().join("tables");
        let out = tally(&[
            "--db",
            &db.url,
            "--tz",
            "UTC",
            "--format",
            "csv",
            "run",
            script.to_str().unwrap(),
            "--param",
            &dir_param,
            "--param",
            "given=yes",
            "--param",
            "n=7",
            "--output",
            csv_dir.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{backend:?}: {}", stderr(&out));
        let mut files: Vec<String> = std::fs::read_dir(&csv_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        assert_eq!(files.len(), 5, "{files:?}");
        assert_eq!(
            std::fs::read_to_string(csv_dir.join(&files[1])).unwrap(),
            expected_tables,
            "{files:?}"
        );
        // Without a folder, five tables cannot be one CSV: a clear error, nothing half-written.
        let db = seeded(backend);
        let out = tally(&[
            "--db",
            &db.url,
            "--format",
            "csv",
            "run",
            script.to_str().unwrap(),
            "--param",
            &dir_param,
            "--param",
            "given=yes",
            "--param",
            "n=7",
        ]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("--output DIR"), "{}", stderr(&out));
        assert_eq!(stdout(&out), "");
        let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
        assert_eq!(read("rows.csv"), expected_tables);
        assert!(
            read("rows.json").contains("\"customer\":\"447700900003\""),
            "{}",
            read("rows.json")
        );
        assert_eq!(read("maps.csv"), "a\n1\n");
        assert_eq!(read("columns.csv"), "b\n2\n");
        let logged = tally(&[
            "--db",
            &db.url,
            "--format",
            "csv",
            "-e",
            "usage show calls, sms, count",
        ]);
        assert_eq!(stdout(&logged), "calls,sms,count\n1,7,9\n", "{backend:?}");
    }
}

#[test]
fn a_failing_call_names_the_file_and_line() {
    let db = seeded(common::Backend::Sqlite);
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("bad.rhai");
    std::fs::write(
        &script,
        "let x = 1;\nsave(query(\"sms show count\"), \"out.txt\");\n",
    )
    .unwrap();
    let out = tally(&["--db", &db.url, "run", script.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("bad.rhai:2:"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("name a .csv or .json file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_runaway_report_is_stopped_and_ctrl_c_stops_one_at_once() {
    let db = seeded(common::Backend::Sqlite);
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("spin.rhai");
    std::fs::write(&script, "let n = 0;\nloop { n += 1; }\n").unwrap();
    let out = tally(&["--db", &db.url, "run", script.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("spin.rhai:2:") && stderr(&out).contains(": stopped after"),
        "{}",
        stderr(&out)
    );

    let child = tally_cmd(&["--db", &db.url, "run", script.to_str().unwrap()])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let started = std::time::Instant::now();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(
        started.elapsed().as_secs() < 5,
        "Ctrl-C took {:?}",
        started.elapsed()
    );
    assert!(stderr(&out).contains("interrupted"), "{}", stderr(&out));
}
