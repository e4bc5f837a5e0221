"""The moment bookkeeping of :mod:`evidencekit.analysis.rows`, against definitions written
out element by element: the [1, t, v…] moments built from the cells' [1, v…] moments, and
the cells' sums grown as new cells appear."""

from __future__ import annotations

import numpy as np
import pytest

from evidencekit.analysis.rows import _Moments, _with_indicator


def _indicator_by_definition(cells: np.ndarray, tc: int) -> np.ndarray:
    n_cells, m1, _ = cells.shape
    out = np.zeros((n_cells, m1 + 1, m1 + 1))
    where = [0, *range(2, m1 + 1)]  # position of 1, v1, v2… among 1, t, v1, v2…
    for c in range(n_cells):
        t = c % 2 == tc  # cell = cluster*2 + group code
        for i in range(m1):
            for j in range(m1):
                out[c, where[i], where[j]] = cells[c, i, j]
            if t:  # Σt·v = Σv in a treatment cell, and Σt·t = Σt = n
                out[c, 1, where[i]] = out[c, where[i], 1] = cells[c, 0, i]
        if t:
            out[c, 1, 1] = cells[c, 0, 0]
    return out


@pytest.mark.parametrize("n_cells", [1, 2, 3, 8])
@pytest.mark.parametrize("m1", [1, 2, 4])
@pytest.mark.parametrize("tc", [0, 1])
def test_indicator_moments_are_placed_as_defined(n_cells: int, m1: int, tc: int) -> None:
    rng = np.random.default_rng(n_cells * 100 + m1 * 10 + tc)
    cells = rng.normal(size=(n_cells, m1, m1))
    cells = cells + cells.transpose(0, 2, 1)
    cells[rng.random(cells.shape) < 0.2] = -0.0  # signs of zero are kept
    got = _with_indicator(cells, tc)
    assert got.tobytes() == _indicator_by_definition(cells, tc).tobytes()


def test_moments_grow_with_zero_sums_for_new_cells() -> None:
    first = np.array([0, 1, 1, 0])
    second = np.array([5, 1])
    cols = [np.array([1.0, 2.0, 4.0, 8.0]), np.array([3.0, 5.0, 7.0, 9.0])]
    m = _Moments(2)
    m.add(first, cols)
    before = m.sums.copy()
    m.add(second, [np.array([16.0, 32.0]), np.array([1.0, 2.0])])
    assert before.shape[1] == 2 and m.sums.shape[1] >= 6
    sums = m.matrices(6)
    assert np.all(sums[2:5] == 0)
    assert sums[5, 0, 0] == 1 and sums[1, 0, 0] == 3 and sums[0, 0, 0] == 2
    shift = m.shifts()  # the first batch's means, 3.75 and 6
    assert sums[5, 0, 1] == 16.0 - shift[0] and sums[5, 0, 2] == 1.0 - shift[1]
