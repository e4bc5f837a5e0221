"""Local worker processes that survive anything one application does.

Each worker is a process with its own pipe. The parent hands it a chunk of applications; the
worker sends back one result per application as soon as it is scored, so the parent always
knows which application a worker was scoring when it died (killed, out of memory, a crash in a
native library). That application is tried once more on its own, in a fresh worker; a second
death is final and becomes its error record, with the cause. The others of its chunk are
queued again; the round goes on with a new worker.

Workers die with their parent: on Linux each asks the kernel for SIGKILL when its parent
exits (``prctl(PR_SET_PDEATHSIG)``), and every worker also stops when its pipe to the parent
closes. Workers ignore Ctrl-C; the parent stops them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .inputs import Application
from .store import journal_line
from .task import TaskSpec, death_record, score

#: How often one application may take its worker down before that is its result.
MAX_DEATHS = 2


#: What a worker sends back for one application: the few fields the coordinator ranks and
#: counts by (see :func:`sent`) and the whole result as its journal line, encoded in the
#: worker, so the coordinator only appends the bytes.
Sent = tuple[dict[str, Any], bytes]
#: The row fields ledger.Ledger.keep and outputs.rank_key read.
_RANKED = ("level", "effect", "effect_ci_low", "effect_causal", "gates", "levels",
           "gate_titles", "rubric_id")


def sent(result: dict[str, Any]) -> Sent:
    """``result`` as a worker sends it (:data:`Sent`).

    >>> sent({"ok": False, "application_id": "a"})
    ({'application_id': 'a', 'ok': False}, b'{"application_id": "a", "ok": false}\\n')
    """
    compact: dict[str, Any] = {"application_id": result["application_id"],
                               "ok": result.get("ok")}
    if result.get("reused"):
        compact["reused"] = result["reused"]
    if compact["ok"]:
        row = result["row"]
        compact["row"] = {k: row[k] for k in _RANKED if k in row}
    return compact, journal_line(result)


@dataclass
class Job:
    apps: list[Application]
    previous: list[dict[str, Any] | None]


@dataclass
class _Slot:
    process: Any
    conn: Any
    job: Job | None = None
    index: int = 0
    tasks: int = 0
    #: Whether the worker's pipe has something to read (a message, or its end), asked
    #: without waiting: see :func:`_readable`.
    readable: Callable[[], bool] = field(init=False)

    def __post_init__(self) -> None:
        self.readable = _readable(self.conn)


def _readable(conn: Any) -> Callable[[], bool]:
    """A check of ``conn`` that never waits: true when a message (or the end of the pipe)
    is there to read. ``Connection.poll()`` answers the same, but builds and tears down a
    selector on every call (``multiprocessing.connection.wait``), about 20 µs; a ``poll``
    object made once answers in about 1 µs, and the coordinator asks once a result."""
    import select

    if not hasattr(select, "poll"):  # pragma: no cover - platforms without poll(2)
        return lambda: bool(conn.poll())
    poller = select.poll()
    poller.register(conn.fileno(), select.POLLIN)
    ask = poller.poll
    return lambda: bool(ask(0))


@dataclass
class Attempts:
    """Attempts per application that ended without a result (a dead worker, a killed run).

    ``on_start`` is called when an application starts (the store writes a marker, so a run
    killed outright still counts the attempt on ``--resume``); ``on_finish`` when it has a
    result."""

    counts: dict[str, int] = field(default_factory=dict)
    on_start: Callable[[str, int], None] = lambda _id, _n: None
    on_finish: Callable[[str], None] = lambda _id: None

    def start(self, app_id: str) -> None:
        n = self.counts.get(app_id, 0) + 1
        self.counts[app_id] = n
        self.on_start(app_id, n)

    def finish(self, app_id: str) -> None:
        self.counts.pop(app_id, None)
        self.on_finish(app_id)


def die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent dies (Linux); ignore Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1
            libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:  # the parent died before the request took effect
        os._exit(1)


def _worker_main(conn: Any, spec: TaskSpec) -> None:
    die_with_parent()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        for app, prev in zip(job.apps, job.previous, strict=True):
            conn.send(sent(score(app, spec, prev)))


def describe_exit(exitcode: int | None) -> str:
    """Why a worker process ended, for a person.

    >>> describe_exit(-9)
    'killed by signal SIGKILL, often the system running out of memory'
    >>> describe_exit(-11)
    'killed by signal SIGSEGV (a crash)'
    >>> describe_exit(3)
    'exit code 3'
    """
    if exitcode is None:
        return "it stopped answering"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = str(-exitcode)
        if name == "SIGKILL":
            return "killed by signal SIGKILL, often the system running out of memory"
        if name in ("SIGSEGV", "SIGBUS", "SIGABRT", "SIGILL", "SIGFPE"):
            return f"killed by signal {name} (a crash)"
        return f"killed by signal {name}"
    return f"exit code {exitcode}"


class _Queue:
    """The jobs still to run: those put back (a dead worker's), then the rest, taken from
    ``jobs`` only as they are needed (the round is never made into a list of jobs)."""

    def __init__(self, jobs: Iterable[Job]) -> None:
        self._back: deque[Job] = deque()
        self._rest = iter(jobs)

    def __bool__(self) -> bool:
        if not self._back:
            job = next(self._rest, None)
            if job is None:
                return False
            self._back.append(job)
        return True

    def popleft(self) -> Job:
        if not self:
            raise IndexError("no job left")
        return self._back.popleft()

    def appendleft(self, job: Job) -> None:
        self._back.appendleft(job)


def run_pool(jobs: Iterable[Job], spec: TaskSpec, workers: int, *, rendering: bool,
             recycle_after: int | None, attempts: Attempts
             ) -> Iterator[Sent | dict[str, Any]]:
    """Score every job on ``workers`` processes; yield one result per application (as the
    worker sent it, or the error record of an application that took its worker down)."""
    import multiprocessing
    from multiprocessing.connection import wait

    # Scoring alone forks (cheap; the parent has already imported everything). Rendering
    # reports recycles workers, which needs a fresh interpreter per worker (forkserver).
    ctx: Any = multiprocessing.get_context("forkserver" if rendering else "fork")
    queue = _Queue(jobs)
    slots: list[_Slot] = []

    def spawn() -> _Slot:
        parent_end, child_end = ctx.Pipe(duplex=True)
        process = ctx.Process(target=_worker_main, args=(child_end, spec), daemon=True)
        process.start()
        child_end.close()
        return _Slot(process, parent_end)

    def retire(slot: _Slot, *, kill: bool) -> None:
        with contextlib.suppress(OSError):
            if kill:
                slot.process.kill()
            else:
                slot.conn.send(None)
        slot.conn.close()
        slot.process.join(timeout=None if kill else 30)
        if slot.process.is_alive():  # pragma: no cover - a worker that ignores its pipe
            slot.process.kill()
            slot.process.join()

    def assign(slot: _Slot) -> None:
        job = queue.popleft()
        slot.job, slot.index = job, 0
        attempts.start(job.apps[0].id)
        with contextlib.suppress(OSError):  # a dead worker is found by its sentinel
            slot.conn.send(job)

    try:
        while queue or any(s.job is not None for s in slots):
            for slot in [s for s in slots if s.job is None and not s.process.is_alive()]:
                retire(slot, kill=True)  # died between two jobs
                slots.remove(slot)
            while queue and len(slots) < workers:
                slots.append(spawn())
            for slot in slots:
                if slot.job is None and queue:
                    assign(slot)
            busy = [s for s in slots if s.job is not None]
            ready = set(wait([s.conn for s in busy] + [s.process.sentinel for s in busy]))
            for slot in busy:
                if slot.conn not in ready and slot.process.sentinel not in ready:
                    continue
                yield from _drain(slot, attempts)
                if slot.job is None:
                    slot.tasks += 1
                    if recycle_after and slot.tasks >= recycle_after:
                        retire(slot, kill=False)
                        slots.remove(slot)
                    continue
                if slot.process.is_alive() and slot.process.sentinel not in ready:
                    continue
                # The worker died while scoring slot.job.apps[slot.index].
                slot.process.join()
                cause = describe_exit(slot.process.exitcode)
                slot.conn.close()
                slots.remove(slot)
                job, i = slot.job, slot.index
                app, prev = job.apps[i], job.previous[i]
                rest = Job(job.apps[i + 1:], job.previous[i + 1:])
                if rest.apps:
                    queue.appendleft(rest)
                deaths = attempts.counts.get(app.id, 1)
                if deaths >= MAX_DEATHS:
                    attempts.finish(app.id)
                    yield death_record(app, cause, deaths)
                else:
                    queue.appendleft(Job([app], [prev]))  # once more, on its own
    finally:
        for slot in slots:
            retire(slot, kill=slot.job is not None)


def _drain(slot: _Slot, attempts: Attempts) -> Iterator[Sent]:
    """Every result the worker has sent so far."""
    assert slot.job is not None
    while True:
        try:
            if not slot.readable():
                return
            result = slot.conn.recv()
        except (EOFError, OSError):
            return
        app = slot.job.apps[slot.index]
        attempts.finish(app.id)
        yield result
        slot.index += 1
        if slot.index >= len(slot.job.apps):
            slot.job = None
            return
        attempts.start(slot.job.apps[slot.index].id)
