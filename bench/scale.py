#!/usr/bin/env python3
"""Benchmark peergroup at the size of the fund universe: 50,000 funds weekly over five
years (issue 24), each step's wall time and peak memory, and one fund's peers read
from an existing 10,000-fund pair table against DuckDB on the same file.

    python3 bench/scale.py              # 50,000 funds; ~2 min after the data exists
    python3 bench/scale.py --funds 20000

Steps (each a whole `peergroup` process, timed with /usr/bin/time -v):

* synth universe: --funds N --factors 14 --periods 260 --groups 8, as Parquet;
* style, whole sample, and rolling (104-week window, step 1);
* similarity --top-k 10 on the last date: every fund's ten nearest peers, row by row,
  streamed to Parquet (the N² pair table is never built);
* similarity --funds (two funds against all, from the exposures directly);
* peers of one fund from a 10,000-fund pair table (50M rows, written once by
  `similarity --all-pairs`), for a first, middle and last fund: peergroup's streamed
  reader (row groups pruned by fund statistics) against DuckDB's
  `WHERE fund_a = F OR fund_b = F ORDER BY similarity DESC LIMIT 10` on the same file.
"""

import argparse
import os
import re
import subprocess
import sys
import time

from common import BINARY, DATA_ROOT, build_if_missing, ensure_venv, load_str, machine

ensure_venv(["duckdb"], ["duckdb"])

import duckdb  # noqa: E402


def timed(*args):
    """Run peergroup with `args`; (wall seconds, peak RSS in MiB)."""
    r = subprocess.run(["/usr/bin/time", "-v", BINARY, *map(str, args)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(r.stderr)
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", r.stderr)
    h, m, s = wall.groups()
    seconds = int(h or 0) * 3600 + int(m) * 60 + float(s)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1))
    return seconds, rss / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--funds", type=int, default=50_000)
    args = ap.parse_args()
    build_if_missing()
    m = machine()
    print(f"machine: {m['nproc']} cores, {m['cpu']}, {m['mem']}; load {load_str()}")
    d = os.path.join(DATA_ROOT, f"scale_{args.funds}")
    u = os.path.join(d, "u")
    rows = []

    def step(name, *a):
        s, mib = timed(*a)
        rows.append((name, s, mib))
        print(f"  {name:<58} {s:8.2f} s  {mib:8.0f} MiB", flush=True)

    print(f"{args.funds:,} funds, 14 factors, 260 weeks")
    if not os.path.exists(os.path.join(u, "funds.parquet")):
        step("synth universe (Parquet)", "synth", "universe", "--funds", args.funds,
             "--factors", 14, "--periods", 260, "--groups", 8, "--seed", 1,
             "--format", "parquet", "--out", u, "--force")
    funds, factors = os.path.join(u, "funds.parquet"), os.path.join(u, "factors.csv")
    attrs = os.path.join(u, "factor_attributes.csv")
    ex = os.path.join(d, "exposures.parquet")
    step("style, whole sample", "style", "--returns", funds, "--factors", factors,
         "--out", ex, "--fit-out", os.path.join(d, "fit.parquet"), "--force")
    step("style, rolling 104 weeks, step 1", "style", "--returns", funds, "--factors",
         factors, "--window", 104, "--step", 1, "--out", os.path.join(d, "rolling.parquet"),
         "--force")
    step("similarity --top-k 10 (every fund's peers, streamed)", "similarity",
         "--exposures", ex, "--factor-attributes", attrs, "--top-k", 10,
         "--out", os.path.join(d, "top10.parquet"), "--force")
    step("similarity --funds (2 funds against all)", "similarity", "--exposures", ex,
         "--factor-attributes", attrs, "--funds", "FUND00001,FUND25000",
         "--out", os.path.join(d, "two.parquet"), "--force")
    step("cluster --exposures --k 8 (2,000 micro-clusters)", "cluster", "--exposures", ex,
         "--factor-attributes", attrs, "--k", 8, "--reference", os.path.join(u, "meta.csv"),
         "--reference-column", "true_group", "--out", os.path.join(d, "groups.parquet"),
         "--force")
    monthly = os.path.join(d, "monthly.parquet")
    step("style, rolling 104 weeks, step 4 (monthly dates)", "style", "--returns", funds,
         "--factors", factors, "--window", 104, "--step", 4, "--out", monthly, "--force")
    step("evolve --micro-clusters 2000 --k 8, every monthly date", "evolve", "--exposures",
         monthly, "--factor-attributes", attrs, "--average", "current", "--k", 8,
         "--micro-clusters", 2000, "--horizons", "1,12", "--format", "parquet",
         "--out", os.path.join(d, "evolve"), "--force")
    total = sum(s for name, s, _ in rows if not name.startswith("synth"))
    peak = max(mib for name, _, mib in rows if not name.startswith("synth"))
    print(f"  {'the study (every step above but synth)':<58} {total:8.2f} s  {peak:8.0f} MiB"
          f"   targets 15 min, 16 GiB", flush=True)

    # One fund's peers from an existing pair table, against DuckDB.
    d10 = os.path.join(DATA_ROOT, "scale_10000")
    pairs = os.path.join(d10, "pairs.parquet")
    if not os.path.exists(pairs):
        u10 = os.path.join(d10, "u")
        subprocess.run([BINARY, "synth", "universe", "--funds", "10000", "--factors", "14",
                        "--periods", "260", "--groups", "8", "--seed", "2", "--format",
                        "parquet", "--out", u10, "--force"], check=True, capture_output=True)
        ex10 = os.path.join(d10, "exposures.parquet")
        subprocess.run([BINARY, "style", "--returns", os.path.join(u10, "funds.parquet"),
                        "--factors", os.path.join(u10, "factors.csv"), "--out", ex10,
                        "--force"], check=True, capture_output=True)
        subprocess.run([BINARY, "similarity", "--exposures", ex10, "--factor-attributes",
                        os.path.join(u10, "factor_attributes.csv"), "--out", pairs,
                        "--force"], check=True, capture_output=True)
    size = os.path.getsize(pairs) / 2**20
    print(f"\npeers of one fund from a 10,000-fund pair table ({size:,.0f} MiB, 50M rows)")
    print(f"  {'fund':<10} {'peergroup peers':>18} {'DuckDB':>10} {'ratio':>7}")
    for fund in ["FUND00001", "FUND05000", "FUND09999"]:
        s, mib = timed("peers", "--similarity", pairs, "--fund", fund, "--top", 10,
                       "--out", os.path.join(d10, "peers.csv"), "--force")
        con = duckdb.connect()
        t0 = time.perf_counter()
        con.execute(
            f"SELECT CASE WHEN fund_a = '{fund}' THEN fund_b ELSE fund_a END, similarity "
            f"FROM '{pairs}' WHERE fund_a = '{fund}' OR fund_b = '{fund}' "
            "ORDER BY similarity DESC LIMIT 10").fetchall()
        t_duck = time.perf_counter() - t0
        print(f"  {fund:<10} {s:8.3f} s {mib:5.0f} MiB {t_duck:8.3f} s {t_duck / s:6.1f}x")


if __name__ == "__main__":
    sys.exit(main())
