"""Excel .xlsx workbooks, read by a streaming parser of their XML (no openpyxl).

A workbook is a zip of XML parts. This reader opens the zip (its directory bounded by
``limits.XLSX_DIRECTORY_BYTES``), finds the sheet through ``workbook.xml`` and its
relations, loads the shared-strings table and the date styles, and then streams the
sheet's XML with expat, keeping only the mapped columns and handing them on in batches of
``limits.XLSX_BATCH`` rows. What it never does:

- trust the sheet's ``<dimension>`` (every ``<row>`` in the XML is read, so a sheet whose
  dimension says ``A1:C41`` but holds 201 rows is read on 201 rows);
- accept a DTD, an entity declaration or an external entity (refused at the ``<!DOCTYPE``,
  before any expansion: entity bombs and external entities cannot run — what defusedxml
  does, with the standard library's expat);
- hold more than the limits in :mod:`.limits`: each part's decompressed size is checked on
  what the zip declares and again while it streams; shared strings, cells, rows, columns
  and the characters of one cell are counted as they are read and the file is refused at
  the limit, named in the sentence.

Cell values follow what the analysis expects of a spreadsheet: numbers as numbers, shared
and inline strings as text, booleans as True/False, error cells (``#DIV/0!``) as their text,
numbers in a date style as dates (the 1900 or 1904 date system the workbook declares); a
formula's cached value is read, never the formula.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, BinaryIO
from xml.parsers import expat

import numpy as np
from numpy.typing import NDArray

from ...errors import DataError, Problem
from . import limits
from .columns import Batch
from .datafile import SHOW
from .values import PARSERS, excerpt, label, quote_list

if TYPE_CHECKING:
    from .datafile import DataFile

__all__ = ["batches", "header", "table"]

_CHUNK = 1 << 16
_REL_WORKSHEET = "/worksheet"
_REL_STRINGS = "/sharedStrings"
_REL_STYLES = "/styles"
_CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d*)")
#: Built-in number formats that are dates or times (ECMA-376 §18.8.30).
_DATE_FORMAT_IDS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47})
_DATE_CODE = re.compile(r"[dmyhs]", re.IGNORECASE)
_NOT_DATE = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')


class _Stop(Exception):
    """Raised inside an expat handler to stop parsing; carries the refusal."""

    def __init__(self, error: DataError) -> None:
        super().__init__("stop")
        self.error = error


class _TextState:
    """Where the shared-strings parser is."""

    def __init__(self) -> None:
        self.inside = False
        self.text = False
        self.skip = 0
        self.length = 0


class _Book:
    """The parts of a workbook needed to read one sheet."""

    def __init__(self, data: DataFile, zf: zipfile.ZipFile) -> None:
        self.data, self.zf = data, zf
        self.names = set(zf.namelist())
        main = self._main_part()
        self.sheets: list[tuple[str, str]] = []  # (name, part) of worksheets, in order
        self.date1904 = False
        rels = self._relations(main)
        ids: list[tuple[str, str]] = []

        def start(name: str, attrs: dict[str, str]) -> None:
            if name == "sheet":
                rid = next((v for k, v in attrs.items() if _local(k) == "id"), "")
                ids.append((attrs.get("name", ""), rid))
            elif name == "workbookPr":
                self.date1904 = attrs.get("date1904", "0").lower() in ("1", "true")

        _parse(data, zf, main, limits.XLSX_PART_BYTES, "an Excel file's workbook part", start)
        for sheet_name, rid in ids:
            kind, target = rels.get(rid, ("", ""))
            if kind.endswith(_REL_WORKSHEET) and target in self.names:
                self.sheets.append((sheet_name, target))
        self.strings_part = next((t for k, t in rels.values() if k.endswith(_REL_STRINGS)
                                  and t in self.names), None)
        self.styles_part = next((t for k, t in rels.values() if k.endswith(_REL_STYLES)
                                 and t in self.names), None)

    def _main_part(self) -> str:
        if "_rels/.rels" in self.names:
            for kind, target in self._relations("").values():
                if kind.endswith("/officeDocument") and target in self.names:
                    return target
        if "xl/workbook.xml" in self.names:
            return "xl/workbook.xml"
        raise self.data.error("an Excel .xlsx workbook",
                              "a zip file with no workbook in it") from None

    def _relations(self, part: str) -> dict[str, tuple[str, str]]:
        """Id → (type, part name) of a part's relations (``part`` "" for the package)."""
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels") if part else "_rels/.rels"
        out: dict[str, tuple[str, str]] = {}
        if rels_name not in self.names:
            return out

        def start(name: str, attrs: dict[str, str]) -> None:
            if name == "Relationship" and attrs.get("TargetMode") != "External":
                target = attrs.get("Target", "")
                full = target.lstrip("/") if target.startswith("/") else \
                    posixpath.normpath(posixpath.join(folder, target))
                out[attrs.get("Id", "")] = (attrs.get("Type", ""), full)

        _parse(self.data, self.zf, rels_name, limits.XLSX_PART_BYTES,
               "an Excel file's relations part", start)
        return out

    def shared_strings(self) -> list[str]:
        """The shared-strings table, counted and sized as it is read."""
        strings: list[str] = []
        if self.strings_part is None:
            return strings
        data = self.data
        state = _TextState()
        parts: list[str] = []

        def start(name: str, attrs: dict[str, str]) -> None:
            if name == "si":
                state.inside, state.length = True, 0
                parts.clear()
            elif name in ("rPh", "phoneticPr"):
                state.skip += 1  # phonetic guides are not part of the text
            elif name == "t" and state.inside and not state.skip:
                state.text = True

        def end(name: str) -> None:
            if name == "t":
                state.text = False
            elif name in ("rPh", "phoneticPr"):
                state.skip -= 1
            elif name == "si":
                state.inside = False
                if len(strings) >= limits.XLSX_STRINGS:
                    raise _Stop(limits.exceeded(
                        data, "a shared-strings table", f"{limits.XLSX_STRINGS:,} strings",
                        f"more strings than that in {excerpt(self.strings_part)}"))
                strings.append("".join(parts))

        def chars(text: str) -> None:
            if state.text:
                state.length += len(text)
                if state.length > limits.CELL_CHARS:
                    raise _Stop(limits.exceeded(
                        data, "text in one cell", f"{limits.CELL_CHARS:,} characters",
                        f"a shared string of more than that (string {len(strings) + 1:,})"))
                parts.append(text)

        _parse(data, self.zf, self.strings_part, limits.XLSX_STRINGS_BYTES,
               "an Excel file's shared-strings table", start, end, chars)
        return strings

    def date_styles(self) -> list[bool]:
        """For each cell style index, whether its number format shows a date or time."""
        if self.styles_part is None:
            return []
        custom: dict[int, str] = {}
        xfs: list[int] = []
        depth = {"cellXfs": False}

        def start(name: str, attrs: dict[str, str]) -> None:
            if name == "numFmt":
                with contextlib.suppress(ValueError):
                    custom[int(attrs.get("numFmtId", "-1"))] = attrs.get("formatCode", "")
            elif name == "cellXfs":
                depth["cellXfs"] = True
            elif name == "xf" and depth["cellXfs"]:
                try:
                    xfs.append(int(attrs.get("numFmtId", "0")))
                except ValueError:
                    xfs.append(0)

        def end(name: str) -> None:
            if name == "cellXfs":
                depth["cellXfs"] = False

        _parse(self.data, self.zf, self.styles_part, limits.XLSX_PART_BYTES,
               "an Excel file's styles part", start, end)
        return [_is_date_format(i, custom.get(i)) for i in xfs]


