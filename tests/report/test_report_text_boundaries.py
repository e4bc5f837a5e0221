"""Boundaries of the disclosure threshold and of the text cleaning (report/context.py).

Small tests that a mutation of the threshold comparison or of the character class cannot
slip past: both sides of every edge are pinned.
"""

from __future__ import annotations

import pytest

from evidencekit.analysis.result import GroupStats, OutcomeResult
from evidencekit.report.disclosure import _Disclosure
from evidencekit.report.words import LIMITS, _Text


def outcome(n_t: int, n_c: int, events: tuple[int, int] | None = None) -> OutcomeResult:
    if events is None:
        groups = {"treatment": GroupStats(n_t, 1.0, 1.0), "control": GroupStats(n_c, 1.0, 1.0)}
    else:
        groups = {"treatment": GroupStats(n_t, events=events[0]),
                  "control": GroupStats(n_c, events=events[1])}
    return OutcomeResult(name="o", kind="binary" if events else "continuous", primary=True,
                         direction="higher_is_better", domain=None, design="rct",
                         source="summary", groups=groups, n_treatment=n_t, n_control=n_c)


@pytest.mark.parametrize("threshold", [1, 5, 10, 11])
def test_count_threshold_both_sides(threshold: int) -> None:
    d = _Disclosure(threshold)
    assert not d.small(threshold) and d.count(threshold) == f"{threshold:,}"
    assert not d.applied
    if threshold > 1:
        assert d.small(threshold - 1)
        assert d.count(threshold - 1) == f"<{threshold}"
        assert d.applied and d.hidden == {threshold - 1}
    assert not d.small(None) and d.count(None) == "—"


def test_outcome_counts_at_the_threshold() -> None:
    d = _Disclosure(10)
    assert not d.outcome_hidden(outcome(10, 10))
    assert not d.applied
    assert d.outcome_hidden(outcome(9, 10)) and d.hidden == {9}
    # Events and non-events are counts too: 10 of 20 is fine, 9 events or 9 non-events not.
    d2 = _Disclosure(10)
    assert not d2.outcome_hidden(outcome(20, 20, (10, 10)))
    assert d2.outcome_hidden(outcome(20, 20, (9, 10))) and d2.hidden == {9}
    d3 = _Disclosure(10)
    assert d3.outcome_hidden(outcome(20, 20, (11, 10))) and d3.hidden == {9}


def test_scrub_only_masks_hidden_counts() -> None:
    d = _Disclosure(10)
    assert d.scrub("only 9 analysed") == "only 9 analysed"  # nothing suppressed yet
    d.count(9)
    assert d.scrub("only 9 analysed; 10 analysed") == "only <10 analysed; 10 analysed"


BIDI_AND_INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b",
                      "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
                      "\ufeff"]
CONTROLS = ["\x00", "\x08", "\x0b", "\x0c", "\x0e", "\x1f", "\x7f", "\x80", "\x9f"]
# Neighbours of each range that are ordinary text and must survive.
KEPT = ["\u200a", "\u2010", "\u2029", "\u202f", "\u2065", "\u206a", "\ufefe", "\uff00",
        "\x20", "\xa0", "é", "\n"]


@pytest.mark.parametrize("ch", BIDI_AND_INVISIBLE + CONTROLS,
                         ids=[f"U+{ord(c):04X}" for c in BIDI_AND_INVISIBLE + CONTROLS])
def test_bidi_and_control_characters_are_stripped(ch: str) -> None:
    assert _Text()(f"pay{ch}pal") == "paypal"


@pytest.mark.parametrize("ch", KEPT, ids=[f"U+{ord(c):04X}" for c in KEPT])
def test_neighbouring_characters_are_kept(ch: str) -> None:
    assert _Text()(f"a{ch}b") == f"a{ch}b"


def test_tabs_and_line_ends() -> None:
    assert _Text()("a\tb\r\nc") == "a b\nc"


def test_length_limit_both_sides() -> None:
    t = _Text()
    exact = "x" * LIMITS["short"]
    assert t(exact, "short", "field") == exact and t.shortened == []
    longer = exact + "y"
    assert t(longer, "short", "field") == exact + "…"
    assert t.shortened == [f"field ({LIMITS['short'] + 1:,} characters, shortened to "
                           f"{LIMITS['short']:,})"]
    # A bidi override counts nothing towards the limit: stripped first.
    assert t(exact + "\u202e", "short") == exact


def test_number_needed_is_labelled_by_direction_in_reports() -> None:
    from evidencekit.analysis.result import Effect
    from evidencekit.report.words import _nn_detail

    harm = Effect(10.0, None, (5.9, 33.3), extra=(("label", "NNH"), ("through_infinity", False)))
    assert _nn_detail(harm, "10") == ("Number needed to harm (NNH)", "10 [6, 33]")
    benefit = Effect(19.4, None, (9.8, 79.8), extra=(("label", "NNT"),))
    assert _nn_detail(benefit, "19")[0] == "Number needed to treat (NNT)"
    wide = Effect(5.0, None, None, extra=(("label", "NNH"), ("through_infinity", True),
                                          ("nnt_limit", 72.4), ("nnh_limit", 2.56)))
    assert _nn_detail(wide, "5") == ("Number needed to harm (NNH)",
                                     "5 (95% CI NNT 72 to ∞ to NNH 3)")
