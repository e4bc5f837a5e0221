"""Maryland SMS 1-5, one evaluation at a time: just below and just at every level, the verdict
of every evaluation and the best of them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rubric_helpers import comparison, post_only, pre_post, rated, status, submission, trial

from evidencekit.api import assess


def qed(identification: str | None = None, justified: bool | None = None,
        eid: str = "qed") -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if identification is not None:
        extra["identification"] = identification
    if justified is not None:
        extra["comparison_justified"] = justified
    return comparison(eid, **extra)


#: level -> (an evaluation just at the level, one just below it, why it is below)
CASES: dict[int, tuple[dict[str, Any], dict[str, Any], str]] = {
    1: (pre_post(), post_only(), "a measurement afterwards only compares nothing"),
    2: (pre_post(identification="controls"), pre_post(identification="none"),
        "a before-and-after comparison without control variables"),
    3: (qed("matching", justified=True), qed("matching", justified=False),
        "matching, but the comparison group's choice is not justified"),
    4: (qed("regression_discontinuity"), qed("difference_in_differences", justified=True),
        "difference-in-differences exploits no quasi-random variation"),
    5: (trial(), qed("instrumental_variables"), "an instrument, but nobody was randomised"),
}


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
def test_just_at_and_just_below_each_level(level: int) -> None:
    at, below, why = CASES[level]
    assert rated(submission(at), "maryland_sms") == (level, level, f"SMS {level}")
    label = f"SMS {level - 1}" if level > 1 else "Below SMS 1 (not scored)"
    assert rated(submission(below), "maryland_sms") == (level - 1, level - 1, label), why


@pytest.mark.parametrize(("evaluation", "level"), [
    (qed("difference_in_differences", justified=True), 3),
    (qed("instrumental_variables"), 4),
    (qed("matching"), 2),  # justification not given: unknown, so not verified
    (qed(), 1),  # no identification method given
    (pre_post(identification="controls"), 2),
])
def test_each_method_lands_on_its_level(evaluation: dict[str, Any], level: int) -> None:
    assert rated(submission(evaluation), "maryland_sms")[0] == level


def test_every_evaluation_gets_a_verdict_and_the_best_is_the_level() -> None:
    doc = submission(pre_post("before-after"), trial("rct", site="York"),
                     qed("matching", justified=True, eid="matched"), post_only("survey"))
    result = assess(doc, rubric="maryland_sms")
    verdicts = [(v.id, v.level, v.label) for v in result.per_evaluation]
    assert verdicts == [("before-after", 1, "SMS 1"), ("rct", 5, "SMS 5"),
                        ("matched", 3, "SMS 3"), ("survey", 0, "Below SMS 1 (not scored)")]
    assert (result.level, result.label, result.evaluation) == (5, "SMS 5", "rct")
    # The levels shown are those of the best evaluation.
    assert status(result, "maryland_sms.L5.randomised") == "verified"
    data = json.loads(json.dumps(result.to_dict()))
    assert data["rubric"]["scope"] == "evaluation"
    assert data["evaluation"] == "rct"
    assert [(v["id"], v["label"]) for v in data["per_evaluation"]] == [
        (i, label) for i, _, label in verdicts]
    rct = data["per_evaluation"][1]
    assert rct["levels"][4]["criteria"][0]["id"] == "maryland_sms.L5.randomised"
    assert rct["levels"][4]["criteria"][0]["status"] == "verified"


def test_ties_go_to_the_first_listed_and_no_evaluation_is_level_0() -> None:
    result = assess(submission(pre_post("first"), pre_post("second")), rubric="maryland_sms")
    assert (result.level, result.evaluation) == (1, "first")
    empty = assess(submission(), rubric="maryland_sms")
    assert (empty.level, empty.claimed_level, empty.per_evaluation, empty.evaluation) == (
        0, 0, (), None)
    assert empty.to_dict()["per_evaluation"] == []
    assert len(empty.levels) == 5


def test_claims_answer_for_every_evaluation_and_the_best_claimed_counts() -> None:
    doc = submission(qed(eid="a"), pre_post("b"),
                     claims={"maryland_sms.L2.controls": {"answer": True}})
    result = assess(doc, rubric="maryland_sms")
    assert [(v.id, v.level, v.claimed_level) for v in result.per_evaluation] == [
        ("a", 1, 2), ("b", 1, 2)]
    assert (result.level, result.claimed_level, result.claimed_label) == (1, 2, "SMS 2")
    # An explicit 'none' refutes the claim for that evaluation.
    doc["evaluations"][0]["identification"] = "none"
    refuted = assess(doc, rubric="maryland_sms")
    assert [v.claimed_level for v in refuted.per_evaluation] == [1, 2]


def test_programme_scope_results_have_no_per_evaluation_verdicts() -> None:
    result = assess(submission(trial()))
    assert result.scope == "programme" and result.per_evaluation == ()
    assert result.to_dict()["per_evaluation"] is None
    assert result.to_dict()["evaluation"] is None


def test_next_steps_name_the_evaluation() -> None:
    result = assess(submission(pre_post("before-after")), rubric="maryland_sms")
    assert result.next_steps[0].startswith(
        "To reach rating SMS 2 with evaluation before-after (Control variables or "
        "matching):")


def test_text_output_lists_every_evaluation(cli: Any, write: Any) -> None:
    doc = submission(pre_post("before-after"), trial("rct"))
    path = write("sms.json", json.dumps(doc))
    out = cli("assess", path, "--rubric", "maryland_sms")
    assert out.exit_code == 0, out.stderr
    assert "before-after  SMS 1 (level 1)" in out.stdout
    assert "rct  SMS 5 (level 5)  ◀ best, shown below" in out.stdout
    assert "Verified level: 5 — Randomised  [SMS 5]" in out.stdout
