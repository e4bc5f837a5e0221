"""Pre-post edges the paired t-test goldens do not reach: constant pre or post values, the
zero-SD change, the level field and the exact refusals (mutation testing, issue #11 item 7)."""

from __future__ import annotations

import re

import pytest

from evidencekit.stats import StatsError, pre_post_rows, pre_post_summary


def test_rows_with_a_small_spread_still_have_a_correlation() -> None:
    # SDs below 1 (the correlation is defined whenever both SDs are above 0)
    r = pre_post_rows([0.1, 0.2, 0.4, 0.3], [0.2, 0.2, 0.5, 0.35])
    assert r.r is not None and -1 <= r.r <= 1 and r.r_assumed is False and r.level == 0.95
    assert pre_post_rows([1.0, 2.0, 3.0], [1.0, 2.5, 3.0], level=0.9).level == 0.9


def test_rows_with_constant_post_have_no_correlation_but_a_test() -> None:
    r = pre_post_rows([1.0, 2.0, 4.0], [5.0, 5.0, 5.0])
    assert r.r is None and r.r_assumed is False
    assert r.mean_change == pytest.approx(5 - 7 / 3)
    r2 = pre_post_rows([3.0, 3.0, 3.0], [4.0, 5.0, 7.0])
    assert r2.r is None


def test_summary_level_is_kept() -> None:
    assert pre_post_summary(30, 10.0, 2.0, 11.0, 2.5, 0.6, level=0.8).level == 0.8


@pytest.mark.parametrize(("call", "message"), [
    (lambda: pre_post_rows([1.0], [2.0, 3.0]), "pre needs at least 2 values, but it has 1"),
    (lambda: pre_post_rows([1.0, 2.0], [3.0]), "post needs at least 2 values, but it has 1"),
    (lambda: pre_post_rows([1.0, 2.0], [1.0, 2.0], level=1.0),
     "level must lie strictly between 0 and 1, but it is 1.0"),
    (lambda: pre_post_summary(30, 10.0, 2.0, 11.0, 2.5, 0.6, level=0.0),
     "level must lie strictly between 0 and 1, but it is 0.0"),
    (lambda: pre_post_rows([1.0, 2.0, 3.0], [2.0, 3.0, 4.0]),
     "every participant changed by the same amount (SD of change is zero), so the change "
     "cannot be tested or standardised"),
])
def test_refusals(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(StatsError, match="^" + re.escape(message) + "$"):
        call()
