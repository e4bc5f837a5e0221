"""Atomic output files, and the per-application results that make ``--resume`` possible.

Every file is written to a temporary name in the same folder and renamed into place, so an
interrupted run (Ctrl-C, a killed process, a full disk) leaves complete files only. Each
application's result is stored as soon as it is scored (``.evidencekit-batch/results/``), so
nothing already done is lost and a resumed run skips what is unchanged.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from .. import jsontext
from ..errors import InputError, UsageError, sanitise

#: A str as JSON text (quoted and escaped), as ``json.dumps(..., ensure_ascii=False)`` writes it.
_json_text = json.encoder.encode_basestring

STATE_DIR = ".evidencekit-batch"


def safe_name(application_id: str) -> str:
    """A file name for an application id that cannot escape the output folder.

    >>> safe_name("round-3/alpha")
    'round-3_alpha-65c147f4'
    >>> safe_name("plain-id")
    'plain-id'

    Distinct ids give distinct names, also on file systems that ignore case: any id that is
    not already a plain lower-case name gets a digest of the id.

    >>> safe_name("Alpha") != safe_name("alpha")
    True
    """
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", application_id).lstrip(".") or "_"
    if cleaned == application_id and cleaned == cleaned.lower() and len(cleaned) <= 120:
        return cleaned
    digest = hashlib.sha1(application_id.encode("utf-8")).hexdigest()[:8]
    return f"{cleaned[:110]}-{digest}"


@contextlib.contextmanager
def atomic_open(path: Path, mode: str = "w", *, durable: bool = True,
                **kwargs: Any) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; rename it into place only on success.

    The rename alone guarantees that a killed process leaves either the old file or the new
    one, never half of one; ``durable`` also syncs the data to disk first (power loss).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise unwritable(path, exc) from None
    try:
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):  # a full disk, a file-size limit, a read-only folder
            raise unwritable(path, exc) from None
        raise


#: What an operating-system error while writing means, in words.
_WRITE_ERRORS = {
    errno.ENOSPC: "no space left on the disk",
    errno.EDQUOT: "the disk quota used up",
    errno.EROFS: "a read-only file system",
    errno.EACCES: "no permission to write there",
    errno.EPERM: "no permission to write there",
    errno.EFBIG: "a file-size limit (the file would be larger than allowed)",
    errno.ENOTDIR: "a file where a folder is needed on the way",
    # what mkdir(parents=True, exist_ok=True) raises when a file stands where a folder goes
    errno.EEXIST: "a file where a folder is needed on the way",
    errno.EISDIR: "a folder in its place",
    errno.ENAMETOOLONG: "a name too long for the file system",
}


def write_error(exc: OSError) -> bool:
    """Whether ``exc`` is one of the errors of a place that cannot be written to."""
    return exc.errno in _WRITE_ERRORS


def unwritable(path: Path | str | None, exc: OSError) -> InputError:
    """The one sentence for an output file that could not be written (nothing half-written
    is left: the temporary file is removed, the old file, if any, kept).

    >>> print(unwritable(Path("out/scores.csv"), OSError(errno.ENOSPC, "No space")))
    out/scores.csv: expected a place the file can be written to, found no space left on the disk.
    >>> print(unwritable(Path("a/s.csv"), FileExistsError(errno.EEXIST, "File exists")))
    ... # doctest: +NORMALIZE_WHITESPACE
    a/s.csv: expected a place the file can be written to, found a file where a folder is
    needed on the way.
    """
    found = _WRITE_ERRORS.get(exc.errno or 0) or sanitise(exc.strerror or type(exc).__name__)
    if path is None:  # a library's own temporary file, say
        return UsageError.one(None, "room to write the results (in the output folder and "
                              "in the temporary folder, TMPDIR)", found)
    return UsageError.one(str(path), "a place the file can be written to", found)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with atomic_open(path, "wb") as f:
        f.write(data)


def atomic_write_text(path: Path, text: str, *, durable: bool = True) -> None:
    with atomic_open(path, "w", durable=durable, encoding="utf-8", newline="") as f:
        f.write(text)


def journal_line(record: dict[str, Any]) -> bytes:
    """``record`` as a journal line: strict JSON (evidencekit.jsontext), keys sorted, UTF-8.

    >>> journal_line({"b": float("nan"), "a": "é"})
    b'{"a": "\\xc3\\xa9", "b": null}\\n'
    """
    return (jsontext.dumps(record, sort_keys=True, ensure_ascii=False) + "\n").encode()


class _Journal:
    """An append-only file of JSON lines, one record a line, written by one process.

    Each record is one ``write`` to the kernel (no sync): a process killed outright loses
    nothing it has written, and costs one system call per record instead of creating,
    renaming and deleting a file (which is what made a round slower than scoring it). A line
    cut short by a crash or a full disk is skipped on reading, and the next record starts on
    a line of its own.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[bytes] | None = None
        self._reader: IO[bytes] | None = None
        self._end = 0

    def append(self, record: dict[str, Any]) -> int:
        """Append ``record``; the byte offset of its line (for :meth:`read_at`)."""
        return self.append_line(journal_line(record))

    def append_line(self, line: bytes) -> int:
        """Append a line :func:`journal_line` made (in a worker, say); its byte offset."""
        try:
            if self._handle is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._handle = open(self.path, "ab", buffering=0)  # noqa: SIM115 - kept open
                self._handle.seek(0, os.SEEK_END)
                self._end = self._handle.tell()
                if self._end and not _ends_with_newline(self.path):
                    self._end += self._handle.write(b"\n") or 0
            data = memoryview(line)
            offset = self._end
            while data:  # a short write (a disk filling up): the rest, or the disk's error
                written = self._handle.write(data) or 0
                if not written:
                    raise OSError(errno.ENOSPC, "nothing written")
                self._end += written
                data = data[written:]
            return offset
        except OSError as exc:  # a full disk: one sentence naming the journal
            raise unwritable(self.path, exc) from None

    def read_at(self, offset: int) -> dict[str, Any]:
        """The record whose line starts at ``offset`` (as :meth:`append` returned it)."""
        if self._reader is None:
            self._reader = open(self.path, "rb")  # noqa: SIM115 - kept open, closed by close()
        self._reader.seek(offset)
        data: dict[str, Any] = json.loads(self._reader.readline())
        return data

    def records(self) -> Iterator[dict[str, Any]]:
        try:
            with open(self.path, "rb") as f:
                for line in f:
                    try:
                        data = json.loads(line)
                    except ValueError:
                        continue  # cut short by a crash
                    if isinstance(data, dict):
                        yield data
        except FileNotFoundError:
            return

    def offsets(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """What :meth:`records` gives, each with the offset of its line."""
        try:
            with open(self.path, "rb") as f:
                offset = 0
                for line in f:
                    at, offset = offset, offset + len(line)
                    try:
                        data = json.loads(line)
                    except ValueError:
                        continue  # cut short by a crash
                    if isinstance(data, dict):
                        yield at, data
        except FileNotFoundError:
            return

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def remove(self) -> None:
        self.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1) == b"\n"


