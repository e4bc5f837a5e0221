"""Clustered data from sufficient statistics: CR2 cluster-robust inference and the ICC (SPEC 3.9).

Everything here works on per-cluster k×k cross-product blocks, never on n_j×n_j matrices,
so a trial with millions of rows in thousands of clusters costs a few small batched
eigendecompositions.

The low-rank identity behind ``cr2``: with M = (X'X)⁻¹ and G_j = X_j'X_j, the hat block
H_jj = X_j M X_j' has the same non-zero eigenvalues λ as S_j = M^½ G_j M^½ = V Λ V'. For any
f, f(I − H_jj) = I + X_j C_j X_j' with C_j = M^½ V diag((f(1−λ) − 1)/λ) V' M^½, so the
Bell–McCaffrey adjustment A_j = (I − H_jj)^(−½) enters only through
X_j'A_j e_j = (I + G_j C_j) X_j'e_j and X_j'A_jX_j = G_j + G_j C_j G_j.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _validate as check
from ._errors import StatsError
from ._inference import student_ci, student_p

__all__ = ["GLM_DENSE_LIMIT", "ClusterRobust", "Icc", "cr2", "cr2_glm", "cr2_glm_exact",
           "icc_anova"]

_SMALL_EIGEN = 1e-8  # below this λ, (f(1−λ) − 1)/λ is replaced by its limit at λ → 0
_SINGULAR = 1e-12  # 1 − λ below this: the cluster alone determines a coefficient


@dataclass(frozen=True, slots=True)
class ClusterRobust:
    """CR2 cluster-robust inference for every coefficient of a linear model.

    ``vcov`` is the k×k CR2 covariance matrix; the other fields are per coefficient, in the
    order of the columns of X: SE, t = estimate/SE, Satterthwaite degrees of freedom,
    two-sided p on those df and the confidence interval.
    """

    estimates: tuple[float, ...]
    vcov: tuple[tuple[float, ...], ...]
    se: tuple[float, ...]
    t: tuple[float, ...]
    df: tuple[float, ...]
    p_value: tuple[float, ...]
    ci: tuple[tuple[float, float], ...]
    clusters: int
    level: float


@dataclass(frozen=True, slots=True)
class Icc:
    """One-way ANOVA estimate of the intraclass correlation (floored at 0 in ``icc``)."""

    icc: float
    icc_unfloored: float
    ms_between: float
    ms_within: float
    n0: float
    clusters: int
    groups: int
    df_between: int
    df_within: int


def _as_blocks(xtx: ArrayLike, cluster_xtx: ArrayLike, cluster_score: ArrayLike,
               estimates: ArrayLike) -> tuple[NDArray[np.float64], ...]:
    a = np.asarray(xtx, dtype=np.float64)
    g = np.asarray(cluster_xtx, dtype=np.float64)
    u = np.asarray(cluster_score, dtype=np.float64)
    b = np.asarray(estimates, dtype=np.float64)
    k = b.size
    if a.shape != (k, k) or g.ndim != 3 or g.shape[1:] != (k, k) or u.shape != (g.shape[0], k):
        raise StatsError(
            "cr2 needs k estimates, a k×k X'X, J k×k cluster blocks and J k-vectors of "
            f"scores, but got shapes {b.shape}, {a.shape}, {g.shape} and {u.shape}"
        )
    for name, arr in (("X'X", a), ("the cluster blocks", g), ("the scores", u),
                      ("the estimates", b)):
        if not np.all(np.isfinite(arr)):
            raise StatsError(f"{name} must contain only finite numbers")
    if g.shape[0] < 2:
        raise StatsError(
            f"cluster-robust standard errors need at least 2 clusters, but there are {g.shape[0]}"
        )
    return a, g, u, b


def _sym_power(a: NDArray[np.float64], p: float) -> NDArray[np.float64]:
    w, v = np.linalg.eigh(a)
    if np.any(w <= 0):
        raise StatsError("X'X is singular, so the regression coefficients are not identified")
    out: NDArray[np.float64] = (v * w**p) @ v.T
    return out


def cr2(
    estimates: Sequence[float] | NDArray[np.float64],
    xtx: ArrayLike,
    cluster_xtx: ArrayLike,
    cluster_score: ArrayLike,
    *,
    level: float = 0.95,
) -> ClusterRobust:
    """CR2 cluster-robust covariance with Satterthwaite degrees of freedom, from k×k blocks.

    Inputs: the coefficient estimates b; X'X (k×k); for each of J clusters G_j = X_j'X_j
    (shape J×k×k) and the score X_j'e_j with e = y − Xb (shape J×k). For a logistic or
    other weighted fit pass G_j = X_j'W_jX_j and X_j'(y_j − μ_j) (the whitened working model).

    Formulas: M = (X'X)⁻¹; A_j = (I − H_jj)^(−½) with H_jj = X_j M X_j' (symmetric root,
    pseudo-inverse for eigenvalues 1); u_j = X_j'A_j e_j = (I + G_j C_j) X_j'e_j (low-rank
    identity in the module docstring); V = M (Σ_j u_j u_j') M. For coefficient l (contrast
    c = e_l), with a_j = X_j'A_jX_j M c and ω_j = c'M X_j'A_j²X_j M c:
    E = Σ_j ω_j − Σ_j a_j'M a_j and
    V = Σ_j ω_j² − 2 Σ_j ω_j a_j'M a_j + tr((M Σ_j a_j a_j')²), df = E²/V
    (the Satterthwaite approximation under the working model of independent, equal-variance
    errors); t = b_l/√V_ll, p = 2·P(T_df > |t|), CI = b_l ± t_crit·√V_ll.

    Reference: Bell & McCaffrey (2002), Survey Methodology 28(2):169–181; Pustejovsky &
    Tipton (2018), J. Bus. Econ. Stat. 36(4):672–683; R clubSandwich
    ``coef_test(fit, vcov = "CR2", cluster = ., test = "Satterthwaite")`` for ``lm`` fits
    (tests/reference/rows.R).

    >>> import numpy as np
    >>> x = np.array([0., 0, 0, 1, 1, 1, 0, 0, 1, 1]); y = np.array([1., 2, 3, 5, 4, 6, 2, 1, 4, 7])
    >>> c = np.array([0, 0, 0, 1, 1, 1, 2, 2, 3, 3])
    >>> X = np.column_stack([np.ones(10), x]); b = np.linalg.solve(X.T @ X, X.T @ y)
    >>> G = np.stack([X[c == j].T @ X[c == j] for j in range(4)])
    >>> U = np.stack([X[c == j].T @ (y - X @ b)[c == j] for j in range(4)])
    >>> r = cr2(b, X.T @ X, G, U)
    >>> round(r.se[1], 6), round(r.df[1], 6), round(r.p_value[1], 6)  # as clubSandwich
    (0.34641, 2.0, 0.010222)
    """
    check.open_unit("level", level)
    a, g, u, b = _as_blocks(xtx, cluster_xtx, cluster_score, estimates)
    m = np.linalg.inv(a)
    m = (m + m.T) / 2
    score, xax, xa2x = _lowrank_parts(m, g, u)
    return _combine(b, m, score, xax, xa2x, level)


def _lowrank_parts(m: NDArray[np.float64], g: NDArray[np.float64], u: NDArray[np.float64]
                   ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Per cluster: X_j'A_je_j, X_j'A_jX_j and X_j'A_j²X_j from k×k blocks (module docstring)."""
    k = m.shape[0]
    m_half = _sym_power(m, 0.5)
    s = m_half @ g @ m_half  # J×k×k, eigenvalues = those of H_jj
    lam, vec = np.linalg.eigh((s + np.swapaxes(s, 1, 2)) / 2)
    lam = np.clip(lam, 0.0, 1.0)
    one_minus = 1.0 - lam
    singular = one_minus < _SINGULAR
    small = lam < _SMALL_EIGEN
    safe_lam = np.where(small, 1.0, lam)
    safe_om = np.where(singular, 1.0, one_minus)
    # f(x) = x^(-1/2) for A_j; x^(-1) for A_j² (pseudo-inverse: 0 where 1 − λ = 0).
    inv_sqrt = np.where(singular, 0.0, safe_om**-0.5)
    inv = np.where(singular, 0.0, 1.0 / safe_om)
    coef_a = np.where(small, 0.5 + 0.375 * lam, (inv_sqrt - 1.0) / safe_lam)
    coef_a2 = np.where(small, 1.0 + lam, (inv - 1.0) / safe_lam)
    mv = m_half @ vec  # J×k×k
    c_half = (mv * coef_a[:, None, :]) @ np.swapaxes(mv, 1, 2)
    c_full = (mv * coef_a2[:, None, :]) @ np.swapaxes(mv, 1, 2)
    eye = np.eye(k)
    adj = eye + g @ c_half  # I + G_j C_j
    score = np.einsum("jab,jb->ja", adj, u)
    xax = g + g @ c_half @ g  # X_j'A_jX_j
    xa2x = g + g @ c_full @ g  # X_j'A_j²X_j
    return score, xax, xa2x


