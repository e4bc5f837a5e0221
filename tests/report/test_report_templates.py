"""--template-dir: an organisation's own templates, stylesheet and logo; errors in one sentence."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from report_helpers import EXAMPLES, FIXED_TIME, REPO, pdf_text, squash

from evidencekit.api import assess
from evidencekit.cli import main
from evidencekit.errors import UsageError
from evidencekit.report import FetchLog, render_html, render_pdf
from evidencekit.report.assets import ROOT

EXAMPLE_TEMPLATE = REPO / "docs" / "custom-template"


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return assess(EXAMPLES / "manchester-cathedral.yaml")


def test_the_documented_example_template(result, tmp_path: Path,  # type: ignore[no-untyped-def]
                                         poppler: Callable[..., str]) -> None:
    html = render_html(result, template_dir=EXAMPLE_TEMPLATE, generated_at=FIXED_TIME)
    assert "Funding panel briefing" in html
    assert "grants@acme.example" in html
    assert 'src="data:image/svg+xml;base64,' in html  # the logo, inlined
    # The bundled stylesheet first, then the template folder's, which only overrides.
    assert html.index(".level-box") < html.index("--accent: #5b2a86")
    log = FetchLog()
    render_pdf(result, tmp_path / "acme.pdf", template_dir=EXAMPLE_TEMPLATE, fetch_log=log,
               generated_at=FIXED_TIME)
    assert f"{ROOT}template/logo.svg" in log.served
    assert log.refused == []
    text = squash(pdf_text(poppler, tmp_path / "acme.pdf"))
    assert "Funding panel briefing" in text and "grants@acme.example" in text
    assert "Manchester Cathedral Volunteer Programme" in text
    assert "custom template folder" in text  # provenance says which templates were used


def test_a_template_written_from_scratch(result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "report.html.j2").write_text(
        '<!DOCTYPE html><html lang="{{ r.language }}"><head><title>{{ r.title }}</title>'
        "<style>{{ stylesheet }}</style></head><body><h1>{{ r.programme }}</h1>"
        "<p>Level {{ r.level }} of {{ r.max_level }}.</p>"
        '{% include "partials/methods.html.j2" %}</body></html>', encoding="utf-8")
    (tmp_path / "report.css").write_text("h1 { color: #003300; }", encoding="utf-8")
    html = render_html(result, template_dir=tmp_path)
    assert "<p>Level 3 of 5.</p>" in html
    assert "h1 { color: #003300; }" in html
    assert "Methods appendix" in html  # a bundled partial, found by the same loader
    pdf = render_pdf(result, template_dir=tmp_path)
    assert pdf.startswith(b"%PDF")


def test_template_errors_are_one_sentence(result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "report.html.j2").write_text("<p>{{ r.no_such_field }}</p>", encoding="utf-8")
    with pytest.raises(UsageError, match="no_such_field"):
        render_html(result, template_dir=tmp_path)
    (tmp_path / "report.html.j2").write_text("<p>{% if %}</p>", encoding="utf-8")
    with pytest.raises(UsageError, match="line 1"):
        render_html(result, template_dir=tmp_path)
    (tmp_path / "report.html.j2").write_text("{{ ''.__class__.__mro__ }}", encoding="utf-8")
    with pytest.raises(UsageError, match="sandbox"):
        render_html(result, template_dir=tmp_path)
    with pytest.raises(UsageError, match="not a folder"):
        render_html(result, template_dir=tmp_path / "missing")


def test_cli_errors_exit_2_with_one_sentence(tmp_path: Path) -> None:
    runner = CliRunner()
    sub = str(EXAMPLES / "code-club.yaml")
    cases = [
        (["--pdf", str(tmp_path / "no" / "such" / "r.pdf")], "existing folder"),
        (["--pdf", str(tmp_path)], "a folder"),
        (["--pdf", str(tmp_path / "r.pdf"), "--template-dir", str(tmp_path / "nope")],
         "not a folder"),
        (["--html", str(tmp_path / "r.html"), "--disclosure-threshold", "0"],
         "disclosure-threshold"),
        (["--deterministic"], "--pdf PATH or --html PATH"),
    ]
    for args, words in cases:
        out = runner.invoke(main, ["assess", sub, *args])
        assert out.exit_code == 2, (args, out.output)
        lines = [line for line in out.output.splitlines() if line.strip()]
        assert len(lines) == 1 and words in lines[0], (args, out.output)
    assert not list(tmp_path.iterdir())


def test_cli_writes_both_reports(tmp_path: Path) -> None:
    runner = CliRunner()
    shutil.copytree(EXAMPLE_TEMPLATE, tmp_path / "tpl")
    out = runner.invoke(main, ["assess", str(EXAMPLES / "shared-lives.yaml"), "--pdf",
                               str(tmp_path / "r.pdf"), "--html", str(tmp_path / "r.html"),
                               "--template-dir", str(tmp_path / "tpl"),
                               "--disclosure-threshold", "5", "--deterministic",
                               "--format", "json"])
    assert out.exit_code == 0, out.output
    assert '"value_for_money"' in out.output
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF-1.7")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Funding panel briefing" in page and "counts below 5" in page
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
