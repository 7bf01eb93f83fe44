"""DIRRegressor: dir-dist as a scikit-learn regressor."""

from __future__ import annotations

import json
import numbers
import os
import shutil
import tempfile
import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from . import _cli, _table
from ._cli import DirDistWarning
from ._options import extra_tokens, option_tokens

# Constructor parameters that are `dir-dist train` options, in the order they are passed.
# None (False for flags) leaves the option out, so dir-dist's own default applies.
TRAIN_OPTIONS = (
    "preset",
    "epochs",
    "batch_size",
    "lr",
    "optimizer",
    "weight_decay",
    "hidden",
    "num_embedding",
    "ensemble",
    "dropout",
    "loss",
    "bins",
    "reweight",
    "lds",
    "lds_kernel",
    "lds_ks",
    "lds_sigma",
    "fds",
    "fds_kernel",
    "fds_ks",
    "fds_sigma",
    "ranksim",
    "patience",
    "select",
    "seed",
    "threads",
)

_FITTED = (
    "n_features_in_",
    "feature_names_in_",
    "model_bytes_",
    "history_",
    "n_iter_",
    "best_epoch_",
    "n_validation_",
    "run_dir_",
)


def _numeric_target(y):
    """y as float64 (shape kept), or a ValueError naming the target and its dtype when it
    holds something other than numbers. None stays None (validation reports it)."""
    if y is None:
        return None
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            return y  # validation reports a 2-d target
        series, label, shape = y.iloc[:, 0], f"column {y.columns[0]!r}", (len(y), 1)
    elif isinstance(y, pd.Series):
        series, label, shape = y, (f"{y.name!r}" if y.name is not None else "y"), (len(y),)
    else:
        arr = np.asarray(y)
        if arr.dtype.kind in "biufc":
            return y
        series, label, shape = pd.Series(arr.ravel()), "y", arr.shape
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or (
        pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype)
    ):
        return series.to_numpy(dtype=np.float64, na_value=np.nan).reshape(shape)
    if pd.api.types.is_complex_dtype(dtype):
        return series.to_numpy().reshape(shape)  # validation refuses complex data
    problem = None
    if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
        try:
            converted = pd.to_numeric(series, errors="coerce")
            bad = converted.isna() & ~series.isna()
            if bad.any():
                problem = f"holds {series[bad].iloc[0]!r}"
        except (TypeError, ValueError):
            bad_value = next((v for v in series if not isinstance(v, (numbers.Number, str))), None)
            problem = f"holds {bad_value!r}" if bad_value is not None else "holds values that are not numbers"
    else:
        problem = "is not numeric"
    if problem is not None:
        raise ValueError(
            f"DIRRegressor is a regressor and needs a numeric target, but the target {label} has dtype "
            f"{dtype} and {problem}"
        )
    return converted.to_numpy(dtype=np.float64, na_value=np.nan).reshape(shape)


def _empty_check(X, name="DIRRegressor"):
    if X.shape[0] < 1:
        raise ValueError(f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 is required by {name}.")
    if X.shape[1] < 1:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={X.shape}) while a minimum of 1 is required by {name}."
        )


