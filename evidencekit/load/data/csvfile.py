"""CSV files: streamed by pyarrow in blocks on a background thread, only the mapped columns
(a small file is read whole with one open and parsed on the calling thread).

- Encoding: a byte-order mark (UTF-8, UTF-16) decides; otherwise UTF-8 if the first MiB
  decodes as UTF-8, else Windows-1252.
- Delimiter: the one of ``, ; TAB |`` that splits the header into the most of the mapped
  column names (ties: the most columns).
- A problem pyarrow reports (a bad number, a ragged line) is located by a slow exact rescan
  with Python's csv module (:class:`_CsvScan`), run only then.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import math
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np
from numpy.typing import NDArray

from ...errors import DataError
from . import limits
from .arrow import floats, indices, prefetch
from .arrowfile import Loan, Undecodable, utf8
from .columns import Batch, ColumnRequest
from .datafile import SHOW
from .values import (
    NULL_TOKENS,
    PARSERS,
    binary,
    describe,
    excerpt,
    number,
    number_or_binary,
    plural,
)

if TYPE_CHECKING:
    from .datafile import DataFile

__all__ = ["batches", "header"]

# Python's csv module (the exact rescan) refuses fields over 131,072 characters by default;
# ``limits.CSV_FIELD_CHARS`` applies instead, named in the message.
csv.field_size_limit(max(csv.field_size_limit(), limits.CSV_FIELD_CHARS))
_SAMPLE_BYTES = 1 << 20  # read to detect the encoding, the delimiter and the header
_DELIMITERS = (",", ";", "\t", "|")


def header(data: DataFile) -> list[str]:
    """The header names of a CSV file, read exactly as the analysis reads them (same
    encoding and delimiter detection); used to offer column choices before analysing."""
    return dialect(data)[2]

def dialect(data: DataFile) -> tuple[str, str, list[str], int, bool]:
    """Encoding, delimiter, header names, header line and whether values span lines."""
    with data.open() as fh:
        raw = fh.read(_SAMPLE_BYTES)
        at_end = not fh.read(1)
    encoding = _detect_encoding(raw, data)
    text = raw.decode(encoding, errors="ignore")
    if not at_end:
        cut = max(text.rfind("\n"), 0)
        text = text[:cut]
    lines = text.splitlines()
    nonblank = _nonblank(lines, 2)  # the header and whether any row follows it
    if not nonblank:
        raise data.error("a header row and at least one row of data",
                         "a file with no text" if at_end else "a first MiB of blank lines")
    header_line, header_text = nonblank[0]
    wanted = {r.name for r in data.requests}
    best: tuple[int, int, str, list[str]] | None = None
    for d in _DELIMITERS:
        fields = [f.strip() for f in next(csv.reader([header_text], delimiter=d))]
        score = (len(wanted & set(fields)), len(fields))
        if best is None or score > best[:2]:
            best = (*score, d, fields)
    assert best is not None
    _, n_fields, delimiter, header = best
    if n_fields == 1 and len(wanted) > 1:
        raise data.error("columns separated by commas, semicolons, tabs or '|'",
                         f"a header line with no separator ({describe(header_text)})",
                         row=header_line)
    if len(nonblank) == 1 and at_end:
        raise data.error("at least one row of data below the header", "only the header")
    multiline = False
    if '"' in text:
        reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
        previous = 0
        for _ in reader:
            if reader.line_num - previous > 1:
                multiline = True
                break
            previous = reader.line_num
    return encoding, delimiter, header, header_line, multiline


def _nonblank(lines: Sequence[str], most: int) -> list[tuple[int, str]]:
    """The first ``most`` lines that are not blank, with their line numbers."""
    found = []
    for i, ln in enumerate(lines):
        if ln.strip():
            found.append((i + 1, ln))
            if len(found) == most:
                break
    return found


class _LongRecord(Exception):
    """A CSV record longer than ``limits.CSV_LINE_BYTES`` (raised while the file is read)."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _Records:
    """Refuses, chunk by chunk as a file is read, a record longer than
    ``limits.CSV_LINE_BYTES`` — in any column, mapped or not.

    pyarrow parses in blocks, but a record that does not end within a block is carried into
    the next, so one huge line (or, with quoted line breaks, one huge quoted value) would be
    held whole, whatever its length: memory without a bound. Every chunk read is checked
    here first: the bytes since the last end of record must stay under the limit. An end of
    record is a line break — outside quotes, when values may span lines (``quotes``), by the
    parity of the ``"`` characters before it, which RFC 4180's doubled quotes keep.
    """

    def __init__(self, quotes: bool) -> None:
        self.quotes = quotes
        self.since = 0      # bytes since the last end of record
        self.lines = 0      # line breaks read so far
        self.record = 1     # the line the current record starts on
        self.odd = False    # inside quotes at the end of the last chunk

    def check(self, chunk: bytes) -> None:
        """Raise :class:`_LongRecord` if ``chunk`` carries the current record, or one it
        holds, past the limit."""
        limit = limits.CSV_LINE_BYTES
        if not self.quotes:
            first = chunk.find(b"\n")
            if first < 0:
                self.since += len(chunk)
                if self.since > limit:
                    raise _LongRecord(self.lines + 1)
                return
            if self.since + first > limit:
                raise _LongRecord(self.lines + 1)
            if len(chunk) > limit:  # a line inside the chunk may be longer than the limit
                breaks = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 10)
                gaps = np.diff(breaks) - 1
                if gaps.size and int(gaps.max()) > limit:
                    raise _LongRecord(self.lines + int(np.argmax(gaps)) + 2)
            self.lines += chunk.count(b"\n")
            self.since = len(chunk) - 1 - chunk.rfind(b"\n")
            if self.since > limit:  # a chunk read larger than the limit
                raise _LongRecord(self.lines + 1)
            return
        arr = np.frombuffer(chunk, dtype=np.uint8)
        parity = np.cumsum(arr == 34, dtype=np.uint8) & 1  # quotes so far, mod 2
        if self.odd:
            parity ^= 1
        breaks = np.flatnonzero(arr == 10)
        ends = breaks[parity[breaks] == 0]
        start_line = self.lines
        if ends.size == 0:
            self.since += len(chunk)
        else:
            if self.since + int(ends[0]) > limit:
                raise _LongRecord(self.record)
            gaps = np.diff(ends) - 1
            if gaps.size and int(gaps.max()) > limit:
                at = int(ends[int(np.argmax(gaps))])
                raise _LongRecord(start_line + int(np.count_nonzero(breaks <= at)) + 1)
            self.since = len(chunk) - 1 - int(ends[-1])
            self.record = start_line + int(np.count_nonzero(breaks <= ends[-1])) + 1
        self.lines += int(breaks.size)
        self.odd = bool(parity[-1])
        if self.since > limit:
            raise _LongRecord(self.record)


