"""Noncentral-t confidence intervals for standardised mean differences, and Morris's d_ppc2.

The noncentral-t ("pivot") interval inverts the noncentral t distribution of the test
statistic: with t observed on ν df, the bounds λ_lo, λ_hi solve
P(T'_{ν,λ_lo} ≤ t) = 1 − α/2 and P(T'_{ν,λ_hi} ≤ t) = α/2; the effect-size bounds are
λ·√h for the design's h (Steiger & Fouladi 1997; Cumming & Finch 2001). This is what R's
effectsize computes by default for ``cohens_d``, ``hedges_g`` and ``glass_delta``
(``ci_method = "ncp"``); effectsize finds the bounds with ``optim`` (abstol 1e-9), this module
with a bracketing root search (Brent's method) to about 1e-13.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from . import _validate as check
from ._errors import StatsError
from ._special import special
from .smd import hedges_j

__all__ = [
    "MorrisPPC2",
    "d_av_ci_noncentral",
    "d_z_ci_noncentral",
    "glass_delta_ci_noncentral",
    "morris_ppc2",
    "ncp_t_interval",
    "smd_ci_noncentral",
]


def _solve_ncp(t: float, df: float, prob: float) -> float:
    """λ with P(T'_{df,λ} ≤ t) = prob; that CDF decreases in λ.

    The root is bracketed by stepping out from the normal approximation and then found by
    Brent's method (``_brent``) to within (1 + |λ|)·1e-13/2 (the bisection's bound was
    1e-13·max(1, |λ|)), in about 8 evaluations of the noncentral t CDF (a bisection to that
    tolerance takes about 50).

    >>> round(_solve_ncp(2.0, 20.0, 0.975), 10)
    -0.0770822783
    """

    def f(lam: float) -> float:
        p = float(special.nctdtr(df, lam, t))
        if math.isnan(p):  # far in a tail scipy gives NaN: there the CDF is 1 (λ ≪ t) or 0
            p = 1.0 if lam < t else 0.0
        return p - prob

    # Start near the normal approximation T' ≈ λ + N(0, 1 + λ²/2ν), λ ≈ t − z·s; the steps
    # out below widen the bracket as far as the root needs.
    s = math.hypot(1.0, t / math.sqrt(2 * df))
    width = 0.1 * s
    guess = t - float(special.ndtri(prob)) * s
    lo, hi = guess - width, guess + width
    f_lo, f_hi = f(lo), f(hi)
    while f_lo < 0:
        lo -= width
        width *= 2
        f_lo = f(lo)
    while f_hi > 0:
        hi += width
        width *= 2
        f_hi = f(hi)
    return _brent(f, lo, hi, f_lo, f_hi, 1e-13 / 2, 1e-13 / 2)


def _brent(f: Callable[[float], float], a: float, b: float, fa: float, fb: float,
           xtol: float, rtol: float, maxiter: int = 300) -> float:
    """A root of ``f`` in [a, b] (``fa``, ``fb`` of opposite signs or one zero) to within
    ``xtol + rtol·|root|``, by Brent's method: inverse quadratic interpolation or the secant
    step when they stay inside the bracket and shrink it fast enough, bisection otherwise,
    so it never takes more steps than bisection would and usually far fewer.

    Reference: Brent (1973), Algorithms for Minimization without Derivatives, ch. 4 (the
    algorithm of scipy.optimize.brentq, ``scipy/optimize/Zeros/brentq.c``, written out here
    so that scoring does not import scipy.optimize: about 0.7 s at start-up).

    >>> round(_brent(lambda x: x * x - 2, 0.0, 2.0, -2.0, 2.0, 1e-15, 1e-15), 12)
    1.414213562373
    """
    xpre, xcur, fpre, fcur = a, b, fa, fb
    xblk = fblk = spre = scur = 0.0
    if fpre == 0:
        return xpre
    if fcur == 0:
        return xcur
    for _ in range(maxiter):
        if fpre != 0 and fcur != 0 and (fpre > 0) != (fcur > 0):
            xblk, fblk = xpre, fpre
            spre = scur = xcur - xpre
        if abs(fblk) < abs(fcur):
            xpre, xcur, xblk = xcur, xblk, xcur
            fpre, fcur, fblk = fcur, fblk, fcur
        delta = (xtol + rtol * abs(xcur)) / 2
        sbis = (xblk - xcur) / 2
        if fcur == 0 or abs(sbis) < delta:
            return xcur
        if abs(spre) > delta and abs(fcur) < abs(fpre):
            if xpre == xblk:  # secant
                stry = -fcur * (xcur - xpre) / (fcur - fpre)
            else:  # inverse quadratic interpolation
                dpre = (fpre - fcur) / (xpre - xcur)
                dblk = (fblk - fcur) / (xblk - xcur)
                stry = -fcur * (fblk * dblk - fpre * dpre) / (dblk * dpre * (fblk - fpre))
            if 2 * abs(stry) < min(abs(spre), 3 * abs(sbis) - delta):
                spre, scur = scur, stry  # the interpolation is good
            else:
                spre, scur = sbis, sbis  # bisect
        else:
            spre, scur = sbis, sbis
        xpre, fpre = xcur, fcur
        if abs(scur) > delta:
            xcur += scur
        else:
            xcur += delta if sbis > 0 else -delta
        fcur = f(xcur)
    return xcur


def ncp_t_interval(t: float, df: float, level: float = 0.95) -> tuple[float, float]:
    """Confidence interval for the noncentrality parameter of an observed t on ``df`` df.

    Formula: λ_lo solves P(T'_{ν,λ} ≤ t) = (1 + level)/2, λ_hi solves it = (1 − level)/2.

    Reference: Steiger & Fouladi (1997), in Harlow et al., What if there were no
    significance tests?; R effectsize ``.get_ncp_t``.

    >>> [round(x, 4) for x in ncp_t_interval(2.0, 20)]
    [-0.0771, 4.0318]
    """
    x = check.finite("t", t)
    nu = check.positive("df", df)
    a = check.open_unit("level", level)
    return (_solve_ncp(x, nu, (1 + a) / 2), _solve_ncp(x, nu, (1 - a) / 2))


def smd_ci_noncentral(d: float, n_treatment: int, n_control: int, level: float = 0.95,
                      *, hedges: bool = False) -> tuple[float, float]:
    """Noncentral-t interval for Cohen's d (or, with ``hedges=True``, Hedges' g).

    Formula: h = 1/n_t + 1/n_c, ν = n_t + n_c − 2, t = d/√h; CI(d) = λ·√h with λ from
    ``ncp_t_interval(t, ν)``; for g (given g, not d) t = (g/J)/√h and CI(g) = J·λ·√h.

    Reference: R effectsize ``cohens_d`` / ``hedges_g`` (pooled SD, ``ci_method = "ncp"``).

    >>> [round(x, 4) for x in smd_ci_noncentral(0.5, 30, 30)]
    [-0.0162, 1.0121]
    """
    nt = check.count("n_treatment", n_treatment, 2)
    nc = check.count("n_control", n_control, 2)
    h = 1 / nt + 1 / nc
    df = nt + nc - 2
    j = hedges_j(df) if hedges else 1.0
    t = check.finite("d", d) / j / math.sqrt(h)
    lo, hi = ncp_t_interval(t, df, level)
    return (j * lo * math.sqrt(h), j * hi * math.sqrt(h))


def glass_delta_ci_noncentral(delta: float, n_treatment: int, n_control: int,
                              sd_treatment: float, sd_control: float,
                              level: float = 0.95) -> tuple[float, float]:
    """Noncentral-t interval for Glass's Δ = (M_t − M_c)/s_c.

    Formula (as R effectsize ``glass_delta``): h = 1/n_c + s_t²/(n_t·s_c²), ν = n_c − 1,
    t = Δ/√h, CI = λ·√h.

    Reference: R effectsize 0.8.3 ``glass_delta``; Algina, Keselman & Penfield (2006).

    >>> [round(x, 4) for x in glass_delta_ci_noncentral(0.5, 30, 30, 1.0, 1.0)]
    [-0.0261, 1.018]
    """
    nt = check.count("n_treatment", n_treatment, 2)
    nc = check.count("n_control", n_control, 2)
    st = check.standard_deviation("sd_treatment", sd_treatment)
    sc = check.positive("sd_control", sd_control)
    h = 1 / nc + st**2 / (nt * sc**2)
    lo, hi = ncp_t_interval(check.finite("delta", delta) / math.sqrt(h), nc - 1, level)
    return (lo * math.sqrt(h), hi * math.sqrt(h))


def d_z_ci_noncentral(d_z: float, n: int, level: float = 0.95) -> tuple[float, float]:
    """Noncentral-t interval for d_z = mean change / SD of change (paired or one sample).

    Formula: t = d_z·√n on n − 1 df; CI = λ/√n.

    Reference: R effectsize ``cohens_d(x, y, paired = TRUE)`` (0.8.3, ``ci_method = "ncp"``).

    >>> [round(x, 4) for x in d_z_ci_noncentral(0.5, 30)]
    [0.1161, 0.8763]
    """
    m = check.count("n", n, 2)
    lo, hi = ncp_t_interval(check.finite("d_z", d_z) * math.sqrt(m), m - 1, level)
    return (lo / math.sqrt(m), hi / math.sqrt(m))


def d_av_ci_noncentral(mean_change: float, sd_change: float, sd_pre: float, sd_post: float,
                       n: int, level: float = 0.95) -> tuple[float, float]:
    """Approximate noncentral-t interval for d_av = mean change / √((s_pre² + s_post²)/2).

    Formula: t = mean change/(s_diff/√n) on n − 1 df (the paired t); CI = λ·s_diff/(√n·s_av)
    with s_av = √((s_pre² + s_post²)/2). The scaling treats s_diff/s_av as fixed, which is
    the approximation Algina & Keselman (2003) evaluate (good coverage for n ≥ 10 unless the
    correlation is low and the effect large).

    Reference: Algina & Keselman (2003), Educ. Psychol. Meas. 63(4):537–553; Lakens (2013),
    Front. Psychol. 4:863 (d_av).

    >>> [round(x, 4) for x in d_av_ci_noncentral(2.0, 4.0, 5.0, 5.0, 30)]
    [0.0929, 0.701]
    """
    m = check.count("n", n, 2)
    sd = check.positive("sd_change", sd_change)
    s_av = math.sqrt((check.standard_deviation("sd_pre", sd_pre) ** 2
                      + check.standard_deviation("sd_post", sd_post) ** 2) / 2)
    if s_av == 0:
        raise StatsError("d_av needs a pre or post standard deviation above zero")
    t = check.finite("mean_change", mean_change) / (sd / math.sqrt(m))
    lo, hi = ncp_t_interval(t, m - 1, level)
    scale = sd / (math.sqrt(m) * s_av)
    return (lo * scale, hi * scale)


@dataclass(frozen=True, slots=True)
class MorrisPPC2:
    """Morris's (2008) d_ppc2 with its variance, SE and normal 95% CI."""

    estimate: float
    variance: float
    se: float
    ci: tuple[float, float]
    sd_pre_pooled: float
    correlation: float
    correlation_assumed: bool


