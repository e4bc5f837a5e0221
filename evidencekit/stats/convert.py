"""Effect sizes and tests recovered from published statistics (SPEC 3.10)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import _validate as check
from ._errors import StatsError
from ._inference import normal_ci, normal_p, student_p
from ._special import special
from .binary import COX_DIVISOR
from .smd import hedges_j, smd_se

__all__ = [
    "CI95_WIDTH_IN_SE",
    "FromEstimate",
    "FromMeanDifference",
    "FromOddsRatio",
    "FromTest",
    "from_f",
    "from_g_se",
    "from_mean_difference_ci",
    "from_odds_ratio_ci",
    "from_p",
    "from_t",
]

CI95_WIDTH_IN_SE = 3.92
"""A 95% interval spans 2 × 1.96 standard errors (SPEC 3.10; Cochrane Handbook 6.3.1)."""


@dataclass(frozen=True, slots=True)
class FromTest:
    """g recovered from a two-group t, p or F statistic (sign: treatment − control)."""

    t: float
    df: int
    p_value: float
    d: float
    g: float
    se_g: float
    ci_g: tuple[float, float]
    level: float


@dataclass(frozen=True, slots=True)
class FromEstimate:
    """Normal-theory test of an estimate given with its standard error."""

    estimate: float
    se: float
    ci: tuple[float, float]
    z: float
    p_value: float
    level: float


@dataclass(frozen=True, slots=True)
class FromMeanDifference:
    """A reported mean difference with its 95% CI; g only when the SD and n's are known."""

    md: float
    se: float
    z: float
    p_value: float
    d: float | None
    g: float | None
    se_g: float | None
    ci: tuple[float, float]
    ci_g: tuple[float, float] | None


@dataclass(frozen=True, slots=True)
class FromOddsRatio:
    """A reported odds ratio with its 95% CI, on the log scale and as a Cox index."""

    odds_ratio: float
    log_odds_ratio: float
    se_log_or: float
    z: float
    p_value: float
    cox_index: float
    se_cox: float
    ci: tuple[float, float]


def _standardise(
    d: float, n_t: int, n_c: int, level: float
) -> tuple[int, float, float, tuple[float, float]]:
    """(df, g, SE(g), CI(g)) for a Cohen's d from two groups of n_t and n_c."""
    nt, nc = check.count("n_t", n_t, 2), check.count("n_c", n_c, 2)
    df = nt + nc - 2
    g = hedges_j(df) * d
    se_g = smd_se(g, nt, nc)
    return df, g, se_g, normal_ci(g, se_g, level)


def _from_t(t: float, n_t: int, n_c: int, level: float, p_value: float | None) -> FromTest:
    check.open_unit("level", level)
    d = t * math.sqrt(1 / check.count("n_t", n_t, 2) + 1 / check.count("n_c", n_c, 2))
    df, g, se_g, ci_g = _standardise(d, n_t, n_c, level)
    return FromTest(
        t=t,
        df=df,
        p_value=student_p(t, df) if p_value is None else p_value,
        d=d,
        g=g,
        se_g=se_g,
        ci_g=ci_g,
        level=level,
    )


def from_t(t: float, n_t: int, n_c: int, *, level: float = 0.95) -> FromTest:
    """Hedges' g and p from an independent-samples t statistic (treatment − control).

    Formulas: df = n_t + n_c − 2; p = 2·P(T_df > |t|); d = t·√(1/n_t + 1/n_c); g = J(df)·d;
    SE(g) and CI(g) as in ``two_group_continuous``.

    Reference: Borenstein et al. (2009), Introduction to Meta-Analysis, ch. 7; WWC
    Procedures Handbook 4.1 (2020); SPEC 3.10.

    >>> r = from_t(2.41, 48, 51)
    >>> round(r.d, 4), round(r.g, 4), round(r.p_value, 4)
    (0.4847, 0.4809, 0.0178)
    """
    return _from_t(check.finite("t", t), n_t, n_c, level, None)


def from_p(p: float, sign: int, n_t: int, n_c: int, *, level: float = 0.95) -> FromTest:
    """Hedges' g from a two-sided p-value of a t-test and the direction of the effect.

    Formulas: t = sign·qt(1 − p/2, n_t + n_c − 2), then as ``from_t``; the reported p is kept
    unchanged as ``p_value`` (so p = 0.05 stays exactly 0.05).

    Reference: Borenstein et al. (2009), ch. 7; SPEC 3.10.

    >>> r = from_p(0.0178, 1, 48, 51)
    >>> round(r.t, 3), round(r.g, 4)
    (2.411, 0.4811)
    """
    pf = check.finite("p", p)
    if not 0.0 < pf <= 1.0:
        raise StatsError(f"a p-value must lie in (0, 1], but it is {pf!r}")
    s = check.sign(sign)
    df = check.count("n_t", n_t, 2) + check.count("n_c", n_c, 2) - 2
    return _from_t(s * float(special.stdtrit(df, 1 - pf / 2)), n_t, n_c, level, pf)


