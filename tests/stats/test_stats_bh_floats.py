"""Benjamini–Hochberg on Python floats (no numpy, for the one to a few primary outcomes of
an evaluation) gives the very floats of the numpy computation, and refuses what it refuses
(issue 15 item 1)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidencekit.stats import StatsError, benjamini_hochberg
from evidencekit.stats.multiplicity import _bh_array, _bh_floats

# p-values as analyses give them, with ties, zeros, ones and tiny values.
_p = st.one_of(st.floats(0, 1), st.sampled_from([0.0, -0.0, 1.0, 0.05, 0.01, 5e-324, 0.5]))


def _bits(values: tuple[float, ...]) -> list[str]:
    return [v.hex() + ("-" if math.copysign(1, v) < 0 else "+") for v in values]


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(_p, max_size=12))
def test_floats_equal_the_numpy_computation(p: list[float]) -> None:
    if not any(x == 0 and math.copysign(1, x) < 0 for x in p):  # -0.0: the array path
        assert _bits(_bh_floats(p)) == _bits(_bh_array(p))
    assert _bits(benjamini_hochberg(p)) == _bits(_bh_array(p))


@pytest.mark.parametrize("bad", [[0.1, math.nan], [math.inf], [0.2, 1.5], [-0.1]])
def test_floats_refuse_what_the_array_refuses(bad: list[float]) -> None:
    with pytest.raises(StatsError) as fast:
        _bh_floats(bad)
    with pytest.raises(StatsError) as slow:
        _bh_array(bad)
    assert str(fast.value) == str(slow.value)


def test_other_numbers_take_the_array_path() -> None:
    assert benjamini_hochberg([1, 0.04]) == _bh_array([1.0, 0.04])
    assert benjamini_hochberg(()) == ()
