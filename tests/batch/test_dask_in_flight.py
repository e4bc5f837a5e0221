"""On a Dask cluster the coordinator keeps only a few chunks in flight (a few per worker
thread), never the whole round: the scheduler, the client and the task graph hold those
chunks, not every application. A stand-in ``distributed`` module counts what is out."""

from __future__ import annotations

import sys
import types
from collections import deque
from pathlib import Path
from typing import Any

import pytest

from evidencekit.batch import runner
from evidencekit.batch.inputs import Application
from evidencekit.batch.pool import Job
from evidencekit.batch.task import TaskSpec


class _Future:
    def __init__(self, owner: _Client, fn: Any, args: tuple[Any, ...]) -> None:
        self.owner, self.fn, self.args = owner, fn, args

    def result(self) -> Any:
        return self.fn(*self.args)

    def release(self) -> None:
        self.owner.out -= 1


class _Client:
    def __init__(self, address: str, timeout: str, set_as_default: bool = True) -> None:
        self.out = 0
        self.most = 0
        self.submitted = 0
        _Client.last = self

    last: _Client

    def scheduler_info(self) -> dict[str, Any]:
        return {"workers": {"tcp://a": {"nthreads": 1}, "tcp://b": {"nthreads": 1}}}

    def submit(self, fn: Any, *args: Any, pure: bool) -> _Future:
        self.out += 1
        self.submitted += 1
        self.most = max(self.most, self.out)
        return _Future(self, fn, args)

    def close(self) -> None:
        pass


class _AsCompleted:
    def __init__(self, futures: list[_Future] | None = None) -> None:
        self.queue: deque[_Future] = deque(futures or [])

    def add(self, fut: _Future) -> None:
        self.queue.append(fut)

    def __iter__(self) -> _AsCompleted:
        return self

    def __next__(self) -> _Future:
        if not self.queue:
            raise StopIteration
        return self.queue.popleft()


def test_only_a_few_chunks_per_worker_are_in_flight(monkeypatch: pytest.MonkeyPatch) -> None:
    # the address is checked with Dask's own parser (evidencekit.dask_client): keep it
    addressing = pytest.importorskip("distributed.comm.addressing")
    fake = types.ModuleType("distributed")
    fake.Client = _Client  # type: ignore[attr-defined]
    fake.as_completed = _AsCompleted  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "distributed", fake)
    monkeypatch.setitem(sys.modules, "distributed.comm.addressing", addressing)
    monkeypatch.setattr(runner, "score_chunk", lambda apps, spec, prev: [
        {"application_id": a.id, "ok": True} for a in apps])
    apps = [Application(f"app-{i:03d}", Path(f"app-{i:03d}.yaml")) for i in range(200)]
    jobs = [Job(apps[i:i + 2], [None, None]) for i in range(0, len(apps), 2)]
    results = list(runner._dask("tcp://x:8786", jobs, TaskSpec("rubric.yaml")))
    client = _Client.last
    assert [r["application_id"] for r in results] == [a.id for a in apps]  # each once
    assert client.submitted == len(jobs) and client.out == 0
    assert client.most <= runner._IN_FLIGHT * 2, (client.most, "chunks out at once")
