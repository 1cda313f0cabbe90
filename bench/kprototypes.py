#!/usr/bin/env python3
"""Benchmark peergroup's k-prototypes (crates/cluster) against Python `kmodes`' KPrototypes.

    python3 bench/kprototypes.py                          # 1M rows, kmodes on the first 50,000
    python3 bench/kprototypes.py --kmodes-rows 20000      # smaller kmodes subsample
    python3 bench/kprototypes.py --kmodes-rows 1000000    # kmodes on everything (~7 min)
    python3 bench/kprototypes.py --rows 200000 --regen    # another data size

What it does:

* generates, once, a mixed data set into bench/data/kprototypes/ (numpy default_rng(--seed),
  default 1,000,000 rows): five planted groups (uniform), 25 numeric features = group
  centre N(0, 1.5^2) + N(0, 1) noise, then z-scored per column (as the segment stage
  does); 4 categorical features with 3, 5, 8 and 12 levels, each cell the group's own
  level with probability 0.6, otherwise uniform. Stored as raw little-endian arrays
  (numeric.f64 n x 25, categorical.u32 n x 4, shape.txt "n p q"); --regen rebuilds them;
* peergroup: `cargo bench -p peergroup-cluster --bench kprototypes -- --rows ... --restarts
  1 --restarts 10` with PEERGROUP_KPROTO_DATA pointing at those files. The bench binary
  reads the arrays (not timed) and times `kprototypes()` (k = 5, gamma = kmodes' default
  0.5 x mean column sd, greedy k-means++ seeding, batch assign/update, default tolerance
  1e-5) on the first --kmodes-rows rows and on all rows, with 1 and 10 restarts, on all
  cores (2 here);
* kmodes: `KPrototypes(n_clusters=5, init="Cao", n_init=1, max_iter=100, gamma=None,
  n_jobs=1, random_state=0)` (its defaults apart from n_init) on the first --kmodes-rows
  rows, one core (kmodes parallelises only across n_init, with joblib); wall clock of
  `fit`. kmodes loops over rows in Python, so its time per iteration is linear in the
  rows: the whole-data time is extrapolated as t(subsample) x rows / subsample, and the
  iteration counts of both are printed, since the extrapolation assumes kmodes would need
  as many iterations on all rows as on the subsample;
* prints the ratios: on the same subsample (measured both sides, 1 restart each), and
  kmodes extrapolated to all rows vs peergroup measured on all rows; plus both costs on
  the subsample (same gamma: both use 0.5 x mean sd of the subsample's numeric columns).

Targets: 1M rows x (25 + 4) features, k = 5, well under 60 s on 2 cores (10 restarts,
peergroup's default) and >= 5x kmodes.

Cargo runs with CARGO_TARGET_DIR=/tmp/target-bench unless the environment sets it. The
script re-runs itself inside bench/.venv (created if needed; numpy and kmodes installed
when missing). Results also go to bench/data/kprototypes/out/results.json.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
from datetime import datetime

from common import BENCH_TARGET_DIR as TARGET_DIR
from common import DATA_ROOT, ROOT, ensure_venv, load_str, machine

DATA = os.path.join(DATA_ROOT, "kprototypes")
OUT = os.path.join(DATA, "out")
PY_DEPS = ["numpy", "kmodes"]

P, LEVELS, GROUPS, K = 25, [3, 5, 8, 12], 5, 5
TARGET_S, TARGET_RATIO = 60.0, 5.0


def generate(rows, seed, regen):
    import numpy as np

    shape_path = os.path.join(DATA, "shape.txt")
    meta_path = os.path.join(DATA, "meta.json")
    want = {"rows": rows, "p": P, "levels": LEVELS, "groups": GROUPS, "seed": seed}
    if not regen and os.path.exists(meta_path):
        with open(meta_path) as f:
            if json.load(f) == want:
                print(f"[bench] reusing {DATA} ({rows:,} rows)", flush=True)
                return
    os.makedirs(DATA, exist_ok=True)
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    q = len(LEVELS)
    centres = 1.5 * rng.normal(size=(GROUPS, P))
    own = np.stack([rng.integers(0, lv, size=GROUPS) for lv in LEVELS], axis=1)
    group = rng.integers(0, GROUPS, size=rows)
    numeric = centres[group] + rng.normal(size=(rows, P))
    numeric = (numeric - numeric.mean(axis=0)) / numeric.std(axis=0)
    categorical = np.empty((rows, q), dtype=np.uint32)
    for j, lv in enumerate(LEVELS):
        agree = rng.random(rows) < 0.6
        categorical[:, j] = np.where(agree, own[group, j], rng.integers(0, lv, size=rows))
    numeric.astype("<f8").tofile(os.path.join(DATA, "numeric.f64"))
    categorical.astype("<u4").tofile(os.path.join(DATA, "categorical.u32"))
    with open(shape_path, "w") as f:
        f.write(f"{rows} {P} {q}\n")
    with open(meta_path, "w") as f:
        json.dump(want, f)
    print(f"[bench] generated {rows:,} rows into {DATA} in {time.perf_counter() - t0:.1f} s",
          flush=True)


def load(rows):
    import numpy as np

    numeric = np.fromfile(os.path.join(DATA, "numeric.f64"), dtype="<f8").reshape(rows, P)
    categorical = np.fromfile(os.path.join(DATA, "categorical.u32"),
                              dtype="<u4").reshape(rows, len(LEVELS))
    return numeric, categorical


def run_peergroup(sub_rows, rows, build):
    env = dict(os.environ, CARGO_TARGET_DIR=TARGET_DIR, PEERGROUP_KPROTO_DATA=DATA)
    sizes = [str(sub_rows)] + ([str(rows)] if rows != sub_rows else [])
    cmd = ["cargo", "bench", "-q", "-p", "peergroup-cluster", "--bench", "kprototypes", "--",
           *[a for m in sizes for a in ("--rows", m)], "--restarts", "1", "--restarts", "10",
           "--k", str(K)]
    if build:
        subprocess.run(["cargo", "bench", "-q", "-p", "peergroup-cluster", "--bench",
                        "kprototypes", "--no-run"], cwd=ROOT, env=env, check=True)
    print(f"[bench] {' '.join(cmd)}  (load {load_str()})", flush=True)
    out = subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    runs = []
    for line in out.splitlines():
        print("   ", line, flush=True)
        if line.startswith("kprototypes "):
            kv = dict(re.findall(r"(\w+)=(\S+)", line))
            runs.append({"rows": int(kv["rows"]), "restarts": int(kv["restarts"]),
                         "seconds": float(kv["seconds"]), "iterations": int(kv["iterations"]),
                         "converged": kv["converged"] == "true", "cost": float(kv["cost"]),
                         "gamma": float(kv["gamma"])})
    return runs


def run_kmodes(numeric, categorical):
    import numpy as np
    from kmodes.kprototypes import KPrototypes

    p, q = numeric.shape[1], categorical.shape[1]
    x = np.hstack([numeric, categorical.astype(np.float64)])
    model = KPrototypes(n_clusters=K, init="Cao", n_init=1, max_iter=100, gamma=None,
                        n_jobs=1, random_state=0)
    print(f"[bench] kmodes KPrototypes on {len(x):,} rows (load {load_str()})", flush=True)
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    model.fit(x, categorical=list(range(p, p + q)))
    seconds = time.perf_counter() - t0
    return {"rows": len(x), "seconds": seconds, "cpu_seconds": time.process_time() - cpu0,
            "iterations": int(model.n_iter_), "cost": float(model.cost_),
            "gamma": float(model.gamma)}


def main():
    ensure_venv(PY_DEPS)
    import kmodes
    import numpy as np

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--kmodes-rows", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--regen", action="store_true")
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    sub = min(args.kmodes_rows, args.rows)

    info = machine()
    print(f"[bench] {datetime.now().isoformat(timespec='seconds')} nproc={info['nproc']} "
          f"cpu={info['cpu']!r} python {sys.version.split()[0]} numpy {np.__version__} "
          f"kmodes {getattr(kmodes, '__version__', '?')} load {load_str()}", flush=True)
    generate(args.rows, args.seed, args.regen)
    pg = run_peergroup(sub, args.rows, not args.no_build)
    numeric, categorical = load(args.rows)
    km = run_kmodes(np.ascontiguousarray(numeric[:sub]), np.ascontiguousarray(categorical[:sub]))

    def pick(rows, restarts):
        return next(r for r in pg if r["rows"] == rows and r["restarts"] == restarts)

    pg_sub, pg_full, pg_full10 = pick(sub, 1), pick(args.rows, 1), pick(args.rows, 10)
    pg_sub10 = pick(sub, 10)
    km_full = km["seconds"] * args.rows / sub
    same = km["seconds"] / pg_sub["seconds"]
    same10 = km["seconds"] / pg_sub10["seconds"]
    full = km_full / pg_full["seconds"]
    full10 = km_full / pg_full10["seconds"]
    print()
    print(f"{'run':<44} {'rows':>10} {'s':>9} {'iters':>6} {'cost':>16}")
    print(f"{'kmodes KPrototypes (Cao, n_init=1, 1 core)':<44} {sub:>10,} {km['seconds']:>9.2f} "
          f"{km['iterations']:>6} {km['cost']:>16.2f}")
    print(f"{'peergroup kprototypes (1 restart)':<44} {sub:>10,} {pg_sub['seconds']:>9.3f} "
          f"{pg_sub['iterations']:>6} {pg_sub['cost']:>16.2f}")
    print(f"{'peergroup kprototypes (10 restarts)':<44} {sub:>10,} {pg_sub10['seconds']:>9.3f} "
          f"{pg_sub10['iterations']:>6} {pg_sub10['cost']:>16.2f}")
    if sub != args.rows:
        print(f"{'kmodes extrapolated (x rows / subsample)':<44} {args.rows:>10,} "
              f"{km_full:>9.1f} {'':>6} {'':>16}")
        print(f"{'peergroup kprototypes (1 restart)':<44} {args.rows:>10,} "
              f"{pg_full['seconds']:>9.3f} {pg_full['iterations']:>6} {pg_full['cost']:>16.2f}")
        print(f"{'peergroup kprototypes (10 restarts)':<44} {args.rows:>10,} "
              f"{pg_full10['seconds']:>9.3f} {pg_full10['iterations']:>6} "
              f"{pg_full10['cost']:>16.2f}")
    print()
    print(f"gamma: kmodes {km['gamma']:.6f}, peergroup {pg_sub['gamma']:.6f} (subsample)")
    print(f"cost on the subsample, peergroup / kmodes: 1 restart {pg_sub['cost'] / km['cost']:.6f}, "
          f"10 restarts {pg_sub10['cost'] / km['cost']:.6f}")
    print(f"ratio kmodes (1 run) / peergroup, same {sub:,} rows, measured: "
          f"{same:.1f}x (1 restart), {same10:.1f}x (10 restarts)")
    how = "extrapolated" if sub != args.rows else "measured"
    print(f"ratio, {args.rows:,} rows, kmodes {how}: {full:.1f}x (1 restart), "
          f"{full10:.1f}x (10 restarts)  (target >= {TARGET_RATIO:.0f}x: "
          f"{'ok' if min(full, full10) >= TARGET_RATIO else 'MISS'})")
    print(f"peergroup {args.rows:,} rows, 10 restarts: {pg_full10['seconds']:.1f} s  "
          f"(target < {TARGET_S:.0f} s: {'ok' if pg_full10['seconds'] < TARGET_S else 'MISS'})")
    print(f"load average at the end: {load_str()}")

    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump({"machine": info, "date": datetime.now().isoformat(timespec="seconds"),
                   "rows": args.rows, "kmodes_rows": sub, "kmodes": km, "peergroup": pg,
                   "kmodes_extrapolated_s": km_full, "ratio_same_rows": same,
                   "ratio_same_rows_10_restarts": same10, "ratio_full": full,
                   "ratio_full_10_restarts": full10, "load_end": load_str()}, f, indent=1)


if __name__ == "__main__":
    main()
