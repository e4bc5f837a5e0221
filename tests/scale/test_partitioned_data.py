"""One outcome from several files (issue 15, item 4): a list of CSV files and a partitioned
Parquet dataset (pyarrow ``write_to_dataset`` with Hive partitioning, plus Spark's marker
files) give the same analysis as the one file they were split from, to 1e-12."""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

import pytest

import evidencekit

SUBMISSION = """\
programme: {{name: Split data, organisation: Org}}
evaluations:
  - id: trial
    design: cluster_rct
    assigned: {{treatment: 400, control: 400}}
    outcomes:
      - name: Reading
        primary: true
        data: {data}
        columns: {{outcome: post, group: arm, treatment: tutored, pretest: pre, cluster: school}}
        covariates: [age]
"""


def _rows(n: int = 600, seed: int = 5) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        school = f"S{i % 12:02d}"
        arm = "tutored" if (i % 12) < 6 else "control"
        pre = rng.gauss(50, 10)
        age = rng.choice([9, 10, 11])
        post = (0.6 * pre + rng.gauss(23 if arm == "tutored" else 20, 8) + (i % 12) * 0.3
                if rng.random() > 0.03 else None)  # some missing outcomes
        out.append({"school": school, "arm": arm, "pre": round(pre, 3), "age": age,
                    "post": None if post is None else round(post, 3)})
    return out


def _csv(path: Path, rows: list[dict[str, Any]]) -> None:
    lines = ["school,arm,pre,age,post"]
    lines += [f"{r['school']},{r['arm']},{r['pre']},{r['age']},"
              f"{'' if r['post'] is None else r['post']}" for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _numbers(value: Any, path: str = "") -> dict[str, float]:
    """Every number of an analysis, by its place (texts name files: left out)."""
    out: dict[str, float] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(_numbers(v, f"{path}.{k}"))
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            out.update(_numbers(v, f"{path}[{i}]"))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        out[path] = float(value)
    return out


def _analysis(folder: Path, data: str) -> dict[str, float]:
    sub = folder / "submission.yaml"
    sub.write_text(SUBMISSION.format(data=data), encoding="utf-8")
    result = evidencekit.analyse(str(sub))
    outcome = result.to_dict()["evaluations"][0]["outcomes"][0]
    assert not outcome["problems"], outcome["problems"]
    return _numbers(outcome)


def _same(a: dict[str, float], b: dict[str, float]) -> None:
    assert a.keys() == b.keys()
    assert len(a) > 30  # effects, groups, clustering, ICC, CR2...
    for k in a:
        x, y = a[k], b[k]
        if math.isnan(x):
            assert math.isnan(y), k
        else:
            assert y == pytest.approx(x, rel=1e-12, abs=1e-12), k


def test_a_list_of_csv_files_equals_the_one_file(tmp_path: Path) -> None:
    rows = _rows()
    one = tmp_path / "one"
    one.mkdir()
    _csv(one / "all.csv", rows)
    split = tmp_path / "split"
    split.mkdir()
    cuts = [0, 137, 138, 420, len(rows)]  # uneven parts, one of a single row
    for i in range(4):
        _csv(split / f"part-{i}.csv", rows[cuts[i]:cuts[i + 1]])
    files = "[" + ", ".join(f"part-{i}.csv" for i in range(4)) + "]"
    _same(_analysis(one, "all.csv"), _analysis(split, files))


def test_a_partitioned_parquet_dataset_equals_the_one_file(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = _rows()
    one = tmp_path / "one"
    one.mkdir()
    _csv(one / "all.csv", rows)
    ds = tmp_path / "ds"
    ds.mkdir()
    table = pa.Table.from_pylist(rows)
    # school only in the folder names (school=S00/...), as pyarrow, Spark and DuckDB write it
    pq.write_to_dataset(table, ds / "reading.parquet", partition_cols=["school"])
    (ds / "reading.parquet" / "_SUCCESS").write_bytes(b"")  # Spark's marker: skipped
    (ds / "reading.parquet" / ".part.crc").write_bytes(b"\x00garbage")  # checksums: skipped
    parts = sorted((ds / "reading.parquet").rglob("*.parquet"))
    assert len(parts) == 12 and all("school=" in str(p) for p in parts)
    assert "school" not in pq.read_schema(parts[0]).names
    _same(_analysis(one, "all.csv"), _analysis(ds, "reading.parquet"))


def test_a_dataset_folder_ending_in_a_slash_and_its_problems(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    (tmp_path / "d").mkdir()
    sub = tmp_path / "submission.yaml"
    sub.write_text(SUBMISSION.format(data="d/"), encoding="utf-8")
    with pytest.raises(evidencekit.DataError) as e:  # an empty folder: one sentence
        evidencekit.analyse(str(sub))
    assert "a folder of .parquet files (a partitioned dataset)" in str(e.value)
    rows = _rows(60)
    pq.write_table(pa.Table.from_pylist(rows[:30]), tmp_path / "d" / "a.parquet")
    bad = [{**r, "pre": "high"} for r in rows[30:]]
    pq.write_table(pa.Table.from_pylist(bad), tmp_path / "d" / "b.parquet")
    with pytest.raises(evidencekit.DataError) as e:  # the message names the part
        evidencekit.analyse(str(sub))
    assert "b.parquet" in str(e.value) and "'high'" in str(e.value)


def test_a_list_mixing_formats_is_refused_by_the_loader(tmp_path: Path) -> None:
    sub = tmp_path / "submission.yaml"
    sub.write_text(SUBMISSION.format(data="[a.csv, b.parquet]"), encoding="utf-8")
    with pytest.raises(evidencekit.SubmissionError) as e:
        evidencekit.load_submission(str(sub))
    assert "a list of .csv files or of .parquet files (one format)" in str(e.value)
