"""Text written by strangers stays inert: nothing fetched, run or embedded; renders succeed."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from report_helpers import EXAMPLES, FIXED_TIME, pdf_objects, pdf_text, squash

from evidencekit.errors import UsageError
from evidencekit.report import FetchLog, render_html, render_pdf
from evidencekit.report.assets import ROOT, AssetRefused, AssetResolver

PASSWD_LINE = "root:x:0:0"
JINJA = "Score {{ 7*7 }} end"
IMG = '<img src="file:///etc/passwd">'
LINK = '<link rel="attachment" href="file:///etc/passwd">'


def _hostile_document() -> dict[str, Any]:
    doc = yaml.safe_load((EXAMPLES / "access-project.yaml").read_text(encoding="utf-8"))
    doc = copy.deepcopy(doc)
    doc["programme"]["organisation"] = f"Org <b>bold</b> {LINK}"
    doc["programme"]["theme"] = "{% include '/etc/passwd' %}"
    doc["programme"]["summary"] = f"<script>alert(1)</script> {IMG} {{{{ r.__class__ }}}}"
    doc["theory_of_change"]["problem"] = "<iframe src='https://example.com'></iframe>"
    ev = doc["evaluations"][1]
    ev["title"] = f"Trial {IMG}"
    ev["site"] = f"Birmingham {LINK}"
    ev["outcomes"][0]["name"] = JINJA
    doc["claims"]["nesta.L3.comparison"]["note"] = "{{ config }} <a href='file:///etc/passwd'>x</a>"
    return doc


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from evidencekit.api import _rubric, _submission, assess

    sub = _submission(_hostile_document())
    rub = _rubric("nesta", None)
    result = assess(sub, rubric=rub)
    huge = "<b>" + "A" * 1_000_000 + "</b>" + IMG
    result = dataclasses.replace(result, programme=huge)
    sub = dataclasses.replace(sub, programme=dataclasses.replace(sub.programme, name=huge))
    log = FetchLog()
    path = tmp_path_factory.mktemp("hostile") / "hostile.pdf"
    pdf = render_pdf(result, path, submission=sub, rubric=rub, fetch_log=log,
                     generated_at=FIXED_TIME)
    html = render_html(result, submission=sub, rubric=rub, generated_at=FIXED_TIME)
    return {"pdf": pdf, "path": path, "html": html, "log": log, "huge": huge}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_nothing_is_fetched_but_the_bundled_fonts(hostile: dict[str, Any]) -> None:
    log = hostile["log"]
    assert log.requested, "the fetcher was never asked for anything"
    assert all(u.startswith(f"{ROOT}bundled/assets/fonts/") for u in log.requested), \
        log.requested
    assert log.refused == []


def test_markup_is_escaped_in_html(hostile: dict[str, Any]) -> None:
    html = hostile["html"]
    parser = _Tags()
    parser.feed(html)
    names = {t for t, _ in parser.tags}
    for bad in ("script", "img", "iframe", "link", "b", "a"):
        assert bad not in names, bad
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;link rel=&#34;attachment&#34;" in html
    assert PASSWD_LINE not in html


def test_template_syntax_is_not_executed(hostile: dict[str, Any],
                                         poppler: Callable[..., str]) -> None:
    html = hostile["html"]
    assert JINJA in html
    assert "Score 49 end" not in html
    assert "{% include &#39;/etc/passwd&#39; %}" in html
    assert "{{ r.__class__ }}" in html and "ReportContext" not in html
    text = squash(pdf_text(poppler, hostile["path"]))
    assert JINJA in text
    assert "Score 49 end" not in text
    assert PASSWD_LINE not in text


def test_huge_name_is_shortened_and_the_render_succeeds(hostile: dict[str, Any],
                                                        poppler: Callable[..., str]) -> None:
    html = hostile["html"]
    assert len(html) < 400_000
    # "<b>" and 297 of the A's make the 300 characters shown (escaped), then "…".
    assert "&lt;b&gt;" + "A" * 297 + "…" in html and "A" * 298 not in html
    assert f"programme name ({len(hostile['huge']):,} characters, shortened to 300)" in html
    info = poppler("pdfinfo", hostile["path"])
    title = next(line for line in info.splitlines() if line.startswith("Title:"))
    assert len(title) < 400
    text = squash(pdf_text(poppler, hostile["path"]))
    assert "&lt;" not in text and "<b>" in text  # shown as text, once, in the title


def test_nothing_is_embedded(hostile: dict[str, Any]) -> None:
    objects = pdf_objects(hostile["pdf"])
    for forbidden in (b"/EmbeddedFiles", b"/EmbeddedFile", b"/FileAttachment", b"/URI",
                      b"/JavaScript", b"/Launch", PASSWD_LINE.encode()):
        assert forbidden not in objects, forbidden


def test_a_hostile_template_cannot_reach_out(tmp_path: Path) -> None:
    """Even markup in a template (trusted, but mistaken or tampered with) fetches nothing."""
    (tmp_path / "report.html.j2").write_text(
        '{% extends "evidencekit/report.html.j2" %}'
        "{% block head_extra %}"
        '<link rel="attachment" href="file:///etc/passwd" title="passwd">'
        '<link rel="stylesheet" href="file:///etc/passwd">'
        '<link rel="stylesheet" href="../../../../../etc/passwd.css">'
        "{% endblock %}"
        "{% block masthead %}"
        '<img src="file:///etc/passwd" alt="a">'
        '<img src="https://example.com/logo.png" alt="b">'
        '<img src="http://127.0.0.1:9/x.png" alt="c">'
        '<img src="data:image/svg+xml;base64,PHN2Zy8+" alt="d">'
        '<img src="ftp://example.com/x.png" alt="e">'
        '<img src="report.html.j2" alt="f">'
        '<a rel="attachment" href="file:///etc/passwd">attached</a>'
        "{{ super() }}{% endblock %}", encoding="utf-8")
    from evidencekit.api import assess

    result = assess(EXAMPLES / "code-club.yaml")
    log = FetchLog()
    pdf = render_pdf(result, template_dir=tmp_path, fetch_log=log, generated_at=FIXED_TIME)
    assert pdf.startswith(b"%PDF")
    served = set(log.served)
    assert served <= {f"{ROOT}bundled/assets/fonts/fonts.css",
                      f"{ROOT}bundled/assets/fonts/DejaVuSans.ttf",
                      f"{ROOT}bundled/assets/fonts/DejaVuSans-Bold.ttf"}
    refused = " ".join(log.refused)
    for url in ("file:///etc/passwd", "https://example.com/logo.png", "http://127.0.0.1:9/x.png",
                "data:image/svg+xml", "ftp://example.com/x.png",
                f"{ROOT}template/report.html.j2"):
        assert url in refused, url
    objects = pdf_objects(pdf)
    for forbidden in (b"/EmbeddedFiles", b"/EmbeddedFile", b"/FileAttachment",
                      PASSWD_LINE.encode()):
        assert forbidden not in objects, forbidden


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://example.com/a.css",
    "https://example.com/a.css",
    "data:text/css,body{}",
    "ftp://example.com/a.ttf",
    f"{ROOT}bundled/../../etc/passwd",
    f"{ROOT}bundled/%2e%2e/%2e%2e/etc/passwd.css",
    f"{ROOT}bundled/report.html.j2",
    f"{ROOT}bundled/assets/fonts/LICENSE-DejaVu.txt",
    f"{ROOT}bundled/assets/fonts/DejaVuSans.ttf?x=1",
    f"{ROOT}elsewhere/assets/fonts/DejaVuSans.ttf",
    "https://evidencekit.invalid.example.com/bundled/assets/fonts/DejaVuSans.ttf",
])
def test_resolver_refuses(url: str) -> None:
    with pytest.raises(AssetRefused):
        AssetResolver.for_template_dir(None).read(url)


def test_resolver_refuses_symlinks_out_of_the_template_dir(tmp_path: Path) -> None:
    (tmp_path / "evil.svg").symlink_to("/etc/passwd")
    resolver = AssetResolver.for_template_dir(tmp_path)
    with pytest.raises(AssetRefused):
        resolver.read(f"{ROOT}template/evil.svg")
    with pytest.raises(UsageError):
        resolver.url_for("evil.svg")


def test_resolver_serves_bundled_fonts() -> None:
    data, media = AssetResolver.for_template_dir(None).read(
        f"{ROOT}bundled/assets/fonts/DejaVuSans.ttf")
    assert media == "font/ttf" and data[:4] == b"\x00\x01\x00\x00"
