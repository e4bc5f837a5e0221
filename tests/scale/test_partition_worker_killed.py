"""A Dask worker killed (SIGKILL) while the parts of a dataset are being reduced (issue 15
item 4): the scheduler runs the killed worker's parts again on the other worker, and since a
part's task is a pure function of its file (``analysis.rows.reduce_part``) every row counts
once: the analysis is exactly a local run's."""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from test_partitioned_data import SUBMISSION  # same folder (rootdir-relative)
from tools.dask_cluster import local_cluster

import evidencekit
from evidencekit.analysis.parts import on_dask

distributed = pytest.importorskip("distributed", reason="the Dask extra (in the dev extra)")
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals")

PARTS, ROWS = 16, 25_000


def _dataset(folder: Path) -> Path:
    """``PARTS`` CSV files of ``ROWS`` rows each (12 schools, missing outcomes)."""
    rng = np.random.default_rng(11)
    names = []
    for p in range(PARTS):
        i = np.arange(ROWS) + p * ROWS
        school = i % 12
        pre = np.round(rng.normal(50, 10, ROWS), 3)
        post = np.round(0.6 * pre + rng.normal(20, 8, ROWS) + 3 * (school < 6) + 0.3 * school,
                        3)
        lines = ["school,arm,pre,age,post"]
        for s, x, a, y, miss in zip(school, pre, rng.integers(9, 12, ROWS), post,
                                    rng.random(ROWS) < 0.03, strict=True):
            lines.append(f"S{s:02d},{'tutored' if s < 6 else 'control'},{x},{a},"
                         f"{'' if miss else y}")
        name = f"part-{p:02d}.csv"
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        names.append(name)
    sub = folder / "s.yaml"
    sub.write_text(SUBMISSION.format(data="[" + ", ".join(names) + "]"), encoding="utf-8")
    return sub


def test_a_worker_killed_mid_reduction_changes_nothing(tmp_path: Path) -> None:
    import dask

    sub = _dataset(tmp_path)
    local = json.dumps(evidencekit.analyse(str(sub)).to_dict(), sort_keys=True)
    with local_cluster(tmp_path) as (address, workers):
        done: dict[str, object] = {}

        def analyse() -> None:
            try:
                with on_dask(address):
                    done["json"] = json.dumps(evidencekit.analyse(str(sub)).to_dict(),
                                              sort_keys=True)
            except BaseException as exc:  # shown by the assertion below
                done["error"] = exc

        thread = threading.Thread(target=analyse)
        # Results already computed on the killed worker are fetched from it until the connect
        # timeout (30 s by default) says it is gone; then the scheduler computes them again.
        with dask.config.set({"distributed.comm.timeouts.connect": "2s"}), \
                distributed.Client(address, timeout="30s") as c:
            thread.start()
            deadline = time.monotonic() + 120
            busy: dict[str, int] = {}
            while not busy:  # a worker holds parts of the reduction: kill it
                assert thread.is_alive() and time.monotonic() < deadline, done
                names = {a: i["name"] for a, i in c.scheduler_info()["workers"].items()}
                busy = {names[a]: len(keys) for a, keys in c.processing().items()
                        if a in names and any(str(k).startswith("evidencekit-part-")
                                              for k in keys)}
                time.sleep(0.01)
            victim = max(busy, key=lambda n: busy[n])
            workers[victim].send_signal(signal.SIGKILL)
            workers[victim].wait(timeout=20)
            under_way = thread.is_alive()
            thread.join(timeout=300)
        assert not thread.is_alive(), "the analysis did not finish after a worker was killed"
        assert "error" not in done, done
        assert busy[victim] >= 1 and under_way, "the reduction was over before the kill"
        assert done["json"] == local
