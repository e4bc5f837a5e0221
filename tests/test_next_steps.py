"""Next steps are specific: numbers from the submission, not just the rubric's guidance."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from evidencekit import stats
from evidencekit.api import assess

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _steps(result: Any) -> str:
    return "\n".join(result.next_steps)


def _said(advice: str, steps: Any) -> bool:
    """The advice is a step of its own, or follows a step's head ("To reach level 3 (…): for
    'Test score', …"), where it replaces the rubric's general guidance."""
    lower = advice[0].lower() + advice[1:]
    return any(s == advice or s.endswith(": " + lower) for s in steps)


def _needed(g: float, alpha: float = 0.05, power: float = 0.8) -> int:
    return math.ceil(stats.n_per_group_for(abs(g), alpha, power))


@pytest.fixture
def underpowered(make_submission: Any, make_rct: Any) -> dict[str, Any]:
    """A clean trial (low attrition) whose only failing is significance (p ≈ 0.29)."""
    doc: dict[str, Any] = make_submission(make_rct(treatment=(100, 51.5, 10.0),
                                                   control=(100, 50.0, 10.0), assigned=(105, 105)))
    return doc


def test_significance_failure_names_the_sample_needed(underpowered: dict[str, Any]) -> None:
    g = stats.two_group_continuous(100, 51.5, 10.0, 100, 50.0, 10.0).g
    result = assess(underpowered)
    assert result.level == 2
    n = _needed(g)
    assert n > 100
    # The number itself: the smallest n per group with 80% power for the observed effect.
    assert stats.two_sample_power(abs(g), n, 0.05) >= 0.8 > stats.two_sample_power(abs(g),
                                                                                   n - 1, 0.05)
    assert _said(f"For 'Test score', detecting an effect of the size observed (g = {abs(g):.2f}) "
            f"with 80% power at α = 0.05 needs about {n} people per group; this evaluation "
            "analysed 100 in the smaller group.", result.next_steps)


def test_the_sample_needed_follows_alpha_and_power(underpowered: dict[str, Any]) -> None:
    g = stats.two_group_continuous(100, 51.5, 10.0, 100, 50.0, 10.0).g
    result = assess(underpowered, parameters={"alpha": 0.01, "power": 0.9})
    n = _needed(g, 0.01, 0.9)
    assert n > _needed(g)
    assert f"with 90% power at α = 0.01 needs about {n} people per group" in _steps(result)


def test_lower_is_better_uses_the_size_of_the_favourable_effect(make_submission: Any,
                                                                make_rct: Any) -> None:
    trial = make_rct(treatment=(100, 48.5, 10.0), control=(100, 50.0, 10.0))
    trial["outcomes"][0]["direction"] = "lower_is_better"
    result = assess(make_submission(trial))
    g = stats.two_group_continuous(100, 48.5, 10.0, 100, 50.0, 10.0).g
    assert g < 0
    assert f"(g = {abs(g):.2f})" in _steps(result)
    assert f"needs about {_needed(g)} people per group" in _steps(result)


def test_an_unfavourable_effect_is_not_met_with_a_sample_size(make_submission: Any,
                                                              make_rct: Any) -> None:
    prepost = {"id": "before-after", "design": "pre_post", "outcomes": [{
        "name": "Test score", "summary": {"pre": {"n": 80, "mean": 50, "sd": 10},
                                          "post": {"n": 80, "mean": 54, "sd": 10},
                                          "correlation": 0.6}}]}
    harmful = make_rct(treatment=(100, 48.5, 10.0), control=(100, 50.0, 10.0))
    result = assess(make_submission(prepost, harmful))
    assert result.level == 2
    steps = _steps(result)
    assert "the effect was in the unfavourable direction; a larger sample would not change " \
           "that" in steps
    assert "people per group" not in steps


def test_too_few_per_group_names_the_minimum(make_submission: Any, make_rct: Any) -> None:
    doc = make_submission(make_rct(treatment=(15, 60.0, 8.0), control=(15, 50.0, 8.0),
                                   assigned=(15, 15)))
    result = assess(doc)
    assert result.level == 2
    assert _said("For 'Test score', analyse at least 20 people per group (the smaller group had "
            "15).", result.next_steps)
    assert assess(doc, parameters={"min_per_group": 15}).level == 3


def _comparison(pre_t: float, pre_c: float) -> dict[str, Any]:
    return {"id": "matched", "design": "comparison_group", "site": "York", "outcomes": [{
        "name": "Test score", "summary": {
            "treatment": {"n": 100, "mean": 56.0, "sd": 10.0, "pre_mean": pre_t, "pre_sd": 10.0},
            "control": {"n": 100, "mean": 50.0, "sd": 10.0, "pre_mean": pre_c, "pre_sd": 10.0},
        }}]}


