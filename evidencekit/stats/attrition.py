"""WWC sample attrition: overall and differential rates against the boundaries (SPEC 3.7)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from . import _validate as check
from ._errors import StatsError

__all__ = [
    "BOUNDARIES",
    "CAUTIOUS_BOUNDARY",
    "OPTIMISTIC_BOUNDARY",
    "Attrition",
    "Boundary",
    "Verdict",
    "attrition",
    "attrition_verdict",
]

Boundary = Literal["cautious", "optimistic"]
Verdict = Literal["low", "high"]

CAUTIOUS_BOUNDARY: tuple[float, ...] = (
    5.7, 5.8, 5.9, 5.9, 6.0, 6.1, 6.2, 6.3, 6.3, 6.3,
    6.3, 6.2, 6.2, 6.1, 6.0, 5.9, 5.9, 5.8, 5.7, 5.5,
    5.4, 5.3, 5.2, 5.1, 4.9, 4.8, 4.7, 4.5, 4.4, 4.3,
    4.1, 4.0, 3.8, 3.6, 3.5, 3.3, 3.2, 3.1, 2.9, 2.8,
    2.6, 2.5, 2.3, 2.1, 2.0, 1.8, 1.6, 1.5, 1.3, 1.2,
    1.0, 0.9, 0.7, 0.6, 0.4, 0.3, 0.2, 0.0,
)  # fmt: skip
"""Largest differential attrition (percentage points) for low attrition at overall 0..57%
under the cautious boundary; index = overall percent (WWC Standards Handbook 4.1)."""

OPTIMISTIC_BOUNDARY: tuple[float, ...] = (
    10.0, 10.1, 10.2, 10.3, 10.4, 10.5, 10.7, 10.8, 10.9, 10.9,
    10.9, 10.9, 10.9, 10.8, 10.8, 10.7, 10.6, 10.5, 10.3, 10.2,
    10.0, 9.9, 9.7, 9.5, 9.4, 9.2, 9.0, 8.8, 8.6, 8.4,
    8.2, 8.0, 7.8, 7.6, 7.4, 7.2, 7.0, 6.7, 6.5, 6.3,
    6.0, 5.8, 5.6, 5.3, 5.1, 4.9, 4.6, 4.4, 4.2, 3.9,
    3.7, 3.5, 3.2, 3.0, 2.8, 2.6, 2.3, 2.1, 1.9, 1.6,
    1.4, 1.1, 0.9, 0.7, 0.5, 0.3,
)  # fmt: skip
"""As CAUTIOUS_BOUNDARY for the optimistic boundary, overall 0..65%."""

BOUNDARIES: dict[str, tuple[float, ...]] = {
    "cautious": CAUTIOUS_BOUNDARY,
    "optimistic": OPTIMISTIC_BOUNDARY,
}

_NOISE_DIGITS = 9
"""Percentages are rounded to 1e-9 before comparison so that, e.g., 0.145 (stored as
0.14499999999999999) counts as 14.5% and rounds up to 15%."""


@dataclass(frozen=True, slots=True)
class Attrition:
    """Attrition rates (proportions 0..1) and the WWC verdict."""

    assigned_t: int
    assigned_c: int
    analysed_t: int
    analysed_c: int
    rate_t: float
    rate_c: float
    overall: float
    differential: float
    overall_percent: int
    boundary: str
    max_differential: float | None
    verdict: Verdict


def _table(boundary: str) -> tuple[float, ...]:
    try:
        return BOUNDARIES[boundary]
    except KeyError:
        raise StatsError(
            f"boundary must be 'cautious' or 'optimistic', but it is {boundary!r}"
        ) from None


def _percent(proportion: float) -> float:
    return round(proportion * 100, _NOISE_DIGITS)


def _judge(overall: float, differential: float, boundary: str) -> tuple[int, float | None, Verdict]:
    table = _table(boundary)
    overall_percent = math.floor(_percent(overall) + 0.5)  # half-up, never banker's rounding
    limit = table[overall_percent] if overall_percent < len(table) else None
    low = limit is not None and _percent(differential) <= limit
    return overall_percent, limit, "low" if low else "high"


def attrition_verdict(overall: float, differential: float, boundary: str = "cautious") -> Verdict:
    """WWC attrition verdict from overall and differential attrition proportions (0..1).

    Rule: round 100·overall half-up to a whole percent; attrition is "low" when
    100·differential (percentage points, unrounded) ≤ the boundary at that percent, and
    "high" otherwise or when the percent is beyond the table (57% cautious, 65% optimistic).

    Reference: WWC Standards Handbook 4.1 (2020), attrition boundary table; SPEC 3.7.

    >>> attrition_verdict(0.30, 0.06, "cautious"), attrition_verdict(0.30, 0.06, "optimistic")
    ('high', 'low')
    """
    ov = check.unit("overall attrition", overall)
    diff = check.unit("differential attrition", differential)
    return _judge(ov, diff, boundary)[2]


def attrition(
    assigned_t: int,
    assigned_c: int,
    analysed_t: int,
    analysed_c: int,
    boundary: str = "cautious",
) -> Attrition:
    """Overall and differential attrition from assigned and analysed counts, with verdict.

    Formulas: rate_g = 1 − analysed_g/assigned_g; overall = 1 − (analysed_t + analysed_c)/
    (assigned_t + assigned_c); differential = |rate_t − rate_c|; verdict as in
    ``attrition_verdict``; ``max_differential`` is the boundary at the rounded overall
    percent (None beyond the table).

    Reference: WWC Standards Handbook 4.1 (2020), attrition standard; SPEC 3.7.

    >>> a = attrition(100, 100, 75, 65)
    >>> a.overall_percent, a.max_differential, a.verdict
    (30, 4.1, 'high')
    """
    at, ac = check.count("assigned_t", assigned_t, 1), check.count("assigned_c", assigned_c, 1)
    nt, nc = check.count("analysed_t", analysed_t), check.count("analysed_c", analysed_c)
    for group, analysed, assigned in (("treatment", nt, at), ("control", nc, ac)):
        if analysed > assigned:
            raise StatsError(
                f"the {group} group has {analysed} analysed but only {assigned} assigned; "
                "analysed cannot exceed assigned"
            )
    rate_t, rate_c = (at - nt) / at, (ac - nc) / ac
    overall = (at + ac - nt - nc) / (at + ac)
    differential = abs(rate_t - rate_c)
    overall_percent, limit, verdict = _judge(overall, differential, boundary)
    return Attrition(
        assigned_t=at,
        assigned_c=ac,
        analysed_t=nt,
        analysed_c=nc,
        rate_t=rate_t,
        rate_c=rate_c,
        overall=overall,
        differential=differential,
        overall_percent=overall_percent,
        boundary=boundary,
        max_differential=limit,
        verdict=verdict,
    )
