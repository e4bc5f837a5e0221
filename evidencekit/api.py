"""The Python API: the same calls the CLI, batch mode and the web app make.

>>> import evidencekit
>>> result = evidencekit.assess({"programme": {"name": "Demo"},
...                              "theory_of_change": {"problem": "p", "activities": ["a"],
...                                                   "outcomes": ["o"], "rationale": "r"}})
>>> result.level, result.claimed_level
(1, 1)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .analysis import AnalysisOptions, AnalysisResult, analyse_submission
from .assessment.engine import AssessmentResult, analysis_options, assess_submission
from .assessment.rubric import Rubric, load_rubric
from .load import Submission, load_submission

SubmissionLike = str | Path | Mapping[str, Any] | Submission
RubricLike = str | Path | Rubric


def _submission(source: SubmissionLike) -> Submission:
    return source if isinstance(source, Submission) else load_submission(source)


def _rubric(rubric: RubricLike, parameters: Mapping[str, str | float] | None) -> Rubric:
    r = rubric if isinstance(rubric, Rubric) else load_rubric(rubric)
    return r.with_values(parameters) if parameters else r


def analyse(submission: SubmissionLike, *, rubric: RubricLike | None = None,
            parameters: Mapping[str, str | float] | None = None,
            options: AnalysisOptions | None = None) -> AnalysisResult:
    """Compute the statistics of a submission (SPEC §3); conventions from ``rubric`` if given."""
    sub = _submission(submission)
    if options is None:
        options = (analysis_options(_rubric(rubric if rubric is not None else "nesta",
                                            parameters))
                   if rubric is not None or parameters else AnalysisOptions())
    return analyse_submission(sub, options)


def assess(submission: SubmissionLike, *, rubric: RubricLike = "nesta",
           parameters: Mapping[str, str | float] | None = None) -> AssessmentResult:
    """Assess a submission against a rubric: level, claimed level, reasons and next steps."""
    sub = _submission(submission)
    rub = _rubric(rubric, parameters)
    analysis = analyse_submission(sub, analysis_options(rub))
    return assess_submission(sub, rub, analysis)
