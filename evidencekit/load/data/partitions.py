"""One outcome read from several files: a partitioned Parquet dataset (a folder of files, as
Spark, DuckDB or pyarrow write them) or a list of CSV (or Parquet) files (SPEC §1 ``data:``).

The parts are read one after the other through the same :class:`~.datafile.DataFile`, so the
labels, row counts and limits are those of one file and the statistics stage accumulates its
sums across them exactly as it does across the batches of one file (memory stays a few
batches whatever the number of parts).

A dataset folder is named ``NAME.parquet`` or ``NAME/`` (a folder named ``.csv`` or
``.xlsx`` is refused as a folder). It is walked without following links; names starting
with ``.`` or ``_`` (``_SUCCESS``, ``_metadata``, ``.crc`` checksums) are skipped, as Spark
and pyarrow skip them; the parts are read in the order of their paths. A folder name
``key=value`` (Hive partitioning) gives every row below it the column ``key`` with that
value when the files themselves do not have that column (pyarrow's
``write_to_dataset(partition_cols=...)`` and DuckDB's ``PARTITION_BY`` leave it out).
Each part is opened by :func:`~.files.open_inside`: a regular file inside the submission's
folder, never through a link out.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..definition import MAX_DATA_PARTS as MAX_PARTS
from ..model import DataSource

__all__ = ["MAX_PARTS", "hive_keys", "parts"]
#: The suffixes of a dataset folder's parts.
PART_SUFFIXES = (".parquet",)


class TooManyParts(Exception):
    """A dataset folder with more than :data:`MAX_PARTS` files."""


class OutsideRoot(Exception):
    """A dataset folder that is not inside the submission's folder."""


def parts(source: DataSource) -> list[Path] | None:
    """The files of a multi-file outcome in reading order, or None for a single file.

    >>> parts(DataSource(Path("a.csv"), {}, parts=(Path("a.csv"), Path("b.csv"))))
    [PosixPath('a.csv'), PosixPath('b.csv')]
    >>> parts(DataSource(Path("/nonexistent/one.csv"), {})) is None
    True
    """
    if source.parts:
        return list(source.parts)
    path = Path(source.path)
    if path.suffix.lower() in (".csv", ".xlsx"):  # a folder named so is not a dataset
        return None
    try:
        if not path.is_dir():
            return None
    except OSError:
        return None
    root = Path(source.root) if source.root is not None else None
    if root is not None:
        try:
            Path(os.path.realpath(path)).relative_to(os.path.realpath(root))
        except ValueError:
            raise OutsideRoot(str(path)) from None
    found: list[Path] = []
    for folder, dirs, files in os.walk(path, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for name in sorted(files):
            if name.startswith((".", "_")) or not name.lower().endswith(PART_SUFFIXES):
                continue
            found.append(Path(folder) / name)
            if len(found) > MAX_PARTS:
                raise TooManyParts(str(path))
    return sorted(found, key=lambda p: p.relative_to(path).as_posix())


def hive_keys(part: Path, dataset: Path) -> dict[str, str]:
    """The ``key=value`` folder names between ``dataset`` and ``part`` (Hive partitioning).

    >>> hive_keys(Path("d/school=North/year=2024/part-0.parquet"), Path("d"))
    {'school': 'North', 'year': '2024'}
    >>> hive_keys(Path("a.csv"), Path("a.csv"))
    {}
    """
    try:
        rel = part.relative_to(dataset)
    except ValueError:
        return {}
    keys: dict[str, str] = {}
    for segment in rel.parts[:-1]:
        key, sep, value = segment.partition("=")
        if sep and key:
            from urllib.parse import unquote

            keys[unquote(key)] = unquote(value)  # Spark and pyarrow escape with %XX
    return keys
