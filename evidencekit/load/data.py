"""Read row-level outcome data named by a submission (SPEC §1 ``data:``): CSV, .xlsx, Parquet.

Only the mapped columns are read. CSV and Parquet files are streamed in record batches by
pyarrow on a background thread, so memory stays a few batches whatever the file's size and
the statistics stage (:mod:`evidencekit.analysis.rows`) accumulates sums while the next batch
is parsed. Excel workbooks are read whole with openpyxl.

Every problem is a :class:`~evidencekit.errors.DataError` made of one
:class:`~evidencekit.errors.Problem` per sentence, naming the file, the line (CSV) or row
(Excel, Parquet), the column, what was expected and what was found.

Conventions:

- CSV encoding: a byte-order mark (UTF-8, UTF-16) decides; otherwise UTF-8 if the first MiB
  decodes as UTF-8, else Windows-1252. The delimiter is the one of ``, ; TAB |`` that splits
  the header into the most of the mapped column names (ties: the most columns).
- Missing values: empty cells and ``NULL_TOKENS`` (NA, N/A, NaN, NULL, ., - ...); a row
  whose mapped cells are all missing is skipped as blank and not counted.
- Numbers: decimal point, optional exponent; infinity is an error.
- Yes/no values (``binary`` columns): 1/0, true/false, yes/no in any case.
- Group and cluster labels are text, trimmed; 1.0 in a numeric column reads as "1".
"""

from __future__ import annotations

import codecs
import csv
import difflib
import errno
import io
import math
import os
import queue
import re
import stat
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

import numpy as np
from numpy.typing import NDArray

from ..errors import DataError, Problem
from .model import DataSource

__all__ = [
    "BINARY_FALSE",
    "BINARY_TRUE",
    "NULL_TOKENS",
    "Batch",
    "ColumnKind",
    "ColumnRequest",
    "DataFile",
    "FileRefused",
    "open_inside",
    "sha256_inside",
]

ColumnKind = Literal["number", "binary", "category", "number_or_binary"]

NULL_TOKENS: tuple[str, ...] = ("", "NA", "N/A", "n/a", "na", "NaN", "nan", "NULL", "null",
                                "None", "none", "#N/A", ".", "-")
BINARY_TRUE: frozenset[str] = frozenset({"1", "true", "yes"})
BINARY_FALSE: frozenset[str] = frozenset({"0", "false", "no"})
_NULL_SET = frozenset(NULL_TOKENS)
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NAN = frozenset({"nan", "+nan", "-nan"})
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_SAMPLE_BYTES = 1 << 20
_CSV_BLOCK = 1 << 22
_PARQUET_BATCH = 1 << 17
_PREFETCH = 3
_SHOW = 3  # offending rows named in a message beyond the first
_DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "'|'"}


@dataclass(frozen=True, slots=True)
class ColumnRequest:
    """A column the analysis needs: its name in the file, how to read it, and where the
    submission names it (for messages, e.g. ``columns.outcome`` or ``covariates[0]``)."""

    name: str
    kind: ColumnKind
    role: str


@dataclass(frozen=True, slots=True)
class Batch:
    """Consecutive non-blank rows: ``values`` (number, binary and number_or_binary columns,
    float64 with NaN for missing; binary as 0/1) and ``codes`` (category columns, int64 codes
    into :meth:`DataFile.labels`, −1 for missing), keyed by column name."""

    values: Mapping[str, NDArray[np.float64]]
    codes: Mapping[str, NDArray[np.int64]]
    size: int


