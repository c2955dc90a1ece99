#!/usr/bin/env python3
"""The questions of benches/queries.rs, asked of DuckDB over the same CSV files: the tool an
analyst would otherwise reach for. Loads DIR/{customers,calls,sms,data}.csv into an in-memory
DuckDB database (load time reported apart), then times each question: one warm-up, then the
median of RUNS runs, in process, like the cargo bench times tally through the library.

    python3 scripts/bench/duckdb-queries.py DIR [RUNS]     (needs: pip install duckdb)
"""
import datetime
import statistics
import sys
import time

import duckdb


def load(con, folder):
    started = time.perf_counter()
    con.execute(f"CREATE TABLE customers AS SELECT * FROM read_csv_auto('{folder}/customers.csv', all_varchar = true)")
    con.execute(
        f"CREATE TABLE calls AS SELECT subscriber_key, direction, other_party, "
        f"CAST(start_time AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS start_time, duration_s, status "
        f"FROM read_csv_auto('{folder}/calls.csv', types = {{'subscriber_key': 'VARCHAR', 'other_party': 'VARCHAR'}})"
    )
    con.execute(
        f"CREATE TABLE sms AS SELECT subscriber_key, direction, "
        f"CAST(sent_at AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS sent_at "
        f"FROM read_csv_auto('{folder}/sms.csv', types = {{'subscriber_key': 'VARCHAR', 'other_party': 'VARCHAR'}})"
    )
    con.execute(
        f"CREATE TABLE data_sessions AS SELECT subscriber_key, "
        f"CAST(start_time AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS start_time, duration_s, bytes_up, bytes_down "
        f"FROM read_csv_auto('{folder}/data.csv', types = {{'subscriber_key': 'VARCHAR'}})"
    )
    return time.perf_counter() - started


def questions(con, today):
    last30 = today - datetime.timedelta(days=29)
    tomorrow = today + datetime.timedelta(days=1)
    month = today.replace(day=1)
    next_month = (month + datetime.timedelta(days=32)).replace(day=1)
    key = con.execute(
        "SELECT subscriber_key FROM calls GROUP BY subscriber_key ORDER BY COUNT(*) DESC LIMIT 1"
    ).fetchone()[0]

    def totals(active, where):
        return (
            f"SELECT {active} c.*, s.*, d.* FROM "
            f"(SELECT COUNT(*) AS calls, COUNT(*) FILTER (direction = 'out') AS calls_out, "
            f"COUNT(*) FILTER (direction = 'in') AS calls_in, COUNT(*) FILTER (status = 'answered') AS answered, "
            f"SUM(duration_s) AS seconds FROM calls {where}) c, "
            f"(SELECT COUNT(*) AS sms, COUNT(*) FILTER (direction = 'out') AS sms_out FROM sms {where}) s, "
            f"(SELECT COUNT(*) AS sessions, SUM(bytes_up + bytes_down) AS bytes FROM data_sessions {where}) d"
        )

    active = (
        "(SELECT COUNT(*) FROM (SELECT subscriber_key FROM calls UNION "
        "SELECT subscriber_key FROM sms UNION SELECT subscriber_key FROM data_sessions)) AS active,"
    )
    return [
        ("summary", totals(active, "")),
        (f"summary {key}", totals("", f"WHERE subscriber_key = '{key}'")),
        (
            "peak hours calls last 30 days",
            f"SELECT hour(start_time) h, COUNT(*), SUM(duration_s) FROM calls "
            f"WHERE start_time >= '{last30}' AND start_time < '{tomorrow}' GROUP BY h ORDER BY h",
        ),
        (
            "trend minutes per day last 30 days",
            f"SELECT CAST(start_time AS DATE) d, SUM(duration_s) FROM calls "
            f"WHERE start_time >= '{last30 - datetime.timedelta(days=1)}' AND start_time < '{tomorrow}' "
            f"GROUP BY d ORDER BY d",
        ),
        (
            "top 10 customers by minutes this month",
            f"SELECT subscriber_key, SUM(duration_s) s FROM calls "
            f"WHERE start_time >= '{month}' AND start_time < '{next_month}' "
            f"GROUP BY subscriber_key ORDER BY s DESC LIMIT 10",
        ),
        (
            "calls where direction = out and duration > 5m since MONTH per day (raw rows)",
            f"SELECT CAST(start_time AS DATE) d, COUNT(*), SUM(duration_s), AVG(duration_s) FROM calls "
            f"WHERE direction = 'out' AND duration_s > 300 AND start_time >= '{month}' GROUP BY d ORDER BY d",
        ),
    ]


def median_ms(con, sql, runs):
    con.execute(sql).fetchall()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        rows = con.execute(sql).fetchall()
        times.append(time.perf_counter() - started)
        assert rows, sql
    return statistics.median(times) * 1000


def main():
    folder = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    con = duckdb.connect()
    seconds = load(con, folder)
    counts = [con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("calls", "sms", "data_sessions")]
    print(f"DuckDB {duckdb.__version__}, in memory: loaded {counts[0]:,} calls, {counts[1]:,} SMS, "
          f"{counts[2]:,} data sessions in {seconds:.1f} s; {runs} runs after a warm-up, medians")
    print("| question | DuckDB |")
    print("|---|---:|")
    for name, sql in questions(con, datetime.datetime.now(datetime.timezone.utc).date()):
        print(f"| `{name}` | {median_ms(con, sql, runs):.2f} ms |")


if __name__ == "__main__":
    main()
