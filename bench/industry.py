#!/usr/bin/env python3
"""Benchmark `peergroup industry` against an equivalent pandas pipeline.

    python3 bench/industry.py                     # small (2,200 x 250, CSV) and large (20,000 x 2,500, Parquet)
    python3 bench/industry.py --skip-large        # small only
    python3 bench/industry.py --sizes 500x60:csv  # a custom CLASSESxDAYS[:csv|parquet] size

For every size the script generates data once with `peergroup synth industry` into
bench/data/<name>/ (reused on later runs), then for `--group-by class` and `--group-by fund`:

* times `peergroup industry` (wall clock of its process, started directly) and records its
  peak RSS in one extra untimed run (`/usr/bin/time -v`, or getrusage of a fresh helper
  process when GNU time is missing);
* times a pandas implementation of the same computation on the same files (read, AUM and
  outlier filters, groupby-shift price/subscription effects, cumprod total return, fund
  grouping, write in the same format), each run in a fresh worker process so the timings
  and the peak RSS are not polluted by earlier runs;
* runs the two sides in --repeat interleaved pairs and reports each side's best time, the
  ratio of the bests and the median of the per-pair ratios;
* compares the final total_return per id of the two outputs (the benchmark doubles as a
  cross-check of the Rust implementation).

The script runs itself inside bench/.venv (created on first use, with pandas, numpy and
pyarrow installed from PyPI) and builds target/release/peergroup with
`cargo build --release` when the binary is missing.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

from common import BINARY, DATA_ROOT, ROOT, build_if_missing, ensure_venv, run_timed

PY_DEPS = ["pandas", "numpy", "pyarrow"]

# name -> (classes, days, format, default pairs of runs). The large size gets best of 3 as
# well: one run of either side can land in one of this VM's slow spells (kernel time for
# page faults and page-cache copies doubles or triples for minutes at a time), and a
# single pair of runs then measures the spell rather than the programs. Small runs take
# a fraction of a second, so they get 7.
SIZES = {
    "small": (2_200, 250, "csv", 7),
    "large": (20_000, 2_500, "parquet", 3),
}

# Targets from the product plan, printed next to the results.
TARGET_SMALL_S = 1.0  # 2,200 x 250 in under 1 s
TARGET_LARGE_S = 60.0  # 20,000 x 2,500 in under 60 s ...
TARGET_LARGE_RSS_MIB = 8 * 1024  # ... with peak memory under 8 GiB
TARGET_RATIO = 5.0  # at least 5x faster than pandas

# Filter settings shared by both implementations (the CLI defaults).
MIN_AUM = 1_000_000.0
PRICE_UNIT = 1.0
MAX_MOVE = 0.10
MAX_Z = 10.0


# --------------------------------------------------------------------------- pandas implementation
#
# The same computation as `peergroup industry`, written the way a pandas user would:
# vectorised groupby/shift/cumprod on a long table sorted by (class, date).


def read_data(data_path, meta_path, price_unit=PRICE_UNIT):
    """Read the daily class table and the class metadata.

    Returns the daily table sorted by (class_id, date), with `class_id` as a categorical,
    `date` as datetime64 and `p` = price per share (price / price_unit), and the metadata
    as a DataFrame of strings.
    """
    import pandas as pd

    cols = ["class_id", "date", "price", "shares", "aum"]
    if data_path.endswith(".parquet"):
        df = pd.read_parquet(data_path, columns=cols)
    else:
        # The pyarrow CSV reader is multi-threaded and much faster than the default C
        # engine; using it keeps the comparison fair to pandas. Dates are read as text and
        # parsed with an explicit format (letting pyarrow infer them yields Python objects).
        df = pd.read_csv(data_path, usecols=cols, engine="pyarrow",
                         dtype={"class_id": "category", "date": "string"})
    if not isinstance(df["class_id"].dtype, pd.CategoricalDtype):
        df["class_id"] = df["class_id"].astype("category")
    if not pd.api.types.is_datetime64_any_dtype(df["date"]):
        df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
    for c in ("price", "shares", "aum"):
        df[c] = df[c].astype("float64")
    df = df.sort_values(["class_id", "date"], kind="stable", ignore_index=True)
    df["p"] = df["price"] / price_unit
    meta = pd.read_csv(meta_path, dtype="string")
    return df, meta


def filter_outliers(df, min_aum=MIN_AUM, max_move=MAX_MOVE, max_z=MAX_Z):
    """Apply the AUM filter, then the outlier rule. Returns `reason`, aligned with `df`:
    "" for kept points, "min_aum" or "outlier" for dropped ones.

    Rule: drop a point when |move| > max_move AND |move - mean_day| / sd_day > max_z, where
    move = P_T / P_prev - 1, P_prev is the price at the previous *kept* point of the class,
    and mean/sd (sample sd, ddof=1) are over the moves of all candidate classes that day
    (a point that is then dropped still counts in its own day's mean/sd).

    Why not a plain `groupby("class_id").shift()`: peergroup walks the dates in order, so the
    day after a dropped bad print is compared with the last *kept* price. A single shift pass
    compares it with the bad print itself, so the reversal day (-90% after a x10 print) is
    dropped too. Re-running shift passes against the last kept price (groupby ffill + shift)
    until nothing changes does reach the sequential result, but only one day of a cascade per
    pass: a class that comes back from a long AUM-filter gap >10% away from its last kept
    price fails the rule day after day until its price returns, and on 20,000 x 2,500
    synthetic data that took more than 100 passes (~4 s each). So, as a pandas user would,
    we pivot the prices to a dense dates x classes matrix and walk the dates with numpy
    (one vector step per day); the result is exactly the sequential rule.
    """
    import numpy as np
    import pandas as pd

    n = len(df)
    reason = np.full(n, "", dtype=object)
    small = (df["aum"] < min_aum).to_numpy()  # filter 1: A < min_aum
    reason[small] = "min_aum"

    cand = df.loc[~small, ["class_id", "date", "p"]]
    ci = cand["class_id"].cat.codes.to_numpy().astype(np.int64)
    di, days = pd.factorize(cand["date"], sort=True)  # date codes in date order
    n_days, n_cls = len(days), len(df["class_id"].cat.categories)
    price = np.full((n_days, n_cls), np.nan)  # wide: one row per date, one column per class
    price[di, ci] = cand["p"].to_numpy()

    drop = np.zeros((n_days, n_cls), dtype=bool)
    last = np.full(n_cls, np.nan)  # last kept price per class
    with np.errstate(divide="ignore", invalid="ignore"):
        for t in range(n_days):
            row = price[t]
            move = row / last - 1.0  # NaN where no candidate today or nothing kept before
            valid = ~np.isnan(move)
            if valid.sum() >= 2:
                mv = move[valid]
                mean, sd = mv.mean(), mv.std(ddof=1)
                bad = valid & (np.abs(move) > max_move) & (np.abs(move - mean) / sd > max_z)
                drop[t] = bad
            else:
                bad = drop[t]  # all False: no sd with fewer than two moves
            upd = ~np.isnan(row) & ~bad
            last[upd] = row[upd]

    idx = np.flatnonzero(~small)
    reason[idx[drop[di, ci]]] = "outlier"
    return reason


def class_effects(kept):
    """Price effect, subscription effect, daily return and total return per class.

    `kept` holds only the kept points, sorted by (class_id, date); "prev" is the previous
    kept point of the same class. The first point of each class has empty PE/SE/DR and TR=1.
    """
    import pandas as pd

    cls = kept["class_id"].cat.codes.to_numpy()
    prev = kept[["p", "shares", "aum"]].groupby(cls).shift(1)
    pe = (kept["p"] - prev["p"]) * prev["shares"]  # PE_T = (P_T - P_prev) * N_prev
    se = kept["aum"] - prev["aum"] - pe  # SE_T = A_T - A_prev - PE_T
    dr = pe / prev["aum"]  # DR_T = PE_T / A_prev
    tr = (1.0 + dr.fillna(0.0)).groupby(cls).cumprod()  # TR = cumprod(1 + DR), 1 on day one
    return pd.DataFrame(
        {
            "id": kept["class_id"],
            "date": kept["date"],
            "aum": kept["aum"],
            "price_effect": pe,
            "subscription_effect": se,
            "daily_return": dr,
            "total_return": tr,
            "aum_prev": prev["aum"],  # needed by group_effects, dropped before writing
        }
    )


def group_effects(cls_out, meta, by):
    """Aggregate class effects to `by` (fund or manager).

    `cls_out` is the output of class_effects (kept points only, sorted by class and date).
    A group's dates are the union of its members' kept dates. On each date:
      PE  = sum of PE over the members that have a PE that day (a kept point and a previous
            kept point), DR = sum(PE) / sum(A_prev) over the same members;
      AUM = sum of member AUM, where a member's last kept AUM is carried over the group
            dates between two of its kept points (its own dropped or missing days), so a
            removed bad print does not look like a redemption and a re-subscription; it is
            not carried before its first or after its last kept point;
      SE  = AUM_T - AUM_{T-1} - PE_T.
    The first date of a group has empty PE/SE/DR and TR = 1; a later date on which no member
    has a PE has PE = DR = 0. TR = cumprod(1 + DR).

    The carried AUM is built with a difference array over the (group, date) grid: a member
    point adds its AUM at its own grid row and removes it at the grid row of its next kept
    point, and a cumulative sum per group spreads it over the rows in between.
    """
    import numpy as np
    import pandas as pd

    cats = cls_out["id"].cat.categories
    group_of_class = meta.drop_duplicates("class_id").set_index("class_id")[by].reindex(cats)
    missing = group_of_class.isna()
    if missing.any():
        raise SystemExit(f"classes missing from metadata: {list(cats[missing.to_numpy()][:5])}")
    gcode, gname = pd.factorize(group_of_class, sort=True)  # group code per class

    cc = cls_out["id"].cat.codes.to_numpy()
    g = gcode[cc].astype(np.int64)
    dcode, days = pd.factorize(cls_out["date"], sort=True)
    key = g * len(days) + dcode  # (group, date) as one integer, sorts like (group, date)
    grid = np.unique(key)  # the groups' date grids, sorted
    n = len(grid)
    pos = np.searchsorted(grid, key)  # grid row of every kept class point
    grid_g = grid // len(days)
    group_end = np.searchsorted(grid_g, grid_g, side="right")  # one past each group's last row

    # Next kept point of the same class (rows are sorted by class, then date).
    same_next = np.append(cc[1:] == cc[:-1], False)
    nxt = np.where(same_next, np.append(pos[1:], 0), pos + 1)
    aum = cls_out["aum"].to_numpy()
    ends = nxt < group_end[pos]  # after the class's last point the removal would fall outside the group
    diff = np.bincount(pos, weights=aum, minlength=n) - np.bincount(nxt[ends], weights=aum[ends], minlength=n + 1)[:n]
    g_aum = pd.Series(diff).groupby(grid_g).cumsum()

    has = cls_out["price_effect"].notna().to_numpy()
    pe = np.bincount(pos[has], weights=cls_out["price_effect"].to_numpy()[has], minlength=n)
    a_prev = np.bincount(pos[has], weights=cls_out["aum_prev"].to_numpy()[has], minlength=n)
    priced = np.bincount(pos[has], minlength=n) > 0

    first = np.ones(n, dtype=bool)
    first[1:] = grid_g[1:] != grid_g[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        dr = np.where(priced & (a_prev > 0), pe / a_prev, 0.0)
    pe = np.where(priced, pe, 0.0)
    aum_prev = g_aum.groupby(grid_g).shift(1).to_numpy()
    se = g_aum.to_numpy() - aum_prev - pe
    pe[first], se[first], dr[first] = np.nan, np.nan, np.nan
    tr = pd.Series(1.0 + np.nan_to_num(dr)).groupby(grid_g).cumprod()
    return pd.DataFrame(
        {
            "id": pd.Categorical.from_codes(grid_g, categories=np.asarray(gname, dtype=object)),
            "date": days[grid % len(days)],
            "aum": g_aum.to_numpy(),
            "price_effect": pe,
            "subscription_effect": se,
            "daily_return": dr,
            "total_return": tr.to_numpy(),
        }
    )


OUT_COLS = ["id", "date", "aum", "price_effect", "subscription_effect", "daily_return", "total_return"]


def write_output(out, path):
    """Write in the format given by the extension (CSV: empty cells for missing values).

    Dates are written as dates (date32 in Parquet, YYYY-MM-DD in CSV). CSV goes through
    pyarrow's writer: `DataFrame.to_csv` is ~15x slower on these tables (float formatting
    dominates), and the benchmark should compare against the fastest idiomatic pandas.
    """
    import pyarrow as pa

    table = pa.Table.from_pandas(out[OUT_COLS], preserve_index=False)
    table = table.set_column(1, "date", table.column("date").cast(pa.date32()))
    if path.endswith(".parquet"):
        import pyarrow.parquet as pq

        pq.write_table(table, path)
    else:
        import pyarrow.csv as pacsv

        pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))


def pandas_pipeline(data, meta_path, by, out_path):
    """The whole computation, read to write. Returns counts for the report."""
    df, meta = read_data(data, meta_path, PRICE_UNIT)
    reason = filter_outliers(df, MIN_AUM, MAX_MOVE, MAX_Z)
    kept = df[reason == ""]
    res = class_effects(kept)
    if by != "class":
        res = group_effects(res, meta, by)
    write_output(res, out_path)
    return {
        "rows_in": len(df),
        "dropped_min_aum": int((reason == "min_aum").sum()),
        "dropped_outlier": int((reason == "outlier").sum()),
        "rows_out": len(res),
    }


def pandas_worker(argv):
    """Entry point of a worker process: run the pipeline once, print a JSON line."""
    import resource

    data, meta_path, by, out_path = argv
    import pandas  # noqa: F401  (import time is not counted, as for a long-lived session)

    t0 = time.perf_counter()
    info = pandas_pipeline(data, meta_path, by, out_path)
    info["seconds"] = time.perf_counter() - t0
    info["rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print("PANDAS_RESULT " + json.dumps(info), flush=True)


# --------------------------------------------------------------------------- driver


def parse_sizes(spec, skip_large):
    sizes = []
    for name in [s.strip() for s in spec.split(",") if s.strip()]:
        if name in SIZES:
            classes, days, fmt, rep = SIZES[name]
        else:  # CLASSESxDAYS[:fmt]
            dims, _, fmt = name.partition(":")
            try:
                classes, days = (int(x) for x in dims.lower().split("x"))
            except ValueError:
                raise SystemExit(f"unknown size '{name}': use small, large or CLASSESxDAYS[:csv|parquet]")
            fmt = fmt or "csv"
            rep = 3
            name = f"{classes}x{days}-{fmt}"
        if fmt not in ("csv", "parquet"):
            raise SystemExit(f"unknown format '{fmt}' in size '{name}'")
        if skip_large and name == "large":
            continue
        sizes.append((name, classes, days, fmt, rep))
    return sizes


def synth(name, classes, days, fmt, seed):
    d = os.path.join(DATA_ROOT, name)
    data = os.path.join(d, f"industry.{fmt}")
    meta = os.path.join(d, "classes.csv")
    if os.path.exists(data) and os.path.exists(meta):
        print(f"[bench] {name}: reusing {os.path.relpath(data, ROOT)}", flush=True)
        return data, meta
    os.makedirs(d, exist_ok=True)
    cmd = [BINARY, "synth", "industry", "--classes", str(classes), "--days", str(days),
           "--seed", str(seed), "--out", d, "--format", fmt]
    print(f"[bench] {name}: generating {classes} x {days} ({fmt}): {' '.join(cmd)}", flush=True)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True)
    print(f"[bench] {name}: generated in {time.perf_counter() - t0:.1f} s", flush=True)
    return data, meta


def count_rows(path):
    if path.endswith(".parquet"):
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    with open(path, "rb") as f:
        return sum(buf.count(b"\n") for buf in iter(lambda: f.read(1 << 20), b"")) - 1


GNU_TIME = "/usr/bin/time"
_RUSAGE_HELPER = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.run(sys.argv[1:]).returncode\n"
    "print('Maximum resident set size (kbytes): %d' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,"
    " file=open(sys.argv[0] + '.rss', 'w'))\n"
    "sys.exit(rc)\n"
)


def have_gnu_time():
    if not os.path.exists(GNU_TIME):
        return False
    r = subprocess.run([GNU_TIME, "-v", "true"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return r.returncode == 0 and "Maximum resident set size" in r.stderr


def peak_rss(cmd, workdir):
    """Peak RSS (MiB) of one untimed run of cmd, under `/usr/bin/time -v` or, without GNU
    time, a small helper process that reads getrusage(RUSAGE_CHILDREN). Not from the timed
    runs: Linux carries a process's peak RSS across exec, so a command started straight
    from this script (pandas imported) would report the script's own RSS."""
    rss_file = os.path.join(workdir, "peergroup.rss")
    if have_gnu_time.cached:
        full = [GNU_TIME, "-v", "-o", rss_file, *cmd]
    else:
        helper = rss_file[: -len(".rss")]
        with open(helper, "w") as f:
            f.write(_RUSAGE_HELPER)
        full = [sys.executable, helper, *cmd]
    run_timed(full)
    try:
        with open(rss_file) as f:
            for line in f:
                if "Maximum resident set size" in line:
                    return int(line.rsplit(":", 1)[1]) / 1024.0
    except OSError:
        pass
    return None