def display_path(path: Path) -> str:
    """The path as a person would type it here: relative to the working folder if inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)
    return str(path) if rel.startswith("..") else rel


class FileRefused(Exception):
    """A data path that must not be read; ``found`` says what it is, in words that quote
    nothing of the file (its content, or where a link leads)."""

    def __init__(self, found: str) -> None:
        super().__init__(found)
        self.found = found


_HAS_DIR_FD = os.open in os.supports_dir_fd and os.stat in os.supports_dir_fd
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_NOCTTY = getattr(os, "O_NOCTTY", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISLNK(mode):
        return "a symbolic link that changed while it was being opened"
    return "something that is not a regular file"


def _inside(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:  # another drive (Windows)
        return False


def open_inside(path: str | os.PathLike[str], root: str | os.PathLike[str] | None = None
                ) -> BinaryIO:
    """Open a data file for reading only if it is a regular file inside ``root``.

    The one rule for every file a submission names (SPEC §1 ``data:``): the path is resolved
    (symbolic links included) and must stay inside ``root`` — the submission's folder; by
    default the folder the path itself names — and be a regular file. A link that resolves
    inside the folder is followed (it reads nothing the applicant did not supply); a link
    out of it, a device, a FIFO, a socket or a folder raises :class:`FileRefused` with a
    phrase that quotes nothing of the file. Nothing but a regular file is ever opened: each
    folder below ``root`` is opened with ``O_NOFOLLOW`` relative to the last, the file's
    type is checked before the file is opened and again on the open descriptor (``fstat``),
    so swapping a component for a link or a device between the check and the read is
    refused too. A missing file raises :class:`FileNotFoundError`.
    """
    full = os.path.abspath(os.fspath(path))
    base = os.path.realpath(os.path.dirname(full) if root is None else os.fspath(root))
    real = os.path.realpath(full)
    if not _inside(real, base):
        if _inside(os.path.realpath(os.path.dirname(full)), base) or _inside(full, base):
            raise FileRefused("a symbolic link to something outside the submission's folder "
                              "(only files inside it are read)")
        raise FileRefused("a path outside the submission's folder")
    if not os.path.lexists(real):
        raise FileNotFoundError(errno.ENOENT, "no such file", full)
    parts = os.path.relpath(real, base).split(os.sep)
    if parts == ["."]:
        raise FileRefused("a folder")
    if not _HAS_DIR_FD:  # Windows: resolve, open, then check the descriptor
        fd = os.open(real, os.O_RDONLY | _O_BINARY)
        return _checked(fd, None)
    dirs: list[int] = []
    try:
        dirs.append(os.open(base, os.O_RDONLY | _O_DIRECTORY | _O_CLOEXEC))
        for part in parts[:-1]:
            try:
                dirs.append(os.open(part, os.O_RDONLY | _O_DIRECTORY | _O_NOFOLLOW | _O_CLOEXEC,
                                    dir_fd=dirs[-1]))
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise FileRefused("a path whose folders changed while it was being "
                                      "opened") from None
                raise
        leaf = parts[-1]
        before = os.stat(leaf, dir_fd=dirs[-1], follow_symlinks=False)
        if not stat.S_ISREG(before.st_mode):
            raise FileRefused(_kind(before.st_mode))
        try:
            fd = os.open(leaf, os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK | _O_NOCTTY | _O_CLOEXEC,
                         dir_fd=dirs[-1])
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise FileRefused(_kind(stat.S_IFLNK)) from None
            raise
        return _checked(fd, before)
    finally:
        for d in dirs:
            os.close(d)


def sha256_inside(path: str | os.PathLike[str], root: str | os.PathLike[str] | None = None
                  ) -> str | None:
    """SHA-256 of a data file's bytes read through :func:`open_inside`; None when it is
    missing, refused (a link out, a device, a FIFO...) or unreadable."""
    import hashlib

    digest = hashlib.sha256()
    try:
        with open_inside(path, root) as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except (FileRefused, OSError):
        return None
    return digest.hexdigest()


def _checked(fd: int, before: os.stat_result | None) -> BinaryIO:
    """The open descriptor as a binary file, once ``fstat`` shows a regular file (the one
    checked before opening, when given)."""
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise FileRefused(_kind(st.st_mode))
        if before is not None and (st.st_dev, st.st_ino) != (before.st_dev, before.st_ino):
            raise FileRefused("a file that was replaced while it was being opened")
        if _O_NONBLOCK:
            import fcntl

            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~_O_NONBLOCK)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _and_list(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def excerpt(value: Any, limit: int = 40) -> str:
    r"""A value quoted for a message: at most ``limit`` characters of it (cut with "..."),
    control and other unprintable characters escaped by ``repr``.

    >>> excerpt("x" * 100)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'"
    >>> excerpt("a\x1b[2Jb")
    "'a\\x1b[2Jb'"
    """
    text = value if isinstance(value, str) else str(value)
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def _quote_list(items: Sequence[str], limit: int = 12) -> str:
    shown = [excerpt(x) for x in items[:limit]]
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(shown) + more


def _label(value: Any) -> str | None:
    """A group or cluster label as text (None when missing)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    text = str(value).strip()
    return None if text in _NULL_SET else text


