"""Arrow helpers shared by the CSV and Parquet readers: zero-copy numpy views of Arrow
arrays (pyarrow's own ``to_numpy`` imports pandas, a third of a second) and the background
thread that parses the next batch while the statistics consume this one (not for a
small file already in memory: :func:`prefetch` with ``inline``)."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Generator, Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .columns import Batch

PREFETCH = 3  # batches parsed ahead of the consumer


def numeric_type(t: Any) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)
                or pa.types.is_decimal(t))


def indices(col: Any) -> NDArray[np.int64]:
    """Dictionary indices as int64, a missing value pointing one past the dictionary."""
    idx = col.indices
    filled = idx.fill_null(len(col.dictionary)) if idx.null_count else idx
    return view(filled, np.dtype(np.int32)).astype(np.int64)


def floats(col: Any) -> NDArray[np.float64]:
    """A float64 Arrow array as numpy, missing values as NaN (``fill_null`` with a Python
    float would import pandas, a third of a second)."""
    out: NDArray[np.float64] = view(col, np.dtype(np.float64))
    if col.null_count:
        import pyarrow as pa
        import pyarrow.compute as pc

        nulls = view(pc.cast(pc.is_null(col), pa.uint8()), np.dtype(np.uint8)).astype(bool)
        out = out.copy()
        out[nulls] = np.nan
    return out


def view(arr: Any, dtype: np.dtype[Any]) -> NDArray[Any]:
    """Zero-copy numpy view of a primitive Arrow array without nulls (pyarrow's own
    ``to_numpy`` imports pandas, which costs a third of a second)."""
    if arr.type.bit_width != 8 * dtype.itemsize:
        raise TypeError(f"cannot view {arr.type} as {dtype}")
    return np.frombuffer(arr.buffers()[1], dtype=dtype, count=len(arr),
                         offset=arr.offset * dtype.itemsize)


def prefetch(produce: Callable[[], Generator[Batch, None, None]], *, inline: bool = False
             ) -> Iterator[Batch]:
    """Run a batch producer on a background thread, a few batches ahead of the consumer;
    ``inline`` (a small file already in memory) runs it on the calling thread instead, with
    the same batches and the same errors."""
    if inline:
        return produce()
    return _threaded(produce)


def _threaded(produce: Callable[[], Generator[Batch, None, None]]) -> Iterator[Batch]:
    """The producer's batches, made on a thread of their own that has ended — its reader
    closed, Arrow done with what it was lent — before this generator finishes, however it
    finishes (its end, an error on either side, the consumer stopping early). A thread left
    reading when the interpreter exits would be ended inside Arrow's code (an abort)."""
    q: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=PREFETCH)
    stop = threading.Event()

    def put(item: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        batches = produce()
        try:
            for batch in batches:
                if not put(("batch", batch)):
                    return
            put(("done", None))
        except BaseException as exc:  # handed to the consumer, which re-raises it
            put(("error", exc))
        finally:
            batches.close()  # stopped early: the reader closes here, on this thread

    thread = threading.Thread(target=work, name="evidencekit-data", daemon=True)
    thread.start()
    try:
        while True:
            kind, item = q.get()
            if kind == "batch":
                yield item
            elif kind == "done":
                return
            else:
                raise item
    finally:
        stop.set()
        while thread.is_alive():  # a batch it is putting is taken, so it sees the stop
            with contextlib.suppress(queue.Empty):
                q.get_nowait()
            thread.join(0.01)
