"""The low-power note's shortcut (analysis.outcome._power_note) decides as the root search
does: a note exactly when the minimum detectable effect size is above g = 0.5, for every
group size and for the alpha and power levels a rubric may set."""

from __future__ import annotations

from dataclasses import replace

import pytest

from evidencekit import stats
from evidencekit.analysis.outcome import _Draft, _power_note
from evidencekit.assessment.engine import analysis_options
from evidencekit.assessment.rubric import load_rubric, resolve_rubric

BASE = analysis_options(load_rubric(resolve_rubric("nesta")))


def _noted(n: int, alpha: float, power: float) -> list[str]:
    draft = _Draft()
    _power_note(draft, n, n + 7, replace(BASE, alpha=alpha, power=power))
    return [note.code for note in draft.notes if note.code == "low_power"]


@pytest.mark.parametrize(("alpha", "power"), [(0.05, 0.8), (0.05, 0.9), (0.01, 0.8),
                                              (0.1, 0.95)])
def test_note_exactly_when_the_mdes_is_above_half(alpha: float, power: float) -> None:
    # Every size from 2 (the smallest with a power) past where the answer turns.
    for n in [*range(2, 400), 1_000, 10**5, 10**7]:
        expected = ["low_power"] if stats.mdes(n, alpha, power) > 0.5 else []
        assert _noted(n, alpha, power) == expected, n


def test_the_note_still_gives_the_figure() -> None:
    draft = _Draft()
    _power_note(draft, 30, 40, BASE)
    (note,) = [n for n in draft.notes if n.code == "low_power"]
    assert f"g ≥ {stats.mdes(30, BASE.alpha, BASE.power):.2f}" in note.text


def test_one_person_per_group_has_no_power_note() -> None:
    draft = _Draft()
    _power_note(draft, 1, 1, BASE)
    assert [n.code for n in draft.notes] == ["small_sample"]
