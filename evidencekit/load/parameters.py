"""Rubric parameter values from outside (``--set NAME=VALUE``, or ``parameters=`` in the API),
checked by the same rules as numbers and text in a submission before a rubric sees them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..errors import Problem, UsageError, quote
from .document import _FLOAT_RE, _INT_RE, MAX_NUMBER_CHARS, text_problem

#: Most parameters one call may set, and the longest name or value.
MAX_PARAMETERS = 100
MAX_PARAMETER_CHARS = 200


def parse_sets(values: Any) -> dict[str, str]:
    """``--set`` arguments (``NAME=VALUE``) as a mapping, every value checked.

    >>> parse_sets(["alpha=0.01", " icc_other = 1e-3 "])
    {'alpha': '0.01', 'icc_other': '1e-3'}
    """
    out: dict[str, str] = {}
    for v in values:
        if not isinstance(v, str) or "=" not in v:
            raise UsageError.one(None, "--set NAME=VALUE (for example --set alpha=0.01)",
                                 quote(v))
        k, _, val = v.partition("=")
        out[k.strip()] = val.strip()
    check_parameters(out)
    return out


def check_parameters(parameters: Any) -> dict[str, str | float]:
    """Check parameter overrides: a mapping of names (text) to finite numbers or text. A text
    value that reads as a number must be a finite decimal number (``0.01``, ``1e-3``), so
    ``nan``, ``inf``, ``1_0`` and ``0x1F`` are refused rather than converted.

    >>> check_parameters({"alpha": 0.01})
    {'alpha': 0.01}
    >>> check_parameters({"alpha": "nan"})
    Traceback (most recent call last):
    ...
    evidencekit.errors.UsageError: --set alpha: expected a finite number written in decimals \
(such as 0.01 or 1e-3), found 'nan'.
    """
    if parameters is None:
        return {}
    if not isinstance(parameters, Mapping):
        raise UsageError.one(None, "parameters as a mapping of names to values",
                             f"a Python {type(parameters).__name__}", key="parameters")
    if len(parameters) > MAX_PARAMETERS:
        raise UsageError.one(None, f"at most {MAX_PARAMETERS} parameters",
                             f"{len(parameters):,}", key="parameters")
    problems: list[Problem] = []
    out: dict[str, str | float] = {}
    for name, value in parameters.items():
        if not isinstance(name, str) or text_problem(name) or not name \
                or len(name) > MAX_PARAMETER_CHARS:
            problems.append(Problem(None, None, "--set", "a parameter name (text)",
                                    quote(name) if isinstance(name, str) else
                                    f"a Python {type(name).__name__}"))
            continue
        key = f"--set {name}"
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            problems.append(Problem(None, None, key, "a number or text",
                                    f"a Python {type(value).__name__}"))
        elif isinstance(value, int | float):
            if isinstance(value, float) and not math.isfinite(value):
                problems.append(Problem(None, None, key, "a finite number", str(value)))
            elif isinstance(value, int) and abs(value) >= 10 ** MAX_NUMBER_CHARS:
                problems.append(Problem(None, None, key, "a number that fits",
                                        "a very long whole number"))
            else:
                out[name] = value
        elif (why := text_problem(value)) is not None or len(value) > MAX_PARAMETER_CHARS:
            problems.append(Problem(None, None, key, "a short value without control characters",
                                    why or f"{len(value):,} characters"))
        elif _looks_numeric(value) and not (_INT_RE.fullmatch(value.strip())
                                            or _FLOAT_RE.fullmatch(value.strip())):
            problems.append(Problem(None, None, key, "a finite number written in decimals "
                                    "(such as 0.01 or 1e-3)", quote(value)))
        elif _FLOAT_RE.fullmatch(value.strip()) and not math.isfinite(float(value)):
            problems.append(Problem(None, None, key, "a finite number", quote(value)))
        else:
            out[name] = value
    if problems:
        raise UsageError(problems)
    return out


def _looks_numeric(text: str) -> bool:
    """Whether Python would read ``text`` as a number (``float`` or ``int`` with a base)."""
    t = text.strip()
    try:
        float(t)
        return True
    except ValueError:
        pass
    try:
        int(t, 0)
        return True
    except ValueError:
        return False
