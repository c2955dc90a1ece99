//! The query benchmark of BENCHMARKS.md: each standard question asked through tally, next to
//! the same question as hand-written SQL over the raw tables, in the same run on the same store.
//!
//! `cargo bench --bench queries -- --db URL [--runs N] [--key SUBSCRIBER_KEY] [--only TEXT]`
//! (`--only`: just the questions whose text holds TEXT)

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use std::time::{Duration, Instant};
use tally::config::{DbUrl, PoolSize};
use tally::model::Zone;
use tally::query::{Answer, run};
use tally::store::{Store, Value};

/// One question: the tally line and the raw SQL (MySQL, SQLite) that answers it.
struct Question {
    tally: String,
    mysql: String,
    sqlite: String,
    params: Vec<Value>,
}

fn main() {
    let args = Args::from_env().unwrap_or_else(|e| {
        eprintln!(
            "{e}\nusage: cargo bench --bench queries -- --db URL [--runs N] [--key KEY] [--only TEXT]"
        );
        std::process::exit(2);
    });
    let store = Store::open(&args.db, PoolSize::default()).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(3);
    });
    let now = Utc::now();
    let key = args.key.clone().unwrap_or_else(|| busiest_customer(&store));
    println!(
        "{} backend, {} runs each (median), now {} UTC, key {key}",
        store.dialect().name(),
        args.runs,
        now.format("%Y-%m-%d %H:%M")
    );
    println!("| question | tally | hand-written SQL | tally / SQL |\n|---|---:|---:|---:|");
    let chosen = |q: &Question| {
        args.only
            .as_ref()
            .is_none_or(|t| q.tally.contains(t.as_str()))
    };
    for q in questions(now.date_naive(), &key).into_iter().filter(chosen) {
        let tally = median(args.runs, || ask(&store, &q.tally, now));
        let text = if store.dialect().name() == "mysql" {
            &q.mysql
        } else {
            &q.sqlite
        };
        let raw = median(args.runs, || raw(&store, text, &q.params));
        println!(
            "| `{}` | {} | {} | {:.4} |",
            q.tally,
            show(tally),
            show(raw),
            tally.as_secs_f64() / raw.as_secs_f64()
        );
    }
}

struct Args {
    db: DbUrl,
    runs: usize,
    key: Option<String>,
    only: Option<String>,
}

impl Args {
    fn from_env() -> Result<Args, String> {
        let (mut db, mut runs, mut key, mut only) = (None, 3, None, None);
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--db" => db = Some(args.next().ok_or("--db needs a URL")?),
                "--runs" => {
                    runs = args
                        .next()
                        .and_then(|n| n.parse().ok())
                        .filter(|&n| n > 0)
                        .ok_or("--runs needs a positive number")?
                }
                "--key" => key = Some(args.next().ok_or("--key needs a subscriber key")?),
                "--only" => only = Some(args.next().ok_or("--only needs a text")?),
                // `cargo bench` passes --bench to every benchmark binary.
                "--bench" => {}
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        let db = db.ok_or("--db URL is required")?;
        Ok(Args {
            db: DbUrl::parse(&db).map_err(|e| e.to_string())?,
            runs,
            key,
            only,
        })
    }
}

/// The customer with the most calls: a heavy `summary KEY`, not an empty one.
fn busiest_customer(store: &Store) -> String {
    let sql = "SELECT c.subscriber_key FROM customer_daily d JOIN customers c ON c.id = d.customer_id \
               GROUP BY c.subscriber_key ORDER BY SUM(d.calls_out + d.calls_in) DESC LIMIT 1";
    store
        .read(|c| Ok(c.query(sql, &[])?))
        .ok()
        .and_then(|rs| rs.rows.first().map(|r| r[0].to_string()))
        .unwrap_or_else(|| {
            eprintln!("the store has no customers with calls: load the benchmark data first");
            std::process::exit(1);
        })
}

