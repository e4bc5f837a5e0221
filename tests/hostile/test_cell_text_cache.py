"""The cache in front of inert.cell_text gives every text what the function itself gives,
the first time and from the cache, and keeps neither long texts nor more than its bound."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from evidencekit import inert

STARTS = st.sampled_from(["", " ", "\u00a0", "=", "+", "-", "@", "\t", "\r", "\uff1d", "'"])


@settings(max_examples=400, deadline=None)
@given(STARTS, st.text(max_size=120))
def test_cached_answers_equal_the_function(start: str, rest: str) -> None:
    text = start + rest
    expected = inert._cell_text(text)
    assert inert.cell_text(text) == expected
    assert inert.cell_text(text) == expected  # a second time, from the cache when short


def test_long_texts_are_not_kept_and_the_cache_is_bounded() -> None:
    inert._short_cell_text.cache_clear()
    inert.cell_text("=" + "x" * inert._SHORT)
    assert inert._short_cell_text.cache_info().currsize == 0
    for i in range(inert._CACHED + 500):
        inert.cell_text(f"=A{i}")
    info = inert._short_cell_text.cache_info()
    assert info.currsize == info.maxsize == inert._CACHED
    assert inert.cell_text("=A1") == "'=A1" and inert.cell_text("-0.5") == "-0.5"
