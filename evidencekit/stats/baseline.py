"""WWC baseline equivalence verdict (SPEC 3.8)."""

from __future__ import annotations

from typing import Literal

from . import _validate as check
from ._errors import StatsError

__all__ = ["BaselineVerdict", "baseline_verdict"]

BaselineVerdict = Literal["satisfied", "adjustment_required", "not_satisfied"]


def baseline_verdict(
    effect: float, satisfied: float = 0.05, adjustable: float = 0.25
) -> BaselineVerdict:
    """Classify a baseline difference (|g|, or the Cox index for binary outcomes).

    Rule: |effect| ≤ satisfied → "satisfied"; satisfied < |effect| ≤ adjustable →
    "adjustment_required"; above → "not_satisfied". Bounds are inclusive.

    Reference: WWC Standards Handbook 4.1 (2020), baseline equivalence (0.05 and 0.25
    standard deviations); SPEC 3.8.

    >>> baseline_verdict(0.05), baseline_verdict(-0.12), baseline_verdict(0.26)
    ('satisfied', 'adjustment_required', 'not_satisfied')
    """
    e = abs(check.finite("the baseline effect", effect))
    lo = check.finite("the satisfied threshold", satisfied)
    hi = check.finite("the adjustable threshold", adjustable)
    if not 0 <= lo <= hi:
        raise StatsError(
            "baseline thresholds must satisfy 0 ≤ satisfied ≤ adjustable, but they are "
            f"{lo!r} and {hi!r}"
        )
    if e <= lo:
        return "satisfied"
    return "adjustment_required" if e <= hi else "not_satisfied"
