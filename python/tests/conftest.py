"""The tests run the real dir-dist binary: $DIR_DIST, else the checkout's
.build/release/dir-dist, else .build/debug/dir-dist. Without one every test fails (it is
not skipped): build it first with `swift build -c release`."""

import os
import pathlib

# scikit-learn's check_array_api_input skips itself unless SciPy's array API support is
# on, which must be set before SciPy is first imported. With it the check runs (it checks
# that array API dispatch with NumPy inputs changes nothing) instead of being skipped.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
CANDIDATES = [REPO / ".build" / "release" / "dir-dist", REPO / ".build" / "debug" / "dir-dist"]

# Small settings: a fit takes a fraction of a second (mostly mpirun's start-up).
SMALL = dict(epochs=30, hidden=(16,), batch_size=16, lr=0.01)


def _binary():
    env = os.environ.get("DIR_DIST")
    if env:
        return env
    for path in CANDIDATES:
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    return None


def pytest_configure(config):
    binary = _binary()
    if binary:
        os.environ["DIR_DIST"] = binary  # what DIRRegressor(binary=None) uses


def pytest_report_header(config):
    return f"dir-dist binary: {os.environ.get('DIR_DIST') or 'NOT FOUND'}"


@pytest.fixture(scope="session", autouse=True)
def dir_dist_binary():
    binary = os.environ.get("DIR_DIST")
    if not binary or not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        where = (
            f"DIR_DIST={binary!r} is not an executable file"
            if binary
            else "DIR_DIST is not set and there is neither " + " nor ".join(str(p) for p in CANDIDATES)
        )
        pytest.fail(
            f"no dir-dist binary ({where}): build it in the checkout with `swift build -c release`, "
            "or set DIR_DIST=/path/to/dir-dist",
            pytrace=False,
        )
    return binary


@pytest.fixture
def regression_data():
    """A long-tailed regression problem: 240 rows, 4 features."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 4))
    y = X @ np.array([1.0, 2.0, -1.0, 0.5]) + rng.exponential(size=240)
    return X, y


@pytest.fixture
def frame_data():
    """A frame with a numeric column with gaps, a text column with gaps, a pandas
    categorical column and a boolean; the target depends on all of them."""
    import pandas as pd

    rng = np.random.default_rng(1)
    n = 300
    X = pd.DataFrame(
        {
            "size": rng.lognormal(size=n),
            "colour": rng.choice(["red", "blue", "green"], n).astype(object),
            "grade": pd.Categorical(rng.choice(["A", "B", "C"], n)),
            "new": rng.random(n) < 0.3,
        }
    )
    y = 2 * X["size"] + 3 * (X["colour"] == "red") + X["grade"].cat.codes.astype(float) + X["new"]
    X.loc[::9, "size"] = np.nan
    X.loc[3::11, "colour"] = None
    return X, pd.Series(y.to_numpy(dtype=float), name="price")
