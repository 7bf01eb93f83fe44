"""DIRRegressor on frames and arrays, in scikit-learn's tools, across ranks."""

import pathlib
import pickle
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from conftest import SMALL
from dirdist import DIRRegressor, DirDistWarning

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example():
    """The five-line example of python/README.md, run as it stands there."""
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- example -->\s*```python\n(.*?)```", text, re.S)
    assert block, "python/README.md lost its example (the ```python block after <!-- example -->)"
    code = block.group(1)
    assert len(code.strip().splitlines()) == 5
    scope = {}
    with warnings.catch_warnings():
        warnings.simplefilter("error", DirDistWarning)  # e.g. no unseen levels in the example
        exec(compile(code, str(README), "exec"), scope)
    model, X, y = scope["model"], scope["X"], scope["y"]
    assert model.score(X[500:], y[500:]) > 0.9
    assert list(model.feature_names_in_) == ["size", "colour"]


def test_frame_with_categories_and_missing_values(frame_data):
    X, y = frame_data
    before = X.copy(deep=True)
    model = DIRRegressor(**SMALL, reweight="sqrt_inv", lds=True, seed=3).fit(X[:240], y[:240])
    pd.testing.assert_frame_equal(X, before)  # the user's frame is not touched

    assert model.n_features_in_ == 4
    assert list(model.feature_names_in_) == ["size", "colour", "grade", "new"]
    pred = model.predict(X[240:])
    assert pred.dtype == np.float64 and pred.shape == (60,)
    assert np.isfinite(pred).all()
    assert model.score(X[240:], y[240:]) > 0.8

    h = model.history_
    assert list(h.columns) == [
        "epoch", "train_loss", "val_mae", "val_mse", "val_mae_many", "val_mae_median", "val_mae_few", "seconds",
    ]
    assert list(h.epoch) == list(range(1, 31)) and model.n_iter_ == 30
    assert h.train_loss.iloc[-1] < h.train_loss.iloc[0]
    assert 0 < model.n_validation_ < 240
    assert not hasattr(model, "best_epoch_")

    # Pickled, after the temporary folder is gone: same predictions.
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.predict(X[240:]), pred)

    # Columns by name: a frame in another column order is refused (as scikit-learn does).
    with pytest.raises(ValueError, match="feature names"):
        model.predict(X[240:][["colour", "size", "grade", "new"]])


def test_unseen_level_warns(frame_data):
    X, y = frame_data
    model = DIRRegressor(**SMALL).fit(X, y)
    Z = X[:5].copy()
    Z["colour"] = "purple"
    with pytest.warns(DirDistWarning, match="not seen in training"):
        pred = model.predict(Z)
    assert np.isfinite(pred).all()


def test_numeric_text_column_is_categorical():
    """An object column of numbers-as-text is one-hot encoded (passed in --categorical)."""
    rng = np.random.default_rng(2)
    code = rng.choice(["1", "2", "30"], 200).astype(object)
    X = pd.DataFrame({"code": code, "x": rng.normal(size=200)})
    y = np.where(code == "30", 10.0, 0.0) + X["x"]
    model = DIRRegressor(**SMALL).fit(X, y)
    assert model.score(X, y) > 0.9


def test_awkward_text_names_and_single_columns():
    # Commas, quotes and line breaks stay in text cells (quoted CSV): "a,b" and "a;b" are
    # two categories, and only "a,b" moves the target.
    rng = np.random.default_rng(3)
    text = rng.choice(["a,b", "a;b", 'say "hi"', "two\nlines", "NA"], 200)
    X = pd.DataFrame({"price, usd": rng.normal(size=200), " padded ": text})
    y = X["price, usd"] + 5 * (text == "a,b")
    model = DIRRegressor(**SMALL).fit(X, y)
    assert list(model.feature_names_in_) == ["price, usd", " padded "]
    predicted = model.predict(X)
    assert predicted.shape == (200,)
    gap = predicted[text == "a,b"].mean() - predicted[text == "a;b"].mean()
    assert gap > 3, f"'a,b' and 'a;b' must stay apart (gap {gap:.2f})"
    # One column: a row whose only cell is missing still gets its prediction.
    one = DIRRegressor(**SMALL).fit(pd.DataFrame({"a": np.arange(50.0)}), np.arange(50.0))
    assert one.predict(pd.DataFrame({"a": [1.0, np.nan, 3.0]})).shape == (3,)
    cat = DIRRegressor(**SMALL).fit(pd.DataFrame({"c": ["u", "v", None, ""] * 10}), np.arange(40.0))
    assert cat.predict(pd.DataFrame({"c": ["u", None, "", np.nan]})).shape == (4,)


def test_validation_set_and_select_best(regression_data):
    X, y = regression_data
    model = DIRRegressor(**SMALL, select="best").fit(X[:200], y[:200], X_val=X[200:], y_val=y[200:])
    assert model.n_validation_ == 40
    assert model.best_epoch_ == int(model.history_.val_mae.idxmin()) + 1
    with pytest.raises(ValueError, match="together"):
        DIRRegressor(**SMALL).fit(X, y, X_val=X)


