"""scores.csv and scores.xlsx written in one pass over the rows (outputs.write_scores_tables):
the same bytes as the two writers apart, a spreadsheet that cannot be written still leaves a
complete scores.csv, and a failure of the rows themselves replaces neither file."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from evidencekit.batch.outputs import (
    BASE_COLUMNS,
    score_header,
    write_scores_csv,
    write_scores_tables,
    write_scores_xlsx,
)
from evidencekit.errors import InputError

HEADER = score_header(["g1", "g2"], [1, 2], ["region"])


def _rows(n: int, rubrics: tuple[str, ...] = ("nesta",)) -> list[list[Any]]:
    rows = []
    for i in range(n):
        values: dict[str, Any] = {c: None for c in BASE_COLUMNS}
        values.update(rank=i + 1, application_id=f"app-{i}", programme=f"=cmd|' /C calc'!A{i}",
                      level=i % 3, effect=0.1 * i, effect_ci_low=float("nan"),
                      effect_causal=i % 2 == 0, rubric_id=rubrics[i % len(rubrics)],
                      effect_measure="hedges_g (favourable direction)")
        rows.append([values[c] for c in BASE_COLUMNS]
                    + ["reached", "not_reached", "verified", "not_met", f"R{i % 4}"])
    return rows


@pytest.mark.parametrize("rubrics", [("nesta",), ("nesta", "wwc")])
def test_the_same_bytes_as_the_two_writers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           rubrics: tuple[str, ...]) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    rows = _rows(300, rubrics)
    counts = {r: sum(1 for row in rows if row[BASE_COLUMNS.index("rubric_id")] == r)
              for r in rubrics}
    write_scores_csv(tmp_path / "a.csv", HEADER, iter(rows))
    write_scores_xlsx(tmp_path / "a.xlsx", HEADER, iter(rows), {"g1": "One"}, counts)
    write_scores_tables(tmp_path / "b.csv", tmp_path / "b.xlsx", HEADER, iter(rows),
                        {"g1": "One"}, counts)
    assert (tmp_path / "b.csv").read_bytes() == (tmp_path / "a.csv").read_bytes()
    assert (tmp_path / "b.xlsx").read_bytes() == (tmp_path / "a.xlsx").read_bytes()


def test_each_row_is_read_once(tmp_path: Path) -> None:
    taken: list[int] = []

    def rows() -> Iterator[list[Any]]:
        for i, row in enumerate(_rows(40)):
            taken.append(i)
            yield row

    write_scores_tables(tmp_path / "s.csv", tmp_path / "s.xlsx", HEADER, rows(), None,
                        {"nesta": 40})
    assert taken == list(range(40))


def test_a_spreadsheet_that_cannot_be_written_leaves_scores_csv_complete(
        tmp_path: Path) -> None:
    rows = _rows(50)
    write_scores_csv(tmp_path / "ref.csv", HEADER, iter(rows))
    (tmp_path / "s.xlsx").mkdir()  # a folder where the spreadsheet goes
    with pytest.raises(InputError) as caught:
        write_scores_tables(tmp_path / "s.csv", tmp_path / "s.xlsx", HEADER, iter(rows),
                            None, {"nesta": 50})
    assert str(tmp_path / "s.xlsx") in str(caught.value)
    assert (tmp_path / "s.csv").read_bytes() == (tmp_path / "ref.csv").read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_rows_that_fail_replace_neither_file_and_name_scores_csv(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text("old\n", encoding="utf-8")
    (tmp_path / "s.xlsx").write_bytes(b"old")

    def rows() -> Iterator[list[Any]]:
        yield from _rows(10)
        raise OSError(errno.EIO, "Input/output error")

    with pytest.raises(InputError) as caught:
        write_scores_tables(tmp_path / "s.csv", tmp_path / "s.xlsx", HEADER, rows(), None,
                            {"nesta": 20})
    assert str(caught.value).startswith(str(tmp_path / "s.csv") + ":")
    assert (tmp_path / "s.csv").read_text(encoding="utf-8") == "old\n"
    assert (tmp_path / "s.xlsx").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.csv", "s.xlsx"]


def test_a_broken_row_is_raised_as_itself(tmp_path: Path) -> None:
    def rows() -> Iterator[list[Any]]:
        yield from _rows(3)
        raise ValueError("a journal line cut short")

    with pytest.raises(ValueError, match="cut short"):
        write_scores_tables(tmp_path / "s.csv", tmp_path / "s.xlsx", HEADER, rows(), None,
                            {"nesta": 3})
    assert list(tmp_path.iterdir()) == []


def test_a_disk_full_midway_through_the_spreadsheet_still_completes_scores_csv(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from evidencekit.batch import xlsx

    def full_disk(handle: Any, sheets: Any, **_: Any) -> None:
        taken = iter(sheets[0].rows)
        for _ in range(6):  # the heading and five rows, then the disk is full
            next(taken)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(xlsx, "write_workbook", full_disk)
    rows = _rows(50)
    write_scores_csv(tmp_path / "ref.csv", HEADER, iter(rows))
    with pytest.raises(InputError) as caught:
        write_scores_tables(tmp_path / "s.csv", tmp_path / "s.xlsx", HEADER, iter(rows),
                            None, {"nesta": 50})
    assert str(caught.value) == (f"{tmp_path / 's.xlsx'}: expected a place the file can be "
                                 "written to, found no space left on the disk.")
    assert (tmp_path / "s.csv").read_bytes() == (tmp_path / "ref.csv").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ref.csv", "s.csv"]


def test_a_round_whose_spreadsheet_cannot_be_written_still_writes_its_other_tables(
        tmp_path: Path) -> None:
    from click.testing import CliRunner

    from evidencekit.cli import main

    examples = Path(__file__).resolve().parents[2] / "examples"
    normal = CliRunner().invoke(main, ["batch", str(examples), "--out", str(tmp_path / "ok"),
                                       "--no-portfolio"])
    assert normal.exit_code == 0, normal.output
    (tmp_path / "out" / "scores.xlsx").mkdir(parents=True)  # a folder in its place
    result = CliRunner().invoke(main, ["batch", str(examples), "--out", str(tmp_path / "out"),
                                       "--no-portfolio"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        f"{tmp_path / 'out' / 'scores.xlsx'}: expected a place the file can be written to, "
        "found a folder in its place.")
    for name in ("scores.csv", "errors.csv"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "ok" / name).read_bytes()
    assert (tmp_path / "out" / "scores.xlsx").is_dir()