def settle(out):
    """Before a timed run (untimed): remove the previous output, so that every run of
    either side writes a fresh file rather than also freeing the pages and disk blocks of
    the one it replaces (a cost that varies with the kernel's write-back state)."""
    if os.path.exists(out):
        os.remove(out)


def quiesce():
    """Before every timed run (untimed): flush what earlier steps left dirty (data
    generation, a build, the other side's outputs). The kernel writes dirty pages back
    about 30 s after they were written, on these 2 cores, so without this, whichever side
    ran 30 s after a large write paid for it."""
    if hasattr(os, "sync"):
        os.sync()


def peergroup_cmd(data, meta, by, out):
    return [BINARY, "industry", "--data", data, "--meta", meta, "--group-by", by,
            "--min-aum", repr(MIN_AUM), "--price-unit", repr(PRICE_UNIT),
            "--max-move", repr(MAX_MOVE), "--max-z", repr(MAX_Z),
            "--out", out, "--force"]


def run_pandas_once(data, meta, by, out):
    """One pandas run in a fresh worker process; returns its JSON report."""
    r = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--pandas-worker", data, meta, by, out],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    if r.returncode != 0:
        sys.stderr.write(r.stdout + r.stderr)
        raise SystemExit("pandas worker failed")
    line = [x for x in r.stdout.splitlines() if x.startswith("PANDAS_RESULT ")][-1]
    return json.loads(line.split(" ", 1)[1])


