#!/usr/bin/env python3
"""Benchmark the AT-GARCH rating (`peergroup rate`) against Python `arch`.

    python3 bench/garch.py                  # 200 series x 1,600 days; 10,000-fund rating run
    python3 bench/garch.py --py-funds 50 --skip-large

What it does:

* generates a universe once with `peergroup synth garch --funds 200 --periods 1600 --seed 1`
  into bench/data/garch_200/ (and, unless --skip-large, 10,000 funds into
  bench/data/garch_10000/), reused on later runs (--regen to rebuild);
* fits GARCH(1,1) with a constant mean and Gaussian errors to the first --py-funds series
  with `arch` (arch_model(100*r, mean="Constant", vol="GARCH", p=1, q=1).fit(disp="off"):
  arch asks for percent-scaled data and stalls on fractions), one core, and reports fits
  per second;
* runs the Rust benchmark `cargo bench -p peergroup-rating --bench garch` on the same file:
  the same GARCH(1,1) fit (δ = 0) one series after another on one core, and the full
  rating of each series (AT-GARCH fit, robust t-tests, restricted refit, ARCH-LM, risk
  decomposition); prints fits per second, the ratio to arch, and the largest differences
  of alpha, beta and log-likelihood between the two on the series both fitted;
* times `peergroup rate --threads 2` on the 10,000-fund universe (whole process).

The script runs itself inside bench/.venv (created on first use; numpy, pandas and arch are
installed from PyPI when missing).
"""

import argparse
import json
import os
import subprocess
import time

from common import BINARY, DATA_ROOT, ROOT, ensure_venv

PY_DEPS = ["numpy", "pandas", "arch"]

TARGET_FITS_PER_CORE = 500.0
TARGET_RATIO = 20.0
TARGET_LARGE_S = 30.0


def universe(funds, regen):
    d = os.path.join(DATA_ROOT, f"garch_{funds}")
    path = os.path.join(d, "returns.csv")
    if regen or not os.path.exists(path):
        subprocess.run([BINARY, "synth", "garch", "--funds", str(funds), "--periods", "1600",
                        "--seed", "1", "--out", d, "--force"], check=True,
                       stdout=subprocess.DEVNULL)
    return path


def main():
    ensure_venv(PY_DEPS)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    import numpy as np
    import pandas as pd
    from arch import arch_model

    ap = argparse.ArgumentParser()
    ap.add_argument("--py-funds", type=int, default=100)
    ap.add_argument("--skip-large", action="store_true")
    ap.add_argument("--regen", action="store_true")
    args = ap.parse_args()

    subprocess.run(["cargo", "build", "--release", "-p", "peergroup"], cwd=ROOT, check=True)
    path = universe(200, args.regen)
    data = pd.read_csv(path)
    funds = list(data.columns[1:])[: args.py_funds]

    py = {}
    start = time.perf_counter()
    for f in funds:
        res = arch_model(100 * data[f].to_numpy(), mean="Constant", vol="GARCH", p=1,
                         q=1, dist="normal", rescale=False).fit(disp="off")
        py[f] = (res.params["alpha[1]"], res.params["beta[1]"],
                 res.loglikelihood + len(data) * np.log(100.0))
    py_s = time.perf_counter() - start
    py_rate = len(funds) / py_s

    env = dict(os.environ, PEERGROUP_GARCH_CSV=path)
    out = subprocess.run(["cargo", "bench", "-q", "-p", "peergroup-rating", "--bench", "garch"],
                         cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    lines = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
    summary = lines[-1]
    ours = {l["fund"]: l for l in lines[:-1]}
    # alpha and beta are compared where the GARCH term is identified (alpha > 0.01 in
    # both fits): with alpha near 0, beta barely moves the likelihood.
    ident = [f for f in funds if ours[f]["alpha"] > 0.01 and py[f][0] > 0.01]
    d_alpha = max(abs(ours[f]["alpha"] - py[f][0]) for f in ident)
    d_beta = max(abs(ours[f]["beta"] - py[f][1]) for f in ident)
    d_ll = max(ours[f]["loglik"] - py[f][2] for f in funds)
    worse_ll = min(ours[f]["loglik"] - py[f][2] for f in funds)

    print(f"\nGARCH(1,1), T = {summary['periods']}, one core")
    print(f"  arch (Python)  {py_rate:9.1f} fits/s  ({1e3 / py_rate:.2f} ms/fit, {len(funds)} series)")
    print(f"  peergroup      {summary['garch_fits_per_s']:9.1f} fits/s  ({summary['garch_ms_per_fit']:.2f} ms/fit, {summary['series']} series)"
          f"   target >= {TARGET_FITS_PER_CORE:.0f}")
    print(f"  ratio          {summary['garch_fits_per_s'] / py_rate:9.1f} x            target >= {TARGET_RATIO:.0f}x")
    print(f"  full rating    {summary['ratings_per_s']:9.1f} series/s (AT-GARCH + t-tests + refit + ARCH-LM + risk)")
    print(f"  max |d alpha| {d_alpha:.2e}, max |d beta| {d_beta:.2e} on {len(ident)} identified series;"
          f" loglik ours - arch in [{worse_ll:.2e}, {d_ll:.2e}] on all {len(funds)}")

    if not args.skip_large:
        big = universe(10000, args.regen)
        outp = os.path.join(DATA_ROOT, "garch_10000", "ratings.csv")
        start = time.perf_counter()
        subprocess.run([BINARY, "--threads", "2", "rate", "--series", big, "--out", outp,
                        "--force"], check=True)
        s = time.perf_counter() - start
        print(f"\n10,000 funds x 1,600 days rated (whole process, 2 threads): {s:.1f} s"
              f"   target < {TARGET_LARGE_S:.0f} s")


if __name__ == "__main__":
    main()