class ResultStore:
    """Per-application results in ``OUT/.evidencekit-batch/results/results.jsonl``, appended
    as each application is scored; the last record of an application is its result."""

    def __init__(self, out: Path) -> None:
        self.folder = out / STATE_DIR / "results"
        self._journal = _Journal(self.folder / "results.jsonl")
        self._index: dict[str, dict[str, Any]] | None = None

    def path(self, application_id: str) -> Path:
        """Where an earlier version kept one application's result (still read)."""
        return self.folder / f"{safe_name(application_id)}.json"

    def save(self, result: dict[str, Any]) -> int:
        """Store ``result``; its place in the journal, for :meth:`read`."""
        offset = self._journal.append(result)
        if self._index is not None:
            self._index[result["application_id"]] = result
        return offset

    def save_line(self, line: bytes) -> int:
        """Store a result already encoded by :func:`journal_line` (the worker that scored it
        encodes it, so the coordinator only appends bytes); its place, as :meth:`save`."""
        offset = self._journal.append_line(line)
        self._index = None  # read again from the journal if load() is asked after this
        return offset

    def read(self, offset: int) -> dict[str, Any]:
        """A result saved in this run, read back from the journal (the coordinator keeps
        only compact rows in memory, so a round of 100,000 does not hold every result)."""
        return self._journal.read_at(offset)

    def load(self, application_id: str) -> dict[str, Any] | None:
        if self._index is None:
            self._index = {}
            for data in self._journal.records():
                if isinstance(data.get("application_id"), str):
                    self._index[data["application_id"]] = data
        found = self._index.get(application_id)
        if found is not None:
            return found
        return self.load_at(application_id, None)

    def offsets(self) -> Iterator[tuple[str, int]]:
        """(application id, offset) of every result in the journal, in order: the last of
        an id is what :meth:`load` gives (see :meth:`load_at`)."""
        for offset, data in self._journal.offsets():
            if isinstance(data.get("application_id"), str):
                yield data["application_id"], offset

    def load_at(self, application_id: str, offset: int | None) -> dict[str, Any] | None:
        """What :meth:`load` gives, from the offset :meth:`offsets` gave last for the id
        (None: not in the journal), without an index of every result in memory."""
        if offset is not None:
            return self.read(offset)
        p = self.path(application_id)
        try:
            old: dict[str, Any] = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return old if isinstance(old, dict) and old.get("application_id") == application_id \
            else None

    def clear(self) -> None:
        """Forget every stored result (a run without ``--resume`` starts afresh)."""
        self._journal.remove()
        self._index = None

    def close(self) -> None:
        self._journal.close()


