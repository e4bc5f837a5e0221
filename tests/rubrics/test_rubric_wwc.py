"""WWC study ratings from design, attrition and baseline equivalence (SPEC §3.7-3.8): just
below and just at each rating, per evaluation."""

from __future__ import annotations

from typing import Any

import pytest
from rubric_helpers import comparison, pre_post, rated, submission, trial

from evidencekit.api import assess

NOT = "Does not meet WWC standards"
WITH = "Meets WWC standards with reservations"
WITHOUT = "Meets WWC standards without reservations"


def high_attrition_trial(pre: tuple[float, float] | None = None) -> dict[str, Any]:
    # 30% overall and 6 points differential: high under the cautious boundary, low under the
    # optimistic one (SPEC §3.7).
    ev = trial(assigned=(100, 100), pre=pre)
    ev["outcomes"][0]["summary"]["treatment"]["n"] = 73
    ev["outcomes"][0]["summary"]["control"]["n"] = 67
    return ev


#: (why, evaluation, rating) in pairs just below / just at a boundary.
CASES: list[tuple[str, dict[str, Any], str]] = [
    ("one group before and after: not a group design", pre_post(), NOT),
    ("a comparison group equivalent at baseline (g = 0)", comparison(), WITH),
    ("baseline difference 0.30 SD: beyond what adjustment can repair",
     comparison(pre=(53.0, 50.0)), NOT),
    ("baseline difference 0.20 SD, adjusted by difference-in-differences",
     comparison(pre=(52.0, 50.0)), WITH),
    ("a comparison group without a pretest", comparison(pre=None), NOT),
    ("a randomised trial with high attrition and no pretest", high_attrition_trial(), NOT),
    ("a randomised trial with high attrition, equivalent at baseline",
     high_attrition_trial(pre=(50.0, 50.0)), WITH),
    ("a randomised trial with low attrition", trial(), WITHOUT),
    ("a randomised trial without the numbers randomised, equivalent at baseline",
     trial(assigned=None, pre=(50.0, 50.0)), WITH),
]


@pytest.mark.parametrize(("why", "evaluation", "rating"), CASES, ids=[c[0] for c in CASES])
def test_rating_of_one_evaluation(why: str, evaluation: dict[str, Any], rating: str) -> None:
    level = [NOT, WITH, WITHOUT].index(rating)
    assert rated(submission(evaluation), "wwc") == (level, level, rating), why


def test_the_attrition_boundary_is_a_parameter() -> None:
    doc = submission(high_attrition_trial(pre=(50.0, 50.0)))
    assert rated(doc, "wwc")[2] == WITH
    assert rated(doc, "wwc", attrition_boundary="optimistic")[2] == WITHOUT


def test_the_baseline_limits_are_parameters() -> None:
    doc = submission(comparison(pre=(53.0, 50.0)))  # 0.30 SD
    assert rated(doc, "wwc")[2] == NOT
    assert rated(doc, "wwc", baseline_adjustable=0.35)[2] == WITH


def test_a_binary_summary_needing_adjustment_cannot_meet() -> None:
    # Baseline difference between 0.05 and 0.25 (Cox index) in a yes/no outcome given as
    # summaries: it cannot be adjusted, so the comparison does not meet standards.
    binary = {"id": "qed", "design": "comparison_group", "outcomes": [{
        "name": "In work", "kind": "binary", "summary": {
            "treatment": {"n": 200, "events": 110, "pre_events": 60},
            "control": {"n": 200, "events": 80, "pre_events": 50}}}]}
    result = assess(submission(binary), rubric="wwc")
    baseline = result.analysis.evaluations[0].outcomes[0].baseline
    assert baseline is not None and baseline.verdict == "adjustment_required"
    assert result.label == NOT


def test_the_study_rating_is_the_best_evaluation() -> None:
    doc = submission(comparison("qed"), trial("rct", site="York"), pre_post("pp"))
    result = assess(doc, rubric="wwc")
    assert [(v.id, v.label) for v in result.per_evaluation] == [
        ("qed", WITH), ("rct", WITHOUT), ("pp", NOT)]
    assert (result.label, result.evaluation) == (WITHOUT, "rct")
