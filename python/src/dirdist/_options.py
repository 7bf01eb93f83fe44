"""Python values to dir-dist `train` options."""

from __future__ import annotations

import numbers
import shlex

import numpy as np

# Options whose value is two numbers (`--label-range LO HI`, `--fds-clip LO HI`).
PAIRS = {"label_range", "fds_clip"}
# Options that take yes/no rather than being a flag.
YES_NO = {"standardize_features"}


def flag_name(key: str) -> str:
    """``batch_size`` -> ``--batch-size`` (a leading ``--`` is kept)."""
    key = str(key)
    if key.startswith("--"):
        return key
    return "--" + key.replace("_", "-")


def format_value(value) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    return str(value).strip()


def option_tokens(key: str, value, *, equals: bool = True) -> list[str]:
    """The command-line tokens of one option; [] for None/False (dir-dist's default).

    ``equals``: write ``--name=value`` (so that a negative value is not read as an
    option); else ``--name value`` unless the value starts with ``-``.
    """
    name = flag_name(key)
    plain = name[2:].replace("-", "_")
    if value is None:
        return []
    if plain in YES_NO and isinstance(value, (bool, np.bool_)):
        value = "yes" if value else "no"
    elif isinstance(value, (bool, np.bool_)):
        return [name] if value else []
    if plain in PAIRS:
        lo, hi = value
        return [name, format_value(lo), format_value(hi)]
    if isinstance(value, (list, tuple, np.ndarray, range)):
        text = ",".join(format_value(v) for v in value)
    else:
        text = format_value(value)
        if plain == "hidden":
            text = text.replace(" ", "")
    if equals or text.startswith("-"):
        return [f"{name}={text}"]
    return [name, text]


def options_from_dict(options: dict, *, equals: bool = True) -> list[str]:
    tokens: list[str] = []
    for key, value in options.items():
        tokens += option_tokens(key, value, equals=equals)
    return tokens


def option_string(options) -> str:
    """A dict of options as one string (``{"reweight": "sqrt_inv", "lds": True}`` ->
    ``--reweight sqrt_inv --lds``); a string is returned as it is."""
    if isinstance(options, str):
        return options.strip()
    if isinstance(options, (list, tuple)):
        return " ".join(str(t) for t in options)
    return " ".join(options_from_dict(dict(options), equals=False))


def extra_tokens(extra) -> list[str]:
    """``extra_args``: a sequence of tokens, or one string split as a shell would."""
    if extra is None:
        return []
    if isinstance(extra, str):
        return shlex.split(extra)
    return [str(t) for t in extra]
