#!/usr/bin/env python3
"""Benchmark `peergroup evolve` against a NumPy/SciPy loop doing the same per date.

    python3 bench/evolve.py                       # 2,000 funds x 260 weekly dates
    python3 bench/evolve.py --funds 500 --dates 60 --loop-dates 60

Data (numpy default_rng(--seed), written once to bench/data/evolve/<funds>x<dates>/):
8 style groups with sparse long-only prototypes over 12 factors; each fund's exposures are
its group's prototype tilted multiplicatively by an AR(1) (weekly persistence 0.98), ~20%
of funds migrating to another group's prototype over 13 weeks at a random date; rows
fund,date,factor,beta (every factor, zeros included) in exposures.parquet, and a random
symmetric factor-similarity matrix (unit diagonal) in factor_similarity.csv.

Both sides report wall clock and CPU seconds (peergroup: getrusage of the child; the
loop: process_time, which includes any threads NumPy starts): on a machine shared with
other jobs the wall clock of the parallel side suffers most, so the CPU ratio is the
steadier comparison.

peergroup: `peergroup evolve --exposures ... --factor-similarity ... --average
ma:1,ma:4,ma:13 --k 8 --horizons 1,4,13 --out ... --force`, whole-process wall clock
(read, every date's similarity, 3 x 260 average linkages and cuts, alignment, stability,
transitions, themes, every file written), best of --repeat.

The loop (what an analyst would write): for each date, S* of the funds (S_SYST(A,B) =
sum_i sum_j max(0, 1 - |b^A_i - b^B_j|) S_X(i,j) by NumPy broadcasting over the factor
pairs with S_X != 0, 256 rows at a time, then S* = S / sqrt(diag diag^T)); a deque of the
last 13 matrices; for each rule the mean of the last p (from the p-th date on),
scipy.cluster.hierarchy.linkage(1 - S, "average") on the condensed distances,
fcluster(maxclust=8), and the alignment with the previous date by
scipy.optimize.linear_sum_assignment on the contingency table (new clusters get fresh
labels); then the same stability. It runs on the first --loop-dates dates (default 26)
and its time is scaled to all dates (per-date cost is the same at every date once the
13-date window is full; the first 12 dates do fewer averages, so the scaling slightly
underestimates the loop). Agreement: ARI of peergroup's and the loop's clusters of
ma:1 on each loop date (they coincide up to ties in the linkage).
"""

import argparse
import os
import sys
import time

from common import DATA_ROOT, build_if_missing, ensure_venv, load_str, machine, run_timed
from common import BINARY

ensure_venv(["numpy", "scipy", "pyarrow"])

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from collections import deque  # noqa: E402

RULES = [1, 4, 13]
K = 8
TARGET_S = 30.0
TARGET_RATIO = 20.0


def generate(funds, dates, seed, out):
    rng = np.random.default_rng(seed)
    nf, groups = 12, K
    proto = np.zeros((groups, nf))
    for g in range(groups):
        held = rng.choice(nf, size=rng.integers(2, 5), replace=False)
        w = rng.uniform(0.1, 1.0, size=len(held))
        proto[g, held] = w / w.sum()
    group = rng.integers(0, groups, size=funds)
    target = rng.integers(0, groups, size=funds)
    moves = rng.uniform(size=funds) < 0.2
    start = rng.integers(0, max(1, dates - 13), size=funds)
    z = rng.normal(size=(funds, nf)) * 0.3
    betas = np.empty((dates, funds, nf))
    for t in range(dates):
        z = 0.98 * z + np.sqrt(1 - 0.98**2) * 0.3 * rng.normal(size=(funds, nf))
        frac = np.where(moves, np.clip((t - start) / 13.0, 0.0, 1.0), 0.0)[:, None]
        p = (1 - frac) * proto[group] + frac * proto[target]
        b = p * np.exp(z)
        betas[t] = b / b.sum(axis=1, keepdims=True)
    sx = rng.uniform(0, 1, size=(nf, nf))
    sx = (sx + sx.T) / 2
    np.fill_diagonal(sx, 1.0)
    names = [f"F{i:02d}" for i in range(nf)]
    day0 = np.datetime64("2020-01-03")
    days = day0 + np.arange(dates) * 7
    fund_names = np.array([f"FUND{i:05d}" for i in range(funds)])
    t_idx, f_idx, k_idx = np.meshgrid(np.arange(dates), np.arange(funds), np.arange(nf), indexing="ij")
    table = pa.table({
        "fund": fund_names[f_idx.ravel()],
        "date": days[t_idx.ravel()].astype("datetime64[D]"),
        "factor": np.array(names)[k_idx.ravel()],
        "beta": betas.ravel(),
    })
    os.makedirs(out, exist_ok=True)
    pq.write_table(table, os.path.join(out, "exposures.parquet"))
    with open(os.path.join(out, "factor_similarity.csv"), "w") as f:
        f.write("factor," + ",".join(names) + "\n")
        for i, n in enumerate(names):
            f.write(n + "," + ",".join(f"{v:.17g}" for v in sx[i]) + "\n")
    np.save(os.path.join(out, "betas.npy"), betas)
    np.save(os.path.join(out, "sx.npy"), sx)


