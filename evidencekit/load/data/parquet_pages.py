"""What a Parquet file's page headers declare, read before pyarrow reads the pages.

The footer's sizes (``parquet._check_chunks``) are a writer's summary; each data page carries
its own header, and that header is what pyarrow believes when it allocates the page's buffer
and decompresses into it. A hostile file can keep the footer small and make one page huge
(a zstd page of zeros declaring 2 GiB decompresses from a few KB). So for every column
chunk the analysis reads, the page headers are walked here, seeking over the page bodies:
the chunk's pages together must declare at most ``limits.PARQUET_CHUNK_BYTES`` decompressed
(the limit the footer is held to, now held on what pyarrow will allocate), the values of a
column at most ``DataFile.max_rows()``, the pages of a column at most
``limits.PARQUET_PAGES``, each header at most ``limits.PARQUET_PAGE_HEADER_BYTES``, and each
page inside its chunk.

Page headers are Thrift structs in the compact protocol (Apache Thrift, "Thrift Compact
protocol encoding", doc/specs/thrift-compact-protocol.md; the ``PageHeader`` struct of
Apache Parquet's ``parquet.thrift``: 1 type, 2 uncompressed_page_size, 3
compressed_page_size, 5 data_page_header, 7 dictionary_page_header,
8 data_page_header_v2, each of the three with num_values as field 1). The chunk's byte
range is the one pyarrow reads (``parquet/file_reader.cc``, ``ComputeColumnChunkRange``):
from the dictionary page if there is one, else the first data page, for
``total_compressed_size`` bytes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from . import limits

if TYPE_CHECKING:
    from .datafile import DataFile

__all__ = ["PageHeader", "check_pages", "mapped_chunks", "parse_header"]

#: Parquet page types (``parquet.thrift`` enum PageType) whose values are rows.
DATA_PAGE, INDEX_PAGE, DICTIONARY_PAGE, DATA_PAGE_V2 = 0, 1, 2, 3
#: Nesting of Thrift structs in a page header (statistics are two deep; 32 is generous).
DEPTH = 32
#: Bytes first read for a header: enough for one without statistics of long strings.
FIRST_READ = 256


class Short(Exception):
    """The header goes on past the bytes read so far."""


class Damaged(Exception):
    """The bytes are not a Thrift compact-protocol page header."""


@dataclass(frozen=True, slots=True)
class PageHeader:
    """One page header: its kind, sizes and count of values, and its own length in bytes."""

    kind: int
    uncompressed: int
    compressed: int
    values: int
    length: int


class _Reader:
    """A cursor over bytes in the Thrift compact protocol."""

    __slots__ = ("buf", "pos")

    def __init__(self, buf: bytes) -> None:
        self.buf = buf
        self.pos = 0

    def byte(self) -> int:
        if self.pos >= len(self.buf):
            raise Short
        b = self.buf[self.pos]
        self.pos += 1
        return b

    def varint(self) -> int:
        result = shift = 0
        for _ in range(10):
            b = self.byte()
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7
        raise Damaged("a varint longer than 10 bytes")

    def zigzag(self) -> int:
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def skip_bytes(self, n: int) -> None:
        if n < 0:
            raise Damaged("a negative length")
        if self.pos + n > len(self.buf):
            raise Short
        self.pos += n

    def value(self, kind: int, depth: int) -> Any:
        """Read (or skip) one value of compact type ``kind``; integers and structs are kept."""
        if kind in (1, 2):  # BOOLEAN_TRUE / BOOLEAN_FALSE, in the field header itself
            return kind == 1
        if kind == 3:
            self.skip_bytes(1)
            return None
        if kind in (4, 5, 6):
            return self.zigzag()
        if kind == 7:
            self.skip_bytes(8)
            return None
        if kind == 8:
            self.skip_bytes(self.varint())
            return None
        if kind in (9, 10):
            head = self.byte()
            size = head >> 4
            if size == 15:
                size = self.varint()
            element = head & 0x0F
            for _ in range(size):
                if element in (1, 2):  # booleans in a list are one byte each
                    self.skip_bytes(1)
                else:
                    self.value(element, depth)
            return None
        if kind == 11:
            size = self.varint()
            if size:
                types = self.byte()
                for _ in range(size):
                    self.value(types >> 4, depth)
                    self.value(types & 0x0F, depth)
            return None
        if kind == 12:
            return self.struct(depth + 1)
        raise Damaged(f"a value of unknown Thrift type {kind}")

    def struct(self, depth: int) -> dict[int, Any]:
        if depth > DEPTH:
            raise Damaged("structs nested too deep")
        fields: dict[int, Any] = {}
        last = 0
        while True:
            head = self.byte()
            if head == 0:  # STOP
                return fields
            delta, kind = head >> 4, head & 0x0F
            field = last + delta if delta else self.zigzag()
            last = field
            fields[field] = self.value(kind, depth)


def parse_header(buf: bytes) -> PageHeader:
    """The page header at the start of ``buf``.

    Raises :class:`Short` when ``buf`` ends inside the header, :class:`Damaged` when it is not
    one. A data page of 1,048,576 bytes (compressed to 1,000) holding 131,072 values:

    >>> raw = bytes([0x15, 0x00, 0x15, 0x80, 0x80, 0x80, 0x01, 0x15, 0xD0, 0x0F,
    ...              0x2C, 0x15, 0x80, 0x80, 0x10, 0x00, 0x00])
    >>> parse_header(raw)
    PageHeader(kind=0, uncompressed=1048576, compressed=1000, values=131072, length=17)
    >>> parse_header(raw[:9])
    Traceback (most recent call last):
    ...
    evidencekit.load.data.parquet_pages.Short
    """
    reader = _Reader(buf)
    fields = reader.struct(0)
    try:
        kind, uncompressed, compressed = fields[1], fields[2], fields[3]
    except KeyError:
        raise Damaged("a page header without its type or sizes") from None
    if not all(isinstance(v, int) and not isinstance(v, bool)
               for v in (kind, uncompressed, compressed)):
        raise Damaged("a page header whose sizes are not numbers")
    if uncompressed < 0 or compressed < 0:
        raise Damaged("a negative page size")
    values = 0
    for field in (5, 7, 8):
        sub = fields.get(field)
        if isinstance(sub, dict) and isinstance(sub.get(1), int):
            values = sub[1]
    if values < 0:
        raise Damaged("a negative count of values")
    return PageHeader(kind, uncompressed, compressed, values, reader.pos)


def _header_at(source: BinaryIO, pos: int, end: int) -> PageHeader:
    """The header at byte ``pos``, read in growing pieces up to the header limit."""
    want = FIRST_READ
    while True:
        source.seek(pos)
        buf = source.read(min(want, end - pos))
        try:
            return parse_header(buf)
        except Short:
            if len(buf) >= end - pos:
                raise Damaged("a page header cut off by the end of its column") from None
            if want >= limits.PARQUET_PAGE_HEADER_BYTES:
                raise
            want = min(want * 4, limits.PARQUET_PAGE_HEADER_BYTES)


def _size(n: int) -> str:
    """Bytes in words: MiB from 1 MiB up.

    >>> _size(1000), _size(600 << 20)
    ('1,000 bytes', '600 MiB')
    """
    return f"{n:,} bytes" if n < 1 << 20 else limits.mib(n)


def mapped_chunks(meta: Any, columns: list[str]) -> Iterator[tuple[int, str, Any]]:
    """(row group index, top-level column name, column chunk metadata) of every chunk of
    ``columns`` (a nested column's leaves count as their top-level column)."""
    wanted = set(columns)
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        for i in range(group.num_columns):
            chunk = group.column(i)
            top = chunk.path_in_schema.split(".", 1)[0]
            if top in wanted:
                yield g, top, chunk


def _chunk_range(chunk: Any) -> tuple[int, int]:
    """(first byte, length) of a column chunk, as pyarrow computes it."""
    start = chunk.data_page_offset
    dictionary = chunk.dictionary_page_offset
    if chunk.has_dictionary_page and dictionary is not None and 0 < dictionary < start:
        start = dictionary
    return start, chunk.total_compressed_size


def check_pages(data: DataFile, source: BinaryIO, pf: Any, columns: list[str]) -> None:
    """Walk the page headers of every column chunk of ``columns`` (see the module's text).

    Costs a seek and a read of a few hundred bytes per page (pages are about 1 MiB in files
    pyarrow, Spark or polars write); nothing is decompressed.
    """
    meta = pf.metadata
    size = os.fstat(source.fileno()).st_size
    pages: dict[str, int] = {}
    values: dict[str, int] = {}
    for g, top, chunk in mapped_chunks(meta, columns):
        start, length = _chunk_range(chunk)
        end = start + length
        if start < 4 or length < 0 or end > size:
            raise data.error("a Parquet file pyarrow can read", "a damaged or "
                             f"unsupported one (row group {g + 1:,} points outside the "
                             "file)", column=top)
        pos = start
        total = 0
        while pos < end:
            try:
                page = _header_at(source, pos, end)
            except Short:
                raise limits.exceeded(
                    data, "a Parquet page header", limits.mib(
                        limits.PARQUET_PAGE_HEADER_BYTES),
                    f"a longer one in row group {g + 1:,}", column=top) from None
            except Damaged as exc:
                raise data.error("a Parquet file pyarrow can read", "a damaged or "
                                 f"unsupported one (a page header in row group {g + 1:,} "
                                 f"cannot be read: {exc})", column=top) from None
            if pos + page.length + page.compressed > end:
                raise data.error("a Parquet file pyarrow can read", "a damaged or "
                                 f"unsupported one (a page in row group {g + 1:,} runs "
                                 "past the end of its column)", column=top)
            total += page.uncompressed
            if total > limits.PARQUET_CHUNK_BYTES:
                raise limits.exceeded(
                    data, "one column of one Parquet row group",
                    f"{limits.mib(limits.PARQUET_CHUNK_BYTES)} decompressed",
                    f"pages declaring more than that in row group {g + 1:,} (its "
                    f"footer declares {_size(chunk.total_uncompressed_size)})",
                    column=top)
            pages[top] = pages.get(top, 0) + 1
            if pages[top] > limits.PARQUET_PAGES:
                raise limits.exceeded(data, "a Parquet column",
                                      f"{limits.PARQUET_PAGES:,} pages",
                                      "more pages than that", column=top)
            if page.kind in (DATA_PAGE, DATA_PAGE_V2):
                values[top] = values.get(top, 0) + page.values
                if values[top] > data.max_rows():
                    raise data.too_many_rows(
                        f"pages declaring {values[top]:,} values (its footer "
                        f"declares {meta.num_rows:,} rows)", column=top)
            pos += page.length + page.compressed
    source.seek(0)
