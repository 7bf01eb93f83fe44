"""`dir-dist sweep` and `dir-dist report` from Python."""

from __future__ import annotations

import json
import numbers
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from . import _cli, _table
from ._options import extra_tokens, option_string, options_from_dict

SUMMARY_COLUMNS = [
    "config", "shot", "metric", "n", "mean", "sd", "ci_low", "ci_high",
    "delta_mean", "delta_ci_low", "delta_ci_high",
]


def seeds_option(seeds) -> str:
    """``range(3)`` -> ``0-2``; ``[0, 4]`` -> ``0,4``; ``5`` -> ``5``."""
    if isinstance(seeds, numbers.Integral):
        return str(int(seeds))
    if isinstance(seeds, str):
        return seeds
    values = [int(s) for s in seeds]
    if not values:
        raise ValueError("seeds is empty")
    if len(values) > 1 and values == list(range(values[0], values[0] + len(values))):
        return f"{values[0]}-{values[-1]}"
    return ",".join(str(v) for v in values)


def sweep_args(
    *,
    out,
    configs=None,
    vary=None,
    seeds=range(3),
    ranks_per_run=1,
    select_by="few",
    baseline=None,
    data_args=(),
    extra_args=None,
    common=None,
) -> list[str]:
    """The ``dir-dist sweep`` command line (without mpirun and the binary)."""
    args = ["sweep", f"--out={os.fspath(out)}", f"--seeds={seeds_option(seeds)}",
            f"--ranks-per-run={int(ranks_per_run)}"]
    if select_by is not None:
        args.append(f"--select-by={select_by}")
    if baseline is not None:
        args.append(f"--baseline={baseline}")
    for name, options in (configs or {}).items():
        name = str(name)
        if not name or "=" in name or "," in name or '"' in name:
            raise ValueError(f"configuration name {name!r}: use a non-empty name without '=', ',' or '\"'")
        args += ["--config", f"{name}={option_string(options)}"]
    for option, values in (vary or {}).items():
        if isinstance(values, (str, bytes)):
            text = values
        else:
            text = ",".join(
                "yes" if v is True else "no" if v is False else str(v) for v in values
            )
        args += ["--vary", f"{str(option).lstrip('-').replace('_', '-')}={text}"]
    args += list(data_args)
    args += options_from_dict(dict(common or {}))
    args += extra_tokens(extra_args)
    return args


def sweep(
    X=None,
    y=None,
    *,
    data=None,
    configs=None,
    vary=None,
    seeds=range(3),
    n_ranks=1,
    ranks_per_run=1,
    out=None,
    select_by="few",
    baseline=None,
    target=None,
    binary=None,
    mpirun="mpirun",
    mpirun_args=None,
    oversubscribe=False,
    extra_args=None,
    verbose=False,
    **common,
):
    """Runs ``mpirun -np n_ranks dir-dist sweep`` and returns ``(summary, selected)``.

    Parameters
    ----------
    X, y : table and labels, optional
        Written as one CSV that dir-dist splits into train, validation and test rows
        (``--data FILE.csv``; its DIR split, see ``split``/``val_fraction`` in ``common``).
    data : str, path or DataFrame, optional
        Instead of X, y: a data folder or CSV file passed as ``--data``, or a DataFrame
        holding the target column ``target``. Neither: dir-dist's embedded Abalone set.
    configs : dict of name -> dict or str
        The configurations compared, each as ``train`` options:
        ``{"sqinv+lds": {"reweight": "sqrt_inv", "lds": True}}`` or
        ``{"sqinv+lds": "--reweight sqrt_inv --lds"}`` (``--config NAME=OPTIONS``).
    vary : dict of option -> values, optional
        ``--vary OPTION=V1,V2`` grids (``{"lds_ks": [3, 5]}``); True/False -> yes/no.
    seeds : range, list or int
    n_ranks, ranks_per_run : int
        The job's MPI ranks, and those training one run together.
    out : str or path, optional
        The sweep's folder (new, or a stopped sweep with ``extra_args=["--resume"]``);
        default: a new temporary folder, kept (``summary.attrs["out"]``).
    select_by, baseline : str, optional
    target : str, optional
        The target column of ``data`` (default ``target``).
    **common
        ``train`` options shared by every run, as DIRRegressor's parameters
        (``epochs=5, hidden=(64, 64), reweight="sqrt_inv"``).

    Returns
    -------
    summary : pandas.DataFrame
        ``OUT/summary.csv`` (``attrs["out"]`` is the folder).
    selected : dict
        ``OUT/selected.json``.
    """
    if not configs and not vary:
        raise ValueError("give configs (names -> train options) or vary (option -> values) to compare")
    if not isinstance(n_ranks, numbers.Integral) or n_ranks < 1:
        raise ValueError(f"n_ranks must be a positive integer, got {n_ranks!r}")
    binary = _cli.find_binary(binary)
    mpirun_path = _cli.find_mpirun(mpirun)
    made = out is None
    if made:
        out = tempfile.mkdtemp(prefix="dirdist-sweep-")
    out = os.path.abspath(os.fspath(out))
    try:
        _run_sweep(X, y, data, target, out, binary, mpirun_path, n_ranks, oversubscribe, mpirun_args,
                   verbose, dict(configs=configs, vary=vary, seeds=seeds, ranks_per_run=ranks_per_run,
                                 select_by=select_by, baseline=baseline, extra_args=extra_args, common=common))
    except BaseException:
        if made:  # a folder this call made for itself: not left behind by a failed sweep
            shutil.rmtree(out, ignore_errors=True)
        raise
    return read_sweep(out)


