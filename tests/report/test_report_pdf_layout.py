"""PDF layout of every example report and the portfolio, page by page (pdfplumber).

On every page: no two words overlap, no text leaves the page, no table cell's text runs
into the next cell of its row, and no heading is the last thing on a page.
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
