"""Planning for two proportions, paired designs and cluster trials with covariates.

Golden values: tests/reference/power_extra.R (pwr 1.3-0 ``pwr.2p2n.test``, ``pwr.2p.test``,
``pwr.t.test(type = "paired")``; the PowerUp! CRA2_2 formula of Dong & Maynard 2013).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from evidencekit.stats import StatsError, power

Golden = Callable[[str], dict[str, Any]]


def _rows(golden: Golden, name: str) -> list[dict[str, Any]]:
    return list(golden("power_extra")[name]["rows"])


def test_two_proportions_match_pwr(golden: Golden) -> None:
    for r in _rows(golden, "proportions"):
        h = power.cohens_h(r["p1"], r["p2"])
        assert h == pytest.approx(r["h"], rel=1e-13)
        assert power.proportions_power(h, r["n1"], r["n2"], r["alpha"]) == pytest.approx(
            r["power"], rel=1e-10)
        # pwr solves with uniroot's default tolerance (≈1.2e-4)
        assert power.proportions_mdes_h(r["n1"], r["n2"], r["alpha"]) == pytest.approx(
            r["mdes_h"], rel=2e-4)
        assert power.proportions_n_for(h, r["alpha"]) == pytest.approx(r["n_equal"], rel=1e-6)
        if r.get("n1_given_n2") in (None, "NA"):
            with pytest.raises(StatsError, match="no treatment group is large enough"):
                power.proportions_n_for(h, r["alpha"], n_control=r["n2"])
        else:
            n1 = power.proportions_n_for(h, r["alpha"], n_control=r["n2"])
            assert n1 == pytest.approx(r["n1_given_n2"], rel=1e-5)


def test_paired_matches_pwr(golden: Golden) -> None:
    for r in _rows(golden, "paired"):
        assert power.paired_power(r["d"], r["n"], r["alpha"]) == pytest.approx(r["power"],
                                                                              rel=1e-9)
        assert power.paired_mdes(r["n"], r["alpha"]) == pytest.approx(r["mdes_exact"], rel=1e-9)
        assert power.paired_mdes(r["n"], r["alpha"]) == pytest.approx(r["mdes_pwr"], rel=1e-5)
        assert power.paired_n_for(r["d"], r["alpha"]) == pytest.approx(r["n_exact"], rel=1e-9)


def test_cluster_mdes_with_covariates_matches_powerup(golden: Golden) -> None:
    for r in _rows(golden, "cluster_covariates"):
        got = power.cluster_mdes(r["J"], r["n"], r["rho"], r["alpha"], r["power"], r["P"],
                                 r2_level1=r["R1"], r2_level2=r["R2"], covariates=r["g"])
        assert got == pytest.approx(r["mdes"], rel=1e-12)


def test_covariates_lower_the_clusters_needed() -> None:
    plain = power.clusters_for_mdes(0.3, 25, 0.2)
    with_cov = power.clusters_for_mdes(0.3, 25, 0.2, r2_level1=0.5, r2_level2=0.5, covariates=1)
    assert with_cov < plain
    assert power.cluster_mdes(with_cov, 25, 0.2, r2_level1=0.5, r2_level2=0.5,
                              covariates=1) <= 0.3
    assert power.cluster_mdes(with_cov - 2, 25, 0.2, r2_level1=0.5, r2_level2=0.5,
                              covariates=1) > 0.3


@pytest.mark.parametrize("kwargs, match", [
    ({"r2_level1": 1.0}, "r2_level1 is a proportion"),
    ({"r2_level2": -0.1}, "r2_level2 is a proportion"),
    ({"covariates": 2}, "no degrees of freedom"),
    ({"covariates": 1.5}, "covariates must be a whole number"),
])
def test_bad_covariate_terms(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(StatsError, match=match):
        power.cluster_mdes(4, 25, 0.2, **kwargs)


def test_equal_proportions_need_no_sample() -> None:
    with pytest.raises(StatsError, match="h = 0"):
        power.proportions_n_for(0.0)
    assert math.isclose(power.cohens_h(0.3, 0.3), 0.0)
