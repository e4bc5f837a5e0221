"""Interpretation aids: WWC improvement index and EEF months of progress (SPEC 3.14)."""

from __future__ import annotations

import bisect
import math

from . import _validate as check
from ._special import special

__all__ = ["EEF_MONTHS_LOWER_EDGES", "eef_months", "improvement_index"]

EEF_MONTHS_LOWER_EDGES: tuple[float, ...] = (
    0.02, 0.10, 0.19, 0.27, 0.36, 0.45, 0.53, 0.62, 0.70, 0.79, 0.88, 0.96,
)  # fmt: skip
"""Smallest |g| for 1, 2, …, 12 months of progress (EEF Teaching and Learning Toolkit)."""


def improvement_index(g: float) -> float:
    """WWC improvement index: the expected percentile gain of an average control member.

    Formula: 100·Φ(g) − 50.

    Reference: WWC Procedures Handbook 4.1 (2020), improvement index.

    >>> round(improvement_index(0.25), 2)
    9.87
    """
    return float(100.0 * special.ndtr(check.finite("g", g)) - 50.0)


def eef_months(g: float) -> int:
    """EEF months of additional progress for an effect size g (negative effects symmetric).

    Rule: months = sign(g) × the number of lower edges ≤ |g| among 0.02, 0.10, 0.19, 0.27,
    0.36, 0.45, 0.53, 0.62, 0.70, 0.79, 0.88, 0.96 — i.e. the largest band whose printed
    lower edge is at most |g|. Values between printed bands count in the lower band
    (0.095 → 1 month, 0.10 → 2 months); |g| < 0.02 → 0; |g| ≥ 0.96 → 12.

    Reference: Education Endowment Foundation, Teaching and Learning Toolkit technical
    appendix, conversion of effect sizes to months' progress; SPEC 3.14.

    >>> eef_months(0.18), eef_months(0.19), eef_months(-0.30), eef_months(0.01)
    (2, 3, -4, 0)
    """
    gf = check.finite("g", g)
    months = bisect.bisect_right(EEF_MONTHS_LOWER_EDGES, abs(gf))
    return int(math.copysign(months, gf)) if months else 0