def morris_ppc2(mean_pre_t: float, mean_post_t: float, mean_pre_c: float,
                mean_post_c: float, sd_pre_t: float, sd_pre_c: float, n_t: int, n_c: int,
                correlation: float | None = None, level: float = 0.95) -> MorrisPPC2:
    """Morris (2008) d_ppc2 for pretest-posttest-control designs, with its variance.

    Formula: d_ppc2 = c_p·((M_post,t − M_pre,t) − (M_post,c − M_pre,c))/SD_pre, with
    SD_pre = √(((n_t−1)s²_pre,t + (n_c−1)s²_pre,c)/(n_t+n_c−2)), c_p = 1 − 3/(4(n_t+n_c−2)−1);
    Var = 2c_p²(1−ρ)(n_t+n_c)/(n_t·n_c)·(n_t+n_c−2)/(n_t+n_c−4)·(1 + δ²/(2(1−ρ)(n_t+n_c)/(n_t·n_c)))
    − δ², evaluated at δ = d_ppc2; ρ the pre-post correlation (0.5 with a flag when not given).

    Reference: Morris (2008), Organizational Research Methods 11(2):364–386, eqs. 8–10 and
    25; its worked example (treatment 30.6 → 38.5, SD_pre 15.0, n 20; control
    23.1 → 19.7, SD_pre 13.8, n 24; ρ = 0.47) gives d_ppc2 = 0.77.

    >>> r = morris_ppc2(30.6, 38.5, 23.1, 19.7, 15.0, 13.8, 20, 24, correlation=0.47)
    >>> round(r.estimate, 4), round(r.variance, 4)
    (0.773, 0.1059)
    """
    nt = check.count("n_t", n_t, 2)
    nc = check.count("n_c", n_c, 2)
    if nt + nc <= 4:
        raise StatsError("d_ppc2's variance needs more than 4 people in all")
    rho = 0.5 if correlation is None else check.correlation("correlation", correlation)
    if rho >= 1:
        raise StatsError("the pre-post correlation must be below 1 for d_ppc2's variance")
    means = [check.finite(k, v) for k, v in (("mean_pre_t", mean_pre_t),
                                              ("mean_post_t", mean_post_t),
                                              ("mean_pre_c", mean_pre_c),
                                              ("mean_post_c", mean_post_c))]
    spt = check.standard_deviation("sd_pre_t", sd_pre_t)
    spc = check.standard_deviation("sd_pre_c", sd_pre_c)
    df = nt + nc - 2
    sd_pre = math.sqrt(((nt - 1) * spt**2 + (nc - 1) * spc**2) / df)
    if sd_pre == 0:
        raise StatsError("d_ppc2 needs a pretest standard deviation above zero")
    cp = 1 - 3 / (4 * df - 1)
    d = cp * ((means[1] - means[0]) - (means[3] - means[2])) / sd_pre
    k = 2 * (1 - rho) * (nt + nc) / (nt * nc)
    var = cp**2 * k * (df / (nt + nc - 4)) * (1 + d**2 / k) - d**2
    if not var > 0:
        raise StatsError("d_ppc2's variance is not positive for these inputs")
    se = math.sqrt(var)
    z = float(special.ndtri((1 + check.open_unit("level", level)) / 2))
    return MorrisPPC2(estimate=d, variance=var, se=se, ci=(d - z * se, d + z * se),
                      sd_pre_pooled=sd_pre, correlation=rho,
                      correlation_assumed=correlation is None)
