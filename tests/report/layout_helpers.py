"""Layout checks of rendered reports: the HTML in a browser, the PDF by its word boxes.

Used by ``test_report_browser.py`` (Chromium through Playwright) and
``test_report_pdf_layout.py`` (pdfplumber). Each check returns a list of plain-language
problems, empty when the layout is sound, so that a failing assertion says what and where.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

#: JavaScript run in the page: horizontal overflow of the document, and table cells (or any
#: text element) too narrow for the longest word they hold.
_OVERFLOW_JS = (Path(__file__).parent / "overflow.js").read_text(encoding="utf-8")


def overflow_problems(page: Any) -> list[str]:
    """Horizontal overflow and words broken inside too-narrow boxes, on the page as shown."""
    problems: list[str] = page.evaluate(_OVERFLOW_JS)
    return problems


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def need_chromium() -> None:
    """Skip (or, under CI, fail) when Debian's chromium or Playwright is missing."""
    problems = []
    if not CHROMIUM.exists():
        problems.append(f"{CHROMIUM} is missing (scripts/system-deps.sh installs it as root)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("the Python package 'playwright' is missing (pip install -e '.[dev]')")
    if not problems:
        return
    message = "; ".join(problems)
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def chromium() -> Iterator[Any]:
    """Headless Debian chromium through Playwright (its own browser download is never used)."""
    need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def html_documents(folder: Path) -> list[Path]:
    """The portfolio and every per-application HTML report of a batch output folder."""
    return [folder / "portfolio.html", *sorted((folder / "reports").glob("*.html"))]


def pdf_documents(folder: Path) -> list[Path]:
    """The portfolio and every per-application PDF report of a batch output folder."""
    return [folder / "portfolio.pdf", *sorted((folder / "reports").glob("*.pdf"))]
