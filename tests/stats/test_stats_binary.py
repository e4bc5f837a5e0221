"""Binary outcomes: golden values from metafor escalc on dat.bcg, zero cells, properties."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidencekit.stats import StatsError, cox_index, cox_index_from_counts, two_group_binary

Golden = Callable[[str], dict[str, Any]]
REL = 1e-10


def test_bcg_or_rr_rd_match_escalc(golden: Golden) -> None:
    # metafor 3.8-1 escalc(measure="OR"|"RR"|"RD") on dat.bcg (metadat 1.2-0), all 13 rows;
    # p = 2*pnorm(-abs(yi/sqrt(vi))) of the OR (tests/reference/binary.R).
    rows = golden("binary")["bcg"]["rows"]
    assert len(rows) == 13
    for row in rows:
        r = two_group_binary(row["n_t"], row["events_t"], row["n_c"], row["events_c"])
        assert not r.corrected
        assert r.log_odds_ratio == pytest.approx(row["log_or"], rel=REL)
        assert r.se_log_or**2 == pytest.approx(row["var_log_or"], rel=REL)
        assert r.log_risk_ratio == pytest.approx(row["log_rr"], rel=REL)
        assert r.se_log_rr**2 == pytest.approx(row["var_log_rr"], rel=REL)
        assert r.risk_difference == pytest.approx(row["rd"], rel=REL)
        assert r.se_rd**2 == pytest.approx(row["var_rd"], rel=REL)
        # The golden p is the Wald test; with an expected count below 5 Fisher decides
        # (SPEC 3.6, amended 2026-12; tests/stats/test_stats_amend.py).
        assert r.p_value_wald == pytest.approx(row["p_value"], rel=1e-9)
        assert r.p_value == (r.p_value_fisher if r.expected_min < 5 else r.p_value_wald)
        assert r.odds_ratio == pytest.approx(math.exp(row["log_or"]), rel=REL)
        assert r.risk_ratio == pytest.approx(math.exp(row["log_rr"]), rel=REL)
        assert r.cox_index == pytest.approx(row["log_or"] / 1.65, rel=REL)
        assert r.se_cox == pytest.approx(math.sqrt(row["var_log_or"]) / 1.65, rel=REL)


def test_zero_cells_match_escalc_correction(golden: Golden) -> None:
    # metafor 3.8-1 escalc("OR"|"RR") default add=1/2, to="only0" (tests/reference/binary.R)
    for row in golden("binary")["zero_cells"]["rows"]:
        r = two_group_binary(row["n_t"], row["events_t"], row["n_c"], row["events_c"])
        assert r.corrected
        assert r.log_odds_ratio == pytest.approx(row["log_or"], rel=REL, abs=1e-15)
        assert r.se_log_or**2 == pytest.approx(row["var_log_or"], rel=REL)
        assert r.log_risk_ratio == pytest.approx(row["log_rr"], rel=REL, abs=1e-15)
        assert r.se_log_rr**2 == pytest.approx(row["var_log_rr"], rel=REL)


def test_risk_difference_uses_raw_proportions_even_with_zero_cells() -> None:
    # SPEC 3.6 / brief: RD is never corrected (metafor's escalc("RD") would add 1/2 here).
    r = two_group_binary(10, 0, 10, 3)
    assert r.risk_difference == pytest.approx(-0.3, rel=1e-14)
    assert r.se_rd == pytest.approx(math.sqrt(0.3 * 0.7 / 10), rel=1e-14)
    assert r.nnt == pytest.approx(1 / 0.3, rel=1e-14)


def test_nnt_is_infinite_without_difference() -> None:
    r = two_group_binary(40, 10, 80, 20)
    assert r.risk_difference == 0 and r.nnt == math.inf


def test_intervals_by_hand() -> None:
    # Wald intervals on the log scale, back-transformed (SPEC 3.6), z = 1.959963984540054.
    r = two_group_binary(85, 44, 90, 30)
    z = 1.959963984540054
    assert r.ci_log_or == pytest.approx(
        (r.log_odds_ratio - z * r.se_log_or, r.log_odds_ratio + z * r.se_log_or), rel=1e-12
    )
    assert r.ci_or == pytest.approx(tuple(math.exp(x) for x in r.ci_log_or), rel=1e-12)
    assert r.ci_rr == pytest.approx(
        (
            math.exp(r.log_risk_ratio - z * r.se_log_rr),
            math.exp(r.log_risk_ratio + z * r.se_log_rr),
        ),
        rel=1e-12,
    )
    assert r.ci_cox == pytest.approx(tuple(x / 1.65 for x in r.ci_log_or), rel=1e-12)
    assert r.ci_rd[0] < r.risk_difference < r.ci_rd[1]


def test_cox_index_of_proportions() -> None:
    # WWC Cox index by hand: (logit 0.3 − logit 0.25)/1.65.
    expected = (math.log(0.3 / 0.7) - math.log(0.25 / 0.75)) / 1.65
    assert cox_index(0.30, 0.25) == pytest.approx(expected, rel=1e-14)
    assert cox_index_from_counts(100, 30, 100, 25) == pytest.approx(expected, rel=1e-12)
    # zero cell: 0.5 added to every cell → ln((0.5·45.5)/(50.5·5.5))/1.65
    assert cox_index_from_counts(50, 0, 50, 5) == pytest.approx(
        math.log((0.5 * 45.5) / (50.5 * 5.5)) / 1.65, rel=1e-14
    )


counts = st.integers(min_value=1, max_value=500).flatmap(
    lambda n: st.tuples(st.just(n), st.integers(min_value=0, max_value=n))
)


@settings(deadline=None, max_examples=200)
@given(counts, counts)
def test_swapping_groups_flips_signs(t: tuple[int, int], c: tuple[int, int]) -> None:
    a = two_group_binary(t[0], t[1], c[0], c[1])
    b = two_group_binary(c[0], c[1], t[0], t[1])
    assert b.risk_difference == pytest.approx(-a.risk_difference, abs=1e-15)
    assert b.log_odds_ratio == pytest.approx(-a.log_odds_ratio, rel=1e-12, abs=1e-12)
    assert b.log_risk_ratio == pytest.approx(-a.log_risk_ratio, rel=1e-12, abs=1e-12)
    assert b.cox_index == pytest.approx(-a.cox_index, rel=1e-12, abs=1e-12)
    assert b.p_value == pytest.approx(a.p_value, rel=1e-9, abs=1e-300)
    assert b.corrected == a.corrected
    assert a.ci_log_or[0] <= a.log_odds_ratio <= a.ci_log_or[1]
    assert a.ci_rr[0] <= a.risk_ratio <= a.ci_rr[1]
    assert a.ci_rd[0] <= a.risk_difference <= a.ci_rd[1]


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((10, 11, 10, 3), "treatment group has 11 events but only 10 participants"),
        ((10, 1, 10, 12), "control group has 12 events"),
        ((0, 0, 10, 3), "n_t must be at least 1"),
        ((10, -1, 10, 3), "events_t must be at least 0"),
        ((10, 1.5, 10, 3), "whole number"),
    ],
)
def test_binary_errors(args: tuple[Any, ...], match: str) -> None:
    with pytest.raises(StatsError, match=match):
        two_group_binary(*args)


@pytest.mark.parametrize(("p_t", "p_c"), [(0.0, 0.3), (0.3, 1.0), (1.2, 0.3)])
def test_cox_index_needs_open_proportions(p_t: float, p_c: float) -> None:
    with pytest.raises(StatsError, match="cox_index_from_counts"):
        cox_index(p_t, p_c)