def _number(token: str) -> float | None:
    """Parse a cell as a number; NaN when missing; None when it is not a finite number."""
    text = token.strip()
    if text in _NULL_SET or text.lower() in _NAN:
        return math.nan
    if _NUMBER.fullmatch(text):
        return float(text)
    return None


def _binary(token: Any) -> float | None:
    """0/1 from a yes/no cell; NaN when missing; None when not recognised."""
    if token is None:
        return math.nan
    if isinstance(token, bool):
        return 1.0 if token else 0.0
    if isinstance(token, int | float):
        if isinstance(token, float) and math.isnan(token):
            return math.nan
        return float(token) if token in (0, 1) else None
    text = str(token).strip()
    if text in _NULL_SET:
        return math.nan
    low = text.lower()
    if low in BINARY_TRUE:
        return 1.0
    if low in BINARY_FALSE:
        return 0.0
    num = _number(text)
    return num if num is not None and (num in (0.0, 1.0) or math.isnan(num)) else None


def _number_or_binary(token: Any) -> float | None:
    if token is None:
        return math.nan
    if isinstance(token, bool):
        return 1.0 if token else 0.0
    if isinstance(token, int | float):
        return float(token) if math.isfinite(token) or math.isnan(token) else None
    text = str(token).strip()
    low = text.lower()
    if low in BINARY_TRUE:
        return 1.0
    if low in BINARY_FALSE:
        return 0.0
    return _number(text)


def _cell_number(value: Any) -> float | None:
    """A number from an Excel cell value (None when it is text, a date or infinite)."""
    if value is None:
        return math.nan
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) or math.isnan(value) else None
    if isinstance(value, str):
        return _number(value)
    return None


_PARSERS: dict[str, Callable[[Any], float | None]] = {
    "number": _cell_number,
    "binary": _binary,
    "number_or_binary": _number_or_binary,
}
_EXPECTED = {
    "number": "a number",
    "binary": "a yes/no value (0/1, true/false or yes/no)",
    "number_or_binary": "a number or a yes/no value",
}