def _combine(b: NDArray[np.float64], m: NDArray[np.float64], score: NDArray[np.float64],
             xax: NDArray[np.float64], xa2x: NDArray[np.float64], level: float,
             ) -> ClusterRobust:
    """CR2 covariance and Satterthwaite df from the per-cluster pieces.

    ``score`` holds u_j = X_j'A_jr_j, ``xax`` X_j'A_jΦ_jX_j and ``xa2x`` X_j'A_jΦ_jA_jX_j,
    with Φ_j the working covariance (I for OLS, W_j for a GLM); a_j = (X_j'A_jΦ_jX_j)'M c.
    """
    k = b.size
    meat = score.T @ score
    vcov = m @ meat @ m
    vcov = (vcov + vcov.T) / 2
    se, t, df, p, ci = [], [], [], [], []
    for col in range(k):
        mc = m[:, col]
        aj = np.swapaxes(xax, 1, 2) @ mc  # J×k
        omega = np.einsum("a,jab,b->j", mc, xa2x, mc)
        ama = np.einsum("ja,ab,jb->j", aj, m, aj)
        expectation = float(omega.sum() - ama.sum())
        ms = m @ (aj.T @ aj)
        variance = float((omega**2).sum() - 2 * (omega * ama).sum() + np.trace(ms @ ms))
        sd = math.sqrt(max(float(vcov[col, col]), 0.0))
        dfl = expectation**2 / variance if variance > 0 else math.nan
        tl = float(b[col]) / sd if sd > 0 else math.nan
        se.append(sd)
        t.append(tl)
        df.append(dfl)
        p.append(student_p(tl, dfl) if math.isfinite(tl) and math.isfinite(dfl) else math.nan)
        ci.append(student_ci(float(b[col]), sd, dfl, level) if math.isfinite(dfl)
                  else (math.nan, math.nan))
    return ClusterRobust(
        estimates=tuple(float(x) for x in b),
        vcov=tuple(tuple(float(x) for x in row) for row in vcov),
        se=tuple(se),
        t=tuple(t),
        df=tuple(df),
        p_value=tuple(p),
        ci=tuple(ci),
        clusters=int(score.shape[0]),
        level=level,
    )


