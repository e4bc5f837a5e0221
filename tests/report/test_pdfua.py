"""PDF/UA-1 by outside checkers, on every example report and the portfolio.

Two checkers from PyPI, both in the dev extra (see the README's "Accessibility" section):

- ``page-validation`` (module ``page``): a Rust PDF/UA-1 and PDF/A validator that passes the
  veraPDF corpus; it checks the machine-checkable rules of ISO 14289-1 as veraPDF does. Every
  PDF must be compliant: no failed rule.
- ``outloud``: PDF/UA-1 (Matterhorn) conformance rules plus "semantic" heuristics. Every PDF
  must have no error. One semantic heuristic, TBL-010 ("header cells look shredded", fired by
  more TH than TD cells), misreads a proper one-row table — a header row of five columns and
  one row header over four data cells — and is not counted; its own self-check below shows
  the rule does fire on a table that is shredded. Warnings are printed, not failed.

The self-checks render small documents that break the rules our templates used to break (a
list with text between its items, a header cell no data cell points to) and show that each
checker reports them, so the passes above are not a checker that says yes to anything.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from report_helpers import EXAMPLES

#: outloud's semantic heuristic that misfires on one-row tables (see the module docstring).
NOT_COUNTED = {"TBL-010"}


def _page() -> object:
    try:
        import page
    except ImportError:
        message = "the dev package 'page-validation' is missing (pip install -e '.[dev]')"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return page


def _outloud() -> list[str]:
    exe = Path(sys.executable).with_name("outloud")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("outloud")
    if found:
        return [found]
    message = "the dev package 'outloud' is missing (pip install -e '.[dev]')"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
    raise AssertionError  # unreachable


@pytest.fixture(scope="module")
def pdfs(every_example: Path, funders_round: Path) -> list[Path]:
    files = [every_example / "portfolio.pdf", funders_round / "portfolio.pdf",
             *sorted((every_example / "reports").glob("*.pdf"))]
    # Both portfolios and one report per example.
    assert len(files) == 2 + len(list(EXAMPLES.glob("*.yaml")))
    return files


def page_failures(path: Path) -> list[str]:
    """Every rule ``page`` finds broken in ``path``, as "RULE: message" (empty when compliant)."""
    page = _page()
    report = page.validate_pdf(str(path), profile="ua1")  # type: ignore[attr-defined]
    failures = sorted({f"{f.rule_id}: {f.message}" for f in report.failures})
    if not report.is_compliant and not failures:
        failures = ["not compliant (no rule named)"]
    return failures


def outloud_findings(paths: list[Path], *extra: str) -> dict[str, list[dict[str, object]]]:
    """outloud's findings for each file (errors and warnings; info left out)."""
    out = subprocess.run([*_outloud(), "--json", "-", "--fail-on", "never", *extra,
                          *map(str, paths)], capture_output=True, text=True, timeout=600,
                         check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout)
    found: dict[str, list[dict[str, object]]] = {}
    for result in report["results"]:
        assert not result.get("error"), result
        found[result["path"]] = [f for f in result["findings"] if f["severity"] != "info"]
    return found


def test_every_pdf_is_pdfua1_compliant_for_page(pdfs: list[Path]) -> None:
    problems = {p.name: page_failures(p) for p in pdfs}
    assert {k: v for k, v in problems.items() if v} == {}


def test_every_pdf_has_no_outloud_error(pdfs: list[Path]) -> None:
    found = outloud_findings(pdfs)
    errors = {Path(k).name: [f"{f['rule']}: {f['message']}" for f in v
                             if f["severity"] == "error" and f["rule"] not in NOT_COUNTED]
              for k, v in found.items()}
    assert {k: v for k, v in errors.items() if v} == {}
    # Running headers and footers are pagination artifacts (report/tagging.py), not content.
    pagination = {Path(k).name for k, v in found.items() for f in v if f["rule"] == "PAG-001"}
    assert pagination == set()
    warnings = sorted({f"{f['rule']}: {f['message']}" for v in found.values() for f in v
                       if f["severity"] == "warning"})
    print("outloud warnings (not failures):", *warnings, sep="\n  ")


# -- Self-checks: the checkers do report what our output used to get wrong -------------------

