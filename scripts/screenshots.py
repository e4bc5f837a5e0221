"""Regenerate the README's pictures of the reports.

* ``docs/report-page1.png``: page one of the PDF report for ``examples/access-project.yaml``;
* ``docs/portfolio-page1.png``: page one of the portfolio PDF for the bundled examples as a
  funder's round (``examples/round.csv``: the funder's themes and amounts requested);
* ``docs/report-phone.png``: the top of the same report's HTML at phone width (375 px), in
  headless Chromium (Debian's, through Playwright), as a reader on a phone sees it.

Every picture comes from the real commands a user runs (``evidencekit assess … --pdf --html``,
``evidencekit batch … --out``), rendered with poppler's ``pdftoppm`` or Chromium.

    .venv/bin/python scripts/screenshots.py        (or: make screenshots)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
CHROMIUM = "/usr/bin/chromium"
EXAMPLE = REPO / "examples" / "access-project.yaml"
ROUND = REPO / "examples" / "round.csv"


def evidencekit(*args: str | Path) -> None:
    subprocess.run([sys.executable, "-m", "evidencekit", *map(str, args)], check=True,
                   stdout=subprocess.DEVNULL)


def page_one(pdf: Path, target: Path, dpi: int = 80) -> None:
    """Page one of ``pdf`` as a PNG at ``dpi``."""
    stem = target.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1",
                    "-singlefile", str(pdf), str(stem)], check=True)


def phone(html: Path, target: Path, width: int = 375, height: int = 1400) -> None:
    """The top ``height`` CSS pixels of ``html`` at ``width``, as a phone shows it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": width, "height": height},
                                device_scale_factor=1.5, is_mobile=True, has_touch=True)
        page.goto(html.as_uri())
        page.screenshot(path=str(target), clip={"x": 0, "y": 0, "width": width,
                                                 "height": height})
        browser.close()


def main() -> int:
    missing = [tool for tool in ("pdftoppm",) if shutil.which(tool) is None]
    if missing or not Path(CHROMIUM).exists():
        print(f"screenshots: needs {', '.join(missing) or CHROMIUM} "
              "(scripts/system-deps.sh installs it)", file=sys.stderr)
        return 1
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        evidencekit("assess", EXAMPLE, "--pdf", out / "report.pdf", "--html",
                    out / "report.html", "--deterministic")
        evidencekit("batch", ROUND, "--out", out / "round", "--workers", "2")
        page_one(out / "report.pdf", DOCS / "report-page1.png")
        page_one(out / "round" / "portfolio.pdf", DOCS / "portfolio-page1.png")
        phone(out / "report.html", DOCS / "report-phone.png")
    for name in ("report-page1.png", "portfolio-page1.png", "report-phone.png"):
        print(f"wrote docs/{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
