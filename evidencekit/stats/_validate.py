"""Argument checks shared by the statistics modules; each raises StatsError with one sentence."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from ._errors import StatsError


def _as_float(name: str, value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise StatsError(f"{name} must be a number, but it is {value!r}") from None


def finite(name: str, value: float) -> float:
    """Return ``value`` as a float, or raise when it is not a number, NaN or infinite."""
    x = _as_float(name, value)
    if not math.isfinite(x):
        raise StatsError(f"{name} must be a finite number, but it is {x!r}")
    return x


def count(name: str, value: int, minimum: int = 0) -> int:
    """Return a whole-number count that is at least ``minimum``."""
    if isinstance(value, bool) or not _as_float(name, value).is_integer():
        raise StatsError(f"{name} must be a whole number, but it is {value}")
    n = int(value)
    if n < minimum:
        raise StatsError(f"{name} must be at least {minimum}, but it is {n}")
    return n


def positive(name: str, value: float) -> float:
    """Return a finite number that is strictly greater than zero."""
    x = finite(name, value)
    if x <= 0:
        raise StatsError(f"{name} must be greater than zero, but it is {x!r}")
    return x


def standard_deviation(name: str, value: float) -> float:
    """Return a finite, non-negative standard deviation."""
    x = finite(name, value)
    if x < 0:
        raise StatsError(f"{name} is a standard deviation and cannot be negative, but it is {x!r}")
    return x


def correlation(name: str, value: float) -> float:
    """Return a correlation in [-1, 1]."""
    x = finite(name, value)
    if not -1.0 <= x <= 1.0:
        raise StatsError(f"{name} is a correlation and must lie in [-1, 1], but it is {x!r}")
    return x


def open_unit(name: str, value: float) -> float:
    """Return a number strictly between 0 and 1 (a confidence level, power or proportion)."""
    x = finite(name, value)
    if not 0.0 < x < 1.0:
        raise StatsError(f"{name} must lie strictly between 0 and 1, but it is {x!r}")
    return x


def unit(name: str, value: float) -> float:
    """Return a number in the closed interval [0, 1]."""
    x = finite(name, value)
    if not 0.0 <= x <= 1.0:
        raise StatsError(f"{name} must lie in [0, 1], but it is {x!r}")
    return x


def interval(name: str, low: float, high: float) -> tuple[float, float]:
    """Return a confidence interval whose lower bound is strictly below its upper bound."""
    lo, hi = finite(f"the lower bound of {name}", low), finite(f"the upper bound of {name}", high)
    if lo > hi:
        raise StatsError(f"the lower bound of {name} ({lo!r}) exceeds its upper bound ({hi!r})")
    if lo == hi:
        raise StatsError(f"{name} has zero width ({lo!r} to {hi!r}), so no standard error follows")
    return lo, hi


def sign(value: int) -> int:
    """Return a direction given as +1 or -1."""
    if value not in (1, -1) or isinstance(value, bool):
        raise StatsError(f"sign must be 1 or -1, but it is {value}")
    return int(value)


FloatArrayLike = Sequence[float] | NDArray[np.floating]


def finite_array(name: str, values: FloatArrayLike, minimum: int) -> NDArray[np.float64]:
    """Return a one-dimensional float array of finite values with at least ``minimum`` entries."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise StatsError(f"{name} must be a one-dimensional sequence, but it has shape {arr.shape}")
    if arr.size < minimum:
        raise StatsError(f"{name} needs at least {minimum} values, but it has {arr.size}")
    if not np.all(np.isfinite(arr)):
        raise StatsError(f"{name} must contain only finite numbers, but it has NaN or infinity")
    return arr
