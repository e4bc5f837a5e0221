"""Two-group binary outcomes: risk difference, risk ratio, odds ratio, Cox index (SPEC 3.6).

Significance: Fisher's exact test (two-sided, as R's ``fisher.test``) when any expected cell
count is below 5, otherwise the Wald test on the log odds ratio. The risk difference's
interval is Newcombe's hybrid score interval (1998, method 10); the number needed to treat
comes with Altman's (1998) interval, which runs through infinity when the RD interval
includes 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from . import _validate as check
from ._errors import StatsError
from ._inference import exp_interval, normal_ci, normal_p, z_critical
from ._special import special

__all__ = [
    "COX_DIVISOR",
    "FISHER_EXPECTED_MIN",
    "NumberNeeded",
    "TwoGroupBinary",
    "cox_index",
    "cox_index_from_counts",
    "fisher_exact",
    "newcombe_interval",
    "number_needed",
    "two_group_binary",
    "wilson_interval",
]

FISHER_EXPECTED_MIN = 5.0
"""Fisher's exact test decides when any expected cell count is below this (SPEC 3.6)."""

_FISHER_REL_ERR = 1 + 1e-7
"""R's fisher.test counts tables with probability ≤ that of the observed table × (1 + 1e−7)."""

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
    p_value_wald: float
    p_value_fisher: float
    expected_min: float
    test: str
    ci_rd_wald: tuple[float, float]


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
    """Risk difference, risk ratio, odds ratio, Cox index, NNT and the test of a 2×2 table.

    Formulas with cells a, b (treatment events, non-events) and c, d (control), 0.5 added
    to every cell when any cell is 0 (``corrected``; ratios only):
    RD = p_t − p_c from the raw proportions, SE = √(p_t(1−p_t)/n_t + p_c(1−p_c)/n_c);
    ``ci_rd`` is Newcombe's hybrid score interval (``newcombe_interval``), ``ci_rd_wald``
    RD ± z·SE; ln RR = ln((a/(a+b))/(c/(c+d))), SE = √(1/a − 1/(a+b) + 1/c − 1/(c+d));
    ln OR = ln(ad/(bc)), SE = √(1/a + 1/b + 1/c + 1/d); z = ln OR/SE, Wald p = 2·Φ(−|z|);
    Cox index = ln OR/1.65 with SE/1.65; NNT = 1/|RD| (∞ when RD = 0). Ratio CIs are
    Wald intervals on the log scale, back-transformed. Expected counts are row total ×
    column total / N; when the smallest is below 5 the decisive ``p_value`` is Fisher's
    exact two-sided p (``test = "fisher_exact"``), otherwise the Wald p
    (``test = "log_odds_ratio_z"``); both are kept.

    Reference: metafor ``escalc(measure = "RR" | "OR")`` (same zero-cell rule) and
    ``escalc(measure = "RD")`` for cells without zeros (metafor corrects RD too; we do not);
    R ``fisher.test``; Newcombe (1998), Stat. Med. 17:873–890, method 10; WWC Procedures
    Handbook 4.1 (2020), Cox index; SPEC 3.6.

    >>> r = two_group_binary(85, 44, 90, 30)
    >>> round(r.odds_ratio, 4), round(r.cox_index, 4), round(r.p_value, 4), r.test
    (2.1463, 0.4629, 0.0143, 'log_odds_ratio_z')
    >>> s = two_group_binary(130, 0, 136, 7)
    >>> s.test, round(s.p_value, 4), round(s.p_value_wald, 4)
    ('fisher_exact', 0.0146, 0.0639)
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
    p_wald = normal_p(z)
    p_fisher = fisher_exact(a, b, c, d)
    total = nt + nc
    events, non_events = a + c, b + d
    expected_min = min(nt * events, nt * non_events, nc * events, nc * non_events) / total
    sparse = expected_min < FISHER_EXPECTED_MIN
    return TwoGroupBinary(
        n_t=nt,
        events_t=a,
        n_c=nc,
        events_c=c,
        p_t=p_t,
        p_c=p_c,
        risk_difference=rd,
        se_rd=se_rd,
        ci_rd=newcombe_interval(a, nt, c, nc, level=level),
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
        p_value=p_fisher if sparse else p_wald,
        corrected=corrected,
        level=level,
        p_value_wald=p_wald,
        p_value_fisher=p_fisher,
        expected_min=expected_min,
        test="fisher_exact" if sparse else "log_odds_ratio_z",
        ci_rd_wald=normal_ci(rd, se_rd, level),
    )


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p of Fisher's exact test for the 2×2 table [[a, b], [c, d]].

    Formula: with margins fixed, a follows the hypergeometric distribution
    P(x) = C(a+b, x)·C(c+d, a+c−x)/C(N, a+c) on max(0, a+c−(c+d)) ≤ x ≤ min(a+b, a+c);
    p = Σ P(x) over the x with P(x) ≤ P(a)·(1 + 1e−7) (R's tolerance), capped at 1.
    Computed on the log scale with lnΓ.

    Reference: Fisher (1935), The Design of Experiments; R ``fisher.test(matrix(c(a, c, b,
    d), 2))$p.value`` (tests/reference/amend.R).

    >>> round(fisher_exact(0, 130, 7, 129), 6)
    0.014572
    >>> fisher_exact(0, 118, 0, 105)
    1.0
    """
    for name, v in (("a", a), ("b", b), ("c", c), ("d", d)):
        check.count(name, v)
    row1, col1, total = a + b, a + c, a + b + c + d
    lo, hi = max(0, col1 - (c + d)), min(row1, col1)
    if lo == hi:
        return 1.0
    x = np.arange(lo, hi + 1, dtype=np.float64)
    logp = (_lchoose(row1, x) + _lchoose(total - row1, col1 - x) - _lchoose(total, col1))
    observed = logp[a - lo]
    keep = logp <= observed + math.log(_FISHER_REL_ERR)
    return float(min(1.0, np.exp(logp[keep]).sum()))