class DataFile:
    """One data file and the columns an analysis needs from it.

    Iterate :meth:`batches` once; afterwards :meth:`labels` and :meth:`label_rows` describe
    the category columns and ``rows``/``blank_rows`` count what was read.
    """

    def __init__(self, source: DataSource, requests: Sequence[ColumnRequest],
                 key: str | None = None) -> None:
        self.path = Path(source.path)
        self.root = source.root
        self.display = display_path(self.path)
        self.format = self.path.suffix.lower().lstrip(".")
        self.sheet = source.sheet
        self.key = key
        seen: dict[str, ColumnRequest] = {}
        for r in requests:
            seen.setdefault(r.name, r)
        self.requests: tuple[ColumnRequest, ...] = tuple(seen.values())
        self.rows = 0
        self.blank_rows = 0
        self.sheet_name: str | None = None
        self._labels: dict[str, dict[str, int]] = {
            r.name: {} for r in self.requests if r.kind == "category"}
        self._counts: dict[str, NDArray[np.int64]] = {
            name: np.zeros(0, dtype=np.int64) for name in self._labels}
        self._raw: dict[str, dict[Any, int]] = {name: {} for name in self._labels}

    # -- results -------------------------------------------------------------------------
    def labels(self, name: str) -> list[str]:
        """The distinct labels of a category column, in code order."""
        return list(self._labels[name])

    def label_rows(self, name: str) -> NDArray[np.int64]:
        """How many non-blank rows carry each label of a category column (code order)."""
        counts = self._counts[name]
        out = np.zeros(len(self._labels[name]), dtype=np.int64)
        out[: counts.size] = counts
        return out

    def where(self, row: int | None = None, column: str | None = None) -> tuple[int | None, str]:
        """(line, key) locating a data row (CSV line, Excel/Parquet row) and column."""
        parts = []
        line = None
        if row is not None:
            if self.format == "csv":
                line = row
            else:
                parts.append(f"row {row}")
        if column is not None:
            parts.append(f"column {column!r}")
        if self.format == "xlsx" and self.sheet_name is not None:
            parts.insert(0, f"sheet {excerpt(self.sheet_name)}")
        return line, ", ".join(parts)

    def error(self, expected: str, found: str, *, row: int | None = None,
              column: str | None = None, key: str | None = None) -> DataError:
        """A DataError about this file, located by data row and column or by a key."""
        line, where = self.where(row, column)
        if key is not None:
            where = f"{key}, {where}" if where else key
        return DataError([Problem(self.display, line, where or None, expected, found)])

    # -- reading -------------------------------------------------------------------------
    def open(self) -> BinaryIO:
        """The file, opened by :func:`open_inside` (a regular file inside the submission's
        folder, or a :class:`DataError` saying what it is instead)."""
        try:
            return open_inside(self.path, self.root)
        except FileRefused as exc:
            raise DataError([Problem(self.display, None, self._key("data"),
                                     "a regular .csv, .xlsx or .parquet file inside the "
                                     "submission's folder", exc.found)]) from None
        except FileNotFoundError:
            raise DataError([Problem(self.display, None, self._key("data"),
                                     "an existing .csv, .xlsx or .parquet file",
                                     "no file at this path")]) from None
        except OSError as exc:
            raise DataError([Problem(self.display, None, self._key("data"),
                                     "a file that can be read",
                                     f"an error ({exc.strerror or type(exc).__name__})")]
                            ) from None

    def batches(self) -> Iterator[Batch]:
        """Stream the requested columns as batches of non-blank rows."""
        with self.open() as fh:
            size = os.fstat(fh.fileno()).st_size
        if size == 0:
            raise self.error("a header row and at least one row of data", "an empty file")
        if self.format == "csv":
            yield from _prefetch(self._csv_batches)
        elif self.format == "parquet":
            yield from _prefetch(self._parquet_batches)
        elif self.format == "xlsx":
            yield from self._xlsx_batches()
        else:
            raise DataError([Problem(self.display, None, self._key("data"),
                                     "a .csv, .xlsx or .parquet file",
                                     f"a {self.path.suffix or 'suffix-less'} file")])

    def _key(self, leaf: str) -> str | None:
        return f"{self.key}.{leaf}" if self.key else leaf

    def _missing_columns(self, header: Sequence[str], line: int | None) -> None:
        present = set(header)
        problems = []
        for r in self.requests:
            if r.name in present:
                continue
            close = difflib.get_close_matches(r.name, list(header), n=1, cutoff=0.6)
            folded = [h for h in header if h.casefold() == r.name.casefold()]
            hint = folded[0] if folded else (close[0] if close else None)
            where = self._key(r.role)
            if self.format == "xlsx" and self.sheet_name is not None:
                where = f"{where} (sheet {excerpt(self.sheet_name)})"
            found = (f"no such column; the columns are {_quote_list(list(header))}"
                     + (f" (did you mean {excerpt(hint)}?)" if hint else ""))
            problems.append(Problem(self.display, line, where, f"a column named {r.name!r}",
                                    found))
        if problems:
            raise DataError(problems)
        for r in self.requests:
            if list(header).count(r.name) > 1:
                positions = [str(i + 1) for i, h in enumerate(header) if h == r.name]
                raise DataError([Problem(self.display, line, self._key(r.role),
                                         f"one column named {r.name!r}",
                                         f"{len(positions)} (columns {', '.join(positions)})")])

    def _code(self, name: str, dictionary: Sequence[Any], indices: NDArray[np.int64]
              ) -> NDArray[np.int64]:
        """Global codes for a batch's dictionary-encoded column (−1 marks a missing value)."""
        table = self._labels[name]
        cache = self._raw[name]  # raw value → code, so each distinct value is labelled once
        lookup = np.empty(len(dictionary) + 1, dtype=np.int64)
        for i, value in enumerate(dictionary):
            code = cache.get(value)
            if code is None:
                lab = _label(value)
                code = -1 if lab is None else table.setdefault(lab, len(table))
                cache[value] = code
            lookup[i] = code
        lookup[-1] = -1
        codes = lookup[indices]
        valid = codes[codes >= 0]
        if valid.size:
            add = np.bincount(valid, minlength=len(table))
            old = self._counts[name]
            if old.size < add.size:
                old = np.concatenate([old, np.zeros(add.size - old.size, dtype=np.int64)])
            old += add
            self._counts[name] = old
        return codes

    def _finish(self, values: dict[str, NDArray[np.float64]],
                codes: dict[str, NDArray[np.int64]], size: int) -> Batch | None:
        """Drop blank rows (every requested cell missing) and count the rest."""
        present = np.zeros(size, dtype=bool)
        for v in values.values():
            present |= ~np.isnan(v)
        for c in codes.values():
            present |= c >= 0
        kept = int(np.count_nonzero(present))
        self.blank_rows += size - kept
        self.rows += kept
        if kept == 0:
            return None
        if kept < size:
            values = {k: v[present] for k, v in values.items()}
            codes = {k: c[present] for k, c in codes.items()}
        return Batch(values, codes, kept)

    def _bad_cells(self, column: str, kind: str,
                   found: Sequence[tuple[int, Any]], more: bool) -> DataError:
        first_row, first_value = found[0]
        rest = [str(r) for r, _ in found[1:]]
        unit = "line" if self.format == "csv" else "row"
        extra = ""
        if rest:
            listed = ", ".join(rest) + " and more" if more else _and_list(rest)
            extra = f" (also at {unit}{'s' if len(rest) > 1 or more else ''} {listed})"
        hint = ""
        if kind == "number" and isinstance(first_value, str) and \
                _DECIMAL_COMMA.fullmatch(first_value.strip()):
            hint = "; it has a decimal comma, so save the file with decimal points"
        return self.error(_EXPECTED[kind], f"{_describe(first_value)}{extra}{hint}",
                          row=first_row, column=column)

    # -- CSV -------------------------------------------------------------------------------
    def csv_columns(self) -> list[str]:
        """The header names of a CSV file, read exactly as the analysis reads them (same
        encoding and delimiter detection); used to offer column choices before analysing."""
        return self._csv_dialect()[2]

    def _csv_dialect(self) -> tuple[str, str, list[str], int, bool]:
        """Encoding, delimiter, header names, header line and whether values span lines."""
        with self.open() as fh:
            raw = fh.read(_SAMPLE_BYTES)
            at_end = not fh.read(1)
        encoding = _detect_encoding(raw, self)
        text = raw.decode(encoding, errors="ignore")
        if not at_end:
            cut = max(text.rfind("\n"), 0)
            text = text[:cut]
        lines = text.splitlines()
        nonblank = [(i + 1, ln) for i, ln in enumerate(lines) if ln.strip()]
        if not nonblank:
            raise self.error("a header row and at least one row of data",
                             "a file with no text" if at_end else "a first MiB of blank lines")
        header_line, header_text = nonblank[0]
        wanted = {r.name for r in self.requests}
        best: tuple[int, int, str, list[str]] | None = None
        for d in _DELIMITERS:
            fields = [f.strip() for f in next(csv.reader([header_text], delimiter=d))]
            score = (len(wanted & set(fields)), len(fields))
            if best is None or score > best[:2]:
                best = (*score, d, fields)
        assert best is not None
        _, n_fields, delimiter, header = best
        if n_fields == 1 and len(wanted) > 1:
            raise self.error("columns separated by commas, semicolons, tabs or '|'",
                             f"a header line with no separator ({_describe(header_text)})",
                             row=header_line)
        if len(nonblank) == 1 and at_end:
            raise self.error("at least one row of data below the header", "only the header")
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

    def _csv_batches(self) -> Iterator[Batch]:
        with self.open() as source:
            yield from self._csv_read(source)

    def _csv_read(self, source: BinaryIO) -> Iterator[Batch]:
        import pyarrow as pa
        import pyarrow.csv as pacsv

        encoding, delimiter, header, header_line, multiline = self._csv_dialect()
        self._missing_columns(header, header_line)
        raw_header = _raw_header(self, encoding, delimiter, header_line)
        actual = {h.strip(): h for h in raw_header}
        types = {}
        for r in self.requests:
            types[actual[r.name]] = (pa.float64() if r.kind == "number"
                                     else pa.dictionary(pa.int32(), pa.string()))
        read = pacsv.ReadOptions(
            encoding="utf8" if encoding in ("utf-8", "utf-8-sig") else encoding,
            block_size=_CSV_BLOCK, skip_rows=header_line - 1, use_threads=True)
        parse = pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=multiline)
        convert = pacsv.ConvertOptions(
            include_columns=[actual[r.name] for r in self.requests], column_types=types,
            null_values=list(NULL_TOKENS), strings_can_be_null=True,
            quoted_strings_can_be_null=True)
        try:
            reader = pacsv.open_csv(source, read_options=read, parse_options=parse,
                                    convert_options=convert)
            for record in reader:
                batch = self._csv_record(record, actual)
                if batch is not None:
                    yield batch
        except pa.ArrowInvalid as exc:
            raise self._csv_failure(str(exc), encoding, delimiter, header_line) from None
        except (_BadValue, _Infinite) as exc:
            raise self._csv_failure(str(exc), encoding, delimiter, header_line) from None
        if self.rows == 0:
            raise self.error("at least one row of data below the header",
                             "only the header" if self.blank_rows == 0 else
                             f"only the header and {_plural(self.blank_rows, 'blank row')}")

    def _csv_record(self, record: Any, actual: Mapping[str, str]) -> Batch | None:
        values: dict[str, NDArray[np.float64]] = {}
        codes: dict[str, NDArray[np.int64]] = {}
        for r in self.requests:
            col = record.column(actual[r.name])
            if r.kind == "number":
                arr = _floats(col)
                if np.isinf(arr).any():
                    raise _Infinite(r.name)
                values[r.name] = arr
            elif r.kind == "category":
                codes[r.name] = self._code(r.name, col.dictionary.to_pylist(),
                                           _indices(col))
            else:
                values[r.name] = self._parse_dictionary(r, col.dictionary.to_pylist(),
                                                        _indices(col))
        return self._finish(values, codes, record.num_rows)

    def _parse_dictionary(self, request: ColumnRequest, dictionary: Sequence[Any],
                          indices: NDArray[np.int64]) -> NDArray[np.float64]:
        parse = _binary if request.kind == "binary" else _number_or_binary
        lookup = np.empty(len(dictionary) + 1, dtype=np.float64)
        for i, value in enumerate(dictionary):
            v = parse(value)
            if v is None:
                raise _BadValue(request.name, request.kind)
            lookup[i] = v
        lookup[-1] = math.nan
        out: NDArray[np.float64] = lookup[indices]
        return out

    def _csv_failure(self, message: str, encoding: str, delimiter: str,
                     header_line: int) -> DataError:
        """Turn a pyarrow parse failure into a located problem by rescanning the file."""
        if "invalid UTF8" in message:
            return self.error("text in one encoding (UTF-8) throughout",
                              "bytes that are not UTF-8 after the first MiB; save the file "
                              "as UTF-8 CSV")
        checks: dict[int, tuple[str, str, Callable[[Any], float | None]]] = {}
        scan = _CsvScan(self, encoding, delimiter, header_line)
        for r in self.requests:
            if r.kind != "category":
                parser = _number if r.kind == "number" else _PARSERS[r.kind]
                checks[scan.index(r.name)] = (r.name, r.kind, parser)
        ragged, bad = scan.run(checks)
        if ragged is not None:
            line, got = ragged
            return self.error(f"{_plural(scan.width, 'field')} like the header row",
                              f"{_plural(got, 'field')}", row=line)
        for r in self.requests:
            if r.name in bad:
                found, more = bad[r.name]
                return self._bad_cells(r.name, r.kind, found, more)
        return self.error("a CSV file pyarrow can read",
                          f"an error ({excerpt(message.strip(), 80)})")

    # -- Parquet ---------------------------------------------------------------------------
    def _parquet_batches(self) -> Iterator[Batch]:
        with self.open() as source:
            yield from self._parquet_read(source)

    def _parquet_read(self, source: BinaryIO) -> Iterator[Batch]:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        try:
            pf = pq.ParquetFile(source)
        except (pa.ArrowInvalid, OSError):
            raise self.error("a Parquet file", "a file that is not one (no Parquet footer)"
                             ) from None
        names = list(pf.schema_arrow.names)
        self._missing_columns(names, None)
        if pf.metadata.num_rows == 0:
            raise self.error("at least one row of data", "a Parquet file with no rows")
        offset = 0
        for record in pf.iter_batches(batch_size=_PARQUET_BATCH,
                                      columns=[r.name for r in self.requests]):
            values: dict[str, NDArray[np.float64]] = {}
            codes: dict[str, NDArray[np.int64]] = {}
            for r in self.requests:
                col = record.column(r.name)
                if r.kind == "category":
                    enc = pc.dictionary_encode(col)
                    codes[r.name] = self._code(r.name, enc.dictionary.to_pylist(),
                                               _indices(enc))
                    continue
                if r.kind == "number" and _numeric_type(col.type):
                    arr = _floats(pc.cast(col, pa.float64()))
                    if np.isinf(arr).any():
                        i = int(np.flatnonzero(np.isinf(arr))[0])
                        raise self.error(_EXPECTED["number"], _describe(float(arr[i])),
                                         row=offset + i + 1, column=r.name)
                    values[r.name] = arr
                    continue
                if pa.types.is_temporal(col.type):
                    raise self.error(_EXPECTED[r.kind], f"dates or times (type {col.type})",
                                     column=r.name)
                enc = pc.dictionary_encode(col)
                dictionary = enc.dictionary.to_pylist()
                parse = _PARSERS[r.kind] if r.kind != "number" else _cell_number
                lookup = np.array([_nan_if_none(parse(v)) for v in dictionary] + [math.nan])
                bad = [i for i, v in enumerate(dictionary) if parse(v) is None]
                idx = _indices(enc)
                if bad:
                    rows = np.flatnonzero(np.isin(idx, bad))
                    found = [(offset + int(i) + 1, dictionary[idx[i]])
                             for i in rows[: _SHOW + 1]]
                    raise self._bad_cells(r.name, r.kind, found, rows.size > _SHOW + 1)
                values[r.name] = lookup[idx]
            size = record.num_rows
            offset += size
            batch = self._finish(values, codes, size)
            if batch is not None:
                yield batch
        if self.rows == 0:
            raise self.error("at least one row of data", "only blank rows")

    # -- Excel -----------------------------------------------------------------------------
    def _xlsx_batches(self) -> Iterator[Batch]:
        with self.open() as source:
            yield from self._xlsx_read(source)

    def _xlsx_read(self, source: BinaryIO) -> Iterator[Batch]:
        import zipfile

        from openpyxl import load_workbook

        try:
            wb = load_workbook(source, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise self.error("an Excel .xlsx workbook",
                             f"a file that is not one ({type(exc).__name__})") from None
        try:
            if self.sheet is not None:
                if self.sheet not in wb.sheetnames:
                    raise DataError([Problem(
                        self.display, None, self._key("sheet"), f"a sheet named {self.sheet!r}",
                        f"only the sheets {_quote_list(wb.sheetnames)}")])
                ws = wb[self.sheet]
            else:
                ws = wb.worksheets[0]
            self.sheet_name = ws.title
            rows = ws.iter_rows(values_only=True)
            header_row = 0
            header: list[str] = []
            for header_row, cells in enumerate(rows, start=1):  # noqa: B007
                if any(c is not None and str(c).strip() for c in cells):
                    header = ["" if c is None else str(c).strip() for c in cells]
                    break
            if not header:
                raise self.error("a header row and at least one row of data", "an empty sheet")
            self._missing_columns(header, None)
            index = {r.name: header.index(r.name) for r in self.requests}
            columns: dict[str, list[Any]] = {r.name: [] for r in self.requests}
            row_numbers: list[int] = []
            for number, cells in enumerate(rows, start=header_row + 1):
                picked = [cells[index[r.name]] if index[r.name] < len(cells) else None
                          for r in self.requests]
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in picked):
                    continue
                row_numbers.append(number)
                for r, v in zip(self.requests, picked, strict=True):
                    columns[r.name].append(v)
        finally:
            wb.close()
        if not row_numbers:
            raise self.error("at least one row of data below the header", "only the header")
        values: dict[str, NDArray[np.float64]] = {}
        codes: dict[str, NDArray[np.int64]] = {}
        for r in self.requests:
            cells = columns[r.name]
            if r.kind == "category":
                labels = [_label(v) for v in cells]
                uniq = sorted({lab for lab in labels if lab is not None}, key=labels.index)
                position = {lab: i for i, lab in enumerate(uniq)}
                idx = np.array([len(uniq) if lab is None else position[lab] for lab in labels],
                               dtype=np.int64)
                codes[r.name] = self._code(r.name, uniq, idx)
                continue
            parse = _PARSERS[r.kind]
            parsed = [parse(v) for v in cells]
            bad = [i for i, v in enumerate(parsed) if v is None]
            if bad:
                found = [(row_numbers[i], cells[i]) for i in bad[: _SHOW + 1]]
                raise self._bad_cells(r.name, r.kind, found, len(bad) > _SHOW + 1)
            values[r.name] = np.array(parsed, dtype=np.float64)
        batch = self._finish(values, codes, len(row_numbers))
        if batch is not None:
            yield batch


