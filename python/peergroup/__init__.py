"""peergroup from Python: every stage of the engine, DataFrames in and out.

Each function runs the ``peergroup`` command of the same name in this process, on the
tables you pass (pandas or Polars DataFrames, pyarrow Tables, or file paths), with
keyword arguments named as the command's flags (``--min-obs`` is ``min_obs``) and the
same defaults, checks and messages. Tables cross to the engine through the Arrow C data
interface without a copy of their columns; results come back as pandas DataFrames with
the command line's column names (``output="arrow"`` or ``"polars"`` for those), dates as
``datetime64``.

>>> import peergroup as pg
>>> data = pg.synth_universe(funds=40, periods=120, seed=1)
>>> exposures = pg.style(data["funds"], data["factors"])
>>> sorted(exposures.columns)[:3]
['beta', 'date', 'factor']

Errors in the input raise :class:`InputError` (a ``ValueError``) naming the table, row
and column; Ctrl-C interrupts; ``progress=callable`` is called with each step's name
(``tqdm``: ``bar = tqdm(); progress=lambda step: bar.set_description(step)``).
Formulas: ``docs/METHODS.md`` of the repository.
"""

from __future__ import annotations

import inspect
import itertools
import json
import keyword
import os
import shutil
import tempfile
from typing import Any, Callable, Dict, List, Optional

import pyarrow as pa

from . import _native
from ._native import InputError

__version__ = _native.version()

#: Commands exposed, as (function name, command path).
_COMMANDS = {
    "industry": ("industry",),
    "periods": ("periods",),
    "rank": ("rank",),
    "style": ("style",),
    "similarity": ("similarity",),
    "correlation": ("correlation",),
    "peers": ("peers",),
    "cluster": ("cluster",),
    "evolve": ("evolve",),
    "robustness": ("robustness",),
    "rate": ("rate",),
    "segment_sales": ("segment", "sales"),
    "segment_investors": ("segment", "investors"),
    "synth_universe": ("synth", "universe"),
    "synth_garch": ("synth", "garch"),
    "synth_sales": ("synth", "sales"),
    "synth_investors": ("synth", "investors"),
    "synth_industry": ("synth", "industry"),
    "run_study": ("run",),
}

#: Numbers the calls, so that each call's tables in memory have names of their own.
_CALLS = itertools.count(1)

#: Flags a Python caller never passes: the wrapper owns the output location.
_OWNED = {"out", "force", "help", "version"}

#: A short Python example per function (the command's own example is in its docstring).
_EXAMPLES = {
    "industry": "pg.industry(daily)  # class_id,date,price,shares,aum",
    "periods": "pg.periods(returns, trailing=[1, 3, 5])",
    "rank": "pg.rank(returns, top=10)",
    "style": 'pg.style(returns, factors, method="rolling", window=36, fit_out=True)',
    "similarity": "pg.similarity(exposures, fit=fit_table)",
    "correlation": "pg.correlation(returns, window=36)",
    "peers": 'pg.peers(similarity_table, fund="F001", top=10)',
    "cluster": 'pg.cluster(similarity=similarity_table, method="average", k="auto")',
    "evolve": "pg.evolve(exposures=exposures, fit=fit_table)",
    "robustness": "pg.robustness(exposures=exposures, fit=fit_table)",
    "rate": "pg.rate(returns)",
    "segment_sales": 'pg.segment_sales(sales, categories=funds, entity="office", k="auto")',
    "segment_investors": 'pg.segment_investors(users, balances, k="auto")',
    "synth_universe": "pg.synth_universe(funds=200, periods=120, seed=1)",
    "synth_garch": "pg.synth_garch(funds=50, periods=2000)",
    "synth_sales": "pg.synth_sales(offices=400, funds=120)",
    "synth_investors": "pg.synth_investors(users=10000, days=30)",
    "synth_industry": "pg.synth_industry(classes=300, days=500)",
    "run_study": 'pg.run_study("my-study/study.toml", out="my-study/results")',
}


