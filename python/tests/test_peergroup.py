"""The Python package as a notebook user calls it, against the command line on the same
data, independent references (scipy's linkage, numpy) and bad inputs.

Data: the example study's synthetic tables (`peergroup init`), read with pandas and
handed over as DataFrames, while the command line reads the same files.
"""

import os
import signal
import subprocess
import threading
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import peergroup as pg

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.path.join(ROOT, "target", "release", "peergroup")


@pytest.fixture(scope="session")
def study(tmp_path_factory):
    """The example study folder: study.toml and data/."""
    d = tmp_path_factory.mktemp("study")
    subprocess.run([BINARY, "init", str(d / "s")], check=True, capture_output=True)
    return d / "s"


def data(study, name):
    return pd.read_csv(study / "data" / name)


def cli(*args):
    """Run the command line; return its stderr."""
    r = subprocess.run([BINARY, *map(str, args)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stderr


def cli_table(tmp_path, *args, name="out.parquet"):
    """The command line's --out table (Parquet, so that values compare exactly)."""
    out = tmp_path / name
    cli(*args, "--out", out)
    return pq.read_table(out).to_pandas(date_as_object=False)


def plain(df):
    """Categorical id columns (how tables in memory arrive) as text, for comparison."""
    return df.reset_index(drop=True).apply(
        lambda c: c.astype(str) if isinstance(c.dtype, pd.CategoricalDtype) else c
    )


def same(a, b):
    pd.testing.assert_frame_equal(plain(a), plain(b), check_dtype=False)


def test_style_equals_the_command_line(study, tmp_path):
    funds, factors = data(study, "funds.csv"), data(study, "factors.csv")
    res = pg.style(funds, factors, method="sharpe", window=104, step=4, fit_out=True)
    want = cli_table(
        tmp_path,
        "style", "--returns", study / "data/funds.csv", "--factors", study / "data/factors.csv",
        "--window", 104, "--step", 4,
    )
    same(res.out, want)
    assert set(res) == {"out", "fit_out"}
    assert np.issubdtype(res.out["date"].dtype, np.datetime64)
    # Sharpe's constraints, exposures at most 1 and summing to 1 per fund and date.
    sums = res.out.groupby(["fund", "date"])["beta"].sum()
    assert np.allclose(sums, 1.0, atol=1e-8) and (res.out["beta"] >= -1e-10).all()
    assert res.fit_out["r2"].between(0, 1).all()


def test_a_file_path_a_pyarrow_table_and_arrow_output(study):
    path = study / "data" / "funds.csv"
    factors = pa.Table.from_pandas(data(study, "factors.csv"))
    by_path = pg.style(str(path), factors)
    by_frame = pg.style(pd.read_csv(path), factors, output="arrow")
    assert isinstance(by_frame, pa.Table)
    same(by_path, by_frame.to_pandas(date_as_object=False))
    # A wide frame indexed by date, as pandas users hold returns.
    indexed = pd.read_csv(path, parse_dates=["date"]).set_index("date")
    same(pg.style(indexed, factors), by_path)


def test_similarity_correlation_and_peers(study, tmp_path):
    exposures = pg.style(data(study, "funds.csv"), data(study, "factors.csv"), window=104, step=4)
    attrs = data(study, "factor_attributes.csv")
    sim = pg.similarity(exposures, factor_attributes=attrs, scale="raw")
    exposures.to_csv(tmp_path / "exp.csv", index=False, date_format="%Y-%m-%d")
    want = cli_table(
        tmp_path, "similarity", "--exposures", tmp_path / "exp.csv",
        "--factor-attributes", study / "data/factor_attributes.csv", "--scale", "raw",
    )
    same(sim, want)
    corr = pg.correlation(data(study, "funds.csv"), window=52)
    want = cli_table(tmp_path, "correlation", "--returns", study / "data/funds.csv", "--window", 52, name="c.parquet")
    same(corr, want)
    # The correlation of two funds over the last 52 weeks, by numpy.
    funds = data(study, "funds.csv")
    a, b = funds.columns[1], funds.columns[2]
    pair = ((corr["fund_a"] == a) & (corr["fund_b"] == b)) | ((corr["fund_a"] == b) & (corr["fund_b"] == a))
    row = corr[pair]
    assert len(row) == 1
    ref = np.corrcoef(funds[a].tail(52), funds[b].tail(52))[0, 1]
    assert abs(row["similarity"].iloc[0] - ref) < 1e-10
    peers = pg.peers(sim, fund=a, top=3)
    assert len(peers) == 3 and (peers["fund"] == a).all()
    assert peers["similarity"].is_monotonic_decreasing
    # At scale: each fund's top 3 from the exposures, as the full table ranks them.
    top = pg.similarity(exposures, factor_attributes=attrs, top_k=3)
    last = sim[sim["date"] == sim["date"].max()]
    mine = last[(last["fund_a"] == a) | (last["fund_b"] == a)]
    other = np.where(mine["fund_a"] == a, mine["fund_b"], mine["fund_a"])
    ranked = pd.Series(mine["similarity"].to_numpy(), index=other).nlargest(3)
    got = top[top["fund"] == a]
    assert list(got["peer"].astype(str)) == list(ranked.index)
    assert np.allclose(got["similarity"], ranked.to_numpy(), rtol=0, atol=1e-13)
    two = pg.similarity(exposures, factor_attributes=attrs, funds=[a, b])
    assert set(two["fund_a"].astype(str)) == {a, b}


def test_cluster_matches_scipy_linkage(study, tmp_path):
    scipy_hierarchy = pytest.importorskip("scipy.cluster.hierarchy")
    from scipy.spatial.distance import squareform

    corr = pg.correlation(data(study, "funds.csv"), window=104)
    res = pg.cluster(similarity=corr, method="average", k=4, linkage_out=True, chart=True)
    assert set(res) == {"out", "linkage_out"} and res.charts["chart"].startswith("<svg")
    corr.to_csv(tmp_path / "c.csv", index=False, date_format="%Y-%m-%d")
    want = cli_table(tmp_path, "cluster", "--similarity", tmp_path / "c.csv", "--method", "average", "--k", 4)
    same(res.out, want)
    # scipy on the same distances 1 − S: the same merge heights.
    ids = res.out["id"].tolist()
    s = corr.pivot(index="fund_a", columns="fund_b", values="similarity")
    full = s.combine_first(s.T).reindex(index=ids, columns=ids).fillna(1.0).to_numpy()
    ref = scipy_hierarchy.linkage(squareform(1 - full, checks=False), method="average")
    assert np.allclose(np.sort(res.linkage_out["height"]), np.sort(ref[:, 2]), atol=1e-10)


def test_periods_rank_and_rate(study, tmp_path):
    daily = data(study, "daily_returns.csv")
    path = study / "data/daily_returns.csv"
    same(pg.periods(daily, trailing=[1]), cli_table(tmp_path, "periods", "--returns", path, "--trailing", 1))
    same(pg.rank(daily, top=5), cli_table(tmp_path, "rank", "--returns", path, "--top", 5, name="r.parquet"))
    rated = pg.rate(daily)
    same(rated, cli_table(tmp_path, "rate", "--returns", path, name="rate.parquet"))
    stars = pd.to_numeric(rated["stars"], errors="coerce").dropna()
    assert len(stars) > 0 and stars.between(1, 5).all()


def test_industry(study, tmp_path):
    ind, meta = data(study, "industry.csv"), data(study, "classes.csv")
    res = pg.industry(ind, meta, group_by="manager", dropped_out=True)
    want = cli_table(
        tmp_path, "industry", "--data", study / "data/industry.csv",
        "--meta", study / "data/classes.csv", "--group-by", "manager",
    )
    same(res.out, want)


def test_evolve_and_robustness_return_every_table(study, tmp_path):
    funds, factors = data(study, "funds.csv"), data(study, "factors.csv")
    attrs = data(study, "factor_attributes.csv")
    fit = pg.style(funds, factors, window=104, step=4, fit_out=True)
    res = pg.evolve(exposures=fit.out, factor_attributes=attrs, k=4, horizons=[1, 4, 13])
    assert isinstance(res, pg.Results) and len(res) >= 3 and res.charts
    for t in res.values():
        assert isinstance(t, pd.DataFrame)
    rob = pg.robustness(exposures=fit.out, factor_attributes=attrs, k=4, draws=5)
    assert len(rob) >= 1
    # The same tables as the command line's folder.
    fit.out.to_parquet(tmp_path / "exp.parquet", index=False)
    cli("evolve", "--exposures", tmp_path / "exp.parquet", "--factor-attributes",
        study / "data/factor_attributes.csv", "--k", 4, "--horizons", "1,4,13",
        "--format", "parquet", "--out", tmp_path / "ev")
    for name, table in res.items():
        want = pq.read_table(tmp_path / "ev" / (name + ".parquet")).to_pandas(date_as_object=False)
        same(table, want)


def test_segments(study, tmp_path):
    sales, cats = data(study, "sales.csv"), data(study, "fund_categories.csv")
    res = pg.segment_sales(sales, cats, k=3, stability_replicates=0)
    assert "assignments" in res and "profiles" in res and "segment_mix" in res.charts
    cli("segment", "sales", "--sales", study / "data/sales.csv", "--categories",
        study / "data/fund_categories.csv", "--k", 3, "--stability-replicates", 0, "--out", tmp_path / "s")
    same(res.assignments, pd.read_csv(tmp_path / "s/assignments.csv", dtype={"entity": str, "bd": str}))
    inv = pg.segment_investors(data(study, "users.csv"), data(study, "balances.csv"), k=3)
    assert inv.assignments["segment"].nunique() == 3
    assert "eda/gender" in inv
    cli("segment", "investors", "--users", study / "data/users.csv", "--balances",
        study / "data/balances.csv", "--k", 3, "--out", tmp_path / "i")
    same(inv.profiles, pd.read_csv(tmp_path / "i/profiles.csv"))


def test_synthetic_generators(tmp_path):
    u = pg.synth_universe(funds=12, periods=60, seed=3)
    assert u.funds.shape == (60, 13)
    assert len(pg.synth_garch(funds=3, periods=300).keys()) >= 1
    assert {"sales", "funds", "truth", "fund_truth"} <= set(pg.synth_sales(offices=30, funds=20, months=12))
    assert {"users", "balances", "truth"} <= set(pg.synth_investors(users=50, days=10))
    assert len(pg.synth_industry(classes=10, days=40)) >= 1
    # The seed decides everything, in Python as on the command line.
    same(pg.synth_universe(funds=12, periods=60, seed=3).funds, u.funds)
    cli("synth", "universe", "--funds", 12, "--periods", 60, "--seed", 3, "--format", "parquet",
        "--out", tmp_path / "u")
    same(u.funds, pq.read_table(tmp_path / "u/funds.parquet").to_pandas(date_as_object=False))


def test_run_study(study):
    pg.run_study(study / "study.toml", out=study / "results")
    assert (study / "results" / "index.html").exists()


def test_bad_input_names_table_row_and_column(study):
    funds = data(study, "funds.csv")
    funds.iloc[6, 3] = np.inf
    with pytest.raises(pg.InputError) as e:
        pg.style(funds, data(study, "factors.csv"))
    err = e.value
    assert isinstance(err, ValueError)
    assert (err.table, err.row, err.column) == ("returns", 7, funds.columns[3])
    assert "finite" in err.expected and "row 7" in str(err)
    # A bad option value is an InputError too, named by its flag; an unknown one a TypeError.
    with pytest.raises(pg.InputError, match="--method"):
        pg.style(data(study, "funds.csv"), data(study, "factors.csv"), method="nope")
    with pytest.raises(TypeError):
        pg.style(data(study, "funds.csv"), data(study, "factors.csv"), methdo="sharpe")
    with pytest.raises(TypeError, match="returns"):
        pg.style(42, data(study, "factors.csv"))
    with pytest.raises(ValueError, match="output must be"):
        pg.style(data(study, "funds.csv"), data(study, "factors.csv"), output="excel")
    # A missing column, named.
    with pytest.raises(pg.InputError, match="class_id"):
        pg.industry(data(study, "funds.csv"))


def test_progress_callback_sees_the_steps(study):
    steps = []
    pg.style(data(study, "funds.csv"), data(study, "factors.csv"), progress=steps.append)
    assert "reading" in steps and "estimating exposures" in steps


def test_ctrl_c_interrupts_long_work():
    # Interrupt a generator that takes seconds, 0.3 s in.
    threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    start = time.time()
    with pytest.raises(KeyboardInterrupt):
        pg.synth_universe(funds=20000, periods=1500, seed=1)
    assert time.time() - start < 2.0
    # The next call waits for the interrupted one and works.
    assert pg.synth_universe(funds=8, groups=2, periods=30).funds.shape == (30, 9)


def test_type_stub_is_current():
    r = subprocess.run(
        ["python", os.path.join(ROOT, "python", "tools", "stubs.py"), "--check"],
        capture_output=True, text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_docstrings_and_signatures_carry_the_flags():
    import inspect

    sig = inspect.signature(pg.style)
    assert sig.parameters["method"].default == "sharpe"
    assert sig.parameters["lambda_"].default == "auto"
    assert "Example" in pg.style.__doc__ and "pg.style(" in pg.style.__doc__
    assert "min_obs" in pg.style.__doc__


def test_the_example_script_runs(tmp_path):
    pytest.importorskip("matplotlib")
    r = subprocess.run(
        ["python", os.path.join(ROOT, "examples", "python", "peer_groups.py"), str(tmp_path)],
        capture_output=True, text=True,
    )
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "peer_groups.png").stat().st_size > 10_000


def test_polars_in_and_out(study):
    pl = pytest.importorskip("polars")
    funds = pl.read_csv(study / "data" / "funds.csv", try_parse_dates=True)
    factors = pl.read_csv(study / "data" / "factors.csv", try_parse_dates=True)
    got = pg.style(funds, factors, output="polars")
    assert isinstance(got, pl.DataFrame)
    same(got.to_pandas(), pg.style(data(study, "funds.csv"), data(study, "factors.csv")))
