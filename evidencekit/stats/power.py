"""Power and minimum detectable effect sizes (SPEC 3.11)."""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from . import _validate as check
from ._errors import StatsError
from ._special import special

__all__ = [
    "cluster_mdes",
    "clusters_for_mdes",
    "cohens_h",
    "mdes",
    "n_per_group_for",
    "paired_mdes",
    "paired_n_for",
    "paired_power",
    "proportions_mdes_h",
    "proportions_n_for",
    "proportions_power",
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
    *,
    r2_level1: float = 0.0,
    r2_level2: float = 0.0,
    covariates: int = 0,
) -> float:
    """MDES of a two-arm cluster-randomised trial (Bloom's formula with covariates).

    Formula: MDES = M·√(ρ(1−R²₂)/(P(1−P)J) + (1−ρ)(1−R²₁)/(P(1−P)J·n)),
    M = t_{1−α/2, J−g−2} + t_{power, J−g−2}, J clusters in total, n per cluster, ρ = icc,
    P = proportion of clusters treated, R²₁ and R²₂ the proportions of the individual- and
    cluster-level variance explained by covariates, g the number of cluster-level covariates.

    Reference: Bloom (2006), "The core analytics of randomized experiments for social
    research", MDRC; Bloom, Richburg-Hayes & Black (2007), Educ. Eval. Policy Anal.
    29(1):30–59, eq. 5; PowerUp! (Dong & Maynard 2013, J. Res. Educ. Eff. 6(1):24–67),
    model CRA2_2 (two-level cluster random assignment, treatment at level 2).

    >>> round(cluster_mdes(40, 25, 0.20), 4)
    0.438
    >>> round(cluster_mdes(40, 25, 0.20, r2_level1=0.5, r2_level2=0.5, covariates=1), 4)
    0.3099
    """
    j = check.count("clusters", clusters, 3)
    n = check.finite("cluster_size", cluster_size)
    if n < 1:
        raise StatsError(f"cluster_size must be at least 1, but it is {n!r}")
    rho = check.unit("icc", icc)
    p = check.open_unit("p_treated", p_treated)
    a, pw = _alpha_power(alpha, power)
    r1 = _r2("r2_level1", r2_level1)
    r2 = _r2("r2_level2", r2_level2)
    g = check.count("covariates", covariates, 0)
    df = j - g - 2
    if df < 1:
        raise StatsError(f"{j} clusters leave no degrees of freedom with {g} cluster-level "
                         f"covariates (J − g − 2 = {df}); use at least {g + 3} clusters")
    multiplier = special.stdtrit(df, 1 - a / 2) + special.stdtrit(df, pw)
    pq = p * (1 - p)
    return float(multiplier * math.sqrt(rho * (1 - r2) / (pq * j)
                                        + (1 - rho) * (1 - r1) / (pq * j * n)))


def _r2(name: str, value: float) -> float:
    x = check.finite(name, value)
    if not 0 <= x < 1:
        raise StatsError(f"{name} is a proportion of variance explained and must lie in "
                         f"[0, 1), but it is {x!r}")
    return x


def clusters_for_mdes(
    mdes: float,
    cluster_size: float,
    icc: float,
    alpha: float = 0.05,
    power: float = 0.8,
    p_treated: float = 0.5,
    *,
    r2_level1: float = 0.0,
    r2_level2: float = 0.0,
    covariates: int = 0,
) -> int:
    """Smallest even total number of clusters J (≥ 4) with cluster_mdes(J, …) ≤ ``mdes``.

    Search: doubling then bisection over even J (J − g − 2 ≥ 1); cluster_mdes decreases in J.

    Reference: as ``cluster_mdes`` (Bloom 2006).

    >>> clusters_for_mdes(0.44, 25, 0.20)
    40
    """
    target = check.positive("mdes", mdes)
    g = check.count("covariates", covariates, 0)

    def detects(j: int) -> bool:
        return cluster_mdes(j, cluster_size, icc, alpha, power, p_treated, r2_level1=r2_level1,
                            r2_level2=r2_level2, covariates=g) <= target

    low_half = (g + 4) // 2 - 1  # 2·low_half < g + 3 (no df); 2·high_half ≥ g + 3
    high_half = low_half + 1  # J = 2·half; J = 2 is never valid (no degrees of freedom)
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


def _norm_power(effect: float, scale: float, alpha: float) -> float:
    """Two-sided power of a z-test whose statistic has mean effect·scale (both tails)."""
    q = float(special.ndtri(1 - alpha / 2))
    shift = effect * scale
    return float(special.ndtr(shift - q) + special.ndtr(-shift - q))


def cohens_h(p_treatment: float, p_control: float) -> float:
    """Cohen's h = 2·asin(√p_t) − 2·asin(√p_c), the arcsine difference of two proportions.

    Reference: Cohen (1988), Statistical Power Analysis, ch. 6; R ``pwr::ES.h``.

    >>> round(cohens_h(0.40, 0.30), 7)
    0.2101589
    """
    pt = check.unit("p_treatment", p_treatment)
    pc = check.unit("p_control", p_control)
    return 2 * math.asin(math.sqrt(pt)) - 2 * math.asin(math.sqrt(pc))