def s_star(b, sx):
    n, k = b.shape
    s = np.zeros((n, n))
    pairs = [(i, j) for i in range(k) for j in range(k) if sx[i, j] != 0]
    for r0 in range(0, n, 256):
        blk = s[r0:r0 + 256]
        for i, j in pairs:
            blk += sx[i, j] * np.maximum(0.0, 1.0 - np.abs(b[r0:r0 + 256, i, None] - b[None, :, j]))
    d = np.sqrt(np.diag(s))
    return s / np.outer(d, d)


def align(prev, cur, next_label):
    from scipy.optimize import linear_sum_assignment
    if prev is None:
        return cur.copy(), cur.max() + 1
    cu, ci = np.unique(cur, return_inverse=True)
    pu, pi = np.unique(prev, return_inverse=True)
    table = np.zeros((len(cu), len(pu)), dtype=np.int64)
    np.add.at(table, (ci, pi), 1)
    rows, cols = linear_sum_assignment(-table)
    mapping = {}
    for r, c in zip(rows, cols):
        if table[r, c] > 0:
            mapping[cu[r]] = pu[c]
    out = np.empty_like(cur)
    for idx, c in enumerate(cu):
        if c not in mapping:
            mapping[c] = next_label
            next_label += 1
        out[ci == idx] = mapping[c]
    return out, next_label


def loop(betas, sx, n_dates):
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform
    window = deque(maxlen=max(RULES))
    state = {p: (None, 0) for p in RULES}
    labels = {p: {} for p in RULES}
    for t in range(n_dates):
        window.append(s_star(betas[t], sx))
        for p in RULES:
            if len(window) < p:
                continue
            s = sum(list(window)[-p:]) / p
            # scipy refuses the tiny negative distances rounding gives S* slightly above 1
            d = np.maximum(squareform(1.0 - s, checks=False), 0.0)
            z = linkage(d, method="average")
            cur = fcluster(z, K, criterion="maxclust")
            prev, nxt = state[p]
            al, nxt = align(prev, cur, nxt)
            state[p] = (al, nxt)
            labels[p][t] = al
    return labels


def ari(a, b):
    from scipy.special import comb
    au, ai = np.unique(a, return_inverse=True)
    bu, bi = np.unique(b, return_inverse=True)
    table = np.zeros((len(au), len(bu)), dtype=np.int64)
    np.add.at(table, (ai, bi), 1)
    sum_comb = comb(table, 2).sum()
    sa, sb = comb(table.sum(1), 2).sum(), comb(table.sum(0), 2).sum()
    expected = sa * sb / comb(len(a), 2)
    return (sum_comb - expected) / ((sa + sb) / 2 - expected)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--funds", type=int, default=2000)
    ap.add_argument("--dates", type=int, default=260)
    ap.add_argument("--loop-dates", type=int, default=26)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    build_if_missing()
    data = os.path.join(DATA_ROOT, "evolve", f"{args.funds}x{args.dates}")
    if not os.path.exists(os.path.join(data, "betas.npy")):
        print(f"[bench] generating {data}", flush=True)
        generate(args.funds, args.dates, args.seed, data)
    out = os.path.join(data, "out")
    cmd = [BINARY, "evolve", "--exposures", os.path.join(data, "exposures.parquet"),
           "--factor-similarity", os.path.join(data, "factor_similarity.csv"),
           "--average", ",".join(f"ma:{p}" for p in RULES), "--k", str(K),
           "--horizons", "1,4,13", "--out", out, "--force"]
    import resource
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    pg = min(run_timed(cmd) for _ in range(args.repeat))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    pg_cpu = ((after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)) / args.repeat
    print(f"[bench] peergroup evolve {pg:.2f} s; running the loop on {args.loop_dates} dates", flush=True)
    betas, sx = np.load(os.path.join(data, "betas.npy")), np.load(os.path.join(data, "sx.npy"))
    n_loop = min(args.loop_dates, args.dates)
    t0, c0 = time.perf_counter(), time.process_time()
    labels = loop(betas, sx, n_loop)
    loop_s = (time.perf_counter() - t0) * args.dates / n_loop
    loop_cpu = (time.process_time() - c0) * args.dates / n_loop
    # agreement of ma:1 on the loop's dates
    import csv
    rust = {}
    with open(os.path.join(out, "assignments.csv")) as f:
        for row in csv.DictReader(f):
            if row["average"] == "ma:1":
                rust.setdefault(row["date"], []).append(int(row["cluster"]))
    dates = sorted(rust)[:n_loop]
    aris = [ari(np.array(rust[d]), labels[1][t]) for t, d in enumerate(dates)]
    m = machine()
    print(f"machine: {m['nproc']} CPUs, {m['cpu']}, {m['mem']}; load {load_str()}")
    print(f"data: {args.funds} funds x {args.dates} weekly dates x 12 factors; rules {RULES}, k = {K}")
    print(f"peergroup evolve: {pg:.2f} s wall, {pg_cpu:.1f} s CPU (target < {TARGET_S:.0f} s wall)")
    print(f"NumPy/SciPy loop: {loop_s:.1f} s wall, {loop_cpu:.1f} s CPU (measured on {n_loop} dates, scaled to {args.dates})")
    print(f"ratio: {loop_s / pg:.1f}x wall, {loop_cpu / pg_cpu:.1f}x CPU (target >= {TARGET_RATIO:.0f}x)")
    print(f"ARI of ma:1 clusters, peergroup vs loop, over {len(aris)} dates: min {min(aris):.4f}, mean {np.mean(aris):.4f}")


if __name__ == "__main__":
    sys.exit(main())
