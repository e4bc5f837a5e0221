"""Parquet files: streamed by pyarrow in record batches on a background thread, only the
mapped columns; numeric columns are viewed without copying."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np
from numpy.typing import NDArray

from . import limits
from .arrow import floats, indices, numeric_type, prefetch
from .columns import Batch
from .datafile import SHOW
from .values import EXPECTED, PARSERS, cell_number, describe, nan_if_none

if TYPE_CHECKING:
    from .datafile import DataFile

__all__ = ["batches", "header"]


def header(data: DataFile) -> list[str]:
    """The column names of the file's schema."""
    with data.open() as source:
        return list(_open(data, source).schema_arrow.names)


def _open(data: DataFile, source: BinaryIO) -> Any:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(source)
    except (pa.ArrowInvalid, OSError):
        raise data.error("a Parquet file", "a file that is not one (no Parquet footer)"
                         ) from None


def batches(data: DataFile) -> Iterator[Batch]:
    """Stream the requested columns (parsed a few batches ahead on a background thread)."""
    def produce() -> Iterator[Batch]:
        with data.open() as source:
            yield from _read(data, source)

    return prefetch(produce)


def _read(data: DataFile, source: BinaryIO) -> Iterator[Batch]:
    import pyarrow as pa
    import pyarrow.compute as pc

    pf = _open(data, source)
    names = list(pf.schema_arrow.names)
    data.check_header(names, None)
    if pf.metadata.num_rows == 0:
        raise data.error("at least one row of data", "a Parquet file with no rows")
    offset = 0
    for record in pf.iter_batches(batch_size=limits.PARQUET_BATCH,
                                  columns=[r.name for r in data.requests]):
        values: dict[str, NDArray[np.float64]] = {}
        codes: dict[str, NDArray[np.int64]] = {}
        for r in data.requests:
            col = record.column(r.name)
            if r.kind == "category":
                enc = pc.dictionary_encode(col)
                codes[r.name] = data.code(r.name, enc.dictionary.to_pylist(),
                                           indices(enc))
                continue
            if r.kind == "number" and numeric_type(col.type):
                arr = floats(pc.cast(col, pa.float64()))
                if np.isinf(arr).any():
                    i = int(np.flatnonzero(np.isinf(arr))[0])
                    raise data.error(EXPECTED["number"], describe(float(arr[i])),
                                     row=offset + i + 1, column=r.name)
                values[r.name] = arr
                continue
            if pa.types.is_temporal(col.type):
                raise data.error(EXPECTED[r.kind], f"dates or times (type {col.type})",
                                 column=r.name)
            enc = pc.dictionary_encode(col)
            dictionary = enc.dictionary.to_pylist()
            parse = PARSERS[r.kind] if r.kind != "number" else cell_number
            lookup = np.array([nan_if_none(parse(v)) for v in dictionary] + [math.nan])
            bad = [i for i, v in enumerate(dictionary) if parse(v) is None]
            idx = indices(enc)
            if bad:
                rows = np.flatnonzero(np.isin(idx, bad))
                found = [(offset + int(i) + 1, dictionary[idx[i]])
                         for i in rows[: SHOW + 1]]
                raise data.bad_cells(r.name, r.kind, found, rows.size > SHOW + 1)
            values[r.name] = lookup[idx]
        size = record.num_rows
        offset += size
        batch = data.finish(values, codes, size)
        if batch is not None:
            yield batch
    if data.rows == 0:
        raise data.error("at least one row of data", "only blank rows")