def time_both(data, meta, by, rust_out, pd_out, repeat, workdir):
    """Time `repeat` pairs of runs, one of each side per pair, and keep each side's best.

    The two sides alternate (peergroup first in even pairs, pandas first in odd ones)
    instead of running as two blocks: this VM has slow spells lasting seconds to minutes,
    and with blocks a spell could fall on all runs of one side and none of the other.
    Interleaved, both sides sample the same stretch of time. Every run starts after a
    `sync` (untimed), so neither side pays for writing back the other's output. Also
    returned: the median of the per-pair ratios, and every pair's times."""
    cmd = peergroup_cmd(data, meta, by, rust_out)
    quiesce()
    settle(rust_out)
    peak = peak_rss(cmd, workdir)
    best_rs, best_pd, info, ratios, pairs = float("inf"), float("inf"), None, [], []
    for i in range(repeat):
        pair = {}
        for side in (("peergroup", "pandas") if i % 2 == 0 else ("pandas", "peergroup")):
            quiesce()
            if side == "peergroup":
                settle(rust_out)
                secs = run_timed(cmd)
                pair[side] = secs
                best_rs = min(best_rs, secs)
            else:
                settle(pd_out)
                res = run_pandas_once(data, meta, by, pd_out)
                pair[side] = res["seconds"]
                best_pd = min(best_pd, res["seconds"])
                if info is None or res["rss_mib"] > info["rss_mib"]:
                    info = res
        ratios.append(pair["pandas"] / pair["peergroup"])
        pairs.append((pair["peergroup"], pair["pandas"]))
    info["seconds"] = best_pd
    ratios.sort()
    mid = len(ratios) // 2
    median = ratios[mid] if len(ratios) % 2 else (ratios[mid - 1] + ratios[mid]) / 2
    return best_rs, peak, info, median, pairs


