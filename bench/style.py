#!/usr/bin/env python3
"""Benchmark `peergroup style` (rolling Sharpe style analysis, and DSA) against a Python loop.

    python3 bench/style.py                   # 2,000 funds x 260 weeks, Python on the first 50
    python3 bench/style.py --py-funds 100    # Python loop on the first 100 funds
    python3 bench/style.py --repeat 5 --skip-dsa

What it does:

* generates two universes once with `peergroup synth universe --factors 13 --periods 260
  --groups 8 --seed 1` into bench/data/style_2000/ (2,000 funds) and bench/data/style_50/
  (50 funds), reused on later runs (--regen to rebuild);
* times `peergroup style --window 104 --step 1` (Sharpe: Σβ = 1, β ≥ 0) on the 2,000-fund
  universe, whole process wall clock, best of --repeat runs, with `--threads 2` and
  `--threads 1`, and counts window-fits (rows of --fit-out); from `-v` it also takes the
  time of each step (reading, estimating exposures, writing);
* times the loop an analyst would write (the FactorAnalytics way): for each fund and each
  104-week window build G = X'X and a = X'r and call quadprog.solve_qp(G, a, C, b, meq=1)
  with C encoding Σβ = 1 and β ≥ 0. It runs on the first --py-funds funds of the same file
  on one core (BLAS pinned to one thread) and the per-fit throughput is extrapolated to the
  whole universe;
* compares those Python betas with peergroup's exposures for the same (fund, window end
  date, factor) and prints max |Δβ|;
* times the whole job as a Python script does it, like for like with the command: read
  both CSVs with pandas, the same quadprog loop, R²/adjusted R²/tracking error from the
  residuals, and both long tables written with pyarrow's CSV writer; on the first
  --py-funds funds, extrapolated (reading as measured, the rest per fit);
* prints three ratios, per core: window-fit throughput, i.e. peergroup's estimation step
  (fits and statistics, no I/O) against the loop (fits, no I/O), the ratio the ≥ 50×
  target is checked on; whole job against whole job (`--threads 1` against the script);
  and the whole command against the loop alone, which reads, computes and writes nothing
  else (the most conservative); plus the whole process per CPU-second;
* times `peergroup style --method dsa --no-long-only` (λ auto, whole sample) on the
  50-fund universe and prints ms per fund. There is no Python peer for DSA.

The script runs itself inside bench/.venv (created on first use; numpy, pandas, pyarrow,
quadprog and scipy are installed from PyPI when missing) and runs `cargo build --release` when
target/release/peergroup is missing or older than the sources (--no-build to skip;
--binary PATH times another build, e.g. an older one, without building).
"""

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time

import common
from common import DATA_ROOT, ROOT, ensure_venv, load_str

# The binary timed; --binary replaces it.
BINARY = common.BINARY
PY_DEPS = ["numpy", "pandas", "pyarrow", "quadprog", "scipy"]

# Universe shape (the product plan's reference case) and the rolling window.
FACTORS, PERIODS, GROUPS, SEED = 13, 260, 8, 1
WINDOW, STEP = 104, 1

# Targets from the product plan, printed next to the results.
TARGET_FITS_PER_CORE = 50_000.0  # window-fits per second per core
TARGET_LARGE_S = 10.0  # 2,000 funds x 260 weeks in < 10 s on 2 cores
TARGET_RATIO = 50.0  # >= 50x the Python loop
TARGET_DSA_MS = 50.0  # DSA < 50 ms per fund
BETA_TOL = 1e-6  # expected agreement with quadprog


# --------------------------------------------------------------------------- setup


def newest_source_mtime():
    newest = 0.0
    for top in ("Cargo.toml", "Cargo.lock"):
        p = os.path.join(ROOT, top)
        if os.path.exists(p):
            newest = max(newest, os.path.getmtime(p))
    for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, "crates")):
        dirnames[:] = [d for d in dirnames if d not in ("target", "tests", "benches")]
        for f in filenames:
            if f.endswith(".rs") or f == "Cargo.toml":
                newest = max(newest, os.path.getmtime(os.path.join(dirpath, f)))
    return newest


