"""Fixed- and random-effects pooling against metafor rma() (SPEC 3.13)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidencekit.stats import StatsError, pool

Golden = Callable[[str], dict[str, Any]]
DATASETS = ["bcg_log_rr", "normand1999_smd"]


def _check(result: Any, ref: dict[str, Any], rel: float) -> None:
    assert result.k == ref["k"]
    assert result.random == pytest.approx(ref["estimate"], rel=rel)
    assert result.se_random == pytest.approx(ref["se"], rel=rel)
    assert result.ci_random == pytest.approx(tuple(ref["ci"]), rel=rel)
    assert result.z == pytest.approx(ref["z"], rel=rel)
    assert result.p_value == pytest.approx(ref["p_value"], rel=rel * 10)
    assert result.tau2 == pytest.approx(ref["tau2"], rel=rel)
    assert result.i2_percent == pytest.approx(ref["i2"], rel=rel)
    assert result.q == pytest.approx(ref["qe"], rel=1e-10)
    assert result.q_df == ref["k"] - 1
    assert result.q_p_value == pytest.approx(ref["qe_p"], rel=1e-8)
    assert result.fixed == pytest.approx(ref["fixed"], rel=1e-10)
    assert result.se_fixed == pytest.approx(ref["se_fixed"], rel=1e-10)
    assert result.ci_fixed == pytest.approx(tuple(ref["ci_fixed"]), rel=1e-10)


@pytest.mark.parametrize("name", DATASETS)
def test_dl_matches_metafor(golden: Golden, name: str) -> None:
    # metafor 3.8-1 rma(yi, vi, method="DL") and method="FE" (tests/reference/pooling.R);
    # bcg: escalc("RR") on dat.bcg; normand: escalc("SMD") on dat.normand1999.
    data = golden("pooling")[name]
    result = pool(data["yi"], data["sei"], "DL")
    assert result.method == "DL"
    _check(result, data["DL"], rel=1e-10)


@pytest.mark.parametrize("name", DATASETS)
def test_reml_matches_metafor(golden: Golden, name: str) -> None:
    # metafor 3.8-1 rma(yi, vi, method="REML", control=list(threshold=1e-12)); with
    # metafor's default threshold (1e-5) τ² agrees to about 1e-7 (tests/reference/pooling.R).
    data = golden("pooling")[name]
    result = pool(data["yi"], data["sei"], "REML")
    _check(result, data["REML_tight"], rel=1e-8)
    assert result.tau2 == pytest.approx(data["REML"]["tau2"], abs=1e-5)


def test_bcg_published_values(golden: Golden) -> None:
    # Viechtbauer (2010), J. Stat. Softw. 36(3), dat.bcg RR random-effects (REML):
    # estimate −0.7145, SE 0.1798, τ² 0.3132, I² 92.22%, Q(12) = 152.2330.
    data = golden("pooling")["bcg_log_rr"]
    r = pool(data["yi"], data["sei"], "REML")
    assert (round(r.random, 4), round(r.se_random, 4), round(r.tau2, 4)) == (
        -0.7145,
        0.1798,
        0.3132,
    )
    assert (round(r.i2_percent, 2), round(r.q, 4), r.q_df) == (92.22, 152.2330, 12)


def test_single_estimate() -> None:
    r = pool([0.3], [0.1], "REML")
    assert (r.k, r.fixed, r.random, r.se_random, r.tau2, r.i2_percent) == (
        1,
        0.3,
        0.3,
        0.1,
        0.0,
        0.0,
    )
    assert (r.q, r.q_df, r.q_p_value) == (0.0, 0, 1.0)


def test_homogeneous_estimates_have_zero_tau2() -> None:
    for method in ("DL", "REML"):
        r = pool([0.3, 0.3, 0.31], [0.1, 0.2, 0.1], method)
        assert r.tau2 == 0.0 and r.i2_percent == 0.0
        assert r.random == pytest.approx(r.fixed)


@settings(deadline=None, max_examples=100)
@given(
    st.lists(st.tuples(st.floats(-3, 3), st.floats(0.01, 2)), min_size=2, max_size=15),
    st.sampled_from(["DL", "REML"]),
)
def test_pooling_properties(data: list[tuple[float, float]], method: str) -> None:
    ys, ses = zip(*data, strict=True)
    r = pool(ys, ses, method)
    assert r.tau2 >= 0 and 0 <= r.i2_percent < 100
    assert min(ys) - 1e-9 <= r.random <= max(ys) + 1e-9
    assert r.se_random >= r.se_fixed - 1e-15
    assert r.ci_random[0] <= r.random <= r.ci_random[1]


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (([0.1, 0.2], [0.1]), "2 estimates and 1 standard errors"),
        (([], []), "at least 1 values"),
        (([0.1, 0.2], [0.1, 0.0]), "every standard error must be greater than zero"),
        (([0.1, 0.2], [0.1, 0.1], "PM"), "method must be 'DL' or 'REML'"),
    ],
)
def test_pooling_errors(args: tuple[Any, ...], match: str) -> None:
    with pytest.raises(StatsError, match=match):
        pool(*args)


def test_reml_where_fisher_scoring_oscillates(golden: Golden) -> None:
    # metafor 3.8-1 rma(method="REML") fails with default control ("Fisher scoring algorithm
    # did not converge") and converges with maxiter=10000 (tests/reference/pooling.R).
    ref = golden("pooling")["oscillating"]
    r = pool(ref["yi"], ref["sei"], "REML")
    assert r.tau2 == pytest.approx(ref["tau2"], rel=1e-8)
    assert r.random == pytest.approx(ref["estimate"], rel=1e-8)
    assert r.se_random == pytest.approx(ref["se"], rel=1e-8)
    assert r.i2_percent == pytest.approx(ref["i2"], rel=1e-8)