def proportions_power(h: float, n_treatment: float, n_control: float,
                      alpha: float = 0.05) -> float:
    """Power of the two-sided test of two proportions with Cohen's h (normal approximation).

    Formula: with k = √(n_t·n_c/(n_t + n_c)) and q = z_{1−α/2},
    power = Φ(|h|·k − q) + Φ(−|h|·k − q).

    Reference: R ``pwr::pwr.2p2n.test(h, n1, n2, sig.level)`` (pwr 1.3-0); with n_t = n_c = n
    it is ``pwr.2p.test`` (k = √(n/2)).

    >>> round(proportions_power(cohens_h(0.40, 0.30), 200, 150), 7)
    0.4943541
    """
    n1 = check.positive("n_treatment", n_treatment)
    n2 = check.positive("n_control", n_control)
    return _norm_power(abs(check.finite("h", h)), math.sqrt(n1 * n2 / (n1 + n2)),
                       check.open_unit("alpha", alpha))


def proportions_mdes_h(n_treatment: float, n_control: float, alpha: float = 0.05,
                       power: float = 0.8) -> float:
    """Smallest |h| that ``proportions_power`` detects with the given power (bisection).

    Reference: R ``pwr::pwr.2p2n.test(n1, n2, sig.level, power)$h``.

    >>> round(proportions_mdes_h(200, 150), 4)
    0.3026
    """
    n1 = check.positive("n_treatment", n_treatment)
    n2 = check.positive("n_control", n_control)
    a, pw = _alpha_power(alpha, power)
    scale = math.sqrt(n1 * n2 / (n1 + n2))
    return _root(lambda h: _norm_power(h, scale, a) - pw, 0.0, 40.0 / scale + 10, _TOL)


def proportions_n_for(h: float, alpha: float = 0.05, power: float = 0.8,
                      n_control: float | None = None) -> float:
    """Continuous sample size to detect Cohen's ``h`` with two proportions (callers round up).

    Without ``n_control``: n per group of two equal groups (R ``pwr.2p.test(h, power)$n``);
    with ``n_control`` fixed: the treatment group's n (R ``pwr.2p2n.test(h, n1 = NULL,
    n2 = n_control, power)``), which fails when even an infinite treatment group is too few.

    >>> round(proportions_n_for(cohens_h(0.40, 0.30)), 3)
    355.419
    """
    delta = abs(check.finite("h", h))
    if delta == 0:
        raise StatsError("no sample size can detect two equal proportions (h = 0)")
    a, pw = _alpha_power(alpha, power)
    if n_control is None:
        return _root(lambda n: _norm_power(delta, math.sqrt(n / 2), a) - pw, 1e-9, 1e12, _TOL)
    n2 = check.positive("n_control", n_control)
    if _norm_power(delta, math.sqrt(n2), a) <= pw:
        raise StatsError(f"with {n2:g} in the control group no treatment group is large enough "
                         f"to reach power {pw:g} for h = {delta:g}")
    return _root(lambda n: _norm_power(delta, math.sqrt(n * n2 / (n + n2)), a) - pw,
                 1e-9, 1e15, _TOL)


def _paired_power(d: float, n: float, alpha: float) -> float:
    nu = n - 1
    q = special.stdtrit(nu, 1 - alpha / 2)
    ncp = math.sqrt(n) * d
    return float((1.0 - special.nctdtr(nu, ncp, q)) + (1.0 - special.nctdtr(nu, -ncp, q)))


def paired_power(d_z: float, n_pairs: float, alpha: float = 0.05) -> float:
    """Power of the two-sided paired t-test for a standardised mean change d_z.

    Formula: ν = n − 1, q = t_{1−α/2, ν}, λ = √n·|d_z|;
    power = P(T'_{ν,λ} > q) + P(T'_{ν,λ} < −q).

    Reference: R ``pwr::pwr.t.test(n, d, sig.level, type = "paired")``.

    >>> round(paired_power(0.5, 30), 7)
    0.7539647
    """
    n = check.finite("n_pairs", n_pairs)
    if n <= 1:
        raise StatsError(f"n_pairs must exceed 1, but it is {n!r}")
    return _paired_power(abs(check.finite("d_z", d_z)), n, check.open_unit("alpha", alpha))


def paired_mdes(n_pairs: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """Minimum detectable d_z for ``n_pairs`` in a paired (pre-post) design.

    Reference: R ``pwr::pwr.t.test(n, sig.level, power, type = "paired")$d``.

    >>> round(paired_mdes(30), 4)
    0.5292
    """
    n = check.finite("n_pairs", n_pairs)
    if n <= 2:
        raise StatsError(f"n_pairs must exceed 2, but it is {n!r}")
    a, pw = _alpha_power(alpha, power)
    upper = 4.0 * math.sqrt(1.0 / n) + 1
    while _paired_power(upper, n, a) < pw:
        upper *= 2
    return _root(lambda d: _paired_power(d, n, a) - pw, 1e-10, upper, _TOL)


def paired_n_for(d_z: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """Continuous number of pairs to detect ``d_z`` with the paired t-test (callers round up).

    Reference: R ``pwr::pwr.t.test(d, sig.level, power, type = "paired")$n``.

    >>> round(paired_n_for(0.3), 3)
    89.149
    """
    delta = abs(check.finite("d_z", d_z))
    if delta == 0:
        raise StatsError("no sample size can detect a change of zero")
    a, pw = _alpha_power(alpha, power)
    low = 2.0
    if _paired_power(delta, low, a) >= pw:
        return low
    high = max(4.0, 16.0 / delta**2)
    while _paired_power(delta, high, a) < pw:
        if high > 1e9:
            raise StatsError(f"a change of {delta!r} needs more than 1e9 pairs")
        high *= 2
    return _root(lambda n: _paired_power(delta, n, a) - pw, low, high, _TOL)