def test_baseline_failure_gives_the_gap_in_sd_units(make_submission: Any) -> None:
    result = assess(make_submission(_comparison(54.5, 50.0)))
    gap = stats.two_group_continuous(100, 54.5, 10.0, 100, 50.0, 10.0).g
    assert gap > 0.25
    assert result.level == 2
    assert _said(f"For 'Test score', the groups differed at baseline by {gap:.2f} SD, more "
            "than the "
            "0.25 SD that statistical adjustment can repair: find a better-matched comparison "
            "group (within 0.25 SD, ideally 0.05 SD) or randomise.", result.next_steps)
    baseline = result.analysis.evaluations[0].outcomes[0].baseline
    assert baseline is not None and baseline.verdict == "not_satisfied"


def test_a_baseline_gap_that_adjustment_can_repair_passes(make_submission: Any) -> None:
    doc = make_submission(_comparison(51.5, 50.0))
    result = assess(doc)
    outcome = result.analysis.evaluations[0].outcomes[0]
    assert outcome.baseline is not None and outcome.baseline.verdict == "adjustment_required"
    assert outcome.adjusted and outcome.test == "difference_in_differences"
    assert result.level == 3
    # ... and a stricter rubric parameter turns the same gap into a failure, with the numbers.
    strict = assess(doc, parameters={"baseline_adjustable": 0.1})
    assert strict.level == 2
    assert re.search(r"differed at baseline by 0\.1[45] SD, more than the 0\.1 SD",
                     _steps(strict))


def test_binary_baseline_gap_needs_row_level_data(make_submission: Any) -> None:
    doc = make_submission({"id": "matched", "design": "comparison_group", "outcomes": [{
        "name": "In work", "kind": "binary", "summary": {
            "treatment": {"n": 200, "events": 120, "pre_events": 60},
            "control": {"n": 200, "events": 80, "pre_events": 50}}}]})
    gap = stats.cox_index_from_counts(200, 60, 200, 50)
    assert 0.05 < abs(gap) <= 0.25
    result = assess(doc)
    assert result.level == 2
    assert _said(f"For 'In work', the groups differed at baseline by {abs(gap):.2f} SD; a yes/no "
            "outcome given as summaries cannot be adjusted, so provide row-level data for a "
            "logistic regression on the baseline measure.", result.next_steps)


def test_no_pretest_asks_for_one(make_submission: Any, make_rct: Any) -> None:
    doc = make_submission(make_rct(assigned=None, design="comparison_group"))
    result = assess(doc)
    assert result.level == 2
    assert _said("For 'Test score', measure the outcome in both groups before the programme starts "
            "(a pretest), so the groups can be shown to be alike at baseline (within 0.05 SD, "
            "or within 0.25 SD with adjustment).", result.next_steps)


def test_high_attrition_gives_the_rates(make_submission: Any, make_rct: Any) -> None:
    doc = make_submission(make_rct(treatment=(73, 56.0, 10.0), control=(67, 50.0, 10.0),
                                   assigned=(100, 100)))
    assert _said("For 'Test score', attrition is high under the cautious WWC boundary (30% "
            "overall, "
            "6.0 points differential): follow up more of those randomised, or show the "
            "analysed groups were equivalent at baseline.", assess(doc).next_steps)


def test_claimed_criteria_ask_for_the_evidence() -> None:
    for name, cid, level in (("goodgym.yaml", "Costs are known", 4),
                             ("city-year.yaml", "An evaluation passes the causal test", 3)):
        result = assess(EXAMPLES / name)
        assert result.next_steps[0].startswith(
            f"To reach level {level} ({cid}): you answered yes; add the evidence to the "
            "submission so it can be verified.")


def test_next_steps_are_about_the_next_level_only() -> None:
    for path in sorted(EXAMPLES.glob("*.yaml")):
        result = assess(path)
        heads = re.findall(r"^To reach level (\d)", _steps(result), flags=re.M)
        if result.level == 5:
            assert heads == []
            assert result.next_steps[0].startswith("This is the highest level")
        else:
            assert heads and set(heads) == {str(result.level + 1)}, path.name


def test_adding_the_claimed_evidence_verifies_it() -> None:
    doc = yaml.safe_load((EXAMPLES / "goodgym.yaml").read_text(encoding="utf-8"))
    doc["costs"] = {"per_participant": 80}
    result = assess(doc)
    assert result.level == 4
    assert all("you answered yes" not in s for s in result.next_steps)


def test_next_steps_say_each_thing_once() -> None:
    """Manchester's Liverpool study fails two level-4 criteria for the same reasons."""
    result = assess(EXAMPLES / "manchester-cathedral.yaml")
    assert len(result.next_steps) == len(set(result.next_steps))
    heads = [s for s in result.next_steps if s.startswith("To reach level 4")]
    assert len(heads) == 2
    power = [s for s in result.next_steps if "people per group" in s]
    assert len(power) == 3  # one per primary outcome of the Liverpool study
    for path in sorted(EXAMPLES.glob("*.yaml")):
        steps = assess(path).next_steps
        assert len(steps) == len(set(steps)), path.name