class _BadValue(Exception):
    """A dictionary value a binary column cannot read (located later by a rescan)."""

    def __init__(self, column: str, kind: str) -> None:
        super().__init__(column)
        self.column, self.kind = column, kind


class _Infinite(Exception):
    def __init__(self, column: str) -> None:
        super().__init__(column)
        self.column = column


def _nan_if_none(v: float | None) -> float:
    return math.nan if v is None else v


def _numeric_type(t: Any) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)
                or pa.types.is_decimal(t))


def _indices(col: Any) -> NDArray[np.int64]:
    """Dictionary indices as int64, a missing value pointing one past the dictionary."""
    idx = col.indices
    filled = idx.fill_null(len(col.dictionary)) if idx.null_count else idx
    return _view(filled, np.dtype(np.int32)).astype(np.int64)


def _floats(col: Any) -> NDArray[np.float64]:
    """A float64 Arrow array as numpy, missing values as NaN (``fill_null`` with a Python
    float would import pandas, a third of a second)."""
    out: NDArray[np.float64] = _view(col, np.dtype(np.float64))
    if col.null_count:
        import pyarrow as pa
        import pyarrow.compute as pc

        nulls = _view(pc.cast(pc.is_null(col), pa.uint8()), np.dtype(np.uint8)).astype(bool)
        out = out.copy()
        out[nulls] = np.nan
    return out