class Results(dict):
    """A command's outputs by name: tables (DataFrames) and, under ``charts``, SVG texts.

    Keys are the output files' names without extension, relative to the command's
    output (``"assignments"``, ``"eda/gender"``); the main table of a one-table command
    is ``"out"``. Keys are also attributes where they are identifiers
    (``res.assignments``).
    """

    def __init__(self, tables: Dict[str, Any], charts: Dict[str, str]):
        super().__init__(tables)
        self.charts = charts

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        return f"Results(tables={list(self)}, charts={list(self.charts)})"


def _to_arrow(value: Any, name: str) -> Any:
    """A table argument as something with ``__arrow_c_stream__`` (no copy where the
    layout allows: pyarrow Tables and Polars frames pass as they are)."""
    if isinstance(value, pa.Table):
        return value
    if isinstance(value, pa.RecordBatch):
        return pa.Table.from_batches([value])
    module = type(value).__module__
    if module.startswith("pandas"):
        import pandas as pd

        if isinstance(value, pd.Series):
            value = value.to_frame()
        index = value.index
        # A date index (the usual wide returns frame) becomes the date column.
        if isinstance(index, pd.DatetimeIndex) or (
            index.name is not None and not isinstance(index, pd.RangeIndex)
        ):
            value = value.reset_index()
            if index.name is None:
                value = value.rename(columns={"index": "date"})
        value = value.rename(columns=str)
        return pa.Table.from_pandas(value, preserve_index=False)
    if hasattr(value, "__arrow_c_stream__"):
        return value
    raise TypeError(
        f"{name}: expected a pandas or Polars DataFrame, a pyarrow Table or a file path, "
        f"got {type(value).__name__}"
    )


def _flag_value(value: Any) -> str:
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)


def _convert(table: pa.Table, output: str) -> Any:
    if output == "arrow":
        return table
    if output == "polars":
        import polars as pl

        return pl.from_arrow(table)
    # Dates as datetime64 rather than datetime.date objects.
    return table.to_pandas(date_as_object=False)


def _read_table(path: str) -> pa.Table:
    if path.endswith(".parquet"):
        import pyarrow.parquet as pq

        return pq.read_table(path)
    import pyarrow.csv as pc

    # Ids stay text even when they look like numbers ("001").
    with open(path, encoding="utf-8") as fh:
        header = fh.readline().rstrip("\r\n").split(",")
    text = {c: pa.string() for c in header if c.lower() in _TEXT_COLUMNS}
    return pc.read_csv(path, convert_options=pc.ConvertOptions(column_types=text))


#: Columns of the commands' CSV outputs that hold ids or labels, read as text.
_TEXT_COLUMNS = {
    "id", "fund", "fund_a", "fund_b", "peer", "entity", "office", "bd", "user_id",
    "class_id", "category", "sells_like", "label", "group", "persona", "factor",
}


def _collect(root: str, output: str) -> Results:
    tables: Dict[str, Any] = {}
    charts: Dict[str, str] = {}
    for base, _dirs, files in sorted(os.walk(root)):
        for f in sorted(files):
            full = os.path.join(base, f)
            key, ext = os.path.splitext(os.path.relpath(full, root))
            key = key.replace(os.sep, "/")
            if ext in (".csv", ".parquet"):
                tables[key] = _convert(_read_table(full), output)
            elif ext == ".svg":
                with open(full, encoding="utf-8") as fh:
                    charts[key] = fh.read()
    return Results(tables, charts)


def _is_output(arg: Dict[str, Any]) -> bool:
    long = arg["long"] or ""
    return long == "out" or long.endswith("-out") or (arg["value_name"] or "").endswith(".svg")


def _is_table(arg: Dict[str, Any]) -> bool:
    return arg["value_name"] in ("FILE", "STUDY.toml") and not _is_output(arg)


