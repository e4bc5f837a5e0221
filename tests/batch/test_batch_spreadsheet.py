"""scores.xlsx as a working spreadsheet (issue 13 item 6) and provenance that means what it
says (issue 10 item 6: input_sha256 is the submission file's SHA-256, as in the report)."""

from __future__ import annotations

import csv
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from evidencekit.batch import BatchOptions, run_batch

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def round_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("sheet")
    apps = root / "apps"
    apps.mkdir()
    for name in ("goodgym", "code-club", "user-voice"):
        shutil.copy(EXAMPLES / f"{name}.yaml", apps / f"{name}.yaml")
    out = root / "out"
    run_batch(apps, out, BatchOptions(workers=1, progress=False, portfolio=False))
    return apps, out


def test_xlsx_is_a_working_spreadsheet(round_out: tuple[Path, Path]) -> None:
    from openpyxl import load_workbook

    _, out = round_out
    wb = load_workbook(out / "scores.xlsx")
    assert wb.sheetnames == ["Scores", "Columns"]
    ws = wb["Scores"]
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
    header = [c.value for c in ws[1]]
    assert header[:5] == ["Rank", "Application", "Programme", "Organisation", "Verified level"]
    assert not any("_" in h for h in header if isinstance(h, str))  # no internal codes
    assert ws.column_dimensions["C"].width >= 20
    effect = ws.cell(row=2, column=header.index("Effect") + 1)
    assert effect.number_format == "0.00" and isinstance(effect.value, float)
    with (out / "scores.csv").open(encoding="utf-8", newline="") as f:
        first = next(csv.DictReader(f))
    assert repr(effect.value) == first["effect"]  # full precision kept
    words = {c.value for row in ws.iter_rows(min_row=2) for c in row}
    assert "not_met" not in words and "did_hedges_g" not in " ".join(map(str, words))
    columns = [(r[0].value, r[1].value) for r in wb["Columns"].iter_rows(min_row=2)]
    assert ("Effect", "effect") in columns and len(columns) == len(header)


def test_libreoffice_converts_the_workbook(round_out: tuple[Path, Path], tmp_path: Path
                                           ) -> None:
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("libreoffice is not installed (scripts/system-deps.sh installs it)")
    _, out = round_out
    shutil.copy(out / "scores.xlsx", tmp_path / "scores.xlsx")
    done = subprocess.run([office, f"-env:UserInstallation={(tmp_path / 'p').as_uri()}",
                           "--headless", "--convert-to", "csv", "scores.xlsx", "--outdir",
                           str(tmp_path)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "scores.csv").read_text(encoding="utf-8")
    assert text.startswith("Rank,Application,Programme")


def test_input_sha256_is_the_files_hash_as_in_the_report(round_out: tuple[Path, Path]
                                                         ) -> None:
    from evidencekit.load import load_submission

    apps, out = round_out
    with (out / "scores.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows
    for row in rows:
        path = apps / f"{row['application_id']}.yaml"
        assert row["input_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert row["input_sha256"] == load_submission(path).sha256  # the report's provenance
