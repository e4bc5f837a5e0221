"""Clustering corrections (SPEC 3.9)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from scipy import stats

from evidencekit.stats import StatsError, hedges_2007_g_cluster, smd_se, wwc_cluster_correction

Golden = Callable[[str], dict[str, Any]]


def test_wwc_example_is_not_significant(golden: Golden) -> None:
    # g = 0.30, 200 + 200 pupils in 20 clusters, ICC 0.20: WWC Procedures Handbook 4.1
    # formula evaluated independently in R 4.2.2 (tests/reference/misc.R): p ≈ 0.18.
    ref = golden("misc")["wwc_cluster"]
    c = wwc_cluster_correction(0.30, smd_se(0.30, 200, 200), 200, 200, 20, 0.20)
    assert c.se_g == pytest.approx(ref["se_g"], rel=1e-12)
    assert c.t == pytest.approx(ref["t"], rel=1e-12)
    assert c.t_adjusted == pytest.approx(ref["t_adjusted"], rel=1e-12)
    assert c.df == pytest.approx(ref["df"], rel=1e-12)
    assert c.p_value == pytest.approx(ref["p_value"], rel=1e-9)
    assert round(c.p_value, 2) == 0.18 and c.p_value > 0.05
    assert (c.n_total, c.clusters, c.cluster_size, c.icc) == (400, 20, 20.0, 0.20)


def test_zero_icc_reduces_to_unadjusted_t(golden: Golden) -> None:
    ref = golden("misc")["wwc_cluster"]
    c = wwc_cluster_correction(0.30, smd_se(0.30, 200, 200), 200, 200, 20, 0.0)
    assert c.t_adjusted == c.t
    assert c.df == pytest.approx(398.0, rel=1e-14)
    assert c.p_value == pytest.approx(ref["p_unadjusted"], rel=1e-9)
    assert c.p_value == pytest.approx(2 * stats.t.sf(c.t, 398), rel=1e-12)


def test_correction_shrinks_t_as_icc_grows() -> None:
    ts = [wwc_cluster_correction(0.3, 0.1, 150, 170, 16, rho).t_adjusted for rho in (0, 0.05, 0.2)]
    assert ts[0] > ts[1] > ts[2] > 0


def test_hedges_2007_cluster_g() -> None:
    # Hedges (2007) d_T: g·√(1 − 2(n−1)ρ/(N−2)), by hand.
    assert hedges_2007_g_cluster(0.30, 400, 20, 0.20) == pytest.approx(
        0.30 * math.sqrt(1 - 2 * 19 * 0.2 / 398), rel=1e-14
    )
    assert hedges_2007_g_cluster(0.30, 400, 20, 0.0) == 0.30


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((0.3, 0.1, 200, 200, 20, 1.0), r"icc must lie in \[0, 1\)"),
        ((0.3, 0.1, 200, 200, 20, -0.1), r"icc must lie in \[0, 1\)"),
        ((0.3, 0.0, 200, 200, 20, 0.1), "se_g must be greater than zero"),
        ((0.3, 0.1, 5, 5, 11, 0.1), "more clusters"),
        ((0.3, 0.1, 200, 200, 1, 0.1), "clusters must be at least 2"),
    ],
)
def test_cluster_errors(args: tuple[Any, ...], match: str) -> None:
    with pytest.raises(StatsError, match=match):
        wwc_cluster_correction(*args)


def test_hedges_2007_errors() -> None:
    with pytest.raises(StatsError, match="cluster_size must lie between 1 and half"):
        hedges_2007_g_cluster(0.3, 40, 30, 0.1)