def _typed_default(arg: Dict[str, Any]) -> Any:
    if arg["flag"]:
        return False
    d = arg["default"]
    if not d:
        return None
    if arg["list"]:
        d = [v for x in d for v in x.split(",") if v]
    values = []
    for v in d:
        for cast in (int, float):
            try:
                v = cast(v)
                break
            except ValueError:
                pass
        values.append(v)
    return values if arg["list"] else values[0]


def _make(fname: str, spec: Dict[str, Any]) -> Callable[..., Any]:
    args = [a for a in spec["args"] if a["long"] not in _OWNED]
    out_arg = next(a for a in spec["args"] if a["long"] == "out")
    out_is_dir = out_arg["value_name"] == "DIR"
    positional = [a for a in spec["args"] if a["positional"]]
    tables = [a for a in args if _is_table(a) or a["positional"]]
    extras = [a for a in args if _is_output(a)]
    options = [a for a in args if a not in tables and a not in extras]
    has_format = any(a["long"] == "format" for a in options)
    path = list(spec["path"])

    params = []
    required_tables = [a for a in tables if a["required"] or a["positional"]]
    optional_tables = [a for a in tables if a not in required_tables]
    for a in required_tables:
        params.append(inspect.Parameter(_pyname(a), inspect.Parameter.POSITIONAL_OR_KEYWORD))
    for a in optional_tables:
        params.append(inspect.Parameter(_pyname(a), inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None))
    for a in options:
        params.append(inspect.Parameter(_pyname(a), inspect.Parameter.KEYWORD_ONLY, default=_typed_default(a)))
    for a in extras:
        params.append(inspect.Parameter(_pyname(a), inspect.Parameter.KEYWORD_ONLY, default=False))
    if fname == "run_study":
        params.append(inspect.Parameter("out", inspect.Parameter.KEYWORD_ONLY, default=None))
        params.append(inspect.Parameter("force", inspect.Parameter.KEYWORD_ONLY, default=False))
    params.append(inspect.Parameter("output", inspect.Parameter.KEYWORD_ONLY, default="pandas"))
    params.append(inspect.Parameter("progress", inspect.Parameter.KEYWORD_ONLY, default=None))
    signature = inspect.Signature(params)

    def command(*call_args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*call_args, **kwargs)
        output = bound.arguments.pop("output", "pandas")
        progress = bound.arguments.pop("progress", None)
        if output not in ("pandas", "arrow", "polars"):
            raise ValueError(f"output must be 'pandas', 'arrow' or 'polars', got {output!r}")
        argv: List[str] = list(path)
        memory: Dict[str, Any] = {}
        for a in tables:
            value = bound.arguments.get(_pyname(a))
            if value is None:
                continue
            if isinstance(value, (str, os.PathLike)):
                target = os.fspath(value)
            else:
                # Named after the argument: messages say "returns, row 12, column 'value'".
                memory[a["long"] or _pyname(a)] = _to_arrow(value, _pyname(a))
                target = "memory:" + (a["long"] or _pyname(a))
            if a["positional"]:
                argv.append(target)
            else:
                argv += ["--" + a["long"], target]
        for a in options:
            name = _pyname(a)
            if name not in bound.arguments:
                continue
            value = bound.arguments[name]
            if a["flag"]:
                if value:
                    argv.append("--" + a["long"])
            elif value is not None:
                argv += ["--" + a["long"], _flag_value(value)]
        if has_format and "format" not in bound.arguments:
            argv += ["--format", "parquet"]
        if fname == "run_study":
            if bound.arguments.get("out") is not None:
                argv += ["--out", os.fspath(bound.arguments["out"])]
            if bound.arguments.get("force"):
                argv.append("--force")
            _native.run(argv, memory, [], progress)
            return None
        tmp = tempfile.mkdtemp(prefix="peergroup-")
        try:
            # Tables come back in memory (no file, no copy); a folder of outputs and the
            # charts go through a temporary folder.
            call = next(_CALLS)
            capture = {}
            if out_is_dir:
                main = os.path.join(tmp, "out")
            else:
                main = capture["out"] = f"out-{call}.parquet"
                main = "memory:" + main
            argv += ["--out", main]
            charts_wanted = {}
            for a in extras:
                name = _pyname(a)
                if not bound.arguments.get(name):
                    continue
                if (a["value_name"] or "").endswith(".svg"):
                    charts_wanted[name] = os.path.join(tmp, name + ".svg")
                    argv += ["--" + a["long"], charts_wanted[name]]
                else:
                    capture[name] = f"{name}-{call}.parquet"
                    argv += ["--" + a["long"], "memory:" + capture[name]]
            got = _native.run(argv, memory, list(capture.values()), progress)
            if out_is_dir:
                return _collect(main, output)
            found: Dict[str, Any] = {}
            for name, key in capture.items():
                if key in got:
                    schema, batches = got[key]
                    found[name] = _convert(pa.Table.from_batches(batches, schema), output)
            if len(capture) == 1 and not charts_wanted:
                return found["out"]
            charts: Dict[str, str] = {}
            for name, p in charts_wanted.items():
                with open(p, encoding="utf-8") as fh:
                    charts[name] = fh.read()
            return Results(found, charts)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    command.__name__ = fname
    command.__qualname__ = fname
    command.__signature__ = signature  # type: ignore[attr-defined]
    command.__doc__ = _docstring(fname, spec, tables, options, extras, out_is_dir)
    return command


