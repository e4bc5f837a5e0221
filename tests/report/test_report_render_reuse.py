"""What makes a report render faster must leave the PDF as it was (issue 15, "Reports").

No timings here (they live in benchmarks/report.py): only that the lean user-agent
stylesheet, the garbage collector's threshold and the reused Jinja2 environment change
nothing a reader or a validator could see.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from report_helpers import EXAMPLES, FIXED_TIME


def _report_html(example: str) -> str:
    from evidencekit.api import _rubric, _submission, assess
    from evidencekit.report import build_context
    from evidencekit.report import html as report_html
    from evidencekit.report.assets import AssetResolver
    from evidencekit.report.context import ReportOptions

    sub = _submission(EXAMPLES / f"{example}.yaml")
    rub = _rubric("nesta", None)
    context = build_context(assess(sub, rubric=rub), submission=sub, rubric=rub,
                            options=ReportOptions(generated_at=FIXED_TIME))
    return report_html.render(context, resolver=AssetResolver.for_template_dir(None),
                              medium="pdf")


def test_lean_user_agent_stylesheet_gives_the_same_pdf_byte_for_byte(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A report with lists, tables, badges (::before) and charts: the PDF made with the
    pseudo-element rules restricted is the PDF WeasyPrint's own stylesheet makes."""
    import weasyprint

    from evidencekit.report import pdf
    from evidencekit.report.assets import AssetResolver

    html = _report_html("access-project")
    assert "<li" in html and "::before" in html  # list markers and generated content
    assert pdf.html_class(html) is not weasyprint.HTML  # the lean stylesheet is used
    resolver = AssetResolver.for_template_dir(None)
    lean = pdf.html_to_pdf(html, resolver)
    # A list whose markers only the user-agent's ::marker rule keeps in lower case.
    letters = ("<!DOCTYPE html><html lang='en'><head><title>t</title><style>li { "
               "text-transform: uppercase; list-style-type: lower-alpha }</style></head>"
               "<body><ol><li>one</li><li>two</li></ol></body></html>")
    lean_letters = pdf.html_to_pdf(letters, resolver)
    monkeypatch.setattr(pdf, "html_class", lambda _html: weasyprint.HTML)
    assert lean == pdf.html_to_pdf(html, resolver)
    assert lean_letters == pdf.html_to_pdf(letters, resolver)


@pytest.mark.parametrize("css", [
    "li.x { display: list-item }", "p.n { float: footnote }", "p.n { position: note(x) }",
])
def test_documents_that_may_draw_other_pseudo_elements_keep_weasyprints_stylesheet(
        css: str) -> None:
    import weasyprint

    from evidencekit.report.pdf import html_class

    doc = f"<html><head><style>{css}</style></head><body><p>x</p></body></html>"
    assert html_class(doc) is weasyprint.HTML
    linked = '<html><head><link rel="stylesheet" href="a.css"></head><body></body></html>'
    assert html_class(linked) is weasyprint.HTML
    assert html_class("<html><body><p>x</p></body></html>") is not weasyprint.HTML


def test_the_collector_threshold_is_raised_while_rendering_and_put_back() -> None:
    from evidencekit.report.pdf import YOUNG_THRESHOLD, fewer_collections

    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD
        with fewer_collections():  # nested (the portfolio inside a batch): one change
            assert gc.get_threshold()[0] == YOUNG_THRESHOLD
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD
    assert gc.get_threshold() == before
    gc.set_threshold(0, *before[1:])  # a caller that disabled collection keeps it so
    try:
        with fewer_collections():
            assert gc.get_threshold()[0] == 0
    finally:
        gc.set_threshold(*before)


def test_an_edited_template_is_used_by_the_next_report(tmp_path: Path) -> None:
    """The Jinja2 environment is made once per template folder, but a template changed
    on disk is compiled again."""
    import os

    from evidencekit.api import assess
    from evidencekit.report import render_html

    result = assess(EXAMPLES / "code-club.yaml")
    template = tmp_path / "report.html.j2"
    template.write_text('{% extends "evidencekit/report.html.j2" %}'
                        '{% block footer %}<p>first footer</p>{% endblock %}', encoding="utf-8")
    assert "first footer" in render_html(result, template_dir=tmp_path)
    template.write_text('{% extends "evidencekit/report.html.j2" %}'
                        '{% block footer %}<p>second footer</p>{% endblock %}',
                        encoding="utf-8")
    stat = template.stat()
    os.utime(template, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    html = render_html(result, template_dir=tmp_path)
    assert "second footer" in html and "first footer" not in html
