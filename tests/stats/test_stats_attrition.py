"""WWC attrition boundaries (SPEC 3.7) and baseline equivalence (SPEC 3.8)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidencekit.stats import (
    CAUTIOUS_BOUNDARY,
    OPTIMISTIC_BOUNDARY,
    StatsError,
    attrition,
    attrition_verdict,
    baseline_verdict,
)


def test_tables_cover_the_printed_ranges() -> None:
    # SPEC 3.7 (WWC Standards Handbook 4.1): cautious 0..57%, optimistic 0..65%.
    assert len(CAUTIOUS_BOUNDARY) == 58 and len(OPTIMISTIC_BOUNDARY) == 66
    assert (CAUTIOUS_BOUNDARY[0], CAUTIOUS_BOUNDARY[10], CAUTIOUS_BOUNDARY[57]) == (5.7, 6.3, 0.0)
    assert (OPTIMISTIC_BOUNDARY[0], OPTIMISTIC_BOUNDARY[30], OPTIMISTIC_BOUNDARY[65]) == (
        10.0,
        8.2,
        0.3,
    )


def test_thirty_percent_overall_six_points_differential() -> None:
    # SPEC 3.7 tables: 30% overall allows 4.1 points (cautious) and 8.2 (optimistic).
    assert attrition_verdict(0.30, 0.06, "cautious") == "high"
    assert attrition_verdict(0.30, 0.06, "optimistic") == "low"
    a = attrition(100, 100, 73, 67)  # rates 27% and 33%: overall 30%, differential 6 points
    assert a.overall == pytest.approx(0.30) and a.differential == pytest.approx(0.06)
    assert (a.overall_percent, a.max_differential, a.verdict) == (30, 4.1, "high")
    b = attrition(100, 100, 73, 67, boundary="optimistic")
    assert (b.max_differential, b.verdict) == (8.2, "low")


def test_rates_from_counts() -> None:
    a = attrition(600, 600, 540, 552)
    assert a.rate_t == pytest.approx(0.10) and a.rate_c == pytest.approx(0.08)
    assert a.overall == pytest.approx(108 / 1200)
    assert (a.assigned_t, a.assigned_c, a.analysed_t, a.analysed_c) == (600, 600, 540, 552)
    assert a.boundary == "cautious" and a.verdict == "low"


def test_overall_rounds_half_up_despite_float_noise() -> None:
    # 0.145 is stored as 0.14499999999999999; 14.5% must round to 15%, not 14%.
    a = attrition(200, 200, 171, 171)
    assert a.overall == 0.145 and a.overall_percent == 15
    assert attrition(100, 100, 88, 87).overall_percent == 13  # 12.5% → 13
    assert attrition(1000, 1000, 871, 870).overall_percent == 13  # 12.95% → 13
    # Differential exactly on the boundary is low: 15% overall allows 5.9 points.
    assert attrition_verdict(0.145, 0.059, "cautious") == "low"
    assert attrition_verdict(0.145, 0.0591, "cautious") == "high"


def test_beyond_the_table_is_high() -> None:
    a = attrition(100, 100, 40, 40)
    assert a.overall_percent == 60 and a.max_differential is None and a.verdict == "high"
    assert attrition_verdict(0.575, 0.0, "cautious") == "high"  # rounds to 58%
    assert attrition_verdict(0.574, 0.0, "cautious") == "low"  # 57% allows 0.0 points
    assert attrition_verdict(0.65, 0.002, "optimistic") == "low"


@given(
    st.floats(min_value=0, max_value=1),
    st.floats(min_value=0, max_value=1),
    st.floats(min_value=0, max_value=1),
    st.sampled_from(["cautious", "optimistic"]),
)
def test_more_differential_never_lowers_attrition(
    overall: float, diff: float, extra: float, boundary: str
) -> None:
    more = min(1.0, diff + extra)
    if attrition_verdict(overall, diff, boundary) == "high":
        assert attrition_verdict(overall, more, boundary) == "high"
    if attrition_verdict(overall, more, boundary) == "low":
        assert attrition_verdict(overall, diff, boundary) == "low"


def test_attrition_errors() -> None:
    with pytest.raises(StatsError, match="treatment group has 101 analysed but only 100"):
        attrition(100, 100, 101, 90)
    with pytest.raises(StatsError, match="control group has 120 analysed"):
        attrition(100, 100, 90, 120)
    with pytest.raises(StatsError, match="assigned_t must be at least 1"):
        attrition(0, 100, 0, 90)
    with pytest.raises(StatsError, match="boundary must be 'cautious' or 'optimistic'"):
        attrition(100, 100, 90, 90, boundary="liberal")
    with pytest.raises(StatsError, match=r"must lie in \[0, 1\]"):
        attrition_verdict(1.2, 0.0)


def test_baseline_verdict_bands() -> None:
    # WWC Standards Handbook 4.1 / SPEC 3.8: ≤ 0.05 satisfied, ≤ 0.25 adjustment, else not.
    assert baseline_verdict(0.0) == "satisfied"
    assert baseline_verdict(0.05) == "satisfied"
    assert baseline_verdict(-0.05) == "satisfied"
    assert baseline_verdict(0.0501) == "adjustment_required"
    assert baseline_verdict(-0.25) == "adjustment_required"
    assert baseline_verdict(0.2501) == "not_satisfied"
    assert baseline_verdict(0.2, satisfied=0.1, adjustable=0.15) == "not_satisfied"


def test_baseline_errors() -> None:
    with pytest.raises(StatsError, match="satisfied ≤ adjustable"):
        baseline_verdict(0.1, satisfied=0.3, adjustable=0.2)
    with pytest.raises(StatsError, match="finite"):
        baseline_verdict(float("nan"))
