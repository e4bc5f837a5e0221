"""evidencekit: how strong is the evidence behind a social programme, and why.

The public API (everything in ``__all__``; anything else is internal and may change) is
loaded lazily so that ``import evidencekit`` (and the CLI's ``--help``) stays fast:

- calls: :func:`assess`, :func:`analyse`, :func:`crosswalk`, :func:`load_submission`,
  :func:`load_rubric`;
- results (frozen, read-only all the way down; ``to_dict()``, ``rows()``, ``to_frame()``,
  and a table in Jupyter): :class:`AssessmentResult` (with :class:`LevelResult`,
  :class:`CriterionResult`, :class:`HeadlineEffect`), :class:`AnalysisResult` (with
  :class:`EvaluationResult`, :class:`OutcomeResult`, :class:`PooledResult`),
  :class:`Crosswalk`;
- inputs: :class:`Submission`, :class:`Rubric`;
- errors: :class:`EvidenceKitError` and its subclasses :class:`InputError`,
  :class:`SubmissionError`, :class:`RubricError`, :class:`DataError`, :class:`UsageError`,
  each carrying :class:`Problem` records (file, line, key, expected, found);
- constants: :data:`DEFAULT_RUBRIC`, :data:`LEVEL_STATUSES`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> the module that defines it (imported on first use).
_PUBLIC = {
    "assess": "api", "analyse": "api", "crosswalk": "api", "DEFAULT_RUBRIC": "api",
    "load_submission": "load", "Submission": "load.model",
    "load_rubric": "assessment.rubric", "Rubric": "assessment.rubric",
    "AssessmentResult": "assessment.engine", "LevelResult": "assessment.engine",
    "CriterionResult": "assessment.engine", "LEVEL_STATUSES": "assessment.engine",
    "HeadlineEffect": "analysis.headline",
    "AnalysisResult": "analysis.result", "EvaluationResult": "analysis.result",
    "OutcomeResult": "analysis.result", "PooledResult": "analysis.result",
    "Crosswalk": "assessment.crosswalk",
    "EvidenceKitError": "errors", "InputError": "errors", "SubmissionError": "errors",
    "RubricError": "errors", "DataError": "errors", "UsageError": "errors",
    "Problem": "errors",
}

__all__ = [
    "DEFAULT_RUBRIC",
    "LEVEL_STATUSES",
    "AnalysisResult",
    "AssessmentResult",
    "CriterionResult",
    "Crosswalk",
    "DataError",
    "EvaluationResult",
    "EvidenceKitError",
    "HeadlineEffect",
    "InputError",
    "LevelResult",
    "OutcomeResult",
    "PooledResult",
    "Problem",
    "Rubric",
    "RubricError",
    "Submission",
    "SubmissionError",
    "UsageError",
    "__version__",
    "analyse",
    "assess",
    "crosswalk",
    "load_rubric",
    "load_submission",
]

if TYPE_CHECKING:  # pragma: no cover
    from .analysis.headline import HeadlineEffect
    from .analysis.result import AnalysisResult, EvaluationResult, OutcomeResult, PooledResult
    from .api import DEFAULT_RUBRIC, analyse, assess, crosswalk
    from .assessment.crosswalk import Crosswalk
    from .assessment.engine import (
        LEVEL_STATUSES,
        AssessmentResult,
        CriterionResult,
        LevelResult,
    )
    from .assessment.rubric import Rubric, load_rubric
    from .errors import (
        DataError,
        EvidenceKitError,
        InputError,
        Problem,
        RubricError,
        SubmissionError,
        UsageError,
    )
    from .load import load_submission
    from .load.model import Submission


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'evidencekit' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
