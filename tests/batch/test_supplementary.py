"""Batch scoring without reports leaves out the supplementary effects (issue 15, item 1):
``analyse_submission(..., supplementary=False)``. Nothing the assessment decides and nothing
in the scores row may change: for every bundled rubric, every bundled example and a
synthetic round of every kind of application (``benchmarks/batch.py``'s), the row scored
from the lean analysis equals the row scored from the full one, value for value."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from evidencekit.analysis import analyse_submission
from evidencekit.assessment.engine import analysis_options, assess_submission
from evidencekit.assessment.rubric import load_rubric
from evidencekit.batch.task import summarise
from evidencekit.errors import InputError
from evidencekit.load import load_submission

ROOT = Path(__file__).resolve().parents[2]
RUBRICS = sorted(p.stem for p in (ROOT / "rubrics").glob("*.yaml"))


def _synthetic(tmp: Path) -> list[Path]:
    spec = importlib.util.spec_from_file_location("bench_batch", ROOT / "benchmarks" / "batch.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    bench.make_applications(tmp, 150, seed=11)
    return sorted(tmp.glob("*/submission.yaml"))


@pytest.fixture(scope="module")
def submissions(tmp_path_factory: pytest.TempPathFactory) -> list:
    paths = sorted((ROOT / "examples").glob("*.yaml")) + _synthetic(
        tmp_path_factory.mktemp("round"))
    subs = []
    for p in paths:
        try:
            subs.append(load_submission(p))
        except InputError:  # the 1% malformed: nothing to analyse
            continue
    assert len(subs) > 140
    return subs


def _rows(sub, rubric, supplementary: bool):
    analysis = analyse_submission(sub, analysis_options(rubric), supplementary=supplementary)
    try:
        result = assess_submission(sub, rubric, analysis, explain=False)
    except InputError as exc:  # a rubric whose questions this submission does not answer
        return ("refused", [p.to_dict() for p in exc.problems])
    return summarise(result)


#: Each rubric, and with ``smd_ci: noncentral`` too where it has that parameter (then the
#: noncentral-t intervals are the effects' intervals, and are still left out).
CASES = [(name, ci) for name in RUBRICS
         for ci in (("normal", "noncentral") if "smd_ci" in load_rubric(name).parameters
                    else (None,))]


@pytest.mark.parametrize(("name", "smd_ci"), CASES)
def test_the_scores_row_is_the_same_without_the_supplementary_effects(submissions, name,
                                                                        smd_ci):
    rubric = load_rubric(name)
    if smd_ci is not None:
        rubric = rubric.with_values({"smd_ci": smd_ci})
    for sub in submissions:
        assert _rows(sub, rubric, False) == _rows(sub, rubric, True), sub.source


def test_the_lean_analysis_does_leave_them_out(submissions):
    def intervals(analysis) -> int:
        return sum(1 for e in analysis.evaluations for o in e.outcomes
                   for eff in o.effects.values() for k, _ in eff.extra if k == "ci_noncentral")

    options = analysis_options(load_rubric("nesta"))
    full = sum(intervals(analyse_submission(s, options)) for s in submissions)
    lean = sum(intervals(analyse_submission(s, options, supplementary=False))
               for s in submissions)
    assert full > 100 and lean == 0
