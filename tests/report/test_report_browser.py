"""Every example report and the portfolio in headless Chromium: responsive layout from phone
to laptop width, and axe-core (the outside accessibility checker) with no violations.

One batch renders every bundled example (the ``every_example`` fixture); each HTML document
is then opened at 320, 375, 768 and 1280 px. At each width the page must not be wider than
the window, and no word may be broken across lines because its column is too narrow.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from layout_helpers import chromium, html_documents, overflow_problems

WIDTHS = (320, 375, 768, 1280)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.mark.parametrize("width", WIDTHS)
def test_no_horizontal_overflow_and_no_broken_words(browser: Any, every_example: Path,
                                                    width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    found = {}
    try:
        documents = html_documents(every_example)
        assert len(documents) >= 12
        for doc in documents:
            page.goto(doc.as_uri())
            problems = overflow_problems(page)
            if problems:
                found[doc.name] = problems[:5]
    finally:
        context.close()
    assert found == {}


def test_reports_reflow_on_a_phone(browser: Any, every_example: Path) -> None:
    """At 375 px the level table's verdict column is readable (it was 0 px wide) and the
    page one ladder and level boxes no longer overlap."""
    context = browser.new_context(viewport={"width": 375, "height": 900})
    page = context.new_page()
    try:
        page.goto((every_example / "reports" / "access-project.html").as_uri())
        widths = page.eval_on_selector_all(
            "table.levels td", "cells => cells.map(c => c.getBoundingClientRect().width)")
        assert widths and min(widths) > 250
        boxes = page.eval_on_selector_all(
            ".level-box, figure.ladder",
            "els => els.map(e => { const r = e.getBoundingClientRect(); "
            "return [r.top, r.bottom]; })")
        for (_, bottom), (top, _) in itertools.pairwise(boxes):
            assert top >= bottom - 1
    finally:
        context.close()


def test_axe_core_finds_no_violations(browser: Any, every_example: Path) -> None:
    from tools.axe import axe_version, axe_violations

    found = {}
    for width in (375, 1280):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        try:
            for doc in html_documents(every_example):
                page.goto(doc.as_uri())
                violations = axe_violations(page)
                if violations:
                    found[f"{doc.name} at {width}px"] = violations
        finally:
            context.close()
    assert found == {}, f"axe-core {axe_version()}"
