"""peergroup's per-fund work on a Dask cluster, beyond one machine.

The work that is independent per fund runs as Dask tasks, each one call of the engine
on one partition, reading and writing partitioned Parquet on storage every worker
reaches:

* :func:`style`: one task per partition of the fund returns (a fund's exposures depend
  only on its own returns and the factors);
* :func:`top_k`: one task per block of funds, each fund's K nearest peers against every
  fund (a row of S* needs every fund's exposures, which each task reads whole: 8 bytes
  × factors per fund);
* :func:`similarity_of`: chosen funds against every fund, one task per block.

Every task computes exactly what the single-machine call computes for its funds (rows
are computed one by one, independently of the thread count), so the partitions put
together equal ``pg.style`` / ``pg.similarity(top_k=...)`` on the whole, bit for bit.

Failures: a partition with a bad cell raises :class:`peergroup.InputError` naming the
partition's file, row and column, at once and without retries (the same input fails the
same way). Any other failure of a task (a worker lost, a full disk) is retried by Dask
(``retries``), and every retry is reported in the returned :class:`Report`; a task that
still fails after its retries raises, so nothing is silently dropped.

>>> from dask.distributed import Client, LocalCluster          # doctest: +SKIP
>>> client = Client(LocalCluster(n_workers=2, threads_per_worker=1))  # doctest: +SKIP
>>> report = style(client, "returns/", "factors.parquet", "exposures/")  # doctest: +SKIP
>>> report = top_k(client, "exposures/", 10, "peers/",
...                factor_attributes="factor_attributes.csv")    # doctest: +SKIP

The cost model for a million funds is in ``docs/SCALING.md`` of the repository.
"""

from __future__ import annotations

import dataclasses
import glob
import os
from typing import Any, Dict, List, Optional, Sequence, Union

import pyarrow as pa
import pyarrow.parquet as pq

import peergroup as pg

#: Fault injection for the retry tests: a task whose id is listed here (comma-separated)
#: fails its first attempt with a RuntimeError.
FAIL_ONCE_VARIABLE = "PEERGROUP_DISTRIBUTED_FAIL_ONCE"

PathLike = Union[str, "os.PathLike[str]"]


@dataclasses.dataclass
class Report:
    """What a distributed run did."""

    #: Output partitions written, in task order.
    outputs: List[str]
    #: Rows written per output partition.
    rows: List[int]
    #: Tasks that failed at least once and were retried: task id -> the errors seen.
    retried: Dict[str, List[str]]

    def __str__(self) -> str:
        text = f"{len(self.outputs)} partitions, {sum(self.rows):,} rows"
        if self.retried:
            text += "; retried: " + "; ".join(
                f"{task} ({len(errors)}x: {errors[-1]})" for task, errors in self.retried.items()
            )
        return text


def _partitions(path: PathLike) -> List[str]:
    """The Parquet files of a partitioned table: a folder's *.parquet, or one file."""
    path = os.fspath(path)
    if os.path.isdir(path):
        files = sorted(glob.glob(os.path.join(path, "*.parquet")))
        if not files:
            raise pg.InputError(f"{path}: no .parquet partitions in the folder")
        return files
    return [path]


def _read_whole(path: PathLike) -> pa.Table:
    """A partitioned table read whole (every task of top_k needs every fund)."""
    return pa.concat_tables([pq.read_table(p) for p in _partitions(path)])


def _attempt(task: str, log_dir: str, work, *args, **kwargs):
    """Run one task, logging the attempt and any failure under ``log_dir``; bad input is
    returned (not raised) so that Dask does not retry what would fail again."""
    log = os.path.join(log_dir, task)
    with open(log, "a", encoding="utf-8") as f:
        f.write("start\n")
    try:
        failing = os.environ.get(FAIL_ONCE_VARIABLE, "").split(",")
        with open(log, encoding="utf-8") as f:
            first = f.read().count("start\n") == 1
        if task in failing and first:
            raise RuntimeError(f"injected failure of {task} ({FAIL_ONCE_VARIABLE})")
        return ("ok", work(*args, **kwargs))
    except pg.InputError as e:
        return ("input", e)
    except Exception as e:
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"failed: {type(e).__name__}: {e}\n")
        raise


def _write(table: pa.Table, path: str) -> int:
    """Write a partition atomically (a half-written file never has the final name)."""
    tmp = path + ".partial"
    pq.write_table(table, tmp)
    os.replace(tmp, path)
    return table.num_rows


def _style_task(part: str, factors: Any, out: str, options: Dict[str, Any]) -> int:
    table = pg.style(part, factors, output="arrow", **options)
    return _write(table, out)


