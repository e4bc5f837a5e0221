"""A local Dask cluster for the benchmarks: ``dask scheduler`` and two ``dask worker``
processes on loopback (one thread each), started and stopped around a ``with`` block."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def local_cluster(root: Path, workers: int = 2) -> Iterator[tuple[str, dict[str, str]]]:
    """Yield the scheduler's address and the environment the workers run in."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    dask = [sys.executable, "-m", "dask"]
    sched_file = root / "scheduler.json"
    procs = [subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--no-dashboard", "--scheduler-file", str(sched_file)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        while not sched_file.exists():
            time.sleep(0.1)
        address = json.loads(sched_file.read_text())["address"]
        for k in range(workers):
            procs.append(subprocess.Popen([*dask, "worker", address, "--nthreads", "1",
                                           "--no-dashboard", "--name", f"w{k + 1}", "--host",
                                           "127.0.0.1"], env=env, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))
        import distributed

        with distributed.Client(address, timeout="60s") as c:
            c.wait_for_workers(workers, timeout=120)
        yield address, env
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait()