def _read_out(path, cols):
    import pandas as pd

    if path.endswith(".parquet"):
        t = pd.read_parquet(path, columns=cols)
    else:
        t = pd.read_csv(path, usecols=cols, dtype={"id": "string", "date": "string"})
    t["id"] = t["id"].astype(str)
    t["date"] = t["date"].astype(str).str.slice(0, 10)  # date32, timestamp or text -> YYYY-MM-DD
    return t


def compare(rust_out, pandas_out, full_check_rows=3_000_000):
    """Compare the two outputs: final total_return per id always; when the outputs are small
    enough, also every row (dates present, empty cells, daily_return, AUM, effects)."""
    import numpy as np
    import pandas as pd

    full = max(count_rows(rust_out), count_rows(pandas_out)) <= full_check_rows
    cols = ["id", "date"] + (OUT_COLS[2:] if full else ["total_return"])
    a, b = _read_out(rust_out, cols), _read_out(pandas_out, cols)
    res = {"rows_rust": len(a), "rows_pandas": len(b)}

    def final(t):
        t = t.dropna(subset=["total_return"])
        return t.loc[t.groupby("id")["date"].idxmax()].set_index("id")["total_return"]

    fa, fb = final(a), final(b)
    j = pd.concat({"rust": fa, "pandas": fb}, axis=1, join="inner")
    d = (j["rust"] - j["pandas"]).abs()
    res["ids_rust"], res["ids_pandas"], res["ids_compared"] = len(fa), len(fb), len(j)
    res["tr_max_abs"] = float(d.max()) if len(d) else float("nan")
    res["tr_max_rel"] = float((d / j["pandas"].abs()).max()) if len(d) else float("nan")
    res["tr_over_1e-9_rel"] = int((d > 1e-9 * j["pandas"].abs().clip(lower=1.0)).sum())
    res["worst"] = []
    if len(d) and res["tr_over_1e-9_rel"]:
        for i in d.sort_values(ascending=False).index[:3]:
            res["worst"].append((i, float(j.at[i, "rust"]), float(j.at[i, "pandas"])))

    if full:
        m = a.merge(b, on=["id", "date"], how="outer", suffixes=("_r", "_p"), indicator=True)
        res["dates_only_rust"] = int((m["_merge"] == "left_only").sum())
        res["dates_only_pandas"] = int((m["_merge"] == "right_only").sum())
        both = m[m["_merge"] == "both"]
        res["nan_mismatch"], res["max_rel"] = 0, {}
        for c in OUT_COLS[2:]:
            x, y = both[c + "_r"].to_numpy(float), both[c + "_p"].to_numpy(float)
            res["nan_mismatch"] += int((np.isnan(x) != np.isnan(y)).sum())
            scale = np.maximum(np.abs(y), 1.0 if c in ("daily_return", "total_return") else 1e-300)
            if c in ("price_effect", "subscription_effect"):  # relative to the AUM they change
                scale = np.maximum(both["aum_p"].to_numpy(float), 1.0)
            dd = np.abs(x - y) / scale
            res["max_rel"][c] = float(np.nanmax(dd)) if np.isfinite(dd).any() else 0.0
    return res


