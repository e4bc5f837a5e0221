"""Power and MDES against pwr::pwr.t.test and Bloom's formula (SPEC 3.11)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidencekit.stats import (
    StatsError,
    cluster_mdes,
    clusters_for_mdes,
    mdes,
    n_per_group_for,
    two_sample_power,
)

Golden = Callable[[str], dict[str, Any]]


def test_mdes_matches_pwr(golden: Golden) -> None:
    # pwr 1.3-0 pwr.t.test(n=, sig.level=, power=)$d (uniroot tol ≈ 1.2e-4), and the same
    # equation re-solved in R to tol 1e-13 ("d_exact") (tests/reference/power.R).
    for row in golden("power")["mdes"]["rows"]:
        d = mdes(row["n"], alpha=row["alpha"], power=row["power"])
        assert d == pytest.approx(row["d_exact"], rel=1e-7)
        assert d == pytest.approx(row["d_pwr"], abs=1e-4)


def test_n_per_group_matches_pwr(golden: Golden) -> None:
    # pwr 1.3-0 pwr.t.test(d=, sig.level=, power=)$n and the tol-1e-13 re-solve (power.R).
    for row in golden("power")["n_per_group"]["rows"]:
        n = n_per_group_for(row["d"], alpha=row["alpha"], power=row["power"])
        assert n == pytest.approx(row["n_exact"], rel=1e-7)
        assert n == pytest.approx(row["n_pwr"], abs=1e-4)
    # Cohen's classic: d = 0.5, α = .05, power .8 → 64 per group after rounding up.
    assert int(-(-n_per_group_for(0.5) // 1)) == 64
    assert n_per_group_for(-0.5) == n_per_group_for(0.5)


def test_power_matches_pwr(golden: Golden) -> None:
    # pwr 1.3-0 pwr.t.test(n=, d=, sig.level=)$power (tests/reference/power.R)
    for row in golden("power")["power"]["rows"]:
        assert two_sample_power(row["d"], row["n"], row["alpha"]) == pytest.approx(
            row["power"], rel=1e-8
        )


def test_cluster_mdes_matches_bloom(golden: Golden) -> None:
    # Bloom (2006) formula evaluated in R 4.2.2 with qt() (tests/reference/power.R)
    for row in golden("power")["cluster_mdes"]["rows"]:
        value = cluster_mdes(
            int(row["J"]), row["n"], row["rho"], row["alpha"], row["power"], row["P"]
        )
        assert value == pytest.approx(row["mdes"], rel=1e-10)


def test_cluster_mdes_multiplier_tends_to_2_8() -> None:
    # Bloom (2006): for many clusters M ≈ 2.80 (α = .05 two-sided, power .80).
    j, n = 100_000, 10
    assert cluster_mdes(j, n, 0.0) == pytest.approx(2.8016 * (4 / (j * n)) ** 0.5, rel=1e-4)


def test_clusters_for_mdes_is_the_smallest_even_total() -> None:
    j = clusters_for_mdes(0.30, 25, 0.20)
    assert j % 2 == 0
    assert cluster_mdes(j, 25, 0.20) <= 0.30 < cluster_mdes(j - 2, 25, 0.20)
    assert clusters_for_mdes(5.0, 25, 0.20) == 4


@settings(deadline=None, max_examples=60)
@given(st.floats(min_value=2.5, max_value=5000), st.floats(min_value=1.01, max_value=3))
def test_mdes_decreases_with_n(n: float, factor: float) -> None:
    assert mdes(n * factor) < mdes(n)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: mdes(1), "n_per_group must exceed 1"),
        (lambda: mdes(50, alpha=0.0), "alpha must lie strictly between 0 and 1"),
        (lambda: mdes(50, power=0.04), "power must exceed alpha"),
        (lambda: n_per_group_for(0.0), "effect size of zero"),
        (lambda: cluster_mdes(2, 20, 0.1), "clusters must be at least 3"),
        (lambda: cluster_mdes(20, 0.5, 0.1), "cluster_size must be at least 1"),
        (lambda: cluster_mdes(20, 20, 1.5), r"icc must lie in \[0, 1\]"),
        (lambda: cluster_mdes(20, 20, 0.1, p_treated=1.0), "p_treated must lie strictly"),
        (lambda: clusters_for_mdes(0.0, 20, 0.1), "mdes must be greater than zero"),
    ],
)
def test_power_errors(call: Callable[[], object], match: str) -> None:
    with pytest.raises(StatsError, match=match):
        call()
