"""The Python API: the same calls the CLI, batch mode and the web app make.

Errors: whatever is passed, these functions raise only :class:`~evidencekit.errors.InputError`
subclasses for bad input — :class:`~evidencekit.errors.SubmissionError` (the submission: a
path, a mapping or a Submission, checked by the same rules and limits as a file, so NaN,
infinite or oversized numbers, non-text keys and control characters are refused),
:class:`~evidencekit.errors.RubricError`, :class:`~evidencekit.errors.DataError` and
:class:`~evidencekit.errors.UsageError` (a wrong argument, such as ``parameters={"alpha":
"nan"}``) — each carrying ``problems``, the same :class:`~evidencekit.errors.Problem` objects
the CLI prints.

>>> import evidencekit
>>> result = evidencekit.assess({"programme": {"name": "Demo"},
...                              "theory_of_change": {"problem": "p", "activities": ["a"],
...                                                   "outcomes": ["o"], "rationale": "r"}})
>>> result.level, result.claimed_level
(1, 1)
>>> [(e.rubric_id, e.label) for e in evidencekit.crosswalk(
...     {"programme": {"name": "Demo"}}, rubrics=["nesta"]).entries]
[('nesta', 'Not yet level 1')]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

from .analysis import AnalysisOptions, AnalysisResult, analyse_submission
from .assessment.crosswalk import Crosswalk
from .assessment.engine import AssessmentResult, analysis_options, assess_submission
from .assessment.rubric import Rubric, bundled_rubrics, load_rubric
from .errors import SubmissionError, UsageError
from .load import Submission, load_submission
from .load.parameters import check_parameters
from .load.submission import check_submission_object
from .vocabulary import DEFAULT_RUBRIC as _DEFAULT_RUBRIC

SubmissionLike = str | Path | Mapping[str, Any] | Submission
RubricLike = str | Path | Rubric

#: The rubric used when none is named; it comes first in a crosswalk (defined once, in
#: evidencekit.vocabulary).
DEFAULT_RUBRIC = _DEFAULT_RUBRIC
#: What ``--rubric`` takes to mean every bundled rubric, side by side.
ALL_RUBRICS = "all"


def as_submission(source: SubmissionLike) -> Submission:
    """The API's input boundary: whatever is passed, the result is a checked Submission or
    a :class:`SubmissionError` with the same problems the CLI prints."""
    if isinstance(source, Submission):
        check_submission_object(source)
        return source
    return load_submission(source)


def _analysed(sub: Submission, options: AnalysisOptions) -> AnalysisResult:
    """The analysis, with arithmetic that still fails across evaluations (possible only for a
    Submission built by hand, whose numbers never passed the loader's ranges) reported as a
    SubmissionError rather than an OverflowError or ZeroDivisionError; numpy stays quiet."""
    import warnings

    import numpy as np

    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return analyse_submission(sub, options)
    except ArithmeticError as exc:
        raise SubmissionError.one(sub.source if isinstance(sub.source, str) else None,
                                  "numbers whose statistics can be computed (within the "
                                  "ranges of docs/submission-keys.md)",
                                  f"a calculation that fails ({type(exc).__name__})") from exc


def as_rubric(rubric: RubricLike, parameters: Mapping[str, str | float] | None = None
              ) -> Rubric:
    """A loaded rubric (a bundled id, a path or a Rubric) with ``parameters`` set."""
    if not isinstance(rubric, str | Path | Rubric):
        raise UsageError.one(None, "a rubric: a bundled rubric id, a file path or a Rubric",
                             f"a Python {type(rubric).__name__}", key="rubric")
    checked = check_parameters(parameters)
    r = rubric if isinstance(rubric, Rubric) else load_rubric(rubric)
    return r.with_values(checked) if checked else r


_submission, _rubric = as_submission, as_rubric  # the names other modules used before


def analyse(submission: SubmissionLike, *, rubric: RubricLike | None = None,
            parameters: Mapping[str, str | float] | None = None,
            options: AnalysisOptions | None = None) -> AnalysisResult:
    """Compute the statistics of a submission (SPEC §3); conventions from ``rubric`` if given."""
    sub = _submission(submission)
    if options is not None and not isinstance(options, AnalysisOptions):
        raise UsageError.one(None, "options as AnalysisOptions",
                             f"a Python {type(options).__name__}", key="options")
    if options is None:
        # Conventions come from a rubric's parameters, the default rubric's when none is
        # named: no threshold is kept in Python beside them.
        options = analysis_options(as_rubric(rubric if rubric is not None
                                             else DEFAULT_RUBRIC, parameters))
    return _analysed(sub, options)


def assess(submission: SubmissionLike, *, rubric: RubricLike = DEFAULT_RUBRIC,
           parameters: Mapping[str, str | float] | None = None,
           judgements: str | Path | Sequence[Any] | None = None,
           reviewers_required: int = 1, application: str | None = None) -> AssessmentResult:
    """Assess a submission against a rubric: level, claimed level, reasons and next steps.

    ``judgements`` — reviewers' judgements (a judgements file's path, or
    :class:`evidencekit.review.model.Judgement` objects) — adds the validated level: the
    claims reviewers validated count beside the verified criteria (see
    :func:`evidencekit.review.model.decide` for the rule; judgements made on another
    version of the submission are stale and do not count). Judgements naming an
    ``application`` (a round's export) count only for that ``application``."""
    sub = _submission(submission)
    rub = _rubric(rubric, parameters)
    analysis = _analysed(sub, analysis_options(rub))
    review = None
    if judgements is not None:
        from .review.version import submission_version  # the file and its data files

        review = review_of(judgements, submission_version(sub), reviewers_required,
                           application)
    return assess_submission(sub, rub, analysis, review=review)


def review_of(judgements: str | Path | Sequence[Any], sha256: str | None,
              reviewers_required: int = 1, application: str | None = None) -> Any:
    """The reviewers' decisions (a :class:`evidencekit.review.model.Review`) from a
    judgements file or Judgement objects, against the submission version ``sha256``."""
    from .review.files import load_judgements
    from .review.model import Judgement, decide

    if isinstance(judgements, str | Path):
        items = load_judgements(judgements)
    else:
        items = [*cast(Sequence[Any], judgements)]
        if not all(isinstance(j, Judgement) for j in items):
            raise UsageError.one(None, "judgements: a judgements file's path or Judgement "
                                 "objects", "something else", key="judgements")
    if isinstance(reviewers_required, bool) or not isinstance(reviewers_required, int) \
            or not 1 <= reviewers_required <= 10:
        raise UsageError.one(None, "a number of reviewers from 1 to 10",
                             repr(reviewers_required), key="reviewers_required")
    named = sorted({j.application for j in items if j.application})
    if application is None and len(named) > 1:
        shown = ", ".join(repr(a) for a in named[:5]) + (", …" if len(named) > 5 else "")
        raise UsageError.one(None, "judgements of one application, or the application "
                             "named (--application)", f"judgements of {len(named)} "
                             f"applications ({shown})", key="judgements")
    if application is not None:
        items = [j for j in items if j.application in ("", application)]
    return decide(items, sha256, reviewers_required)


def crosswalk_rubrics() -> list[str]:
    """The bundled rubric ids in crosswalk order: the default rubric first, then by id."""
    ids = list(bundled_rubrics())
    return sorted(ids, key=lambda i: (i != DEFAULT_RUBRIC, i))


def crosswalk(submission: SubmissionLike, *, rubrics: Sequence[RubricLike] | None = None,
              parameters: Mapping[str, str | float] | None = None) -> Crosswalk:
    """Assess a submission under several rubrics (every bundled one by default) and set the
    verdicts side by side. A parameter in ``parameters`` applies to every rubric that
    declares it; naming one that no rubric declares is an error."""
    sub = _submission(submission)
    if rubrics is not None and (isinstance(rubrics, str | bytes)
                                or not isinstance(rubrics, Sequence)):
        raise UsageError.one(None, "rubrics as a list of rubric ids, paths or Rubrics",
                             f"a Python {type(rubrics).__name__}", key="rubrics")
    for r in rubrics or ():
        if not isinstance(r, str | Path | Rubric):
            raise UsageError.one(None, "a rubric: a bundled rubric id, a file path or a Rubric",
                                 f"a Python {type(r).__name__}", key="rubrics")
    loaded = [r if isinstance(r, Rubric) else load_rubric(r)
              for r in (rubrics if rubrics is not None else crosswalk_rubrics())]
    overrides = check_parameters(parameters)
    for name in overrides:
        if not any(name in r.parameters for r in loaded):
            declared = sorted({p for r in loaded for p in r.parameters})
            raise UsageError.one(None, "a parameter of at least one rubric (" +
                                 ", ".join(declared) + ")", repr(name))
    analyses: dict[AnalysisOptions, AnalysisResult] = {}
    results: list[tuple[AssessmentResult, Rubric]] = []
    for rub in loaded:
        own = {k: v for k, v in overrides.items() if k in rub.parameters}
        rub = rub.with_values(own) if own else rub
        options = analysis_options(rub)
        if options not in analyses:  # rubrics that share conventions share one analysis
            analyses[options] = _analysed(sub, options)
        results.append((assess_submission(sub, rub, analyses[options]), rub))
    return Crosswalk.of(results, _stray_claims(sub, [r.id for r in loaded]))


def _stray_claims(sub: Submission, ids: Sequence[str]) -> list[dict[str, Any]]:
    """Claims whose prefix names none of the rubrics: each rubric ignores claims for other
    rubrics, so only the crosswalk can tell that nobody reads them."""
    out = []
    for key in sub.claims:
        if key.split(".", 1)[0] in ids:
            continue
        line = sub.claim_lines.get(key)
        where = f"{sub.source}, line {line}" if line else sub.source
        expected = "a criterion of one of the rubrics (" + ", ".join(ids) + ")"
        out.append({"file": sub.source, "line": line, "key": f"claims.{key}",
                    "expected": expected, "found": repr(key),
                    "message": f"{where}, claims.{key}: expected {expected}, found {key!r}; "
                               "the claim was ignored."})
    return out
