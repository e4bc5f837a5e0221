"""Excel .xlsx workbooks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np
from numpy.typing import NDArray

from ...errors import DataError, Problem
from .columns import Batch
from .datafile import SHOW
from .values import PARSERS, label, quote_list

if TYPE_CHECKING:
    from .datafile import DataFile

__all__ = ["batches", "header"]


def header(data: DataFile) -> list[str]:
    """The first non-blank row of the sheet the analysis reads."""
    import zipfile

    from openpyxl import load_workbook

    with data.open() as source:
        try:
            wb = load_workbook(source, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise data.error("an Excel .xlsx workbook",
                             f"a file that is not one ({type(exc).__name__})") from None
        try:
            ws = wb[data.sheet] if data.sheet in wb.sheetnames else wb.worksheets[0]
            for cells in ws.iter_rows(values_only=True):
                if any(c is not None and str(c).strip() for c in cells):
                    return ["" if c is None else str(c).strip() for c in cells]
        finally:
            wb.close()
    raise data.error("a header row and at least one row of data", "an empty sheet")


def batches(data: DataFile) -> Iterator[Batch]:
    with data.open() as source:
        yield from _read(data, source)

def _read(data: DataFile, source: BinaryIO) -> Iterator[Batch]:
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(source, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise data.error("an Excel .xlsx workbook",
                         f"a file that is not one ({type(exc).__name__})") from None
    try:
        if data.sheet is not None:
            if data.sheet not in wb.sheetnames:
                raise DataError([Problem(
                    data.display, None, data.keyed("sheet"), f"a sheet named {data.sheet!r}",
                    f"only the sheets {quote_list(wb.sheetnames)}")])
            ws = wb[data.sheet]
        else:
            ws = wb.worksheets[0]
        data.sheet_name = ws.title
        rows = ws.iter_rows(values_only=True)
        header_row = 0
        header: list[str] = []
        for header_row, cells in enumerate(rows, start=1):  # noqa: B007
            if any(c is not None and str(c).strip() for c in cells):
                header = ["" if c is None else str(c).strip() for c in cells]
                break
        if not header:
            raise data.error("a header row and at least one row of data", "an empty sheet")
        data.check_header(header, None)
        index = {r.name: header.index(r.name) for r in data.requests}
        columns: dict[str, list[Any]] = {r.name: [] for r in data.requests}
        row_numbers: list[int] = []
        for number, cells in enumerate(rows, start=header_row + 1):
            picked = [cells[index[r.name]] if index[r.name] < len(cells) else None
                      for r in data.requests]
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in picked):
                continue
            row_numbers.append(number)
            for r, v in zip(data.requests, picked, strict=True):
                columns[r.name].append(v)
    finally:
        wb.close()
    if not row_numbers:
        raise data.error("at least one row of data below the header", "only the header")
    values: dict[str, NDArray[np.float64]] = {}
    codes: dict[str, NDArray[np.int64]] = {}
    for r in data.requests:
        cells = columns[r.name]
        if r.kind == "category":
            labels = [label(v) for v in cells]
            uniq = sorted({lab for lab in labels if lab is not None}, key=labels.index)
            position = {lab: i for i, lab in enumerate(uniq)}
            idx = np.array([len(uniq) if lab is None else position[lab] for lab in labels],
                           dtype=np.int64)
            codes[r.name] = data.code(r.name, uniq, idx)
            continue
        parse = PARSERS[r.kind]
        parsed = [parse(v) for v in cells]
        bad = [i for i, v in enumerate(parsed) if v is None]
        if bad:
            found = [(row_numbers[i], cells[i]) for i in bad[: SHOW + 1]]
            raise data.bad_cells(r.name, r.kind, found, len(bad) > SHOW + 1)
        values[r.name] = np.array(parsed, dtype=np.float64)
    batch = data.finish(values, codes, len(row_numbers))
    if batch is not None:
        yield batch
