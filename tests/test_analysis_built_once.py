"""Batch-speed rewrites of the analysis give what the code they replace gave (issue 15
item 1): each outcome's final result is built once instead of copied at every stage, and the
finiteness check walks a stack instead of recursing."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidencekit import stats
from evidencekit.analysis.checks import consistency_notes
from evidencekit.analysis.es_extra import with_es_intervals
from evidencekit.analysis.evaluation import (
    _analyse_outcome_bounded,
    _attrition,
    _finite,
    analyse_evaluation,
    deciding_test,
)
from evidencekit.analysis.result import AnalysisOptions, OutcomeResult
from evidencekit.assessment.engine import analysis_options
from evidencekit.assessment.rubric import load_rubric
from evidencekit.load import load_submission
from evidencekit.load.model import Evaluation

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def _finite_recursive(value: Any) -> bool:
    """The recursive check the stack walk replaced."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite_recursive(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(_finite_recursive(v) for v in value)
    return True


class _Float(float):
    pass


class _Dict(dict):  # type: ignore[type-arg]
    pass


_leaves = st.one_of(st.floats(), st.integers(), st.booleans(), st.none(), st.text(max_size=3),
                    st.floats().map(_Float))
_values = st.recursive(_leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.lists(inner, max_size=4).map(tuple),
    st.dictionaries(st.text(max_size=2), inner, max_size=4),
    st.dictionaries(st.text(max_size=2), inner, max_size=4).map(_Dict)), max_leaves=30)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(_values)
def test_finite_equals_the_recursive_check(value: Any) -> None:
    assert _finite(value) is _finite_recursive(value)


def test_finite_finds_a_deep_nan_and_infinity() -> None:
    assert _finite({"a": [1.0, {"b": (2, "x", None)}]})
    assert not _finite({"a": [1.0, {"b": (2, float("nan"))}]})
    assert not _finite(_Dict(x=[_Float("inf")]))


def _staged(evaluation: Evaluation, options: AnalysisOptions) -> tuple[OutcomeResult, ...]:
    """Each outcome copied stage by stage, as analyse_evaluation did before it built each
    outcome once: intervals, checks, attrition, then significance and the deciding test."""
    outcomes = []
    for o in evaluation.outcomes:
        r = with_es_intervals(_analyse_outcome_bounded(o, evaluation, options), o, options)
        extra = consistency_notes(o, evaluation, options.alpha)
        if extra:
            r = replace(r, notes=(*r.notes, *extra))
        attrition = _attrition(r, evaluation, options)
        if attrition is not None:
            r = replace(r, attrition=attrition)
        outcomes.append(r)
    primary = [i for i, o in enumerate(outcomes) if o.primary and o.p_value is not None]
    adjusted = stats.benjamini_hochberg([outcomes[i].p_value for i in primary])  # type: ignore[misc]
    p_adj = dict(zip(primary, adjusted, strict=True))
    adjustment = "benjamini_hochberg" if len(primary) > 1 else None
    out = []
    for i, o in enumerate(outcomes):
        if o.p_value is None:
            o = replace(o, significant=None, p_value_adjusted=None)
        else:
            p = p_adj.get(i, o.p_value)
            o = replace(o, p_value_adjusted=p, significant=p <= options.alpha)
        out.append(replace(o, deciding=deciding_test(
            o, options.alpha, adjustment if i in p_adj else None)))
    return tuple(out)


@pytest.mark.parametrize("rubric", ["nesta", "wwc", "eif"])
def test_outcomes_built_once_equal_the_staged_copies(rubric: str) -> None:
    options = analysis_options(load_rubric(rubric))
    outcomes = 0
    for example in EXAMPLES:
        sub = load_submission(example)
        for ev in sub.evaluations:
            got = analyse_evaluation(ev, options).outcomes
            want = _staged(ev, options)
            assert got == want, (example.name, ev.id)
            assert [o.to_dict() for o in got] == [o.to_dict() for o in want]
            outcomes += len(got)
    assert outcomes > 20


def test_quick_assessment_leaves_quality_notes_to_explanations() -> None:
    """Batch scoring (explain=False) builds no quality notes (explanations, which no scores
    row holds); the levels and statuses are those of the full assessment."""
    from evidencekit.analysis import analyse_submission
    from evidencekit.assessment.engine import assess_submission

    rubric = load_rubric("nesta")
    noted = 0
    for example in EXAMPLES:
        sub = load_submission(example)
        analysis = analyse_submission(sub, analysis_options(rubric))
        full = assess_submission(sub, rubric, analysis)
        quick = assess_submission(sub, rubric, analysis, explain=False)
        assert quick.quality_notes == () and quick.quality_note_messages == ()
        assert [(lv.level, lv.status) for lv in quick.levels] == [
            (lv.level, lv.status) for lv in full.levels]
        noted += bool(full.quality_notes)
    assert noted > 0