def fmt_s(x):
    return "-" if x is None else (f"{x:.3f}" if x < 10 else f"{x:.1f}")


def fmt_mib(x):
    return "-" if x is None else f"{x:,.0f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="small,large", help="comma list: small, large, CLASSESxDAYS[:csv|parquet]")
    ap.add_argument("--skip-large", action="store_true", help="leave out the large size")
    ap.add_argument("--repeat", type=int, help="interleaved pairs of runs per measurement, best of each side kept "
                    "(default 7 for small, 3 for large and custom sizes)")
    ap.add_argument("--group-by", default="class,fund", help="comma list of class, fund, manager")
    ap.add_argument("--seed", type=int, default=42, help="seed for `peergroup synth industry`")
    ap.add_argument("--no-compare", action="store_true", help="skip the output comparison")
    args = ap.parse_args()

    sizes = parse_sizes(args.sizes, args.skip_large)
    groupings = [g.strip() for g in args.group_by.split(",") if g.strip()]
    build_if_missing()
    have_gnu_time.cached = have_gnu_time()
    import pandas as pd

    print(f"[bench] peergroup: {BINARY}")
    print(f"[bench] pandas {pd.__version__}, python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"peergroup's peak RSS via {'/usr/bin/time -v' if have_gnu_time.cached else 'getrusage(RUSAGE_CHILDREN)'} "
          f"in one extra untimed run", flush=True)

    rows_table, checks = [], []
    for name, classes, days, fmt, rep in sizes:
        repeat = args.repeat or rep
        data, meta = synth(name, classes, days, fmt, args.seed)
        n_rows = count_rows(data)
        truth = os.path.join(DATA_ROOT, name, "truth_outliers.csv")
        n_truth = count_rows(truth) if os.path.exists(truth) else None
        outdir = os.path.join(DATA_ROOT, name, "out")
        os.makedirs(outdir, exist_ok=True)
        for by in groupings:
            rust_out = os.path.join(outdir, f"peergroup_{by}.{fmt}")
            pd_out = os.path.join(outdir, f"pandas_{by}.{fmt}")
            print(f"[bench] {name} group-by {by}: {repeat} interleaved pairs of runs ...", flush=True)
            rs, rss, pinfo, paired, pairs = time_both(data, meta, by, rust_out, pd_out, repeat, outdir)
            print("[bench]   pairs (peergroup s / pandas s): "
                  + ", ".join(f"{a:.3f}/{b:.3f}" for a, b in pairs), flush=True)
            print(f"[bench]   peergroup {rs:.3f} s, peak RSS {fmt_mib(rss)} MiB; "
                  f"pandas {pinfo['seconds']:.3f} s, peak RSS {pinfo['rss_mib']:,.0f} MiB; "
                  f"median of the paired ratios {paired:.1f}x; "
                  f"dropped {pinfo['dropped_min_aum']} (min_aum) + {pinfo['dropped_outlier']} (outlier; "
                  f"truth_outliers.csv has "
                  f"{'?' if n_truth is None else n_truth} rows)", flush=True)
            cmp = None if args.no_compare else compare(rust_out, pd_out)
            ratio = pinfo["seconds"] / rs if rs > 0 else float("inf")
            if name == "small" or (classes, days) == SIZES["small"][:2]:
                tgt = [f"<{TARGET_SMALL_S:g}s {'ok' if rs < TARGET_SMALL_S else 'MISS'}"]
            elif name == "large" or (classes, days) == SIZES["large"][:2]:
                tgt = [f"<{TARGET_LARGE_S:g}s {'ok' if rs < TARGET_LARGE_S else 'MISS'}",
                       f"<8GiB {'ok' if rss is not None and rss < TARGET_LARGE_RSS_MIB else ('?' if rss is None else 'MISS')}"]
            else:
                tgt = []
            tgt.append(f">={TARGET_RATIO:g}x {'ok' if ratio >= TARGET_RATIO else 'MISS'}")
            rows_table.append([name, f"{n_rows:,}", by, fmt_s(rs), fmt_s(pinfo["seconds"]), f"{ratio:.1f}x", f"{paired:.1f}x",
                               fmt_mib(rss), fmt_mib(pinfo["rss_mib"]),
                               "-" if cmp is None else f"{cmp['ids_compared']:,}",
                               "-" if cmp is None else f"{cmp['tr_max_abs']:.2e}",
                               ", ".join(tgt)])
            if cmp is not None:
                checks.append((name, by, cmp))

    head = ["size", "rows", "group-by", "peergroup s", "pandas s", "ratio", "paired", "pg RSS MiB", "pd RSS MiB",
            "ids compared", "max |dTR|", "targets"]
    widths = [max(len(h), *(len(r[i]) for r in rows_table)) for i, h in enumerate(head)]
    print()
    print("  ".join(h.ljust(w) for h, w in zip(head, widths)))
    print("  ".join("-" * w for w in widths))
    for r in rows_table:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)))
    print()
    print(f"targets: 2,200x250 < {TARGET_SMALL_S:g} s; 20,000x2,500 < {TARGET_LARGE_S:g} s with peak memory < 8 GiB; "
          f">= {TARGET_RATIO:g}x faster than pandas (ratio = pandas s / peergroup s, best of each; paired = median of the "
          f"per-pair ratios; pandas time excludes interpreter "
          f"start-up and `import pandas`)")
    if checks:
        print()
        print("agreement (final total_return per id, peergroup vs pandas):")
        for name, by, c in checks:
            line = (f"  {name}/{by}: rows {c['rows_rust']:,} vs {c['rows_pandas']:,}; ids {c['ids_rust']:,} vs "
                    f"{c['ids_pandas']:,}, {c['ids_compared']:,} compared; max abs diff {c['tr_max_abs']:.3e}, "
                    f"max rel diff {c['tr_max_rel']:.3e}, {c['tr_over_1e-9_rel']} ids differ by > 1e-9")
            if "max_rel" in c:
                line += (f"; all rows: {c['dates_only_rust']} (id, date) only in peergroup, {c['dates_only_pandas']} "
                         f"only in pandas, {c['nan_mismatch']} empty-vs-value cells, max diff "
                         + ", ".join(f"{k} {v:.1e}" for k, v in c["max_rel"].items())
                         + " (relative; effects relative to AUM)")
            print(line)
            for i, r, p in c["worst"]:
                print(f"    e.g. {i}: peergroup {r!r} vs pandas {p!r}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--pandas-worker":
        pandas_worker(sys.argv[2:])
    else:
        ensure_venv(PY_DEPS)
        main()
