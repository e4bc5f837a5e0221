"""Noncentral-t and Morris d_ppc2 pieces the effectsize goldens reach only partly: the
bracketing of the noncentrality root, Morris's interval and pooled pretest SD, and the
exact refusals (mutation testing, issue #11 item 7)."""

from __future__ import annotations

import math
import re

import pytest
from scipy import special

from evidencekit.stats import StatsError
from evidencekit.stats import es_intervals as es


@pytest.mark.parametrize(("t", "df", "prob"), [
    (2.0, 20.0, 0.975), (2.0, 20.0, 0.025), (60.0, 8.0, 0.975), (60.0, 8.0, 0.025),
    (-45.0, 5.0, 0.975), (-45.0, 5.0, 0.025), (0.0, 3.0, 0.5), (25.0, 400.0, 0.999),
])
def test_solve_ncp_solves_the_cdf_equation(t: float, df: float, prob: float) -> None:
    lam = es._solve_ncp(t, df, prob)
    assert float(special.nctdtr(df, lam, t)) == pytest.approx(prob, abs=1e-10)
    # the root is bracketed tightly: a step of 1e-6 either side crosses prob
    assert float(special.nctdtr(df, lam - 1e-6, t)) > prob > float(
        special.nctdtr(df, lam + 1e-6, t))


def test_ncp_interval_brackets_t() -> None:
    lo, hi = es.ncp_t_interval(60.0, 8.0)
    assert lo < 60.0 < hi and hi - lo > 20   # beyond the first bracket t ± max(10, |t|)/…
    assert es.ncp_t_interval(60.0, 8.0, 0.5)[0] > lo


ARGS = (10.0, 12.0, 10.2, 11.0, 2.0, 2.2, 30, 28)


@pytest.mark.parametrize("level", [0.95, 0.8])
def test_morris_interval_and_pooled_pretest_sd(level: float) -> None:
    m = es.morris_ppc2(*ARGS, 0.6, level)
    z = float(special.ndtri((1 + level) / 2))
    assert m.ci == (pytest.approx(m.estimate - z * m.se, rel=1e-12),
                    pytest.approx(m.estimate + z * m.se, rel=1e-12))
    assert m.se == pytest.approx(math.sqrt(m.variance), rel=1e-12)
    assert m.sd_pre_pooled == pytest.approx(math.sqrt((29 * 4.0 + 27 * 4.84) / 56), rel=1e-12)
    assert m.correlation == 0.6 and m.correlation_assumed is False
    assumed = es.morris_ppc2(*ARGS, None, level)
    assert assumed.correlation == 0.5 and assumed.correlation_assumed is True


def test_morris_smallest_sample() -> None:
    es.morris_ppc2(10.0, 12.0, 10.2, 11.0, 2.0, 2.2, 3, 2)  # 5 people: allowed
    with pytest.raises(StatsError,
                       match="^" + re.escape("d_ppc2's variance needs more than 4 people in all")
                       + "$"):
        es.morris_ppc2(10.0, 12.0, 10.2, 11.0, 2.0, 2.2, 2, 2)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: es.morris_ppc2(10.0, 12.0, 10.2, 11.0, 0.0, 0.0, 30, 28),
     "d_ppc2 needs a pretest standard deviation above zero"),
    (lambda: es.morris_ppc2(*ARGS, 1.0),
     "the pre-post correlation must be below 1 for d_ppc2's variance"),
    (lambda: es.d_av_ci_noncentral(1.0, 2.0, 0.0, 0.0, 30),
     "d_av needs a pre or post standard deviation above zero"),
])
def test_refusals(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(StatsError, match="^" + re.escape(message) + "$"):
        call()
