"""Clustering corrections for effects computed as if individuals were independent (SPEC 3.9)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import _validate as check
from ._errors import StatsError
from ._inference import student_p

__all__ = ["ClusterCorrection", "hedges_2007_g_cluster", "wwc_cluster_correction"]


@dataclass(frozen=True, slots=True)
class ClusterCorrection:
    """WWC clustering correction of the significance test of g."""

    g: float
    se_g: float
    t: float
    t_adjusted: float
    df: float
    p_value: float
    icc: float
    n_total: int
    clusters: int
    cluster_size: float


def _icc(icc: float) -> float:
    rho = check.finite("icc", icc)
    if not 0.0 <= rho < 1.0:
        raise StatsError(f"icc must lie in [0, 1), but it is {rho!r}")
    return rho


def wwc_cluster_correction(
    g: float, se_g: float, n_t: int, n_c: int, clusters: int, icc: float
) -> ClusterCorrection:
    """WWC correction for a mismatch between unit of assignment (clusters) and analysis.

    Formulas with N = n_t + n_c, M clusters, n = N/M, ρ = icc, t = g/SE(g):
    t_A = t·√(((N−2) − 2(n−1)ρ) / ((N−2)(1 + (n−1)ρ)));
    h = ((N−2) − 2(n−1)ρ)² / ((N−2)(1−ρ)² + n(N−2n)ρ² + 2(N−2n)ρ(1−ρ));
    p = 2·P(T_h > |t_A|). With ρ = 0 this is the t on N − 2 df.

    Reference: WWC Procedures Handbook 4.1 (2020), clustering correction for a mismatch
    between unit of assignment and unit of analysis, after Hedges (2007), J. Educ. Behav.
    Stat. 32(4):341–370; SPEC 3.9.

    >>> from evidencekit.stats import smd_se
    >>> c = wwc_cluster_correction(0.30, smd_se(0.30, 200, 200), 200, 200, 20, 0.20)
    >>> round(c.t_adjusted, 4), round(c.df, 2), round(c.p_value, 3)
    (1.3486, 231.66, 0.179)
    """
    gf, se = check.finite("g", g), check.positive("se_g", se_g)
    nt, nc = check.count("n_t", n_t, 1), check.count("n_c", n_c, 1)
    n_total = nt + nc
    if n_total < 3:
        raise StatsError(f"the clustering correction needs at least 3 analysed, but N is {n_total}")
    m = check.count("clusters", clusters, 2)
    if m > n_total:
        raise StatsError(
            f"there cannot be more clusters ({m}) than analysed participants ({n_total})"
        )
    rho = _icc(icc)
    n = n_total / m
    big = n_total - 2
    numerator = big - 2 * (n - 1) * rho
    if numerator <= 0:
        raise StatsError(
            "the clustering correction is undefined for so few, so large clusters "
            f"({m} clusters of {n:g} with icc {rho:g})"
        )
    t = gf / se
    t_adj = t * math.sqrt(numerator / (big * (1 + (n - 1) * rho)))
    h = numerator**2 / (
        big * (1 - rho) ** 2
        + n * (n_total - 2 * n) * rho**2
        + 2 * (n_total - 2 * n) * rho * (1 - rho)
    )
    return ClusterCorrection(
        g=gf,
        se_g=se,
        t=t,
        t_adjusted=t_adj,
        df=h,
        p_value=student_p(t_adj, h),
        icc=rho,
        n_total=n_total,
        clusters=m,
        cluster_size=n,
    )


def hedges_2007_g_cluster(g: float, n_total: int, cluster_size: float, icc: float) -> float:
    """Cluster-adjusted effect size δ_T of Hedges (2007) from a g that ignored clustering.

    Formula: g_T = g·√(1 − 2(n−1)ρ/(N−2)), N = total analysed, n = average cluster size,
    ρ = icc; the g must be standardised by the total (not within-cluster) SD.

    Reference: Hedges (2007), "Effect sizes in cluster-randomized designs", J. Educ. Behav.
    Stat. 32(4):341–370, the estimator d_T; WWC Procedures Handbook 4.1 (2020).

    >>> round(hedges_2007_g_cluster(0.30, 400, 20, 0.20), 4)
    0.2971
    """
    gf = check.finite("g", g)
    n_all = check.count("n_total", n_total, 3)
    n = check.finite("cluster_size", cluster_size)
    if not 1 <= n <= n_all / 2:
        raise StatsError(
            f"cluster_size must lie between 1 and half of n_total ({n_all / 2:g}), but it is {n!r}"
        )
    factor = 1 - 2 * (n - 1) * _icc(icc) / (n_all - 2)
    return gf * math.sqrt(factor)
