"""A round on a real ``dask.distributed`` cluster (issue 15 item 3): a scheduler and two
workers started as separate processes on loopback (``dask scheduler``, ``dask worker``), one
worker killed outright mid-run; the round completes with every application scored exactly
once and ``scores.csv`` byte-identical to a local run."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from tools.dask_cluster import local_cluster

from evidencekit.batch import BatchOptions, run_batch

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
N = 120

distributed = pytest.importorskip("distributed", reason="the Dask extra (in the dev extra)")
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals, /proc")


def _round(root: Path) -> Path:
    """N applications: the bundled examples, each copied under several names."""
    sources = sorted(p for p in EXAMPLES.glob("*.yaml"))
    root.mkdir()
    for i in range(N):
        src = sources[i % len(sources)]
        text = src.read_text(encoding="utf-8")
        (root / f"app-{i:03d}.yaml").write_text(text, encoding="utf-8")
    for data in EXAMPLES.iterdir():  # data files the examples name
        if data.is_dir():
            shutil.copytree(data, root / data.name)
    return root


@pytest.fixture()
def cluster(tmp_path: Path) -> Iterator[tuple[str, dict[str, subprocess.Popen[bytes]]]]:
    with local_cluster(tmp_path, {"DASK_DISTRIBUTED__WORKER__DAEMON": "False"}) as running:
        yield running


def _journal(out: Path) -> list[dict[str, object]]:
    path = out / ".evidencekit-batch" / "results" / "results.jsonl"
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_a_round_survives_a_worker_killed_mid_run(
        tmp_path: Path, cluster: tuple[str, dict[str, subprocess.Popen[bytes]]]) -> None:
    address, workers = cluster
    apps = _round(tmp_path / "apps")
    local = tmp_path / "local"
    run_batch(apps, local, BatchOptions(workers=1, progress=False, portfolio=False))
    out = tmp_path / "dask"
    done: dict[str, object] = {}

    def score() -> None:
        try:
            done["summary"] = run_batch(apps, out, BatchOptions(
                dask_scheduler=address, chunk_size=3, progress=False, portfolio=False))
        except BaseException as exc:  # shown by the assertion below
            done["error"] = exc

    thread = threading.Thread(target=score)
    thread.start()
    deadline = time.monotonic() + 120
    while not _journal(out):  # the first chunk is back: the round is under way
        assert thread.is_alive() and time.monotonic() < deadline, done
        time.sleep(0.005)
    with distributed.Client(address, timeout="30s") as c:
        busy = {info["name"] for addr, info in c.scheduler_info()["workers"].items()
                if c.processing().get(addr)}
    assert busy, "no worker had a task when one was to be killed"
    victim = "w1" if "w1" in busy else "w2"
    workers[victim].send_signal(signal.SIGKILL)
    workers[victim].wait(timeout=20)
    scored_at_kill = len(_journal(out))
    thread.join(timeout=300)
    assert not thread.is_alive(), "the round did not finish after a worker was killed"
    assert "error" not in done, done
    assert scored_at_kill < N, "the round was over before the worker was killed"
    summary = done["summary"]
    assert summary.total == N and summary.failed == 0  # type: ignore[attr-defined]
    ids = Counter(str(r["application_id"]) for r in _journal(out))
    assert len(ids) == N and set(ids.values()) == {1}, "an application lost or scored twice"
    assert (out / "scores.csv").read_bytes() == (local / "scores.csv").read_bytes()
    assert (out / "errors.csv").read_bytes() == (local / "errors.csv").read_bytes()