def _is_date_format(fmt_id: int, code: str | None) -> bool:
    """Whether a number format shows dates or times (built-in ids, or a custom code with
    d, m, y, h or s outside quotes, escapes, colours and conditions).

    >>> _is_date_format(14, None), _is_date_format(0, None), _is_date_format(164, "yyyy-mm-dd")
    (True, False, True)
    >>> _is_date_format(165, '0.00" days"'), _is_date_format(166, "[Red]0.0")
    (False, False)
    """
    if code is None:
        return fmt_id in _DATE_FORMAT_IDS
    return bool(_DATE_CODE.search(_NOT_DATE.sub("", code)))


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


def _parser(data: DataFile, part: str, start: Callable[[str, dict[str, str]], None],
            end: Callable[[str], None] | None = None,
            chars: Callable[[str], None] | None = None) -> Any:
    """An expat parser for one part: prefixes dropped from element names, any DTD, entity
    declaration or external entity refused (before anything is expanded)."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = _CHUNK
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refusal() -> _Stop:
        return _Stop(data.error("an Excel .xlsx workbook without DTDs or entity declarations "
                                "(they are refused: entity bombs, external files)",
                                f"a <!DOCTYPE> or an entity in {excerpt(part)}"))

    def refuse(*_: Any) -> None:
        raise refusal()

    def refuse_external(*_: Any) -> int:
        raise refusal()

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse_external
    parser.StartElementHandler = lambda n, a: start(_local(n), a)
    if end is not None:
        parser.EndElementHandler = lambda n: end(_local(n))
    if chars is not None:
        parser.CharacterDataHandler = chars
    return parser


def _chunks(data: DataFile, zf: zipfile.ZipFile, part: str, max_bytes: int, what: str,
            parser: Any) -> Iterator[None]:
    """Feed a part to its parser a chunk at a time (yielding after each), its decompressed
    size checked on the zip's declaration and again while reading."""
    limit = f"{limits.mib(max_bytes)} decompressed"
    info = zf.getinfo(part)
    if info.file_size > max_bytes:
        raise limits.exceeded(data, what, limit, f"{limits.mib(info.file_size)} in "
                              f"{excerpt(part)}")
    read = 0
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                read += len(chunk)
                if read > max_bytes:
                    raise limits.exceeded(data, what, limit, f"more than that in {excerpt(part)}")
                parser.Parse(chunk, False)
                yield
            parser.Parse(b"", True)
            yield
    except _Stop as stop:
        raise stop.error from None
    except expat.ExpatError as exc:
        message = excerpt(expat.ErrorString(exc.code), 60)[1:-1]
        raise data.error("an Excel .xlsx workbook of well-formed XML",
                         f"malformed XML in {excerpt(part)} ({message}, line {exc.lineno})"
                         ) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise data.error("an Excel .xlsx workbook",
                         f"a damaged or unsupported zip part {excerpt(part)} "
                         f"({type(exc).__name__})") from None


