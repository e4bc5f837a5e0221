"""The coordinator keeps compact entries and streams the tables from the results journal
(issue 15, item 3): the tables are byte for byte what the in-memory path gives for the same
results, and the journal reads back exactly what was saved."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from evidencekit.batch import BatchOptions, run_batch
from evidencekit.batch.inputs import discover
from evidencekit.batch.outputs import (
    gate_titles,
    score_rows,
    write_errors_csv,
    write_scores_csv,
    write_scores_xlsx,
)
from evidencekit.batch.store import ResultStore

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _round(tmp_path: Path) -> Path:
    src = tmp_path / "apps"
    src.mkdir()
    for p in sorted(EXAMPLES.glob("*.yaml")):
        shutil.copy(p, src / p.name)
    (src / "broken.yaml").write_text("programme: {name: [unclosed\n", encoding="utf-8")
    (src / "empty.yaml").write_text("\n", encoding="utf-8")
    return src


def test_streamed_tables_equal_the_in_memory_ones(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # equal workbooks, equal bytes
    src = _round(tmp_path)
    out = tmp_path / "out"
    summary = run_batch(src, out, BatchOptions(workers=2, progress=False, portfolio=False))
    assert summary.failed >= 2 and summary.scored >= 10
    journal = out / ".evidencekit-batch" / "results" / "results.jsonl"
    records = {}
    for line in journal.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        records[r["application_id"]] = r
    apps, manifest = discover(src)
    results = [records[a.id] for a in apps]  # the old path: every result in memory
    header, rows = score_rows(results, manifest)
    ref = tmp_path / "ref"
    ref.mkdir()
    write_scores_csv(ref / "scores.csv", header, rows)
    write_scores_xlsx(ref / "scores.xlsx", header, rows, gate_titles(results))
    write_errors_csv(ref / "errors.csv", results)
    for name in ("scores.csv", "scores.xlsx", "errors.csv"):
        assert (out / name).read_bytes() == (ref / name).read_bytes(), name


def test_the_journal_reads_back_each_record_at_its_offset(tmp_path: Path) -> None:
    store = ResultStore(tmp_path)
    recs = [{"application_id": f"a{i}", "ok": i % 2 == 0, "text": "é" * i} for i in range(50)]
    offsets = [store.save(r) for r in recs]
    store.close()
    assert len(set(offsets)) == 50
    for r, off in zip(reversed(recs), reversed(offsets), strict=True):
        assert store.read(off) == r
    again = ResultStore(tmp_path)  # appending after a reopen keeps the offsets right
    off = again.save({"application_id": "late", "ok": True})
    assert again.read(off) == {"application_id": "late", "ok": True}
    assert again.read(offsets[7]) == recs[7]
    again.close()
