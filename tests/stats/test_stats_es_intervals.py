"""Noncentral-t effect-size intervals and Morris's d_ppc2 against R.

Golden values: tests/reference/es_intervals.R (effectsize 0.8.3 ``cohens_d``, ``hedges_g``,
``glass_delta``, ``cohens_d(paired = TRUE)``; the same intervals re-solved with uniroot;
Morris 2008 coded in R).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from evidencekit.stats import StatsError
from evidencekit.stats import es_intervals as es

Golden = Callable[[str], dict[str, Any]]


def test_two_group_intervals_match_effectsize(golden: Golden) -> None:
    for row in golden("es_intervals")["two_group"]["rows"].values():
        nt, nc = row["nt"], row["nc"]
        d = es.smd_ci_noncentral(row["d"], nt, nc)
        assert d == pytest.approx(tuple(row["d_ci_exact"]), rel=1e-9)
        assert d == pytest.approx(tuple(row["d_ci_effectsize"]), abs=1e-4)
        g = es.smd_ci_noncentral(row["g"], nt, nc, hedges=True)
        assert g == pytest.approx(tuple(row["g_ci_exact"]), rel=1e-9)
        assert g == pytest.approx(tuple(row["g_ci_effectsize"]), abs=1e-4)
        delta = es.glass_delta_ci_noncentral(row["delta"], nt, nc, row["st"], row["sc"])
        assert delta == pytest.approx(tuple(row["delta_ci_exact"]), rel=1e-9)
        assert delta == pytest.approx(tuple(row["delta_ci_effectsize"]), abs=1e-4)


def test_paired_intervals(golden: Golden) -> None:
    for row in golden("es_intervals")["paired"]["rows"].values():
        dz = es.d_z_ci_noncentral(row["d_z"], row["n"])
        assert dz == pytest.approx(tuple(row["d_z_ci_exact"]), rel=1e-9)
        assert dz == pytest.approx(tuple(row["d_z_ci_effectsize"]), abs=1e-4)
        dav = es.d_av_ci_noncentral(row["mean_change"], row["sd_change"], row["sd_pre"],
                                    row["sd_post"], row["n"])
        assert dav == pytest.approx(tuple(row["d_av_ci_exact"]), rel=1e-9)


def test_morris_ppc2(golden: Golden) -> None:
    for row in golden("es_intervals")["morris_ppc2"]["rows"]:
        r = es.morris_ppc2(row["mpt"], row["mqt"], row["mpc"], row["mqc"], row["spt"],
                           row["spc"], row["nt"], row["nc"], correlation=row["rho"])
        assert r.estimate == pytest.approx(row["d"], rel=1e-12)
        assert r.variance == pytest.approx(row["var"], rel=1e-12)
    # Morris (2008)'s worked example: d_ppc2 = 0.77
    first = golden("es_intervals")["morris_ppc2"]["rows"][0]
    ex = es.morris_ppc2(first["mpt"], first["mqt"], first["mpc"], first["mqc"], first["spt"],
                        first["spc"], first["nt"], first["nc"], correlation=first["rho"])
    assert round(ex.estimate, 2) == 0.77


def test_morris_assumes_half_correlation_and_says_so() -> None:
    r = es.morris_ppc2(10, 12, 10, 10.5, 3, 3, 30, 30)
    assert r.correlation == 0.5 and r.correlation_assumed


def test_noncentral_interval_is_not_symmetric_about_d() -> None:
    lo, hi = es.smd_ci_noncentral(1.5, 10, 10)
    assert abs((hi - 1.5) - (1.5 - lo)) > 0.02


@pytest.mark.parametrize("call, match", [
    (lambda: es.morris_ppc2(1, 2, 1, 1, 1, 1, 2, 2), "more than 4 people"),
    (lambda: es.morris_ppc2(1, 2, 1, 1, 0, 0, 10, 10), "pretest standard deviation"),
    (lambda: es.smd_ci_noncentral(0.5, 1, 10), "n_treatment must be at least 2"),
    (lambda: es.d_av_ci_noncentral(1, 0, 1, 1, 10), "sd_change must be greater than zero"),
])
def test_bad_inputs(call: Callable[[], object], match: str) -> None:
    with pytest.raises(StatsError, match=match):
        call()
