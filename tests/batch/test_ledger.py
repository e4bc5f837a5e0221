"""The coordinator's bookkeeping on disk (evidencekit.batch.ledger, issue #15 item 3).

The round found on disk is the round ``discover`` finds (same order, same ids, same
refusals); the ledger ranks as ``outputs.ranked`` does on ties and odd ids; and the memory
the coordinator's own Python objects take does not grow with the number of applications
(tracemalloc peak, scoring stubbed out; not a timing).
"""

from __future__ import annotations

import math
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from evidencekit.batch import inputs
from evidencekit.batch.inputs import Application, discover, discover_into
from evidencekit.batch.ledger import Ledger
from evidencekit.batch.outputs import rank_key, ranked


def _found(source: Path) -> tuple[list[Application], list[str]]:
    ledger = Ledger()
    try:
        columns = discover_into(source, ledger)
        return [a for _, a in ledger.applications()], columns
    finally:
        ledger.close()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX links and pipes")
@pytest.mark.parametrize("listed_in_memory", [2_000, 1])
def test_the_round_on_disk_is_the_round_discover_finds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, listed_in_memory: int) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("x: 1\n")
    root = tmp_path / "round"
    for rel in ["a.yaml", "a.json", "a/submission.yaml", "b/submission.yaml", "c/x.yaml",
                "c/y.yaml", "c.yml", "d/e/f.yaml", "d/e.yaml", "z/.hidden.yaml",
                "x/data.csv", "space name/g.yaml", "é/h.yaml", "B.yaml"]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x: 1\n")
    (root / "out.yaml").symlink_to(outside / "secret.yaml")
    (root / "in-dir").symlink_to(root / "a")
    os.mkfifo(root / "pipe.yaml")
    expected = discover(root)
    # 1: every folder of more than one entry is sorted on disk, not in memory
    monkeypatch.setattr(inputs, "_LISTED_IN_MEMORY", listed_in_memory)
    assert _found(root) == expected
    assert discover(root) == expected
    ids = [a.id for a in expected[0]]
    assert "a.json" in ids and "a/submission.yaml" in ids  # the clashes the test is about
    assert any(a.refused for a in expected[0])
    manifest = tmp_path / "m.csv"
    manifest.write_text("application_id,path,amount\nq,round/a.yaml,5\np,round/B.yaml,\n")
    assert _found(manifest) == discover(manifest)


def _result(i: int, app_id: str, rng: random.Random) -> dict[str, Any]:
    low = rng.choice([None, -math.inf, math.inf, 0, 0.0, 1, 0.25, -0.25, 2.5])
    effect = rng.choice([None, 0.1])
    return {"application_id": app_id, "ok": rng.random() > 0.1,
            "row": {"level": rng.choice([0, 1, 2]), "effect": effect,
                    "effect_causal": rng.choice([None, True, False]), "effect_ci_low": low,
                    "gates": [["g1", "pass"]], "levels": [[1, "met"]],
                    "gate_titles": [["g1", "G"]], "rubric_id": "r"}}


def test_the_ledger_ranks_as_outputs_ranked_does() -> None:
    rng = random.Random(5)
    odd = ["b", "a", "B", "é", "e\u0301", "\udcff", "\U0001f600", "a b", "a/b", "", "zz",
           "\ud7ff", "\ue000", "10", "9"]
    ids = odd + [f"app-{n}" for n in rng.sample(range(400), 300)]
    results = [_result(i, app_id, rng) for i, app_id in enumerate(ids)]
    ledger = Ledger()
    try:
        for seq, r in enumerate(results, start=1):
            ledger.keep(seq, r, seq - 1, False, rank_key(r) if r["ok"] else None)
        got = [results[o]["application_id"] for o in ledger.ranked()]
        failed = [results[o]["application_id"] for o in ledger.failed()]
    finally:
        ledger.close()
    assert got == [r["application_id"] for r in ranked(results)]
    assert failed == sorted(r["application_id"] for r in results if not r["ok"])
    assert len(got) > 200 and failed


