"""One data file and the columns an analysis needs from it (:class:`DataFile`): the part
every format shares — opening the file through :func:`~.files.open_inside`, checking the
header, coding group and cluster labels, dropping blank rows, locating problems. The formats
themselves are read by :mod:`.csvfile`, :mod:`.parquet` and :mod:`.xlsx`."""

from __future__ import annotations

import difflib
import io
import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from numpy.typing import NDArray

from ...errors import DataError, Problem
from ..model import DataSource
from . import limits
from .columns import Batch, ColumnRequest
from .files import FileRefused, display_path, open_inside
from .values import DECIMAL_COMMA, EXPECTED, and_list, describe, excerpt, label, quote_list

__all__ = ["DataFile", "Tally"]

SHOW = 3  # offending rows named in a message beyond the first


@dataclass(frozen=True, slots=True)
class Tally:
    """What a :class:`DataFile` read from its rows, in a form that travels between
    processes: per category column its labels in code order and the rows of each."""

    labels: dict[str, tuple[str, ...]]
    counts: dict[str, NDArray[np.int64]]
    rows: int
    blank_rows: int


class DataFile:
    """One data file and the columns an analysis needs from it.

    Iterate :meth:`batches` once; afterwards :meth:`labels` and :meth:`label_rows` describe
    the category columns and ``rows``/``blank_rows`` count what was read.
    """

    def __init__(self, source: DataSource, requests: Sequence[ColumnRequest],
                 key: str | None = None, *, streamed: bool = False) -> None:
        self.source = source
        #: The reader's caller keeps only running sums of the rows (not the rows): the file
        #: may have up to ``limits.STREAMED_ROWS`` rows instead of ``limits.ROWS``.
        self.streamed = streamed
        self.path = Path(source.path)
        self.root = source.root
        self._display: str | None = None
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
        self.header_names: list[str] | None = None
        self._labels: dict[str, dict[str, int]] = {
            r.name: {} for r in self.requests if r.kind == "category"}
        self._counts: dict[str, NDArray[np.int64]] = {
            name: np.zeros(0, dtype=np.int64) for name in self._labels}
        self._raw: dict[str, dict[Any, int]] = {name: {} for name in self._labels}
        #: The size of the file being read (set when :meth:`batches` opens it).
        self.size: int | None = None
        #: A small CSV file's bytes while its batches are read (:data:`limits.SMALL_FILE`):
        #: :meth:`open` hands these out instead of opening the file again.
        self._memory: tuple[Path, bytes] | None = None

    @property
    def display(self) -> str:
        """The file's path as messages show it (:func:`display_path`; worked out when first
        needed: a file read without a problem is never named)."""
        if self._display is None:
            self._display = display_path(self.path)
        return self._display

    @display.setter
    def display(self, value: str) -> None:
        self._display = value

    def max_rows(self) -> int:
        """The rows of data this file may have (:mod:`.limits`, read when checked)."""
        return limits.STREAMED_ROWS if self.streamed else limits.ROWS

    def too_many_rows(self, found: str, *, column: str | None = None) -> DataError:
        """The refusal of a file with more rows of data than :meth:`max_rows`."""
        return limits.exceeded(self, "a data file", f"{self.max_rows():,} rows of data", found,
                               column=column)

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
    @property
    def small(self) -> bool:
        """Whether the file being read is small enough to parse on the calling thread."""
        return self.size is not None and self.size <= limits.SMALL_FILE

    @property
    def in_memory(self) -> bool:
        """Whether the file being read is held in memory (a small CSV file)."""
        return self._memory is not None and self._memory[0] == self.path

    @property
    def content(self) -> bytes | None:
        """The bytes of the small CSV file being read, held in memory (else None)."""
        memory = self._memory
        return memory[1] if memory is not None and memory[0] == self.path else None

    def open(self) -> BinaryIO:
        """The file, opened by :func:`open_inside` (a regular file inside the submission's
        folder, or a :class:`DataError` saying what it is instead); while a small CSV file's
        batches are read, its bytes as read by that one open."""
        memory = self._memory
        if memory is not None and memory[0] == self.path:
            return io.BytesIO(memory[1])
        try:
            return open_inside(self.path, self.root)
        except FileRefused as exc:
            raise DataError([Problem(self.display, None, self.keyed("data"),
                                     "a regular .csv, .xlsx or .parquet file inside the "
                                     "submission's folder", exc.found)]) from None
        except FileNotFoundError:
            raise DataError([Problem(self.display, None, self.keyed("data"),
                                     "an existing .csv, .xlsx or .parquet file",
                                     "no file at this path")]) from None
        except OSError as exc:
            raise DataError([Problem(self.display, None, self.keyed("data"),
                                     "a file that can be read",
                                     f"an error ({exc.strerror or type(exc).__name__})")]
                            ) from None

    def parts(self) -> list[Path] | None:
        """The files of a dataset folder or a list of files in reading order; None for one
        file (a problem with the folder is a :class:`DataError`)."""
        from .partitions import OutsideRoot, TooManyParts, parts

        try:
            files = parts(self.source)
        except OutsideRoot:
            raise DataError([Problem(self.display, None, self.keyed("data"),
                                     "a folder inside the submission's folder",
                                     "one outside it")]) from None
        except TooManyParts:
            from .partitions import MAX_PARTS

            raise limits.exceeded(self, "a dataset folder", f"{MAX_PARTS:,} files",
                                  "more files than that") from None
        if files is not None and not files:
            raise DataError([Problem(self.display, None, self.keyed("data"),
                                     "a folder of .parquet files (a partitioned dataset)",
                                     "a folder without any")])
        return files

    def batches(self) -> Iterator[Batch]:
        """Stream the requested columns as batches of non-blank rows (of every part, one
        after the other, when the outcome is a dataset folder or a list of files)."""
        files = self.parts()
        if files is None:
            yield from self._batches_of_one()
            return
        for part in files:
            yield from self.part_batches(part)

    def part_batches(self, part: Path) -> Iterator[Batch]:
        """The batches of one part (a file of :meth:`parts`) of this outcome; the labels and
        counts accumulate as for the whole."""
        dataset, requests = self.path, self.requests
        try:
            self.path, self.display = part, display_path(part)
            self.format = part.suffix.lower().lstrip(".")
            yield from self._part(part, dataset, requests)
        finally:
            self.path, self.display, self.requests = dataset, display_path(dataset), requests
            self.format = dataset.suffix.lower().lstrip(".")

    def _part(self, part: Path, dataset: Path, requests: tuple[ColumnRequest, ...]
              ) -> Iterator[Batch]:
        """One part's batches; a column the part's file lacks but a ``key=value`` folder
        above it names is that value in every row (Hive partitioning)."""
        from .partitions import hive_keys

        keys = hive_keys(part, dataset)
        constant: dict[str, str | None] = {}
        if keys and any(r.name in keys for r in requests):
            present = set(self.columns())
            constant = {r.name: keys[r.name] for r in requests
                        if r.name in keys and r.name not in present}
        if not constant:
            yield from self._batches_of_one()
            return
        self.requests = tuple(r for r in requests if r.name not in constant)
        for batch in self._batches_of_one():
            yield self._with_constants(batch, constant, requests)

    def _with_constants(self, batch: Batch, constant: dict[str, str | None],
                        requests: tuple[ColumnRequest, ...]) -> Batch:
        from .values import PARSERS, cell_number, nan_if_none

        values, codes = dict(batch.values), dict(batch.codes)
        for r in requests:
            if r.name not in constant:
                continue
            raw = constant[r.name]
            if raw == "__HIVE_DEFAULT_PARTITION__":  # how Spark and pyarrow write a null
                raw = None
            if r.kind == "category":
                codes[r.name] = self.code(r.name, [raw],
                                          np.zeros(batch.size, dtype=np.int64))
                continue
            parse = PARSERS[r.kind] if r.kind != "number" else cell_number
            value = nan_if_none(parse(raw)) if raw is not None else math.nan
            if raw is not None and parse(raw) is None:
                raise self.bad_cells(r.name, r.kind, [(1, raw)], False)
            values[r.name] = np.full(batch.size, value, dtype=np.float64)
        return Batch(values, codes, batch.size)

    def _batches_of_one(self) -> Iterator[Batch]:
        self._memory = None
        with self.open() as fh:
            size = os.fstat(fh.fileno()).st_size
            self.size = size
            if self.format == "csv" and 0 < size <= limits.SMALL_FILE:
                content = fh.read(limits.SMALL_FILE + 1)  # one read of a file that small
                if len(content) <= limits.SMALL_FILE:  # (one that grew since is streamed)
                    self._memory = (self.path, content)
        if size == 0:
            raise self.error("a header row and at least one row of data", "an empty file")
        from . import READERS

        reader = READERS.get(self.format)
        if reader is None:
            raise DataError([Problem(self.display, None, self.keyed("data"),
                                     "a .csv, .xlsx or .parquet file",
                                     f"a {self.path.suffix or 'suffix-less'} file")])
        try:
            yield from reader.batches(self)
        finally:
            self._memory = None

    def tally(self) -> Tally:
        """What was read: the category labels in code order, their row counts, the rows."""
        return Tally({name: tuple(table) for name, table in self._labels.items()},
                     {name: self.label_rows(name) for name in self._labels},
                     self.rows, self.blank_rows)

    def absorb(self, part: Tally) -> dict[str, NDArray[np.int64]]:
        """Add a part's :meth:`tally` (read by another DataFile, perhaps on another
        machine) to this one's, as if its rows had been read here next: new labels get the
        next codes. Returns, per category column, the code here of each of the part's codes;
        the limits on rows and distinct labels apply to the total."""
        maps: dict[str, NDArray[np.int64]] = {}
        for name, labels in part.labels.items():
            table = self._labels[name]
            maps[name] = np.array([table.setdefault(lab, len(table)) for lab in labels],
                                  dtype=np.int64)
            if len(table) > limits.DISTINCT_LABELS:
                raise self._too_many_labels(name)
            counts = self.label_rows(name)
            counts[maps[name]] += part.counts[name]
            self._counts[name] = counts
        self.rows += part.rows
        self.blank_rows += part.blank_rows
        if self.rows > self.max_rows():
            raise self.too_many_rows("more rows than that")
        return maps

    def columns(self) -> list[str]:
        """The header names of the file, read exactly as the analysis reads them (same
        encoding, delimiter, sheet); used to offer column choices before analysing."""
        from . import READERS

        reader = READERS.get(self.format)
        if reader is None:
            raise DataError([Problem(self.display, None, self.keyed("data"),
                                     "a .csv, .xlsx or .parquet file",
                                     f"a {self.path.suffix or 'suffix-less'} file")])
        names: list[str] = reader.header(self)
        return names

    def csv_columns(self) -> list[str]:
        """The header names of a CSV file (kept for callers of the CSV-only name)."""
        return self.columns()

    def keyed(self, leaf: str) -> str | None:
        return f"{self.key}.{leaf}" if self.key else leaf

    def check_header(self, header: Sequence[str], line: int | None) -> None:
        """Every requested column is in the header, once; the header is within the limits."""
        if len(header) > limits.COLUMNS:
            raise limits.exceeded(self, "a header row", f"{limits.COLUMNS:,} columns",
                                  f"{len(header):,} columns", row=line)
        self.header_names = list(header)
        present = set(header)
        problems = []
        for r in self.requests:
            if r.name in present:
                continue
            close = difflib.get_close_matches(r.name, list(header), n=1, cutoff=0.6)
            folded = [h for h in header if h.casefold() == r.name.casefold()]
            hint = folded[0] if folded else (close[0] if close else None)
            where = self.keyed(r.role)
            if self.format == "xlsx" and self.sheet_name is not None:
                where = f"{where} (sheet {excerpt(self.sheet_name)})"
            found = (f"no such column; the columns are {quote_list(list(header))}"
                     + (f" (did you mean {excerpt(hint)}?)" if hint else ""))
            problems.append(Problem(self.display, line, where, f"a column named {r.name!r}",
                                    found))
        if problems:
            raise DataError(problems)
        for r in self.requests:
            if list(header).count(r.name) > 1:
                positions = [str(i + 1) for i, h in enumerate(header) if h == r.name]
                raise DataError([Problem(self.display, line, self.keyed(r.role),
                                         f"one column named {r.name!r}",
                                         f"{len(positions)} (columns {', '.join(positions)})")])

    def code(self, name: str, dictionary: Sequence[Any], indices: NDArray[np.int64]
              ) -> NDArray[np.int64]:
        """Global codes for a batch's dictionary-encoded column (−1 marks a missing value)."""
        table = self._labels[name]
        cache = self._raw[name]  # raw value → code, so each distinct value is labelled once
        if len(dictionary) > limits.DISTINCT_LABELS:
            raise self._too_many_labels(name)
        lookup = np.empty(len(dictionary) + 1, dtype=np.int64)
        for i, value in enumerate(dictionary):
            code = cache.get(value)
            if code is None:
                if isinstance(value, str) and len(value) > limits.CELL_CHARS:
                    raise limits.exceeded(self, "a value", f"{limits.CELL_CHARS:,} characters",
                                          f"one of {len(value):,}", column=name)
                lab = label(value)
                code = -1 if lab is None else table.setdefault(lab, len(table))
                cache[value] = code
                if len(table) > limits.DISTINCT_LABELS:
                    raise self._too_many_labels(name)
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

    def _too_many_labels(self, name: str) -> DataError:
        return limits.exceeded(self, "a group or cluster column",
                               f"{limits.DISTINCT_LABELS:,} distinct values",
                               "more distinct values than that", column=name)

    def finish(self, values: dict[str, NDArray[np.float64]],
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
        if self.rows > self.max_rows():
            raise self.too_many_rows("more rows than that")
        if kept == 0:
            return None
        if kept < size:
            values = {k: v[present] for k, v in values.items()}
            codes = {k: c[present] for k, c in codes.items()}
        return Batch(values, codes, kept)

    def bad_cells(self, column: str, kind: str,
                   found: Sequence[tuple[int, Any]], more: bool) -> DataError:
        first_row, first_value = found[0]
        rest = [str(r) for r, _ in found[1:]]
        unit = "line" if self.format == "csv" else "row"
        extra = ""
        if rest:
            listed = ", ".join(rest) + " and more" if more else and_list(rest)
            extra = f" (also at {unit}{'s' if len(rest) > 1 or more else ''} {listed})"
        hint = ""
        if kind == "number" and isinstance(first_value, str) and \
                DECIMAL_COMMA.fullmatch(first_value.strip()):
            hint = "; it has a decimal comma, so save the file with decimal points"
        return self.error(EXPECTED[kind], f"{describe(first_value)}{extra}{hint}",
                          row=first_row, column=column)

    # -- CSV -------------------------------------------------------------------------------
