"""The pieces of the pooling code that the metafor goldens reach only through their result:
REML's score and information, the fallback to Brent's method, the Q-profile root finder and
every refusal (mutation testing, issue #11 item 7)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from evidencekit.stats import StatsError, pool, q_profile_tau2
from evidencekit.stats import pooling as pl

Y = [0.10, 0.30, 0.35, 0.65, -0.05]
SE = [0.10, 0.12, 0.15, 0.20, 0.11]


@pytest.mark.parametrize("seed", range(6))
def test_reml_score_and_information_are_the_matrix_formulas(seed: int) -> None:
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 9))
    y = rng.normal(0.3, 0.3, k)
    v = rng.uniform(0.005, 0.2, k)
    tau2 = float(rng.uniform(0, 0.3))
    w = 1 / (v + tau2)
    p_mat = np.diag(w) - np.outer(w, w) / w.sum()   # P = W − w·wᵀ/Σw
    score, info = pl._reml_score(tau2, y, v)
    assert score == pytest.approx(float(y @ p_mat @ p_mat @ y - np.trace(p_mat)), rel=1e-12)
    assert info == pytest.approx(float(np.trace(p_mat @ p_mat)), rel=1e-12)


def test_reml_brent_fallback_finds_the_fisher_scoring_root(monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    y, v = np.array(Y), np.array(SE) ** 2
    scoring = pl._tau2_reml(y, v)
    assert scoring > 0 and abs(pl._reml_score(scoring, y, v)[0]) < 1e-7
    for maxiter in (0, 1):
        monkeypatch.setattr(pl, "_REML_MAXITER", maxiter)
        assert pl._tau2_reml(y, v) == pytest.approx(scoring, rel=1e-9)
    # homogeneous estimates: the score is negative at 0, so τ² is exactly 0 either way
    flat = np.array([0.30, 0.31, 0.29, 0.30])
    vv = np.full(4, 0.01)
    assert pl._tau2_reml(flat, vv) == 0.0
    monkeypatch.setattr(pl, "_REML_MAXITER", 100)
    assert pl._tau2_reml(flat, vv) == 0.0


def test_reml_converges_from_the_hedges_start() -> None:
    # Fisher scoring from τ²₀ = max(0, var(y) − mean(v)) reaches the root to 1e-10.
    y, v = np.array(Y), np.array(SE) ** 2
    tau2 = pl._tau2_reml(y, v)
    score, info = pl._reml_score(tau2, y, v)
    assert abs(score / info) < 1e-9


def test_decreasing_root() -> None:
    def f(t: float) -> float:
        return 1 / (1 + t)

    assert pl._decreasing_root(f, 0.25, 0.1) == pytest.approx(3.0, rel=1e-11)  # hi doubled
    assert pl._decreasing_root(f, 0.25, 100.0) == pytest.approx(3.0, rel=1e-11)
    assert pl._decreasing_root(f, 0.5, 1.0) == pytest.approx(1.0, rel=1e-11)


def test_q_gen_at_zero_is_cochrans_q() -> None:
    r = pool(Y, SE)
    assert pl._q_gen(0.0, np.array(Y), np.array(SE) ** 2) == pytest.approx(r.q, rel=1e-12)
    assert pl._q_gen(1e6, np.array(Y), np.array(SE) ** 2) < 1e-5


def test_dl_tau2_formula() -> None:
    y, v = np.array(Y), np.array(SE) ** 2
    w = 1 / v
    q = pool(Y, SE).q
    c = w.sum() - (w**2).sum() / w.sum()
    assert pl._tau2_dl(y, v, q) == pytest.approx((q - 4) / c, rel=1e-12)
    assert pl._tau2_dl(y, v, 3.0) == 0.0


def test_i2_and_its_interval_use_the_typical_within_variance() -> None:
    r = pool(Y, SE)
    w = 1 / np.array(SE) ** 2
    s2 = 4 * w.sum() / (w.sum() ** 2 - (w**2).sum())
    assert r.i2_percent == pytest.approx(100 * r.tau2 / (r.tau2 + s2), rel=1e-12)
    assert r.tau2_ci is not None and r.i2_ci is not None
    assert r.i2_ci == (pytest.approx(100 * r.tau2_ci[0] / (r.tau2_ci[0] + s2), abs=1e-12),
                       pytest.approx(100 * r.tau2_ci[1] / (r.tau2_ci[1] + s2), rel=1e-12))


@pytest.mark.parametrize("test", ["z", "knha", "adhoc"])
def test_prediction_interval_formula(test: str) -> None:
    from scipy import stats as sps

    r = pool(Y, SE, test=test, level=0.9)
    c = sps.norm.ppf(0.95) if test == "z" else sps.t.ppf(0.95, 4)
    half = c * math.sqrt(r.tau2 + r.se_random**2)
    assert r.pi == (pytest.approx(r.random - half, rel=1e-12),
                    pytest.approx(r.random + half, rel=1e-12))
    assert r.level == 0.9 and r.test == test and r.df == (None if test == "z" else 4)


def test_fields_of_a_pooled_result() -> None:
    r = pool(Y, SE, "REML", test="knha")
    w = 1 / np.array(SE) ** 2
    assert r.k == 5 and r.q_df == 4 and r.method == "REML"
    assert r.fixed == pytest.approx(float((w * np.array(Y)).sum() / w.sum()), rel=1e-12)
    assert r.se_fixed == pytest.approx(1 / math.sqrt(w.sum()), rel=1e-12)
    ws = 1 / (np.array(SE) ** 2 + r.tau2)
    q = float((ws * (np.array(Y) - r.random) ** 2).sum() / 4)
    assert r.knha_scale == pytest.approx(q, rel=1e-12)
    assert r.z == pytest.approx(r.random * math.sqrt(ws.sum()), rel=1e-12)
    assert r.statistic == pytest.approx(r.random / r.se_random, rel=1e-12)
    from scipy import stats as sps

    assert r.q_p_value == pytest.approx(float(sps.chi2.sf(r.q, 4)), rel=1e-10)
    assert r.p_value == pytest.approx(float(2 * sps.t.sf(abs(r.statistic), 4)), rel=1e-10)


REFUSED = [
    (([0.1], [0.1], "ML"), {}, "method must be 'DL' or 'REML', but it is 'ML'"),
    (([0.1], [0.1]), {"test": "t"}, "test must be 'z', 'knha' or 'adhoc', but it is 't'"),
    (([0.1], [0.1]), {"level": 1.0}, "level must lie strictly between 0 and 1, but it is 1.0"),
    (([], []), {}, "estimates needs at least 1 values, but it has 0"),
    (([0.1], []), {}, "ses needs at least 1 values, but it has 0"),
    (([0.1, 0.2], [0.1]), {},
     "each estimate needs one standard error, but there are 2 estimates and 1 standard errors"),
    (([0.1, 0.2, 0.3], [0.1, 0.0, -1.0]), {},
     "every standard error must be greater than zero, but number 2 is 0.0"),
    (([0.3, 0.3, 0.3], [0.1, 0.1, 0.1]), {"test": "knha"},
     "the estimates are identical, so the Knapp–Hartung standard error is zero; use test 'z' "
     "or 'adhoc'"),
    (([0.1, 0.2], [1e-200, 1e-200]), {},
     "the standard errors are too unequal or too small to pool"),
]


@pytest.mark.parametrize(("args", "kwargs", "message"), REFUSED, ids=[r[2][:40] for r in REFUSED])
def test_pool_refusals(args: tuple, kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(StatsError, match="^" + re.escape(message) + "$"):
        pool(*args, **kwargs)


def test_q_profile_refusals_and_edges() -> None:
    with pytest.raises(StatsError, match=r"^estimates needs at least 2 values, but it has 1$"):
        q_profile_tau2([0.1], [0.1])
    with pytest.raises(StatsError, match=r"^ses needs at least 2 values, but it has 1$"):
        q_profile_tau2([0.1, 0.2], [0.1])
    with pytest.raises(StatsError,
                       match=r"^each estimate needs one standard error greater than zero$"):
        q_profile_tau2([0.1, 0.2, 0.3], [0.1, 0.1])
    with pytest.raises(StatsError,
                       match=r"^each estimate needs one standard error greater than zero$"):
        q_profile_tau2([0.1, 0.2], [0.1, 0.0])
    with pytest.raises(StatsError, match=r"^level must lie strictly between 0 and 1"):
        q_profile_tau2([0.1, 0.2], [0.1, 0.1], level=0.0)
    # identical estimates: Q(0) = 0 is below both quantiles, so the interval is [0, 0]
    assert q_profile_tau2([0.3, 0.3, 0.3], [0.1, 0.1, 0.1]) == (0.0, 0.0)
    lo, hi = q_profile_tau2(Y, SE, level=0.8)
    lo95, hi95 = q_profile_tau2(Y, SE)
    assert lo95 <= lo < hi < hi95
