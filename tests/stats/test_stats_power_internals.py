"""Power internals the pwr goldens reach only through their results: the bisection, the
fallback when scipy's noncentral-t ufunc gives up, the cluster search over even J, the
small-n edges and the refusals (mutation testing, issue #11 item 7)."""

from __future__ import annotations

import math
import re

import pytest

from evidencekit.stats import StatsError
from evidencekit.stats import power as pw


def test_root_bisects_to_the_tolerance() -> None:
    r = pw._root(lambda x: x * x - 2, 0.0, 2.0, 1e-12)
    assert r == pytest.approx(math.sqrt(2), abs=2e-12)
    assert pw._root(lambda x: x - 0.5, 0.0, 1.0, 1e-3) == pytest.approx(0.5, abs=1e-3)
    # a large root: the tolerance is relative
    assert pw._root(lambda x: x - 1e6, 0.0, 4e6, 1e-12) == pytest.approx(1e6, rel=1e-11)
    # a root at an end of the bracket is accepted
    assert pw._root(lambda x: x, 0.0, 1.0, 1e-9) == pytest.approx(0.0, abs=1e-9)
    assert pw._root(lambda x: x - 1.0, 0.0, 1.0, 1e-9) == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize(("f", "lo", "hi"), [
    (lambda x: x - 2, 0.0, 1.0),          # both below zero
    (lambda x: x + 1, 0.0, 1.0),          # both above zero
    (lambda x: float("nan"), 0.0, 1.0),   # cannot be evaluated at the ends
    (lambda x: float("nan") if x > 0.5 else x - 1, 0.0, 1.0),
    (lambda x: float("nan") if x < 0.5 else x, 0.0, 1.0),
])
def test_root_refuses_an_unbracketed_root(f, lo: float, hi: float) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=r"^the root is not bracketed$"):
        pw._root(f, lo, hi, 1e-9)


def test_root_stops_when_the_function_fails_inside() -> None:
    def f(x: float) -> float:
        return float("nan") if 0.2 < x < 0.8 else x - 0.5

    with pytest.raises(ValueError, match=r"^the function could not be evaluated$"):
        pw._root(f, 0.0, 1.0, 1e-9)


@pytest.mark.parametrize(("d", "n"), [(0.3, 50.0), (0.8, 12.0), (-0.5, 30.0)])
def test_power_fallback_when_the_ufunc_gives_up(monkeypatch: pytest.MonkeyPatch, d: float,
                                                n: float) -> None:
    exact = pw._power(d, n, 0.05)
    monkeypatch.setattr(pw.special, "nctdtr", lambda *a: float("nan"))
    assert pw._power(d, n, 0.05) == pytest.approx(exact, rel=1e-9)


def test_clusters_for_mdes_is_the_smallest_even_j() -> None:
    for g, kw in ((0, {}), (3, {"r2_level2": 0.5}), (1, {"r2_level1": 0.3})):
        j = pw.clusters_for_mdes(0.3, 20, 0.15, covariates=g, **kw)
        assert j % 2 == 0
        assert pw.cluster_mdes(j, 20, 0.15, covariates=g, **kw) <= 0.3
        if j - 2 >= g + 3:
            assert pw.cluster_mdes(j - 2, 20, 0.15, covariates=g, **kw) > 0.3
    # covariates cost degrees of freedom: never fewer clusters with more covariates
    assert pw.clusters_for_mdes(0.5, 20, 0.15, covariates=4) >= pw.clusters_for_mdes(0.5, 20,
                                                                                        0.15)
    # a huge MDES needs only the fewest clusters that have degrees of freedom
    assert pw.clusters_for_mdes(50.0, 20, 0.15) == 4
    assert pw.clusters_for_mdes(50.0, 20, 0.15, covariates=3) == 6
    # an MDES met exactly at J is met at J
    j = pw.clusters_for_mdes(0.3, 20, 0.15)
    assert pw.clusters_for_mdes(pw.cluster_mdes(j, 20, 0.15), 20, 0.15) == j


