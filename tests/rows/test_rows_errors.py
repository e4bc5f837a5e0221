"""Every data problem is one plain sentence on stderr and exit code 2 (SPEC §4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rows_helpers import Cli, evaluation, outcome_spec, write_submission

TWO = {"outcome": "post", "group": "arm", "treatment": "T"}


def run(cli: Cli, folder: Path, data: str, columns: dict[str, str] | None = None,
        design: str = "rct", **extra: Any) -> tuple[int, str]:
    sub = write_submission(folder, [evaluation("e", design, outcome_spec(
        data, columns or TWO, **extra))])
    code, out, err = cli("analyse", str(sub))
    assert out == ""
    return code, err.strip()


def expect(cli: Cli, folder: Path, data: str, sentence: str,
           columns: dict[str, str] | None = None, **extra: Any) -> None:
    """The exact sentence (located relative to the working folder) and exit code 2."""
    code, err = run(cli, folder, data, columns, **extra)
    assert code == 2
    assert err == sentence


@pytest.fixture()
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the data folder, so messages name files as 'x.csv'."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def test_missing_file(cli: Cli, here: Path) -> None:
    expect(cli, here, "nope.csv", "nope.csv, evaluations[0].outcomes[0].data: expected an "
           "existing .csv, .xlsx or .parquet file, found no file at this path.")


def test_empty_file_and_header_only(cli: Cli, here: Path) -> None:
    write(here, "empty.csv", "")
    expect(cli, here, "empty.csv", "empty.csv: expected a header row and at least one row of "
           "data, found an empty file.")
    write(here, "header.csv", "id,arm,post\n")
    expect(cli, here, "header.csv", "header.csv: expected at least one row of data below the "
           "header, found only the header.")
    write(here, "blank.csv", "id,arm,post\n,,\n\n")
    expect(cli, here, "blank.csv", "blank.csv: expected at least one row of data below the "
           "header, found only the header and 1 blank row.")


def test_unknown_column_lists_the_columns(cli: Cli, here: Path) -> None:
    write(here, "d.csv", "id,arm,pre,post\n1,T,1,2\n")
    expect(cli, here, "d.csv", "d.csv, line 1, evaluations[0].outcomes[0].columns.outcome: "
           "expected a column named 'Post', found no such column; the columns are 'id', "
           "'arm', 'pre', 'post' (did you mean 'post'?).",
           {"outcome": "Post", "group": "arm", "treatment": "T"})
    expect(cli, here, "d.csv", "d.csv, line 1, evaluations[0].outcomes[0].covariates[1]: "
           "expected a column named 'age', found no such column; the columns are 'id', "
           "'arm', 'pre', 'post'.", covariates=["pre", "age"])


def test_text_in_a_numeric_column_names_the_lines(cli: Cli, here: Path) -> None:
    write(here, "d.csv", "id,arm,post\n1,T,2\n2,T,abc\n3,C,1\n4,C,n/k\n5,C,\n6,T,?\n"
          "7,C,x\n8,T,y\n")
    expect(cli, here, "d.csv", "d.csv, line 3, column 'post': expected a number, found "
           "'abc' (also at lines 5, 7, 8 and more).")
    write(here, "one.csv", "arm,post\nT,1\nT,2\nC,3\n\nC,twelve\n")  # a blank line counts
    expect(cli, here, "one.csv", "one.csv, line 6, column 'post': expected a number, found "
           "'twelve'.")
    write(here, "inf.csv", "arm,post\nT,1\nT,inf\nC,3\nC,4\n")
    expect(cli, here, "inf.csv", "inf.csv, line 3, column 'post': expected a number, found "
           "'inf'.")
    write(here, "comma.csv", "arm;post\nT;1,5\nT;2\nC;3\nC;4\n")
    expect(cli, here, "comma.csv", "comma.csv, line 2, column 'post': expected a number, "
           "found '1,5'; it has a decimal comma, so save the file with decimal points.")


def test_text_in_excel_and_parquet(cli: Cli, here: Path) -> None:
    import openpyxl
    import pyarrow as pa
    import pyarrow.parquet as pq

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Pupils"
    for row in (["arm", "post"], ["T", 1], ["T", "abc"], ["C", 2], ["C", 3]):
        ws.append(row)
    wb.save(here / "w.xlsx")
    expect(cli, here, "w.xlsx", "w.xlsx, sheet 'Pupils', row 3, column 'post': expected a "
           "number, found 'abc'.")
    expect(cli, here, "w.xlsx", "w.xlsx, evaluations[0].outcomes[0].sheet: expected a sheet "
           "named 'Data', found only the sheets 'Pupils'.", sheet="Data")
    pq.write_table(pa.table({"arm": ["T", "T", "C", "C"], "post": ["1", "x", "2", "y"]}),
                   here / "t.parquet")
    expect(cli, here, "t.parquet", "t.parquet, row 2, column 'post': expected a number, found "
           "'x' (also at row 4).")


def test_group_values(cli: Cli, here: Path) -> None:
    write(here, "three.csv", "arm,post\nT,1\nT,2\nC,3\nC,4\nX,5\n")
    expect(cli, here, "three.csv", "three.csv, column 'arm': expected exactly two groups (the "
           "treatment value 'T' and one other), found 3 values: 'T' (2 rows), 'C' (2 rows) "
           "and 'X' (1 row).")
    write(here, "one.csv", "arm,post\nT,1\nT,2\nT,3\n")
    expect(cli, here, "one.csv", "one.csv, column 'arm': expected exactly two groups (the "
           "treatment value 'T' and one other), found only 'T' (3 rows).")
    write(here, "none.csv", "arm,post\nA,1\nA,2\nB,3\nB,4\n")
    expect(cli, here, "none.csv", "none.csv, column 'arm': expected the treatment value 'T' "
           "(columns.treatment) among the group values, found only 'A' (2 rows) and 'B' "
           "(2 rows).")


def test_binary_values(cli: Cli, here: Path) -> None:
    write(here, "b.csv", "arm,passed\nT,yes\nT,No\nC,maybe\nC,TRUE\nT,2\n")
    expect(cli, here, "b.csv", "b.csv, line 4, column 'passed': expected a yes/no value "
           "(0/1, true/false or yes/no), found 'maybe' (also at line 6).",
           {"outcome": "passed", "group": "arm", "treatment": "T"}, kind="binary")


def test_a_group_with_one_person(cli: Cli, here: Path) -> None:
    write(here, "d.csv", "arm,post\nT,1\nT,2\nC,3\nC,\n")
    expect(cli, here, "d.csv", "d.csv, column 'arm': expected at least 2 people with complete "
           "data in each group, found 1 in the control group ('C').")


def test_zero_variance(cli: Cli, here: Path) -> None:
    write(here, "d.csv", "arm,pre,post\nT,1,5\nT,1,5\nC,1,5\nC,1,5\n")
    expect(cli, here, "d.csv", "d.csv, column 'post': expected outcome values that vary, "
           "found the same value (5) in every analysed row.")
    write(here, "p.csv", "arm,pre,post\nT,1,5\nT,1,6\nC,1,5\nC,1,7\n")
    expect(cli, here, "p.csv", "p.csv, column 'pre': expected pretest values that vary, found "
           "the same value (1) in every analysed row.", {**TWO, "pretest": "pre"})
    write(here, "w.csv", "arm,post\nT,5\nT,5\nC,3\nC,3\n")
    expect(cli, here, "w.csv", "w.csv, column 'post': expected outcome values that vary "
           "within the groups, found no variation within either group.")


def test_unreadable_csv(cli: Cli, here: Path) -> None:
    write(here, "sep.csv", "arm post\nT 1\n")
    expect(cli, here, "sep.csv", "sep.csv, line 1: expected columns separated by commas, "
           "semicolons, tabs or '|', found a header line with no separator ('arm post').")
    (here / "bin.csv").write_bytes(b"PK\x03\x04\x00\x00\x00binary\x00\x00")
    expect(cli, here, "bin.csv", "bin.csv: expected a text (CSV) file, found binary content "
           "(is it an Excel or Parquet file renamed to .csv?).")
    (here / "enc.csv").write_bytes(b"arm,post\nT,1\n\x81\x8d,2\n")
    expect(cli, here, "enc.csv", "enc.csv, line 3: expected text in UTF-8, UTF-16 or "
           "Windows-1252 encoding, found bytes that are none of these (byte 0x81).")
    write(here, "ragged.csv", "arm,post\nT,1\nT,2,9\nC,3\nC,4\n")
    expect(cli, here, "ragged.csv", "ragged.csv, line 3: expected 2 fields like the header "
           "row, found 3 fields.")


def test_not_parquet_or_excel(cli: Cli, here: Path) -> None:
    write(here, "x.parquet", "not parquet")
    expect(cli, here, "x.parquet", "x.parquet: expected a Parquet file, found a file that is "
           "not one (no Parquet footer).")
    write(here, "x.xlsx", "not excel")
    expect(cli, here, "x.xlsx", "x.xlsx: expected an Excel .xlsx workbook, found a file that "
           "is not one (BadZipFile).")


def test_subprocess_exit_code(here: Path) -> None:
    """The installed command exits 2 with the sentence (no traceback), outside click's runner."""
    import subprocess
    import sys

    write(here, "d.csv", "arm,post\nT,1\nT,x\nC,3\nC,4\n")
    sub = write_submission(here, [evaluation("e", "rct", outcome_spec("d.csv", TWO))])
    proc = subprocess.run([sys.executable, "-m", "evidencekit", "analyse", str(sub)],
                          capture_output=True, text=True, check=False, cwd=here)
    assert proc.returncode == 2
    assert proc.stderr == "d.csv, line 3, column 'post': expected a number, found 'x'.\n"