def cr2_glm(
    estimates: Sequence[float] | NDArray[np.float64],
    x: ArrayLike,
    weights: ArrayLike,
    residuals: ArrayLike,
    clusters: ArrayLike,
    *,
    level: float = 0.95,
) -> ClusterRobust:
    """CR2 for a canonical-link GLM (logistic) as R's clubSandwich computes it.

    Inputs: the coefficients b; the n×k model matrix X; the working weights
    v_i = μ_i(1 − μ_i) (the variance function at the fit, which for the canonical link is
    also dμ/dη); the response residuals r = y − μ; one cluster code per row.

    Formulas (Pustejovsky & Tipton 2018, working model Φ_j = V_j = diag(v_j) with
    inverse-variance weights W_j = V_j⁻¹; clubSandwich ``vcovCR.glm``, target = NULL,
    inverse_var = TRUE): M = (X'VX)⁻¹; H̃_j = V_j^½X_j M X_j'V_j^½;
    B_j = V_j(I − H̃_j)V_j; A_j = V_j^½ B_j^(−½) V_j^½ (symmetric root; eigenvalues of
    B_j at or below 1e−12 get 0, as clubSandwich's ``matrix_power``);
    u_j = X_j'A_jr_j; V_CR2 = M(Σ_j u_ju_j')M. The Satterthwaite df use the pieces
    X_j'A_jV_jX_j and X_j'A_jV_jA_jX_j as in :func:`cr2` (clubSandwich ``coef_test``).
    When v is constant within a cluster, A_j = (I − H̃_j)^(−½) and the cluster is done by
    the k×k low-rank identity; otherwise with n_j×n_j matrices, for clusters of up to
    ``GLM_DENSE_LIMIT`` rows (larger clusters with varying weights use the whitened
    working model — ``exact_glm`` in the return of :func:`cr2_glm_exact` says which).

    Reference: Pustejovsky & Tipton (2018), J. Bus. Econ. Stat. 36(4):672–683;
    Bell & McCaffrey (2002); R clubSandwich 0.5.x ``coef_test(glm_fit, vcov = "CR2",
    cluster = ., test = "Satterthwaite")`` (tests/reference/rows.R, amend.R).

    >>> import numpy as np
    >>> x = np.column_stack([np.ones(8), [0., 0, 0, 0, 1, 1, 1, 1], [1., 2, 3, 4, 1, 2, 3, 5]])
    >>> v = np.array([.2, .21, .22, .23, .24, .25, .24, .2])
    >>> r = np.array([-.3, .6, -.4, .2, .5, -.5, .3, -.4])
    >>> fit = cr2_glm([0.1, 0.5, 0.05], x, v, r, [0, 0, 1, 1, 2, 2, 3, 3])
    >>> round(fit.se[1], 6), round(fit.df[1], 4)  # clubSandwich: tests/stats/test_stats_amend.py
    (0.724695, 1.4213)
    """
    return cr2_glm_exact(estimates, x, weights, residuals, clusters, level=level)[0]