def from_f(f: float, sign: int, n_t: int, n_c: int, *, level: float = 0.95) -> FromTest:
    """Hedges' g from an F(1, n_t + n_c − 2) statistic comparing two groups.

    Formulas: t = sign·√F, then as ``from_t`` (the p equals the F test's p).

    Reference: Borenstein et al. (2009), ch. 7; SPEC 3.10.

    >>> round(from_f(5.8081, 1, 48, 51).g, 4)
    0.4809
    """
    ff = check.finite("F", f)
    if ff < 0:
        raise StatsError(f"an F statistic cannot be negative, but it is {ff!r}")
    return _from_t(check.sign(sign) * math.sqrt(ff), n_t, n_c, level, None)


def from_g_se(g: float, se: float, *, level: float = 0.95) -> FromEstimate:
    """Normal-theory CI and test of an estimate reported with its standard error.

    Formulas: z = g/SE; p = 2·Φ(−|z|); CI = g ± z_crit·SE.

    Reference: SPEC 3.10; as metafor ``rma(yi, sei = se, method = "FE")`` for one study.

    >>> r = from_g_se(0.25, 0.10)
    >>> round(r.z, 4), round(r.p_value, 4)
    (2.5, 0.0124)
    """
    est, s = check.finite("g", g), check.positive("se", se)
    check.open_unit("level", level)
    z = est / s
    return FromEstimate(
        estimate=est, se=s, ci=normal_ci(est, s, level), z=z, p_value=normal_p(z), level=level
    )


def _within(name: str, value: float, ci: tuple[float, float]) -> None:
    if not ci[0] <= value <= ci[1]:
        raise StatsError(
            f"the {name} {value!r} lies outside its confidence interval [{ci[0]!r}, {ci[1]!r}]"
        )


def from_mean_difference_ci(
    md: float,
    ci_low: float,
    ci_high: float,
    sd: float | None = None,
    n_t: int | None = None,
    n_c: int | None = None,
) -> FromMeanDifference:
    """Test of a mean difference reported with its 95% CI, and g when the SD is known.

    Formulas: SE = (upper − lower)/3.92; z = md/SE; p = 2·Φ(−|z|); with the outcome SD,
    d = md/SD; with SD and both n's also g = J(n_t + n_c − 2)·d and SE(g), CI(g) as in
    ``two_group_continuous`` (95%). Fields that cannot be computed are None.

    Reference: Cochrane Handbook 6.3.1 (SE from a 95% CI); SPEC 3.10.

    >>> r = from_mean_difference_ci(2.8, 0.87, 4.73, sd=10.0, n_t=212, n_c=205)
    >>> round(r.se, 4), round(r.p_value, 4), round(r.g, 4)
    (0.9847, 0.0045, 0.2795)
    """
    est = check.finite("mean difference", md)
    ci = check.interval("the mean difference's CI", ci_low, ci_high)
    _within("mean difference", est, ci)
    se = (ci[1] - ci[0]) / CI95_WIDTH_IN_SE
    z = est / se
    d = g = se_g = None
    ci_g = None
    if sd is not None:
        d = est / check.positive("sd", sd)
        if n_t is not None and n_c is not None:
            _, g, se_g, ci_g = _standardise(d, n_t, n_c, 0.95)
    return FromMeanDifference(
        md=est, se=se, z=z, p_value=normal_p(z), d=d, g=g, se_g=se_g, ci=ci, ci_g=ci_g
    )


def from_odds_ratio_ci(or_: float, ci_low: float, ci_high: float) -> FromOddsRatio:
    """Test and Cox index of an odds ratio reported with its 95% CI.

    Formulas: ln OR; SE = (ln upper − ln lower)/3.92; z = ln OR/SE; p = 2·Φ(−|z|);
    Cox index = ln OR/1.65 with SE/1.65.

    Reference: Cochrane Handbook 6.3.2 (ratio measures on the log scale); WWC Procedures
    Handbook 4.1 (2020), Cox index; SPEC 3.10.

    >>> r = from_odds_ratio_ci(2.15, 1.17, 3.95)
    >>> round(r.se_log_or, 4), round(r.cox_index, 4), round(r.p_value, 4)
    (0.3104, 0.4639, 0.0137)
    """
    for name, value in (("the odds ratio", or_), ("the lower bound of the odds ratio's CI", ci_low),
                        ("the upper bound of the odds ratio's CI", ci_high)):
        if not check.finite(name, value) > 0:
            raise StatsError(f"{name} must be positive, but it is {value!r}")
    ci = check.interval("the odds ratio's CI", ci_low, ci_high)
    _within("odds ratio", or_, ci)
    log_or = math.log(or_)
    se = (math.log(ci[1]) - math.log(ci[0])) / CI95_WIDTH_IN_SE
    z = log_or / se
    return FromOddsRatio(
        odds_ratio=float(or_),
        log_odds_ratio=log_or,
        se_log_or=se,
        z=z,
        p_value=normal_p(z),
        cox_index=log_or / COX_DIVISOR,
        se_cox=se / COX_DIVISOR,
        ci=ci,
    )
