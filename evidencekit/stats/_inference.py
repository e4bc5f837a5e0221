"""Normal and Student reference distributions shared by the statistics modules."""

from __future__ import annotations

import math

from scipy import stats

from . import _validate as check


def z_critical(level: float) -> float:
    """Two-sided normal critical value for a confidence ``level`` (1.959964 at 0.95)."""
    return float(stats.norm.ppf((1.0 + check.open_unit("level", level)) / 2.0))


def t_critical(level: float, df: float) -> float:
    """Two-sided Student critical value for a confidence ``level`` on ``df`` degrees of freedom."""
    return float(stats.t.ppf((1.0 + check.open_unit("level", level)) / 2.0, df))


def normal_p(z: float) -> float:
    """Two-sided p-value 2·Φ(−|z|)."""
    return float(2.0 * stats.norm.sf(abs(z)))


def student_p(t: float, df: float) -> float:
    """Two-sided p-value 2·P(T_df > |t|)."""
    return float(2.0 * stats.t.sf(abs(t), df))


def normal_ci(estimate: float, se: float, level: float) -> tuple[float, float]:
    """Wald interval estimate ± z·SE."""
    half = z_critical(level) * se
    return (estimate - half, estimate + half)


def student_ci(estimate: float, se: float, df: float, level: float) -> tuple[float, float]:
    """Student interval estimate ± t_df·SE."""
    half = t_critical(level, df) * se
    return (estimate - half, estimate + half)


def exp_interval(ci: tuple[float, float]) -> tuple[float, float]:
    """Back-transform a log-scale interval."""
    return (math.exp(ci[0]), math.exp(ci[1]))
