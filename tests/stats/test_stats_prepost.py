"""One-group pre-post: paired t-tests from R, d_z and d_av by hand (SPEC 3.5)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from evidencekit.stats import StatsError, pre_post_rows, pre_post_summary

Golden = Callable[[str], dict[str, Any]]


def test_rows_match_paired_t_test(golden: Golden) -> None:
    # R 4.2.2 t.test(extra[group==2], extra[group==1], paired=TRUE), datasets::sleep
    # (tests/reference/misc.R): t = 4.0621, df = 9, p = 0.002833.
    ref = golden("misc")["paired_rows"]
    r = pre_post_rows(ref["pre"], ref["post"])
    assert r.n == 10 and r.df == ref["df"]
    assert r.t == pytest.approx(ref["t"], rel=1e-10)
    assert r.p_value == pytest.approx(ref["p_value"], rel=1e-9)
    assert r.ci == pytest.approx(tuple(ref["ci"]), rel=1e-10)
    assert r.mean_change == pytest.approx(ref["mean_change"], rel=1e-12)
    assert r.sd_change == pytest.approx(ref["sd_change"], rel=1e-12)
    assert r.r == pytest.approx(ref["r"], rel=1e-12)
    assert not r.r_assumed
    assert r.d_z == pytest.approx(ref["mean_change"] / ref["sd_change"], rel=1e-12)
    s_pre, s_post = np.std(ref["pre"], ddof=1), np.std(ref["post"], ddof=1)
    assert r.d_av == pytest.approx(ref["mean_change"] / math.sqrt((s_pre**2 + s_post**2) / 2))


def test_rows_accept_arrays() -> None:
    a = pre_post_rows(np.array([1.0, 2.0, 4.0]), np.array([2.0, 2.5, 6.0]))
    b = pre_post_rows([1.0, 2.0, 4.0], [2.0, 2.5, 6.0])
    assert a == b


def test_summary_matches_paired_t_test(golden: Golden) -> None:
    # R 4.2.2 t.test(post, pre, paired=TRUE) on pairs built with n = 30, pre 50/10,
    # post 55/12, r = 0.6 exactly (tests/reference/misc.R).
    ref = golden("misc")["paired_summary"]
    r = pre_post_summary(
        ref["n"], ref["mean_pre"], ref["sd_pre"], ref["mean_post"], ref["sd_post"], r=ref["r"]
    )
    assert r.t == pytest.approx(ref["t"], rel=1e-9)
    assert r.df == ref["df"]
    assert r.p_value == pytest.approx(ref["p_value"], rel=1e-9)
    assert r.ci == pytest.approx(tuple(ref["ci"]), rel=1e-9)
    # By hand (SPEC 3.5): SD change = √(100 + 144 − 2·0.6·120) = 10; d_av = 5/√122.
    assert r.sd_change == pytest.approx(10.0, rel=1e-14)
    assert r.d_z == pytest.approx(0.5, rel=1e-14)
    assert r.d_av == pytest.approx(5 / math.sqrt(122), rel=1e-14)


def test_summary_assumes_r_half() -> None:
    r = pre_post_summary(25, 10.0, 3.0, 12.0, 4.0)
    assert r.r == 0.5 and r.r_assumed
    assert r.sd_change == pytest.approx(math.sqrt(9 + 16 - 12), rel=1e-14)


def test_constant_pretest_rows_have_no_correlation() -> None:
    r = pre_post_rows([5, 5, 5, 5], [6, 7, 5, 8])
    assert r.r is None
    assert r.mean_change == pytest.approx(1.5)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n": 1}, "n must be at least 2"),
        ({"sd_pre": -1.0}, "cannot be negative"),
        ({"r": -1.5}, r"must lie in \[-1, 1\]"),
        ({"sd_pre": 4.0, "sd_post": 4.0, "r": 1.0}, "SD of change is zero"),
    ],
)
def test_summary_errors(kwargs: dict[str, Any], match: str) -> None:
    args: dict[str, Any] = {
        "n": 20,
        "mean_pre": 1.0,
        "sd_pre": 1.0,
        "mean_post": 2.0,
        "sd_post": 1.0,
        "r": 0.5,
    }
    args.update(kwargs)
    with pytest.raises(StatsError, match=match):
        pre_post_summary(**args)


def test_rows_errors() -> None:
    with pytest.raises(StatsError, match="pre has 3 values and post has 2"):
        pre_post_rows([1, 2, 3], [1, 2])
    with pytest.raises(StatsError, match="at least 2 values"):
        pre_post_rows([1], [2])
    with pytest.raises(StatsError, match="NaN"):
        pre_post_rows([1, 2, math.nan], [1, 2, 3])
    with pytest.raises(StatsError, match="SD of change is zero"):
        pre_post_rows([1, 2, 3], [2, 3, 4])
