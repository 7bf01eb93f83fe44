"""dirdist: dir-dist (data-parallel deep imbalanced regression over MPI) from Python.

- :class:`DIRRegressor`: a scikit-learn regressor that trains with ``mpirun dir-dist train``
  and predicts with ``dir-dist predict``.
- :func:`sweep`: ``dir-dist sweep`` over named configurations and seeds, returning the
  summary table and the selected configuration; :func:`report`: ``dir-dist report``.
"""

from ._cli import DirDistError, DirDistInputError, DirDistWarning, find_binary
from .estimator import DIRRegressor
from .sweep import read_sweep, report, sweep

__all__ = [
    "DIRRegressor",
    "DirDistError",
    "DirDistInputError",
    "DirDistWarning",
    "find_binary",
    "read_sweep",
    "report",
    "sweep",
]
__version__ = "0.1.0"
