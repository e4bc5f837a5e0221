"""The PDF itself: pages, ink, text, fonts, tags, metadata and what it must never contain."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from report_helpers import Rendered, pdf_objects, pdf_text, squash

from evidencekit.report.assets import ROOT


def _pages(poppler: Callable[..., str], path: Path) -> int:
    info = poppler("pdfinfo", path)
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))  # type: ignore[union-attr]


def test_page_count_and_page_one_is_the_summary(access: Rendered,
                                                poppler: Callable[..., str]) -> None:
    pages = _pages(poppler, access.pdf_path)
    assert 4 <= pages <= 12
    one = squash(pdf_text(poppler, access.pdf_path, 1)).lower()
    # Page one holds everything a busy reader needs, and nothing after it.
    for needle in ("The Access Project", "Verified level", "Claimed level", "Headline effect",
                   "Value for money", "Main caveats", f"Page 1 of {pages}"):
        assert needle.lower() in one, needle
    assert "what the evidence shows" not in one
    two = squash(pdf_text(poppler, access.pdf_path, 2))
    assert two.startswith("What the evidence shows")
    last = squash(pdf_text(poppler, access.pdf_path, pages))
    assert f"Page {pages} of {pages}" in last


def test_every_page_has_ink(access: Rendered, poppler: Callable[..., str],
                            tmp_path: Path) -> None:
    pages = _pages(poppler, access.pdf_path)
    poppler("pdftoppm", "-r", "20", "-gray", access.pdf_path, tmp_path / "pg")
    images = sorted(tmp_path.glob("pg-*.pgm"))
    assert len(images) == pages
    for image in images:
        data = image.read_bytes()
        # Binary PGM: "P5\n<w> <h>\n<max>\n" then one byte per pixel.
        header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
        assert header is not None
        w, h = int(header.group(1)), int(header.group(2))
        pixels = data[header.end():]
        assert len(pixels) == w * h
        # Leave out the footer band (the page number is on every page).
        body = pixels[: w * int(h * 0.9)]
        dark = sum(1 for b in body if b < 160)
        assert dark > 0.004 * len(body), f"{image.name} is (nearly) blank: {dark} dark pixels"


def test_key_numbers_are_in_the_text(access: Rendered, poppler: Callable[..., str]) -> None:
    text = squash(pdf_text(poppler, access.pdf_path))
    for needle in (
        "g = 0.41 [0.14, 0.69]",       # Birmingham cluster RCT, Hedges' g and CI
        "p = 0.003",                    # its WWC-corrected p in the headline sentence
        "g_DiD = 0.38 [0.24, 0.52]",   # London difference-in-differences
        "0.39 [0.26, 0.51]",           # pooled random-effects estimate
        "£750", "£1,200", "−£450",     # costs
        "dominant: cheaper and more effective",  # −£450 and g > 0: no ratio
        "6% overall, 1.9 points differential",
        "15 percentile points",
        "nesta, version 2013-spec1",
        "2024-05-01 09:30:00 UTC",
    ):
        assert needle in text, needle
    assert access.result.level == 4
    assert access.result.analysis.evaluations[1].outcomes[0].headline is not None


def test_provenance_digests(access: Rendered, poppler: Callable[..., str]) -> None:
    import hashlib

    text = pdf_text(poppler, access.pdf_path).replace("\n", "")
    sub = (Path(__file__).resolve().parents[2] / "examples" / "access-project.yaml")
    digest = hashlib.sha256(sub.read_text(encoding="utf-8").encode("utf-8")).hexdigest()
    assert digest in text
    # The rubric's digest as loaded (Rubric.sha256: the file's text when it was read).
    assert re.fullmatch(r"[0-9a-f]{64}", access.rubric.sha256)
    assert access.rubric.sha256 in text
    assert "nesta.yaml" in text


def test_fonts_are_the_bundled_ones_and_embedded(access: Rendered,
                                                 poppler: Callable[..., str]) -> None:
    rows = poppler("pdffonts", access.pdf_path).splitlines()[2:]
    assert rows, "no fonts listed"
    names = set()
    for row in rows:
        cols = row.split()
        names.add(cols[0].split("+", 1)[-1])
        emb = cols[-5]  # emb sub uni object ID
        assert emb == "yes", row
    assert names == {"EvidenceKit-Sans", "EvidenceKit-Sans-Bold"}
    served = set(access.log.served)
    assert f"{ROOT}bundled/assets/fonts/DejaVuSans.ttf" in served
    assert f"{ROOT}bundled/assets/fonts/DejaVuSans-Bold.ttf" in served


def test_tagged_titled_and_language(access: Rendered, poppler: Callable[..., str]) -> None:
    info = poppler("pdfinfo", access.pdf_path)
    assert re.search(r"^Tagged:\s+yes", info, re.MULTILINE)
    assert re.search(r"^Title:\s+Evidence report: The Access Project$", info, re.MULTILINE)
    objects = pdf_objects(access.pdf)
    assert b"/StructTreeRoot" in objects
    assert re.search(rb"/MarkInfo\s*<<\s*/Marked\s+true", objects)
    assert re.search(rb"/Lang\s*\(en-GB\)", objects)
    assert re.search(rb"/DisplayDocTitle\s+true", objects)
    assert b"pdfuaid:part" in objects or b"pdfuaid" in objects
    # Every chart is a tagged figure with its alternative text.
    assert objects.count(b"/S /Figure") >= 2
    assert b"/Alt (Level ladder of Nesta Standards of Evidence" in objects \
        or b"/Alt <" in objects


def test_nothing_embedded_or_linked_out(access: Rendered) -> None:
    objects = pdf_objects(access.pdf)
    for forbidden in (b"/EmbeddedFiles", b"/FileAttachment", b"/EmbeddedFile", b"/JavaScript",
                      b"/Launch", b"/URI"):
        assert forbidden not in objects, forbidden
    assert access.log.refused == []
    assert all(url.startswith(f"{ROOT}bundled/assets/fonts/") for url in access.log.requested)
    assert access.log.messages == []  # no WeasyPrint warning: no bad CSS, anchors or alt text


def test_pdftotext_sees_no_template_syntax(access: Rendered, poppler: Callable[..., str]) -> None:
    text = pdf_text(poppler, access.pdf_path)
    for token in ("{{", "}}", "{%", "%}", "Undefined", " nan", "inf "):
        assert token not in text, token


def test_pdf_written_by_the_cli(tmp_path: Path, poppler: Callable[..., str]) -> None:
    import sys

    out = tmp_path / "cc.pdf"
    page = tmp_path / "cc.html"
    done = subprocess.run(
        [sys.executable, "-m", "evidencekit", "assess", "examples/code-club.yaml", "--pdf",
         str(out), "--html", str(page)],
        cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    plain = subprocess.run([sys.executable, "-m", "evidencekit", "assess",
                            "examples/code-club.yaml"],
                           cwd=Path(__file__).resolve().parents[2], capture_output=True,
                           text=True, timeout=120)
    assert done.stdout == plain.stdout  # the terminal output is unchanged by --pdf/--html
    assert out.read_bytes().startswith(b"%PDF-1.7")
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "Code Club" in pdf_text(poppler, out)
