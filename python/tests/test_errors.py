"""Each bad input gets its own clear error, of the usual Python type."""

import os

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from conftest import SMALL
from dirdist import DIRRegressor, DirDistError, DirDistInputError


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    return X, X.sum(axis=1)


def test_binary_missing(data, monkeypatch, tmp_path):
    X, y = data
    with pytest.raises(FileNotFoundError, match=r"binary=.*swift build -c release"):
        DIRRegressor(**SMALL, binary=str(tmp_path / "no-dir-dist")).fit(X, y)
    monkeypatch.setenv("DIR_DIST", str(tmp_path / "nothing"))
    with pytest.raises(FileNotFoundError, match=r"DIR_DIST.*swift build -c release"):
        DIRRegressor(**SMALL).fit(X, y)
    monkeypatch.delenv("DIR_DIST")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"DIR_DIST.*PATH.*swift build -c release"):
        DIRRegressor(**SMALL).fit(X, y)


def test_binary_missing_at_predict(data, tmp_path):
    X, y = data
    model = DIRRegressor(**SMALL).fit(X, y)
    model.set_params(binary=str(tmp_path / "gone"))
    with pytest.raises(FileNotFoundError, match="swift build"):
        model.predict(X)


def test_mpirun_missing(data):
    X, y = data
    with pytest.raises(FileNotFoundError, match=r"mpirun 'no-such-mpirun' not found"):
        DIRRegressor(**SMALL, mpirun="no-such-mpirun").fit(X, y)


def test_empty_data():
    with pytest.raises(ValueError, match="0 sample"):
        DIRRegressor(**SMALL).fit(pd.DataFrame({"a": [], "b": []}), pd.Series([], dtype=float))
    with pytest.raises(ValueError, match="0 feature"):
        DIRRegressor(**SMALL).fit(pd.DataFrame(index=range(5)), np.arange(5.0))
    with pytest.raises(ValueError, match="0 sample"):
        DIRRegressor(**SMALL).fit(np.zeros((0, 3)), np.zeros(0))


def test_non_numeric_target():
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match=r"numeric target.*'price' has dtype object and holds 'cheap'"):
        DIRRegressor(**SMALL).fit(X, pd.Series([1.0, "cheap", 3.0], name="price"))
    with pytest.raises(ValueError, match=r"numeric target.*column 'label' has dtype"):
        DIRRegressor(**SMALL).fit(X, pd.DataFrame({"label": ["a", "b", "c"]}))
    with pytest.raises(ValueError, match=r"numeric target.*y has dtype"):
        DIRRegressor(**SMALL).fit(X.to_numpy(), np.array(["a", "b", "c"]))


def test_bad_columns():
    X = pd.DataFrame({"a": [1.0, np.inf, 3.0]})
    with pytest.raises(ValueError, match="column 'a' holds infinite values"):
        DIRRegressor(**SMALL).fit(X, [1.0, 2.0, 3.0])
    X = pd.DataFrame({"when": pd.to_datetime(["2024-01-01", "2024-01-02"])})
    with pytest.raises(ValueError, match="column 'when' has dtype datetime64"):
        DIRRegressor(**SMALL).fit(X, [1.0, 2.0])


def test_predict_before_fit(data):
    with pytest.raises(NotFittedError):
        DIRRegressor().predict(data[0])


def test_too_many_ranks(data, monkeypatch):
    X, y = data
    monkeypatch.delenv("OMPI_MCA_rmaps_base_oversubscribe", raising=False)
    n = (os.cpu_count() or 1) + 1
    with pytest.raises(ValueError, match=rf"n_ranks={n}.*not enough slots.*oversubscribe=True"):
        DIRRegressor(**SMALL, n_ranks=n).fit(X, y)
    with pytest.raises(ValueError, match="n_ranks must be a positive integer"):
        DIRRegressor(**SMALL, n_ranks=0).fit(X, y)


def test_oversubscribe(data):
    X, y = data
    model = DIRRegressor(**{**SMALL, "epochs": 2}, n_ranks=(os.cpu_count() or 1) + 1, oversubscribe=True)
    assert model.fit(X, y).predict(X).shape == (60,)


def test_failed_run_carries_the_error_line(data):
    X, y = data
    with pytest.raises(RuntimeError) as info:
        DIRRegressor(**SMALL, lds=True).fit(X, y)  # LDS without reweighting
    err = info.value
    assert isinstance(err, DirDistError) and isinstance(err, DirDistInputError) and isinstance(err, ValueError)
    assert err.returncode == 2
    assert err.error_line == "error: --lds: LDS smooths reweighting: add --reweight sqrt_inv or inverse"
    assert str(err) == f"dir-dist train failed (exit status 2): {err.error_line}"
    with pytest.raises(RuntimeError, match=r"error: --hidden: '0' is not a comma-separated list"):
        DIRRegressor(**{**SMALL, "hidden": 0}).fit(X, y)
    with pytest.raises(RuntimeError, match=r"error: --lr: must be positive, got -1"):
        DIRRegressor(**{**SMALL, "lr": -1}).fit(X, y)
    # A failed refit leaves the estimator unfitted, not half-fitted.
    model = DIRRegressor(**SMALL).fit(X, y)
    with pytest.raises(RuntimeError):
        model.set_params(lds=True).fit(X, y)
    with pytest.raises(NotFittedError):
        model.predict(X)


def test_column_refused_by_dir_dist():
    # dir-dist refuses a column missing in every training row.
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [np.nan] * 4})
    with pytest.raises(DirDistInputError, match=r"error: train\.csv"):
        DIRRegressor(**SMALL).fit(X, [1.0, 2.0, 3.0, 4.0])
