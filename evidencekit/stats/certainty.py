"""Formulas behind GRADE's certainty domains (evidencekit.analysis.grade decides with them).

Each is pure and unrounded; golden values from R are in ``tests/reference/grade.R``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from . import _validate as check
from ._errors import StatsError
from .power import n_per_group_for

__all__ = ["effective_sample_size", "optimal_information_size", "random_effects_weights"]


def optimal_information_size(delta: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """The optimal information size (OIS) for a continuous outcome: the total number of
    participants a single trial needs to detect a standardised effect ``delta`` with a
    two-sided test at ``alpha`` and the given ``power``.

    Formula: OIS = 2·n, where n solves the two-sample t-test power equation
    P(T'_{ν,λ} > q) + P(T'_{ν,λ} < −q) = power with ν = 2(n − 1), q = t_{1−α/2, ν} and
    λ = √(n/2)·|δ| (:func:`evidencekit.stats.power.n_per_group_for`); n is not rounded up.

    Reference: Guyatt GH et al. (2011) GRADE guidelines 6. Rating the quality of evidence —
    imprecision. J Clin Epidemiol 64:1283-1293 (the OIS is "the number of patients required
    for an adequately powered individual trial"); GRADE Handbook (Schünemann et al. 2013)
    section 5.2.4. R: ``2 * pwr::pwr.t.test(d = delta, sig.level = alpha, power = power)$n``.

    >>> round(optimal_information_size(0.2), 2)
    786.81
    >>> round(optimal_information_size(0.5, power=0.9), 2)
    170.06
    """
    d = check.finite("delta", delta)
    if d == 0:
        raise StatsError("the optimal information size needs an effect other than zero")
    return 2.0 * n_per_group_for(d, alpha, power)


def effective_sample_size(n: float, clusters: int | None = None,
                          icc: float | None = None) -> float:
    """The number of participants a clustered sample is worth: n divided by the design
    effect.

    Formula: n_eff = n / (1 + (m − 1)·ρ), m = n / clusters (the mean cluster size), ρ the
    intra-cluster correlation; n_eff = n when either is not given.

    Reference: Donner A, Klar N (2000) Design and Analysis of Cluster Randomization Trials in
    Health Research, section 2.2 (the design effect, or variance inflation factor); Cochrane
    Handbook section 23.1.4 (Higgins, Eldridge & Li 2022), "effective sample size".

    >>> round(effective_sample_size(600, clusters=30, icc=0.05), 2)
    307.69
    >>> effective_sample_size(600)
    600.0
    """
    total = check.finite("n", n)
    if total < 0:
        raise StatsError(f"n must not be negative, but it is {total!r}")
    if clusters is None or icc is None:
        return total
    k = check.count("clusters", clusters, 1)
    rho = check.finite("icc", icc)
    if not 0 <= rho <= 1:
        raise StatsError(f"icc must be between 0 and 1, but it is {rho!r}")
    m = total / k
    return total / (1 + (m - 1) * rho)


def random_effects_weights(ses: Sequence[float], tau2: float) -> tuple[float, ...]:
    """Each study's share of the random-effects pooled estimate (summing to 1).

    Formula: w_i = 1 / (SE_i² + τ²), share_i = w_i / Σ_j w_j.

    Reference: DerSimonian R, Laird N (1986) Control Clin Trials 7:177-188; metafor
    ``weights(rma(...)) / 100``.

    >>> [round(w, 4) for w in random_effects_weights([0.1, 0.2], 0.0)]
    [0.8, 0.2]
    """
    t2 = check.finite("tau2", tau2)
    if t2 < 0:
        raise StatsError(f"tau2 must not be negative, but it is {t2!r}")
    if not ses:
        raise StatsError("at least one standard error is needed")
    w = []
    for i, s in enumerate(ses):
        se = check.finite(f"ses[{i}]", s)
        if se <= 0:
            raise StatsError(f"ses[{i}] must be positive, but it is {se!r}")
        w.append(1.0 / (se * se + t2))
    total = math.fsum(w)
    return tuple(x / total for x in w)
