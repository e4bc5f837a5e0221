"""Regression for adjusted effects: OLS from cross-products (ANCOVA) and logistic regression.

``ols`` takes the k×k cross-product matrix X'X, X'y and y'y — sums a caller can accumulate
in one vectorised pass over millions of rows — and never sees the rows. Shifting a
regressor by a constant (for numerical accuracy) changes only the intercept.
``logistic`` fits by iteratively reweighted least squares on in-memory columns and can add
CR2 cluster-robust inference (:func:`evidencekit.stats.clustered.cr2`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _validate as check
from ._errors import StatsError
from ._inference import normal_ci, normal_p, student_ci, student_p
from .clustered import ClusterRobust, cr2_glm_exact

__all__ = ["LinearFit", "LogisticFit", "logistic", "ols"]

_COLLINEAR = 1e-10  # smallest eigenvalue of the scaled X'X, relative to the largest
_IRLS_TOL = 1e-12
_IRLS_MAXITER = 50
_SEPARATION_ETA = 30.0


@dataclass(frozen=True, slots=True)
class LinearFit:
    """An ordinary least-squares fit: one entry per column of X (intercept first if given)."""

    names: tuple[str, ...]
    estimates: tuple[float, ...]
    se: tuple[float, ...]
    t: tuple[float, ...]
    p_value: tuple[float, ...]
    ci: tuple[tuple[float, float], ...]
    df: int
    rss: float
    sigma: float
    n: int
    level: float

    def index(self, name: str) -> int:
        return self.names.index(name)


@dataclass(frozen=True, slots=True)
class LogisticFit:
    """A logistic regression fit (log-odds coefficients) with model-based Wald inference."""

    names: tuple[str, ...]
    estimates: tuple[float, ...]
    se: tuple[float, ...]
    z: tuple[float, ...]
    p_value: tuple[float, ...]
    ci: tuple[tuple[float, float], ...]
    iterations: int
    deviance: float
    n: int
    robust: ClusterRobust | None
    level: float
    robust_exact: bool = True

    def index(self, name: str) -> int:
        return self.names.index(name)


def _names(names: Sequence[str] | None, k: int) -> tuple[str, ...]:
    out = tuple(names) if names is not None else tuple(f"x{i}" for i in range(k))
    if len(out) != k:
        raise StatsError(f"names must name all {k} columns, but {len(out)} names were given")
    return out


def _check_rank(xtx: NDArray[np.float64], names: tuple[str, ...]) -> None:
    diag = np.diag(xtx)
    if np.any(diag <= 0):
        bad = names[int(np.argmin(diag))]
        raise StatsError(f"the regressor {bad!r} is zero in every row, so it cannot be estimated")
    scale = 1 / np.sqrt(diag)
    w, v = np.linalg.eigh(xtx * scale[:, None] * scale[None, :])
    if w[0] <= _COLLINEAR * w[-1]:
        bad = names[int(np.argmax(np.abs(v[:, 0])))]
        raise StatsError(
            f"the regressors are collinear ({bad!r} is a linear combination of the others), "
            "so the regression coefficients are not identified"
        )


def ols(
    xtx: ArrayLike,
    xty: ArrayLike,
    yty: float,
    n: int,
    *,
    names: Sequence[str] | None = None,
    level: float = 0.95,
) -> LinearFit:
    """Ordinary least squares from the cross-products X'X, X'y and y'y of n rows.

    Formulas: b = (X'X)⁻¹X'y; RSS = y'y − b'X'y; df = n − k; σ² = RSS/df;
    SE(b_l) = √(σ²·[(X'X)⁻¹]_ll); t = b_l/SE on df, two-sided p, CI = b_l ± t_crit·SE.
    Collinear columns (smallest eigenvalue of the unit-diagonal-scaled X'X below 1e-10 of the
    largest) raise StatsError naming one of them.

    Reference: R ``summary(lm(y ~ treat + pre))`` coefficients (tests/reference/rows.R);
    the ANCOVA of SPEC 3.4 and the WWC Procedures Handbook 4.1.

    >>> import numpy as np
    >>> X = np.column_stack([np.ones(6), [0, 0, 0, 1, 1, 1], [1.0, 2, 3, 1, 2, 4]])
    >>> y = np.array([2.0, 3, 5, 4, 5, 8])
    >>> fit = ols(X.T @ X, X.T @ y, float(y @ y), 6, names=["(Intercept)", "treat", "pre"])
    >>> i = fit.index("treat")
    >>> round(fit.estimates[i], 6), round(fit.se[i], 6), round(fit.p_value[i], 6), fit.df
    (1.866667, 0.246456, 0.004774, 3)
    """
    a = np.asarray(xtx, dtype=np.float64)
    c = np.asarray(xty, dtype=np.float64)
    k = c.size
    if a.shape != (k, k):
        raise StatsError(f"X'X must be {k}×{k} to match X'y, but it has shape {a.shape}")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(c))):
        raise StatsError("X'X and X'y must contain only finite numbers")
    nn = check.count("n", n, 1)
    if nn <= k:
        raise StatsError(f"a regression with {k} coefficients needs more than {k} rows, but "
                         f"there are {nn}")
    check.open_unit("level", level)
    labels = _names(names, k)
    _check_rank(a, labels)
    m = np.linalg.inv(a)
    m = (m + m.T) / 2
    b = m @ c
    rss = max(float(check.finite("yty", yty) - b @ c), 0.0)
    df = nn - k
    sigma2 = rss / df
    se = np.sqrt(np.maximum(np.diag(m), 0.0) * sigma2)
    ts = [float(bi / si) if si > 0 else math.nan for bi, si in zip(b, se, strict=True)]
    return LinearFit(
        names=labels,
        estimates=tuple(float(x) for x in b),
        se=tuple(float(x) for x in se),
        t=tuple(ts),
        p_value=tuple(student_p(t, df) if math.isfinite(t) else math.nan for t in ts),
        ci=tuple(student_ci(float(bi), float(si), df, level) for bi, si in zip(b, se, strict=True)),
        df=df,
        rss=rss,
        sigma=math.sqrt(sigma2),
        n=nn,
        level=level,
    )


def logistic(
    y: ArrayLike,
    columns: Sequence[ArrayLike],
    *,
    names: Sequence[str] | None = None,
    clusters: ArrayLike | None = None,
    level: float = 0.95,
) -> LogisticFit:
    """Logistic regression of a 0/1 outcome on an intercept and ``columns``, by IRLS.

    Formulas: logit P(y = 1) = Xb with X = [1, columns]; Newton–Raphson (= Fisher scoring
    for the canonical link) from b = 0 until max|Δb| < 1e-12·(1 + max|b|); model-based
    SE = √diag((X'WX)⁻¹) with W = diag(μ(1 − μ)); z = b/SE, p = 2·Φ(−|z|), Wald CI.
    With ``clusters`` (one code per row), ``robust`` holds CR2 inference as clubSandwich
    computes it for ``glm`` fits (working-model weights inside the adjustment matrices,
    :func:`evidencekit.stats.clustered.cr2_glm`); ``robust_exact`` is False only when a
    cluster of more than ``GLM_DENSE_LIMIT`` rows with varying weights had to use the
    whitened working model. Perfect prediction (separation) raises StatsError.

    Reference: R ``glm(y ~ treat + pre, family = binomial)`` and clubSandwich
    ``coef_test(fit, vcov = "CR2", cluster = ., test = "Satterthwaite")``
    (tests/reference/rows.R); McCullagh & Nelder (1989), Generalized Linear Models, §4.4.

    >>> fit = logistic([0, 0, 1, 0, 1, 1, 1, 0], [[0, 0, 0, 0, 1, 1, 1, 1]], names=["t"])
    >>> round(fit.estimates[1], 6), round(fit.se[1], 6), round(fit.p_value[1], 6)  # ln(9), √(8/3)
    (2.197225, 1.632993, 0.178457)
    """
    yy = np.asarray(y, dtype=np.float64)
    if yy.ndim != 1 or yy.size < 2:
        raise StatsError("y must be one-dimensional with at least 2 values")
    if not np.all((yy == 0) | (yy == 1)):
        raise StatsError("a logistic regression needs an outcome of 0s and 1s")
    check.open_unit("level", level)
    cols = [np.asarray(col, dtype=np.float64) for col in columns]
    for col in cols:
        if col.shape != yy.shape or not np.all(np.isfinite(col)):
            raise StatsError("every column must have one finite value per row of y")
    x = np.column_stack([np.ones(yy.size), *cols])
    k = x.shape[1]
    labels = ("(Intercept)", *_names(names, k - 1))
    if yy.size <= k:
        raise StatsError(f"a regression with {k} coefficients needs more than {k} rows, but "
                         f"there are {yy.size}")
    _check_rank(x.T @ x, labels)
    b = np.zeros(k)
    converged = False
    iterations = 0
    mu = np.full(yy.size, 0.5)
    w = mu * (1 - mu)
    for iterations in range(1, _IRLS_MAXITER + 1):  # noqa: B007 - reported after the loop
        eta = x @ b
        mu = 1 / (1 + np.exp(-eta))
        w = mu * (1 - mu)
        info = x.T @ (x * w[:, None])
        try:
            step = np.linalg.solve(info, x.T @ (yy - mu))
        except np.linalg.LinAlgError:
            break  # the weights vanished (fitted probabilities of 0 or 1): separation
        if not np.all(np.isfinite(step)):
            break
        b = b + step
        if float(np.max(np.abs(step))) < _IRLS_TOL * (1 + float(np.max(np.abs(b)))):
            converged = True
            break
    eta = x @ b
    mu = 1 / (1 + np.exp(-eta))
    w = mu * (1 - mu)
    if not converged or float(np.max(np.abs(eta))) > _SEPARATION_ETA:
        raise StatsError(
            "the outcome is perfectly predicted by the regressors (separation), so the "
            "logistic regression has no finite estimate"
        )
    info = x.T @ (x * w[:, None])
    m = np.linalg.inv(info)
    se = np.sqrt(np.maximum(np.diag(m), 0.0))
    z = b / se
    with np.errstate(divide="ignore"):
        dev = -2 * float(np.sum(yy * np.log(mu) + (1 - yy) * np.log1p(-mu)))
    robust = None
    exact = True
    if clusters is not None:
        codes = np.unique(np.asarray(clusters), return_inverse=True)[1].reshape(-1)
        if codes.shape != yy.shape:
            raise StatsError("clusters must give one cluster per row of y")
        robust, exact = cr2_glm_exact(b, x, w, yy - mu, codes, level=level)
    return LogisticFit(
        names=labels,
        estimates=tuple(float(v) for v in b),
        se=tuple(float(v) for v in se),
        z=tuple(float(v) for v in z),
        p_value=tuple(normal_p(float(v)) for v in z),
        ci=tuple(normal_ci(float(bi), float(si), level) for bi, si in zip(b, se, strict=True)),
        iterations=iterations,
        deviance=dev,
        n=int(yy.size),
        robust=robust,
        level=level,
        robust_exact=exact,
    )
