"""The parts of a multi-file outcome reduced on a real Dask cluster (issue 15 item 4): a
scheduler and two workers started as processes on loopback; a list of CSV files and a
partitioned Parquet dataset (clustered: CR2 and ICC) give exactly the JSON of a local run."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_partitioned_data import SUBMISSION, _csv, _rows  # same folder (rootdir-relative)
from tools.dask_cluster import local_cluster

import evidencekit
from evidencekit.analysis.parts import on_dask

distributed = pytest.importorskip("distributed", reason="the Dask extra (in the dev extra)")
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals")


@pytest.fixture(scope="module")
def address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with local_cluster(tmp_path_factory.mktemp("cluster")) as (addr, _workers):
        yield addr


def _json(sub: Path, address: str | None) -> str:
    if address is None:
        return json.dumps(evidencekit.analyse(str(sub)).to_dict(), sort_keys=True)
    with on_dask(address):
        return json.dumps(evidencekit.analyse(str(sub)).to_dict(), sort_keys=True)


def test_csv_list_and_parquet_dataset_on_dask_equal_a_local_run(
        tmp_path: Path, address: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = _rows(3000)
    cuts = [0, 700, 701, 2100, len(rows)]
    for i in range(4):
        _csv(tmp_path / f"part-{i}.csv", rows[cuts[i]:cuts[i + 1]])
    csvs = tmp_path / "csv.yaml"
    csvs.write_text(SUBMISSION.format(data="[" + ", ".join(f"part-{i}.csv" for i in range(4))
                                      + "]"), encoding="utf-8")
    pq.write_to_dataset(pa.Table.from_pylist(rows), tmp_path / "reading.parquet",
                        partition_cols=["school"])
    ds = tmp_path / "ds.yaml"
    ds.write_text(SUBMISSION.format(data="reading.parquet"), encoding="utf-8")
    for sub in (csvs, ds):
        local = _json(sub, None)
        assert '"cr2"' in local and '"icc"' in local
        assert _json(sub, address) == local


def test_a_bad_part_on_a_worker_is_the_same_one_sentence_error(
        tmp_path: Path, address: str) -> None:
    rows = _rows(200)
    _csv(tmp_path / "a.csv", rows[:100])
    bad = tmp_path / "b.csv"
    _csv(bad, rows[100:])
    bad.write_text(bad.read_text().replace(",9,", ",nine,", 1), encoding="utf-8")
    sub = tmp_path / "s.yaml"
    sub.write_text(SUBMISSION.format(data="[a.csv, b.csv]"), encoding="utf-8")
    with pytest.raises(evidencekit.DataError) as local:
        evidencekit.analyse(str(sub))
    with pytest.raises(evidencekit.DataError) as remote, on_dask(address):
        evidencekit.analyse(str(sub))
    assert "'nine'" in str(local.value)
    assert remote.value.problems[0].expected == local.value.problems[0].expected
    assert remote.value.problems[0].found == local.value.problems[0].found
