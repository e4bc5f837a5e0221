"""Local workers send each result back already encoded as its journal line, with only the
fields the coordinator ranks by (evidencekit.batch.pool.sent): the journal, the tables and
--resume are what scoring in the coordinator itself gives."""

from __future__ import annotations

import shutil
from pathlib import Path

from evidencekit.batch import BatchOptions, run_batch

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_two_workers_write_the_journal_and_tables_of_one(tmp_path: Path) -> None:
    src = tmp_path / "apps"
    src.mkdir()
    for p in sorted(EXAMPLES.glob("*.yaml")):
        shutil.copy(p, src / p.name)
    (src / "broken.yaml").write_text("programme: {name: [unclosed\n", encoding="utf-8")
    outs = {}
    for workers in (1, 2):  # one: scored and encoded in the coordinator
        out = tmp_path / f"out{workers}"
        summary = run_batch(src, out, BatchOptions(workers=workers, chunk_size=2,
                                                   progress=False, portfolio=False))
        assert summary.scored >= 10 and summary.failed >= 1
        outs[workers] = out
    journal = Path(".evidencekit-batch", "results", "results.jsonl")
    lines = {w: (o / journal).read_bytes().splitlines(keepends=True) for w, o in outs.items()}
    assert sorted(lines[2]) == sorted(lines[1])  # byte for byte, only the order may differ
    for name in ("scores.csv", "errors.csv"):
        assert (outs[2] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    again = run_batch(src, outs[2], BatchOptions(workers=2, resume=True, progress=False,
                                                 portfolio=False))
    assert again.reused == again.scored == summary.scored
    assert (outs[2] / "scores.csv").read_bytes() == (outs[1] / "scores.csv").read_bytes()