#: A fresh interpreter runs the round with scoring stubbed out and prints the tracemalloc
#: peak of the second of two runs (the first loads the modules and grows the interpreter's
#: own tables); pytest's own objects stay out of the figure.
_MEASURE = """
import sys, tracemalloc
from pathlib import Path
from evidencekit.batch import runner
from evidencekit.batch.runner import BatchOptions, run_batch

def stub(apps, spec, previous):
    out = []
    for a in apps:
        n = int(a.id.rsplit("-", 1)[1])
        if n % 9 == 0:
            out.append({"application_id": a.id, "extra": {}, "ok": False, "path": str(a.path),
                        "problems": [{"message": "bad"}]})
            continue
        row = {"claimed_level": 1, "effect": 0.2, "effect_causal": True, "effect_ci_high": 0.4,
               "effect_ci_low": (n % 7) / 10, "gates": [["g1", "pass"], ["g2", "fail"]],
               "gate_titles": [["g1", "Gate one"], ["g2", "Gate two"]], "level": n % 3,
               "levels": [[1, "met"], [2, "not met"]], "programme": "P", "rubric_id": "r"}
        out.append({"application_id": a.id, "extra": {}, "input_sha256": "0" * 64, "ok": True,
                    "path": str(a.path), "reports": [], "resume_key": "k", "row": row})
    return out

runner.score_chunk = stub
root, out, resume = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "1"
opts = BatchOptions(workers=1, portfolio=False, progress=False, resume=resume)
run_batch(root, out, opts)
tracemalloc.start()
run_batch(root, out, opts)
print(tracemalloc.get_traced_memory()[1])
"""


def _peak(tmp_path: Path, n: int, *, resume: bool) -> int:
    root = tmp_path / f"round-{n}"
    if not root.exists():
        for i in range(n):
            (root / f"app-{i:06d}").mkdir(parents=True)
            (root / f"app-{i:06d}" / "submission.yaml").write_text("x: 1\n")
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(root),
                           str(tmp_path / f"out-{n}"), "1" if resume else "0"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout.split()[-1])


def test_the_coordinators_memory_does_not_grow_with_the_round(tmp_path: Path) -> None:
    small, large = _peak(tmp_path, 1_000, resume=False), _peak(tmp_path, 8_000, resume=False)
    # About 0.9 KB per application before the ledger: 7,000 more applications were 6 MB.
    assert large - small < 1_000_000, (small, large)
    # --resume looked every earlier result up in a dict of them all (about 14 KB each).
    again = _peak(tmp_path, 8_000, resume=True)
    assert again - small < 1_000_000, (small, again)
    table = (tmp_path / "out-8000" / "scores.csv").read_text().splitlines()
    assert len(table) == 1 + 8_000 - len(range(0, 8_000, 9))


def test_the_local_pool_takes_jobs_as_workers_free_up(tmp_path: Path) -> None:
    from evidencekit.batch.pool import Attempts, Job, run_pool
    from evidencekit.batch.task import TaskSpec

    taken: list[int] = []

    def jobs():  # type: ignore[no-untyped-def]
        for i in range(40):
            taken.append(i)
            yield Job([Application(f"app-{i:03d}", tmp_path / f"app-{i:03d}.yaml")], [None])

    seen = []
    for r in run_pool(jobs(), TaskSpec(str(tmp_path / "rubric.yaml")), 2, rendering=False,
                      recycle_after=None, attempts=Attempts()):
        if not seen:
            first = len(taken)
        seen.append((r[0] if isinstance(r, tuple) else r)["application_id"])
    assert first <= 3, f"{first} jobs made before the first result"  # 2 workers, 1 ahead
    assert sorted(seen) == [f"app-{i:03d}" for i in range(40)]
