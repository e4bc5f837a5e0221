"""Opening a data file a submission names: the one rule for every path read from it.

:func:`open_inside` resolves the path (symbolic links included), requires a regular file
inside the submission's folder and opens it without following any link that could have
appeared since (SPEC §1 ``data:``; issue #12 item 1). Every reader here, the hashes in
batch and report provenance, and the web app's upload reading go through it.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

__all__ = ["FileRefused", "display_path", "file_kind", "open_inside", "sha256_inside"]


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


def file_kind(mode: int) -> str:
    """What a file of this ``st_mode`` is, in words ("a named pipe (FIFO)", "a device")."""
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
            raise FileRefused(file_kind(before.st_mode))
        try:
            fd = os.open(leaf, os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK | _O_NOCTTY | _O_CLOEXEC,
                         dir_fd=dirs[-1])
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise FileRefused(file_kind(stat.S_IFLNK)) from None
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
            raise FileRefused(file_kind(st.st_mode))
        if before is not None and (st.st_dev, st.st_ino) != (before.st_dev, before.st_ino):
            raise FileRefused("a file that was replaced while it was being opened")
        if _O_NONBLOCK:
            import fcntl

            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~_O_NONBLOCK)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")