def test_clusters_for_mdes_refusals() -> None:
    with pytest.raises(StatsError, match=r"^covariates must be at least 0, but it is -1$"):
        pw.clusters_for_mdes(0.3, 20, 0.15, covariates=-1)
    with pytest.raises(StatsError, match=r"^covariates must be a whole number, but it is 1.5$"):
        pw.clusters_for_mdes(0.3, 20, 0.15, covariates=1.5)  # type: ignore[arg-type]
    with pytest.raises(StatsError, match=re.escape(
            f"an MDES of 1e-06 needs more than {2**31} clusters")):
        pw.clusters_for_mdes(1e-6, 20, 0.5)


def test_paired_n_edges() -> None:
    # a change so large that 2 pairs already have the power: 2 is returned
    assert pw.paired_n_for(40.0) == 2.0
    n = pw.paired_n_for(0.3)
    assert pw.paired_power(0.3, n) == pytest.approx(0.8, abs=1e-9)
    assert pw.paired_power(0.3, n - 0.01) < 0.8
    n_big = pw.paired_n_for(0.01, power=0.99)  # beyond the first bracket 16/d²: it doubles
    assert pw.paired_power(0.01, n_big) == pytest.approx(0.99, abs=1e-9) and n_big > 16e4
    assert pw.paired_n_for(-0.3) == pytest.approx(n, rel=1e-12)
    with pytest.raises(StatsError, match=re.escape("a change of 1e-05 needs more than 1e9 pairs")):
        pw.paired_n_for(1e-5, power=0.99)
    with pytest.raises(StatsError, match=re.escape("power must exceed alpha (0.5), but it is 0.4")):
        pw.paired_n_for(0.3, alpha=0.5, power=0.4)


def test_paired_mdes_edges() -> None:
    assert pw.paired_mdes(2.0001) > 0
    with pytest.raises(StatsError, match=r"^n_pairs must exceed 2, but it is 2\.0$"):
        pw.paired_mdes(2.0)
    # 3 pairs at power 0.99: the first bracket 4/√n + 1 is too small and doubles
    d = pw.paired_mdes(3.0, power=0.99)
    assert d > 4 / math.sqrt(3) + 1
    assert pw.paired_power(d, 3.0) == pytest.approx(0.99, abs=1e-9)


def test_defaults_are_alpha_05_and_power_80() -> None:
    assert pw.proportions_power(0.3, 100, 120) == pw.proportions_power(0.3, 100, 120, 0.05)
    assert pw.paired_power(0.3, 30) == pw.paired_power(0.3, 30, 0.05)
    assert pw.two_sample_power(0.3, 50) == pw.two_sample_power(0.3, 50, 0.05)
    assert pw.proportions_mdes_h(100, 120) == pw.proportions_mdes_h(100, 120, 0.05, 0.8)


def test_cluster_level_r2_and_degrees_of_freedom_messages() -> None:
    with pytest.raises(StatsError, match=re.escape(
            "r2_level2 is a proportion of variance explained and must lie in [0, 1), but it is "
            "1.0")):
        pw.cluster_mdes(20, 25, 0.1, r2_level2=1.0)
    with pytest.raises(StatsError, match=r"^r2_level1 must be a finite number, but it is nan$"):
        pw.cluster_mdes(20, 25, 0.1, r2_level1=float("nan"))
    with pytest.raises(StatsError, match=re.escape(
            "5 clusters leave no degrees of freedom with 3 cluster-level covariates "
            "(J − g − 2 = 0); use at least 6 clusters")):
        pw.cluster_mdes(5, 25, 0.1, covariates=3)
    assert pw.cluster_mdes(6, 25, 0.1, covariates=3) > 0
    with pytest.raises(StatsError, match=r"^covariates must be at least 0, but it is -1$"):
        pw.cluster_mdes(20, 25, 0.1, covariates=-1)