def test_holdout_is_deterministic_and_seeded(regression_data):
    X, y = regression_data
    a = DIRRegressor(**SMALL, seed=1).fit(X, y)
    b = DIRRegressor(**SMALL, seed=1).fit(X, y)
    assert a.model_bytes_ == b.model_bytes_
    c = DIRRegressor(**SMALL, seed=2).fit(X, y)
    assert a.model_bytes_ != c.model_bytes_
    d = DIRRegressor(**SMALL, validation_fraction=0.0).fit(X, y)
    assert d.n_validation_ == 0


def test_tiny_and_constant_data():
    # One row, and constant labels: dir-dist trains on them (one row: validating on the
    # training rows). A constant target is not refused: its scale counts as 1, and the
    # network learns the constant (closely, not exactly).
    one = DIRRegressor(**SMALL).fit([[1.0, 2.0]], [3.0])
    assert one.n_validation_ == 0
    assert one.predict([[1.0, 2.0]]).shape == (1,)
    X = np.arange(20.0).reshape(10, 2)
    const = DIRRegressor(**SMALL).fit(X, np.full(10, 4.0))
    np.testing.assert_allclose(const.predict(X), 4.0, atol=0.2)
    with pytest.warns(DirDistWarning, match="too few"):
        DIRRegressor(**SMALL, select="best").fit(X[:3], [1.0, 2.0, 3.0])


def test_keep_dir_and_save_model(regression_data, tmp_path):
    X, y = regression_data
    model = DIRRegressor(**SMALL, keep_dir=True).fit(X, y)
    run = pathlib.Path(model.run_dir_)
    try:
        assert (run / "run" / "metrics.jsonl").exists()
        assert (run / "run" / "model.bin").read_bytes() == model.model_bytes_
    finally:
        import shutil

        shutil.rmtree(run)
    model.save_model(tmp_path / "model.bin")
    assert (tmp_path / "model.bin").read_bytes()[:8] == b"DIRDMODL"


def test_verbose_streams_epoch_lines(regression_data, capsys):
    X, y = regression_data
    DIRRegressor(**{**SMALL, "epochs": 3}).fit(X, y)
    assert capsys.readouterr().out == ""
    DIRRegressor(**{**SMALL, "epochs": 3}, verbose=True).fit(X, y)
    out = capsys.readouterr().out
    assert re.search(r"^epoch\s+1/3 ", out, re.M) and re.search(r"^epoch\s+3/3 ", out, re.M)


def test_train_args():
    model = DIRRegressor(
        epochs=5, hidden=(64, 32), lr=-0.5, lds=True, fds=False, reweight="sqrt_inv", ranksim=0.5,
        extra_args="--label-range 0 10",
    )
    assert model.train_args() == [
        "--epochs=5", "--lr=-0.5", "--hidden=64,32", "--reweight=sqrt_inv", "--lds", "--ranksim=0.5",
        "--label-range", "0", "10",
    ]
    assert DIRRegressor(hidden="256, 256").train_args() == ["--hidden=256,256"]
    assert DIRRegressor().train_args() == []


def test_pipeline(regression_data):
    X, y = regression_data
    pipe = make_pipeline(StandardScaler(), DIRRegressor(**SMALL))
    pipe.fit(X[:200], y[:200])
    assert pipe.predict(X[200:]).shape == (40,)
    assert pipe.score(X[200:], y[200:]) > 0.5


def test_cross_val_score(regression_data):
    X, y = regression_data
    scores = cross_val_score(DIRRegressor(**SMALL), X, y, cv=KFold(3, shuffle=True, random_state=0))
    assert scores.shape == (3,) and (scores > 0.5).all()


def test_grid_search(regression_data):
    X, y = regression_data
    pipe = Pipeline([("scale", StandardScaler()), ("dir", DIRRegressor(**SMALL))])
    grid = GridSearchCV(
        pipe, {"dir__reweight": ["none", "sqrt_inv"], "dir__lds": [False, True]}, cv=2, error_score="raise"
    )
    with pytest.raises(ValueError, match="LDS smooths reweighting"):
        grid.fit(X, y)  # reweight=none with lds: dir-dist refuses, and says why
    grid = GridSearchCV(DIRRegressor(**SMALL), {"hidden": [(8,), (16,)], "reweight": ["none", "sqrt_inv"]}, cv=2)
    grid.fit(X, y)
    assert set(grid.best_params_) == {"hidden", "reweight"}
    assert grid.best_estimator_.predict(X).shape == (240,)


def test_two_ranks(regression_data):
    X, y = regression_data
    model = DIRRegressor(**{**SMALL, "batch_size": 8}, n_ranks=2).fit(X, y)
    assert model.predict(X).shape == (240,) and model.score(X, y) > 0.5
    # --reproducible: the same global batch on 1 and 2 ranks trains the same model, to the bit.
    one = DIRRegressor(**{**SMALL, "batch_size": 16}, extra_args=["--reproducible"]).fit(X, y)
    two = DIRRegressor(**{**SMALL, "batch_size": 8}, n_ranks=2, extra_args=["--reproducible"]).fit(X, y)
    assert one.model_bytes_ == two.model_bytes_
