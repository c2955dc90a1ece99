#!/usr/bin/env python3
"""A switch-style CDR feed for the import benchmark: rows in time order, as a switch writes them,
about SUBSCRIBERS subscribers each making one or two calls a day, in a layout of the switch's own
(mapped by scripts/bench/switch-feed.toml), for `tally import calls --map ... --create-customers`.

    switch-feed.py CALLS OUT.csv [SUBSCRIBERS] [SEED]

Columns: uniqueid, caller, callee, start (UTC, `YYYY-MM-DD HH:MM:SS`), billsec, disposition,
cell. Deterministic for a seed."""
import random
import sys

calls = int(sys.argv[1])
out = sys.argv[2]
subscribers = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)

# 1.5 calls a day per subscriber on average: the days the feed covers, ending 2026-11-03 00:00 UTC
# whatever their number (1M calls start on 2026-10-01), so that no call lies in the future.
days = max(1, round(calls / (subscribers * 1.5)))
span = days * 86400
start = 1_793_664_000 - span
dispositions = ["ANSWERED"] * 80 + ["NO ANSWER"] * 10 + ["BUSY"] * 6 + ["FAILED"] * 4
cells = [f"C{n:04d}" for n in range(1, 1201)]

# Times drawn uniformly, then sorted: the feed is in time order, subscribers interleaved.
times = sorted(start + rng.randrange(span) for _ in range(calls))
import time as _t

with open(out, "w") as f:
    f.write("uniqueid,caller,callee,start,billsec,disposition,cell\n")
    for i, t in enumerate(times):
        caller = 447000000000 + rng.randrange(subscribers)
        callee = 447100000000 + rng.randrange(1_000_000)
        disposition = rng.choice(dispositions)
        billsec = int(rng.expovariate(1 / 150)) if disposition == "ANSWERED" else 0
        stamp = _t.strftime("%Y-%m-%d %H:%M:%S", _t.gmtime(t))
        f.write(f"sw{t}.{i},{caller},+{callee},{stamp},{min(billsec, 86400)},{disposition},{rng.choice(cells)}\n")
