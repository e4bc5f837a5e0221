"""One report per application (``--pdf`` / ``--html``), written atomically under reports/."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .inputs import Application
from .store import atomic_write_bytes, atomic_write_text, safe_name

if TYPE_CHECKING:  # pragma: no cover
    from ..assessment.engine import AssessmentResult
    from ..assessment.rubric import Rubric
    from ..load.model import Submission


def report_paths(app: Application, out: Path, *, pdf: bool, html: bool) -> list[Path]:
    # The suffix is added, never substituted (with_suffix made round.v1 and round.v2 one
    # round.html); safe_name gives distinct ids distinct names.
    base = safe_name(app.id)
    folder = out / "reports"
    return ([folder / f"{base}.pdf"] if pdf else []) + ([folder / f"{base}.html"]
                                                         if html else [])


def render_application(result: AssessmentResult, submission: Submission, rubric: Rubric,
                       app: Application, out: Path, *, pdf: bool, html: bool) -> list[str]:
    """Render the requested reports; return their paths."""
    from ..report import render_html, render_pdf

    written = []
    for path in report_paths(app, out, pdf=pdf, html=html):
        if path.suffix == ".pdf":
            atomic_write_bytes(path, render_pdf(result, submission=submission, rubric=rubric))
        else:
            atomic_write_text(path, render_html(result, submission=submission, rubric=rubric))
        written.append(str(path))
    return written
