"""Every "§" reference in the README, the docs, the report templates, the rubrics and the
code resolves to a heading of docs/contract.md (the SPEC the project cites)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CONTRACT = REPO / "docs" / "contract.md"
HEADING = re.compile(r"^#{2,3} §(\d+(?:\.\d+)*)[. ]", re.MULTILINE)
#: "SPEC §3.9", "contract §5.2", or a bare "§2" in prose; a book's section cited in a
#: docstring ("Generalized Linear Models, §4.4", "ECMA-376 §18.8.30") is a citation of that
#: work, not of the SPEC.
REFERENCE = re.compile(r"(?<!Models, )(?<!Components, )(?<!ECMA-376 )§\s*(\d+(?:\.\d+)*)")


def _sources() -> list[Path]:
    files = [REPO / "README.md", *(REPO / "docs").rglob("*.md"),
             *(REPO / "evidencekit").rglob("*.py"), *(REPO / "rubrics").glob("*.yaml"),
             *(REPO / "examples").glob("*.md")]
    files += [p for p in (REPO / "report_templates").rglob("*")
              if p.is_file() and p.suffix in (".j2", ".html", ".css", ".md", ".txt")]
    return [p for p in files if p != CONTRACT]


def test_every_reference_resolves_to_a_heading() -> None:
    headings = set(HEADING.findall(CONTRACT.read_text(encoding="utf-8")))
    assert {"1", "2", "3", "4", "5", "3.9", "5.2"} <= headings
    missing = []
    seen = 0
    for path in _sources():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for ref in REFERENCE.findall(line):
                seen += 1
                if ref not in headings:
                    missing.append(f"{path.relative_to(REPO)}:{n}: §{ref}")
    assert seen > 20, "the scan found almost no references: is the pattern broken?"
    assert not missing, "references without a heading in docs/contract.md:\n" + "\n".join(missing)


def test_the_readme_links_the_contract() -> None:
    assert "docs/contract.md" in (REPO / "README.md").read_text(encoding="utf-8")