def _run_sweep(X, y, data, target, out, binary, mpirun_path, n_ranks, oversubscribe, mpirun_args, verbose, spec):
    with tempfile.TemporaryDirectory(prefix="dirdist-data-") as tmp:
        data_args = []
        if X is not None or y is not None:
            if X is None or y is None or data is not None:
                raise ValueError("pass X and y together, or data, not both")
            data_args = _write_table(X, y, tmp)
        elif isinstance(data, pd.DataFrame):
            name = target or "target"
            if name not in data.columns:
                raise ValueError(f"data has no target column {name!r} (columns: {list(data.columns)})")
            data_args = _write_table(data.drop(columns=[name]), data[name], tmp)
        elif data is not None:
            data_args = [f"--data={os.path.abspath(os.fspath(data))}"]
            if target is not None:
                data_args.append(f"--target={target}")
        args = sweep_args(out=out, data_args=data_args, **spec)
        cmd = _cli.launch_command(
            mpirun_path, int(n_ranks), binary, args,
            oversubscribe=oversubscribe, mpirun_args=tuple(mpirun_args or ()),
        )
        _cli.run(cmd, what="dir-dist sweep", verbose=verbose, n_ranks=int(n_ranks))


def _write_table(X, y, folder) -> list[str]:
    """X, y as one CSV for ``--data``, with ``--categorical`` for its text columns."""
    from .estimator import _numeric_target

    y = np.asarray(_numeric_target(y), dtype=np.float64).reshape(-1)
    if isinstance(X, pd.DataFrame):
        kinds = _table.column_kinds(X)
        names = _table.csv_names([str(c) for c in X.columns], X.shape[1])
        table = _table.frame_table(X, kinds, names)
    else:
        arr = np.asarray(X, dtype=np.float64)
        if arr.ndim == 1:
            arr = arr.reshape(-1, 1)
        kinds = [_table.NUMERIC] * arr.shape[1]
        names = _table.csv_names(None, arr.shape[1])
        table = _table.array_table(arr, names)
    if len(table) != len(y):
        raise ValueError(f"X has {len(table)} rows but y has {len(y)}")
    target = _table.target_name(names)
    path = os.path.join(folder, "data.csv")
    _table.write_csv(table, path, y, target)
    args = [f"--data={path}", f"--target={target}"]
    categorical = [n for n, k in zip(names, kinds) if k == _table.CATEGORICAL]
    if categorical:
        args.append("--categorical=" + ",".join(categorical))
    return args


def read_sweep(out):
    """``(summary, selected)`` of a sweep folder: ``summary.csv`` as a DataFrame (the
    configuration names as text) and ``selected.json`` as a dict."""
    out = os.fspath(out)
    summary = pd.read_csv(os.path.join(out, "summary.csv"), dtype={"config": str, "shot": str, "metric": str},
                          keep_default_na=False, na_values={c: [""] for c in SUMMARY_COLUMNS[3:]})
    summary.attrs["out"] = os.path.abspath(out)
    with open(os.path.join(out, "selected.json"), encoding="utf-8") as f:
        selected = json.load(f)
    return summary, selected


def report(out, *, baseline=None, select_by=None, binary=None) -> Path:
    """Runs ``dir-dist report OUT`` (a training run's or a sweep's folder) and returns
    the path of ``OUT/report.html``."""
    out = os.path.abspath(os.fspath(out))
    if not os.path.isdir(out):
        raise FileNotFoundError(f"{out} is not a folder (give a train --out or sweep --out folder)")
    args = [_cli.find_binary(binary), "report", out]
    if baseline is not None:
        args.append(f"--baseline={baseline}")
    if select_by is not None:
        args.append(f"--select-by={select_by}")
    _cli.run(args, what="dir-dist report")
    path = Path(out) / "report.html"
    if not path.exists():
        raise _cli.DirDistError(f"dir-dist report ended without writing {path}")
    return path
