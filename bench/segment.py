#!/usr/bin/env python3
"""Benchmark `peergroup segment investors|sales` against the pandas + kmodes / scikit-learn
pipeline an analyst would write, on the same files.

    python3 bench/segment.py                      # 1M users x 30 days; ~6M sales rows
    python3 bench/segment.py --py-users 20000     # smaller kmodes subsample
    python3 bench/segment.py --users 200000 --regen

What it does:

* generates once, into bench/data/segment/, `peergroup synth investors --users N --days 30
  --format parquet` (1M users: ~42M balance rows) and `peergroup synth sales --offices
  17500 --funds 300 --months 24 --format parquet` (~6M rows); --regen rebuilds them;
* times `peergroup segment investors --k 5` (read Parquet, validate, per-user features with
  log1p + z-score, EDA tables, k-prototypes with 10 restarts, profiles, writes) and
  `peergroup segment sales --k 5 --tsne-max 0` (read, quarterly features over 8 quarters,
  log1p + z-score, latest-quarter mix, k-means with 10 restarts, PCA, profiles, writes),
  whole process, all cores;
* the Python side on the same files, one process: pandas reads the Parquet, builds the
  same per-user features (pivot by fund type of mean balance, monthly buy and sell,
  transaction count and total profit; generation from age; signed log1p then z-score),
  then kmodes' KPrototypes(n_clusters=5, init="Cao", n_init=1) on --py-users sampled users
  (kmodes loops over rows in Python; its fit time is extrapolated linearly to all users,
  as bench/kprototypes.py does); and for sales, pandas quarterly pivot + mix and
  scikit-learn KMeans(5, n_init=10) on all offices;
* prints both times, the ratio, and the targets (investors < 60 s and >= 5x kmodes; sales
  < 20 s).

The script re-runs itself inside bench/.venv (numpy, pandas, pyarrow, scikit-learn and
kmodes installed when missing) and uses target/release/peergroup (built if missing).
"""

import argparse
import os
import subprocess
import time

from common import BINARY, DATA_ROOT, build_if_missing, ensure_venv, run_timed

DATA = os.path.join(DATA_ROOT, "segment")
PY_DEPS = ["numpy", "pandas", "pyarrow", "sklearn", "kmodes"]
PY_PACKAGES = ["numpy", "pandas", "pyarrow", "scikit-learn", "kmodes"]


def signed_log1p_z(df):
    import numpy as np
    x = np.sign(df) * np.log1p(np.abs(df))
    sd = x.std(ddof=0).replace(0, 1)
    return (x - x.mean()) / sd


def python_investors(users_path, balances_path, py_users, seed):
    import numpy as np
    import pandas as pd
    from kmodes.kprototypes import KPrototypes

    start = time.perf_counter()
    users = pd.read_csv(users_path)
    bal = pd.read_parquet(balances_path)
    months = bal["date"].astype("datetime64[ns]").dt.to_period("M").nunique()
    days = bal["date"].nunique()
    bal["tx"] = ((bal["buy"] > 0) | (bal["sell"] > 0)).astype(np.int64)
    g = bal.groupby(["user_id", "fund_type"], observed=True).agg(
        aum=("balance", "sum"), buy=("buy", "sum"), sell=("sell", "sum"), tx=("tx", "sum"),
        profit=("profit", "sum"))
    g["aum"] /= days
    g["buy"] /= months
    g["sell"] /= months
    wide = g.astype(float).unstack("fund_type", fill_value=0.0)
    wide.columns = [f"{a}_{b}" for a, b in wide.columns]
    feats = users.set_index("user_id").join(wide, how="inner")
    as_of = pd.Timestamp(bal["date"].max()).year
    birth = as_of - feats["age"].astype(int)
    feats["generation"] = pd.cut(birth, [0, 1964, 1980, 1996, 3000],
                                 labels=["Boomer", "Gen X", "Millennial", "Gen Z"]).astype(str)
    num_cols = list(wide.columns)
    num = signed_log1p_z(feats[num_cols].astype(float))
    cats = feats[["gender", "generation", "occupation", "income_band", "referral"]].astype(str)
    features_s = time.perf_counter() - start

    rng = np.random.default_rng(seed)
    m = min(py_users, len(feats))
    idx = np.sort(rng.choice(len(feats), size=m, replace=False))
    data = np.concatenate([num.to_numpy()[idx], cats.to_numpy()[idx]], axis=1).astype(object)
    start = time.perf_counter()
    kp = KPrototypes(n_clusters=5, init="Cao", n_init=1, n_jobs=1, random_state=0)
    kp.fit(data, categorical=list(range(len(num_cols), len(num_cols) + 5)))
    fit_s = time.perf_counter() - start
    return len(feats), features_s, fit_s, m, kp.n_iter_


