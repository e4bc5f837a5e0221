"""Multiple-outcome adjustment (SPEC 3.12)."""

from __future__ import annotations

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
    p = check.finite_array("p_values", list(p_values), 0)
    if np.any((p < 0) | (p > 1)):
        raise StatsError("every p-value must lie in [0, 1], but at least one lies outside it")
    m = p.size
    order = np.argsort(-p, kind="stable")
    ranks = np.arange(m, 0, -1)
    adjusted_sorted = np.minimum(1.0, np.minimum.accumulate(m / ranks * p[order]))
    adjusted = np.empty(m)
    adjusted[order] = adjusted_sorted
    return tuple(float(x) for x in adjusted)
