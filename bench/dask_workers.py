#!/usr/bin/env python3
"""Benchmark peergroup.distributed on a local Dask cluster: 1 worker against 2 (one
engine thread each), for rolling style over partitions and every fund's top-k peers.

    python3 bench/dask_workers.py              # 20,000 funds, 260 weeks, 14 factors
    python3 bench/dask_workers.py --funds 5000

The data: a `synth universe` (Parquet), its wide returns split by fund into 8 partitions.
Each run is timed from submission to the last partition written (the cluster is started
beforehand); the ratio 1 worker / 2 workers is the speed-up on this 2-core machine.
"""

import argparse
import os
import shutil
import subprocess
import sys
import time

from common import BINARY, DATA_ROOT, ROOT, build_if_missing, ensure_venv, load_str, machine

ensure_venv(["peergroup", "distributed", "pyarrow", "pandas"],
            [os.path.join(ROOT, "python"), "dask[distributed]", "pyarrow", "pandas"])

import pyarrow.parquet as pq  # noqa: E402
from dask.distributed import Client, LocalCluster  # noqa: E402

from peergroup import distributed as pgd  # noqa: E402

PARTS = 8


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--funds", type=int, default=20_000)
    args = ap.parse_args()
    build_if_missing()
    m = machine()
    print(f"machine: {m['nproc']} cores, {m['cpu']}, {m['mem']}; load {load_str()}")
    d = os.path.join(DATA_ROOT, f"distributed_{args.funds}")
    u = os.path.join(d, "u")
    if not os.path.exists(os.path.join(u, "funds.parquet")):
        subprocess.run([BINARY, "synth", "universe", "--funds", str(args.funds), "--factors",
                        "14", "--periods", "260", "--groups", "8", "--seed", "3", "--format",
                        "parquet", "--out", u, "--force"], check=True, capture_output=True)
    parts = os.path.join(d, "returns")
    if not os.path.exists(parts):
        os.makedirs(parts)
        wide = pq.read_table(os.path.join(u, "funds.parquet"))
        ids = [c for c in wide.column_names if c != "date"]
        per = (len(ids) + PARTS - 1) // PARTS
        for i in range(PARTS):
            pq.write_table(wide.select(["date", *ids[i * per:(i + 1) * per]]),
                           os.path.join(parts, f"part-{i}.parquet"))
    factors = os.path.join(u, "factors.csv")
    attrs = os.path.join(u, "factor_attributes.csv")
    print(f"{args.funds:,} funds, 260 weeks, 14 factors, {PARTS} partitions")
    print(f"  {'workers':<8} {'style, rolling 104 step 4':>26} {'top-10 peers, blocks of 2,500':>31}")
    times = {}
    for workers in (1, 2):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=":0")
        client = Client(cluster)
        out = os.path.join(d, f"out_{workers}")
        shutil.rmtree(out, ignore_errors=True)
        t0 = time.perf_counter()
        pgd.style(client, parts, factors, os.path.join(out, "rolling"), window=104, step=4,
                  threads=1)
        t_style = time.perf_counter() - t0
        # Whole-sample exposures for the peers (one date).
        pgd.style(client, parts, factors, os.path.join(out, "exposures"), threads=1)
        t0 = time.perf_counter()
        report = pgd.top_k(client, os.path.join(out, "exposures"), 10, os.path.join(out, "top"),
                           block=2_500, factor_attributes=attrs, threads=1)
        t_top = time.perf_counter() - t0
        times[workers] = (t_style, t_top)
        print(f"  {workers:<8} {t_style:24.1f} s {t_top:29.1f} s   ({report})")
        client.close()
        cluster.close()
    (s1, k1), (s2, k2) = times[1], times[2]
    print(f"  speed-up with 2 workers: style {s1 / s2:.2f}x, top-k {k1 / k2:.2f}x")


if __name__ == "__main__":
    sys.exit(main())
