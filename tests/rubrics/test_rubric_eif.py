"""EIF ratings NL2, 2, 2+, 3, 3+, 4 and the NE override: just below and just at each step."""

from __future__ import annotations

from typing import Any

import pytest
from rubric_helpers import comparison, null_trial, pre_post, rated, status, submission, trial

from evidencekit.api import assess
from evidencekit.assessment.rubric import load_rubric

LABELS = ["NL2", "2", "2+", "3", "3+", "4"]


def test_the_ladder_and_its_labels() -> None:
    eif = load_rubric("eif")
    assert [eif.label_of(n) for n in range(len(eif.levels) + 1)] == LABELS
    assert [o.label for o in eif.overrides] == ["NE"]


def long_term(months: float) -> dict[str, Any]:
    return trial("b", site="York", outcome={"follow_up_months": months})


#: level -> (a submission just at the level, a submission just below it, why it is below)
CASES: dict[int, tuple[dict[str, Any], dict[str, Any], str]] = {
    1: (submission(pre_post(n=20)), submission(pre_post(n=19)),
        "19 analysed: a significant change, but fewer than 20 people"),
    2: (submission(comparison(pre=None)), submission(pre_post()),
        "a significant before-and-after change only, no comparison group"),
    3: (submission(comparison()), submission(comparison(pre=None)),
        "a comparison group with no pretest: baseline equivalence cannot be shown"),
    4: (submission(trial("a"), trial("b", site="York")), submission(trial("a")),
        "one rigorous evaluation, not two"),
    5: (submission(trial("a"), long_term(12)), submission(trial("a"), long_term(11)),
        "the benefit was measured 11 months after the programme, not 12"),
}


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
def test_just_at_and_just_below_each_step(level: int) -> None:
    at, below, why = CASES[level]
    assert rated(at, "eif") == (level, level, LABELS[level])
    assert rated(below, "eif") == (level - 1, level - 1, LABELS[level - 1]), why


def test_level_2_needs_significance() -> None:
    assert rated(submission(pre_post(change=1.0)), "eif")[0] == 0


def test_the_long_term_effect_must_itself_be_rigorous() -> None:
    # A 24-month follow-up that found nothing does not make level 4.
    doc = submission(trial("a"), trial("b", site="York"),
                     null_trial("c", outcome={"follow_up_months": 24}))
    assert rated(doc, "eif")[0] == 4
    result = assess(submission(trial("a"), long_term(18)), rubric="eif")
    assert status(result, "eif.L4.long_term") == "verified"
    unknown = assess(submission(trial("a"), trial("b")), rubric="eif")
    assert status(unknown, "eif.L4.long_term") == "not_met"
    assert "follow_up_months" in next(c.reason for lv in unknown.levels for c in lv.criteria
                                      if c.id == "eif.L4.long_term")


def test_real_world_is_a_note_not_a_gate() -> None:
    doc = submission(trial("a"), long_term(12))
    assert status(assess(doc, rubric="eif"), "eif.L4.real_world") == "not_met"
    assert rated(doc, "eif")[0] == 5
    doc["evaluations"][0]["real_world"] = True
    assert status(assess(doc, rubric="eif"), "eif.L4.real_world") == "verified"


# --- NE: found not to be effective in a rigorous study ---------------------------------------

def test_a_rigorous_null_trial_is_ne() -> None:
    result = assess(submission(null_trial()), rubric="eif")
    assert (result.level, result.label, result.claimed_label) == (0, "NE", "NE")
    assert result.override is not None and result.override.label == "NE"
    assert "null-trial" in result.override.reason
    data = result.to_dict()
    assert data["override"]["label"] == "NE" and data["label"] == "NE"


def test_ne_replaces_the_label_but_keeps_the_level() -> None:
    # Preliminary before-and-after evidence (level "2"), then a rigorous trial found nothing.
    result = assess(submission(pre_post(), null_trial()), rubric="eif")
    assert (result.level, result.label) == (1, "NE")
    assert result.level_title(result.level) == "Preliminary evidence"


@pytest.mark.parametrize(("why", "doc", "label"), [
    ("another evaluation shows a rigorous benefit",
     submission(null_trial(), trial("good", site="York")), "3"),
    ("the null trial lost too many people (high attrition) and has no pretest",
     submission(null_trial(assigned=(200, 140))), "NL2"),
    ("the null trial is too small to count",
     submission(null_trial(n=15, assigned=(15, 15))), "NL2"),
    ("a null comparison-group study without a pretest is not rigorous",
     submission(comparison("qed", pre=None, difference=0.2)), "NL2"),
])
def test_just_short_of_ne(why: str, doc: dict[str, Any], label: str) -> None:
    result = assess(doc, rubric="eif")
    assert result.override is None, why
    assert result.label == label, why


def test_ne_is_decided_by_evidence_not_claims() -> None:
    doc = submission(null_trial(), claims={"eif.L3.rigorous": {"answer": True}})
    result = assess(doc, rubric="eif")
    assert result.label == "NE" and result.claimed_label == "NE"
