"""Evidence reports for commissioners: HTML and tagged PDF from one set of templates.

>>> import evidencekit
>>> from evidencekit.report import render_html
>>> result = evidencekit.assess("examples/access-project.yaml")       # doctest: +SKIP
>>> html = render_html(result)                                         # doctest: +SKIP
>>> render_pdf(result, "report.pdf")                                   # doctest: +SKIP

Pass the ``submission`` (and ``rubric``) the result came from to record their SHA-256 in the
provenance, or use :func:`write_reports`, which loads, assesses and writes in one call, as
``evidencekit assess SUBMISSION --pdf report.pdf --html report.html`` does.

Options (keywords of every function here): ``template_dir`` (an organisation's own
templates, stylesheet and assets, over the bundled ones), ``disclosure_threshold`` (counts
below it shown as "<N"; default 10), ``deterministic`` (no generation time unless
``SOURCE_DATE_EPOCH`` gives one: identical inputs give identical bytes) and ``generated_at``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..vocabulary import DEFAULT_RUBRIC
from .assets import AssetResolver
from .context import DEFAULT_THRESHOLD, ReportContext, ReportOptions, build_context
from .pdf import FetchLog, Timings

if TYPE_CHECKING:  # pragma: no cover
    from ..api import RubricLike, SubmissionLike
    from ..assessment.crosswalk import Crosswalk
    from ..assessment.engine import AssessmentResult
    from ..assessment.rubric import Rubric
    from ..load.model import Submission

__all__ = ["FetchLog", "ReportContext", "ReportOptions", "Timings", "build_context",
           "render_html", "render_pdf", "write_crosswalk_reports", "write_reports"]


def _options(template_dir: str | Path | None, disclosure_threshold: int, deterministic: bool,
             generated_at: datetime | None) -> ReportOptions:
    return ReportOptions(template_dir=Path(template_dir) if template_dir is not None else None,
                         disclosure_threshold=disclosure_threshold, deterministic=deterministic,
                         generated_at=generated_at)


def render_html(result: AssessmentResult, *, submission: Submission | None = None,
                rubric: Rubric | None = None, template_dir: str | Path | None = None,
                disclosure_threshold: int = DEFAULT_THRESHOLD, deterministic: bool = False,
                generated_at: datetime | None = None,
                crosswalk: Crosswalk | None = None) -> str:
    """The report as one self-contained HTML document (styles, charts and assets inline).
    With ``crosswalk``, a section sets every framework's verdict side by side."""
    from . import html

    options = _options(template_dir, disclosure_threshold, deterministic, generated_at)
    context = build_context(result, submission=submission, rubric=rubric, options=options,
                            crosswalk=crosswalk)
    resolver = AssetResolver.for_template_dir(options.template_dir)
    return html.render(context, resolver=resolver, medium="html")


def render_pdf(result: AssessmentResult, path: str | Path | None = None, *,
               submission: Submission | None = None, rubric: Rubric | None = None,
               template_dir: str | Path | None = None,
               disclosure_threshold: int = DEFAULT_THRESHOLD, deterministic: bool = False,
               generated_at: datetime | None = None, fetch_log: FetchLog | None = None,
               timings: Timings | None = None, crosswalk: Crosswalk | None = None) -> bytes:
    """The report as a tagged PDF (PDF/UA-1); written to ``path`` when given, and returned.

    ``fetch_log`` receives every URL the renderer asked for (served or refused); with
    ``crosswalk``, a section sets every framework's verdict side by side.
    """
    from . import html
    from .pdf import html_to_pdf

    if path is not None:
        check_writable(path)
    options = _options(template_dir, disclosure_threshold, deterministic, generated_at)
    context = build_context(result, submission=submission, rubric=rubric, options=options,
                            crosswalk=crosswalk)
    resolver = AssetResolver.for_template_dir(options.template_dir)
    document = html.render(context, resolver=resolver, medium="pdf")
    data = html_to_pdf(document, resolver, log=fetch_log, timings=timings)
    if path is not None:
        write_atomic(path, data)
    return data