def python_sales(sales_path, funds_path):
    import numpy as np
    import pandas as pd
    from sklearn.cluster import KMeans

    start = time.perf_counter()
    s = pd.read_parquet(sales_path)
    funds = pd.read_csv(funds_path)
    s["quarter"] = s["month"].astype("datetime64[ns]").dt.to_period("Q")
    last = s["quarter"].max()
    window = s[s["quarter"] > last - 8]
    q = window.pivot_table(index=["bd", "office"], columns="quarter", values="amount",
                           aggfunc="sum", fill_value=0.0, observed=True)
    latest = window[window["quarter"] == last].merge(funds, on="fund")
    mix = latest.pivot_table(index=["bd", "office"], columns="broad_category",
                             values="amount", aggfunc="sum", fill_value=0.0, observed=True)
    mix = mix.clip(lower=0)
    mix = mix.div(mix.sum(axis=1).replace(0, 1), axis=0)
    x = signed_log1p_z(q).join(mix, how="left").fillna(0.0).to_numpy()
    KMeans(n_clusters=5, n_init=10, random_state=0).fit(x)
    return time.perf_counter() - start, len(q)


def main():
    ensure_venv(PY_DEPS, PY_PACKAGES)
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=1_000_000)
    ap.add_argument("--py-users", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--regen", action="store_true")
    args = ap.parse_args()
    build_if_missing()
    inv = os.path.join(DATA, f"investors_{args.users}")
    sales = os.path.join(DATA, "sales")
    if args.regen or not os.path.exists(os.path.join(inv, "balances.parquet")):
        subprocess.run([BINARY, "synth", "investors", "--users", str(args.users), "--days", "30",
                        "--seed", str(args.seed), "--format", "parquet", "--out", inv,
                        "--force"], check=True)
    if args.regen or not os.path.exists(os.path.join(sales, "sales.parquet")):
        subprocess.run([BINARY, "synth", "sales", "--offices", "17500", "--funds", "300",
                        "--months", "24", "--seed", str(args.seed), "--format", "parquet",
                        "--out", sales, "--force"], check=True)

    pg_inv = run_timed([BINARY, "segment", "investors", "--users", f"{inv}/users.csv",
                    "--balances", f"{inv}/balances.parquet", "--k", "5", "--out",
                    f"{inv}/out", "--force"])
    pg_sales = run_timed([BINARY, "segment", "sales", "--sales", f"{sales}/sales.parquet",
                      "--funds", f"{sales}/funds.csv", "--k", "5", "--tsne-max", "0",
                      "--out", f"{sales}/out", "--force"])
    n, feat_s, fit_s, m, iters = python_investors(f"{inv}/users.csv", f"{inv}/balances.parquet",
                                                  args.py_users, args.seed)
    py_inv = feat_s + fit_s * n / m
    py_sales, offices = python_sales(f"{sales}/sales.parquet", f"{sales}/funds.csv")

    print(f"\ninvestors: {n:,} users with balances x 30 days")
    print(f"  peergroup segment investors --k 5 (whole process)  {pg_inv:8.1f} s   target < 60 s")
    print(f"  pandas features {feat_s:.1f} s + kmodes KPrototypes {fit_s:.1f} s on {m:,} users "
          f"({iters} iterations), extrapolated to all: {py_inv:8.1f} s")
    print(f"  ratio {py_inv / pg_inv:6.1f} x   target >= 5x")
    print(f"\nsales: {offices:,} offices")
    print(f"  peergroup segment sales --k 5 (whole process)      {pg_sales:8.1f} s   target < 20 s")
    print(f"  pandas features + scikit-learn KMeans(n_init=10)  {py_sales:8.1f} s")
    print(f"  ratio {py_sales / pg_sales:6.1f} x")


if __name__ == "__main__":
    main()
