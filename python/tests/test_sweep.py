"""dirdist.sweep and dirdist.report against `dir-dist sweep --config NAME=OPTIONS`.

The named-configuration tests need a dir-dist with `sweep --config` (being added on the
Swift side); until that lands they fail with dir-dist's own error line. The `vary=` test
runs with today's binary. Run them alone with `python -m pytest python/tests -k sweep`.
"""

import json
import pathlib

import numpy as np
import pandas as pd
import pytest

import dirdist
from dirdist.sweep import SUMMARY_COLUMNS, seeds_option, sweep_args

SMALL = dict(epochs=3, hidden=(16,), batch_size=16)


@pytest.fixture
def table():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=300), "b": rng.choice(["x", "y", "z"], 300), "c": rng.normal(size=300)})
    X.loc[::13, "a"] = np.nan
    y = 2 * X["a"].fillna(0) + (X["b"] == "x") + rng.exponential(size=300) ** 2
    return X, y


def test_sweep_command_line():
    """The command line sweep() builds (no binary needed)."""
    args = sweep_args(
        out="OUT",
        configs={"vanilla": {}, "sqinv+lds": {"reweight": "sqrt_inv", "lds": True, "fds": False},
                 "fds": "--fds --fds-ks 9", "wide": {"hidden": (64, 64), "lr": -1}},
        seeds=range(3), ranks_per_run=2, select_by="few", baseline="vanilla",
        data_args=["--data=t.csv"], common={"epochs": 5, "lds_ks": 9},
    )
    assert args == [
        "sweep", "--out=OUT", "--seeds=0-2", "--ranks-per-run=2", "--select-by=few", "--baseline=vanilla",
        "--config", "vanilla=",
        "--config", "sqinv+lds=--reweight sqrt_inv --lds",
        "--config", "fds=--fds --fds-ks 9",
        "--config", "wide=--hidden 64,64 --lr=-1",
        "--data=t.csv", "--epochs=5", "--lds-ks=9",
    ]
    assert seeds_option([0, 4]) == "0,4" and seeds_option(7) == "7" and seeds_option([2, 3, 4]) == "2-4"
    with pytest.raises(ValueError, match="configuration name"):
        sweep_args(out="o", configs={"a=b": {}})


def _check_outputs(summary, selected, names):
    assert list(summary.columns) == SUMMARY_COLUMNS
    assert set(summary["config"]) == set(names)
    assert "all" in set(summary["shot"]) <= {"all", "many", "median", "few"}  # shots without rows may be absent
    assert {"mae", "mse", "gmean"} <= set(summary["metric"])
    assert summary["mean"].notna().any()
    for key in ("config", "select_by", "rule", "baseline"):
        assert key in selected
    assert selected["config"] in names


def test_sweep_named_configs(table, tmp_path):
    X, y = table
    names = ["vanilla", "sqinv_lds", "fds"]
    summary, selected = dirdist.sweep(
        X, y,
        configs={"vanilla": {}, "sqinv_lds": {"reweight": "sqrt_inv", "lds": True}, "fds": "--fds"},
        seeds=range(2), out=tmp_path / "sweep", baseline="vanilla", **SMALL,
    )
    _check_outputs(summary, selected, names)
    assert selected["baseline"] == "vanilla"
    assert selected["select_by"] == "few"
    assert summary.attrs["out"] == str(tmp_path / "sweep")
    # Deltas against the baseline: empty for the baseline itself, numbers for the others.
    mae = summary[(summary.metric == "mae") & (summary.shot == "all")].set_index("config")
    assert np.isnan(mae.loc["vanilla", "delta_mean"])
    assert mae.loc[["sqinv_lds", "fds"], "delta_mean"].notna().all()
    lines = (tmp_path / "sweep" / "sweep.jsonl").read_text().splitlines()
    assert len(lines) == 3 * 2 and all(json.loads(ln)["status"] == "ok" for ln in lines)


def test_sweep_two_ranks_and_select_by(table, tmp_path):
    X, y = table
    summary, selected = dirdist.sweep(
        X, y, configs={"plain": {"reweight": "none"}, "inv": {"reweight": "inverse"}},
        seeds=[0, 1], n_ranks=2, ranks_per_run=1, select_by="all", out=tmp_path / "s2", **SMALL,
    )
    _check_outputs(summary, selected, ["plain", "inv"])
    assert selected["select_by"] == "all"


def test_sweep_data_file_and_default_out(table, tmp_path):
    X, y = table
    path = tmp_path / "table.csv"
    X.assign(label=y).to_csv(path, index=False)
    summary, selected = dirdist.sweep(
        data=path, target="label", configs={"one": "--reweight sqrt_inv --lds", "two": {"reweight": "none"}},
        seeds=1, extra_args=["--categorical", "b"], **SMALL,
    )
    _check_outputs(summary, selected, ["one", "two"])
    out = pathlib.Path(summary.attrs["out"])  # a new temporary folder, kept
    try:
        assert (out / "summary.csv").exists() and (out / "run-000").is_dir()
    finally:
        import shutil

        shutil.rmtree(out)


def test_sweep_vary_and_report(table, tmp_path):
    """--vary grids: works with today's dir-dist."""
    X, y = table
    summary, selected = dirdist.sweep(
        X, y, vary={"lds": [True, False]}, seeds=range(2), out=tmp_path / "v", reweight="sqrt_inv", **SMALL,
    )
    _check_outputs(summary, selected, ["lds=yes", "lds=no"])
    page = dirdist.report(tmp_path / "v")
    assert page == tmp_path / "v" / "report.html"
    assert "<html" in page.read_text(encoding="utf-8").lower()


def test_sweep_errors(table, tmp_path):
    X, y = table
    with pytest.raises(ValueError, match="configs"):
        dirdist.sweep(X, y)
    # dir-dist's own line, for a run that cannot start
    with pytest.raises(RuntimeError, match="error: .*LDS smooths reweighting"):
        dirdist.sweep(X, y, vary={"lds-ks": [3, 5]}, lds=True, seeds=1, out=tmp_path / "bad", **SMALL)
    with pytest.raises(FileNotFoundError, match="not a folder"):
        dirdist.report(tmp_path / "nothing")


def test_sweep_report_of_a_training_run(table):
    X, y = table
    model = dirdist.DIRRegressor(**SMALL, keep_dir=True).fit(X, y)
    try:
        page = dirdist.report(pathlib.Path(model.run_dir_) / "run")
        assert page.exists()
    finally:
        import shutil

        shutil.rmtree(model.run_dir_)
