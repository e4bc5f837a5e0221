"""scores.xlsx's own writer (evidencekit.batch.xlsx) gives the bytes xlsxwriter gave for the same
rows, hostile text included (formulas, control characters, XML specials, Excel's own _xHHHH_
escapes, edge whitespace, text over Excel's limit, huge and tiny numbers, NaN), on one sheet
and on one per rubric; where xlsxwriter failed (a text that looks like its rich-string markup,
an integer beyond any float) the workbook opens and keeps the text."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from tools.xlsxwriter_reference import old_write_scores_xlsx

from evidencekit.batch.outputs import BASE_COLUMNS, score_header, write_scores_xlsx
from evidencekit.batch.xlsx import Sheet, write_workbook

HOSTILE = ["=cmd|' /C calc'!A0", "@SUM(1,1)", "\t=1+1", "\r=1+1", "  =1+1", "=1+1\n=2+2",
           "-2+3", "\uff1d1+1", "a & <b> \"q\"", " lead", "trail ", "line\n", "cr\r",
           "_x0041_ kept", "nul\x00byte", "v\vtab", "x\uffffy", "c1\x85next", "é ✗ 😀",
           "😀" * 20000, "x" * 40000, "", "0", "-0.52", "1e5"]
NUMBERS = [0, -0.0, 1.7e308, -1.7e308, 5e-324, 2 ** 53 + 1, -(2 ** 62), 0.1 + 0.2,
           float("nan"), float("inf"), float("-inf"), True, False]
GATES = ["verified", "validated", "claimed", "not_met", "weird"]


def _rows() -> tuple[list[str], list[list[object]]]:
    header = score_header(["g1", "g&2"], [1, 2], ["funder's =col"])
    rows = []
    for i in range(len(HOSTILE) * 2):
        values: dict[str, object] = {c: None for c in header}
        text = HOSTILE[i % len(HOSTILE)]
        values.update(rank=i + 1, application_id=f"app-{i}", programme=text,
                      organisation=HOSTILE[-1 - i % len(HOSTILE)], level=i % 4,
                      effect=NUMBERS[i % len(NUMBERS)],
                      effect_ci_low=NUMBERS[(i + 3) % len(NUMBERS)],
                      effect_measure="did_hedges_g (favourable direction)" if i % 2 else text,
                      effect_causal=[True, False, None][i % 3],
                      n_analysed=NUMBERS[(i + 5) % len(NUMBERS)],
                      cost_per_participant=[1447, 12.5, None][i % 3],
                      rubric_id="nesta" if i % 3 else "other & 'it' x",
                      **{"level:1": ["reached", "not_reached", text][i % 3],
                         "gate:g1": GATES[i % len(GATES)], "gate:g&2": text,
                         "funder's =col": text})
        rows.append([values[c] for c in header])
    assert header[:len(BASE_COLUMNS)] == BASE_COLUMNS
    return header, rows


def _cells(path: Path) -> list[tuple[str, list[tuple[str, str, object, str, bool]]]]:
    wb = load_workbook(path)
    return [(ws.title, [(c.coordinate, c.data_type, c.value, c.number_format, bool(c.font.b))
                        for row in ws.iter_rows() for c in row if c.value is not None])
            for ws in wb.worksheets]


@pytest.mark.parametrize("one_rubric", [True, False])
def test_the_workbook_is_xlsxwriters_byte_for_byte(tmp_path: Path, one_rubric: bool,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    header, rows = _rows()
    if one_rubric:
        for r in rows:
            r[header.index("rubric_id")] = "nesta"
    counts = {"nesta": len(rows)} if one_rubric else None
    write_scores_xlsx(tmp_path / "new.xlsx", header, iter(rows), {"g1": "Gate <one>"}, counts)
    old_write_scores_xlsx(tmp_path / "old.xlsx", header, iter(rows), {"g1": "Gate <one>"},
                          counts)
    new, old = _cells(tmp_path / "new.xlsx"), _cells(tmp_path / "old.xlsx")
    assert len(new) == (2 if one_rubric else 3)
    assert new == old
    for _title, cells in new:
        assert all(t in ("s", "n") for _, t, _, _, _ in cells)  # never a formula
    assert (tmp_path / "new.xlsx").read_bytes() == (tmp_path / "old.xlsx").read_bytes()


def test_text_like_xlsxwriters_rich_markup_stays_text(tmp_path: Path) -> None:
    """xlsxwriter pasted a text starting with <r> and ending with </r> into the XML as it
    was (its own rich-string markup): a programme named so broke the workbook."""
    header, rows = _rows()
    texts = ["<r>&</r>", "<r><t>=1+1</t></r>"]
    for r, text in zip(rows, texts, strict=False):
        r[header.index("programme")] = text
    write_scores_xlsx(tmp_path / "s.xlsx", header, rows)
    got = {c.value for ws in load_workbook(tmp_path / "s.xlsx").worksheets
           for c in ws["C"][1:]}
    assert set(texts) <= got


def test_an_integer_beyond_any_float_is_written_as_its_digits(tmp_path: Path) -> None:
    header, rows = _rows()
    rows[0][header.index("cost_per_participant")] = 10 ** 400
    write_scores_xlsx(tmp_path / "s.xlsx", header, rows[:1])
    ws = load_workbook(tmp_path / "s.xlsx").worksheets[0]
    cell = ws.cell(2, header.index("cost_per_participant") + 1)
    assert (cell.data_type, cell.value) == ("s", str(10 ** 400))


def test_a_sheet_with_fewer_rows_than_announced_is_refused() -> None:
    sheet = Sheet("Scores", [7, 8], [None, "0"], iter([["a", "b"], ["c", 1]]), count=2)
    with pytest.raises(ValueError, match="2 rows written, 3 announced"):
        write_workbook(io.BytesIO(), [sheet], created=datetime(2026, 1, 1), author="x")


def test_the_parts_are_stored_deflated_with_fixed_dates(tmp_path: Path) -> None:
    header, rows = _rows()
    write_scores_xlsx(tmp_path / "s.xlsx", header, rows)
    with zipfile.ZipFile(tmp_path / "s.xlsx") as zf:
        assert zf.testzip() is None
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 31, 0, 0, 0)}
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_DEFLATED}