fn questions(today: NaiveDate, key: &str) -> Vec<Question> {
    let time = |d: NaiveDate| Value::from(format!("{d} 00:00:00"));
    let tomorrow = today + Days::new(1);
    // `last 30 days` is today and the 29 days before it; a trend also reads the day before
    // that, for the first day's change.
    let last30 = today - Days::new(29);
    let month = today.with_day(1).unwrap_or(today);
    let next_month = month
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(tomorrow);
    let totals = |active: &str, customer: &str| {
        format!(
            "SELECT {active} c.*, s.*, d.* FROM \
             (SELECT COUNT(*) AS calls, SUM(CASE WHEN direction = 'out' THEN 1 ELSE 0 END) AS calls_out, \
              SUM(CASE WHEN direction = 'in' THEN 1 ELSE 0 END) AS calls_in, \
              SUM(CASE WHEN status = 'answered' THEN 1 ELSE 0 END) AS answered, SUM(duration_s) AS seconds \
              FROM calls {customer}) c, \
             (SELECT COUNT(*) AS sms, SUM(CASE WHEN direction = 'out' THEN 1 ELSE 0 END) AS sms_out \
              FROM sms {customer}) s, \
             (SELECT COUNT(*) AS sessions, SUM(bytes_up + bytes_down) AS bytes \
              FROM data_sessions {customer}) d"
        )
    };
    let network = totals(
        "(SELECT COUNT(*) FROM (SELECT customer_id FROM calls UNION \
         SELECT customer_id FROM sms UNION SELECT customer_id FROM data_sessions) a) AS active,",
        "",
    );
    let one = totals(
        "",
        "WHERE customer_id = (SELECT id FROM customers WHERE subscriber_key = ?)",
    );
    let hours = |hour: &str| {
        format!(
            "SELECT {hour}, COUNT(*), SUM(duration_s) FROM calls \
             WHERE start_time >= ? AND start_time < ? GROUP BY {hour} ORDER BY {hour}"
        )
    };
    let days = |day: &str| {
        format!(
            "SELECT {day}, SUM(duration_s) FROM calls \
             WHERE start_time >= ? AND start_time < ? GROUP BY {day} ORDER BY {day}"
        )
    };
    let top = "SELECT c.subscriber_key, SUM(r.duration_s) AS s FROM calls r \
               JOIN customers c ON c.id = r.customer_id \
               WHERE r.start_time >= ? AND r.start_time < ? \
               GROUP BY c.subscriber_key ORDER BY s DESC LIMIT 10";
    let filtered = |day: &str| {
        format!(
            "SELECT {day}, COUNT(*), SUM(duration_s), AVG(duration_s) FROM calls \
             WHERE direction = 'out' AND duration_s > 300 AND start_time >= ? \
             GROUP BY {day} ORDER BY {day}"
        )
    };
    let week = today - Days::new(6);
    let fortnight = today - Days::new(13);
    let heavy = "SELECT c.subscriber_key, COUNT(*), SUM(r.duration_s) FROM calls r \
                 JOIN customers c ON c.id = r.customer_id \
                 WHERE r.start_time >= ? AND r.start_time < ? \
                 GROUP BY c.subscriber_key HAVING SUM(r.duration_s) > 36000";
    // An analyst's percentiles: MariaDB's own PERCENTILE_CONT; on SQLite, which has none, each
    // day's values numbered by a window and the one at the position picked.
    let percentiles_mysql = "SELECT DISTINCT DATE(start_time), \
         PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY duration_s) OVER (PARTITION BY DATE(start_time)), \
         PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY duration_s) OVER (PARTITION BY DATE(start_time)) \
         FROM calls WHERE start_time >= ? AND start_time < ?";
    let percentiles_sqlite = "SELECT d, MIN(CASE WHEN rn = CAST(0.5 * (n - 1) AS INTEGER) THEN v END), \
         MIN(CASE WHEN rn = CAST(0.95 * (n - 1) AS INTEGER) THEN v END) FROM \
         (SELECT substr(start_time, 1, 10) AS d, duration_s AS v, \
          ROW_NUMBER() OVER (PARTITION BY substr(start_time, 1, 10) ORDER BY duration_s) - 1 AS rn, \
          COUNT(*) OVER (PARTITION BY substr(start_time, 1, 10)) AS n \
          FROM calls WHERE start_time >= ? AND start_time < ?) x GROUP BY d";
    let histogram = "SELECT b, COUNT(*) FROM (SELECT CASE WHEN duration_s < 10 THEN 0 \
         WHEN duration_s < 30 THEN 1 WHEN duration_s < 60 THEN 2 WHEN duration_s < 120 THEN 3 \
         WHEN duration_s < 300 THEN 4 WHEN duration_s < 600 THEN 5 WHEN duration_s < 1200 THEN 6 \
         WHEN duration_s < 1800 THEN 7 WHEN duration_s < 3600 THEN 8 WHEN duration_s < 7200 THEN 9 \
         WHEN duration_s < 14400 THEN 10 ELSE 11 END AS b FROM calls \
         WHERE start_time >= ? AND start_time < ?) x GROUP BY b";
    // The same answer as tally's: each idle customer with plan, region, status and last call.
    let idle = "SELECT c.subscriber_key, p.name, c.region, c.status, \
         (SELECT MAX(l.start_time) FROM calls l WHERE l.customer_id = c.id AND l.start_time < ?) \
         FROM customers c LEFT JOIN plans p ON p.id = c.plan_id WHERE NOT EXISTS \
         (SELECT 1 FROM calls t WHERE t.customer_id = c.id AND t.start_time >= ? AND t.start_time < ?)";
    let night = |hour: &str| {
        format!(
            "SELECT c.subscriber_key, COUNT(*) AS n FROM calls r JOIN customers c ON c.id = r.customer_id \
             WHERE ({hour} >= 22 OR {hour} < 6) AND r.start_time >= ? AND r.start_time < ? \
             GROUP BY c.subscriber_key ORDER BY n DESC LIMIT 10"
        )
    };
    let same = |sql: String, tally: String, params: Vec<Value>| Question {
        tally,
        mysql: sql.clone(),
        sqlite: sql,
        params,
    };
    vec![
        same(network, "summary".into(), vec![]),
        same(
            one,
            format!("summary {key}"),
            vec![Value::from(key.to_string()); 3],
        ),
        Question {
            tally: "peak hours calls last 30 days".into(),
            mysql: hours("HOUR(start_time)"),
            sqlite: hours("strftime('%H', start_time)"),
            params: vec![time(last30), time(tomorrow)],
        },
        Question {
            tally: "trend minutes per day last 30 days".into(),
            mysql: days("DATE(start_time)"),
            sqlite: days("substr(start_time, 1, 10)"),
            params: vec![time(last30 - Days::new(1)), time(tomorrow)],
        },
        same(
            top.into(),
            "top 10 customers by minutes this month".into(),
            vec![time(month), time(next_month)],
        ),
        Question {
            tally: format!(
                "calls where direction = out and duration > 5m since {month} per day show count, minutes, avg(duration)"
            ),
            mysql: filtered("DATE(start_time)"),
            sqlite: filtered("substr(start_time, 1, 10)"),
            params: vec![time(month)],
        },
        same(
            heavy.into(),
            "calls per customer this month having minutes > 600".into(),
            vec![time(month), time(next_month)],
        ),
        Question {
            tally: "calls per day last 7 days show median(duration), p95(duration)".into(),
            mysql: percentiles_mysql.into(),
            sqlite: percentiles_sqlite.into(),
            params: vec![time(week), time(tomorrow)],
        },
        same(
            histogram.into(),
            "histogram duration calls last 7 days".into(),
            vec![time(week), time(tomorrow)],
        ),
        same(
            idle.into(),
            "idle customers calls last 14 days".into(),
            vec![time(fortnight), time(fortnight), time(tomorrow)],
        ),
        Question {
            tally: "calls where hour >= 22 or hour < 6 per customer last 7 days show count top 10"
                .into(),
            mysql: night("HOUR(r.start_time)"),
            sqlite: night("CAST(strftime('%H', r.start_time) AS INTEGER)"),
            params: vec![time(week), time(tomorrow)],
        },
    ]
}

fn ask(store: &Store, text: &str, now: DateTime<Utc>) {
    match run(store, text, &Zone::utc(), now) {
        Ok(Answer::Table(rs)) => assert!(!rs.rows.is_empty(), "{text}: no rows"),
        Ok(Answer::Explain(_)) => unreachable!("the questions are not explain lines"),
        Err(e) => panic!("{}", e.render(text)),
    }
}

fn raw(store: &Store, sql: &str, params: &[Value]) {
    let rows = store
        .read(|c| Ok(c.query(sql, params)?))
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    assert!(!rows.rows.is_empty(), "{sql}: no rows");
}

/// The median of `runs` timed calls, after one untimed call to warm the caches.
fn median(runs: usize, mut work: impl FnMut()) -> Duration {
    work();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn show(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 10_000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}