BROKEN = """<!DOCTYPE html><html lang="en"><head><title>Self-check</title><style>
dl.facts dt, dl.facts dd { display: inline; }
</style></head><body><h1>Self-check</h1>
<dl class="facts">
  <dt>Design</dt><dd>randomised</dd>
  <dt>Site</dt><dd>London</dd>
</dl>
<table><thead><tr><th scope="col">Level</th><th scope="col">Verified</th>
<th scope="col">Claimed</th></tr></thead>
<tbody><tr><th scope="row">1</th><td>2</td><td>3</td></tr>
<tr><th scope="row">2</th><td>4</td><td>5</td></tr></tbody></table>
</body></html>"""


def _render(html: str, path: Path, *, finisher: bool) -> Path:
    import weasyprint

    from evidencekit.report.pdf import PDF_VARIANT
    from evidencekit.report.tagging import finish

    document = weasyprint.HTML(string=html).render(pdf_variant=PDF_VARIANT)
    path.write_bytes(document.write_pdf(pdf_variant=PDF_VARIANT,
                                        finisher=finish if finisher else None))
    return path


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    folder = tmp_path_factory.mktemp("pdfua")
    yield (_render(BROKEN, folder / "raw.pdf", finisher=False),
           _render(BROKEN, folder / "finished.pdf", finisher=True))


def test_page_reports_text_between_list_items(broken: tuple[Path, Path]) -> None:
    raw, finished = broken
    assert any(f.startswith("PDFUA1-L-KIDS-001") for f in page_failures(raw))
    assert any(f.startswith("PDFUA1-L-KIDS-001") for f in page_failures(finished))


def test_outloud_reports_a_header_cell_tied_to_nothing_until_it_has_a_scope(
        broken: tuple[Path, Path]) -> None:
    raw, finished = broken
    found = outloud_findings([raw, finished], "--only", "TBL-002,LST-003,TBL-010")
    raw_rules = {f["rule"] for f in found[str(raw)]}
    finished_rules = {f["rule"] for f in found[str(finished)]}
    assert {"TBL-002", "LST-003"} <= raw_rules  # "Level" heads a column of row headers only
    assert "TBL-002" not in finished_rules and "LST-003" in finished_rules


def test_the_uncounted_heuristic_does_fire_on_a_shredded_header(tmp_path: Path) -> None:
    """TBL-010 is left out of the count because it misfires; it is not a rule that never
    fires: a heading wrapped into four rows of one-word header cells trips it."""
    rows = "".join(f"<tr><th>{w}</th><th>{w}</th></tr>" for w in ("Number", "of", "people", "seen"))
    html = (f'<!DOCTYPE html><html lang="en"><head><title>T</title></head><body><h1>T</h1>'
            f"<table><thead>{rows}</thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>"
            "</body></html>")
    pdf = _render(html, tmp_path / "shredded.pdf", finisher=True)
    assert "TBL-010" in {f["rule"] for f in outloud_findings([pdf])[str(pdf)]}


def test_every_header_cell_gets_a_scope(pdfs: list[Path]) -> None:
    import pikepdf

    for path in pdfs[:3]:
        with pikepdf.open(path) as pdf:
            scopes = []
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Dictionary) and obj.get("/S") == "/TH":
                    attributes = obj.get("/A")
                    scopes.append(str(attributes.get("/Scope")) if attributes is not None
                                  else None)
            assert scopes and set(scopes) <= {"/Row", "/Column"}, (path.name, scopes)
            assert "/Row" in scopes and "/Column" in scopes


def test_running_headers_become_pagination_artifacts(tmp_path: Path) -> None:
    """WeasyPrint marks margin-box text as content but leaves it out of the structure tree;
    outloud reports it (PAG-001) until the finisher makes it an artifact, and page still finds
    the document compliant afterwards; the footer is still printed."""
    pages = "".join(f"<h2>Part {i}</h2><p style='break-after: page'>Text {i}.</p>"
                    for i in range(1, 5))
    html = ('<!DOCTYPE html><html lang="en"><head><title>T</title><style>'
            '@page { @bottom-right { content: "Page " counter(page) " of " counter(pages) } }'
            f"</style></head><body><h1>T</h1>{pages}</body></html>")
    raw = _render(html, tmp_path / "raw.pdf", finisher=False)
    finished = _render(html, tmp_path / "finished.pdf", finisher=True)
    found = outloud_findings([raw, finished], "--only", "PAG-001")
    assert [f["rule"] for f in found[str(raw)]] == ["PAG-001"]
    assert found[str(finished)] == []
    assert page_failures(finished) == []
    assert _has_pagination(finished) and not _has_pagination(raw)


def _has_pagination(path: Path) -> bool:
    import pikepdf

    with pikepdf.open(path) as pdf:
        return all(b"/Pagination" in page.Contents.read_bytes() for page in pdf.pages)