class DIRRegressor(RegressorMixin, BaseEstimator):
    """A dir-dist model as a scikit-learn regressor.

    ``fit`` writes the data as CSV files into a temporary folder and runs
    ``mpirun -np n_ranks dir-dist train``; ``predict`` runs ``dir-dist predict`` on the
    model file kept in ``model_bytes_``. Every parameter from ``preset`` to ``threads``
    is the ``dir-dist train`` option of that name (``batch_size`` -> ``--batch-size``);
    ``None`` (``False`` for the flags ``lds`` and ``fds``) leaves it to dir-dist's default.

    Parameters
    ----------
    n_ranks : int, default=1
        MPI ranks (processes) that train together (``mpirun -np``).
    preset : {"tabular", "mlp"}, optional
    epochs, batch_size, lr, optimizer, weight_decay, hidden, num_embedding, ensemble,
    dropout, loss, bins, reweight, lds, lds_kernel, lds_ks, lds_sigma, fds, fds_kernel,
    fds_ks, fds_sigma, ranksim, patience, select, seed, threads
        The ``dir-dist train`` options (see ``dir-dist help train``). ``hidden``: a tuple
        of sizes, an int or a string ``"256,256"``. ``ranksim``: the regulariser's gamma,
        or None for off. ``select``: "last" or "best" (the epoch of the best validation
        MAE). ``seed`` also seeds the validation hold-out.
    validation_fraction : float, default=0.1
        Without ``X_val``, the fraction of the training rows held out for validation
        (dir-dist validates every epoch; ``select="best"`` and ``patience`` choose on it),
        taken evenly across the label range as dir-dist's ``--split dir``. 0, or too few
        rows for one validation row, validates on the training rows.
    extra_args : sequence of str or str, optional
        More ``dir-dist train`` options, passed as they are (a string is split as a shell
        would).
    binary : str or path, optional
        The dir-dist executable; default: $DIR_DIST, else ``dir-dist`` on PATH.
    mpirun : str, default="mpirun"
    mpirun_args : sequence of str, optional
        Extra mpirun options, e.g. ``["--hostfile", "hosts"]``.
    oversubscribe : bool, default=False
        Allow more ranks than mpirun's slots (Open MPI: ``--oversubscribe --bind-to none``).
    keep_dir : bool, default=False
        Keep the temporary folder of ``fit`` (its path is then ``run_dir_``).
    verbose : bool or int, default=False
        Stream dir-dist's console lines (one per epoch) to standard output while fitting.

    Attributes
    ----------
    model_bytes_ : bytes
        The trained ``model.bin``.
    history_ : pandas.DataFrame
        Per epoch: ``epoch``, ``train_loss``, ``val_mae``, ``val_mse``, ``val_mae_many``,
        ``val_mae_median``, ``val_mae_few``, ``seconds`` (from ``metrics.jsonl``).
    n_iter_ : int
        Epochs trained.
    best_epoch_ : int
        With ``select="best"`` (or ``preset="tabular"``): the epoch whose parameters
        were kept.
    n_validation_ : int
        Rows validated on (0: the training rows were used).
    n_features_in_, feature_names_in_
        As in scikit-learn.
    """

    def __init__(
        self,
        n_ranks=1,
        *,
        preset=None,
        epochs=None,
        batch_size=None,
        lr=None,
        optimizer=None,
        weight_decay=None,
        hidden=None,
        num_embedding=None,
        ensemble=None,
        dropout=None,
        loss=None,
        bins=None,
        reweight=None,
        lds=False,
        lds_kernel=None,
        lds_ks=None,
        lds_sigma=None,
        fds=False,
        fds_kernel=None,
        fds_ks=None,
        fds_sigma=None,
        ranksim=None,
        patience=None,
        select=None,
        seed=None,
        threads=None,
        validation_fraction=0.1,
        extra_args=None,
        binary=None,
        mpirun="mpirun",
        mpirun_args=None,
        oversubscribe=False,
        keep_dir=False,
        verbose=False,
    ):
        self.n_ranks = n_ranks
        self.preset = preset
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.hidden = hidden
        self.num_embedding = num_embedding
        self.ensemble = ensemble
        self.dropout = dropout
        self.loss = loss
        self.bins = bins
        self.reweight = reweight
        self.lds = lds
        self.lds_kernel = lds_kernel
        self.lds_ks = lds_ks
        self.lds_sigma = lds_sigma
        self.fds = fds
        self.fds_kernel = fds_kernel
        self.fds_ks = fds_ks
        self.fds_sigma = fds_sigma
        self.ranksim = ranksim
        self.patience = patience
        self.select = select
        self.seed = seed
        self.threads = threads
        self.validation_fraction = validation_fraction
        self.extra_args = extra_args
        self.binary = binary
        self.mpirun = mpirun
        self.mpirun_args = mpirun_args
        self.oversubscribe = oversubscribe
        self.keep_dir = keep_dir
        self.verbose = verbose

    # scikit-learn protocol ------------------------------------------------------------

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # NaN is a missing cell, which dir-dist imputes
        return tags

    def __sklearn_is_fitted__(self):
        return hasattr(self, "model_bytes_")

    # Fitting ----------------------------------------------------------------------------

    def train_args(self) -> list[str]:
        """The ``dir-dist train`` options these parameters give (without the data and
        output options ``fit`` adds)."""
        args = []
        for name in TRAIN_OPTIONS:
            args += option_tokens(name, getattr(self, name))
        return args + extra_tokens(self.extra_args)

    def fit(self, X, y, X_val=None, y_val=None):
        """Trains on X, y (numpy arrays or a pandas DataFrame, whose text and categorical
        columns dir-dist one-hot encodes and whose NaN cells it imputes), validating on
        X_val, y_val or, without them, on rows held out of X (``validation_fraction``)."""
        for name in _FITTED:
            if name in self.__dict__:
                delattr(self, name)
        n_ranks = self._checked_n_ranks()
        fraction = self.validation_fraction
        if not isinstance(fraction, numbers.Real) or isinstance(fraction, bool) or not 0 <= fraction < 1:
            raise ValueError(f"validation_fraction must be a number in [0, 1), got {fraction!r}")
        if (X_val is None) != (y_val is None):
            raise ValueError("pass X_val and y_val together (or neither, to hold out validation rows from X)")

        table, y = self._training_table(X, y)
        if X_val is not None:
            val_table = self._table(X_val, reset=False)
            y_val = self._checked_target(y_val, val_table)
        binary = _cli.find_binary(self.binary)
        mpirun = _cli.find_mpirun(self.mpirun)

        tmp = tempfile.mkdtemp(prefix="dirdist-")
        try:
            train_csv, val_csv = os.path.join(tmp, "train.csv"), os.path.join(tmp, "val.csv")
            out = os.path.join(tmp, "run")
            if X_val is not None:
                _table.write_csv(table, train_csv, y, self._target)
                _table.write_csv(val_table, val_csv, y_val, self._target)
                n_validation = len(y_val)
            else:
                held = _table.holdout(y, float(fraction), int(self.seed or 0))
                if len(held):
                    keep = np.ones(len(y), dtype=bool)
                    keep[held] = False
                    _table.write_csv(table[keep], train_csv, y[keep], self._target)
                    _table.write_csv(table.iloc[held], val_csv, y[held], self._target)
                else:
                    _table.write_csv(table, train_csv, y, self._target)
                    val_csv = train_csv
                    if fraction > 0 and (self._selects_best() or self.patience is not None):
                        warnings.warn(
                            f"{len(y)} training rows are too few to hold out validation rows "
                            f"(validation_fraction={fraction}); validating on the training rows, so "
                            "select='best' and patience judge training error",
                            DirDistWarning,
                            stacklevel=2,
                        )
                n_validation = len(held)
            # Paths relative to the folder the job runs in: model.bin records them, so the
            # same training writes the same file wherever the temporary folder is.
            args = [
                "train",
                f"--train={os.path.basename(train_csv)}",
                f"--val={os.path.basename(val_csv)}",
                f"--test={os.path.basename(val_csv)}",  # dir-dist needs a test split; not used
                f"--target={self._target}",
                f"--out={os.path.basename(out)}",
            ]
            categorical = [n for n, k in zip(self._csv_names, self._kinds) if k == _table.CATEGORICAL]
            if categorical:
                args.append("--categorical=" + ",".join(categorical))
            args += self.train_args()
            cmd = _cli.launch_command(
                mpirun, n_ranks, binary, args,
                oversubscribe=self.oversubscribe, mpirun_args=tuple(self.mpirun_args or ()),
            )
            _cli.run(cmd, what="dir-dist train", verbose=self.verbose, hide=tmp, n_ranks=n_ranks, cwd=tmp)
            model = os.path.join(out, "model.bin")
            if not os.path.exists(model):
                raise _cli.DirDistError(f"dir-dist train ended without writing a model file (looked for {model})")
            with open(model, "rb") as f:
                self.model_bytes_ = f.read()
            self._read_metrics(os.path.join(out, "metrics.jsonl"))
            self.n_validation_ = n_validation
            if self.keep_dir:
                self.run_dir_ = tmp
        except BaseException:
            self.__dict__.pop("model_bytes_", None)
            raise
        finally:
            if not self.keep_dir:
                shutil.rmtree(tmp, ignore_errors=True)
        return self

    def _selects_best(self) -> bool:
        """Whether dir-dist keeps the best validation epoch (--select best, or the tabular preset)."""
        return self.select == "best" or (self.select is None and self.preset == "tabular")

    def _checked_n_ranks(self) -> int:
        n = self.n_ranks
        if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < 1:
            raise ValueError(f"n_ranks must be a positive integer, got {n!r}")
        return int(n)

    def _training_table(self, X, y):
        y = _numeric_target(y)
        if _table.is_frame(X):
            validate_data(self, X, y, reset=True, skip_check_array=True)
            _empty_check(X)
            self._kinds = _table.column_kinds(X)
            self._csv_names = _table.csv_names(getattr(self, "feature_names_in_", None), X.shape[1])
            table = _table.frame_table(X, self._kinds, self._csv_names)
            y = self._checked_target(y, table)
        else:
            X, y = validate_data(
                self, X, y, reset=True, dtype=np.float64, ensure_all_finite="allow-nan", y_numeric=True
            )
            self._kinds = [_table.NUMERIC] * X.shape[1]
            self._csv_names = _table.csv_names(getattr(self, "feature_names_in_", None), X.shape[1])
            table = _table.array_table(X, self._csv_names)
        self._target = _table.target_name(self._csv_names)
        return table, np.asarray(y, dtype=np.float64)

    def _checked_target(self, y, table):
        y = _numeric_target(y)
        if y is None:
            raise ValueError("y_val is None")
        y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y", estimator=self)
        y = column_or_1d(y, warn=True)
        check_consistent_length(table, y)
        return y

    def _table(self, X, *, reset: bool):
        """X as dir-dist's CSV columns, checked against what fit saw."""
        if not _table.is_frame(X) and _table.CATEGORICAL in self._kinds:
            # Fitted on a frame with text columns: take a 2-d array of objects by position.
            arr = np.asarray(X, dtype=object)
            if arr.ndim != 2:
                raise ValueError(f"Expected a 2-d table, got an array of shape {arr.shape}")
            X = pd.DataFrame(arr, columns=getattr(self, "feature_names_in_", None))
        if _table.is_frame(X):
            validate_data(self, X, reset=reset, skip_check_array=True)
            _empty_check(X)
            return _table.frame_table(X, self._kinds, self._csv_names)
        X = validate_data(self, X, reset=reset, dtype=np.float64, ensure_all_finite="allow-nan")
        return _table.array_table(X, self._csv_names)

    def _read_metrics(self, path):
        rows, tested = [], None
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                event = json.loads(line)
                if event.get("event") == "epoch":
                    val = event.get("val") or {}

                    def mae(shot, val=val):
                        m = val.get(shot) or {}
                        return np.nan if m.get("l1") is None else float(m["l1"])

                    mse = (val.get("all") or {}).get("mse")
                    rows.append(
                        {
                            "epoch": int(event["epoch"]),
                            "train_loss": np.nan if event.get("train_loss") is None else float(event["train_loss"]),
                            "val_mae": mae("all"),
                            "val_mse": np.nan if mse is None else float(mse),
                            "val_mae_many": mae("many"),
                            "val_mae_median": mae("median"),
                            "val_mae_few": mae("few"),
                            "seconds": float(event.get("seconds") or 0.0),
                        }
                    )
                elif event.get("event") == "test":
                    tested = int(event["epoch"])
        columns = [
            "epoch", "train_loss", "val_mae", "val_mse", "val_mae_many", "val_mae_median", "val_mae_few", "seconds",
        ]
        self.history_ = pd.DataFrame(rows, columns=columns)
        self.n_iter_ = len(rows)
        if self._selects_best() and tested is not None:
            self.best_epoch_ = tested

    # Prediction -------------------------------------------------------------------------

    def predict(self, X):
        """Predictions for the rows of X, a float64 array of shape (n,)."""
        check_is_fitted(self)
        table = self._table(X, reset=False)
        binary = _cli.find_binary(self.binary)
        with tempfile.TemporaryDirectory(prefix="dirdist-") as tmp:
            model, rows, out = (os.path.join(tmp, n) for n in ("model.bin", "X.csv", "pred.npy"))
            with open(model, "wb") as f:
                f.write(self.model_bytes_)
            _table.write_csv(table, rows)
            # One process is enough, on this machine (no mpirun_args: a hostfile could place it
            # elsewhere). Under mpirun -np 1 it starts faster than as an MPI singleton.
            args = ["predict", f"--model={model}", f"--input={rows}", f"--out={out}"]
            try:
                cmd = _cli.launch_command(_cli.find_mpirun(self.mpirun), 1, binary, args)
            except FileNotFoundError:
                cmd = [binary, *args]
            _cli.run(cmd, what="dir-dist predict", hide=tmp)
            pred = np.load(out)
        pred = np.asarray(pred, dtype=np.float64).reshape(-1)
        if len(pred) != len(table):
            raise _cli.DirDistError(f"dir-dist predict wrote {len(pred)} predictions for {len(table)} rows")
        return pred

    def save_model(self, path):
        """Writes the trained ``model.bin`` (for ``dir-dist predict --model``)."""
        check_is_fitted(self)
        with open(path, "wb") as f:
            f.write(self.model_bytes_)
