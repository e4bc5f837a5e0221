"""Benjamini–Hochberg (SPEC 3.12) and interpretation aids (SPEC 3.14)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidencekit.stats import (
    EEF_MONTHS_LOWER_EDGES,
    StatsError,
    benjamini_hochberg,
    eef_months,
    improvement_index,
)

Golden = Callable[[str], dict[str, Any]]


def test_bh_matches_p_adjust(golden: Golden) -> None:
    # R 4.2.2 p.adjust(p, method="BH"), incl. Benjamini & Hochberg (1995) sec. 4.1 (misc.R)
    for case in golden("misc")["bh"]:
        p = np.atleast_1d(case["p"]).tolist()
        expected = np.atleast_1d(case["adjusted"]).tolist()
        assert benjamini_hochberg(p) == pytest.approx(tuple(expected), rel=1e-12)


def test_bh_edge_cases() -> None:
    assert benjamini_hochberg([]) == ()
    assert benjamini_hochberg([0.03]) == (0.03,)
    assert benjamini_hochberg((0.0, 1.0)) == (0.0, 1.0)
    with pytest.raises(StatsError, match=r"\[0, 1\]"):
        benjamini_hochberg([0.5, 1.5])
    with pytest.raises(StatsError, match="NaN"):
        benjamini_hochberg([0.5, math.nan])


@given(st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=40))
def test_bh_is_at_least_raw_and_monotone(p: list[float]) -> None:
    adj = benjamini_hochberg(p)
    assert len(adj) == len(p)
    assert all(a >= raw and a <= 1 for a, raw in zip(adj, p, strict=True))
    order = sorted(range(len(p)), key=p.__getitem__)
    ranked = [adj[i] for i in order]
    assert all(x <= y for x, y in itertools.pairwise(ranked))


def test_improvement_index(golden: Golden) -> None:
    # WWC Procedures Handbook 4.1: g = 0.25 → +9.87 percentile points; R 100*pnorm(g)-50.
    assert round(improvement_index(0.25), 2) == 9.87
    ref = golden("misc")["improvement_index"]
    for g, index in zip(ref["g"], ref["index"], strict=True):
        assert improvement_index(g) == pytest.approx(index, rel=1e-12, abs=1e-12)


def test_eef_months_band_edges() -> None:
    # SPEC 3.14 bands: months = number of lower edges ≤ |g|.
    assert eef_months(0.0) == 0 and eef_months(0.0199) == 0
    for months, edge in enumerate(EEF_MONTHS_LOWER_EDGES, start=1):
        assert eef_months(edge) == months
        assert eef_months(-edge) == -months
        assert eef_months(edge - 0.001) == months - 1
    assert eef_months(0.09) == 1 and eef_months(0.095) == 1 and eef_months(0.18) == 2
    assert eef_months(0.87) == 10 and eef_months(3.0) == 12


@given(st.floats(min_value=-5, max_value=5))
def test_eef_months_symmetric_and_monotone(g: float) -> None:
    assert eef_months(-g) == -eef_months(g)
    assert eef_months(g + 0.01) >= eef_months(g)
