"""Two-group binary outcomes: risk difference, risk ratio, odds ratio, Cox index (SPEC 3.6)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import _validate as check
from ._errors import StatsError
from ._inference import exp_interval, normal_ci, normal_p

__all__ = [
    "COX_DIVISOR",
    "TwoGroupBinary",
    "cox_index",
    "cox_index_from_counts",
    "two_group_binary",
]

COX_DIVISOR = 1.65
"""ln(OR)/1.65 puts a log odds ratio on the scale of g (Cox 1970; WWC Procedures Handbook 4.1)."""


@dataclass(frozen=True, slots=True)
class TwoGroupBinary:
    """Two-group comparison of a binary outcome; contrasts are treatment vs control."""

    n_t: int
    events_t: int
    n_c: int
    events_c: int
    p_t: float
    p_c: float
    risk_difference: float
    se_rd: float
    ci_rd: tuple[float, float]
    risk_ratio: float
    log_risk_ratio: float
    se_log_rr: float
    ci_rr: tuple[float, float]
    odds_ratio: float
    log_odds_ratio: float
    se_log_or: float
    ci_log_or: tuple[float, float]
    ci_or: tuple[float, float]
    cox_index: float
    se_cox: float
    ci_cox: tuple[float, float]
    nnt: float
    z: float
    p_value: float
    corrected: bool
    level: float


def _cells(n_t: int, events_t: int, n_c: int, events_c: int) -> tuple[int, int, int, int]:
    """Validated 2×2 cells (a, b, c, d) = (events_t, non-events_t, events_c, non-events_c)."""
    nt, nc = check.count("n_t", n_t, 1), check.count("n_c", n_c, 1)
    et, ec = check.count("events_t", events_t), check.count("events_c", events_c)
    for name, events, n in (("treatment", et, nt), ("control", ec, nc)):
        if events > n:
            raise StatsError(
                f"the {name} group has {events} events but only {n} participants; "
                "events cannot exceed n"
            )
    return et, nt - et, ec, nc - ec


def _with_correction(cells: tuple[int, int, int, int]) -> tuple[tuple[float, ...], bool]:
    """Add 0.5 to every cell when any cell is zero (metafor's add = 1/2, to = "only0")."""
    if 0 in cells:
        return tuple(x + 0.5 for x in cells), True
    return tuple(float(x) for x in cells), False


def two_group_binary(
    n_t: int, events_t: int, n_c: int, events_c: int, *, level: float = 0.95
) -> TwoGroupBinary:
    """Risk difference, risk ratio, odds ratio, Cox index and NNT for two groups.

    Formulas with cells a, b (treatment events, non-events) and c, d (control), 0.5 added
    to every cell when any cell is 0 (``corrected``; ratios only):
    RD = p_t − p_c from the raw proportions, SE = √(p_t(1−p_t)/n_t + p_c(1−p_c)/n_c);
    ln RR = ln((a/(a+b))/(c/(c+d))), SE = √(1/a − 1/(a+b) + 1/c − 1/(c+d));
    ln OR = ln(ad/(bc)), SE = √(1/a + 1/b + 1/c + 1/d); z = ln OR/SE, p = 2·Φ(−|z|);
    Cox index = ln OR/1.65 with SE/1.65; NNT = 1/|RD| (∞ when RD = 0). Ratio CIs are
    Wald intervals on the log scale, back-transformed.

    Reference: metafor ``escalc(measure = "RR" | "OR")`` (same zero-cell rule) and
    ``escalc(measure = "RD")`` for cells without zeros (metafor corrects RD too; we do not);
    WWC Procedures Handbook 4.1 (2020), Cox index; SPEC 3.6.

    >>> r = two_group_binary(85, 44, 90, 30)
    >>> round(r.odds_ratio, 4), round(r.cox_index, 4), round(r.p_value, 4)
    (2.1463, 0.4629, 0.0143)
    """
    check.open_unit("level", level)
    cells = _cells(n_t, events_t, n_c, events_c)
    a, b, c, d = cells
    nt, nc = a + b, c + d
    p_t, p_c = a / nt, c / nc
    rd = p_t - p_c
    se_rd = math.sqrt(p_t * (1 - p_t) / nt + p_c * (1 - p_c) / nc)

    (ac, bc, cc, dc), corrected = _with_correction(cells)
    log_rr = math.log((ac / (ac + bc)) / (cc / (cc + dc)))
    se_log_rr = math.sqrt(1 / ac - 1 / (ac + bc) + 1 / cc - 1 / (cc + dc))
    log_or = math.log((ac * dc) / (bc * cc))
    se_log_or = math.sqrt(1 / ac + 1 / bc + 1 / cc + 1 / dc)
    ci_log_or = normal_ci(log_or, se_log_or, level)
    z = log_or / se_log_or
    return TwoGroupBinary(
        n_t=nt,
        events_t=a,
        n_c=nc,
        events_c=c,
        p_t=p_t,
        p_c=p_c,
        risk_difference=rd,
        se_rd=se_rd,
        ci_rd=normal_ci(rd, se_rd, level),
        risk_ratio=math.exp(log_rr),
        log_risk_ratio=log_rr,
        se_log_rr=se_log_rr,
        ci_rr=exp_interval(normal_ci(log_rr, se_log_rr, level)),
        odds_ratio=math.exp(log_or),
        log_odds_ratio=log_or,
        se_log_or=se_log_or,
        ci_log_or=ci_log_or,
        ci_or=exp_interval(ci_log_or),
        cox_index=log_or / COX_DIVISOR,
        se_cox=se_log_or / COX_DIVISOR,
        ci_cox=(ci_log_or[0] / COX_DIVISOR, ci_log_or[1] / COX_DIVISOR),
        nnt=math.inf if rd == 0 else 1 / abs(rd),
        z=z,
        p_value=normal_p(z),
        corrected=corrected,
        level=level,
    )


def cox_index(p_t: float, p_c: float) -> float:
    """Cox index of two proportions, e.g. baseline prevalences for baseline equivalence.

    Formula: (ln(p_t/(1−p_t)) − ln(p_c/(1−p_c)))/1.65. A proportion of exactly 0 or 1 has
    no finite log odds; this function then raises StatsError — use
    ``cox_index_from_counts``, which adds 0.5 to every cell as ``two_group_binary`` does.

    Reference: WWC Procedures Handbook 4.1 (2020), Cox index; SPEC 3.8.

    >>> round(cox_index(0.30, 0.25), 4)
    0.1523
    """
    for name, p in (("p_t", p_t), ("p_c", p_c)):
        if not 0.0 < check.finite(name, p) < 1.0:
            raise StatsError(
                f"{name} must lie strictly between 0 and 1 for a finite log odds, but it is "
                f"{float(p)!r}; use cox_index_from_counts to apply the 0.5 cell correction"
            )
    return (math.log(p_t / (1 - p_t)) - math.log(p_c / (1 - p_c))) / COX_DIVISOR


def cox_index_from_counts(n_t: int, events_t: int, n_c: int, events_c: int) -> float:
    """Cox index from counts, adding 0.5 to every cell when any cell is 0.

    Formula: ln(ad/(bc))/1.65 with cells as in ``two_group_binary``.

    Reference: WWC Procedures Handbook 4.1 (2020), Cox index; zero-cell rule of metafor ``escalc``.

    >>> round(cox_index_from_counts(100, 30, 100, 25), 4)
    0.1523
    >>> round(cox_index_from_counts(50, 0, 50, 5), 4)
    -1.5165
    """
    (a, b, c, d), _ = _with_correction(_cells(n_t, events_t, n_c, events_c))
    return math.log((a * d) / (b * c)) / COX_DIVISOR
