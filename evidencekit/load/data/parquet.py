"""Parquet files: streamed by pyarrow in record batches on a background thread, only the
mapped columns; numeric columns are viewed without copying."""

from __future__ import annotations

import math
import os
import struct
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np
from numpy.typing import NDArray

from . import limits
from .arrow import floats, indices, numeric_type, prefetch
from .columns import Batch
from .datafile import SHOW
from .parquet_pages import check_pages, mapped_chunks
from .values import EXPECTED, PARSERS, cell_number, describe, excerpt, nan_if_none

if TYPE_CHECKING:
    from .datafile import DataFile

__all__ = ["batches", "header"]


def header(data: DataFile) -> list[str]:
    """The column names of the file's schema."""
    with data.open() as source:
        return list(_open(data, source).schema_arrow.names)


#: Nesting of a Parquet schema pyarrow itself accepts (deeper is refused by its reader).
SCHEMA_DEPTH = 100


def _open(data: DataFile, source: BinaryIO) -> Any:
    """The file's metadata, once what it declares is within the limits.

    Checked before pyarrow allocates anything for it, from the file's last 8 bytes: the
    footer's declared length (``limits.PARQUET_FOOTER_BYTES``). Then, on the parsed footer
    and before any data page is read: the number of leaf columns (``limits.COLUMNS``), the
    rows (``DataFile.max_rows``), and the declared decompressed size of every column chunk the
    analysis reads (``limits.PARQUET_CHUNK_BYTES``). The pages' own headers are checked
    after this, before pyarrow reads them (:func:`.parquet_pages.check_pages`).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    _check_footer(data, source)
    try:
        # the footer's strings (its key-value metadata) within the footer's own limit
        pf = pq.ParquetFile(source, thrift_string_size_limit=limits.PARQUET_FOOTER_BYTES)
    except (pa.ArrowInvalid, OSError) as exc:
        message = str(exc)
        if "too deeply nested" in message:
            raise data.error(f"a Parquet schema nested at most {SCHEMA_DEPTH} deep (pyarrow's "
                             "limit)", "a schema nested deeper than that") from None
        raise data.error("a Parquet file pyarrow can read",
                         f"a damaged or unsupported one ({excerpt(message.strip(), 80)})"
                         ) from None
    meta = pf.metadata
    if meta.num_columns > limits.COLUMNS:
        raise limits.exceeded(data, "a Parquet file", f"{limits.COLUMNS:,} columns",
                              f"{meta.num_columns:,} columns")
    if meta.num_rows > data.max_rows():
        raise data.too_many_rows(f"{meta.num_rows:,} rows")
    return pf


def _check_footer(data: DataFile, source: BinaryIO) -> None:
    """The footer's declared length, read from the file's end, before pyarrow reads it."""
    size = os.fstat(source.fileno()).st_size
    if size < 12:
        raise data.error("a Parquet file", "a file that is not one (no Parquet footer)")
    source.seek(size - 8)
    tail = source.read(8)
    source.seek(0)
    if tail[4:] == b"PARE":
        raise data.error("a Parquet file that is not encrypted", "an encrypted one")
    if tail[4:] != b"PAR1":
        raise data.error("a Parquet file", "a file that is not one (no Parquet footer)")
    footer = struct.unpack("<I", tail[:4])[0]
    if footer > limits.PARQUET_FOOTER_BYTES:
        raise limits.exceeded(data, "a Parquet file's footer (its schema and metadata)",
                              limits.mib(limits.PARQUET_FOOTER_BYTES),
                              f"a footer declared as {limits.mib(footer)}")
    if footer > size - 12:
        raise data.error("a Parquet file", f"a damaged one (its footer is declared as "
                         f"{footer:,} bytes, longer than the file)")


def _check_chunks(data: DataFile, pf: Any, columns: list[str]) -> None:
    """Every column chunk the analysis reads is at most ``limits.PARQUET_CHUNK_BYTES``
    decompressed, as the footer declares it (checked before any page is read)."""
    for g, top, chunk in mapped_chunks(pf.metadata, columns):
        declared = max(chunk.total_uncompressed_size, chunk.total_compressed_size)
        if declared > limits.PARQUET_CHUNK_BYTES:
            raise limits.exceeded(
                data, "one column of one Parquet row group",
                f"{limits.mib(limits.PARQUET_CHUNK_BYTES)} decompressed",
                f"{limits.mib(declared)} in row group {g + 1:,}", column=top)


def batches(data: DataFile) -> Iterator[Batch]:
    """Stream the requested columns (parsed a few batches ahead on a background thread; a
    small file on this one: ``limits.SMALL_FILE``)."""
    def produce() -> Generator[Batch, None, None]:
        with data.open() as source:
            yield from _read(data, source)

    return prefetch(produce, inline=data.small)


def _read(data: DataFile, source: BinaryIO) -> Iterator[Batch]:
    """The batches, a page pyarrow cannot decode (a damaged file, or one changed while it is
    read) becoming one sentence."""
    import pyarrow as pa

    try:
        yield from _decode(data, source)
    except (pa.ArrowException, OSError) as exc:
        raise data.error("a Parquet file pyarrow can read",
                         f"a damaged or unsupported one ({excerpt(str(exc).strip(), 80)})"
                         ) from None


def _decode(data: DataFile, source: BinaryIO) -> Iterator[Batch]:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    pf = _open(data, source)
    names = list(pf.schema_arrow.names)
    data.check_header(names, None)
    _check_chunks(data, pf, [r.name for r in data.requests])
    for r in data.requests:
        kind = pf.schema_arrow.field(r.name).type
        if pa.types.is_nested(kind) or (pa.types.is_dictionary(kind) and \
                pa.types.is_nested(kind.value_type)):
            raise data.error(EXPECTED.get(r.kind, "a label (one value per row)"),
                             f"lists or records, not single values (type "
                             f"{excerpt(str(kind), 40)[1:-1]})", column=r.name)
    if pf.metadata.num_rows == 0:
        raise data.error("at least one row of data", "a Parquet file with no rows")
    check_pages(data, source, pf, [r.name for r in data.requests])
    # Text labels are read as the file's own dictionary and indices (Parquet writers store
    # them so), never decoded into one string a row and hashed again: 5,000,000 rows of
    # 'arm' in 0.11 s instead of 0.22 s. The metadata is the one already checked.
    text = [r.name for r in data.requests if r.kind == "category"
            and _text(pf.schema_arrow.field(r.name).type)]
    if text:
        source.seek(0)
        pf = pq.ParquetFile(source, metadata=pf.metadata, read_dictionary=text,
                            thrift_string_size_limit=limits.PARQUET_FOOTER_BYTES)
    offset = 0
    for record in pf.iter_batches(batch_size=limits.PARQUET_BATCH,
                                  columns=[r.name for r in data.requests]):
        values: dict[str, NDArray[np.float64]] = {}
        codes: dict[str, NDArray[np.int64]] = {}
        for r in data.requests:
            col = record.column(r.name)
            if r.kind == "category":
                codes[r.name] = _category(data, r.name, col, r.name in text)
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


def _text(kind: Any) -> bool:
    """Whether a column of this Arrow type is stored as Parquet byte arrays (text)."""
    import pyarrow as pa

    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind)
                or pa.types.is_binary(kind) or pa.types.is_large_binary(kind))


def _category(data: DataFile, name: str, col: Any, stored: bool) -> NDArray[np.int64]:
    """A label column's codes. ``stored``: ``col`` is the file's dictionary and indices, which
    are re-encoded in the order the values first appear in the batch, so the labels are
    those, in the order, that encoding the decoded text gives (``pc.dictionary_encode``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if stored and pa.types.is_dictionary(col.type):
        first = pc.dictionary_encode(col.indices)  # the distinct indices, first seen first
        dictionary = col.dictionary.take(first.dictionary).to_pylist()
        return data.code(name, dictionary, indices(first))
    enc = pc.dictionary_encode(col)
    return data.code(name, enc.dictionary.to_pylist(), indices(enc))
