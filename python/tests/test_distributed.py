"""peergroup.distributed on a local Dask cluster of worker processes: partitioned style
and top-k peers equal the single-machine calls exactly; a bad row in a partition raises
InputError naming the partition, row and column; a failed task is retried by Dask and
reported."""

import os

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import peergroup as pg

distributed = pytest.importorskip("distributed")
from peergroup import distributed as pgd  # noqa: E402

# Block 1 of every top_k run fails its first attempt (set before the workers start, so
# that they inherit it).
os.environ[pgd.FAIL_ONCE_VARIABLE] = "top-00001"


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def universe(tmp_path_factory):
    """60 funds' weekly returns, split by fund into three wide Parquet partitions."""
    d = tmp_path_factory.mktemp("universe")
    data = pg.synth_universe(funds=60, factors=8, periods=156, groups=4, seed=5)
    funds, factors = data["funds"], data["factors"]
    parts = d / "returns"
    parts.mkdir()
    ids = [c for c in funds.columns if c != "date"]
    for i in range(3):
        cols = ["date", *ids[i * 20:(i + 1) * 20]]
        funds[cols].to_parquet(parts / f"part-{i}.parquet", index=False)
    factors.to_parquet(d / "factors.parquet", index=False)
    data["factor_attributes"].to_csv(d / "factor_attributes.csv", index=False)
    return d, funds, factors


def ordered(df, keys):
    out = df.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(str)
    return out.sort_values(keys).reset_index(drop=True)


def test_partitioned_style_and_top_k_equal_the_single_machine(client, universe, tmp_path):
    d, funds, factors = universe
    report = pgd.style(client, d / "returns", d / "factors.parquet", tmp_path / "exposures",
                       window=104, step=13)
    assert len(report.outputs) == 3 and not report.retried
    got = pd.concat([pq.read_table(p).to_pandas(date_as_object=False) for p in report.outputs])
    want = pg.style(funds, factors, window=104, step=13)
    keys = ["fund", "date", "factor"]
    pd.testing.assert_frame_equal(ordered(got, keys), ordered(want, keys), check_dtype=False)

    attrs = str(d / "factor_attributes.csv")
    top = pgd.top_k(client, tmp_path / "exposures", 5, tmp_path / "top", block=16,
                    factor_attributes=attrs, all_dates=True)
    assert len(top.outputs) == 4 and sum(top.rows) == 60 * 5 * want["date"].nunique()
    got = pd.concat([pq.read_table(p).to_pandas(date_as_object=False) for p in top.outputs])
    single = pg.similarity(want, factor_attributes=attrs, top_k=5, all_dates=True)
    keys = ["date", "fund", "rank"]
    a, b = ordered(got, keys), ordered(single, keys)
    assert (a["peer"] == b["peer"]).all()
    assert np.array_equal(a["similarity"].to_numpy(), b["similarity"].to_numpy())
    # The injected failure of block 1 was retried by Dask and reported.
    assert list(top.retried) == ["top-00001"]
    assert "injected failure" in top.retried["top-00001"][0]
    assert "retried: top-00001" in str(top)

    chosen = pgd.similarity_of(client, tmp_path / "exposures", ["FUND0001", "FUND0040"],
                               tmp_path / "two", block=1, factor_attributes=attrs)
    rows = pd.concat([pq.read_table(p).to_pandas(date_as_object=False) for p in chosen.outputs])
    assert set(rows["fund_a"].astype(str)) == {"FUND0001", "FUND0040"}


def test_a_bad_row_in_a_partition_names_it(client, universe, tmp_path):
    d, funds, _ = universe
    parts = tmp_path / "returns"
    parts.mkdir()
    good = funds[["date", "FUND0001", "FUND0002"]]
    bad = funds[["date", "FUND0003", "FUND0004"]].copy()
    bad.loc[7, "FUND0004"] = np.inf
    good.to_parquet(parts / "part-0.parquet", index=False)
    bad.to_parquet(parts / "part-1.parquet", index=False)
    with pytest.raises(pg.InputError) as e:
        pgd.style(client, parts, d / "factors.parquet", tmp_path / "out")
    err = e.value
    assert "part-1.parquet" in str(err) and err.row == 8 and err.column == "FUND0004", str(err)
    assert not os.path.exists(tmp_path / "out" / "part-1.parquet")


def test_bad_arguments_are_refused_before_any_task(client, universe, tmp_path):
    d, _, _ = universe
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(pg.InputError, match="no .parquet partitions"):
        pgd.style(client, empty, d / "factors.parquet", tmp_path / "out")
    with pytest.raises(pg.InputError, match="block must be at least 1"):
        pgd.top_k(client, d / "returns", 5, tmp_path / "top", block=0)
    assert not (tmp_path / "out").exists() and not (tmp_path / "top").exists()