class _RecordCap(io.RawIOBase):
    """A binary file read by Python (the header, the exact rescan) that raises
    :class:`_LongRecord` as :class:`_Records` finds a record too long."""

    def __init__(self, raw: BinaryIO) -> None:
        super().__init__()
        self.raw = raw
        self.records = _Records(quotes=True)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self.raw.readinto(buffer) or 0  # type: ignore[attr-defined]  # (BinaryIO omits it)
        if n:
            self.records.check(bytes(memoryview(buffer)[:n]))
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


def _too_long(data: DataFile, line: int) -> DataError:
    return limits.exceeded(data, "a CSV record (a line, or a quoted value spanning lines)",
                           limits.mib(limits.CSV_LINE_BYTES),
                           "a longer one", row=line)


def batches(data: DataFile) -> Iterator[Batch]:
    """Stream the requested columns (parsed a few batches ahead on a background thread; a
    small file, already in memory, on this one: ``limits.SMALL_FILE``)."""
    def produce() -> Generator[Batch, None, None]:
        try:
            yield from _parse(data)
        except _LongRecord as exc:
            raise _too_long(data, exc.line) from None
        except Undecodable as exc:
            raise _undecodable(data, exc) from None

    return prefetch(produce, inline=data.in_memory)


def _parse(data: DataFile) -> Iterator[Batch]:
    """The batches of the file, read by pyarrow as UTF-8: lent as an :class:`.ArrowFile` —
    each chunk checked by :class:`_Records`, and never a Python exception or codec on one
    of Arrow's threads — or, for a small file in memory (none of whose records can be
    longer than the record limit), from a copy of its bytes Arrow owns."""
    import pyarrow as pa

    encoding, delimiter, header, header_line, multiline = dialect(data)
    content = data.content
    loan: Loan | None = None
    if content is not None and len(content) <= limits.CSV_LINE_BYTES:
        if not utf8(encoding):
            content = _utf8(content, encoding)
        # Arrow's own buffer, not one that borrows Python's bytes: nothing of Python's is
        # left for an Arrow thread to release. pyarrow allocates a whole block up front; a
        # block one byte longer than the bytes reads them in one, as a larger block does.
        stream = pa.BufferOutputStream()
        stream.write(content)
        block = min(limits.CSV_BLOCK, len(content) + 1)
        native: Callable[[], Any] = functools.partial(pa.BufferReader, stream.getvalue())
    else:
        loan = Loan(data.open(), encoding=encoding, check=_Records(quotes=multiline).check)
        block, native = limits.CSV_BLOCK, loan.file
    try:
        yield from _records(data, native, loan, block, delimiter, header, header_line,
                            multiline, encoding)
    finally:
        if loan is not None:
            loan.settle()  # the reader is gone: wait until Arrow's threads are done with it


