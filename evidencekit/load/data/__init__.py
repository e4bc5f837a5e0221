"""Read row-level outcome data named by a submission (SPEC §1 ``data:``): CSV, .xlsx, Parquet.

Only the mapped columns are read, in batches, so memory stays a few batches whatever the
file's size while the statistics stage (:mod:`evidencekit.analysis.rows`) accumulates sums.
Every problem is a :class:`~evidencekit.errors.DataError` made of one
:class:`~evidencekit.errors.Problem` per sentence, naming the file, the line (CSV) or row
(Excel, Parquet), the column, what was expected and what was found — quoting at most a short,
escaped excerpt of any value.

Where to make a change:

============== ==========================================================================
``files``      opening a file: the one path rule (inside the submission's folder, a regular
               file, no link out), :func:`open_inside`, :func:`sha256_inside`
``limits``     every size and count limit, with the batch sizes
``columns``    what the analysis asks for (:class:`ColumnRequest`) and gets (:class:`Batch`)
``datafile``   :class:`DataFile`: header checks, label codes, blank rows, messages
``values``     one cell: missing values, numbers, yes/no, labels; quoting a value
``csvfile``    CSV: encoding and delimiter detection, pyarrow streaming, the exact rescan
``parquet``    Parquet: pyarrow streaming
``xlsx``       Excel .xlsx
``arrow``      zero-copy Arrow→numpy views and the background prefetch thread
``arrowfile``  the Python file pyarrow's CSV reader reads on its own threads: transcoded to
               UTF-8, never raising there, and waited for until Arrow gives everything back
============== ==========================================================================
"""

from __future__ import annotations

from types import ModuleType

from . import csvfile, parquet, xlsx
from .columns import Batch, ColumnKind, ColumnRequest
from .datafile import DataFile, Tally
from .files import FileRefused, display_path, open_inside, sha256_inside
from .values import BINARY_FALSE, BINARY_TRUE, NULL_TOKENS, excerpt

__all__ = [
    "BINARY_FALSE",
    "BINARY_TRUE",
    "NULL_TOKENS",
    "READERS",
    "Batch",
    "ColumnKind",
    "ColumnRequest",
    "DataFile",
    "FileRefused",
    "Tally",
    "display_path",
    "excerpt",
    "open_inside",
    "sha256_inside",
]

#: The reader of each format (by suffix): a module with ``batches(data)`` and ``header(data)``.
READERS: dict[str, ModuleType] = {"csv": csvfile, "parquet": parquet, "xlsx": xlsx}
