"""Knapp–Hartung, prediction and Q-profile intervals against metafor (SPEC 3.13).

Golden values: tests/reference/pooling_extra.R (metafor 3.8-1 ``rma(test=)``,
``predict.rma``, ``confint.rma``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from evidencekit.stats import StatsError, pool, q_profile_tau2

Golden = Callable[[str], dict[str, Any]]
SETS = ["bcg", "normand", "bcg_k2", "bcg_k3", "bcg_k5", "normand_k2", "normand_k3",
        "homogeneous_k3"]
FITS = [f"{m}_{t}" for m in ("DL", "REML") for t in ("z", "knha", "adhoc")]


@pytest.mark.parametrize("fit", FITS)
@pytest.mark.parametrize("name", SETS)
def test_matches_metafor(golden: Golden, name: str, fit: str) -> None:
    data = golden("pooling_extra")[name]
    ref = data["fits"][fit]
    r = pool(data["yi"], data["sei"], ref["method"], test=ref["test"])
    assert (r.method, r.test) == (ref["method"], ref["test"])
    rel = 1e-7
    assert r.random == pytest.approx(ref["estimate"], rel=rel, abs=1e-12)
    assert r.se_random == pytest.approx(ref["se"], rel=rel)
    assert r.ci_random == pytest.approx(tuple(ref["ci"]), rel=rel, abs=1e-10)
    assert r.statistic == pytest.approx(ref["statistic"], rel=rel)
    assert r.p_value == pytest.approx(ref["p_value"], rel=1e-6)
    assert r.df == (ref["df"] or None)
    assert r.tau2 == pytest.approx(ref["tau2"], rel=1e-6, abs=1e-12)
    assert r.pi == pytest.approx(tuple(ref["pi"]), rel=1e-6, abs=1e-10)
    assert r.tau2_ci is not None and r.i2_ci is not None
    if ref["tau2_ci"][1] == 100:
        # confint.rma searches τ² only up to tau2.max = 100 and reports the cap (with a
        # warning); the true Q-profile bound lies beyond it (k = 2: χ²₁ at 0.025 is 0.00098).
        assert r.tau2_ci[0] == pytest.approx(ref["tau2_ci"][0], abs=1e-9)
        assert r.tau2_ci[1] > 100 and r.i2_ci[1] > ref["i2_ci"][1]
        return
    assert r.tau2_ci == pytest.approx(tuple(ref["tau2_ci"]), rel=1e-6, abs=1e-9)
    assert r.i2_ci == pytest.approx(tuple(ref["i2_ci"]), rel=1e-6, abs=1e-7)


def test_adhoc_never_narrower_than_z_but_knha_can_be(golden: Golden) -> None:
    data = golden("pooling_extra")["homogeneous_k3"]
    z = pool(data["yi"], data["sei"], test="z")
    kh = pool(data["yi"], data["sei"], test="knha")
    ad = pool(data["yi"], data["sei"], test="adhoc")
    assert kh.knha_scale is not None and kh.knha_scale < 1
    assert ad.knha_scale == 1.0
    assert ad.ci_random[1] - ad.ci_random[0] > z.ci_random[1] - z.ci_random[0]
    assert kh.se_random < z.se_random


def test_k2_interval_uses_one_degree_of_freedom(golden: Golden) -> None:
    data = golden("pooling_extra")["bcg_k2"]
    r = pool(data["yi"], data["sei"], test="knha")
    assert r.df == 1
    half = (r.ci_random[1] - r.ci_random[0]) / 2
    assert half / r.se_random == pytest.approx(12.706204736174707, rel=1e-12)


def test_single_estimate_has_no_intervals_and_falls_back_to_z() -> None:
    r = pool([0.3], [0.1], test="knha")
    assert (r.test, r.df, r.pi, r.tau2_ci, r.i2_ci, r.knha_scale) == ("z", None, None, None,
                                                                       None, None)


def test_q_profile_bounds_solve_the_chi_square_equations() -> None:
    y, se = [0.1, 0.5, 0.9, -0.2, 0.4], [0.1, 0.15, 0.2, 0.12, 0.3]
    lo, hi = q_profile_tau2(y, se)
    from scipy import stats

    def q(t: float) -> float:
        w = [1 / (s * s + t) for s in se]
        mu = sum(wi * yi for wi, yi in zip(w, y, strict=True)) / sum(w)
        return sum(wi * (yi - mu) ** 2 for wi, yi in zip(w, y, strict=True))

    assert q(lo) == pytest.approx(stats.chi2.ppf(0.975, 4), rel=1e-9)
    assert q(hi) == pytest.approx(stats.chi2.ppf(0.025, 4), rel=1e-9)


@pytest.mark.parametrize("bad", ["hksj", "Z", ""])
def test_unknown_test_is_refused(bad: str) -> None:
    with pytest.raises(StatsError, match="test must be"):
        pool([0.1, 0.2], [0.1, 0.1], test=bad)
