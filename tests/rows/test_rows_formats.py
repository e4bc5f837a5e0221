"""The same data give the same analysis from every format, encoding, delimiter and batch size."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rows_helpers import REFERENCE, Cli, evaluation, outcome_spec, write_submission

import evidencekit.load.data.limits as data_module

Analyse = Callable[[Path], dict[str, Any]]
COLUMNS = {"outcome": "post", "group": "arm", "treatment": "tutored", "pretest": "pre",
           "cluster": "school"}


def read_trial() -> list[list[str]]:
    with (REFERENCE / "rows_trial.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def analysed(analyse: Analyse, folder: Path, data: str, columns: dict[str, str] | None = None,
             **extra: Any) -> dict[str, Any]:
    sub = write_submission(folder, [evaluation("e", "cluster_rct", outcome_spec(
        data, columns or COLUMNS, **extra))], name=f"{data}.yaml")
    out: dict[str, Any] = analyse(sub)["evaluations"][0]["outcomes"][0]
    return out


def key_numbers(o: dict[str, Any]) -> list[float]:
    anc = o["effects"]["ancova"]
    return [o["groups"]["treatment"]["n"], o["groups"]["control"]["n"],
            o["groups"]["treatment"]["mean"], o["groups"]["control"]["sd"], anc["estimate"],
            anc["se"], anc["se_cluster_robust"], anc["df_cluster_robust"], o["p_value"],
            o["clustering"]["icc"], o["baseline"]["hedges_g"],
            o["effects"]["did_hedges_g"]["estimate"], *o["rows_dropped"].values()]


@pytest.fixture(scope="module")
def reference_numbers(tmp_path_factory: pytest.TempPathFactory) -> list[float]:
    folder = tmp_path_factory.mktemp("ref")
    (folder / "trial.csv").write_bytes((REFERENCE / "rows_trial.csv").read_bytes())
    sub = write_submission(folder, [evaluation("e", "cluster_rct", outcome_spec(
        "trial.csv", COLUMNS))])
    code, out, err = Cli()("analyse", str(sub), "--format", "json")
    assert code == 0, err
    return key_numbers(json.loads(out)["evaluations"][0]["outcomes"][0])


def same(a: list[float], b: list[float]) -> None:
    assert a == pytest.approx(b, rel=1e-11, abs=1e-12)


def test_csv_dialects_and_encodings(tmp_path: Path, analyse_json: Analyse,
                                    reference_numbers: list[float]) -> None:
    rows = read_trial()
    variants = [("semicolon-cp1252.csv", ";", "cp1252", "\r\n"),
                ("tab-bom.csv", "\t", "utf-8-sig", "\n"),
                ("pipe-utf16.csv", "|", "utf-16", "\n")]
    for name, delimiter, encoding, newline in variants:
        with (tmp_path / name).open("w", encoding=encoding, newline="") as fh:
            writer = csv.writer(fh, delimiter=delimiter, lineterminator=newline)
            for i, row in enumerate(rows):
                # A non-ASCII treatment label, and an unmapped column of free text.
                label = [c.replace("tutored", "tutorée") for c in row]
                writer.writerow([*label, "notes" if i == 0 else f"café, «{i}»\nsecond line"])
        cols = {**COLUMNS, "treatment": "tutorée"}
        same(key_numbers(analysed(analyse_json, tmp_path, name, cols)), reference_numbers)


def test_excel_with_a_chosen_sheet(tmp_path: Path, analyse_json: Analyse,
                                   reference_numbers: list[float]) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    first.title = "Read me"
    first.append(["These data are invented."])
    ws = wb.create_sheet("Pupils")
    ws.append([])  # a blank row above the header
    for i, row in enumerate(read_trial()):
        if i == 0:
            ws.append(row)
            continue
        cells: list[Any] = []
        for name, value in zip(read_trial()[0], row, strict=True):
            if value == "":
                cells.append(None)
            elif name in ("pre", "post", "age"):
                # Numbers, with one stored as text as Excel users often do.
                cells.append(value if (i, name) == (3, "pre") else float(value))
            else:
                cells.append(value)
        ws.append(cells)
    wb.save(tmp_path / "trial.xlsx")
    same(key_numbers(analysed(analyse_json, tmp_path, "trial.xlsx", sheet="Pupils")),
         reference_numbers)


def test_parquet_and_small_batches(tmp_path: Path, analyse_json: Analyse,
                                   monkeypatch: pytest.MonkeyPatch,
                                   reference_numbers: list[float]) -> None:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    table = pacsv.read_csv(REFERENCE / "rows_trial.csv")
    pq.write_table(table, tmp_path / "trial.parquet")
    same(key_numbers(analysed(analyse_json, tmp_path, "trial.parquet")), reference_numbers)
    # Many batches: labels and clusters first seen in later batches, sums across batches.
    monkeypatch.setattr(data_module, "PARQUET_BATCH", 37)
    monkeypatch.setattr(data_module, "CSV_BLOCK", 1024)
    same(key_numbers(analysed(analyse_json, tmp_path, "trial.parquet")), reference_numbers)
    (tmp_path / "trial.csv").write_bytes((REFERENCE / "rows_trial.csv").read_bytes())
    same(key_numbers(analysed(analyse_json, tmp_path, "trial.csv")), reference_numbers)


def test_binary_tokens_and_numeric_group_labels(tmp_path: Path, analyse_json: Analyse) -> None:
    # Groups coded 1/0 (read as text '1'), outcomes in mixed spellings; Parquet booleans.
    (tmp_path / "b.csv").write_text(
        "g,y\n1,yes\n1,TRUE\n1,1\n1,no\n0,false\n0,No\n0,0\n0,Yes\n1,\n", encoding="utf-8")
    o = analysed(analyse_json, tmp_path, "b.csv", {"outcome": "y", "group": "g",
                                                  "treatment": "1"}, kind="binary")
    assert o["groups"]["treatment"] == {"n": 4, "events": 3, "proportion": 0.75}
    assert o["groups"]["control"] == {"n": 4, "events": 1, "proportion": 0.25}
    assert o["rows_dropped"] == {"treatment": 1, "control": 0, "no_group": 0}
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"g": [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0],
                             "y": [True, True, True, False, False, False, False, True]}),
                   tmp_path / "b.parquet")
    o2 = analysed(analyse_json, tmp_path, "b.parquet", {"outcome": "y", "group": "g",
                                                       "treatment": "1"}, kind="binary")
    assert o2["effects"]["odds_ratio"] == o["effects"]["odds_ratio"]


def test_only_mapped_columns_are_read(tmp_path: Path, cli: Cli) -> None:
    # An unmapped column full of text cannot cause an error: it is never converted.
    (tmp_path / "d.csv").write_text("arm,post,junk\nT,1,x\nT,2,y\nC,1,z\nC,3,?\n",
                                    encoding="utf-8")
    sub = write_submission(tmp_path, [evaluation("e", "rct", outcome_spec(
        "d.csv", {"outcome": "post", "group": "arm", "treatment": "T"}))])
    code, out, err = cli("analyse", str(sub))
    assert code == 0, err
    assert "mean 1.50" in out
