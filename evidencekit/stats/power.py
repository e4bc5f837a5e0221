"""Power and minimum detectable effect sizes (SPEC 3.11)."""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from scipy import special

from . import _validate as check
from ._errors import StatsError

__all__ = [
    "cluster_mdes",
    "clusters_for_mdes",
    "mdes",
    "n_per_group_for",
    "two_sample_power",
]

_TOL = 1e-12
_MAX_CLUSTERS = 2**31


def _root(f: Any, lo: float, hi: float, xtol: float) -> float:
    """Root of an increasing function bracketed by [lo, hi], by bisection to ``xtol``.

    Power is monotone in the effect size and in n, so bisection is exact to the tolerance;
    it keeps scipy.optimize (about 0.3 s to import) off the path of every analysis.
    """
    f_lo, f_hi = f(lo), f(hi)
    if math.isnan(f_lo) or math.isnan(f_hi) or f_lo > 0 or f_hi < 0:
        raise ValueError("the root is not bracketed")
    while hi - lo > xtol * max(1.0, abs(lo)):
        mid = (lo + hi) / 2
        value = f(mid)
        if math.isnan(value):
            raise ValueError("the function could not be evaluated")
        if value < 0:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _alpha_power(alpha: float, power: float) -> tuple[float, float]:
    a, pw = check.open_unit("alpha", alpha), check.open_unit("power", power)
    if pw <= a:
        raise StatsError(f"power must exceed alpha ({a!r}), but it is {pw!r}")
    return a, pw


def _power(d: float, n: float, alpha: float) -> float:
    nu = 2 * (n - 1)
    q = special.stdtrit(nu, 1 - alpha / 2)
    ncp = math.sqrt(n / 2) * d
    # P(T' < -q) is taken as P(T'(-ncp) > q): the noncentral t CDF is unreliable deep in that
    # tail. scipy.special's ufuncs are used directly (no per-call distribution overhead).
    upper = 1.0 - special.nctdtr(nu, ncp, q)
    lower = 1.0 - special.nctdtr(nu, -ncp, q)
    total = float(upper + lower)
    if math.isnan(total):  # cdflib gives up at large df·ncp; Boost (via scipy.stats) does not
        from scipy import stats

        total = float(stats.nct.sf(q, nu, ncp) + stats.nct.sf(q, nu, -ncp))
    return total


def two_sample_power(d: float, n_per_group: float, alpha: float = 0.05) -> float:
    """Power of the two-sided two-sample t-test (both rejection tails counted).

    Formula: with ν = 2(n − 1), q = t_{1−α/2, ν} and λ = √(n/2)·|d|,
    power = P(T'_{ν,λ} > q) + P(T'_{ν,λ} < −q), T' noncentral t.

    Reference: R ``pwr::pwr.t.test(n, d, sig.level, type = "two.sample")`` (pwr 1.3-0).

    >>> round(two_sample_power(0.5, 64), 4)
    0.8015
    """
    n = check.finite("n_per_group", n_per_group)
    if n <= 1:
        raise StatsError(f"n_per_group must exceed 1, but it is {n!r}")
    return _power(abs(check.finite("d", d)), n, check.open_unit("alpha", alpha))