GLM_DENSE_LIMIT = 2000
"""Largest cluster (rows) given the exact n_j×n_j treatment when its weights vary."""


def cr2_glm_exact(
    estimates: Sequence[float] | NDArray[np.float64],
    x: ArrayLike,
    weights: ArrayLike,
    residuals: ArrayLike,
    clusters: ArrayLike,
    *,
    level: float = 0.95,
) -> tuple[ClusterRobust, bool]:
    """:func:`cr2_glm` and whether every cluster was treated exactly (see there)."""
    check.open_unit("level", level)
    xx = np.asarray(x, dtype=np.float64)
    v = np.asarray(weights, dtype=np.float64)
    r = np.asarray(residuals, dtype=np.float64)
    b = np.asarray(estimates, dtype=np.float64)
    if xx.ndim != 2 or xx.shape[1] != b.size or v.shape != (xx.shape[0],) or \
            r.shape != v.shape:
        raise StatsError("cr2_glm needs an n×k X, k estimates and n weights and residuals")
    if not (np.all(np.isfinite(xx)) and np.all(np.isfinite(r)) and np.all(v > 0)):
        raise StatsError("cr2_glm needs finite X and residuals and positive weights")
    codes = np.unique(np.asarray(clusters), return_inverse=True)[1].reshape(-1)
    if codes.shape != v.shape:
        raise StatsError("clusters must give one cluster per row")
    n_cl = int(codes.max()) + 1
    if n_cl < 2:
        raise StatsError(
            f"cluster-robust standard errors need at least 2 clusters, but there are {n_cl}")
    k = b.size
    g = np.empty((n_cl, k, k))
    for i in range(k):
        for j in range(i, k):
            g[:, i, j] = g[:, j, i] = np.bincount(codes, weights=v * xx[:, i] * xx[:, j],
                                                  minlength=n_cl)
    u = np.column_stack([np.bincount(codes, weights=xx[:, i] * r, minlength=n_cl)
                         for i in range(k)]).astype(np.float64)
    m = np.linalg.inv(g.sum(axis=0))
    m = (m + m.T) / 2
    score, xax, xa2x = _lowrank_parts(m, g, u)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(n_cl + 1))
    exact = True
    for j in range(n_cl):
        rows = order[bounds[j]:bounds[j + 1]]
        vj = v[rows]
        if float(vj.max() - vj.min()) <= 1e-12 * float(vj.max()):
            continue  # constant weights: the low-rank pieces are exact
        if rows.size > GLM_DENSE_LIMIT:
            exact = False
            continue
        xj, rj = xx[rows], r[rows]
        z = (vj**1.5)[:, None] * xj
        bj = np.diag(vj * vj) - z @ m @ z.T
        lam, q = np.linalg.eigh((bj + bj.T) / 2)
        root = np.where(lam > 1e-12, np.abs(lam) ** -0.5, 0.0)
        sq = np.sqrt(vj)
        aj = sq[:, None] * ((q * root) @ q.T) * sq[None, :]
        xa = xj.T @ aj
        score[j] = xa @ rj
        xax[j] = xa @ (vj[:, None] * xj)
        xa2x[j] = xa @ (vj[:, None] * xa.T)
    return _combine(b, m, score, xax, xa2x, level), exact


