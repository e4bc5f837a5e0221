"""CR2 at its numerical edges and its argument checks (evidencekit.stats.clustered).

The low-rank identity has two special branches: eigenvalues λ of H_jj below 1e-8 (the series
limit) and 1 − λ = 0 (a cluster that alone determines a coefficient: pseudo-inverse). Both are
compared with a dense n_j×n_j computation; the argument checks are pinned word for word.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from evidencekit.stats import StatsError
from evidencekit.stats.clustered import cr2, cr2_glm, icc_anova


def dense_cr2(x: np.ndarray, e: np.ndarray, cluster: np.ndarray) -> tuple[np.ndarray, ...]:
    """CR2 with (I − H_jj)^(−½) by eigendecomposition, pseudo-inverse for eigenvalue 0."""
    m = np.linalg.inv(x.T @ x)
    ih = np.eye(len(e)) - x @ m @ x.T
    meat = np.zeros((x.shape[1], x.shape[1]))
    adjust = []
    for j in np.unique(cluster):
        i = np.flatnonzero(cluster == j)
        w, v = np.linalg.eigh(ih[np.ix_(i, i)])
        root = np.where(w > 1e-12, 1 / np.sqrt(np.clip(w, 1e-300, None)), 0.0)
        a = (v * root) @ v.T
        adjust.append((i, a))
        u = x[i].T @ a @ e[i]
        meat += np.outer(u, u)
    vcov = m @ meat @ m
    dfs = []
    for col in range(x.shape[1]):
        c = np.zeros(x.shape[1])
        c[col] = 1
        p = np.column_stack([ih[:, i] @ a @ x[i] @ m @ c for i, a in adjust])
        pp = p.T @ p
        dfs.append(np.trace(pp) ** 2 / np.sum(pp**2))
    return np.sqrt(np.diag(vcov)), np.array(dfs)


def blocks(x: np.ndarray, e: np.ndarray, cluster: np.ndarray) -> tuple[np.ndarray, ...]:
    ids = np.unique(cluster)
    g = np.stack([x[cluster == j].T @ x[cluster == j] for j in ids])
    u = np.stack([x[cluster == j].T @ e[cluster == j] for j in ids])
    return g, u


def data(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    cluster = np.repeat(np.arange(8), [3, 4, 5, 3, 6, 4, 3, 5])
    treat = (cluster % 2).astype(float)
    pre = rng.normal(0, 1, cluster.size)
    x = np.column_stack([np.ones(cluster.size), treat, pre])
    y = 0.5 * treat + pre + rng.normal(0, 1, cluster.size) + rng.normal(0, 0.5, 8)[cluster]
    b = np.linalg.lstsq(x, y, rcond=None)[0]
    return x, y - x @ b, cluster


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tiny_leverage_uses_the_series_limit_exactly(seed: int) -> None:
    x, e, cluster = data(seed)
    # Shrink one cluster's rows: its leverages (eigenvalues of H_jj) fall below 1e-8.
    scale = np.where(cluster == 0, 1e-5, 1.0)
    xs, es = x * scale[:, None], e * scale
    b = np.zeros(3)
    g, u = blocks(xs, es, cluster)
    fast = cr2(b, xs.T @ xs, g, u)
    se, df = dense_cr2(xs, es, cluster)
    assert np.allclose(fast.se, se, rtol=1e-9)
    assert np.allclose(fast.df, df, rtol=1e-9)


def test_a_cluster_that_determines_a_coefficient_uses_the_pseudo_inverse() -> None:
    x, e, cluster = data(4)
    own = (cluster == 7).astype(float)  # a dummy for cluster 7 alone: 1 − λ = 0 there
    x2 = np.column_stack([x, own])
    b = np.linalg.lstsq(x2, e, rcond=None)[0]
    e2 = e - x2 @ b
    g, u = blocks(x2, e2, cluster)
    fast = cr2(np.zeros(4), x2.T @ x2, g, u)
    se, df = dense_cr2(x2, e2, cluster)
    assert np.allclose(fast.se[:3], se[:3], rtol=1e-8)
    assert np.allclose(fast.df[:3], df[:3], rtol=1e-7)


def test_ci_and_p_follow_the_satterthwaite_df() -> None:
    from scipy import stats as st

    x, e, cluster = data(5)
    b = np.array([0.1, 0.4, 1.0])
    g, u = blocks(x, e, cluster)
    r = cr2(b, x.T @ x, g, u, level=0.9)
    for k in range(3):
        t = b[k] / r.se[k]
        assert r.t[k] == pytest.approx(t, rel=1e-12)
        assert r.p_value[k] == pytest.approx(2 * st.t.sf(abs(t), r.df[k]), rel=1e-10)
        half = st.t.ppf(0.95, r.df[k]) * r.se[k]
        assert r.ci[k] == (pytest.approx(b[k] - half, rel=1e-10),
                           pytest.approx(b[k] + half, rel=1e-10))
    assert r.clusters == 8 and r.level == 0.9
    assert r.estimates == tuple(b)
    assert np.allclose(np.array(r.vcov), np.array(r.vcov).T)
    assert np.sqrt(np.diag(np.array(r.vcov))) == pytest.approx(np.array(r.se), rel=1e-12)


def msg(text: str) -> str:
    return "^" + re.escape(text) + "$"


def test_cr2_argument_checks() -> None:
    x, e, cluster = data(6)
    g, u = blocks(x, e, cluster)
    b = np.zeros(3)
    with pytest.raises(StatsError, match=msg(
            "cr2 needs k estimates, a k×k X'X, J k×k cluster blocks and J k-vectors of scores, "
            "but got shapes (3,), (2, 2), (8, 3, 3) and (8, 3)")):
        cr2(b, np.eye(2), g, u)
    with pytest.raises(StatsError, match=msg("cr2 needs k estimates, a k×k X'X, J k×k cluster "
                                             "blocks and J k-vectors of scores, but got shapes "
                                             "(3,), (3, 3), (8, 3, 3) and (7, 3)")):
        cr2(b, x.T @ x, g, u[:7])
    for name, args in (("X'X", (b, np.full((3, 3), np.nan), g, u)),
                       ("the cluster blocks", (b, x.T @ x, g * np.nan, u)),
                       ("the scores", (b, x.T @ x, g, u + np.inf)),
                       ("the estimates", (b * np.nan, x.T @ x, g, u))):
        with pytest.raises(StatsError, match=msg(f"{name} must contain only finite numbers")):
            cr2(*args)
    with pytest.raises(StatsError, match=msg(
            "cluster-robust standard errors need at least 2 clusters, but there are 1")):
        cr2(b, x.T @ x, g[:1], u[:1])
    cr2(b, x.T @ x, g[:2], u[:2])  # 2 clusters are enough
    with pytest.raises(StatsError, match=msg(
            "X'X is singular, so the regression coefficients are not identified")):
        cr2(b, -np.eye(3), g, u)
    with pytest.raises(StatsError, match=r"^level must lie strictly between 0 and 1"):
        cr2(b, x.T @ x, g, u, level=1.0)


def test_cr2_glm_argument_checks() -> None:
    x = np.column_stack([np.ones(4), [0.0, 0, 1, 1]])
    v, r = np.full(4, 0.25), np.zeros(4)
    with pytest.raises(StatsError, match=msg("clusters must give one cluster per row")):
        cr2_glm([0.0, 0.0], x, v, r, [1, 2, 1])
    with pytest.raises(StatsError, match=msg(
            "cr2_glm needs finite X and residuals and positive weights")):
        cr2_glm([0.0, 0.0], x, v, r * np.nan, [1, 1, 2, 2])
    with pytest.raises(StatsError, match=r"^level must lie strictly between 0 and 1"):
        cr2_glm([0.0, 0.0], x, v, r, [1, 1, 2, 2], level=0.0)


def test_icc_argument_checks_and_floor() -> None:
    with pytest.raises(StatsError, match=msg("n and mean must be one-dimensional and of equal "
                                             "length")):
        icc_anova([3, 3], [1.0], 1.0)
    with pytest.raises(StatsError, match=msg("every cluster needs at least one member and a "
                                             "finite mean")):
        icc_anova([0, 3], [1.0, 2.0], 1.0)
    with pytest.raises(StatsError, match=msg("every cluster needs at least one member and a "
                                             "finite mean")):
        icc_anova([3, 3], [np.nan, 2.0], 1.0)
    with pytest.raises(StatsError, match=msg("group must give one group per cluster")):
        icc_anova([3, 3, 3], [1.0, 2.0, 3.0], 1.0, group=[0, 1])
    with pytest.raises(StatsError, match=msg(
            "the ICC needs more clusters than groups and more people than clusters, but there "
            "are 2 clusters in 2 group(s) and 6 people")):
        icc_anova([3, 3], [1.0, 2.0], 1.0, group=[0, 1])
    with pytest.raises(StatsError, match=msg(
            "the ICC needs more clusters than groups and more people than clusters, but there "
            "are 2 clusters in 1 group(s) and 2 people")):
        icc_anova([1, 1], [1.0, 2.0], 0.0)
    with pytest.raises(StatsError, match=msg("the outcome does not vary, so the ICC is "
                                             "undefined")):
        icc_anova([3, 3], [1.0, 1.0], 0.0)
    # Between-cluster variation below the within: the raw estimate is negative, floored at 0.
    r = icc_anova([3, 3, 3], [1.0, 1.1, 0.9], 30.0)
    assert r.icc_unfloored < 0 and r.icc == 0.0
    assert (r.clusters, r.groups, r.df_between, r.df_within) == (3, 1, 2, 6)
    assert r.ms_within == pytest.approx(5.0) and r.n0 == pytest.approx(3.0)
    assert r.ms_between == pytest.approx(3 * 0.02 / 2)
