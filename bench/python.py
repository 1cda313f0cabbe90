#!/usr/bin/env python3
"""Benchmark the Python package against the command line doing the same work, and
against the quadprog loop an analyst would write.

    python3 bench/python.py                 # 2,000-fund rolling style; 5,000-fund similarity
    python3 bench/python.py --repeat 5

What it does (inside bench/.venv, with ./python, pandas and quadprog installed when
missing):

* style: the 2,000-fund, 260-week universe of bench/style.py (bench/data/style_2000),
  `peergroup style --window 104 --step 1 --out x.parquet` (whole process) against
  `pg.style(funds, factors, window=104, step=1)` on the same two DataFrames already in
  memory (as a notebook holds them): best of --repeat each; the overhead is
  Python / command − 1 (target under 10%);
* similarity: 5,000 funds (a `synth universe --funds 5000` generated once into
  bench/data/python_5000), whole-sample exposures, then `peergroup similarity` against
  `pg.similarity` on the exposures DataFrame; same overhead;
* style through Python against the per-window quadprog loop (bench/style.py's, on the
  first 50 funds, one core): window-fits per second of `pg.style` over those of the
  loop, both per core (target at least 50x).
"""

import argparse
import os
import subprocess
import sys
import time

from common import BINARY, DATA_ROOT, ROOT, build_if_missing, ensure_venv, load_str, machine

ensure_venv(
    ["peergroup", "pandas", "quadprog", "pyarrow"],
    [os.path.join(ROOT, "python"), "pandas", "quadprog", "pyarrow", "numpy"],
    env={"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
)

import pandas as pd  # noqa: E402

import peergroup as pg  # noqa: E402
import style as style_bench  # noqa: E402


def best(f, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times)


def cli(*args):
    r = subprocess.run([BINARY, *map(str, args)], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(r.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--py-funds", type=int, default=50)
    args = ap.parse_args()
    build_if_missing()
    m = machine()
    print(f"machine: {m['nproc']} cores, {m['cpu']}, {m['mem']}; load {load_str()}")
    tmp = os.path.join(DATA_ROOT, "python_out")
    os.makedirs(tmp, exist_ok=True)

    # Style, 2,000 funds, rolling 104 weeks.
    d = style_bench.synth("style_2000", 2000, False)
    fpath, xpath = os.path.join(d, "funds.csv"), os.path.join(d, "factors.csv")
    funds, factors = pd.read_csv(fpath), pd.read_csv(xpath)
    out = os.path.join(tmp, "style.parquet")
    t_cli = best(lambda: cli("style", "--returns", fpath, "--factors", xpath, "--window", 104,
                             "--step", 1, "--out", out, "--force"), args.repeat)
    exposures = None

    def py_style():
        nonlocal exposures
        exposures = pg.style(funds, factors, window=104, step=1)

    t_py = best(py_style, args.repeat)
    fits = exposures.groupby(["fund", "date"]).ngroups
    print("style: 2,000 funds x 260 weeks, rolling 104, step 1")
    print(f"  peergroup style (whole process, CSV in, Parquet out)   {t_cli:7.2f} s")
    print(f"  pg.style (DataFrames in and out)                        {t_py:7.2f} s")
    print(f"  overhead of Python {100 * (t_py / t_cli - 1):+6.1f} %   target < 10%")

    # Style through Python against the quadprog loop, per core.
    secs, loop_fits, _ridge, _res, _names = style_bench.python_loop(
        style_bench.read_wide(fpath), style_bench.read_wide(xpath), args.py_funds)
    cores = m["nproc"]
    py_rate = fits / (t_py * cores)
    loop_rate = loop_fits / secs
    print(f"  quadprog loop: {loop_fits:,} fits on {args.py_funds} funds in {secs:.2f} s "
          f"({loop_rate:,.0f} fits/s on one core)")
    print(f"  pg.style: {fits:,} fits, {py_rate:,.0f} fits/s per core")
    print(f"  ratio {py_rate / loop_rate:6.0f} x   target >= 50x")

    # Similarity, 5,000 funds.
    d5 = os.path.join(DATA_ROOT, "python_5000")
    if not os.path.exists(os.path.join(d5, "funds.csv")):
        cli("synth", "universe", "--funds", 5000, "--periods", 260, "--groups", 8,
            "--seed", 1, "--out", d5, "--force")
    attrs = pd.read_csv(os.path.join(d5, "factor_attributes.csv"))
    whole = pg.style(os.path.join(d5, "funds.csv"), os.path.join(d5, "factors.csv"))
    exp_path = os.path.join(tmp, "exposures_5000.parquet")
    whole.to_parquet(exp_path, index=False)
    sim_out = os.path.join(tmp, "similarity.parquet")
    t_cli = best(lambda: cli("similarity", "--exposures", exp_path, "--factor-attributes",
                             os.path.join(d5, "factor_attributes.csv"), "--out", sim_out,
                             "--force"), args.repeat)
    t_py = best(lambda: pg.similarity(whole, factor_attributes=attrs), args.repeat)
    print("similarity: 5,000 funds, whole-sample exposures (12.5M pairs)")
    print(f"  peergroup similarity (whole process, Parquet in/out)    {t_cli:7.2f} s")
    print(f"  pg.similarity (DataFrames in and out)                   {t_py:7.2f} s")
    print(f"  overhead of Python {100 * (t_py / t_cli - 1):+6.1f} %   target < 10%")


if __name__ == "__main__":
    sys.exit(main())
