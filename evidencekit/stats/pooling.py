"""Fixed- and random-effects pooling of independent estimates (SPEC 3.13)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import special

from . import _validate as check
from ._errors import StatsError
from ._inference import normal_ci, normal_p

__all__ = ["Pooled", "PoolingMethod", "pool"]

PoolingMethod = Literal["DL", "REML"]

_REML_THRESHOLD = 1e-10
_REML_MAXITER = 100  # metafor's default maxiter


@dataclass(frozen=True, slots=True)
class Pooled:
    """Inverse-variance pooled estimate; ``z`` and ``p_value`` refer to the random effect."""

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


def pool(
    estimates: Sequence[float],
    ses: Sequence[float],
    method: str = "DL",
    *,
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

    Reference: DerSimonian & Laird (1986), Control. Clin. Trials 7:177–188; metafor
    ``rma(yi, sei = se, method = "DL" | "REML")`` (Viechtbauer 2010, J. Stat. Softw. 36(3)),
    including its I² definition; Higgins & Thompson (2002).

    >>> r = pool([0.10, 0.30, 0.35, 0.65], [0.10, 0.12, 0.15, 0.20])
    >>> round(r.random, 4), round(r.tau2, 4), round(r.i2_percent, 2)
    (0.3063, 0.0231, 56.09)
    """
    if method not in ("DL", "REML"):
        raise StatsError(f"method must be 'DL' or 'REML', but it is {method!r}")
    check.open_unit("level", level)
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
    se_random = float(1 / math.sqrt(w_star.sum()))
    z = random / se_random
    return Pooled(
        k=k,
        fixed=fixed,
        se_fixed=se_fixed,
        ci_fixed=normal_ci(fixed, se_fixed, level),
        random=random,
        se_random=se_random,
        ci_random=normal_ci(random, se_random, level),
        z=z,
        p_value=normal_p(z),
        tau2=tau2,
        i2_percent=i2,
        q=q,
        q_df=k - 1,
        q_p_value=q_p,
        method=method,
        level=level,
    )
