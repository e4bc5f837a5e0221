"""Uploaded outcome files: accept them into a session's folder and read their columns.

Columns and example values are read with the same readers the analysis uses
(:class:`evidencekit.load.data.DataFile`: the same encoding and delimiter detection, the same
missing-value rules), so what the form offers is what the analysis will find. Every problem
becomes a plain sentence for the page, naming the file by the name it was uploaded with.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError, Problem
from ..questionnaire import DATA_FOLDER, DATA_SUFFIXES

if TYPE_CHECKING:  # pragma: no cover
    from .forms import Upload

EXAMPLES = 5  # example values shown per column
EXAMPLE_CHARS = 40  # characters of an example value shown
SAMPLE_LABELS = 12  # a column with more distinct values in the first rows is not a group


class Rejected(Exception):
    """An upload that cannot be used; ``str(exc)`` is the message for the page."""


@dataclass(frozen=True)
class Column:
    name: str
    examples: tuple[str, ...]
    few_values: bool  # at most SAMPLE_LABELS distinct values in the first rows


def mb(limit: int) -> str:
    value = limit / (1 << 20)
    return f"{value:g} MB" if value >= 1 else f"{limit / 1024:g} KB"


def too_large_message(limit: int) -> str:
    return (f"The file is larger than the {mb(limit)} limit. Save only the columns the "
            "evaluation needs, or save it as Parquet, which is smaller, and upload it again.")


def messages(problems: Iterable[Problem], shown_name: str | None) -> list[str]:
    """Sentences for problems with a data file, naming it as the person knows it."""
    out = []
    for p in problems:
        q = replace(p, file=shown_name) if p.file is not None and shown_name else p
        out.append(q.sentence())
    return out


def accept(upload: Upload, data_dir: Path) -> str:
    """Move an uploaded file into ``data_dir`` under a safe name; returns the path relative to
    the session folder (``data/NAME``). Raises :class:`Rejected` with the reason."""
    assert upload.path is not None
    suffix = Path(upload.filename).suffix.lower()
    try:
        if suffix not in DATA_SUFFIXES:
            raise Rejected(f"“{upload.filename}” is not a CSV, Excel (.xlsx) or Parquet file. "
                           "Save your data in one of those formats and upload it again.")
        if upload.size == 0:
            raise Rejected(f"“{upload.filename}” is empty.")
        with upload.path.open("rb") as fh:
            head = fh.read(4)
            fh.seek(max(upload.size - 4, 0))
            tail = fh.read(4)
        if suffix == ".xlsx" and head != b"PK\x03\x04":
            raise Rejected(f"“{upload.filename}” is not an Excel .xlsx workbook (it may be an "
                           "older .xls file or another format renamed). Open it in Excel and "
                           "save it as .xlsx or .csv.")
        if suffix == ".parquet" and (head != b"PAR1" or tail != b"PAR1"):
            raise Rejected(f"“{upload.filename}” is not a Parquet file.")
    except Rejected:
        upload.path.unlink(missing_ok=True)
        raise
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(upload.filename).stem).strip("-")[:60]
    name = f"{stem or 'outcomes'}{suffix}"
    target = data_dir / name
    while target.exists():
        target = data_dir / f"{stem or 'outcomes'}-{secrets.token_hex(3)}{suffix}"
    upload.path.replace(target)
    target.chmod(0o600)
    return f"{DATA_FOLDER}/{target.name}"


def header(path: Path) -> list[str]:
    """The column names of a data file, as the analysis reads them (blank and repeated
    names are left out: they cannot be mapped)."""
    from ..errors import DataError
    from ..load.data import DataFile
    from ..load.model import DataSource

    data = DataFile(DataSource(path, {}), [])
    try:
        with data.open() as fh:
            if os.fstat(fh.fileno()).st_size == 0:
                raise data.error("a header row and at least one row of data", "an empty file")
        names = data.columns()
    except DataError:
        raise
    except (OSError, ValueError, UnicodeError) as exc:
        raise data.error("a file that can be read", f"an error ({type(exc).__name__})") from None
    seen: list[str] = []
    repeated = set()
    for n in names:
        n = str(n).strip()
        if not n:
            continue
        if n in seen:
            repeated.add(n)
        seen.append(n)
    return [n for n in dict.fromkeys(seen) if n not in repeated]


def columns(path: Path) -> list[Column]:
    """The columns of a data file with a few example values each, from its first rows."""
    from ..load.data import ColumnRequest, DataFile
    from ..load.model import DataSource

    names = header(path)
    if not names:
        raise Rejected("The file has no column names in its first row.")
    data = DataFile(DataSource(path, {n: n for n in names}),
                    [ColumnRequest(n, "category", n) for n in names])
    batches = data.batches()
    try:
        next(batches, None)
    finally:
        close = getattr(batches, "close", None)
        if close is not None:
            close()
    out = []
    for n in names:
        labels = data.labels(n)
        shown = tuple(x if len(x) <= EXAMPLE_CHARS else x[: EXAMPLE_CHARS - 1] + "…"
                      for x in labels[:EXAMPLES])  # the page never grows with a huge cell
        out.append(Column(n, shown, len(labels) <= SAMPLE_LABELS))
    return out


def group_labels(path: Path, column: str) -> list[tuple[str, int]]:
    """Every value of a group column with its number of rows (the whole file is read)."""
    from ..load.data import ColumnRequest, DataFile
    from ..load.model import DataSource

    data = DataFile(DataSource(path, {"group": column}),
                    [ColumnRequest(column, "category", "columns.group")])
    for _ in data.batches():
        pass
    return [(lab, int(n)) for lab, n in zip(data.labels(column), data.label_rows(column),
                                            strict=True)]


def describe_problem(exc: Exception, shown_name: str | None) -> list[str]:
    """Sentences for any failure to read a file (never a traceback)."""
    if isinstance(exc, InputError):
        return messages(exc.problems, shown_name)
    if isinstance(exc, Rejected):
        return [str(exc)]
    return [f"“{shown_name or 'The file'}” could not be read ({type(exc).__name__}). Check that "
            "it opens in a spreadsheet program, then save it again as CSV and upload it."]
