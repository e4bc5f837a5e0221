"""A real ``dask.distributed`` cluster for the tests: ``dask scheduler`` and two
``dask worker`` processes on loopback, each logging to ``folder/logs/NAME.log``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tools.processes import stop

REPO = Path(__file__).resolve().parents[2]


@contextmanager
def local_cluster(folder: Path, env: dict[str, str] | None = None
                  ) -> Iterator[tuple[str, dict[str, subprocess.Popen[bytes]]]]:
    """Yield the scheduler's address and the worker processes by name (``w1``, ``w2``), so a
    test can kill one; every process is stopped when the block ends."""
    import distributed

    env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    sched_file = folder / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    procs: list[subprocess.Popen[bytes]] = []
    logs = folder / "logs"
    logs.mkdir(exist_ok=True)

    def start(name: str, args: list[str]) -> subprocess.Popen[bytes]:
        log = (logs / f"{name}.log").open("wb")
        p = subprocess.Popen([*dask, *args], env=env, stdout=log, stderr=subprocess.STDOUT,
                             cwd=folder)
        procs.append(p)
        return p

    try:
        start("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", "0",
                            "--no-dashboard", "--scheduler-file", str(sched_file)])
        deadline = time.monotonic() + 60
        while not sched_file.exists():
            assert time.monotonic() < deadline, (logs / "scheduler.log").read_text()
            time.sleep(0.1)
        address = json.loads(sched_file.read_text())["address"]
        workers = {name: start(name, ["worker", address, "--nthreads", "1", "--no-nanny",
                                      "--no-dashboard", "--name", name,
                                      "--host", "127.0.0.1"])
                   for name in ("w1", "w2")}
        with distributed.Client(address, timeout="30s") as c:
            c.wait_for_workers(2, timeout=60)
        yield address, workers
    finally:  # the workers first: a worker whose scheduler has gone may wait to reconnect
        for p in reversed(procs):
            stop(p)
