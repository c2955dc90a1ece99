//! `peak hours S by M` and a trend's `show`, `sort` and `top`, on both backends, against sums
//! written here by hand: the hours ranked and drawn by M, the trend's buckets sorted by their
//! change and cut after every change is known.

mod common;

use common::BACKENDS;
use std::collections::BTreeMap;
use tally::store::Store;

/// SUM(expr) per group of the calls or data in the test range, by hand.
fn sums(store: &Store, sql: &str) -> BTreeMap<String, f64> {
    let rows = store.read(|c| Ok(c.query(sql, &[])?)).unwrap().rows;
    rows.iter()
        .map(|r| (r[0].to_string(), r[1].as_f64().unwrap()))
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1.0)
}

#[test]
fn peak_hours_are_drawn_and_marked_by_the_measure_asked() {
    for backend in BACKENDS {
        let (_db, store) = common::demo_store(backend, 50, 20, 21);
        let hour = if store.dialect().name() == "mysql" {
            "HOUR(start_time)"
        } else {
            "CAST(strftime('%H', start_time) AS INTEGER)"
        };
        let mb = sums(
            &store,
            &format!(
                "SELECT {hour}, SUM(bytes_up + bytes_down) / 1e6 FROM data_sessions GROUP BY {hour}"
            ),
        );
        let rows = common::table_rows(&store, "peak hours data by data_mb", "UTC");
        assert_eq!(rows.len(), 24);
        let peak_row = rows
            .iter()
            .find(|r| r.last().unwrap().contains("peak"))
            .unwrap();
        let (max_hour, _) = mb.iter().max_by(|a, b| a.1.total_cmp(b.1)).unwrap();
        assert_eq!(&peak_row[0], max_hour, "{backend:?}");
        let rs = match tally::query::run(
            &store,
            "peak hours data by data_mb",
            &tally::model::Zone::utc(),
            common::test_now(),
        ) {
            Ok(tally::query::Answer::Table(rs)) => rs,
            other => panic!("{other:?}"),
        };
        assert_eq!(rs.columns[1].name, "data_mb");
        for r in &rs.rows {
            let want = mb.get(&r[0].to_string()).copied().unwrap_or(0.0);
            assert!(close(r[1].as_f64().unwrap(), want), "{backend:?}: {r:?}");
        }
    }
}

#[test]
fn a_trend_sorted_by_change_lists_the_steepest_falls_of_every_bucket() {
    for backend in BACKENDS {
        let (_db, store) = common::demo_store(backend, 50, 30, 21);
        let day = if store.dialect().name() == "mysql" {
            "DATE_FORMAT(start_time, '%Y-%m-%d')"
        } else {
            "substr(start_time, 1, 10)"
        };
        let minutes = sums(
            &store,
            &format!(
                "SELECT {day}, SUM(duration_s) / 6e1 FROM calls \
                 WHERE start_time >= '2026-11-04 00:00:00' AND start_time < '2026-11-20 00:00:00' \
                 GROUP BY {day}"
            ),
        );
        let days: Vec<(&String, &f64)> = minutes.iter().collect();
        let mut changes: Vec<(String, f64)> = days
            .windows(2)
            .map(|w| (w[1].0.clone(), (w[1].1 - w[0].1) / w[0].1))
            .collect();
        changes.sort_by(|a, b| a.1.total_cmp(&b.1));
        let rows = common::table_rows(
            &store,
            "trend minutes per day between 2026-11-05 and 2026-11-20 show calls sort change asc top 3",
            "UTC",
        );
        assert_eq!(rows.len(), 3, "{backend:?}");
        for (row, (want_day, want_change)) in rows.iter().zip(&changes) {
            assert_eq!(&row[0], want_day, "{backend:?}");
            assert!(
                close(row[2].parse().unwrap(), *want_change),
                "{backend:?}: {row:?}"
            );
        }
    }
}
