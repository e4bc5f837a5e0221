"""PDF layout of every example report and the portfolio, page by page (pdfplumber).

On every page: no two words overlap, no text leaves the page, no table cell's text runs
into the next cell of its row, no heading is the last thing on a page or has only one line
after it there, and the last page is not nearly empty.
The checks read the PDF as a reader's software does: pdfplumber's word
boxes, and the PDF's structure tree to know which words are headings and table cells.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from layout_helpers import pdf_documents, pdf_layout_problems


def test_every_page_of_every_pdf_is_laid_out_cleanly(every_example: Path) -> None:
    pytest.importorskip("pdfplumber")
    documents = pdf_documents(every_example)
    assert len(documents) >= 12
    found = {doc.name: problems for doc in documents
             if (problems := pdf_layout_problems(doc))}
    assert found == {}


def test_the_layout_check_can_fail(tmp_path: Path) -> None:
    """Two words printed on top of each other, and a page ending in a heading, are found."""
    pytest.importorskip("pdfplumber")
    from evidencekit.report.assets import AssetResolver
    from evidencekit.report.pdf import html_to_pdf

    html = ("<html lang='en'><head><title>t</title></head><body>"
            "<p>First words here</p>"
            "<p style='margin-top:-1.4em'>Printed over them</p>"
            "<h2>Stranded heading</h2>"
            "<p style='break-before:page'>Its text on the next page.</p></body></html>")
    path = tmp_path / "bad.pdf"
    path.write_bytes(html_to_pdf(html, AssetResolver.for_template_dir(None)))
    problems = pdf_layout_problems(path)
    assert any("overlaps" in p for p in problems), problems
    assert any("Stranded heading" in p for p in problems), problems


def test_the_stricter_rules_can_fail(tmp_path: Path) -> None:
    """A heading with one line after it at a page's foot, and a last page holding one line
    (a colophon alone), are found."""
    pytest.importorskip("pdfplumber")
    from evidencekit.report.assets import AssetResolver
    from evidencekit.report.pdf import html_to_pdf

    html = ("<html lang='en'><head><title>t</title></head><body>"
            "<p>Words.</p><h2 style='margin-top:200mm'>Heading with one line</h2>"
            "<p>The one line.</p>"
            "<p style='break-before:page'>A colophon alone on the last page.</p></body></html>")
    path = tmp_path / "thin.pdf"
    path.write_bytes(html_to_pdf(html, AssetResolver.for_template_dir(None)))
    problems = pdf_layout_problems(path)
    assert any("Heading with one line" in p for p in problems), problems
    assert any("nearly empty" in p for p in problems), problems


def test_page_one_fits_on_page_one(every_example: Path) -> None:
    """Page one (levels, headline, value, caveats, who wrote the submission) ends on page
    one: page two opens with the evidence, never with page one's overflow."""
    pytest.importorskip("pdfplumber")
    import pdfplumber

    for doc in sorted((every_example / "reports").glob("*.pdf")):
        with pdfplumber.open(str(doc)) as pdf:
            text = (pdf.pages[1].extract_text() or "").strip()
        assert text.startswith("What the evidence shows"), (doc.name, text[:80])
