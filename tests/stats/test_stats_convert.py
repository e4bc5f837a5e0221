"""Effects from published statistics (SPEC 3.10)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from evidencekit.stats import (
    StatsError,
    from_f,
    from_g_se,
    from_mean_difference_ci,
    from_odds_ratio_ci,
    from_p,
    from_t,
    two_group_continuous,
)

Golden = Callable[[str], dict[str, Any]]
Z95 = 1.959963984540054


def test_from_t_matches_escalc(golden: Golden) -> None:
    # metafor 3.8-1 escalc(measure="SMD", ti, n1i, n2i); p = 2*pt(-|t|, df) (smd.R)
    for row in golden("smd")["from_t"]["rows"]:
        r = from_t(row["t"], row["n_t"], row["n_c"])
        assert r.df == row["n_t"] + row["n_c"] - 2
        assert r.g == pytest.approx(row["g"], rel=1e-10, abs=1e-15)
        assert r.se_g**2 == pytest.approx(row["vi"], rel=1e-10)
        assert r.p_value == pytest.approx(row["p_value"], rel=1e-9)
        assert r.d == pytest.approx(row["t"] * math.sqrt(1 / row["n_t"] + 1 / row["n_c"]))


def test_from_p_matches_qt_and_escalc(golden: Golden) -> None:
    # R: t = sign*qt(1-p/2, df); metafor 3.8-1 escalc(measure="SMD", ti=t, ...) (smd.R)
    for row in golden("smd")["from_p"]["rows"]:
        r = from_p(row["p"], int(row["sign"]), row["n_t"], row["n_c"])
        assert r.t == pytest.approx(row["t"], rel=1e-10, abs=1e-15)
        assert r.g == pytest.approx(row["g"], rel=1e-10, abs=1e-15)
        assert r.se_g**2 == pytest.approx(row["vi"], rel=1e-10)
        assert r.p_value == row["p"]  # kept exactly as reported


def test_from_t_agrees_with_summary_route() -> None:
    full = two_group_continuous(40, 12.0, 3.0, 44, 10.5, 3.4)
    r = from_t(full.t, 40, 44)
    assert r.g == pytest.approx(full.g, rel=1e-12)
    assert r.se_g == pytest.approx(full.se_g, rel=1e-12)
    assert r.p_value == pytest.approx(full.p_value, rel=1e-10)
    assert r.ci_g == pytest.approx(full.ci_g, rel=1e-12)


def test_from_f_is_from_t_of_the_root() -> None:
    assert from_f(2.41**2, 1, 48, 51).g == pytest.approx(from_t(2.41, 48, 51).g, rel=1e-14)
    assert from_f(4.0, -1, 30, 30).t == -2.0


def test_from_g_se_by_hand() -> None:
    r = from_g_se(0.25, 0.10)
    assert r.z == pytest.approx(2.5)
    assert r.p_value == pytest.approx(math.erfc(2.5 / math.sqrt(2)), rel=1e-12)
    assert r.ci == pytest.approx((0.25 - Z95 * 0.1, 0.25 + Z95 * 0.1), rel=1e-12)


def test_from_mean_difference_ci_by_hand() -> None:
    # SPEC 3.10: SE = (upper − lower)/3.92; normal p.
    r = from_mean_difference_ci(2.8, 0.87, 4.73)
    assert r.se == pytest.approx(3.86 / 3.92, rel=1e-14)
    assert r.z == pytest.approx(2.8 / (3.86 / 3.92), rel=1e-14)
    assert (r.d, r.g, r.se_g, r.ci_g) == (None, None, None, None)
    assert r.ci == (0.87, 4.73)
    r = from_mean_difference_ci(2.8, 0.87, 4.73, sd=10.0)
    assert r.d == pytest.approx(0.28) and r.g is None
    r = from_mean_difference_ci(2.8, 0.87, 4.73, sd=10.0, n_t=212, n_c=205)
    full = two_group_continuous(212, 12.8, 10.0, 205, 10.0, 10.0)
    assert r.g == pytest.approx(full.g, rel=1e-12)
    assert r.se_g == pytest.approx(full.se_g, rel=1e-12)


def test_from_odds_ratio_ci_recovers_bcg_row(golden: Golden) -> None:
    # A 95% CI built from metafor's escalc("OR") yi, vi for dat.bcg trial 1 gives back
    # SE = √vi up to 1.96/1.959964 (the 3.92 convention of SPEC 3.10).
    row = golden("binary")["bcg"]["rows"][0]
    se = math.sqrt(row["var_log_or"])
    lo, hi = math.exp(row["log_or"] - 1.96 * se), math.exp(row["log_or"] + 1.96 * se)
    r = from_odds_ratio_ci(math.exp(row["log_or"]), lo, hi)
    assert r.log_odds_ratio == pytest.approx(row["log_or"], rel=1e-12)
    assert r.se_log_or == pytest.approx(se, rel=1e-12)
    assert r.cox_index == pytest.approx(row["log_or"] / 1.65, rel=1e-12)
    assert r.se_cox == pytest.approx(se / 1.65, rel=1e-12)
    assert r.p_value == pytest.approx(math.erfc(abs(row["log_or"] / se) / math.sqrt(2)))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: from_p(0.0, 1, 20, 20), r"p-value must lie in \(0, 1\]"),
        (lambda: from_p(1.2, 1, 20, 20), r"p-value must lie in \(0, 1\]"),
        (lambda: from_p(0.04, 0, 20, 20), "sign must be 1 or -1"),
        (lambda: from_t(2.0, 1, 20), "n_t must be at least 2"),
        (lambda: from_f(-1.0, 1, 20, 20), "F statistic cannot be negative"),
        (lambda: from_g_se(0.2, 0.0), "se must be greater than zero"),
        (lambda: from_mean_difference_ci(2.0, 3.0, 1.0), "lower bound .* exceeds its upper"),
        (lambda: from_mean_difference_ci(2.0, 2.0, 2.0), "zero width"),
        (lambda: from_mean_difference_ci(5.0, 1.0, 3.0), "lies outside its confidence"),
        (lambda: from_mean_difference_ci(2.0, 1.0, 3.0, sd=0.0), "sd must be greater"),
        (lambda: from_odds_ratio_ci(0.0, 0.5, 2.0), "must be positive"),
        (lambda: from_odds_ratio_ci(1.5, -0.5, 2.0), "must be positive"),
        (lambda: from_odds_ratio_ci(1.5, 2.0, 1.0), "exceeds its upper"),
    ],
)
def test_convert_errors(call: Callable[[], object], match: str) -> None:
    with pytest.raises(StatsError, match=match):
        call()