def ensure_binary(no_build):
    stale = not os.path.exists(BINARY) or os.path.getmtime(BINARY) < newest_source_mtime()
    if stale and not no_build:
        print("[bench] target/release/peergroup is missing or older than the sources: "
              "cargo build --release", flush=True)
        subprocess.run(["cargo", "build", "--release"], cwd=ROOT, check=True)
    if not os.path.exists(BINARY):
        sys.exit(f"missing {BINARY}")


def synth(name, funds, regen):
    d = os.path.join(DATA_ROOT, name)
    if not regen and all(os.path.exists(os.path.join(d, f)) for f in ("funds.csv", "factors.csv")):
        print(f"[bench] reusing {os.path.relpath(d, ROOT)}", flush=True)
        return d
    print(f"[bench] generating {os.path.relpath(d, ROOT)} ({funds} funds)", flush=True)
    subprocess.run([BINARY, "synth", "universe", "--funds", str(funds), "--factors", str(FACTORS),
                    "--periods", str(PERIODS), "--groups", str(GROUPS), "--seed", str(SEED),
                    "--out", d, "--force"], check=True, stdout=subprocess.DEVNULL)
    return d


def count_rows(path):
    with open(path, "rb") as f:
        return sum(1 for _ in f) - 1


# --------------------------------------------------------------------------- peergroup


