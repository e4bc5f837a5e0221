"""The limits every data file is read within (issue #12 item 5), in one place.

Each is checked *before* the thing it limits costs memory: sizes are checked on what a file
declares and again while it is decompressed, counts as they grow. A file over a limit is
refused with one sentence naming the limit (:func:`exceeded`); nothing is silently cut
short. With these limits an accepted file stays under 1 GB of memory and a bounded time
(see ``tests/hostile/test_hostile_bombs.py`` and the README's "When the input is wrong").

The batch sizes at the end are not limits: they set how much is parsed at a time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...errors import DataError
    from .datafile import DataFile

#: Characters in one cell (or CSV field) the analysis reads: Excel's own limit for a cell.
CELL_CHARS = 32_767
#: Characters of text in a header row (and the blank-looking rows above it).
HEADER_CHARS = 1 << 20
#: Columns in a header row (Excel's sheet is 16,384 columns wide).
COLUMNS = 16_384
#: Rows of data in a CSV or Parquet file whose rows the analysis keeps in memory (a binary
#: two-group outcome, fitted by logistic regression on its complete rows, and any file read
#: outside an analysis): the mapped columns, about 45 bytes a row: 20 million rows stay
#: under 1 GB.
ROWS = 20_000_000
#: Rows of data in a CSV or Parquet file the analysis streams (continuous two-group, pre-post
#: and single-group outcomes: sufficient statistics per cell, a few batches in memory
#: whatever the rows; ``DataFile(streamed=True)``). This limit bounds the time, not the
#: memory: about 3 minutes at the 6 million rows a second measured by
#: ``benchmarks/analysis.py --big``.
STREAMED_ROWS = 1_000_000_000
#: Rows in an Excel sheet (Excel's own sheet height).
XLSX_ROWS = 1_048_576
#: Cells in an Excel sheet, empty or not, that are parsed (mapped or not).
XLSX_CELLS = 10_000_000
#: Distinct values in one group or cluster column.
DISTINCT_LABELS = 1_000_000
#: Characters of one CSV field when a problem is located by the exact rescan (Python's csv
#: module, whose default of 131,072 would otherwise fail).
CSV_FIELD_CHARS = 1 << 22
#: Bytes of one CSV record (a line, or a quoted value spanning lines), in any column: held
#: whole while it is parsed, so it is refused as it is read once longer than this.
CSV_LINE_BYTES = 16 << 20
#: Decompressed bytes of an Excel sheet's XML.
XLSX_SHEET_BYTES = 512 << 20
#: Decompressed bytes of an Excel workbook's shared-strings table (held in memory).
XLSX_STRINGS_BYTES = 64 << 20
#: Entries of an Excel workbook's shared-strings table.
XLSX_STRINGS = 2_000_000
#: Decompressed bytes of any other part of an Excel workbook (workbook, relations, styles).
XLSX_PART_BYTES = 16 << 20
#: Bytes of an Excel file's zip directory (the list of its parts).
XLSX_DIRECTORY_BYTES = 4 << 20
#: Bytes of a Parquet file's footer (its schema and row-group metadata).
PARQUET_FOOTER_BYTES = 64 << 20
#: Decompressed bytes of one column of one Parquet row group that the analysis reads, as its
#: footer declares it and as its pages' own headers declare them (``parquet_pages``).
PARQUET_CHUNK_BYTES = 512 << 20
#: Bytes of one Parquet page header (Arrow's own default maximum, 16 MiB).
PARQUET_PAGE_HEADER_BYTES = 16 << 20
#: Pages in one column the analysis reads, over all row groups (pyarrow writes pages of at
#: most 20,000 rows: 20 million rows are 1,000 pages).
PARQUET_PAGES = 200_000

# -- batch sizes (not limits) -------------------------------------------------------------
#: Bytes of CSV text parsed per batch.
CSV_BLOCK = 1 << 22
#: Rows per Parquet batch (half of pyarrow's default row group of 1,048,576 rows: fewer,
#: larger batches cost less per row in Python; 5,000,000 rows in 0.73 s instead of 0.79 s,
#: medians of 5, ``benchmarks/analysis.py``'s file, with 16 MB more at the peak at most).
PARQUET_BATCH = 1 << 19
#: Rows per Excel batch.
XLSX_BATCH = 1 << 16
#: A data file of at most this many bytes is parsed on the calling thread, without the
#: background prefetch thread, and a CSV file that small is read whole with one open (the
#: thread and opening the file once per step cost more than parsing a few hundred rows).
SMALL_FILE = 1 << 20


def mib(n: int) -> str:
    """A byte count in MiB for a message.

    >>> mib(64 << 20)
    '64 MiB'
    """
    return f"{n / (1 << 20):,.0f} MiB"


def exceeded(data: DataFile, what: str, limit: str, found: str, *, row: int | None = None,
             column: str | None = None) -> DataError:
    """The refusal of a file over a limit: ``what`` is limited to ``limit`` (the number in
    words), ``found`` says what the file has (never its content)."""
    return data.error(f"{what} of at most {limit} (evidencekit's limit)", found, row=row,
                      column=column)