def _similarity_task(exposures: PathLike, funds: Sequence[str], out: str,
                     options: Dict[str, Any]) -> int:
    whole = _read_whole(exposures)
    table = pg.similarity(whole, funds=list(funds), output="arrow", **options)
    return _write(table, out)


def _run(client, tasks, out: str, retries: int) -> Report:
    """Submit ``(task id, output path, function, args)`` tasks, gather, and report."""
    os.makedirs(out, exist_ok=True)
    log_dir = os.path.join(out, "_attempts")
    os.makedirs(log_dir, exist_ok=True)
    for old in glob.glob(os.path.join(log_dir, "*")):
        os.remove(old)
    futures = [
        client.submit(_attempt, task, log_dir, work, *args, retries=retries, pure=False)
        for task, _path, work, args in tasks
    ]
    results = client.gather(futures)
    for status, value in results:
        if status == "input":
            raise value
    retried = {}
    for task, _path, _work, _args in tasks:
        with open(os.path.join(log_dir, task), encoding="utf-8") as f:
            lines = f.read().splitlines()
        errors = [line[len("failed: "):] for line in lines if line.startswith("failed: ")]
        if lines.count("start") > 1:
            retried[task] = errors or ["worker lost"]
    return Report(
        outputs=[path for _task, path, _work, _args in tasks],
        rows=[value for _status, value in results],
        retried=retried,
    )


def style(client, returns: PathLike, factors: Any, out: PathLike, *, retries: int = 2,
          **options: Any) -> Report:
    """Style exposures of every partition of ``returns`` (a folder of Parquet files, each
    a long or wide table of some funds' returns) against ``factors`` (a path every worker
    reads, or a table), one task per partition, written to ``out/<partition>.parquet``.
    ``options`` are :func:`peergroup.style`'s keyword arguments (``window=104``, ...)."""
    out = os.fspath(out)
    if isinstance(factors, (str, os.PathLike)):
        factors = os.fspath(factors)
    else:
        factors = client.scatter(factors, broadcast=True)
    tasks = []
    for part in _partitions(returns):
        stem = os.path.splitext(os.path.basename(part))[0]
        path = os.path.join(out, f"{stem}.parquet")
        tasks.append((f"style-{stem}", path, _style_task, (part, factors, path, options)))
    return _run(client, tasks, out, retries)


def _blocks(exposures: PathLike, block: int) -> List[List[str]]:
    """The funds of the exposures in file order, in blocks of ``block``."""
    if block < 1:
        raise pg.InputError(f"block must be at least 1 fund, got {block}")
    seen: Dict[str, None] = {}
    for part in _partitions(exposures):
        for fund in pq.read_table(part, columns=["fund"]).column("fund").to_pylist():
            seen.setdefault(str(fund), None)
    funds = list(seen)
    return [funds[i:i + block] for i in range(0, len(funds), block)]


def top_k(client, exposures: PathLike, k: int, out: PathLike, *, block: int = 2000,
          retries: int = 2, **options: Any) -> Report:
    """Each fund's ``k`` most similar other funds (``pg.similarity(top_k=k)``), one task
    per block of ``block`` funds, written to ``out/top-NNNNN.parquet``. ``exposures`` is
    a Parquet file or folder every worker reads; ``options`` are
    :func:`peergroup.similarity`'s (``factor_attributes=path``, ``measure``, ...)."""
    out = os.fspath(out)
    tasks = []
    for i, funds in enumerate(_blocks(exposures, block)):
        path = os.path.join(out, f"top-{i:05d}.parquet")
        tasks.append((f"top-{i:05d}", path, _similarity_task,
                      (os.fspath(exposures), funds, path, dict(options, top_k=k))))
    return _run(client, tasks, out, retries)


def similarity_of(client, exposures: PathLike, funds: Sequence[str], out: PathLike, *,
                  block: int = 100, retries: int = 2, **options: Any) -> Report:
    """The chosen ``funds`` against every fund (``pg.similarity(funds=...)``), one task
    per block, written to ``out/funds-NNNNN.parquet``."""
    out = os.fspath(out)
    funds = [str(f) for f in funds]
    tasks = []
    for i in range(0, len(funds), block):
        path = os.path.join(out, f"funds-{i // block:05d}.parquet")
        tasks.append((f"funds-{i // block:05d}", path, _similarity_task,
                      (os.fspath(exposures), funds[i:i + block], path, options)))
    return _run(client, tasks, out, retries)


__all__ = ["Report", "style", "top_k", "similarity_of", "FAIL_ONCE_VARIABLE"]
