"""Helpers of the report tests: render an example, inspect a PDF (imported by the tests).

The PDF checks use poppler's command-line tools (``scripts/system-deps.sh`` installs them).
Without them those tests are skipped with the reason — except under CI, where a missing tool
is a failure, so a green CI always means the PDFs were really inspected.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
FIXED_TIME = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
POPPLER = ("pdftoppm", "pdftotext", "pdffonts", "pdfinfo")


def _need_poppler() -> None:
    missing = [t for t in POPPLER if shutil.which(t) is None]
    if not missing:
        return
    message = (f"poppler tools missing ({', '.join(missing)}); run scripts/system-deps.sh "
               "as root")
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class Rendered:
    """One rendered report: the assessment, PDF bytes and path, HTML, and fetch log."""

    result: Any
    pdf: bytes
    pdf_path: Path
    html: str
    log: Any
    rubric: Any = None


def render(example: str | Path | dict[str, Any], tmp: Path, **options: Any) -> Rendered:
    from evidencekit.api import _rubric, _submission, assess
    from evidencekit.report import FetchLog, render_html, render_pdf

    source = EXAMPLES / f"{example}.yaml" if isinstance(example, str) else example
    sub = _submission(source)
    rub = _rubric("nesta", None)
    result = assess(sub, rubric=rub)
    options.setdefault("generated_at", FIXED_TIME)
    log = FetchLog()
    path = tmp / "report.pdf"
    pdf = render_pdf(result, path, submission=sub, rubric=rub, fetch_log=log, **options)
    html = render_html(result, submission=sub, rubric=rub, **options)
    return Rendered(result, pdf, path, html, log, rub)


def poppler_runner() -> Callable[..., str]:
    """Run a poppler tool on a file and return its standard output (skip/fail if missing)."""
    _need_poppler()

    def run(tool: str, *args: str | Path) -> str:
        done = subprocess.run([tool, *map(str, args)], capture_output=True, text=True,
                              check=True, timeout=60)
        return done.stdout

    return run


def pdf_text(poppler: Callable[..., str], path: Path, page: int | None = None) -> str:
    args: list[str | Path] = []
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return poppler("pdftotext", *args, path, "-")


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF's bytes with every Flate stream decompressed (object streams included)."""
    parts = [pdf]
    for m in re.finditer(rb"stream\r?\n", pdf):
        start = m.end()
        end = pdf.find(b"endstream", start)
        if end < 0:
            continue
        try:
            parts.append(zlib.decompress(pdf[start:end]))
        except zlib.error:
            continue
    return b"\n".join(parts)


def squash(text: str) -> str:
    """Whitespace-insensitive text (pdftotext breaks lines where the layout does)."""
    return " ".join(text.split())
