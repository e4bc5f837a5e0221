"""The shared argument checks (evidencekit/stats/_validate.py), each sentence exactly."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from evidencekit.stats import StatsError
from evidencekit.stats import _validate as check

NAN, INF = float("nan"), float("inf")

REFUSED: list[tuple[Callable[..., Any], tuple[Any, ...], str]] = [
    (check.finite, ("g", "x"), "g must be a number, but it is 'x'"),
    (check.finite, ("g", None), "g must be a number, but it is None"),
    (check.finite, ("g", NAN), "g must be a finite number, but it is nan"),
    (check.finite, ("g", -INF), "g must be a finite number, but it is -inf"),
    (check.count, ("n", "many"), "n must be a number, but it is 'many'"),
    (check.count, ("n", True), "n must be a whole number, but it is True"),
    (check.count, ("n", 2.5), "n must be a whole number, but it is 2.5"),
    (check.count, ("n", NAN), "n must be a whole number, but it is nan"),
    (check.count, ("n", -1), "n must be at least 0, but it is -1"),
    (check.count, ("n", 2, 3), "n must be at least 3, but it is 2"),
    (check.positive, ("se", 0.0), "se must be greater than zero, but it is 0.0"),
    (check.positive, ("se", NAN), "se must be a finite number, but it is nan"),
    (check.standard_deviation, ("sd", -0.5),
     "sd is a standard deviation and cannot be negative, but it is -0.5"),
    (check.standard_deviation, ("sd", INF), "sd must be a finite number, but it is inf"),
    (check.correlation, ("r", 1.01), "r is a correlation and must lie in [-1, 1], but it is 1.01"),
    (check.correlation, ("r", -1.01),
     "r is a correlation and must lie in [-1, 1], but it is -1.01"),
    (check.correlation, ("r", NAN), "r must be a finite number, but it is nan"),
    (check.open_unit, ("level", 0.0), "level must lie strictly between 0 and 1, but it is 0.0"),
    (check.open_unit, ("level", 1.0), "level must lie strictly between 0 and 1, but it is 1.0"),
    (check.open_unit, ("level", NAN), "level must be a finite number, but it is nan"),
    (check.unit, ("p", -0.01), "p must lie in [0, 1], but it is -0.01"),
    (check.unit, ("p", 1.01), "p must lie in [0, 1], but it is 1.01"),
    (check.unit, ("p", NAN), "p must be a finite number, but it is nan"),
    (check.interval, ("the CI", NAN, 1.0),
     "the lower bound of the CI must be a finite number, but it is nan"),
    (check.interval, ("the CI", 0.0, INF),
     "the upper bound of the CI must be a finite number, but it is inf"),
    (check.interval, ("the CI", 2.0, 1.0),
     "the lower bound of the CI (2.0) exceeds its upper bound (1.0)"),
    (check.interval, ("the CI", 1.0, 1.0),
     "the CI has zero width (1.0 to 1.0), so no standard error follows"),
    (check.sign, (0,), "sign must be 1 or -1, but it is 0"),
    (check.sign, (True,), "sign must be 1 or -1, but it is True"),
    (check.sign, (2,), "sign must be 1 or -1, but it is 2"),
    (check.finite_array, ("y", [[1.0, 2.0]], 1),
     "y must be a one-dimensional sequence, but it has shape (1, 2)"),
    (check.finite_array, ("y", [1.0], 2), "y needs at least 2 values, but it has 1"),
    (check.finite_array, ("y", [1.0, NAN], 2),
     "y must contain only finite numbers, but it has NaN or infinity"),
]


@pytest.mark.parametrize(("fn", "args", "message"), REFUSED,
                         ids=[f"{c[0].__name__}{c[1]!r}" for c in REFUSED])
def test_refused(fn: Callable[..., Any], args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(StatsError, match="^" + re.escape(message) + "$"):
        fn(*args)


def test_accepted_values_and_types() -> None:
    assert check.finite("g", "2.5") == 2.5 and isinstance(check.finite("g", 3), float)
    assert check.count("n", 3.0) == 3 and type(check.count("n", 3.0)) is int
    assert check.count("n", 0) == 0 and check.count("n", 3, 3) == 3
    assert check.positive("se", 1e-300) == 1e-300
    assert check.standard_deviation("sd", 0.0) == 0.0
    assert check.correlation("r", -1.0) == -1.0 and check.correlation("r", 1.0) == 1.0
    assert check.open_unit("level", 0.5) == 0.5
    assert check.unit("p", 0.0) == 0.0 and check.unit("p", 1.0) == 1.0
    assert check.interval("the CI", -1, 2) == (-1.0, 2.0)
    assert check.sign(1) == 1 and check.sign(-1) == -1 and type(check.sign(-1.0)) is int
    arr = check.finite_array("y", [1, 2], 2)
    assert arr.dtype == np.float64 and arr.tolist() == [1.0, 2.0]
    assert check.finite_array("y", (), 0).shape == (0,)