def _pyname(arg: Dict[str, Any]) -> str:
    """The flag's Python name: ``--min-obs`` is ``min_obs``; a keyword gets a trailing
    underscore (``--lambda`` is ``lambda_``)."""
    name = (arg["long"] or arg["id"]).replace("-", "_").replace(".", "_").lower()
    return name + "_" if keyword.iskeyword(name) else name


def _docstring(fname, spec, tables, options, extras, out_is_dir) -> str:
    lines = [spec.get("about") or "", ""]
    if spec.get("long_about"):
        lines += [spec["long_about"], ""]
    lines += ["Tables (a pandas or Polars DataFrame, a pyarrow Table, or a file path):"]
    for a in tables:
        lines.append(f"    {_pyname(a)}: {a['help'] or ''}")
    lines += ["", "Options (the command's flags; default in brackets):"]
    for a in options:
        d = _typed_default(a)
        choice = f" One of {', '.join(a['choices'])}." if a["choices"] else ""
        lines.append(f"    {_pyname(a)} [{d!r}]: {a['help'] or ''}{choice}")
    if extras:
        lines += ["", "Extra outputs (True to return them too, in a Results):"]
        for a in extras:
            lines.append(f"    {_pyname(a)}: {a['help'] or ''}")
    lines += [
        "",
        "    output ['pandas']: 'pandas', 'arrow' (pyarrow.Table) or 'polars'.",
        "    progress [None]: called with each step's name as it begins.",
        "",
        "Returns:",
    ]
    if fname == "run_study":
        lines.append("    None: the run folder holds the results, report and results.xlsx.")
    elif out_is_dir:
        lines.append("    Results: every table written, by file name, and the charts (SVG).")
    else:
        lines.append("    DataFrame (the command's --out table); a Results with the extras when any is asked for.")
    lines += [
        "",
        "Raises:",
        "    InputError: bad input or options, naming the table, row and column.",
        "",
        "Example:",
        "    >>> import peergroup as pg",
        f"    >>> {_EXAMPLES.get(fname, '')}",
    ]
    return "\n".join(lines)


_SPECS = {tuple(c["path"]): c for c in json.loads(_native.commands())}

for _fname, _path in _COMMANDS.items():
    globals()[_fname] = _make(_fname, _SPECS[_path])

__all__ = ["InputError", "Results", "__version__", *_COMMANDS]
