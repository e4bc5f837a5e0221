"""The version of a submission that reviewers' judgements are made against.

A judgement counts only for the version it was made on (:func:`evidencekit.review.model.decide`:
a changed submission makes earlier judgements stale). A submission is its file *and* the
data files it names: a changed row of data can change the verdict a reviewer examined, so it
must make their judgement stale too.

The version is therefore the submission file's SHA-256 when it names no data file (what the
report's provenance table and ``sha256sum`` show), and otherwise the SHA-256 of that digest
and, for every data file in name order, its path relative to the submission's folder and its
own SHA-256 (a folder of parts — a partitioned dataset — by each regular file under it).
Only regular files are read: a FIFO or device named as data is recorded by its kind, never
opened.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Any

#: Marks the combined digest so that it can never equal a plain file's SHA-256 by design.
_PREFIX = b"evidencekit submission version 1\x00"
_CHUNK = 1 << 20


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _content(path: Path) -> str:
    """The SHA-256 of a data file, of a folder's regular files (with their relative names),
    or a word for what else the path is."""
    try:
        st = os.stat(path)
    except OSError:
        return "missing"
    if stat.S_ISREG(st.st_mode):
        return _file_sha256(path)
    if not stat.S_ISDIR(st.st_mode):
        return "not a regular file"
    h = hashlib.sha256(b"folder\x00")
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            p = Path(root) / name
            try:
                if not stat.S_ISREG(os.stat(p).st_mode):
                    continue
            except OSError:
                continue
            h.update(str(p.relative_to(path)).encode("utf-8", "surrogateescape") + b"\x00"
                     + _file_sha256(p).encode() + b"\x00")
    return h.hexdigest()


def submission_version(sub: Any) -> str | None:
    """The version judgements on ``sub`` (a loaded :class:`~evidencekit.load.model.Submission`)
    are made against; None when the submission has no digest (built in memory).

    >>> from evidencekit.load.model import Programme, Submission
    >>> submission_version(Submission(Programme("P"), sha256="ab" * 32)) == "ab" * 32
    True
    """
    from ..load.model import DataSource

    if sub.sha256 is None:
        return None
    paths = sorted({Path(o.source.path) for e in sub.evaluations for o in e.outcomes
                    if isinstance(o.source, DataSource)})
    if not paths:
        return str(sub.sha256)
    base = Path(sub.base_dir) if sub.base_dir is not None else None
    h = hashlib.sha256(_PREFIX + str(sub.sha256).encode())
    for p in paths:
        try:
            name = os.path.relpath(p, base) if base is not None else str(p)
        except ValueError:  # another drive (Windows)
            name = str(p)
        h.update(b"\x00" + name.encode("utf-8", "surrogateescape") + b"\x00"
                 + _content(p).encode())
    return h.hexdigest()


__all__ = ["submission_version"]
