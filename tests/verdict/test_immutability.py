"""Rubrics, parameters and results are read-only all the way down, so one caller cannot
change another's verdict (load_rubric is cached; a web server shares it)."""

from __future__ import annotations

import copy
import pickle
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

import evidencekit
from evidencekit.assessment.rubric import load_rubric
from evidencekit.frozen import FrozenDict

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "user-voice.yaml"


def _attempts(rubric: evidencekit.Rubric, result: evidencekit.AssessmentResult) -> list:
    lv = rubric.levels[0]
    crit = lv.criteria[0]
    outcome = result.analysis.evaluations[0].outcomes[0]
    return [
        lambda: rubric.values.__setitem__("baseline_adjustable", 0.5),
        lambda: rubric.values.update(alpha=0.5),
        lambda: rubric.values.pop("alpha"),
        lambda: rubric.parameters.__setitem__("alpha", None),
        lambda: rubric.levels.__setitem__(0, None),  # a tuple
        lambda: setattr(rubric, "values", {}),
        lambda: setattr(crit, "gate", False),
        lambda: crit.check.wording.__setitem__("fail", "x"),
        lambda: result.parameters.__setitem__("alpha", 0.5),
        lambda: setattr(result, "level", 5),
        lambda: setattr(result.levels[0], "status", "reached"),
        lambda: result.levels[0].criteria[0].advice.append("x"),
        lambda: outcome.effects.__setitem__("hedges_g", None),
        lambda: outcome.groups.clear(),
    ]


def test_every_mutation_attempt_raises() -> None:
    rubric = load_rubric("nesta")
    result = evidencekit.assess(EXAMPLE)
    for i, attempt in enumerate(_attempts(rubric, result)):
        with pytest.raises((TypeError, AttributeError, FrozenInstanceError)):
            attempt()
            pytest.fail(f"attempt {i} changed a read-only object")


def test_assessments_in_one_process_are_independent() -> None:
    before = evidencekit.assess(EXAMPLE)
    assert before.level == 2
    with pytest.raises(TypeError):
        load_rubric("nesta").values["baseline_adjustable"] = 0.5  # type: ignore[index]
    changed = load_rubric("nesta").with_values({"baseline_adjustable": 0.5})
    assert evidencekit.assess(EXAMPLE, rubric=changed).level == 3  # a new rubric, on purpose
    after = evidencekit.assess(EXAMPLE)
    assert after.level == 2 and after.to_dict() == before.to_dict()
    assert load_rubric("nesta").values["baseline_adjustable"] == 0.25


def test_frozen_containers_survive_pickle_copy_and_json() -> None:
    import json

    result = evidencekit.assess(EXAMPLE)
    clone = pickle.loads(pickle.dumps(result))
    assert clone.to_dict() == result.to_dict()
    assert isinstance(clone.parameters, FrozenDict)
    assert copy.deepcopy(result).to_dict() == result.to_dict()
    json.dumps(result.to_dict())
    assert pickle.loads(pickle.dumps(load_rubric("nesta"))).values == load_rubric("nesta").values