def write_reports(submission: SubmissionLike, *, rubric: RubricLike = DEFAULT_RUBRIC,
                  parameters: Mapping[str, str | float] | None = None,
                  pdf: str | Path | None = None, html: str | Path | None = None,
                  template_dir: str | Path | None = None,
                  disclosure_threshold: int = DEFAULT_THRESHOLD,
                  deterministic: bool = False, judgements: Any = None,
                  reviewers_required: int = 1, application: str | None = None
                  ) -> AssessmentResult:
    """Load, assess and write the PDF and/or HTML report; returns the assessment
    (``judgements``: reviewers' judgements, as :func:`evidencekit.api.assess` takes them).

    Options and output paths are checked before any work is done, so a typo costs nothing.
    """
    from ..api import as_rubric as _rubric
    from ..api import as_submission as _submission
    from ..api import assess

    options = _options(template_dir, disclosure_threshold, deterministic, None)
    _check_targets(pdf, html)
    sub = _submission(submission)
    rub = _rubric(rubric, parameters)
    result = assess(sub, rubric=rub, judgements=judgements,
                    reviewers_required=reviewers_required, application=application)
    context = build_context(result, submission=sub, rubric=rub, options=options)
    _write(context, options, pdf=pdf, html=html)
    return result


def _check_targets(*targets: str | Path | None) -> None:
    for target in targets:
        if target is not None:
            check_writable(target)


def _write(context: ReportContext, options: ReportOptions, *, pdf: str | Path | None,
           html: str | Path | None) -> None:
    """Render ``context`` to the requested files (one place for both report commands)."""
    from . import html as html_mod
    from .pdf import html_to_pdf

    resolver = AssetResolver.for_template_dir(options.template_dir)
    if html is not None:
        write_atomic(html, html_mod.render(context, resolver=resolver,
                                           medium="html").encode("utf-8"))
    if pdf is not None:
        document = html_mod.render(context, resolver=resolver, medium="pdf")
        write_atomic(pdf, html_to_pdf(document, resolver))


def write_crosswalk_reports(submission: SubmissionLike, *,
                            parameters: Mapping[str, str | float] | None = None,
                            pdf: str | Path | None = None, html: str | Path | None = None,
                            template_dir: str | Path | None = None,
                            disclosure_threshold: int = DEFAULT_THRESHOLD,
                            deterministic: bool = False) -> Crosswalk:
    """Assess under every bundled rubric and write the report of the default rubric with a
    crosswalk section (``evidencekit assess FILE --rubric all --pdf r.pdf``); returns the
    crosswalk. Options and output paths are checked before any work is done."""
    from ..api import as_submission as _submission
    from ..api import crosswalk

    options = _options(template_dir, disclosure_threshold, deterministic, None)
    _check_targets(pdf, html)
    sub = _submission(submission)
    cw = crosswalk(sub, parameters=parameters)
    context = build_context(cw.primary, submission=sub, rubric=cw.entries[0].rubric,
                            options=options, crosswalk=cw)
    _write(context, options, pdf=pdf, html=html)
    return cw


def check_writable(path: str | Path) -> None:
    """Raise a one-sentence UsageError unless a file can be written at ``path``."""
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise UsageError.one(str(target), "a file path for the report", "a folder")
    if not parent.is_dir():
        raise UsageError.one(str(target), "a path in an existing folder",
                             f"no folder {str(parent)!r}")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError.one(str(target), "a path in a folder you can write to",
                             f"the folder {str(parent)!r} is not writable")
    if target.exists() and not os.access(target, os.W_OK):
        raise UsageError.one(str(target), "a file you can overwrite", "a read-only file")


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder, then rename."""
    from ..batch.store import atomic_write_bytes  # the one atomic writer

    target = Path(path)
    check_writable(target)
    try:
        atomic_write_bytes(target, data)
    except OSError as exc:
        raise UsageError.one(str(target), "a path the report can be written to",
                             exc.strerror or type(exc).__name__) from exc