def mark_line(application_id: str, attempts: int) -> bytes:
    """A start mark's journal line: what :func:`journal_line` gives for
    ``{"application_id": application_id, "attempts": attempts}``, byte for byte, without
    building and walking the dict (the coordinator writes two a result).

    >>> mark_line('app-"1"', 2) == journal_line({"application_id": 'app-"1"', "attempts": 2})
    True
    """
    return (f'{{"application_id": {_json_text(application_id)}, "attempts": {int(attempts)}}}'
            "\n").encode()


class StartMarks:
    """``OUT/.evidencekit-batch/started/started.jsonl``: for each application being scored,
    how many attempts have started without a result (a record when one starts, another when
    it ends). A run killed outright (even the parent) leaves them behind, so ``--resume``
    knows which application was running; one that stopped two attempts is not tried again
    (see :mod:`.pool`)."""

    def __init__(self, out: Path) -> None:
        self.folder = out / STATE_DIR / "started"
        self._journal = _Journal(self.folder / "started.jsonl")

    def mark(self, application_id: str, attempts: int) -> None:
        self._journal.append_line(mark_line(application_id, attempts))

    def clear(self, application_id: str) -> None:
        self._journal.append_line(mark_line(application_id, 0))

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for data in self._journal.records():
            try:
                app_id, n = str(data["application_id"]), int(data["attempts"])
            except (ValueError, KeyError, TypeError):
                continue
            if n > 0:
                found[app_id] = n
            else:
                found.pop(app_id, None)
        if self.folder.is_dir():  # one file per application, as an earlier version kept them
            for p in self.folder.glob("*.json"):
                try:
                    data = json.loads(p.read_text(encoding="utf-8"))
                    found.setdefault(str(data["application_id"]), int(data["attempts"]))
                except (OSError, ValueError, KeyError, TypeError):
                    continue
        return found

    def clear_all(self) -> None:
        self._journal.remove()
        if self.folder.is_dir():
            for p in self.folder.glob("*.json"):
                with contextlib.suppress(OSError):
                    p.unlink()

    def close(self) -> None:
        self._journal.close()
