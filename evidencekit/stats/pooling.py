"""Fixed- and random-effects pooling of independent estimates (SPEC 3.13)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from . import _validate as check
from ._errors import StatsError
from ._inference import normal_ci, normal_p, student_ci, student_p, t_critical, z_critical
from ._special import special

__all__ = ["POOLING_METHODS", "POOLING_TESTS", "Pooled", "PoolingMethod", "PoolingTest", "pool",
           "q_profile_tau2"]

PoolingMethod = Literal["DL", "REML"]
PoolingTest = Literal["z", "knha", "adhoc"]
POOLING_METHODS: tuple[str, ...] = ("DL", "REML")
#: ``z``: normal (metafor's default); ``knha``: Knapp–Hartung / HKSJ; ``adhoc``: HKSJ with
#: Röver et al.'s (2015) modification, never narrower than ``z`` (metafor ``test = "adhoc"``).
POOLING_TESTS: tuple[str, ...] = ("z", "knha", "adhoc")

_REML_THRESHOLD = 1e-10
_REML_MAXITER = 100  # metafor's default maxiter


@dataclass(frozen=True, slots=True)
class Pooled:
    """Inverse-variance pooled estimate.

    ``se_random``, ``ci_random``, ``statistic``, ``df`` and ``p_value`` follow ``test`` (as
    metafor's ``rma(test=)``); ``z`` is always the unadjusted Wald z of the random effect.
    ``pi`` is the prediction interval for the effect in a new setting (metafor
    ``predict.rma``), ``tau2_ci`` and ``i2_ci`` the Q-profile intervals (``confint.rma``);
    all three are ``None`` for k = 1. ``knha_scale`` is the Knapp–Hartung factor
    q = Σw*(y − μ)²/(k − 1) (its maximum with 1 under ``adhoc``) that multiplies the variance.
    """

    k: int
    fixed: float
    se_fixed: float
    ci_fixed: tuple[float, float]
    random: float
    se_random: float
    ci_random: tuple[float, float]
    z: float
    p_value: float
    tau2: float
    i2_percent: float
    q: float
    q_df: int
    q_p_value: float
    method: str
    level: float
    test: str = "z"
    statistic: float = float("nan")
    df: int | None = None
    knha_scale: float | None = None
    pi: tuple[float, float] | None = None
    tau2_ci: tuple[float, float] | None = None
    i2_ci: tuple[float, float] | None = None


def _tau2_dl(y: NDArray[np.float64], v: NDArray[np.float64], q: float) -> float:
    w = 1 / v
    c = w.sum() - (w**2).sum() / w.sum()
    return max(0.0, float((q - (y.size - 1)) / c))


def _reml_score(tau2: float, y: NDArray[np.float64], v: NDArray[np.float64]) -> tuple[float, float]:
    """Twice the REML score yᵀPPy − tr(P) and the Fisher information term tr(PP) at τ²."""
    w = 1 / (v + tau2)
    sw = w.sum()
    py = w * (y - (w * y).sum() / sw)  # P·y with P = W − w·wᵀ/Σw
    tr_p = sw - (w**2).sum() / sw
    tr_pp = (w**2).sum() - 2 * (w**3).sum() / sw + ((w**2).sum() / sw) ** 2
    return float(py @ py - tr_p), float(tr_pp)


def _tau2_reml(y: NDArray[np.float64], v: NDArray[np.float64]) -> float:
    """REML τ²: metafor's Fisher scoring (Hedges start, step-halving at 0), Brent fallback.

    Fisher scoring can oscillate for a long time (metafor then stops with "Fisher scoring
    algorithm did not converge"); the same stationary point is then found by Brent's
    method on the score, which is positive at 0 and negative for large τ².
    """
    tau2 = max(0.0, float(np.var(y, ddof=1) - v.mean()))
    for _ in range(_REML_MAXITER):
        score, info = _reml_score(tau2, y, v)
        step = score / info
        if tau2 == 0 and step < 0:
            return 0.0
        while tau2 + step < 0:
            step /= 2
        tau2 += step
        if abs(step) < _REML_THRESHOLD:
            return tau2
    if _reml_score(0.0, y, v)[0] <= 0:
        return 0.0
    upper = 1.0
    while _reml_score(upper, y, v)[0] > 0:
        upper *= 2
    from scipy.optimize import brentq  # scipy.optimize is slow to import; only REML needs it

    root = brentq(lambda t: _reml_score(t, y, v)[0], 0.0, upper, xtol=1e-14)
    return float(root)


def _q_gen(tau2: float, y: NDArray[np.float64], v: NDArray[np.float64]) -> float:
    w = 1 / (v + tau2)
    mu = (w * y).sum() / w.sum()
    return float((w * (y - mu) ** 2).sum())


def _decreasing_root(f: Any, target: float, hi: float) -> float:
    """τ² in [0, hi] with f(τ²) = target for f decreasing (bisection to 1e-12 relative)."""
    lo = 0.0
    while f(hi) > target:
        hi *= 2
    for _ in range(400):
        mid = (lo + hi) / 2
        if f(mid) > target:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-13 * max(1e-8, hi):
            break
    return (lo + hi) / 2


def q_profile_tau2(estimates: Sequence[float], ses: Sequence[float],
                   level: float = 0.95) -> tuple[float, float]:
    """Q-profile confidence interval for τ² (Viechtbauer 2007).

    The generalised Q statistic Q(τ²) = Σ w_i(τ²)(y_i − μ̂(τ²))², w_i(τ²) = 1/(v_i + τ²),
    μ̂(τ²) = Σw_i y_i/Σw_i, is χ² on k − 1 df at the true τ² and decreases in τ². The bounds
    solve Q(τ²_lo) = χ²_{k−1, (1+level)/2} and Q(τ²_hi) = χ²_{k−1, (1−level)/2}; a bound
    whose equation has no solution above 0 is 0.

    Reference: Viechtbauer (2007), Stat. Med. 26:37–52; metafor ``confint(rma(...))``.

    >>> lo, hi = q_profile_tau2([0.10, 0.30, 0.35, 0.65], [0.10, 0.12, 0.15, 0.20])
    >>> round(lo, 4), round(hi, 4)
    (0.0, 0.6909)
    """
    check.open_unit("level", level)
    y = check.finite_array("estimates", list(estimates), 2)
    se = check.finite_array("ses", list(ses), 2)
    if y.size != se.size or np.any(se <= 0):
        raise StatsError("each estimate needs one standard error greater than zero")
    v = se**2
    k = int(y.size)
    upper_q = float(special.chdtri(k - 1, (1 - level) / 2))  # χ² quantile at (1+level)/2
    lower_q = float(special.chdtri(k - 1, (1 + level) / 2))  # χ² quantile at (1−level)/2
    q0 = _q_gen(0.0, y, v)
    start = max(float(np.var(y, ddof=1)), float(v.mean()), 1e-8)

    def f(t: float) -> float:
        return _q_gen(t, y, v)

    lo = 0.0 if q0 <= upper_q else _decreasing_root(f, upper_q, start)
    hi = 0.0 if q0 <= lower_q else _decreasing_root(f, lower_q, start)
    return (lo, hi)


def pool(
    estimates: Sequence[float],
    ses: Sequence[float],
    method: str = "DL",
    *,
    test: str = "z",
    level: float = 0.95,
) -> Pooled:
    """Fixed-effect and random-effects (DerSimonian–Laird or REML) inverse-variance pooling.

    Formulas with v_i = SE_i², w_i = 1/v_i: fixed = Σw_i·y_i/Σw_i, SE = 1/√Σw_i;
    Q = Σw_i(y_i − fixed)² on k − 1 df (χ² p-value); DL τ² = max(0, (Q − (k−1))/(Σw − Σw²/Σw));
    REML τ² by Fisher scoring (converged to |Δτ²| < 1e-10; Brent's method on the REML
    score when scoring oscillates); random = Σw*_i·y_i/Σw*_i with
    w*_i = 1/(v_i + τ²), SE = 1/√Σw*_i; z and p (normal) for the random effect;
    I² = 100·τ²/(τ² + s²), s² = (k−1)Σw/((Σw)² − Σw²). k = 1 returns the estimate itself
    with τ² = 0, I² = 0, Q = 0 on 0 df, Q's p = 1.

    ``test = "knha"`` (Knapp & Hartung 2003; Hartung & Knapp 2001; Sidik & Jonkman 2002):
    SE_KH = √(q)·SE with q = Σw*_i(y_i − random)²/(k − 1); t = random/SE_KH on k − 1 df
    and CI random ± t_{k−1}·SE_KH. ``test = "adhoc"`` uses max(1, q) instead (Röver,
    Knapp & Friede 2015; metafor ``test = "adhoc"``), so the interval is never narrower
    than the normal one. For k = 1 the test falls back to ``z`` (no degrees of freedom).
    Prediction interval (Higgins, Thompson & Spiegelhalter 2009, as metafor
    ``predict.rma``): random ± c·√(τ² + SE²), c = t_{k−1} under knha/adhoc, z otherwise,
    SE the test's SE. τ² and I² intervals: Q-profile (``q_profile_tau2``), I² bounds
    100·τ²_bound/(τ²_bound + s²).

    Reference: DerSimonian & Laird (1986), Control. Clin. Trials 7:177–188; metafor
    ``rma(yi, sei = se, method = "DL" | "REML")`` (Viechtbauer 2010, J. Stat. Softw. 36(3)),
    including its I² definition; Higgins & Thompson (2002).

    >>> r = pool([0.10, 0.30, 0.35, 0.65], [0.10, 0.12, 0.15, 0.20])
    >>> round(r.random, 4), round(r.tau2, 4), round(r.i2_percent, 2)
    (0.3063, 0.0231, 56.09)
    >>> h = pool([0.10, 0.30, 0.35, 0.65], [0.10, 0.12, 0.15, 0.20], test="knha")
    >>> [round(x, 4) for x in h.ci_random], h.df, [round(x, 4) for x in h.pi]
    ([-0.0315, 0.6442], 3, [-0.2836, 0.8963])
    """
    if method not in POOLING_METHODS:
        raise StatsError(f"method must be 'DL' or 'REML', but it is {method!r}")
    if test not in POOLING_TESTS:
        raise StatsError(f"test must be 'z', 'knha' or 'adhoc', but it is {test!r}")
    check.open_unit("level", level)
    if (isinstance(estimates, list | tuple) and isinstance(ses, list | tuple)
            and len(estimates) == 1 and len(ses) == 1):
        one = _pool_one(estimates[0], ses[0], method, level)
        if one is not None:
            return one
    return _pool_arrays(estimates, ses, method, test, level)


def _pool_one(estimate: Any, se: Any, method: str, level: float) -> Pooled | None:
    """:func:`pool` of one estimate (most programmes have one comparison evaluation) in
    Python floats: the same operations as :func:`_pool_arrays` on one-element arrays, so the
    same floats (the estimate itself, τ² = 0, Q's p = 1, the z test). None (the array path)
    for anything but a finite float with a finite positive variance.

    >>> r = _pool_one(0.3, 0.1, "DL", 0.95)
    >>> r == _pool_arrays([0.3], [0.1], "DL", "adhoc", 0.95), r.test, r.tau2
    (True, 'z', 0.0)
    """
    if type(estimate) is not float or type(se) is not float:
        return None
    if not (math.isfinite(estimate) and math.isfinite(se) and se > 0):
        return None
    v = se * se
    if not (v > 0 and math.isfinite(1 / v)):
        return None  # a variance that underflows or whose weight overflows: the array path
    w = 1 / v
    # A numpy sum starts from +0.0 (so the sum of [-0.0] is 0.0): "0.0 +" does the same.
    fixed = (0.0 + w * estimate) / (0.0 + w)
    se_fixed = 1 / math.sqrt(0.0 + w)
    d = estimate - fixed
    q = 0.0 + w * (d * d)
    w_star = 1 / (v + 0.0)
    random = (0.0 + w_star * estimate) / (0.0 + w_star)
    se_z = 1 / math.sqrt(0.0 + w_star)
    if not all(math.isfinite(x) for x in (fixed, se_fixed, q, random, se_z)):
        return None
    z = random / se_z
    return Pooled(k=1, fixed=fixed, se_fixed=se_fixed,
                  ci_fixed=normal_ci(fixed, se_fixed, level), random=random, se_random=se_z,
                  ci_random=normal_ci(random, se_z, level), z=z,
                  p_value=normal_p(z), tau2=0.0, i2_percent=0.0, q=q, q_df=0, q_p_value=1.0,
                  method=method, level=level, test="z", statistic=z, df=None, knha_scale=None,
                  pi=None, tau2_ci=None, i2_ci=None)


def _pool_arrays(estimates: Sequence[float], ses: Sequence[float], method: str, test: str,
                 level: float) -> Pooled:
    """:func:`pool` on numpy arrays (any k; arguments already checked but the numbers)."""
    y = check.finite_array("estimates", list(estimates), 1)
    se = check.finite_array("ses", list(ses), 1)
    if y.size != se.size:
        raise StatsError(
            f"each estimate needs one standard error, but there are {y.size} estimates and "
            f"{se.size} standard errors"
        )
    if np.any(se <= 0):
        i = int(np.argmax(se <= 0))
        bad = float(se[i])
        raise StatsError(
            f"every standard error must be greater than zero, but number {i + 1} is {bad!r}"
        )
    k = int(y.size)
    v = se**2
    w = 1 / v
    fixed = float((w * y).sum() / w.sum())
    se_fixed = float(1 / math.sqrt(w.sum()))
    q = float((w * (y - fixed) ** 2).sum())
    if k == 1:
        tau2, i2, q_p = 0.0, 0.0, 1.0
    else:
        tau2 = _tau2_dl(y, v, q) if method == "DL" else _tau2_reml(y, v)
        spread = w.sum() ** 2 - (w**2).sum()
        if not (spread > 0 and math.isfinite(spread)):
            raise StatsError("the standard errors are too unequal or too small to pool")
        s2 = (k - 1) * w.sum() / spread
        i2 = float(100 * tau2 / (tau2 + s2))
        q_p = float(special.chdtrc(k - 1, q))
    w_star = 1 / (v + tau2)
    random = float((w_star * y).sum() / w_star.sum())
    se_z = float(1 / math.sqrt(w_star.sum()))
    z = random / se_z
    used = test if k > 1 else "z"
    scale: float | None = None
    df: int | None = None
    if used == "z":
        se_random, statistic, p_value = se_z, z, normal_p(z)
        ci_random = normal_ci(random, se_z, level)
        crit = z_critical(level)
    else:
        df = k - 1
        scale = float((w_star * (y - random) ** 2).sum() / df)
        if used == "adhoc":
            scale = max(1.0, scale)
        se_random = se_z * math.sqrt(scale)
        if not se_random > 0:
            raise StatsError("the estimates are identical, so the Knapp–Hartung standard "
                             "error is zero; use test 'z' or 'adhoc'")
        statistic = random / se_random
        p_value = student_p(statistic, df)
        ci_random = student_ci(random, se_random, df, level)
        crit = t_critical(level, df)
    pi = tau2_ci = i2_ci = None
    if k > 1:
        half = crit * math.sqrt(tau2 + se_random**2)
        pi = (random - half, random + half)
        tau2_ci = q_profile_tau2(y.tolist(), se.tolist(), level)
        i2_ci = (float(100 * tau2_ci[0] / (tau2_ci[0] + s2)),
                 float(100 * tau2_ci[1] / (tau2_ci[1] + s2)))
    return Pooled(
        k=k,
        fixed=fixed,
        se_fixed=se_fixed,
        ci_fixed=normal_ci(fixed, se_fixed, level),
        random=random,
        se_random=se_random,
        ci_random=ci_random,
        z=z,
        p_value=p_value,
        tau2=tau2,
        i2_percent=i2,
        q=q,
        q_df=k - 1,
        q_p_value=q_p,
        method=method,
        level=level,
        test=used,
        statistic=statistic,
        df=df,
        knha_scale=scale,
        pi=pi,
        tau2_ci=tau2_ci,
        i2_ci=i2_ci,
    )
