"""The pool of one estimate in Python floats (most programmes have one comparison
evaluation) gives the very result of the numpy computation, float for float (issue 15
item 1)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidencekit.stats import StatsError, pool
from evidencekit.stats.pooling import _pool_arrays, _pool_one

_estimates = st.one_of(st.floats(-1e6, 1e6), st.floats(allow_nan=False, allow_infinity=False),
                       st.sampled_from([0.0, -0.0, 1e-300, -2.5, 1e300]))
_ses = st.one_of(st.floats(1e-6, 1e3), st.floats(min_value=5e-324, max_value=1e308),
                 st.sampled_from([1e-160, 1e-200, 1e154, 0.1]))


@settings(max_examples=600, deadline=None, derandomize=True)
@given(_estimates, _ses, st.sampled_from(["DL", "REML"]), st.sampled_from(["z", "knha", "adhoc"]),
       st.sampled_from([0.95, 0.9, 0.99, 0.5]))
def test_one_estimate_equals_the_array_computation(e: float, s: float, method: str, test: str,
                                                   level: float) -> None:
    try:
        want = repr(_pool_arrays([e], [s], method, test, level))
    except (StatsError, ArithmeticError) as exc:
        want = type(exc).__name__
    try:
        got = repr(pool([e], [s], method, test=test, level=level))
    except (StatsError, ArithmeticError) as exc:
        got = type(exc).__name__
    assert got == want  # repr: every float exactly, the sign of a zero and nan included


def test_the_float_path_is_taken_for_an_ordinary_estimate() -> None:
    r = _pool_one(0.31, 0.12, "DL", 0.95)
    assert r is not None and repr(r) == repr(_pool_arrays([0.31], [0.12], "DL", "z", 0.95))
    assert _pool_one(0.31, 1e-200, "DL", 0.95) is None  # its variance underflows
    assert _pool_one(1, 0.12, "DL", 0.95) is None  # not a float: the array path


@pytest.mark.parametrize("bad", [([math.nan], [0.1]), ([0.1], [0.0]), ([0.1], [-1.0]),
                                 ([0.1], [math.inf])])
def test_refusals_are_the_array_path_s(bad: tuple[list[float], list[float]]) -> None:
    with pytest.raises(StatsError) as got:
        pool(*bad)
    with pytest.raises(StatsError) as want:
        _pool_arrays(*bad, "DL", "z", 0.95)
    assert str(got.value) == str(want.value)