def _parse(data: DataFile, zf: zipfile.ZipFile, part: str, max_bytes: int, what: str,
           start: Callable[[str, dict[str, str]], None],
           end: Callable[[str], None] | None = None,
           chars: Callable[[str], None] | None = None) -> None:
    """Parse one whole part with the given element and text handlers."""
    for _ in _chunks(data, zf, part, max_bytes, what, _parser(data, part, start, end, chars)):
        pass


def _open_zip(data: DataFile, source: BinaryIO) -> zipfile.ZipFile:
    """The zip, once its directory is known to be small (read from its end record)."""
    size = os.fstat(source.fileno()).st_size
    tail_len = min(size, (1 << 16) + 22)
    source.seek(size - tail_len)
    tail = source.read(tail_len)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        raise data.error("an Excel .xlsx workbook", "a file that is not one (BadZipFile)")
    directory = struct.unpack("<I", tail[at + 12:at + 16])[0]
    if directory == 0xFFFFFFFF or b"PK\x06\x07" in tail[:at]:
        raise data.error("an Excel .xlsx workbook", "a zip64 archive (over 4 GB or 65,535 parts; "
                         "save it again from a spreadsheet program)")
    if directory > limits.XLSX_DIRECTORY_BYTES:
        raise limits.exceeded(data, "an Excel file's zip directory",
                              limits.mib(limits.XLSX_DIRECTORY_BYTES),
                              f"{limits.mib(directory)}")
    source.seek(0)
    try:
        return zipfile.ZipFile(source)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, struct.error) as exc:
        raise data.error("an Excel .xlsx workbook",
                         f"a file that is not one ({type(exc).__name__})") from None


def _sheet(data: DataFile, book: _Book) -> tuple[str, str]:
    if not book.sheets:
        raise data.error("an Excel .xlsx workbook with a worksheet", "no worksheet")
    if data.sheet is None:
        return book.sheets[0]
    for name, part in book.sheets:
        if name == data.sheet:
            return name, part
    raise DataError([Problem(data.display, None, data.keyed("sheet"),
                             f"a sheet named {excerpt(data.sheet)}",
                             f"only the sheets {quote_list([n for n, _ in book.sheets])}")])


def _column(ref: str, previous: int) -> int:
    """0-based column of a cell reference such as ``B12`` (the next column when absent)."""
    m = _CELL_REF.match(ref)
    if not m:
        return previous + 1
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return col - 1


