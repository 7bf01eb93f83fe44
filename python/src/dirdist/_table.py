"""Tables as dir-dist reads them (docs/file-formats.md §1.3): CSV with a header (RFC 4180
quoting: commas, quotes and line breaks stay in a quoted text cell), empty cells missing,
text columns one-hot encoded."""

from __future__ import annotations

import csv
import math

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

NUMERIC = "numeric"
CATEGORICAL = "categorical"

def is_frame(X) -> bool:
    return isinstance(X, pd.DataFrame)


def safe_names(names) -> bool:
    """Whether these column names can go into dir-dist's CSV header as they are."""
    seen = set()
    for name in names:
        if not isinstance(name, str) or not name or name != name.strip():
            return False
        if any(c in name for c in "\n\r"):
            return False
        if name in seen:
            return False
        seen.add(name)
    return True


def csv_names(feature_names, n_features: int) -> list[str]:
    """The CSV header of the features: the frame's names when dir-dist can read them,
    else ``x0``, ``x1``, ... (as dir-dist names ``.npy`` columns)."""
    if feature_names is not None and safe_names(list(feature_names)):
        return [str(n) for n in feature_names]
    return [f"x{i}" for i in range(n_features)]


def target_name(names) -> str:
    name, k = "target", 0
    taken = set(names)
    while name in taken:
        k += 1
        name = f"target_{k}"
    return name


def column_kinds(frame: pd.DataFrame) -> list[str]:
    """numeric or categorical per column, from the dtypes; refuses what dir-dist cannot read."""
    kinds = []
    for name, dtype in frame.dtypes.items():
        if ptypes.is_bool_dtype(dtype):
            kinds.append(NUMERIC)
        elif ptypes.is_complex_dtype(dtype):
            raise ValueError(f"column {name!r} holds complex numbers (dtype {dtype}); DIRRegressor takes real numbers")
        elif ptypes.is_numeric_dtype(dtype):
            kinds.append(NUMERIC)
        elif ptypes.is_datetime64_any_dtype(dtype) or ptypes.is_timedelta64_dtype(dtype) or isinstance(
            dtype, pd.PeriodDtype
        ):
            raise ValueError(
                f"column {name!r} has dtype {dtype}; convert it to numbers (e.g. seconds since an epoch) "
                "or to text (categories) first"
            )
        else:
            kinds.append(CATEGORICAL)
    return kinds


def _text(column: pd.Series) -> np.ndarray:
    values = column.astype(object).to_numpy()
    missing = pd.isna(column).to_numpy()
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        if missing[i]:
            out[i] = None
            continue
        s = str(v).strip()
        out[i] = s if s else None  # dir-dist reads an empty cell as missing anyway
    return out


def _numbers(column: pd.Series, name) -> np.ndarray:
    if ptypes.is_bool_dtype(column.dtype) or ptypes.is_numeric_dtype(column.dtype):
        if ptypes.is_complex_dtype(column.dtype):
            raise ValueError(f"column {name!r} holds complex numbers; DIRRegressor takes real numbers")
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        converted = pd.to_numeric(column, errors="coerce")
        bad = converted.isna() & ~column.isna()
        if bad.any():
            example = column[bad].iloc[0]
            raise ValueError(
                f"column {name!r} was numeric in fit but holds {example!r} here (dtype {column.dtype})"
            )
        values = converted.to_numpy(dtype=np.float64, na_value=np.nan)
    if np.isinf(values).any():
        raise ValueError(
            f"column {name!r} holds infinite values; dir-dist takes finite numbers (NaN is a missing value)"
        )
    return values


def frame_table(frame: pd.DataFrame, kinds: list[str], names: list[str]) -> pd.DataFrame:
    """The frame as dir-dist's CSV columns: numbers as float64 (NaN: an empty cell),
    categories as text without surrounding spaces."""
    columns = {}
    for (original, column), kind, name in zip(frame.items(), kinds, names):
        columns[name] = _text(column) if kind == CATEGORICAL else _numbers(column, original)
    return pd.DataFrame(columns, index=range(len(frame)))


def array_table(X: np.ndarray, names: list[str]) -> pd.DataFrame:
    return pd.DataFrame(np.asarray(X, dtype=np.float64), columns=names)


def write_csv(table: pd.DataFrame, path, y=None, target: str | None = None) -> None:
    """Missing cells are empty, except in a file of one column: there an empty cell would
    make a blank line, which dir-dist skips, so they are written ``NaN`` (also missing)."""
    missing = ""
    if y is not None:
        table = table.assign(**{target: np.asarray(y, dtype=np.float64)})
    elif table.shape[1] == 1:
        missing = "NaN"
    # Quoted where needed (commas, quotes, line breaks), as dir-dist reads RFC 4180 fields.
    table.to_csv(path, index=False, na_rep=missing, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)


def holdout(y: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """Validation rows held out of the training rows, as dir-dist's ``--split dir`` takes
    them: 30 equal-width bins of the label range, from every non-empty bin
    ``ceil(fraction * n / non-empty bins)`` rows at random, at most a quarter of the bin
    (so the tail of the label range is validated, not only the bulk). When that takes
    nothing (every bin holds fewer than 4 rows), ``round(fraction * n)`` rows at random.
    Returns the sorted indices; empty when ``fraction * n`` rounds to no row."""
    n = len(y)
    if fraction <= 0 or n < 2:
        return np.zeros(0, dtype=np.intp)
    rng = np.random.default_rng(seed)
    lo, hi = float(np.min(y)), float(np.max(y))
    bins = 30
    if hi > lo:
        b = np.clip(((y - lo) / (hi - lo) * bins).astype(np.int64), 0, bins - 1)
    else:
        b = np.zeros(n, dtype=np.int64)
    filled = np.unique(b)
    quota = math.ceil(fraction * n / len(filled))
    chosen = []
    for k in filled:
        members = np.flatnonzero(b == k)
        take = min(quota, len(members) // 4)
        if take:
            chosen.append(rng.permutation(members)[:take])
    if not chosen:
        take = int(round(fraction * n))
        if take < 1 or take >= n:
            return np.zeros(0, dtype=np.intp)
        chosen.append(rng.permutation(n)[:take])
    return np.sort(np.concatenate(chosen)).astype(np.intp)