def _view(arr: Any, dtype: np.dtype[Any]) -> NDArray[Any]:
    """Zero-copy numpy view of a primitive Arrow array without nulls (pyarrow's own
    ``to_numpy`` imports pandas, which costs a third of a second)."""
    if arr.type.bit_width != 8 * dtype.itemsize:
        raise TypeError(f"cannot view {arr.type} as {dtype}")
    return np.frombuffer(arr.buffers()[1], dtype=dtype, count=len(arr),
                         offset=arr.offset * dtype.itemsize)


def _describe(value: Any) -> str:
    if isinstance(value, str):
        if not value.strip():
            return "a blank value (spaces only)"
        return excerpt(value)
    if isinstance(value, float) and math.isinf(value):
        return "infinity" if value > 0 else "minus infinity"
    if hasattr(value, "isoformat"):
        return f"a date ({value.isoformat()})"
    return repr(value)


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


def _text(data: DataFile, encoding: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(data.open(), encoding=encoding, errors="replace", newline="")


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
                        if len(found) > _SHOW:
                            bad[name] = (found, True)
                            return None, bad
                        found.append((reader.line_num, value))
                        bad[name] = (found, False)
        return None, bad


def _prefetch(produce: Callable[[], Iterator[Batch]]) -> Iterator[Batch]:
    """Run a batch producer on a background thread, a few batches ahead of the consumer."""
    q: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=_PREFETCH)
    stop = threading.Event()

    def work() -> None:
        try:
            for batch in produce():
                while not stop.is_set():
                    try:
                        q.put(("batch", batch), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(("done", None))
        except BaseException as exc:  # handed to the consumer, which re-raises it
            q.put(("error", exc))

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