def _records(data: DataFile, native: Callable[[], Any], loan: Loan | None, block: int,
             delimiter: str, header: list[str], header_line: int, multiline: bool,
             encoding: str) -> Iterator[Batch]:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    data.check_header(header, header_line)
    raw_header = _raw_header(data, encoding, delimiter, header_line)
    actual = {h.strip(): h for h in raw_header}
    # Conversion on this thread (the streaming reader's blocks are still read ahead on
    # Arrow's I/O thread, from :class:`.ArrowFile`): measured no slower than Arrow's pool.
    read = pacsv.ReadOptions(encoding="utf8", block_size=block, skip_rows=header_line - 1,
                             use_threads=False)
    parse = pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=multiline)
    convert = _convert_options(tuple((actual[r.name], r.kind == "number")
                                     for r in data.requests))
    try:
        # the file made here and handed over: only Arrow holds it
        reader = pacsv.open_csv(native(), read_options=read, parse_options=parse,
                                convert_options=convert)
    except pa.ArrowInvalid as exc:
        _raise_stopped(loan)
        raise _failure(data, str(exc), encoding, delimiter, header_line) from None
    failure: str | None = None
    try:
        for record in reader:
            # A chunk refused was never handed to Arrow: the stream ended there, so a batch
            # read after the refusal may end on a truncated record. The refusal decides.
            _raise_stopped(loan)
            batch = _record(data, record, actual)
            if batch is not None:
                yield batch
        _raise_stopped(loan)
    except pa.ArrowInvalid as exc:
        _raise_stopped(loan)
        failure = str(exc)
    except (_BadValue, _Infinite) as exc:
        failure = str(exc)
    finally:
        reader.close()
        del reader
    if failure is not None:
        raise _failure(data, failure, encoding, delimiter, header_line) from None
    if data.rows == 0:
        raise data.error("at least one row of data below the header",
                         "only the header" if data.blank_rows == 0 else
                         f"only the header and {plural(data.blank_rows, 'blank row')}")


def _raise_stopped(loan: Loan | None) -> None:
    """Raise what ended the stream early (a record too long, an undecodable byte, an
    ``OSError``), if anything did."""
    failure = loan.failure() if loan is not None else None
    if failure is not None:
        raise failure


