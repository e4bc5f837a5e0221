"""Text labels of a Parquet file are read as the file's dictionary and indices
(``load/data/parquet.py``): the analysis must be exactly the one the decoded text gives,
whatever the file's dictionaries hold — row groups whose dictionary lists values in another
order than a batch meets them, values a batch does not have, missing labels, files written
without dictionaries, and labels spread over many batches."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rows_helpers import REFERENCE, Cli, evaluation, outcome_spec, write_submission

import evidencekit.load.data.limits as limits
import evidencekit.load.data.parquet as parquet

COLUMNS = {"outcome": "post", "group": "arm", "treatment": "tutored", "pretest": "pre",
           "cluster": "school"}


def _table() -> Any:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    t = pacsv.read_csv(REFERENCE / "rows_trial.csv")
    n = t.num_rows
    order = sorted(range(n), key=lambda i: (i * 7919) % n)  # schools met out of order
    t = t.take(pa.array(order))
    arm = t["arm"].to_pylist()
    arm = [None if i % 23 == 5 else a for i, a in enumerate(arm)]  # missing groups
    school = [None if i % 31 == 7 else s for i, s in enumerate(t["school"].to_pylist())]
    return t.set_column(t.schema.get_field_index("arm"), "arm", pa.array(arm)) \
        .set_column(t.schema.get_field_index("school"), "school", pa.array(school))


def _analysed(folder: Path, name: str) -> str:
    sub = write_submission(folder, [evaluation("e", "cluster_rct", outcome_spec(
        name, COLUMNS))], name=f"{name}.yaml")
    code, out, err = Cli()("analyse", str(sub), "--format", "json")
    assert code == 0, err
    return json.dumps(json.loads(out), sort_keys=True)


@pytest.mark.parametrize("options", [
    {"row_group_size": 150},                          # small row groups, one dictionary each
    {"row_group_size": 150, "use_dictionary": False},  # plain pages: pyarrow builds one
    {},                                                # one row group
])
def test_stored_dictionaries_give_the_decoded_texts_analysis(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: dict[str, Any]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(_table(), tmp_path / "t.parquet", **options)
    monkeypatch.setattr(limits, "PARQUET_BATCH", 37)  # batches inside row groups
    seen: list[bool] = []
    category = parquet._category

    def spy(data: Any, name: str, col: Any, stored: bool) -> Any:
        seen.append(stored and pa.types.is_dictionary(col.type))
        return category(data, name, col, stored)

    monkeypatch.setattr(parquet, "_category", spy)
    fast = _analysed(tmp_path, "t.parquet")
    assert seen and all(seen), "the labels were not read as the file's dictionaries"
    monkeypatch.setattr(parquet, "_text", lambda kind: False)  # decode the text, encode it
    seen.clear()
    assert _analysed(tmp_path, "t.parquet") == fast
    assert seen and not any(seen)
    assert '"icc"' in fast and '"no_group": ' in fast


def test_labels_are_named_in_the_order_the_rows_give_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A group column with a third label: the sentence lists the labels as the rows meet
    them, not as a row group's dictionary happens to list them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = 400
    arm = ["waitlist" if i == 390 else ("tutored" if i % 2 else "control") for i in range(n)]
    table = pa.table({"arm": pa.array(arm),
                      "pre": [float(i % 17) for i in range(n)],
                      "post": [float(i % 13) for i in range(n)],
                      "school": [f"S{i % 8}" for i in range(n)]})
    # The stored dictionary lists 'waitlist' before 'tutored' and 'control'.
    arm_dict = pa.DictionaryArray.from_arrays(
        pa.array([0 if a == "waitlist" else 1 if a == "tutored" else 2 for a in arm],
                 pa.int32()), pa.array(["waitlist", "tutored", "control"]))
    table = table.set_column(0, "arm", arm_dict)
    # Without the Arrow schema the column reads back as text: the stored dictionary is all
    # that says 'waitlist' comes first.
    pq.write_table(table, tmp_path / "t.parquet", store_schema=False)
    monkeypatch.setattr(limits, "PARQUET_BATCH", 100)

    def sentence() -> str:
        sub = write_submission(tmp_path, [evaluation("e", "cluster_rct", outcome_spec(
            "t.parquet", COLUMNS))], name="t.yaml")
        code, _out, err = Cli()("analyse", str(sub), "--format", "json")
        assert code == 2, err
        return err

    fast = sentence()
    monkeypatch.setattr(parquet, "_text", lambda kind: False)
    assert sentence() == fast
    assert "found 3 values: 'control' (199 rows), 'tutored' (200 rows) and 'waitlist'" in fast
