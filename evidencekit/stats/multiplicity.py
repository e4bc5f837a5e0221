"""Multiple-outcome adjustment (SPEC 3.12)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from . import _validate as check
from ._errors import StatsError

__all__ = ["benjamini_hochberg"]


def benjamini_hochberg(p_values: Sequence[float]) -> tuple[float, ...]:
    """Benjamini–Hochberg adjusted p-values, in the order given.

    Formula: with the m p-values sorted decreasingly and i their rank from the top
    (i = m, m−1, …, 1), adjusted p_(i) = min(1, min_{j ≥ i} (m/j)·p_(j)); rejecting adjusted
    p ≤ α is the step-up rule p_(i) ≤ (i/m)·α.

    Reference: Benjamini & Hochberg (1995), J. R. Stat. Soc. B 57(1):289–300; identical to
    R ``p.adjust(p, method = "BH")``.

    >>> benjamini_hochberg([0.01, 0.04, 0.03, 0.20])
    (0.04, 0.0533..., 0.0533..., 0.2)
    """
    values = list(p_values)
    # -0.0 takes the array path: numpy's minimum keeps a zero's sign where min() may not.
    if all(type(x) is float and (x or math.copysign(1.0, x) > 0) for x in values):
        return _bh_floats(values)
    return _bh_array(values)


def _bh_floats(p: list[float]) -> tuple[float, ...]:
    """:func:`benjamini_hochberg` of Python floats (no -0.0), without numpy (an evaluation
    has one to a few primary outcomes, where numpy's per-call cost is most of the work). The
    same operations in the same order as :func:`_bh_array`, so the same floats: the stable
    decreasing order, (m/j)·p, the running minimum from the top and the cap at 1.

    >>> _bh_floats([0.01, 0.04, 0.03, 0.20]) == _bh_array([0.01, 0.04, 0.03, 0.20])
    True
    """
    if not all(math.isfinite(x) for x in p):
        raise StatsError("p_values must contain only finite numbers, but it has NaN or infinity")
    if any(x < 0 or x > 1 for x in p):
        raise StatsError("every p-value must lie in [0, 1], but at least one lies outside it")
    m = len(p)
    adjusted = [0.0] * m
    running = math.inf
    for k, i in enumerate(sorted(range(m), key=lambda i: -p[i])):
        running = min(running, m / (m - k) * p[i])
        adjusted[i] = min(1.0, running)
    return tuple(adjusted)


def _bh_array(p_values: list[float]) -> tuple[float, ...]:
    p = check.finite_array("p_values", p_values, 0)
    if np.any((p < 0) | (p > 1)):
        raise StatsError("every p-value must lie in [0, 1], but at least one lies outside it")
    m = p.size
    order = np.argsort(-p, kind="stable")
    ranks = np.arange(m, 0, -1)
    adjusted_sorted = np.minimum(1.0, np.minimum.accumulate(m / ranks * p[order]))
    adjusted = np.empty(m)
    adjusted[order] = adjusted_sorted
    return tuple(float(x) for x in adjusted)