class _SheetReader:
    """Streams a worksheet's XML: the first non-blank row is the header; after it, only the
    wanted columns of each row are kept and handed on in batches of row values."""

    def __init__(self, data: DataFile, book: _Book, part: str, header_only: bool,
                 every_column: bool = False) -> None:
        self.data, self.book, self.part = data, book, part
        self.header_only = header_only
        self.every_column = every_column  # a whole table (a manifest), not mapped columns
        self.strings = book.shared_strings()
        self.dates = book.date_styles()
        self.epoch = datetime(1904, 1, 1) if book.date1904 else datetime(1899, 12, 30)
        self.header: list[str] | None = None
        self.header_row = 0
        self.header_chars = 0
        self.wanted: dict[int, int] = {}  # column index → position in data.requests
        self.pending: dict[int, Any] = {}
        self.rows: list[tuple[int, list[Any]]] = []
        self.row = 0
        self.col = -1
        self.cells = 0
        self.cell: dict[str, Any] | None = None
        self.text: list[str] = []
        self.text_len = 0
        self.in_value = False
        self.in_is = False
        self.skip = 0
        self.out: list[list[tuple[int, list[Any]]]] = []

    # expat handlers --------------------------------------------------------------------
    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "row":
            r = attrs.get("r")
            self.row = int(r) if r and r.isdigit() else self.row + 1
            if self.row > limits.XLSX_ROWS:
                raise _Stop(limits.exceeded(self.data, "an Excel sheet",
                                            f"{limits.XLSX_ROWS:,} rows",
                                            f"row {self.row:,}"))
            self.col = -1
            self.pending = {}
        elif name == "c":
            self.cells += 1
            if self.cells > limits.XLSX_CELLS:
                raise _Stop(limits.exceeded(self.data, "an Excel sheet",
                                            f"{limits.XLSX_CELLS:,} cells",
                                            f"more cells than that (at row {self.row:,})"))
            self.col = _column(attrs.get("r", ""), self.col)
            if self.col >= limits.COLUMNS:
                raise _Stop(limits.exceeded(self.data, "a header or data row",
                                            f"{limits.COLUMNS:,} columns",
                                            f"a cell in column {self.col + 1:,} at row "
                                            f"{self.row:,}"))
            keep = self.header is None or self.col in self.wanted
            self.cell = {"t": attrs.get("t", "n"), "s": attrs.get("s")} if keep else None
            self.text, self.text_len = [], 0
        elif self.cell is not None:
            if name in ("rPh", "phoneticPr"):
                self.skip += 1
            elif name == "v":
                self.in_value = True
            elif name == "is":
                self.in_is = True
            elif name == "t" and self.in_is and not self.skip:
                self.in_value = True

    def end(self, name: str) -> None:
        if name == "c":
            if self.cell is not None:
                value = self._value(self.cell, "".join(self.text))
                if value is not None:
                    self.pending[self.col] = value
            self.cell = None
            self.in_value = self.in_is = False
        elif name in ("v", "t"):
            self.in_value = False
        elif name == "is":
            self.in_is = False
        elif name in ("rPh", "phoneticPr"):
            self.skip = max(0, self.skip - 1)
        elif name == "row":
            self._row_done()

    def chars(self, text: str) -> None:
        if self.in_value and self.cell is not None:
            if self.header is None:
                self.header_chars += len(text)
                if self.header_chars > limits.HEADER_CHARS:
                    raise _Stop(limits.exceeded(
                        self.data, "text before and in the header row",
                        f"{limits.HEADER_CHARS:,} characters",
                        f"more than that by row {self.row:,}"))
            self.text_len += len(text)
            if self.text_len > limits.CELL_CHARS:
                raise _Stop(limits.exceeded(self.data, "text in one cell",
                                            f"{limits.CELL_CHARS:,} characters",
                                            f"a cell of more than that at row {self.row:,}"))
            self.text.append(text)

    # values -----------------------------------------------------------------------------
    def _value(self, cell: dict[str, Any], text: str) -> Any:
        kind = cell["t"]
        if kind == "s":
            try:
                return self.strings[int(text)]
            except (ValueError, IndexError):
                raise _Stop(self.data.error(
                    "an Excel .xlsx workbook", f"a cell at row {self.row:,} pointing to shared "
                    f"string {excerpt(text, 12)}, which the workbook does not have")) from None
        if kind in ("inlineStr", "str", "e"):
            return text
        if kind == "b":
            return text.strip() in ("1", "true")
        if not text:
            return None
        if kind == "d":
            return _iso_date(text)
        try:
            number = float(text)
        except ValueError:
            return text
        style = cell["s"]
        if style is not None and style.isdigit() and int(style) < len(self.dates) \
                and self.dates[int(style)] and abs(number) < 2_958_466:
            return self.epoch + timedelta(days=number)
        return int(number) if number.is_integer() and abs(number) < 2 ** 53 else number

    def _row_done(self) -> None:
        cells = self.pending
        self.pending = {}
        if self.header is None:
            if not any(v is not None and str(v).strip() for v in cells.values()):
                return
            width = max(cells) + 1
            names = ["" if cells.get(i) is None else str(cells[i]).strip() for i in range(width)]
            self.header, self.header_row = names, self.row
            if self.header_only:
                raise _Done()
            if self.every_column:
                if len(names) > limits.COLUMNS:
                    raise _Stop(limits.exceeded(self.data, "a header row",
                                                f"{limits.COLUMNS:,} columns",
                                                f"{len(names):,} columns"))
                self.wanted = {i: i for i in range(len(names))}
                return
            self.data.check_header(names, None)
            position = {n: i for i, n in reversed(list(enumerate(names)))}
            for j, r in enumerate(self.data.requests):
                self.wanted[position[r.name]] = j
            return
        picked = [None] * (len(self.header) if self.every_column else len(self.data.requests))
        for col, j in self.wanted.items():
            picked[j] = cells.get(col)
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in picked):
            return
        self.rows.append((self.row, picked))
        if len(self.rows) >= limits.XLSX_BATCH:
            self.out.append(self.rows)
            self.rows = []


