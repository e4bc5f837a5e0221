"""Where the parts of a multi-file outcome are reduced: in this process, one after the other,
or one task per part on a Dask cluster (:func:`on_dask`, ``--dask-scheduler``).

A task is a pure function of its part (:func:`evidencekit.analysis.rows.reduce_part`): it
reads the file and returns its sufficient statistics, so a task Dask runs again after a worker
died counts its rows once. The results come back in the parts' order and are combined here in
that order, the same code either way, so a Dask run gives the numbers of a local one exactly.
The workers read the files themselves: the paths must name the same files on them (a shared
filesystem), and they apply the same limits and checks as a local run. ``distributed`` is
imported only when a cluster is named.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from ..errors import EvidenceKitError, InputError, UsageError

__all__ = ["map_parts", "on_dask"]

T = TypeVar("T")
_CLIENT: ContextVar[Any] = ContextVar("evidencekit_dask_client", default=None)
#: How long to wait for the scheduler to answer.
CONNECT_TIMEOUT = "30s"


@contextmanager
def on_dask(address: str) -> Iterator[None]:
    """Reduce the parts of every multi-file outcome analysed inside on the Dask cluster
    whose scheduler is at ``address`` (``tcp://host:8786``)."""
    from ..dask_client import connect

    client = connect(address, CONNECT_TIMEOUT)
    token = _CLIENT.set(client)
    try:
        yield
    finally:
        _CLIENT.reset(token)
        client.close()


def map_parts(fn: Callable[..., T], items: Sequence[tuple[Any, ...]]) -> Iterator[T]:
    """``fn(*item)`` for every item, in the items' order: here one at a time (a part's
    statistics are combined before the next part is read), or as tasks on the cluster of
    :func:`on_dask`."""
    client = _CLIENT.get()
    if client is None:
        for item in items:
            yield fn(*item)
        return
    from distributed import KilledWorker

    run = uuid.uuid4().hex
    futures = [client.submit(_on_worker, fn, *item, key=f"evidencekit-part-{run}-{i}",
                             pure=False)
               for i, item in enumerate(items)]
    try:
        for future in futures:  # in order; an error of a part is raised as the worker's
            try:
                yield future.result()
            except EvidenceKitError as exc:  # named as a local run names its files
                raise _relocated(exc, _here) from None
    except KilledWorker:
        raise UsageError.one(None, "a Dask cluster whose workers stay up",
                             "workers that died on every try of a part", key="--dask-scheduler"
                             ) from None
    except (OSError, TimeoutError) as exc:
        raise UsageError.one(None, "a Dask cluster that stays connected",
                             f"a lost connection ({type(exc).__name__})",
                             key="--dask-scheduler") from None
    finally:
        client.cancel(futures)


def absolute(path: os.PathLike[str] | str) -> str:
    """A path the workers can open whatever their working folder (links kept as they are,
    so the checks of :func:`evidencekit.load.data.open_inside` see them)."""
    return os.path.abspath(path)


def _on_worker(fn: Callable[..., T], *item: Any) -> T:
    """``fn(*item)`` on a worker; the files its problems name made absolute, since the worker
    named them relative to its own working folder, not the client's."""
    try:
        return fn(*item)
    except EvidenceKitError as exc:
        raise _relocated(exc, _absolute) from None


def _absolute(file: str) -> str:
    path = os.path.abspath(file)
    return path if os.path.exists(path) else file


def _here(file: str) -> str:
    from ..load.data.files import display_path

    return display_path(Path(file)) if os.path.isabs(file) else file


def _relocated(exc: EvidenceKitError, where: Callable[[str], str]) -> EvidenceKitError:
    """``exc`` with the file of each of its problems passed through ``where``.

    >>> from ..errors import DataError, Problem
    >>> e = _relocated(DataError([Problem("a.csv", 4, None, "a number", "'x'")]), str.upper)
    >>> type(e).__name__, str(e)
    ('DataError', "A.CSV, line 4: expected a number, found 'x'.")
    """
    if not isinstance(exc, InputError):
        return exc
    moved = tuple(replace(p, file=where(p.file)) if p.file else p for p in exc.problems)
    return type(exc)(moved, omitted=exc.omitted)