def mdes(n_per_group: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """Minimum detectable effect size (d) for two equal groups of ``n_per_group``.

    Solves two_sample_power(d, n, α) = power for d > 0 (Brent's method, tolerance 1e-12).

    Reference: R ``pwr::pwr.t.test(n = n, sig.level = α, power = power,
    type = "two.sample")``, which solves the same equation with uniroot's default
    tolerance (≈1.2e-4), so pwr's printed d can differ from this in the fourth decimal.

    >>> round(mdes(64), 4)
    0.4991
    """
    n = check.finite("n_per_group", n_per_group)
    if n <= 1:
        raise StatsError(f"n_per_group must exceed 1, but it is {n!r}")
    a, pw = _alpha_power(alpha, power)
    return _solve_d(n, a, pw)


@lru_cache(maxsize=4096)  # pure; batch scoring asks the same questions many times
def _solve_d(n: float, a: float, pw: float) -> float:
    # Start the bracket near the answer (about 2.8·√(2/n)) so the noncentrality stays moderate.
    upper = 4.0 * math.sqrt(2.0 / n)
    while _power(upper, n, a) < pw:
        upper *= 2
    try:
        return _root(lambda d: _power(d, n, a) - pw, 1e-10, upper, _TOL)
    except ValueError as exc:
        raise StatsError(f"no detectable effect size could be found for n = {n!r}") from exc


def n_per_group_for(d: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """Continuous sample size per group to detect ``d`` (callers round up).

    Solves two_sample_power(|d|, n, α) = power for n in (2, 1e9); returns 2.0 when even
    n = 2 already reaches the power.

    Reference: R ``pwr::pwr.t.test(d = d, sig.level = α, power = power,
    type = "two.sample")`` (same equation, tighter tolerance).

    >>> round(n_per_group_for(0.5), 3)
    63.766
    """
    delta = abs(check.finite("d", d))
    if delta == 0:
        raise StatsError("no sample size can detect an effect size of zero")
    a, pw = _alpha_power(alpha, power)
    return _solve_n(delta, a, pw)


@lru_cache(maxsize=4096)
def _solve_n(delta: float, a: float, pw: float) -> float:
    low = 2.0
    if _power(delta, low, a) >= pw:
        return low
    if _power(delta, 1e9, a) < pw:
        raise StatsError(f"an effect size of {delta!r} needs more than 1e9 per group")
    high = min(1e9, max(4.0, 32.0 / delta**2))  # about twice the normal approximation
    while _power(delta, high, a) < pw:
        high = min(1e9, high * 2)
    try:
        return _root(lambda n: _power(delta, n, a) - pw, low, high, _TOL)
    except ValueError as exc:  # the power curve could not be evaluated (extreme inputs)
        raise StatsError(f"no sample size could be found for an effect size of {delta!r}") \
            from exc


def cluster_mdes(
    clusters: int,
    cluster_size: float,
    icc: float,
    alpha: float = 0.05,
    power: float = 0.8,
    p_treated: float = 0.5,
) -> float:
    """MDES of a two-arm cluster-randomised trial without covariates (Bloom's formula).

    Formula: MDES = M·√(ρ/(P(1−P)J) + (1−ρ)/(P(1−P)J·n)), M = t_{1−α/2, J−2} + t_{power, J−2},
    J clusters in total, n per cluster, ρ = icc, P = proportion of clusters treated.

    Reference: Bloom (2006), "The core analytics of randomized experiments for social
    research", MDRC; Bloom, Richburg-Hayes & Black (2007), Educ. Eval. Policy Anal.
    29(1):30–59; PowerUp! (Dong & Maynard 2013) CRA2_2 with R² = 0.

    >>> round(cluster_mdes(40, 25, 0.20), 4)
    0.438
    """
    j = check.count("clusters", clusters, 3)
    n = check.finite("cluster_size", cluster_size)
    if n < 1:
        raise StatsError(f"cluster_size must be at least 1, but it is {n!r}")
    rho = check.unit("icc", icc)
    p = check.open_unit("p_treated", p_treated)
    a, pw = _alpha_power(alpha, power)
    multiplier = special.stdtrit(j - 2, 1 - a / 2) + special.stdtrit(j - 2, pw)
    pq = p * (1 - p)
    return float(multiplier * math.sqrt(rho / (pq * j) + (1 - rho) / (pq * j * n)))


def clusters_for_mdes(
    mdes: float,
    cluster_size: float,
    icc: float,
    alpha: float = 0.05,
    power: float = 0.8,
    p_treated: float = 0.5,
) -> int:
    """Smallest even total number of clusters J (≥ 4) with cluster_mdes(J, …) ≤ ``mdes``.

    Search: doubling then bisection over even J; cluster_mdes decreases in J.

    Reference: as ``cluster_mdes`` (Bloom 2006).

    >>> clusters_for_mdes(0.44, 25, 0.20)
    40
    """
    target = check.positive("mdes", mdes)

    def detects(j: int) -> bool:
        return cluster_mdes(j, cluster_size, icc, alpha, power, p_treated) <= target

    low_half, high_half = 1, 2  # J = 2·half; J = 2 is never valid (no degrees of freedom)
    while not detects(2 * high_half):
        low_half, high_half = high_half, high_half * 2
        if 2 * high_half > _MAX_CLUSTERS:
            raise StatsError(f"an MDES of {target!r} needs more than {_MAX_CLUSTERS} clusters")
    while high_half - low_half > 1:
        mid = (low_half + high_half) // 2
        if detects(2 * mid):
            high_half = mid
        else:
            low_half = mid
    return 2 * high_half