class _Done(Exception):
    """The header has been read (all a header-only read needs)."""


def _iso_date(text: str) -> Any:
    try:
        return datetime.fromisoformat(text.strip().rstrip("Z"))
    except ValueError:
        return text


def _stream(data: DataFile, source: BinaryIO, header_only: bool, every_column: bool = False
            ) -> Iterator[list[tuple[int, list[Any]]]]:
    """Batches of (row number, mapped values) after the header; for ``header_only``, the
    reader stops at the header (see :func:`header`); for ``every_column``, every column of
    the header is kept (see :func:`table`)."""
    with _open_zip(data, source) as zf:
        book = _Book(data, zf)
        sheet_name, part = _sheet(data, book)
        data.sheet_name = sheet_name
        reader = _SheetReader(data, book, part, header_only, every_column)
        feed = _feeder(data, zf, part, reader)
        try:
            for _ in feed:
                while reader.out:
                    yield reader.out.pop(0)
        except _Done:
            data.header_names = reader.header
            return
        if reader.header is None:
            raise data.error("a header row and at least one row of data", "an empty sheet")
        if reader.rows:
            yield reader.rows
            reader.rows = []
        data.header_names = reader.header


def _feeder(data: DataFile, zf: zipfile.ZipFile, part: str, reader: _SheetReader
            ) -> Iterator[None]:
    """Feed the sheet to expat a chunk at a time, yielding between chunks so batches are
    handed on while the sheet is still being read."""
    parser = _parser(data, part, reader.start, reader.end, reader.chars)
    return _chunks(data, zf, part, limits.XLSX_SHEET_BYTES, "an Excel sheet's XML", parser)


def header(data: DataFile) -> list[str]:
    """The first non-blank row of the sheet the analysis reads."""
    with data.open() as source:
        for _ in _stream(data, source, header_only=True):
            pass
    names = getattr(data, "header_names", None)
    if names is None:
        raise data.error("a header row and at least one row of data", "an empty sheet")
    return list(names)


def table(data: DataFile) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    """The header of the sheet and its non-blank rows as (row number, values by header
    position), read with the same parser and limits as an analysed sheet: a funder's
    manifest. Cell values are as the analysis sees them (numbers, text, True/False, dates).
    """
    names = header(data)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        with data.open() as source:
            for chunk in _stream(data, source, header_only=False, every_column=True):
                yield from chunk

    return names, rows()


def batches(data: DataFile) -> Iterator[Batch]:
    """Stream the requested columns of the sheet in batches of non-blank rows."""
    with data.open() as source:
        for rows in _stream(data, source, header_only=False):
            batch = _batch(data, rows)
            if batch is not None:
                yield batch
    if data.rows == 0:
        raise data.error("at least one row of data below the header", "only the header")


def _batch(data: DataFile, rows: list[tuple[int, list[Any]]]) -> Batch | None:
    if not rows:
        return None
    numbers = [n for n, _ in rows]
    values: dict[str, NDArray[np.float64]] = {}
    codes: dict[str, NDArray[np.int64]] = {}
    for j, r in enumerate(data.requests):
        cells = [v[j] for _, v in rows]
        if r.kind == "category":
            labels = [label(v) for v in cells]
            position: dict[str, int] = {}
            for lab in labels:
                if lab is not None and lab not in position:
                    position[lab] = len(position)
            idx = np.array([len(position) if lab is None else position[lab] for lab in labels],
                           dtype=np.int64)
            codes[r.name] = data.code(r.name, list(position), idx)
            continue
        parse = PARSERS[r.kind]
        parsed = [parse(v) for v in cells]
        bad = [i for i, v in enumerate(parsed) if v is None]
        if bad:
            found = [(numbers[i], cells[i]) for i in bad[: SHOW + 1]]
            raise data.bad_cells(r.name, r.kind, found, len(bad) > SHOW + 1)
        values[r.name] = np.array(parsed, dtype=np.float64)
    return data.finish(values, codes, len(rows))
