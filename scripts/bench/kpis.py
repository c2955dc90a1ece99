# KPI, capacity, billing and anomaly lines on a SQLite demo database against hand-written SQL
# over the raw tables, medians of 5 runs (tally timed as a whole process).
#   target/release/tally --db sqlite:/tmp/m.db demo --customers 10000 --days 30 --end 2026-11-26
#   python3 scripts/bench/kpis.py /tmp/m.db target/release/tally
import sqlite3, subprocess, time, statistics, sys
T=sys.argv[2] if len(sys.argv) > 2 else "target/release/tally"
db=sys.argv[1] if len(sys.argv) > 1 else "/tmp/m.db"
def tally(q):
    t=time.perf_counter(); subprocess.run([T,"--db","sqlite:"+db,"--tz","UTC","--format","csv","-e",q],check=True,capture_output=True); return time.perf_counter()-t
def hand(sql):
    t=time.perf_counter(); c=sqlite3.connect(db); c.execute(sql).fetchall(); c.close(); return time.perf_counter()-t
cases=[
 ("calls per day between 2026-10-27 and 2026-11-26 show asr, ner, acd",
  "SELECT substr(start_time,1,10), SUM(status='answered')*100.0/COUNT(*), SUM(status IN ('answered','busy','no_answer'))*100.0/COUNT(*), SUM(CASE WHEN status='answered' THEN duration_s ELSE 0 END)*1.0/NULLIF(SUM(status='answered'),0) FROM calls WHERE start_time >= '2026-10-27' AND start_time < '2026-11-26' GROUP BY 1"),
 ("calls per hour between 2026-10-27 and 2026-11-26 show erlangs, bhca",
  "SELECT h, SUM(s)/ (30*3600.0), MAX(n) FROM (SELECT substr(start_time,12,2) h, substr(start_time,1,10) d, SUM(duration_s) s, COUNT(*) n FROM calls WHERE start_time >= '2026-10-27' AND start_time < '2026-11-26' GROUP BY 1,2) GROUP BY h"),
 ("capacity calls between 2026-10-27 and 2026-11-26",
  "SELECT substr(start_time,12,2), SUM(duration_s)/(30*3600.0), COUNT(*)/30.0 FROM calls WHERE start_time >= '2026-10-27' AND start_time < '2026-11-26' GROUP BY 1"),
 ("usage per plan between 2026-11-01 and 2026-11-26 show revenue, arpu",
  "SELECT p.name, SUM(r.duration_s*p.price_per_minute)/60.0 FROM calls r JOIN customers c ON c.id=r.customer_id JOIN plans p ON p.id=c.plan_id WHERE r.direction='out' AND r.start_time >= '2026-11-01' AND r.start_time < '2026-11-26' GROUP BY p.name"),
 ("anomalies calls between 2026-11-19 and 2026-11-26",
  "SELECT customer_id, substr(start_time,1,10), COUNT(*) FROM calls WHERE start_time >= '2026-10-22' AND start_time < '2026-11-26' GROUP BY 1,2"),
]
for q,sql in cases:
    a=[];b=[]
    for i in range(5):
        a.append(tally(q)); b.append(hand(sql))
    ma,mb=statistics.median(a),statistics.median(b)
    print(f"{q}\n  tally (whole process) {ma*1000:.0f} ms, hand SQL over raw calls {mb*1000:.0f} ms, ratio {ma/mb:.2f}")
