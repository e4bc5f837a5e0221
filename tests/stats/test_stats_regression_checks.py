"""OLS and logistic regression: argument checks word for word, and fits against closed forms.

(evidencekit.stats.regression; golden values from R are in tests/rows/test_rows_reference.py.)
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from scipy import stats as st

from evidencekit.stats import StatsError
from evidencekit.stats.regression import logistic, ols


def msg(text: str) -> str:
    return "^" + re.escape(text) + "$"


def xy() -> tuple[np.ndarray, np.ndarray]:
    x = np.column_stack([np.ones(6), [0, 0, 0, 1, 1, 1], [1.0, 2, 3, 1, 2, 4]])
    return x, np.array([2.0, 3, 5, 4, 5, 8])


def test_ols_matches_the_normal_equations() -> None:
    x, y = xy()
    fit = ols(x.T @ x, x.T @ y, float(y @ y), 6, names=["(Intercept)", "treat", "pre"],
              level=0.9)
    b = np.linalg.solve(x.T @ x, x.T @ y)
    e = y - x @ b
    sigma2 = float(e @ e) / 3
    se = np.sqrt(np.diag(np.linalg.inv(x.T @ x)) * sigma2)
    assert fit.estimates == pytest.approx(tuple(b), rel=1e-12)
    assert fit.se == pytest.approx(tuple(se), rel=1e-10)
    assert fit.rss == pytest.approx(float(e @ e), rel=1e-10)
    assert fit.sigma == pytest.approx(math.sqrt(sigma2), rel=1e-10)
    assert (fit.df, fit.n, fit.level) == (3, 6, 0.9)
    for i in range(3):
        t = b[i] / se[i]
        assert fit.t[i] == pytest.approx(t, rel=1e-10)
        assert fit.p_value[i] == pytest.approx(2 * st.t.sf(abs(t), 3), rel=1e-9)
        half = st.t.ppf(0.95, 3) * se[i]
        assert fit.ci[i] == (pytest.approx(b[i] - half, rel=1e-9),
                             pytest.approx(b[i] + half, rel=1e-9))
    assert fit.index("pre") == 2


def test_ols_argument_checks() -> None:
    x, y = xy()
    a, c, yy = x.T @ x, x.T @ y, float(y @ y)
    with pytest.raises(StatsError, match=msg("X'X must be 3×3 to match X'y, but it has shape "
                                             "(2, 2)")):
        ols(a[:2, :2], c, yy, 6)
    with pytest.raises(StatsError, match=msg("X'X and X'y must contain only finite numbers")):
        ols(a, c * np.nan, yy, 6)
    with pytest.raises(StatsError, match=msg("n must be at least 1, but it is 0")):
        ols(a, c, yy, 0)
    with pytest.raises(StatsError, match=msg(
            "a regression with 3 coefficients needs more than 3 rows, but there are 3")):
        ols(a, c, yy, 3)
    ols(a, c, yy, 4)
    with pytest.raises(StatsError, match=r"^level must lie strictly between 0 and 1"):
        ols(a, c, yy, 6, level=1.0)
    with pytest.raises(StatsError, match=msg("names must name all 3 columns, but 2 names were "
                                             "given")):
        ols(a, c, yy, 6, names=["a", "b"])
    z = a.copy()
    z[2, :] = z[:, 2] = 0.0
    with pytest.raises(StatsError, match=msg(
            "the regressor 'pre' is zero in every row, so it cannot be estimated")):
        ols(z, c, yy, 6, names=["(Intercept)", "treat", "pre"])
    x2 = np.column_stack([x, 2 * x[:, 2]])
    with pytest.raises(StatsError, match=msg(
            "the regressors are collinear ('pre' is a linear combination of the others), so "
            "the regression coefficients are not identified")):
        ols(x2.T @ x2, x2.T @ y, float(y @ y), 6, names=["(Intercept)", "treat", "pre", "dup"])
    with pytest.raises(StatsError, match=msg("yty must be a finite number, but it is nan")):
        ols(a, c, float("nan"), 6)


def test_logistic_2x2_closed_form() -> None:
    # Treatment only: the coefficient is the log odds ratio, its SE Woolf's.
    y = np.array([0, 0, 1, 0, 1, 1, 1, 0] * 3, dtype=float)
    t = np.array([0, 0, 0, 0, 1, 1, 1, 1] * 3, dtype=float)
    fit = logistic(y, [t], names=["t"], level=0.9)
    a, b, c, d = 9, 3, 3, 9  # treated events/non-events, control events/non-events
    lor = math.log(a * d / (b * c))
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    assert fit.estimates[1] == pytest.approx(lor, rel=1e-10)
    assert fit.estimates[0] == pytest.approx(math.log(c / d), rel=1e-10)
    assert fit.se[1] == pytest.approx(se, rel=1e-8)
    assert fit.z[1] == pytest.approx(lor / se, rel=1e-8)
    assert fit.p_value[1] == pytest.approx(2 * st.norm.sf(lor / se), rel=1e-8)
    half = st.norm.ppf(0.95) * se
    assert fit.ci[1] == (pytest.approx(lor - half, rel=1e-8), pytest.approx(lor + half, rel=1e-8))
    mu = np.where(t == 1, 0.75, 0.25)
    dev = -2 * float(np.sum(y * np.log(mu) + (1 - y) * np.log(1 - mu)))
    assert fit.deviance == pytest.approx(dev, rel=1e-10)
    assert (fit.n, fit.level, fit.robust, fit.robust_exact) == (24, 0.9, None, True)
    assert fit.names == ("(Intercept)", "t") and fit.index("t") == 1
    assert 1 <= fit.iterations < 50


def test_logistic_argument_checks() -> None:
    y = np.array([0.0, 1, 0, 1, 1, 0])
    t = np.array([0.0, 0, 0, 1, 1, 1])
    with pytest.raises(StatsError, match=msg("y must be one-dimensional with at least 2 "
                                             "values")):
        logistic([1.0], [[1.0]])
    with pytest.raises(StatsError, match=msg("a logistic regression needs an outcome of 0s "
                                             "and 1s")):
        logistic(y * 2, [t])
    with pytest.raises(StatsError, match=msg("every column must have one finite value per row "
                                             "of y")):
        logistic(y, [t[:5]])
    with pytest.raises(StatsError, match=msg("every column must have one finite value per row "
                                             "of y")):
        logistic(y, [t * np.nan])
    with pytest.raises(StatsError, match=msg(
            "a regression with 3 coefficients needs more than 3 rows, but there are 3")):
        logistic(y[:3], [t[:3], t[:3] + 1])
    with pytest.raises(StatsError, match=msg(
            "the outcome is perfectly predicted by the regressors (separation), so the "
            "logistic regression has no finite estimate")):
        logistic(t, [t])
    with pytest.raises(StatsError, match=msg("clusters must give one cluster per row of y")):
        logistic(y, [t], clusters=[1, 2, 3])
    with pytest.raises(StatsError, match=r"^level must lie strictly between 0 and 1"):
        logistic(y, [t], level=0.0)
