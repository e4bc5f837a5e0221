"""The noncentral-t bounds found by Brent's method equal those of the bisection they replaced
(issue 15: a speed-up that changes no value). The bisection is kept here as the reference."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from evidencekit.stats import es_intervals as es


def _bisection(t: float, df: float, prob: float) -> float:
    """The solver of evidencekit 0.x before Brent's method (bisection to 1e-13)."""

    def f(lam: float) -> float:
        return float(special.nctdtr(df, lam, t)) - prob

    width = max(10.0, abs(t))
    lo, hi = t - width, t + width
    while f(lo) < 0:
        lo -= width
        width *= 2
    while f(hi) > 0:
        hi += width
        width *= 2
    for _ in range(300):
        mid = (lo + hi) / 2
        if f(mid) > 0:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-13 * max(1.0, abs(mid)):
            break
    return (lo + hi) / 2


@settings(max_examples=300, deadline=None, derandomize=True)
@given(t=st.floats(-25, 25), df=st.sampled_from([2.0, 3.0, 9.0, 38.0, 118.0, 798.0, 4998.0]),
       prob=st.sampled_from([0.995, 0.975, 0.95, 0.9, 0.5, 0.1, 0.05, 0.025, 0.005]))
def test_brent_equals_the_bisection(t: float, df: float, prob: float) -> None:
    new, old = es._solve_ncp(t, df, prob), _bisection(t, df, prob)
    assert abs(new - old) <= 2e-13 * max(1.0, abs(old)), (new, old)


def test_bounds_are_roots_of_the_cdf_equation() -> None:
    lo, hi = es.ncp_t_interval(2.0, 20.0)
    assert math.isclose(float(special.nctdtr(20.0, lo, 2.0)), 0.975, abs_tol=1e-12)
    assert math.isclose(float(special.nctdtr(20.0, hi, 2.0)), 0.025, abs_tol=1e-12)


def test_brent_never_leaves_the_bracket() -> None:
    seen: list[float] = []

    def f(x: float) -> float:
        seen.append(x)
        return math.tanh(x - 0.3)

    root = es._brent(f, -50.0, 50.0, f(-50.0), f(50.0), 1e-15, 1e-15)
    assert abs(root - 0.3) < 1e-14
    assert all(-50.0 <= x <= 50.0 for x in seen)
    assert len(seen) < 60  # bisection alone would take about 56 steps; Brent far fewer