def _utf8(content: bytes, encoding: str) -> bytes:
    """A small file's bytes transcoded to UTF-8 (an undecodable byte: :class:`Undecodable`)."""
    try:
        return content.decode(encoding).encode("utf-8")
    except UnicodeDecodeError as exc:
        before = content[: exc.start].decode(encoding, errors="replace")
        raise Undecodable(before.count("\n") + 1, content[exc.start], encoding) from None


_ENCODING_NAMES = {"cp1252": "Windows-1252", "utf-16": "UTF-16", "utf-16-le": "UTF-16",
                   "utf-16-be": "UTF-16"}


def _undecodable(data: DataFile, exc: Undecodable) -> DataError:
    name = _ENCODING_NAMES.get(codecs.lookup(exc.encoding).name, exc.encoding)
    return data.error(f"text in {name} throughout (the encoding of the file's start)",
                      f"byte 0x{exc.byte:02x}, which {name} does not define; save the file "
                      "as UTF-8 CSV", row=exc.line)


@functools.lru_cache(maxsize=64)
def _convert_options(columns: tuple[tuple[str, bool], ...]) -> Any:
    """pyarrow's conversion of the mapped columns (name, whether a number column): numbers
    as float64, the rest as dictionary-encoded text; shared by every file with the same
    columns (pyarrow copies the options when a reader opens; they are never changed)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    text = pa.dictionary(pa.int32(), pa.string())
    return pacsv.ConvertOptions(
        include_columns=[name for name, _ in columns],
        column_types={name: pa.float64() if number else text for name, number in columns},
        null_values=list(NULL_TOKENS), strings_can_be_null=True,
        quoted_strings_can_be_null=True)


def _record(data: DataFile, record: Any, actual: Mapping[str, str]) -> Batch | None:
    values: dict[str, NDArray[np.float64]] = {}
    codes: dict[str, NDArray[np.int64]] = {}
    for r in data.requests:
        col = record.column(actual[r.name])
        if r.kind == "number":
            arr = floats(col)
            if np.isinf(arr).any():
                raise _Infinite(r.name)
            values[r.name] = arr
        elif r.kind == "category":
            codes[r.name] = data.code(r.name, col.dictionary.to_pylist(),
                                       indices(col))
        else:
            values[r.name] = _parse_dictionary(data, r, col.dictionary.to_pylist(),
                                                    indices(col))
    return data.finish(values, codes, record.num_rows)

def _parse_dictionary(data: DataFile, request: ColumnRequest, dictionary: Sequence[Any],
                      indices: NDArray[np.int64]) -> NDArray[np.float64]:
    parse = binary if request.kind == "binary" else number_or_binary
    lookup = np.empty(len(dictionary) + 1, dtype=np.float64)
    for i, value in enumerate(dictionary):
        v = parse(value)
        if v is None:
            raise _BadValue(request.name, request.kind)
        lookup[i] = v
    lookup[-1] = math.nan
    out: NDArray[np.float64] = lookup[indices]
    return out

def _failure(data: DataFile, message: str, encoding: str, delimiter: str,
                 header_line: int) -> DataError:
    """Turn a pyarrow parse failure into a located problem by rescanning the file."""
    if "invalid UTF8" in message:
        return data.error("text in one encoding (UTF-8) throughout",
                          "bytes that are not UTF-8 after the first MiB; save the file "
                          "as UTF-8 CSV")
    try:
        return _locate(data, message, encoding, delimiter, header_line)
    except _LongRecord as exc:
        return _too_long(data, exc.line)
    except csv.Error:
        return limits.exceeded(data, "a CSV field", f"{limits.CSV_FIELD_CHARS:,} characters",
                               "a longer field (or a quote that is never closed)")


def _locate(data: DataFile, message: str, encoding: str, delimiter: str,
            header_line: int) -> DataError:
    checks: dict[int, tuple[str, str, Callable[[Any], float | None]]] = {}
    scan = _CsvScan(data, encoding, delimiter, header_line)
    for r in data.requests:
        if r.kind != "category":
            parser = number if r.kind == "number" else PARSERS[r.kind]
            checks[scan.index(r.name)] = (r.name, r.kind, parser)
    ragged, bad = scan.run(checks)
    if ragged is not None:
        line, got = ragged
        return data.error(f"{plural(scan.width, 'field')} like the header row",
                          f"{plural(got, 'field')}", row=line)
    for r in data.requests:
        if r.name in bad:
            found, more = bad[r.name]
            return data.bad_cells(r.name, r.kind, found, more)
    return data.error("a CSV file pyarrow can read",
                      f"an error ({excerpt(message.strip(), 80)})")


class _BadValue(Exception):
    """A dictionary value a binary column cannot read (located later by a rescan)."""

    def __init__(self, column: str, kind: str) -> None:
        super().__init__(column)
        self.column, self.kind = column, kind


class _Infinite(Exception):
    def __init__(self, column: str) -> None:
        super().__init__(column)
        self.column = column


def _detect_encoding(raw: bytes, data: DataFile) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in raw:
        even, odd = raw[0::2].count(0), raw[1::2].count(0)
        if odd > len(raw) // 4 and even == 0:
            return "utf-16-le"
        if even > len(raw) // 4 and odd == 0:
            return "utf-16-be"
        raise data.error("a text (CSV) file",
                         "binary content (is it an Excel or Parquet file renamed to .csv?)")
    sample = raw
    for _ in range(4):  # a multi-byte character may be cut at the end of the sample
        try:
            sample.decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError as exc:
            if exc.start < len(sample) - 3:
                break
            sample = sample[: exc.start]
    try:
        raw.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise data.error("text in UTF-8, UTF-16 or Windows-1252 encoding",
                         f"bytes that are none of these (byte 0x{raw[exc.start]:02x})",
                         row=line) from None


def _text(data: DataFile, encoding: str) -> io.TextIOBase:
    """The file as text (undecodable bytes replaced, line ends kept as they are); a small
    file in memory is decoded whole (no record there can reach ``limits.CSV_LINE_BYTES``)."""
    if data.in_memory:
        with data.open() as fh:
            return io.StringIO(fh.read().decode(encoding, errors="replace"), newline="")
    capped = io.BufferedReader(_RecordCap(data.open()), 1 << 20)
    return io.TextIOWrapper(capped, encoding=encoding, errors="replace", newline="")


def _raw_header(data: DataFile, encoding: str, delimiter: str, header_line: int) -> list[str]:
    with _text(data, encoding) as fh:
        for _ in range(header_line - 1):
            fh.readline()
        return next(csv.reader([fh.readline().rstrip("\r\n")], delimiter=delimiter))


class _CsvScan:
    """A slow, exact pass with Python's csv module, run only to locate a problem."""

    def __init__(self, data: DataFile, encoding: str, delimiter: str, header_line: int) -> None:
        self.data, self.encoding, self.delimiter = data, encoding, delimiter
        self.header_line = header_line
        self.header = [h.strip() for h in _raw_header(data, encoding, delimiter, header_line)]
        self.width = len(self.header)

    def index(self, name: str) -> int:
        return self.header.index(name)

    def run(self, checks: Mapping[int, tuple[str, str, Callable[[Any], float | None]]]
            ) -> tuple[tuple[int, int] | None, dict[str, tuple[list[tuple[int, Any]], bool]]]:
        bad: dict[str, tuple[list[tuple[int, Any]], bool]] = {}
        with _text(self.data, self.encoding) as fh:
            reader = csv.reader(fh, delimiter=self.delimiter)
            for record in reader:
                if reader.line_num <= self.header_line:
                    continue
                if not record or (len(record) == 1 and not record[0].strip()):
                    continue
                if len(record) != self.width:
                    return (reader.line_num, len(record)), bad
                for i, (name, _, parser) in checks.items():
                    value = record[i]
                    if parser(value) is None:
                        found, _ = bad.get(name, ([], False))
                        if len(found) > SHOW:
                            bad[name] = (found, True)
                            return None, bad
                        found.append((reader.line_num, value))
                        bad[name] = (found, False)
        return None, bad
