"""Layout checks of rendered reports: the HTML in a browser, the PDF by its word boxes.

Used by ``test_report_browser.py`` (Chromium through Playwright) and
``test_report_pdf_layout.py`` (pdfplumber). Each check returns a list of plain-language
problems, empty when the layout is sound, so that a failing assertion says what and where.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from tools.browser import chromium  # noqa: F401  (the report tests import it from here)

#: JavaScript run in the page: horizontal overflow of the document, and table cells (or any
#: text element) too narrow for the longest word they hold.
_OVERFLOW_JS = (Path(__file__).parent / "overflow.js").read_text(encoding="utf-8")


def overflow_problems(page: Any) -> list[str]:
    """Horizontal overflow and words broken inside too-narrow boxes, on the page as shown."""
    problems: list[str] = page.evaluate(_OVERFLOW_JS)
    return problems





def html_documents(folder: Path) -> list[Path]:
    """The portfolio and every per-application HTML report of a batch output folder."""
    return [folder / "portfolio.html", *sorted((folder / "reports").glob("*.html"))]


def pdf_documents(folder: Path) -> list[Path]:
    """The portfolio and every per-application PDF report of a batch output folder."""
    return [folder / "portfolio.pdf", *sorted((folder / "reports").glob("*.pdf"))]


# -- PDF: word boxes (pdfplumber) and the structure tree -----------------------------------

BLOCKS = {"H1", "H2", "H3", "H4", "H5", "H6", "P", "LI", "Lbl", "LBody", "TD", "TH",
          "Caption", "Figure", "Note", "BlockQuote", "Div", "TOC", "TOCI", "Index"}
HEADINGS = {"H1", "H2", "H3", "H4", "H5", "H6"}
TOL = 0.6  # points of overlap allowed (kerning, bold glyphs touching)


def _mcid_map(tree: list[dict[str, Any]]) -> dict[int, tuple[str, int, int]]:
    """mcid -> (innermost block type, id of that block element, id of its table row or -1)."""
    out: dict[int, tuple[str, int, int]] = {}
    counter = [0]

    def walk(e: dict[str, Any], block: tuple[str, int], row: int) -> None:
        counter[0] += 1
        t = e.get("type", "")
        if t in BLOCKS:
            block = (t, counter[0])
        if t == "TR":
            row = counter[0]
        for m in e.get("mcids", []) or []:
            out[m] = (block[0], block[1], row)
        for c in e.get("children", []) or []:
            walk(c, block, row)

    for e in tree:
        walk(e, ("", 0), -1)
    return out


def page_problems(page: Any, label: str, footer_top: float, last: bool = False,
                  next_opens_section: bool = False) -> list[str]:
    """Layout problems of one pdfplumber page (see :func:`pdf_layout_problems`); ``last``
    for the document's last page (which may end with a heading's one line, and must not be
    nearly empty); ``next_opens_section`` when the next page begins with a heading, so that
    a heading with one line at this page's foot is a complete (short) section, not a
    stranded one."""
    problems: list[str] = []
    W, H = page.width, page.height
    try:
        tree = page.structure_tree
    except Exception:  # pdfplumber raises several types on a missing tree
        tree = []
    mcids = _mcid_map(tree)
    chars = page.extract_words(extra_attrs=["mcid"], x_tolerance=1.5)
    # 1. On the page.
    for c in chars:
        if c["x0"] < -TOL or c["x1"] > W + TOL or c["top"] < -TOL or c["bottom"] > H + TOL:
            problems.append(f"{label}: {c['text']!r} outside the page")
            break
    # 2. No overlapping glyphs from different words / blocks (sweep over x).
    boxes = sorted(((c["x0"], c["x1"], c["top"], c["bottom"], c) for c in chars),
                   key=lambda b: b[0])
    active: list[Any] = []
    seen = 0
    for b in boxes:
        active = [a for a in active if a[1] > b[0] + TOL]
        for a in active:
            tall = min(a[3], b[3]) - max(a[2], b[2])
            wide = min(a[1], b[1]) - max(a[0], b[0])
            if tall > TOL and wide > TOL:
                ca, cb = a[4], b[4]
                problems.append(f"{label}: text overlaps at x={cb['x0']:.0f}, "
                                f"y={cb['top']:.0f}: {ca['text']!r} and {cb['text']!r}")
                seen += 1
                break
        if seen >= 3:
            break
        active.append(b)
    # 3. A cell's text stays left of the next cell's text in the same table row.
    rows: dict[int, dict[int, list[Any]]] = {}
    for c in chars:
        info = mcids.get(c.get("mcid"))
        if info and info[2] >= 0 and info[0] in ("TD", "TH"):
            rows.setdefault(info[2], {}).setdefault(info[1], []).append(c)
    for cells in rows.values():
        ordered = sorted(cells.values(), key=lambda cs: min(x["x0"] for x in cs))
        for left, right in itertools.pairwise(ordered):
            lx1 = max(x["x1"] for x in left)
            rx0 = min(x["x0"] for x in right)
            if lx1 > rx0 + TOL:
                txt = " ".join(x["text"] for x in left)[:40]
                problems.append(f"{label}: cell text “{txt}” runs into the next cell")
    # 4. No heading is the last thing on the page (above the footer).
    body = [c for c in chars if c["top"] < footer_top]
    lines: list[list[Any]] = []
    for c in sorted(body, key=lambda c: (round(c["bottom"]), c["x0"])):
        if lines and abs(lines[-1][0]["bottom"] - c["bottom"]) < 1.5:
            lines[-1].append(c)
        else:
            lines.append([c])
    # A heading with only one line after it at the foot of a page is stranded too (the
    # stricter rule), except at the very end of the document.
    for tail in ((1,) if last or next_opens_section else (1, 2)):
        if len(lines) < tail:
            break
        line = lines[-tail]
        kinds = {mcids.get(c.get("mcid"), ("?", 0, -1))[0] for c in line}
        if kinds and kinds <= HEADINGS:
            text = " ".join(c["text"] for c in line)[:60]
            problems.append(f"{label}: the page ends with the heading “{text}”"
                            + ("" if tail == 1 else " and one line after it"))
            break
    # 5. A last page holds more than a stray line or two.
    if last and lines and len(lines) > 0:
        top = 16 * 72 / 25.4
        filled = (max(c["bottom"] for c in body) - top) / (footer_top - top)
        if filled < MIN_LAST_PAGE:
            problems.append(f"{label}: the last page is nearly empty ({filled:.0%} used)")
    return problems


#: Share of the last page's text area that must be used (a colophon alone is a wasted page).
MIN_LAST_PAGE = 0.2


def _opens_with_heading(page: Any) -> bool:
    """Whether the page's first line of text is a heading (a new section starts there)."""
    try:
        mcids = _mcid_map(page.structure_tree)
    except Exception:  # pdfplumber raises several types on a missing tree
        return False
    words = page.extract_words(extra_attrs=["mcid"], x_tolerance=1.5)
    if not words:
        return False
    top = min(w["top"] for w in words)
    first = [w for w in words if abs(w["top"] - top) < 1.5]
    return {mcids.get(w.get("mcid"), ("?", 0, -1))[0] for w in first} <= HEADINGS


def pdf_layout_problems(path: Path) -> list[str]:
    """Layout problems on every page of a PDF (overlaps, text off the page or out of its
    cell, stranded headings), from pdfplumber's word boxes and the PDF's structure tree."""
    import pdfplumber

    problems: list[str] = []
    with pdfplumber.open(str(path)) as pdf:
        opens = [_opens_with_heading(page) for page in pdf.pages]
        for i, page in enumerate(pdf.pages, start=1):
            # the running footer sits in the 17 mm bottom margin (report.css @page)
            problems += page_problems(page, f"{path.name} p. {i}",
                                      footer_top=page.height - 17 * 72 / 25.4,
                                      last=i == len(pdf.pages) and i > 1,
                                      next_opens_section=i < len(pdf.pages) and opens[i])
    return problems
