"""The 2026-12 SPEC amendments (SPEC 3.3, 3.4, 3.6, 3.9) against R (tests/reference/amend.R).

Welch's test deciding, Fisher's exact test for sparse tables, Newcombe's hybrid score
interval, NNT/NNH with Altman's interval, CR2 for logistic models as clubSandwich computes
it, and the SE of g_ANCOVA.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidencekit.stats import (
    StatsError,
    ancova_g_se,
    fisher_exact,
    newcombe_interval,
    number_needed,
    two_group_binary,
    two_group_continuous,
    wilson_interval,
)
from evidencekit.stats.clustered import cr2_glm, cr2_glm_exact
from evidencekit.stats.regression import logistic

REFERENCE = Path(__file__).resolve().parent.parent / "reference"
with (REFERENCE / "amend.json").open(encoding="utf-8") as _fh:
    G: dict[str, Any] = json.load(_fh)


def approx(x: float, rel: float = 1e-9) -> Any:
    return pytest.approx(x, rel=rel, abs=1e-13)


# -- Welch decides (SPEC 3.3) ------------------------------------------------------------


def test_welch_example_of_the_amendment() -> None:
    ref = G["welch_example"]
    r = two_group_continuous(20, 62.0, 30.0, 500, 54.0, 5.0)
    assert r.p_value_welch == approx(ref["p_value_welch"], 1e-7)  # 0.2479
    assert r.df_welch == approx(ref["df_welch"], 1e-7)
    assert r.se_welch == approx(ref["se_welch"], 1e-7)
    assert list(r.ci_welch) == [approx(v, 1e-7) for v in ref["ci_welch"]]
    assert r.p_value == approx(ref["p_value_student"], 1e-6)  # 4.4e-6, beside it
    assert r.p_value_welch > 0.2 and r.p_value < 1e-5


# -- Fisher's exact test (SPEC 3.6) ------------------------------------------------------


@pytest.mark.parametrize("row", G["fisher"]["rows"], ids=lambda r: f"{r['events_t']}/{r['n_t']}"
                         f"-{r['events_c']}/{r['n_c']}")
def test_fisher_and_the_expected_count_rule_match_r(row: dict[str, Any]) -> None:
    a, nt, c, nc = row["events_t"], row["n_t"], row["events_c"], row["n_c"]
    assert fisher_exact(a, nt - a, c, nc - c) == approx(row["p_fisher"], 1e-10)
    b = two_group_binary(nt, a, nc, c)
    assert b.expected_min == approx(row["expected_min"])
    assert b.p_value_fisher == approx(row["p_fisher"], 1e-10)
    if row["expected_min"] < 5:
        assert (b.test, b.p_value) == ("fisher_exact", b.p_value_fisher)
    else:
        assert (b.test, b.p_value) == ("log_odds_ratio_z", b.p_value_wald)


def test_sparse_table_of_the_amendment() -> None:
    # 0/130 vs 7/136: Wald on the corrected table p = 0.064; Fisher 0.0146 decides.
    b = two_group_binary(130, 0, 136, 7)
    assert b.test == "fisher_exact"
    assert b.p_value == approx(0.01457161141150847, 1e-10)
    assert b.p_value_wald == pytest.approx(0.0639, abs=1e-4)


def test_expected_count_boundary_is_strict() -> None:
    # Expected counts exactly 5 (10/20 vs 0/20 → column of 10 events: 20·10/40 = 5): Wald.
    assert two_group_binary(20, 10, 20, 0).expected_min == 5.0
    assert two_group_binary(20, 10, 20, 0).test == "log_odds_ratio_z"
    assert two_group_binary(20, 9, 20, 0).test == "fisher_exact"  # 4.5


def test_fisher_symmetry_and_bounds() -> None:
    assert fisher_exact(3, 7, 9, 1) == approx(fisher_exact(9, 1, 3, 7), 1e-12)
    assert fisher_exact(3, 7, 9, 1) == approx(fisher_exact(7, 3, 1, 9), 1e-12)
    assert fisher_exact(5, 5, 5, 5) == 1.0
    with pytest.raises(StatsError):
        fisher_exact(-1, 2, 3, 4)


# -- Newcombe's hybrid score interval (SPEC 3.6) -----------------------------------------

# Newcombe (1998), Stat. Med. 17:873-890, Table II, method 10, to 4 decimals — his worked
# examples (a)-(h). Our values also match the R implementation in amend.R to 1e-12.
NEWCOMBE_TABLE_II = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize(("counts", "published"), NEWCOMBE_TABLE_II)
def test_newcombe_worked_examples(counts: tuple[int, int, int, int],
                                  published: tuple[float, float]) -> None:
    lo, hi = newcombe_interval(*counts)
    assert (round(lo, 4), round(hi, 4)) == published


@pytest.mark.parametrize("row", G["newcombe"]["rows"], ids=lambda r: f"{r['events_t']}/{r['n_t']}"
                         f"-{r['events_c']}/{r['n_c']}")
def test_newcombe_matches_r(row: dict[str, Any]) -> None:
    lo, hi = newcombe_interval(row["events_t"], row["n_t"], row["events_c"], row["n_c"])
    assert (lo, hi) == (approx(row["lower"], 1e-12), approx(row["upper"], 1e-12))


def test_zero_events_in_both_groups_is_not_zero_width() -> None:
    b = two_group_binary(118, 0, 105, 0)
    assert b.risk_difference == 0.0
    assert b.ci_rd[0] < 0 < b.ci_rd[1]
    assert b.ci_rd == (approx(-0.0352941, 1e-5), approx(0.0315283, 1e-5))
    assert b.ci_rd_wald == (0.0, 0.0)  # what was reported before


def test_wilson_matches_prop_test_and_limits() -> None:
    # R: prop.test(56, 70, correct = FALSE)$conf.int = 0.69183356, 0.87695261
    lo, hi = wilson_interval(56, 70)
    assert (lo, hi) == (approx(0.69183356, 1e-7), approx(0.87695261, 1e-7))
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == 1.0
    with pytest.raises(StatsError):
        wilson_interval(11, 10)


@given(st.integers(1, 300), st.integers(1, 300), st.data())
def test_newcombe_contains_the_estimate_and_stays_in_range(nt: int, nc: int,
                                                           data: st.DataObject) -> None:
    et, ec = data.draw(st.integers(0, nt)), data.draw(st.integers(0, nc))
    lo, hi = newcombe_interval(et, nt, ec, nc)
    d = et / nt - ec / nc
    assert -1 - 1e-12 <= lo <= d <= hi <= 1 + 1e-12
    assert hi - lo > 0


# -- NNT / NNH with Altman's interval (SPEC 3.6) -----------------------------------------


def test_harm_is_labelled_nnh() -> None:
    ref = G["nnh"]
    b = two_group_binary(200, 40, 200, 20)
    n = number_needed(b.risk_difference, b.ci_rd, -1)  # lower is better: more events = harm
    assert n.label == "NNH" and n.estimate == approx(ref["nnh"])
    assert n.ci is not None and list(n.ci) == [approx(v, 1e-12) for v in ref["ci"]]
    assert not n.through_infinity


def test_benefit_is_labelled_nnt() -> None:
    ref = G["nnt"]
    b = two_group_binary(130, 0, 136, 7)
    n = number_needed(b.risk_difference, b.ci_rd, -1)
    assert n.label == "NNT" and n.estimate == approx(ref["nnt"])
    assert n.ci is not None and list(n.ci) == [approx(v, 1e-12) for v in ref["ci"]]
    # The same counts with higher-is-better are a harm.
    assert number_needed(b.risk_difference, b.ci_rd, 1).label == "NNH"


def test_interval_through_infinity() -> None:
    ref = G["nn_infinity"]
    b = two_group_binary(40, 12, 40, 20)
    n = number_needed(b.risk_difference, b.ci_rd, 1)
    assert n.label == "NNH" and n.estimate == approx(ref["nnh"])
    assert n.through_infinity and n.ci is None
    assert n.nnt_limit == approx(ref["nnt_limit"], 1e-12)
    assert n.nnh_limit == approx(ref["nnh_limit"], 1e-12)


def test_no_difference_has_no_label() -> None:
    n = number_needed(0.0, (-0.03, 0.03), 1)
    assert (n.label, n.estimate, n.through_infinity) == (None, math.inf, True)
    assert number_needed(0.1, (0.0, 0.2), 1).nnh_limit is None
    with pytest.raises(StatsError):
        number_needed(0.1, (0.0, 0.2), 0)


# -- CR2 for logistic models as clubSandwich (SPEC 3.9) ----------------------------------


def _glm_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    import csv

    with (REFERENCE / "amend_glm.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    y = np.array([float(r["y"]) for r in rows])
    treat = np.array([1.0 if r["arm"] == "T" else 0.0 for r in rows])
    pre = np.array([float(r["pre"]) for r in rows])
    school = np.array([r["school"] for r in rows])
    return y, treat, pre, school


def test_logistic_cr2_matches_clubsandwich() -> None:
    ref = G["glm_cr2"]
    y, treat, pre, school = _glm_data()
    fit = logistic(y, [treat, pre], names=["treat", "pre"], clusters=school)
    assert list(fit.estimates) == [approx(v, 1e-8) for v in ref["estimate"]]
    assert fit.robust is not None and fit.robust_exact
    assert list(fit.robust.se) == [approx(v, 1e-8) for v in ref["se"]]
    assert list(fit.robust.df) == [approx(v, 1e-8) for v in ref["df"]]
    assert list(fit.robust.p_value) == [approx(v, 1e-7) for v in ref["p_value"]]


def test_glm_dense_limit_falls_back_to_the_whitened_model(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    from evidencekit.stats import clustered

    y, treat, pre, school = _glm_data()
    fit = logistic(y, [treat, pre], names=["treat", "pre"])
    x = np.column_stack([np.ones(y.size), treat, pre])
    eta = x @ np.array(fit.estimates)
    mu = 1 / (1 + np.exp(-eta))
    exact, ok = cr2_glm_exact(fit.estimates, x, mu * (1 - mu), y - mu, school)
    assert ok
    monkeypatch.setattr(clustered, "GLM_DENSE_LIMIT", 0)
    approx_fit, ok2 = cr2_glm_exact(fit.estimates, x, mu * (1 - mu), y - mu, school)
    assert not ok2
    assert approx_fit.se[1] != approx(exact.se[1], 1e-6)
    assert approx_fit.se[1] == approx(exact.se[1], 1e-2)


def test_cr2_glm_with_constant_weights_equals_the_low_rank_path() -> None:
    # Treatment only, clusters within arms: weights constant in each cluster.
    y, treat, _, school = _glm_data()
    fit = logistic(y, [treat], names=["treat"], clusters=school)
    x = np.column_stack([np.ones(y.size), treat])
    mu = 1 / (1 + np.exp(-(x @ np.array(fit.estimates))))
    w = mu * (1 - mu)
    w[0] *= 1 + 1e-15  # below the constant-weight tolerance
    again = cr2_glm(fit.estimates, x, w, y - mu, school)
    assert fit.robust is not None
    assert again.se[1] == approx(fit.robust.se[1], 1e-12)


def test_cr2_glm_rejects_bad_input() -> None:
    x = np.column_stack([np.ones(4), [0.0, 0, 1, 1]])
    with pytest.raises(StatsError, match="at least 2 clusters"):
        cr2_glm([0.0, 0.0], x, np.full(4, 0.25), np.zeros(4), [1, 1, 1, 1])
    with pytest.raises(StatsError, match="positive weights"):
        cr2_glm([0.0, 0.0], x, np.zeros(4), np.zeros(4), [1, 1, 2, 2])
    with pytest.raises(StatsError, match="n×k"):
        cr2_glm([0.0], x, np.full(4, 0.25), np.zeros(4), [1, 1, 2, 2])


# -- g_ANCOVA's SE (SPEC 3.2, 3.4) -------------------------------------------------------


def test_ancova_g_se_includes_the_g_squared_term() -> None:
    r = ancova_g_se(0.4, 1.2, 8.0, 13, 13)
    from evidencekit.stats import hedges_j

    plain = hedges_j(24) * 1.2 / 8.0
    assert r == approx(math.sqrt(plain**2 + 0.16 / 52), 1e-12)
    # At N = 26 the term is not negligible: weights differ by more than 10%.
    assert (r / plain) ** 2 > 1.1
    with pytest.raises(StatsError):
        ancova_g_se(0.4, 0.0, 8.0, 13, 13)


# -- edges found by mutation testing ------------------------------------------------------


def test_binary_fields_and_level() -> None:
    b = two_group_binary(85, 44, 90, 30, level=0.9)
    assert (b.n_t, b.events_t, b.n_c, b.events_c, b.level) == (85, 44, 90, 30, 0.9)
    assert (b.p_t, b.p_c) == (44 / 85, 30 / 90)
    assert b.z == approx(b.log_odds_ratio / b.se_log_or, 1e-12)
    assert b.ci_rd == newcombe_interval(44, 85, 30, 90, level=0.9)
    assert b.ci_rd != newcombe_interval(44, 85, 30, 90)


def test_newcombe_at_another_level() -> None:
    # Independent computation of Wilson limits at 90% (z = 1.6448536...).
    from scipy.stats import norm

    z = float(norm.ppf(0.95))

    def wil(x: int, n: int) -> tuple[float, float]:
        p = x / n
        c, h, d = 2 * n * p + z * z, z * math.sqrt(z * z + 4 * n * p * (1 - p)), 2 * (n + z * z)
        return (c - h) / d, (c + h) / d

    (l1, u1), (l2, u2) = wil(56, 70), wil(48, 80)
    dd = 56 / 70 - 48 / 80
    expected = (dd - math.sqrt((56 / 70 - l1) ** 2 + (u2 - 48 / 80) ** 2),
                dd + math.sqrt((u1 - 56 / 70) ** 2 + (48 / 80 - l2) ** 2))
    got = newcombe_interval(56, 70, 48, 80, level=0.9)
    assert got == (approx(expected[0], 1e-12), approx(expected[1], 1e-12))
    assert wilson_interval(1, 10)[0] > 0.0  # only 0 events give a lower limit of exactly 0


def test_number_needed_edges() -> None:
    benefit = number_needed(-0.05, (-0.1, -0.02), -1)
    assert benefit.through_infinity is False and benefit.label == "NNT"
    assert benefit.ci == (approx(10.0, 1e-12), approx(50.0, 1e-12))
    harm = number_needed(0.05, (0.02, 0.1), -1)
    assert harm.through_infinity is False and harm.label == "NNH"
    assert harm.ci == (approx(10.0, 1e-12), approx(50.0, 1e-12))
    harm_up = number_needed(-0.05, (-0.1, -0.02), 1)
    assert harm_up.label == "NNH" and harm_up.ci == (approx(10.0, 1e-12), approx(50.0, 1e-12))
    # An RD interval ending exactly at 0 runs through infinity, with one finite limit.
    edge = number_needed(-0.1, (-0.2, 0.0), 1)
    assert edge.through_infinity and edge.ci is None
    assert (edge.nnt_limit, edge.nnh_limit) == (None, approx(5.0, 1e-12))
    edge2 = number_needed(0.1, (0.0, 0.2), 1)
    assert (edge2.nnt_limit, edge2.nnh_limit) == (approx(5.0, 1e-12), None)
    # Asymmetric interval and the sign: (−0.3, 0.1) favourable when lower is better.
    m = number_needed(-0.1, (-0.3, 0.1), -1)
    assert (m.label, m.nnt_limit, m.nnh_limit) == ("NNT", approx(10 / 3, 1e-12), approx(10.0))


def test_cox_index_nan_message() -> None:
    from evidencekit.stats import cox_index

    with pytest.raises(StatsError, match=r"^p_t must be a finite number, but it is nan$"):
        cox_index(float("nan"), 0.5)


def test_continuous_fields_and_edges() -> None:
    from evidencekit.stats import difference_in_differences, hedges_j

    r = two_group_continuous(20, 5.5, 0.5, 22, 4.0, 0.4)
    assert (r.mean_t, r.mean_c, r.sd_t, r.sd_c) == (5.5, 4.0, 0.5, 0.4)
    assert r.j == hedges_j(40)
    assert r.glass_delta == approx(1.5 / 0.4, 1e-12)  # an SD below 1 still gives Δ
    with pytest.raises(StatsError, match=re.escape(
            "the standard deviations are too small relative to the means for a test to be "
            "computed (SDs 1e-150 and 1e-150)")):
        two_group_continuous(20, 1e300, 1e-150, 20, -1e300, 1e-150)
    d = difference_in_differences(r, r, 0.5, level=0.9)
    assert d.level == 0.9
    half = 1.6448536269514722 * d.se
    assert d.ci == (approx(d.g_did - half, 1e-9), approx(d.g_did + half, 1e-9))
