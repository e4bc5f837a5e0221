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
        tmp_path: Path, address: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same sentence, word for word: the file named as here (relative to this working
    folder), not as the worker, in its own working folder, named it."""
    rows = _rows(200)
    _csv(tmp_path / "a.csv", rows[:100])
    bad = tmp_path / "b.csv"
    _csv(bad, rows[100:])
    bad.write_text(bad.read_text().replace(",9,", ",nine,", 1), encoding="utf-8")
    sub = tmp_path / "s.yaml"
    sub.write_text(SUBMISSION.format(data="[a.csv, b.csv]"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # the workers' working folder is the cluster's
    with pytest.raises(evidencekit.DataError) as local:
        evidencekit.analyse("s.yaml")
    with pytest.raises(evidencekit.DataError) as remote, on_dask(address):
        evidencekit.analyse("s.yaml")
    assert str(remote.value) == str(local.value)
    assert str(local.value).startswith("b.csv, line 4, ")
    assert "'nine'" in str(local.value)
    assert remote.value.problems[0].expected == local.value.problems[0].expected
    assert remote.value.problems[0].found == local.value.problems[0].found


def test_assess_and_its_report_on_dask_equal_a_local_run(tmp_path: Path, address: str) -> None:
    """``evidencekit assess --dask-scheduler``: the parts go to the cluster (its task stream
    shows one task per file) and the verdict, the JSON and the report text are a local run's."""
    from click.testing import CliRunner
    from distributed import Client, get_task_stream

    from evidencekit.cli import main

    rows = _rows(1200)
    for i in range(3):
        _csv(tmp_path / f"part-{i}.csv", rows[i * 400:(i + 1) * 400])
    sub = tmp_path / "s.yaml"
    sub.write_text(SUBMISSION.format(data="[part-0.csv, part-1.csv, part-2.csv]"),
                   encoding="utf-8")
    runner = CliRunner()

    def assess(*extra: str) -> str:
        r = runner.invoke(main, ["assess", str(sub), "--format", "json", *extra])
        assert r.exit_code == 0, r.output
        return r.output

    local = assess()
    local_cw = assess("--rubric", "all")
    with Client(address, timeout="30s") as c, get_task_stream(client=c) as ts:
        remote = assess("--dask-scheduler", address)
        remote_cw = assess("--rubric", "all", "--dask-scheduler", address)
        html = tmp_path / "r.html"
        assess("--dask-scheduler", address, "--html", str(html), "--deterministic")
    parts = [t for t in ts.data if str(t["key"]).startswith("evidencekit-part-")]
    assert len(parts) >= 3 * 3, ts.data  # 3 files, in each of the three commands
    assert remote == local and remote_cw == local_cw
    local_html = tmp_path / "l.html"
    assess("--html", str(local_html), "--deterministic")
    assert html.read_bytes() == local_html.read_bytes()


def test_a_bad_address_on_assess_is_one_sentence(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from evidencekit.cli import main

    sub = tmp_path / "s.yaml"
    _csv(tmp_path / "a.csv", _rows(100))
    sub.write_text(SUBMISSION.format(data="a.csv"), encoding="utf-8")
    r = CliRunner().invoke(main, ["assess", str(sub), "--dask-scheduler", "banana"])
    assert r.exit_code == 2, r.output
    assert "--dask-scheduler: expected the address of a Dask scheduler" in r.output
    assert "Traceback" not in r.output