def _lchoose(n: float, k: object) -> NDArray[np.float64]:
    kk = np.asarray(k, dtype=np.float64)
    out: NDArray[np.float64] = (special.gammaln(n + 1) - special.gammaln(kk + 1)
                                - special.gammaln(n - kk + 1))
    return out


def wilson_interval(events: int, n: int, *, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for one proportion, without continuity correction.

    Formula: with p = events/n and z the two-sided critical value,
    (2np + z² ± z·√(z² + 4np(1−p))) / (2(n + z²)).

    Reference: Wilson (1927), JASA 22:209–212; Newcombe (1998), Stat. Med. 17:857–872,
    method 3; R ``prop.test(x, n, correct = FALSE)$conf.int``.

    >>> tuple(round(v, 4) for v in wilson_interval(0, 10))
    (0.0, 0.2775)
    """
    nn = check.count("n", n, 1)
    e = check.count("events", events)
    if e > nn:
        raise StatsError(f"events ({e}) cannot exceed n ({nn})")
    z = z_critical(level)
    p = e / nn
    centre = 2 * nn * p + z * z
    half = z * math.sqrt(z * z + 4 * nn * p * (1 - p))
    denom = 2 * (nn + z * z)
    lower = 0.0 if e == 0 else (centre - half) / denom
    upper = 1.0 if e == nn else (centre + half) / denom
    return (lower, upper)


def newcombe_interval(events_t: int, n_t: int, events_c: int, n_c: int, *,
                      level: float = 0.95) -> tuple[float, float]:
    """Newcombe's hybrid score interval for the risk difference p_t − p_c.

    Formula: with Wilson intervals (l_t, u_t) and (l_c, u_c) and D = p_t − p_c,
    L = D − √((p_t − l_t)² + (u_c − p_c)²), U = D + √((u_t − p_t)² + (p_c − l_c)²).
    Never zero-width: 0/118 against 0/105 gives about (−0.035, 0.031).

    Reference: Newcombe (1998), "Interval estimation for the difference between
    independent proportions: comparison of eleven methods", Stat. Med. 17:873–890,
    method 10; his worked examples are pinned in tests/stats/test_stats_amend.py.

    >>> tuple(round(v, 4) for v in newcombe_interval(56, 70, 48, 80))
    (0.0524, 0.3339)
    """
    lt, ut = wilson_interval(events_t, n_t, level=level)
    lc, uc = wilson_interval(events_c, n_c, level=level)
    pt, pc = events_t / n_t, events_c / n_c
    d = pt - pc
    return (d - math.sqrt((pt - lt) ** 2 + (uc - pc) ** 2),
            d + math.sqrt((ut - pt) ** 2 + (pc - lc) ** 2))


@dataclass(frozen=True, slots=True)
class NumberNeeded:
    """Number needed to treat (benefit) or to harm, with Altman's interval.

    ``label`` is "NNT" when the difference is favourable and "NNH" when it is harmful
    (None when RD = 0). With an RD interval that excludes 0, ``ci`` is the interval of the
    same label; when it includes 0, ``ci`` is None, ``through_infinity`` is True and the
    interval is "NNT ``nnt_limit`` to ∞ to NNH ``nnh_limit``" (a limit is None when that
    bound of the RD interval is exactly 0).
    """

    label: str | None
    estimate: float
    ci: tuple[float, float] | None
    through_infinity: bool
    nnt_limit: float | None
    nnh_limit: float | None


def number_needed(rd: float, ci: tuple[float, float], sign: int) -> NumberNeeded:
    """NNT/NNH = 1/|RD| labelled by direction, with the interval from the RD interval.

    Formula: with ``sign`` +1 when a higher proportion is better and −1 when lower is
    better, the favourable risk difference is RD_f = sign·RD, with interval (f_lo, f_hi);
    NNT = 1/RD_f when RD_f > 0, NNH = 1/|RD_f| when RD_f < 0. Interval: if f_lo > 0,
    NNT from 1/f_hi to 1/f_lo; if f_hi < 0, NNH from 1/|f_lo| to 1/|f_hi|; otherwise it
    runs through infinity: NNT 1/f_hi (benefit) to ∞ to NNH 1/|f_lo| (harm).

    Reference: Altman (1998), "Confidence intervals for the number needed to treat",
    BMJ 317:1309–1312; SPEC 3.6.

    >>> n = number_needed(0.1, (0.03, 0.17), -1)   # more events, lower is better: harm
    >>> n.label, round(n.estimate, 2), tuple(round(v, 2) for v in n.ci)
    ('NNH', 10.0, (5.88, 33.33))
    >>> m = number_needed(-0.05, (-0.10, 0.02), -1)
    >>> m.label, m.through_infinity, m.nnt_limit, m.nnh_limit
    ('NNT', True, 10.0, 50.0)
    """
    if sign not in (1, -1):
        raise StatsError(f"sign must be 1 or -1, but it is {sign!r}")
    r = check.finite("rd", rd) * sign
    lo, hi = sorted((ci[0] * sign, ci[1] * sign))
    label = None if r == 0 else ("NNT" if r > 0 else "NNH")
    estimate = math.inf if r == 0 else 1 / abs(r)
    if lo > 0:
        return NumberNeeded(label, estimate, (1 / hi, 1 / lo), False, None, None)
    if hi < 0:
        return NumberNeeded(label, estimate, (1 / abs(lo), 1 / abs(hi)), False, None, None)
    return NumberNeeded(label, estimate, None, True, 1 / hi if hi > 0 else None,
                        1 / abs(lo) if lo < 0 else None)


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
