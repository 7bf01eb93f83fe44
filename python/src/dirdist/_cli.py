"""Finding dir-dist and mpirun, running them, and turning their failures into exceptions."""

from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from dataclasses import dataclass

logger = logging.getLogger("dirdist")

BUILD_HINT = (
    "build it with `swift build -c release` in the dir-dist checkout "
    "(the binary is then .build/release/dir-dist)"
)


class DirDistError(RuntimeError):
    """A dir-dist run failed.

    ``error_line`` is dir-dist's one ``error: ...`` line (None when it wrote none, e.g.
    when it was killed), ``returncode`` its exit status (docs/file-formats.md §4) and
    ``stderr`` everything it and mpirun wrote to standard error.
    """

    def __init__(self, message, *, returncode=None, error_line=None, stderr="", command=None):
        super().__init__(message)
        self.returncode = returncode
        self.error_line = error_line
        self.stderr = stderr
        self.command = command


class DirDistInputError(DirDistError, ValueError):
    """dir-dist refused its options or data (exit status 2: bad usage or bad input).

    Both a RuntimeError (a failed run) and a ValueError (a bad value), so either
    ``except`` catches it.
    """


class DirDistWarning(UserWarning):
    """A ``warning:`` line dir-dist wrote (e.g. a level not seen in training)."""


def _executable(path: str) -> str | None:
    if os.sep in path or (os.altsep and os.altsep in path):
        return os.path.abspath(path) if os.path.isfile(path) and os.access(path, os.X_OK) else None
    found = shutil.which(path)
    return os.path.abspath(found) if found else None


def find_binary(binary=None) -> str:
    """The dir-dist executable: ``binary`` if given, else $DIR_DIST, else ``dir-dist`` on PATH."""
    if binary is not None:
        path = os.fspath(binary)
        found = _executable(path)
        if found is None:
            raise FileNotFoundError(
                f"dir-dist binary {path!r} (the binary= parameter) is not an executable file; {BUILD_HINT}"
            )
        return found
    env = os.environ.get("DIR_DIST")
    if env:
        found = _executable(env)
        if found is None:
            raise FileNotFoundError(
                f"the DIR_DIST environment variable names {env!r}, which is not an executable file; "
                f"point DIR_DIST at the dir-dist binary ({BUILD_HINT})"
            )
        return found
    found = _executable("dir-dist")
    if found is None:
        raise FileNotFoundError(
            "dir-dist binary not found: the DIR_DIST environment variable is not set and there is no "
            "`dir-dist` on PATH; set DIR_DIST=/path/to/dir-dist, add its folder to PATH, or pass "
            f"binary=PATH; {BUILD_HINT}"
        )
    return found


def find_mpirun(mpirun="mpirun") -> str:
    path = os.fspath(mpirun)
    found = _executable(path)
    if found is None:
        raise FileNotFoundError(
            f"mpirun {path!r} not found (the mpirun= parameter; looked on PATH): install an MPI "
            "(Debian/Ubuntu: apt-get install openmpi-bin) or pass mpirun=/path/to/mpirun"
        )
    return found


@functools.lru_cache(maxsize=8)
def _is_open_mpi(mpirun: str) -> bool:
    try:
        out = subprocess.run(
            [mpirun, "--version"], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return "open mpi" in (out.stdout + out.stderr).lower() or "open-rte" in (out.stdout + out.stderr).lower()


def launch_command(mpirun: str, n_ranks: int, binary: str, args, *, oversubscribe=False, mpirun_args=()):
    """``mpirun -np N [Open MPI's --allow-run-as-root as root] [--oversubscribe] ... dir-dist ARGS``."""
    cmd = [mpirun, "-np", str(n_ranks)]
    if _is_open_mpi(mpirun):
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-run-as-root")
        if oversubscribe:
            cmd += ["--oversubscribe", "--bind-to", "none"]
    cmd += [str(a) for a in mpirun_args]
    cmd.append(binary)
    cmd += [str(a) for a in args]
    return cmd


@dataclass
class Completed:
    returncode: int
    stdout: str
    stderr: str


def run(cmd, *, what: str, verbose=False, hide: str | None = None, n_ranks=None, cwd=None) -> Completed:
    """Runs ``cmd``; dir-dist's console lines are streamed to stdout with ``verbose`` (and
    always logged at DEBUG on the "dirdist" logger). Raises on failure; ``warning:``
    lines become :class:`DirDistWarning`. ``hide``: a folder whose path is removed from
    messages (the temporary folder the files live in)."""
    logger.debug("running %s", " ".join(cmd))
    lines = []
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as err:
        try:
            proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err,
                text=True, encoding="utf-8", errors="replace", bufsize=1, cwd=cwd,
            )
        except OSError as e:  # the executable vanished between the look-up and the start
            raise FileNotFoundError(f"cannot start {cmd[0]!r}: {e}; {BUILD_HINT}") from e
        try:
            for line in proc.stdout:
                lines.append(line)
                logger.debug("%s", line.rstrip("\n"))
                if verbose:
                    sys.stdout.write(line)
                    sys.stdout.flush()
            returncode = proc.wait()
        except BaseException:
            # Ctrl-C or an error here: end the job (mpirun passes SIGTERM on to the ranks).
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            raise
        err.seek(0)
        stderr = err.read()
    shown = _unhide(stderr, hide)
    for line in shown.splitlines():
        logger.debug("stderr: %s", line)
        if line.startswith("warning:"):
            warnings.warn("dir-dist " + line, DirDistWarning, stacklevel=3)
        elif verbose and line.strip():
            sys.stderr.write(line + "\n")
    if returncode != 0:
        raise failure(returncode, shown, what=what, n_ranks=n_ranks, command=cmd)
    return Completed(returncode, "".join(lines), stderr)


def _unhide(text: str, folder: str | None) -> str:
    if not folder:
        return text
    folder = os.path.abspath(folder)
    return text.replace(folder + os.sep, "").replace(folder, ".")


_SLOTS = re.compile(
    r"There are not enough slots available in the system to satisfy the \d+ slots? "
    r"that were requested by the application"
)


def failure(returncode: int, stderr: str, *, what: str, n_ranks=None, command=None) -> Exception:
    """The exception for a failed run, from its exit status and standard error."""
    flat = " ".join(stderr.split())
    m = _SLOTS.search(flat)
    if m or "not enough slots" in flat:
        reason = m.group(0) if m else "not enough slots"
        return ValueError(
            f"n_ranks={n_ranks} is more than mpirun allows here; mpirun said: {reason}. "
            "Use fewer ranks (by default mpirun gives one per processor core), name hosts with "
            "more slots through mpirun_args (e.g. ['--hostfile', 'hosts']), or pass oversubscribe=True."
        )
    error_line = next((ln.strip() for ln in stderr.splitlines() if ln.startswith("error:")), None)
    if error_line is None:
        # Another rank's line, prefixed by mpirun's output tagging, or an MPI error.
        error_line = next((ln.strip() for ln in stderr.splitlines() if "error:" in ln), None)
    if error_line is not None:
        message = f"{what} failed (exit status {returncode}): {error_line}"
    else:
        tail = "\n".join(stderr.strip().splitlines()[-15:]) or "(nothing on standard error)"
        message = f"{what} failed (exit status {returncode}); the end of its standard error:\n{tail}"
    cls = DirDistInputError if returncode == 2 else DirDistError
    return cls(message, returncode=returncode, error_line=error_line, stderr=stderr, command=command)
