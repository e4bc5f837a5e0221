"""Two-group continuous effects: golden values from R/metafor and properties (SPEC 3.2–3.4)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from evidencekit.stats import (
    StatsError,
    difference_in_differences,
    hedges_j,
    smd_se,
    two_group_continuous,
)

Golden = Callable[[str], dict[str, Any]]
REL = 1e-10

ns = st.integers(min_value=2, max_value=2000)
means = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False)
sds = st.floats(min_value=0.01, max_value=100, allow_nan=False)


# --- golden values ---------------------------------------------------------------------------


def test_hedges_j_matches_metafor(golden: Golden) -> None:
    # metafor 3.8-1 metafor:::.cmicalc(m), tests/reference/smd.R
    ref = golden("smd")["hedges_j"]
    for m, j in zip(ref["m"], ref["j"], strict=True):
        assert hedges_j(m) == pytest.approx(j, rel=REL)


def test_hedges_j_is_close_to_wwc_approximation() -> None:
    # SPEC 3.2 says the WWC's 1 − 3/(4N − 9) differs by under 0.01% "at N ≥ 20"; by direct
    # computation the gap is 0.0104% at N = 20 and first falls below 0.01% at N = 21.
    assert hedges_j(18) == pytest.approx(1 - 3 / 71, rel=1.1e-4)
    for n_total in (21, 40, 400):
        assert hedges_j(n_total - 2) == pytest.approx(1 - 3 / (4 * n_total - 9), rel=1e-4)


def test_normand1999_escalc_smd_all_rows(golden: Golden) -> None:
    # metafor 3.8-1 escalc(measure="SMD", ...) on dat.normand1999 (metadat 1.2-0): yi, vi.
    rows = golden("smd")["normand1999_smd"]["rows"]
    assert len(rows) == 9
    for row in rows:
        res = two_group_continuous(
            row["n1i"], row["m1i"], row["sd1i"], row["n2i"], row["m2i"], row["sd2i"]
        )
        assert res.g == pytest.approx(row["yi"], rel=REL), row["source"]
        assert res.se_g**2 == pytest.approx(row["vi"], rel=REL), row["source"]


@pytest.mark.parametrize("case", ["sleep_ttest", "summary_ttest"])
def test_student_and_welch_match_t_test(golden: Golden, case: str) -> None:
    # R 4.2.2 t.test(x, y, var.equal=TRUE) and t.test(x, y) (Welch): datasets::sleep, and
    # samples with exactly the SPEC section 4 summary (tests/reference/smd.R).
    ref = golden("smd")[case]
    res = two_group_continuous(
        ref["n_t"], ref["mean_t"], ref["sd_t"], ref["n_c"], ref["mean_c"], ref["sd_c"]
    )
    assert res.t == pytest.approx(ref["t"], rel=1e-9)
    assert res.df == ref["df"]
    assert res.p_value == pytest.approx(ref["p_value"], rel=1e-9)
    assert res.se == pytest.approx(ref["se"], rel=1e-9)
    assert res.ci == pytest.approx(tuple(ref["ci"]), rel=1e-9)
    assert res.t_welch == pytest.approx(ref["t_welch"], rel=1e-9)
    assert res.df_welch == pytest.approx(ref["df_welch"], rel=1e-9)
    assert res.p_value_welch == pytest.approx(ref["p_value_welch"], rel=1e-9)
    assert res.se_welch == pytest.approx(ref["se_welch"], rel=1e-9)


def test_summary_g_matches_escalc(golden: Golden) -> None:
    # metafor 3.8-1 escalc("SMD", 54.1, 10.2, 212, 51.3, 9.8, 205) (tests/reference/smd.R)
    ref = golden("smd")["summary_ttest"]
    res = two_group_continuous(212, 54.1, 10.2, 205, 51.3, 9.8)
    assert res.g == pytest.approx(ref["g"], rel=REL)
    assert res.se_g**2 == pytest.approx(ref["vi"], rel=REL)
    assert res.ci_g == pytest.approx(
        (res.g - 1.959963984540054 * res.se_g, res.g + 1.959963984540054 * res.se_g), rel=1e-12
    )


def test_glass_delta_uses_control_sd() -> None:
    # By hand: (54.1 − 51.3)/9.8 = 0.285714…
    assert two_group_continuous(212, 54.1, 10.2, 205, 51.3, 9.8).glass_delta == pytest.approx(
        2.8 / 9.8, rel=1e-12
    )
    assert two_group_continuous(10, 5.0, 2.0, 10, 4.0, 0.0).glass_delta is None


def test_level_changes_both_intervals() -> None:
    r95 = two_group_continuous(30, 10.0, 2.0, 30, 9.0, 2.0)
    r90 = two_group_continuous(30, 10.0, 2.0, 30, 9.0, 2.0, level=0.90)
    assert r90.level == 0.90
    assert r95.ci[0] < r90.ci[0] < r90.ci[1] < r95.ci[1]
    assert r95.ci_g[0] < r90.ci_g[0] < r90.ci_g[1] < r95.ci_g[1]


def test_smd_se_formula() -> None:
    # SPEC 3.2 by hand: √(40/400 + 0.25/80) = √0.103125
    assert smd_se(0.5, 20, 20) == pytest.approx(math.sqrt(0.103125), rel=1e-14)


def test_difference_in_differences_by_hand() -> None:
    # WWC Procedures Handbook 4.1 difference-in-differences; SPEC 3.4 variance, by hand.
    pre = two_group_continuous(100, 50.0, 10.0, 100, 49.0, 10.0)
    post = two_group_continuous(120, 56.0, 10.0, 110, 51.0, 10.0)
    res = difference_in_differences(pre, post)
    g_did = post.g - pre.g
    var = 2 * 0.5 * (1 / 120 + 1 / 110) + g_did**2 / (2 * 230)
    assert res.g_did == pytest.approx(g_did, rel=1e-14)
    assert (res.g_pre, res.g_post) == (pre.g, post.g)
    assert res.r == 0.5 and res.r_assumed
    assert res.se == pytest.approx(math.sqrt(var), rel=1e-14)
    assert res.z == pytest.approx(g_did / math.sqrt(var), rel=1e-14)
    assert res.p_value == pytest.approx(math.erfc(abs(res.z) / math.sqrt(2)), rel=1e-12)
    given_r = difference_in_differences(pre, post, r=0.8)
    assert not given_r.r_assumed and given_r.r == 0.8
    assert given_r.se < res.se


# --- properties ------------------------------------------------------------------------------


@settings(deadline=None, max_examples=200)
@given(ns, means, sds, ns, means, sds)
def test_swapping_groups_flips_signs(
    n_t: int, m_t: float, s_t: float, n_c: int, m_c: float, s_c: float
) -> None:
    a = two_group_continuous(n_t, m_t, s_t, n_c, m_c, s_c)
    b = two_group_continuous(n_c, m_c, s_c, n_t, m_t, s_t)
    assert b.mean_difference == -a.mean_difference
    assert b.d == pytest.approx(-a.d, rel=1e-12, abs=1e-300)
    assert b.g == pytest.approx(-a.g, rel=1e-12, abs=1e-300)
    assert b.p_value == pytest.approx(a.p_value, rel=1e-9, abs=1e-300)
    assert b.p_value_welch == pytest.approx(a.p_value_welch, rel=1e-9, abs=1e-300)
    assert b.se_g == pytest.approx(a.se_g, rel=1e-12)


@settings(deadline=None, max_examples=200)
@given(ns, means, sds, ns, means, sds, st.floats(min_value=0.5, max_value=0.999))
def test_intervals_contain_estimates(
    n_t: int, m_t: float, s_t: float, n_c: int, m_c: float, s_c: float, level: float
) -> None:
    r = two_group_continuous(n_t, m_t, s_t, n_c, m_c, s_c, level=level)
    assert r.ci[0] <= r.mean_difference <= r.ci[1]
    assert r.ci_g[0] <= r.g <= r.ci_g[1]
    assert 0 <= r.p_value <= 1 and 0 <= r.p_value_welch <= 1


@settings(deadline=None, max_examples=200)
@given(ns, means, sds, ns, means, sds)
def test_g_is_shrunk_towards_zero(
    n_t: int, m_t: float, s_t: float, n_c: int, m_c: float, s_c: float
) -> None:
    r = two_group_continuous(n_t, m_t, s_t, n_c, m_c, s_c)
    assume(r.d != 0)
    assert abs(r.g) < abs(r.d)


@given(st.floats(min_value=1.001, max_value=1e6))
def test_j_is_in_unit_interval_and_increasing(m: float) -> None:
    j = hedges_j(m)
    assert 0 < j < 1
    assert hedges_j(m * 1.5 + 1) > j


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((1, 5.0, 1.0, 10, 4.0, 1.0), "n_t must be at least 2"),
        ((10, 5.0, 1.0, 0, 4.0, 1.0), "n_c must be at least 2"),
        ((10.5, 5.0, 1.0, 10, 4.0, 1.0), "whole number"),
        ((10, 5.0, -1.0, 10, 4.0, 1.0), "cannot be negative"),
        ((10, 5.0, 0.0, 10, 4.0, 0.0), "both groups have zero standard deviation"),
        ((10, math.nan, 1.0, 10, 4.0, 1.0), "finite"),
    ],
)
def test_two_group_errors(args: tuple[Any, ...], match: str) -> None:
    with pytest.raises(StatsError, match=match):
        two_group_continuous(*args)


def test_level_and_correlation_errors() -> None:
    with pytest.raises(StatsError, match="strictly between 0 and 1"):
        two_group_continuous(10, 5.0, 1.0, 10, 4.0, 1.0, level=1.0)
    pre = two_group_continuous(10, 5.0, 1.0, 10, 4.0, 1.0)
    with pytest.raises(StatsError, match=r"correlation and must lie in \[-1, 1\]"):
        difference_in_differences(pre, pre, r=1.2)
    with pytest.raises(StatsError, match="zero variance"):
        difference_in_differences(pre, pre, r=1.0)
    with pytest.raises(StatsError, match="above 1"):
        hedges_j(1)
    assert issubclass(StatsError, ValueError)
