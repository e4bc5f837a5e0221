"""Project Oracle Standards 1-5: a submission just below and just at every standard."""

from __future__ import annotations

from typing import Any

import pytest
from rubric_helpers import comparison, pre_post, rated, status, submission, trial

from evidencekit.api import assess

PLAN = {"evaluation_plan": "Attendance before and after, then a matched comparison in 2026."}
MANUAL = {"manual": True}


def at(level: int) -> dict[str, Any]:
    """The smallest submission this file builds for each standard."""
    if level == 1:
        return submission(theory_of_change=PLAN)
    if level == 2:
        return submission(pre_post())
    if level == 3:
        return submission(trial(), scaling=MANUAL)
    if level == 4:
        return submission(trial("a", site="Leeds"), trial("b", site="York", independent=True),
                          scaling=MANUAL)
    return submission(trial("a", site="Leeds", independent=True),
                      trial("b", site="York", independent=True), scaling=MANUAL)


BELOW: dict[int, tuple[str, dict[str, Any]]] = {
    1: ("no evaluation plan and no evaluation", submission()),
    2: ("the only change is unfavourable", submission(pre_post(change=-5.0))),
    3: ("impact against a control group but no procedures for faithful delivery",
        submission(trial())),
    4: ("two passing trials, one independent, at the same site",
        submission(trial("a", site="Leeds"), trial("b", site="Leeds", independent=True),
                   scaling=MANUAL)),
    5: ("independent passing trials at two sites, but only one of them independent",
        submission(trial("a", site="Leeds", independent=False),
                   trial("b", site="York", independent=True), scaling=MANUAL)),
}


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
def test_just_at_each_standard(level: int) -> None:
    assert rated(at(level), "project_oracle") == (level, level, f"Standard {level}")


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
def test_just_below_each_standard(level: int) -> None:
    why, doc = BELOW[level]
    below = level - 1
    label = f"Standard {below}" if below else "Not yet Standard 1"
    assert rated(doc, "project_oracle") == (below, below, label), why


def test_a_listed_evaluation_stands_for_the_plan() -> None:
    planned = {"id": "planned-rct", "design": "none"}
    assert rated(submission(planned), "project_oracle")[0] == 1


def test_model_needs_problem_activities_and_outcomes() -> None:
    doc = at(1)
    del doc["theory_of_change"]["activities"]
    result = assess(doc, rubric="project_oracle")
    assert status(result, "project_oracle.S1.model") == "not_met"
    assert result.level == 0


def test_fidelity_monitoring_also_counts_and_a_claim_stands_in() -> None:
    assert rated(submission(trial(), scaling={"fidelity_monitoring": True}),
                 "project_oracle")[0] == 3
    claimed = submission(trial(), claims={"project_oracle.S3.fidelity": {"answer": True}})
    assert rated(claimed, "project_oracle")[:2] == (2, 3)
    refuted = submission(trial(), scaling={"manual": False, "fidelity_monitoring": False},
                         claims={"project_oracle.S3.fidelity": {"answer": True}})
    assert rated(refuted, "project_oracle")[:2] == (2, 2)


def test_standard_3_needs_the_causal_test_not_just_a_comparison() -> None:
    # A comparison group whose groups differed by 0.3 SD at baseline cannot show impact.
    unequal = submission(comparison(pre=(53.0, 50.0)), scaling=MANUAL)
    assert rated(unequal, "project_oracle")[0] == 2
    assert rated(submission(comparison(), scaling=MANUAL), "project_oracle")[0] == 3