def run_measured(cmd):
    """Run cmd; return (wall s, child CPU s, combined output)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit(f"command failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, p.stdout


def time_style(universe, out_dir, tag, extra, threads, repeat):
    """Best of `repeat` runs of `peergroup style`; returns a dict of measurements."""
    os.makedirs(out_dir, exist_ok=True)
    exp = os.path.join(out_dir, f"exposures_{tag}.csv")
    fit = os.path.join(out_dir, f"fit_{tag}.csv")
    cmd = [BINARY, "style", "--funds", os.path.join(universe, "funds.csv"),
           "--factors", os.path.join(universe, "factors.csv"), *extra,
           "--out", exp, "--fit-out", fit, "--force", "--threads", str(threads), "-v"]
    runs = []
    for _ in range(repeat):
        load = os.getloadavg()[0]
        wall, cpu, out = run_measured(cmd)
        steps = {k: float(v) for k, v in
                 re.findall(r"^(reading|estimating exposures|writing):\s*([0-9.]+)\s*s", out, re.M)}
        runs.append({"wall": wall, "cpu": cpu, "est": steps.get("estimating exposures"),
                     "read": steps.get("reading"), "write": steps.get("writing"), "load1": load})
    best = min(runs, key=lambda r: r["wall"])
    best_of = lambda key: min((r[key] for r in runs if r[key] is not None), default=None)
    return {"tag": tag, "threads": threads, "wall": best["wall"], "cpu": best["cpu"],
            "est": best_of("est"), "read": best_of("read"), "write": best_of("write"),
            "walls": [r["wall"] for r in runs],
            "load1": max(r["load1"] for r in runs), "fits": count_rows(fit),
            "exposures": exp, "fit": fit, "cmd": " ".join(cmd)}


# --------------------------------------------------------------------------- Python loop


def read_wide(path):
    import pandas as pd
    return pd.read_csv(path, index_col="date")


def aligned(funds_df, factors_df, n_funds):
    """The factor table on the dates where every factor is observed, its values X (dates ×
    factors), the first `n_funds` fund ids and their returns R (dates × funds) on those
    dates."""
    import numpy as np

    common = funds_df.index.intersection(factors_df.index)
    fac = factors_df.loc[common].dropna(how="any")  # every factor observed on the date
    ret = funds_df.loc[fac.index]
    X_all = np.ascontiguousarray(fac.to_numpy(dtype=np.float64))
    ids = list(ret.columns[:n_funds])
    return fac, X_all, ids, ret[ids].to_numpy(dtype=np.float64)


def full_windows(r_all, X_all, window, step):
    """(last row, returns, factor rows) of each window in which the fund has a return on
    every date (peergroup's default --min-obs)."""
    import numpy as np

    for end in range(window - 1, len(r_all), step):
        lo = end - window + 1
        r = r_all[lo:end + 1]
        if np.isnan(r).any():
            continue
        yield end, r, X_all[lo:end + 1]


def sharpe_constraints(k):
    """quadprog's C and b for Σβ = 1 (the first column, an equality: meq=1) and β ≥ 0 on
    k factors, C'β ≥ b."""
    import numpy as np

    return np.hstack([np.ones((k, 1)), np.eye(k)]), np.concatenate([[1.0], np.zeros(k)])


def sharpe_quadprog(quadprog, X, r, C, b):
    """(β, whether a ridge was needed) minimising ½β'Gβ − a'β with G = X'X, a = X'r,
    subject to the constraints `C, b` of `sharpe_constraints`. If G is not positive
    definite (quadprog refuses it) a ridge of 1e-12·trace(G)/K is added to its diagonal."""
    import numpy as np

    k = X.shape[1]
    G = X.T @ X
    a = X.T @ r
    try:
        return quadprog.solve_qp(G, a, C, b, 1)[0], False
    except ValueError:  # "matrix G is not positive definite"
        G = G + np.eye(k) * (1e-12 * np.trace(G) / k)
        return quadprog.solve_qp(G, a, C, b, 1)[0], True


def python_loop(funds_df, factors_df, n_funds, window=WINDOW, step=STEP):
    """Rolling Sharpe style analysis with quadprog, the way an analyst's script does it.

    For each fund and each window (dated at its last observation): G = X'X, a = X'r,
    minimise ½β'Gβ − a'β subject to Σβ = 1 (equality, meq=1) and β ≥ 0. A window is
    fitted only when the fund has a return on every date of it (peergroup's default
    --min-obs). If G is not positive definite (quadprog refuses it) a ridge of
    1e-12·trace(G)/K is added to its diagonal and counted.

    Returns (seconds in the loop, fits, ridge uses, results as a list of
    (fund, date, betas), factor names).
    """
    import quadprog

    fac, X_all, ids, R = aligned(funds_df, factors_df, n_funds)
    dates = list(fac.index)
    C, b = sharpe_constraints(X_all.shape[1])
    results, ridge = [], 0
    t0 = time.perf_counter()
    for j, fund in enumerate(ids):
        for end, r, X in full_windows(R[:, j], X_all, window, step):
            beta, ridged = sharpe_quadprog(quadprog, X, r, C, b)
            ridge += ridged
            results.append((fund, dates[end], beta))
    elapsed = time.perf_counter() - t0
    return elapsed, len(results), ridge, results, list(fac.columns)


def python_script(funds_path, factors_path, n_funds, out_dir, window=WINDOW, step=STEP):
    """The whole job as an analyst's script does it, like for like with the command.

    Reads both CSV files (pandas), fits each window of the first `n_funds`
    funds with quadprog as `python_loop` does, computes R², adjusted R² and annualised
    tracking error from the residuals (as the command does: variance of the residuals
    over variance of the returns, sample variances, √52), and writes the two long tables
    (`fund,date,factor,beta` and `fund,date,r2,adj_r2,tracking_error,n_obs`) with
    pyarrow's CSV writer (much faster than `DataFrame.to_csv`).

    Returns the seconds of (reading, fitting and statistics, building and writing the
    tables) and the number of fits, so the per-fund parts can be extrapolated.
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import quadprog

    t0 = time.perf_counter()
    # pandas' C engine: on this wide file (2,000 columns, 260 rows) it is ~3x faster
    # than the pyarrow engine, which wins on long files.
    funds_df = pd.read_csv(funds_path, index_col="date")
    factors_df = pd.read_csv(factors_path, index_col="date")
    t_read = time.perf_counter() - t0

    t1 = time.perf_counter()
    fac, X_all, ids, R = aligned(funds_df, factors_df, n_funds)
    dates = [str(d) for d in fac.index]
    k = X_all.shape[1]
    C, b = sharpe_constraints(k)
    per_year = 52.0
    keys, betas, stats = [], [], []
    for j, fund in enumerate(ids):
        for end, r, X in full_windows(R[:, j], X_all, window, step):
            beta, _ = sharpe_quadprog(quadprog, X, r, C, b)
            e = r - X @ beta
            m = len(r)
            var_e, var_r = e.var(ddof=1), r.var(ddof=1)
            r2 = 1.0 - var_e / var_r
            adj = 1.0 - (1.0 - r2) * (m - 1) / (m - (k - 1) - 1)
            keys.append((fund, dates[end]))
            betas.append(beta)
            stats.append((r2, adj, np.sqrt(var_e * per_year), m))
    t_fit = time.perf_counter() - t1

    t2 = time.perf_counter()
    fund_col = np.array([f for f, _ in keys], dtype=object)
    date_col = np.array([d for _, d in keys], dtype=object)
    exposures = pa.table({
        "fund": np.repeat(fund_col, k),
        "date": np.repeat(date_col, k),
        "factor": np.tile(np.array(list(fac.columns), dtype=object), len(keys)),
        "beta": np.vstack(betas).ravel(),
    })
    st = np.array(stats)
    fit = pa.table({"fund": fund_col, "date": date_col, "r2": st[:, 0], "adj_r2": st[:, 1],
                    "tracking_error": st[:, 2], "n_obs": st[:, 3].astype(np.int64)})
    os.makedirs(out_dir, exist_ok=True)
    opts = pacsv.WriteOptions(quoting_style="needed")
    pacsv.write_csv(exposures, os.path.join(out_dir, "py_exposures.csv"), opts)
    pacsv.write_csv(fit, os.path.join(out_dir, "py_fit.csv"), opts)
    t_write = time.perf_counter() - t2
    return t_read, t_fit, t_write, len(keys)


def slsqp_loop(funds_df, factors_df, n_funds, window=WINDOW, step=STEP):
    """The same fits with scipy.optimize.minimize(method="SLSQP"), the other common way.

    Given the analytic gradient of ½β'Gβ − a'β and of the budget constraint (kinder than
    most scripts, which let SLSQP difference the objective), bounds β ≥ 0, start at 1/K.
    Reference only: the targets are stated against the quadprog loop.
    """
    import numpy as np
    from scipy.optimize import minimize

    fac, X_all, ids, R = aligned(funds_df, factors_df, n_funds)
    dates = list(fac.index)
    k = X_all.shape[1]
    ones = np.ones(k)
    cons = [{"type": "eq", "fun": lambda bt: bt.sum() - 1.0, "jac": lambda bt: ones}]
    bounds = [(0.0, None)] * k
    results = []
    t0 = time.perf_counter()
    for j, fund in enumerate(ids):
        for end, r, X in full_windows(R[:, j], X_all, window, step):
            G, a = X.T @ X, X.T @ r
            res = minimize(lambda bt: 0.5 * bt @ G @ bt - a @ bt, ones / k,
                           jac=lambda bt: G @ bt - a, bounds=bounds, constraints=cons,
                           method="SLSQP", options={"ftol": 1e-14, "maxiter": 500})
            results.append((fund, dates[end], res.x))
    return time.perf_counter() - t0, len(results), results


def gram_conditioning(factors_df, window=WINDOW):
    """Largest condition number of X'X over the rolling windows (scipy), for the report."""
    import numpy as np
    from scipy.linalg import eigvalsh

    X_all = factors_df.dropna(how="any").to_numpy(dtype=np.float64)
    worst = 0.0
    for end in range(window - 1, X_all.shape[0]):
        X = X_all[end - window + 1:end + 1]
        ev = eigvalsh(X.T @ X)
        worst = max(worst, ev[-1] / max(ev[0], 1e-300))
    return worst


def compare_betas(results, factor_names, exposures_path):
    """max |Δβ| between the Python results and peergroup's exposures (same keys)."""
    import numpy as np
    import pandas as pd

    funds = sorted({f for f, _, _ in results})
    pg = pd.read_csv(exposures_path, dtype={"fund": "string", "date": "string",
                                            "factor": "string"})
    pg = pg[pg["fund"].isin(funds)]
    pg = pg.pivot_table(index=["fund", "date"], columns="factor", values="beta",
                        aggfunc="first")
    missing_factors = [f for f in factor_names if f not in pg.columns]
    if missing_factors:
        return {"error": f"factors missing in peergroup output: {missing_factors}"}
    pg = pg[factor_names]
    py_index = pd.MultiIndex.from_tuples([(f, d) for f, d, _ in results], names=["fund", "date"])
    py = pd.DataFrame(np.vstack([bt for _, _, bt in results]), index=py_index,
                      columns=factor_names)
    common = py.index.intersection(pg.index)
    diff = (py.loc[common] - pg.loc[common]).abs()
    flat = diff.to_numpy()
    i, j = np.unravel_index(np.argmax(flat), flat.shape) if flat.size else (0, 0)
    return {
        "windows_python": len(py),
        "windows_peergroup": len(pg),
        "windows_compared": len(common),
        "max_abs": float(flat.max()) if flat.size else float("nan"),
        "mean_abs": float(flat.mean()) if flat.size else float("nan"),
        "n_above_tol": int((flat > BETA_TOL).sum()),
        "worst": (common[i][0], common[i][1], factor_names[j]) if flat.size else None,
    }


# --------------------------------------------------------------------------- report


def fmt(x, spec=",.0f"):
    return "–" if x is None else format(x, spec)


def ok(cond):
    return "ok" if cond else "MISS"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--funds", type=int, default=2000, help="funds in the large universe")
    ap.add_argument("--py-funds", type=int, default=50,
                    help="funds (first N of the large universe) in the Python loop")
    ap.add_argument("--slsqp-funds", type=int, default=5,
                    help="funds in the scipy SLSQP reference loop (0: skip)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (best of)")
    ap.add_argument("--threads", type=int, default=2, help="threads of the multi-core run")
    ap.add_argument("--skip-dsa", action="store_true")
    ap.add_argument("--regen", action="store_true", help="regenerate the universes")
    ap.add_argument("--no-build", action="store_true", help="never run cargo build")
    ap.add_argument("--binary", help="peergroup binary to time instead of target/release/"
                    "peergroup (implies --no-build; for before/after comparisons)")
    args = ap.parse_args()
    if args.binary:
        global BINARY
        BINARY = os.path.abspath(args.binary)
        args.no_build = True

    # One BLAS thread: the Python loop is measured on one core.
    ensure_venv(PY_DEPS, env={"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                              "MKL_NUM_THREADS": "1"})
    ensure_binary(args.no_build)

    import numpy as np
    import pandas as pd
    import quadprog  # noqa: F401  (fail early)
    import scipy

    from importlib.metadata import version as pkg_version

    print(f"[bench] nproc {os.cpu_count()}, load avg {load_str()}, Python "
          f"{sys.version.split()[0]}, numpy {np.__version__}, pandas {pd.__version__}, "
          f"quadprog {pkg_version('quadprog')}, scipy {scipy.__version__}", flush=True)

    big_name = f"style_{args.funds}"
    big = synth(big_name, args.funds, args.regen)
    small = synth("style_50", 50, args.regen)
    big_out = os.path.join(big, "out")
    small_out = os.path.join(small, "out")

    # ---- peergroup Sharpe, rolling 104 / step 1
    rolling = ["--method", "sharpe", "--window", str(WINDOW), "--step", str(STEP)]
    print(f"[bench] peergroup style (sharpe, window {WINDOW}, step {STEP}) on {args.funds} "
          f"funds, {args.threads} threads, best of {args.repeat}", flush=True)
    pg_n = time_style(big, big_out, f"t{args.threads}", rolling, args.threads, args.repeat)
    print(f"[bench]   walls {', '.join(f'{w:.3f}' for w in pg_n['walls'])} s", flush=True)
    print(f"[bench] peergroup style, 1 thread, best of {args.repeat}", flush=True)
    pg_1 = time_style(big, big_out, "t1", rolling, 1, args.repeat)
    print(f"[bench]   walls {', '.join(f'{w:.3f}' for w in pg_1['walls'])} s", flush=True)
    if pg_n["fits"] != pg_1["fits"]:
        print(f"[bench] WARNING: fit rows differ between thread counts "
              f"({pg_n['fits']} vs {pg_1['fits']})")
    same_output = open(pg_n["exposures"], "rb").read() == open(pg_1["exposures"], "rb").read()

    # ---- Python loop on the first --py-funds funds
    print(f"[bench] Python quadprog loop on the first {args.py_funds} funds, one core, "
          f"best of {args.repeat}", flush=True)
    funds_df = read_wide(os.path.join(big, "funds.csv"))
    factors_df = read_wide(os.path.join(big, "factors.csv"))
    py_runs = []
    for _ in range(args.repeat):
        load = os.getloadavg()[0]
        c0 = time.process_time()
        secs, py_fits, ridge, results, factor_names = python_loop(funds_df, factors_df,
                                                                   args.py_funds)
        py_runs.append((secs, time.process_time() - c0, load))
        print(f"[bench]   {secs:.3f} s for {py_fits:,} fits", flush=True)
    py_secs, py_cpu, _ = min(py_runs)
    py_load = max(r[2] for r in py_runs)
    py_rate = py_fits / py_secs
    py_full_est = pg_1["fits"] / py_rate  # extrapolated to the whole universe

    print(f"[bench] the whole job as a Python script (read, quadprog loop, statistics, "
          f"write) on the first {args.py_funds} funds, best of {args.repeat}", flush=True)
    script_runs = []
    for _ in range(args.repeat):
        t_read, t_fit, t_write, s_fits = python_script(
            os.path.join(big, "funds.csv"), os.path.join(big, "factors.csv"), args.py_funds,
            big_out)
        script_runs.append((t_read + t_fit + t_write, t_read, t_fit, t_write))
        print(f"[bench]   read {t_read:.3f} s, fit + statistics {t_fit:.3f} s, write "
              f"{t_write:.3f} s for {s_fits:,} fits", flush=True)
    _, s_read, s_fit, s_write = min(script_runs)
    # Reading is of the whole files already; fitting and writing scale with the fits.
    script_full_est = s_read + (s_fit + s_write) * pg_1["fits"] / s_fits
    script = {"funds": args.py_funds, "fits": s_fits, "read": s_read, "fit": s_fit,
              "write": s_write, "full_est_s": script_full_est}

    print("[bench] comparing betas with peergroup's exposures", flush=True)
    agree = compare_betas(results, factor_names, pg_1["exposures"])

    slsqp = None
    if args.slsqp_funds > 0:
        print(f"[bench] scipy SLSQP reference loop on the first {args.slsqp_funds} funds "
              "(one run)", flush=True)
        s_secs, s_fits, s_results = slsqp_loop(funds_df, factors_df, args.slsqp_funds)
        s_agree = compare_betas(s_results, factor_names, pg_1["exposures"])
        slsqp = {"funds": args.slsqp_funds, "secs": s_secs, "fits": s_fits,
                 "fits_per_s": s_fits / s_secs, "max_abs": s_agree.get("max_abs")}
        print(f"[bench]   {s_secs:.3f} s for {s_fits:,} fits", flush=True)
    cond = gram_conditioning(factors_df)

    # ---- DSA on the 50-fund universe
    dsa = []
    if not args.skip_dsa:
        dsa_args = ["--method", "dsa", "--no-long-only", "--lambda", "auto"]
        for th in (args.threads, 1):
            print(f"[bench] peergroup style --method dsa --no-long-only on 50 funds, "
                  f"{th} thread(s), best of {args.repeat}", flush=True)
            r = time_style(small, small_out, f"dsa_t{th}", dsa_args, th, args.repeat)
            print(f"[bench]   walls {', '.join(f'{w:.3f}' for w in r['walls'])} s", flush=True)
            dsa.append(r)

    # ---- report
    cores_n = min(args.threads, os.cpu_count() or args.threads)
    rate_n = pg_n["fits"] / pg_n["wall"]
    rate_1 = pg_1["fits"] / pg_1["wall"]
    ratio = rate_1 / py_rate
    rows = [
        ("peergroup sharpe", f"{args.funds:,}", str(args.threads), f"{pg_n['wall']:.3f}",
         f"{pg_n['cpu']:.2f}", fmt(pg_n["est"], ".3f"), f"{pg_n['fits']:,}", fmt(rate_n),
         fmt(rate_n / cores_n), f"{pg_n['load1']:.2f}"),
        ("peergroup sharpe", f"{args.funds:,}", "1", f"{pg_1['wall']:.3f}",
         f"{pg_1['cpu']:.2f}", fmt(pg_1["est"], ".3f"), f"{pg_1['fits']:,}", fmt(rate_1),
         fmt(rate_1), f"{pg_1['load1']:.2f}"),
        ("python quadprog loop", f"{args.py_funds:,}", "1", f"{py_secs:.3f}", f"{py_cpu:.2f}",
         "–", f"{py_fits:,}", fmt(py_rate), fmt(py_rate), f"{py_load:.2f}"),
        ("  extrapolated", f"{args.funds:,}", "1", f"~{py_full_est:.1f}", "–", "–",
         f"{pg_1['fits']:,}", fmt(py_rate), fmt(py_rate), "–"),
    ]
    rows.append(("python whole script", f"{args.py_funds:,}", "1",
                 f"{s_read + s_fit + s_write:.3f}", "–", "–", f"{s_fits:,}",
                 fmt(s_fits / (s_read + s_fit + s_write)), "–", "–"))
    rows.append(("  extrapolated", f"{args.funds:,}", "1", f"~{script_full_est:.1f}", "–", "–",
                 f"{pg_1['fits']:,}", fmt(pg_1["fits"] / script_full_est), "–", "–"))
    for r in dsa:
        rows.append(("peergroup dsa (λ auto)", "50", str(r["threads"]), f"{r['wall']:.3f}",
                     f"{r['cpu']:.2f}", fmt(r["est"], ".3f"), f"{r['fits']:,}",
                     f"{1000 * r['wall'] / 50:.1f} ms/fund", "–", f"{r['load1']:.2f}"))
    if slsqp:
        rows.insert(4, ("scipy SLSQP loop (ref)", f"{slsqp['funds']:,}", "1",
                        f"{slsqp['secs']:.3f}", "–", "–", f"{slsqp['fits']:,}",
                        fmt(slsqp["fits_per_s"]), fmt(slsqp["fits_per_s"]), "–"))
    head = ("run", "funds", "threads", "best s", "cpu s", "est s", "fits", "fits/s",
            "fits/s/core", "load1")
    widths = [max(len(str(x[i])) for x in rows + [head]) for i in range(len(head))]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    print()
    print(f"Style benchmark: {FACTORS} factors, {PERIODS} weekly periods, window {WINDOW}, "
          f"step {STEP}; nproc {os.cpu_count()}; load avg now {load_str()}")
    print(line(head))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))
    print("best s = whole-process wall clock (read, fit, write), best of "
          f"{args.repeat}; cpu s = user+sys of that run; est s = peergroup's own "
          "'estimating exposures' step (-v), best run; load1 = highest 1-min load avg seen "
          "at the start of a run.")
    print(f"peergroup steps, 1 thread (-v, best of {args.repeat} each): reading "
          f"{fmt(pg_1['read'], '.3f')} s, estimating exposures {fmt(pg_1['est'], '.3f')} s "
          f"(window fits + R²/adj. R²/tracking error), writing {fmt(pg_1['write'], '.3f')} s "
          f"({os.path.getsize(pg_1['exposures']) / 1e6:,.0f} MB exposures + "
          f"{os.path.getsize(pg_1['fit']) / 1e6:,.0f} MB fit statistics, CSV).")
    print(f"Python: measured on the first {args.py_funds} funds ({py_fits:,} fits, loop only: "
          f"G, a and solve_qp per window; CSV read, fit statistics and writing are NOT "
          f"included; BLAS on 1 thread); the {args.funds:,}-fund time is extrapolated "
          f"from that per-fit throughput ({1e6 / py_rate:.1f} µs/fit).")
    print()
    print("Targets:")
    print(f"  ≥ {TARGET_FITS_PER_CORE:,.0f} window-fits/s per core: {rate_1:,.0f} (1 thread), "
          f"{rate_n / cores_n:,.0f} ({args.threads} threads)  "
          f"{ok(rate_1 >= TARGET_FITS_PER_CORE)}")
    print(f"  {args.funds:,} funds × {PERIODS} weeks < {TARGET_LARGE_S:.0f} s on {args.threads} "
          f"cores: {pg_n['wall']:.3f} s  {ok(pg_n['wall'] < TARGET_LARGE_S)}")
    est_ratio = pg_1["fits"] / pg_1["est"] / py_rate if pg_1["est"] else None
    whole_ratio = script_full_est / pg_1["wall"]
    if est_ratio:
        print(f"  ≥ {TARGET_RATIO:.0f}× the Python loop (per core), window-fit throughput: "
              f"peergroup's estimation step (fits + statistics, no I/O) vs the loop (fits, "
              f"no I/O): {est_ratio:,.1f}×  {ok(est_ratio >= TARGET_RATIO)}")
    print(f"     whole job vs whole job: the command (read, fit, statistics, write "
          f"4M rows, 1 thread) vs the Python script doing the same: "
          f"{whole_ratio:,.1f}×")
    print(f"     whole command vs the loop alone (the loop reads, computes and writes "
          f"nothing else; most conservative): {ratio:,.1f}×")
    cpu_ratio = pg_1["fits"] / pg_1["cpu"] / py_rate
    print(f"     per CPU-second (less sensitive to load): peergroup "
          f"{pg_1['fits'] / pg_1['cpu']:,.0f} fits/cpu-s = {cpu_ratio:,.1f}× the Python loop")
    if slsqp:
        print(f"     vs the scipy SLSQP loop (reference, not a target): "
              f"{rate_1 / slsqp['fits_per_s']:,.0f}× (SLSQP max |Δβ| vs peergroup "
              f"{slsqp['max_abs']:.2g})")
    for r in dsa:
        ms = 1000 * r["wall"] / 50
        print(f"  DSA < {TARGET_DSA_MS:.0f} ms per fund ({r['threads']} thread(s)): "
              f"{ms:.1f} ms  {ok(ms < TARGET_DSA_MS)}")
    if dsa:
        print("  (DSA has no Python peer here: nothing standard to compare against.)")
    print()
    print("Agreement (Python quadprog vs peergroup, first "
          f"{args.py_funds} funds, same fund / window end date / factor):")
    if "error" in agree:
        print("  " + agree["error"])
    else:
        print(f"  windows: python {agree['windows_python']:,}, peergroup "
              f"{agree['windows_peergroup']:,}, compared {agree['windows_compared']:,}")
        print(f"  max |Δβ| = {agree['max_abs']:.3g} (mean {agree['mean_abs']:.3g}; "
              f"{agree['n_above_tol']} values > {BETA_TOL:g})  "
              f"{ok(agree['max_abs'] < BETA_TOL)}; worst at {agree['worst']}")
    print(f"  ridge on G used: {ridge} of {py_fits:,} windows (largest cond(X'X) over the "
          f"windows: {cond:.3g})")
    print(f"  peergroup exposures with --threads {args.threads} and --threads 1 "
          f"{'byte-identical' if same_output else 'DIFFER'}")

    summary = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"), "nproc": os.cpu_count(),
        "load_end": os.getloadavg(), "peergroup": [pg_n, pg_1], "dsa": dsa,
        "python": {"funds": args.py_funds, "fits": py_fits, "secs": py_secs,
                   "fits_per_s": py_rate, "full_est_s": py_full_est, "ridge": ridge},
        "ratio_per_core": ratio, "ratio_estimation_step": est_ratio,
        "script": script, "ratio_whole_job": whole_ratio,
        "ratio_per_cpu_second": pg_1["fits"] / pg_1["cpu"] / py_rate, "slsqp": slsqp, "agreement": {k: (list(v) if isinstance(v, tuple) else v)
                                               for k, v in agree.items()},
        "max_cond": cond, "threads_identical": same_output,
    }
    with open(os.path.join(big_out, "results.json"), "w") as f:
        json.dump(summary, f, indent=1, default=str)


if __name__ == "__main__":
    main()