def icc_anova(
    n: ArrayLike,
    mean: ArrayLike,
    ss_within: float,
    group: ArrayLike | None = None,
) -> Icc:
    """Intraclass correlation by the one-way ANOVA estimator, clusters nested in groups.

    Inputs per cluster j: its size n_j and mean ȳ_j; the pooled within-cluster sum of
    squares SSW = Σ_j Σ_i (y_ij − ȳ_j)²; optionally the group (arm) of each cluster, so that
    the treatment effect is not counted as between-cluster variation.

    Formulas with N = Σn_j, J clusters in A groups (A = 1 without ``group``), ȳ_a the mean
    of group a: MSB = Σ_j n_j(ȳ_j − ȳ_a(j))²/(J − A); MSW = SSW/(N − J);
    n0 = (N − Σ_a Σ_{j∈a} n_j²/N_a)/(J − A); ρ = (MSB − MSW)/(MSB + (n0 − 1)·MSW),
    floored at 0 (``icc``; the raw value is ``icc_unfloored``).

    Reference: Searle, Casella & McCulloch (1992), Variance Components, §3.6 (unbalanced
    one-way ANOVA estimator, n0); Donner & Koval (1980), Biometrics 36:19–25; equal to R
    ``anova(lm(y ~ arm + factor(cluster)))`` mean squares (tests/reference/rows.R).

    >>> r = icc_anova([3, 3, 3, 3], [10.0, 12.0, 11.0, 15.0], ss_within=16.0)
    >>> round(r.icc, 4), r.ms_between, round(r.ms_within, 4), r.n0  # (14 − 2)/(14 + 2·2)
    (0.6667, 14.0, 2.0, 3.0)
    """
    nj = np.asarray(n, dtype=np.float64)
    mj = np.asarray(mean, dtype=np.float64)
    if nj.ndim != 1 or nj.shape != mj.shape:
        raise StatsError("n and mean must be one-dimensional and of equal length")
    if np.any(nj < 1) or not np.all(np.isfinite(mj)):
        raise StatsError("every cluster needs at least one member and a finite mean")
    ssw = check.standard_deviation("ss_within", ss_within)
    gj = (np.zeros(nj.size, dtype=np.int64) if group is None
          else np.unique(np.asarray(group), return_inverse=True)[1].reshape(-1))
    if gj.shape != nj.shape:
        raise StatsError("group must give one group per cluster")
    groups = int(gj.max()) + 1 if gj.size else 0
    j = int(nj.size)
    total = float(nj.sum())
    df_b = j - groups
    df_w = round(total) - j
    if df_b < 1 or df_w < 1:
        raise StatsError(
            f"the ICC needs more clusters than groups and more people than clusters, but "
            f"there are {j} clusters in {groups} group(s) and {int(total)} people"
        )
    n_g = np.bincount(gj, weights=nj, minlength=groups)
    mean_g = np.bincount(gj, weights=nj * mj, minlength=groups) / n_g
    ssb = float(np.sum(nj * (mj - mean_g[gj]) ** 2))
    msb, msw = ssb / df_b, ssw / df_w
    n0 = (total - float(np.sum(np.bincount(gj, weights=nj**2, minlength=groups) / n_g))) / df_b
    denom = msb + (n0 - 1) * msw
    if denom <= 0:
        raise StatsError("the outcome does not vary, so the ICC is undefined")
    raw = (msb - msw) / denom
    return Icc(icc=max(0.0, raw), icc_unfloored=raw, ms_between=msb, ms_within=msw, n0=n0,
               clusters=j, groups=groups, df_between=df_b, df_within=df_w)
