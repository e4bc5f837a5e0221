"""Find the applications of a batch: a folder of submissions, or a CSV/XLSX manifest."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem, sanitise

SUBMISSION_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Application:
    """One application: its id, its submission file, and the funder's own columns."""

    id: str
    path: Path
    extra: dict[str, str] = field(default_factory=dict)
    #: Why the file must not be read, in words that quote nothing of it (a link out of the
    #: round's folder, a named pipe, a device); set by :func:`discover`, reported by
    #: :func:`check_submission` as this application's error.
    refused: str | None = None
    #: Reviewers' judgements of this application (evidencekit.review.model.Judgement), from
    #: the round's review store; None when the round has no review.
    judgements: tuple[Any, ...] | None = None


def check_submission(app: Application) -> None:
    """Raise the application's error if its file must not be read: refused when the round
    was searched, or (a manifest's path) anything but a regular file — a FIFO would block the
    worker for ever and a device never ends."""
    if app.refused is not None:
        raise InputError.one(str(app.path), "a regular submission file inside the round's "
                             "folder", app.refused)
    if app.path.exists() or app.path.is_symlink():
        kind = _kind(app.path)
        if kind != "a file":
            raise InputError.one(str(app.path), "a submission file", kind)


def discover(source: str | Path) -> tuple[list[Application], list[str]]:
    """Applications in ``source`` and the names of the manifest's extra columns.

    A folder is searched recursively for ``.yaml``/``.yml``/``.json`` files (each may sit in
    its own folder beside its data); the id is the path relative to the folder, without the
    suffix. A ``.csv`` or ``.xlsx`` manifest has one row per application with at least
    ``application_id`` and ``path`` (relative to the manifest); other columns are carried
    through to the outputs.
    """
    p = Path(source)
    if not p.exists():
        raise InputError.one(str(p), "a folder of submissions or a CSV/XLSX manifest",
                             "no such file or folder")
    kind = _kind(p)
    if kind not in ("a folder", "a file"):
        raise InputError.one(str(p), "a folder of submissions or a CSV/XLSX manifest", kind)
    if p.is_dir():
        files, refused = _search(p)
        per_folder: dict[Path, int] = {}
        for f in files:
            per_folder[f.parent] = per_folder.get(f.parent, 0) + 1
        apps = [Application(i, f, refused=refused.get(f)) for i, f in
                zip(unique_ids(files, p, per_folder), files, strict=True)]
        if not apps:
            raise InputError.one(str(p), "a folder containing submission files (.yaml, .yml "
                                 "or .json)", "none")
        return apps, []
    if p.suffix.lower() == ".json":  # a 360Giving grants package (evidencekit.threesixty)
        from ..threesixty import applications

        return applications(p)
    if p.suffix.lower() == ".csv":
        rows, line_of = _read_csv(p)
        from ..threesixty import looks_like_360giving_csv

        if rows and "application_id" not in rows[0] and looks_like_360giving_csv(list(rows[0])):
            from ..threesixty import applications

            return applications(p)
    elif p.suffix.lower() == ".xlsx":
        rows, line_of = _read_xlsx(p)
    else:
        raise InputError.one(str(p), "a folder, or a manifest ending .csv or .xlsx",
                             f"a {p.suffix or 'suffix-less'} file")
    return _from_rows(p, rows, line_of)


def discover_into(source: str | Path, ledger: Any) -> list[str]:
    """What :func:`discover` finds, appended to ``ledger`` (a :class:`.ledger.Ledger`) in the
    same order with the same ids, without a list of the round in memory when ``source`` is
    a folder (a manifest is read whole, as :func:`discover` reads it); the names of the
    manifest's extra columns."""
    p = Path(source)
    if not (p.exists() and p.is_dir() and _kind(p) == "a folder"):
        apps, columns = discover(p)
        ledger.add(apps)
        ledger.seal()
        return columns
    # Two passes over the files found, both on disk: how many submissions each folder
    # holds (a submission alone in its folder is named by the folder), then the ids.
    db = ledger.db
    db.execute("CREATE TEMP TABLE found (seq INTEGER PRIMARY KEY, path BLOB, parent BLOB, "
               "refused TEXT)")
    db.executemany("INSERT INTO found (path, parent, refused) VALUES (?, ?, ?)",
                   ((os.fsencode(f), os.fsencode(f.parent), why) for f, why in _found(p)))
    rows = db.execute("SELECT f.path, f.refused, c.n FROM found f JOIN (SELECT parent, "
                      "COUNT(*) AS n FROM found GROUP BY parent) c ON c.parent = f.parent "
                      "ORDER BY f.seq")

    def named() -> Iterator[tuple[str, Path, str, str | None]]:
        for path, why, n in rows:
            f = Path(os.fsdecode(path))
            yield _id(f, p, alone=n == 1), f, f.relative_to(p).as_posix(), why

    ledger.add_found(named())
    db.execute("DROP TABLE found")
    if not len(ledger):
        raise InputError.one(str(p), "a folder containing submission files (.yaml, .yml "
                             "or .json)", "none")
    ledger.unclash()
    ledger.seal()
    return []


def _search(root: Path) -> tuple[list[Path], dict[Path, str]]:
    """The submission files under ``root`` (hidden files and folders skipped), and why some
    of them must not be read.

    Nothing outside the round's folder is read (issue #12 item 1): a symbolic link is
    followed only when it resolves to a regular file inside the folder; a link out of it (to
    a system file, say, from an unpacked archive), a link to a folder, a named pipe, a device
    or a socket named like a submission becomes that application's error, never skipped in
    silence and never read. Folders are not entered through links.
    """
    files: list[Path] = []
    refused: dict[Path, str] = {}
    for f, why in _found(root):
        files.append(f)
        if why is not None:
            refused[f] = why
    return files, refused


def _found(root: Path) -> Iterator[tuple[Path, str | None]]:
    """What :func:`_search` finds, one file at a time: each path and why it is refused."""
    import stat

    base = root.resolve()
    for f, entry in _walk(root):
        try:
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError:
            continue
        if stat.S_ISLNK(mode):
            real = Path(os.path.realpath(f))
            if not _inside(real, base):
                if f.suffix.lower() in SUBMISSION_SUFFIXES or real.is_dir():
                    yield f, ("a symbolic link to something outside the round's folder "
                              "(only files inside it are read)")
                continue
            if real.is_dir():
                yield f, "a symbolic link to a folder (folders are not entered by links)"
                continue
        if f.suffix.lower() not in SUBMISSION_SUFFIXES:
            continue
        kind = _kind(f) if stat.S_ISLNK(mode) else _kind_of_mode(mode)
        yield f, (kind if kind != "a file" else None)


def _walk(root: Path) -> Iterator[tuple[Path, os.DirEntry[str]]]:
    """Every entry under ``root`` but folders, hidden names and what lies under them, in the
    order of ``sorted(root.rglob("*"))`` (paths compared part by part); folders are not
    entered through links. One ``scandir`` per folder: the entry types come with the listing,
    so a round of 100,000 files costs no ``stat`` per file to find (pathlib's ``rglob`` and
    ``relative_to`` cost about 0.14 ms a file)."""
    try:
        entries = _listing(root)
    except OSError:
        return
    for name, entry in entries:
        path = root / name
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            continue
        if is_dir:
            yield from _walk(path)
        else:
            yield path, entry


#: Entries of one folder sorted in memory; a larger folder (a round of 100,000 folders side
#: by side) is sorted on disk, so finding a round holds no list of it.
_LISTED_IN_MEMORY = 2_000


def _listing(folder: Path) -> Iterator[tuple[str, Any]]:
    """The folder's entries but hidden names, sorted by name (as ``str`` sorts), each with its
    ``os.DirEntry`` or, for a large folder, a stand-in that asks the file system again."""
    with os.scandir(folder) as it:
        head: list[os.DirEntry[str]] = []
        for e in it:
            if not e.name.startswith("."):
                head.append(e)
                if len(head) > _LISTED_IN_MEMORY:
                    break
        else:
            head.sort(key=lambda e: e.name)
            return iter([(e.name, e) for e in head])
        import sqlite3

        db = sqlite3.connect("")  # a private temporary database on disk, gone when closed
        db.execute("CREATE TABLE names (name BLOB, dir INTEGER)")

        def rows(entries: Iterator[os.DirEntry[str]]) -> Iterator[tuple[bytes, int | None]]:
            for e in entries:
                if not e.name.startswith("."):
                    try:
                        is_dir: int | None = int(e.is_dir(follow_symlinks=False))
                    except OSError:
                        is_dir = None
                    # UTF-8 with surrogates passed through sorts as the code points do
                    yield e.name.encode("utf-8", "surrogatepass"), is_dir

        db.executemany("INSERT INTO names VALUES (?, ?)", rows(iter(head)))
        head.clear()
        db.executemany("INSERT INTO names VALUES (?, ?)", rows(it))
    return _sorted_names(db, folder)


def _sorted_names(db: Any, folder: Path) -> Iterator[tuple[str, Any]]:
    try:
        for name, is_dir in db.execute("SELECT name, dir FROM names ORDER BY name"):
            text = name.decode("utf-8", "surrogatepass")
            yield text, _Listed(os.path.join(folder, text), is_dir)
    finally:
        db.close()


class _Listed:
    """What :func:`_walk` asks of an ``os.DirEntry`` (whether it is a folder, as the listing
    said; its ``lstat``), for an entry of a folder listed on disk."""

    __slots__ = ("_dir", "path")

    def __init__(self, path: str, is_dir: int | None) -> None:
        self.path, self._dir = path, is_dir

    def is_dir(self, *, follow_symlinks: bool = True) -> bool:
        if self._dir is None:
            raise OSError(f"{self.path}: the entry could not be read")
        return bool(self._dir)

    def stat(self, *, follow_symlinks: bool = True) -> os.stat_result:
        return os.stat(self.path, follow_symlinks=follow_symlinks)


def _inside(path: Path, root: Path) -> bool:
    try:
        return os.path.commonpath([path, root]) == str(root)
    except ValueError:  # another drive (Windows)
        return False


def _kind(p: Path) -> str:
    """What ``p`` is, in words (never "a folder" for a device or a FIFO)."""

    try:
        mode = p.stat().st_mode
    except OSError as exc:
        return f"a path that cannot be read ({exc.strerror or exc})"
    return _kind_of_mode(mode)


def _kind_of_mode(mode: int) -> str:
    import stat

    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISREG(mode):
        return "a file"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def unique_ids(files: list[Path], root: Path, per_folder: dict[Path, int]) -> list[str]:
    """One id per file, unique by construction: ``alpha`` for ``alpha.yaml`` or
    ``alpha/submission.yaml``; when two files would get the same id (``alpha.yaml`` beside
    ``alpha/submission.yaml``, ``a.yaml`` beside ``a.json``) both are named by their path
    with its suffix instead (``alpha.yaml``, ``alpha/submission.yaml``), so none is lost.

    >>> root = Path("r")
    >>> fs = [root / "a.json", root / "a.yaml", root / "b.yaml"]
    >>> unique_ids(fs, root, {root: 3})
    ['a.json', 'a.yaml', 'b']
    """
    ids = [_id(f, root, alone=per_folder[f.parent] == 1) for f in files]
    full = [f.relative_to(root).as_posix() for f in files]
    while True:
        seen: dict[str, int] = {}
        for i in ids:
            seen[i] = seen.get(i, 0) + 1
        clash = [k for k, i in enumerate(ids) if seen[i] > 1 and ids[k] != full[k]]
        if not clash:
            return ids
        for k in clash:
            ids[k] = full[k]


def _id(f: Path, root: Path, *, alone: bool) -> str:
    """``round/alpha`` for ``round/alpha.yaml``; the folder's path when a submission sits alone
    in its own folder (``alpha/submission.yaml`` is application ``alpha``)."""
    if alone and f.parent != root:
        return f.parent.relative_to(root).as_posix()
    return f.relative_to(root).with_suffix("").as_posix()


#: Bytes of a manifest (a CSV manifest is held in memory; an .xlsx one is streamed within
#: the data-file limits of :mod:`evidencekit.load.data.limits`).
MANIFEST_BYTES = 64 << 20
#: Application rows in a manifest.
MANIFEST_ROWS = 1_000_000


def _read_csv(p: Path) -> tuple[list[dict[str, str]], list[int]]:
    from ..load.document import read_bytes

    raw = read_bytes(p, what="a manifest", max_bytes=MANIFEST_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.one(str(p), "a UTF-8 CSV manifest", "bytes that are not UTF-8") from exc
    # Not str.splitlines(): it also splits at \v, \x85 and U+2028 and inside quoted cells.
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    try:
        for row in reader:
            if len(rows) >= MANIFEST_ROWS:
                raise _too_many(p)
            rows.append({k.strip(): (v or "").strip() for k, v in row.items()
                         if isinstance(k, str) and isinstance(v, str | None)})
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise InputError.one(str(p), "a CSV manifest", f"a line the CSV reader cannot read "
                             f"({sanitise(str(exc))[:80]})", line=reader.line_num) from None
    return rows, lines


def _too_many(p: Path) -> InputError:
    return InputError.one(str(p), f"a manifest of at most {MANIFEST_ROWS:,} applications "
                          "(evidencekit's limit)", "more rows than that")


def _read_xlsx(p: Path) -> tuple[list[dict[str, str]], list[int]]:
    """The manifest's rows, read by the data files' own .xlsx reader: streamed, every row
    whatever ``<dimension>`` says, DTDs and entities refused, sizes and counts capped
    (:mod:`evidencekit.load.data.xlsx`) — never by openpyxl, which trusts the XML."""
    from ..load.data import DataFile
    from ..load.data.xlsx import table
    from ..load.model import DataSource

    data = DataFile(DataSource(path=p, columns={}), [])
    names, values = table(data)
    header = [str(h).strip() for h in names]
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    for i, row in values:
        if len(rows) >= MANIFEST_ROWS:
            raise _too_many(p)
        rows.append({h: "" if v is None else _cell_text(v).strip()
                     for h, v in zip(header, row, strict=False) if h})
        lines.append(i)
    return rows, lines


def _cell_text(value: object) -> str:
    """A manifest cell as text (a whole number without ``.0``; a date as ISO 8601)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _from_rows(p: Path, rows: list[dict[str, str]],
               lines: list[int]) -> tuple[list[Application], list[str]]:
    if not rows:
        raise InputError.one(str(p), "a manifest with at least one application row", "none")
    columns = list(rows[0])
    missing = [c for c in ("application_id", "path") if c not in columns]
    if missing:
        raise InputError.one(str(p), "the columns application_id and path", "columns " +
                             ", ".join(repr(c) for c in columns), line=1)
    problems = []
    apps = []
    seen: dict[str, int] = {}
    extra_cols = [c for c in columns if c not in ("application_id", "path")]
    shown = _manifest_names(extra_cols)
    for row, line in zip(rows, lines, strict=True):
        aid, rel = row.get("application_id", ""), row.get("path", "")
        if not aid or not rel:
            problems.append(Problem(str(p), line, "application_id" if not aid else "path",
                                    "a value", "an empty cell"))
            continue
        bad = next((c for c in rel if ord(c) < 32 or c == "\x7f"), None)
        if bad is not None:  # a NUL would reach the operating system as a path
            problems.append(Problem(str(p), line, "path", "a file path without control "
                                    "characters", f"the control character U+{ord(bad):04X}"))
            continue
        if aid in seen:
            problems.append(Problem(str(p), line, "application_id", "a unique id",
                                    f"{aid!r}, already on line {seen[aid]}"))
            continue
        seen[aid] = line
        apps.append(Application(aid, (p.parent / rel),
                                {shown[c]: row.get(c, "") for c in extra_cols}))
    if problems:
        raise InputError(problems)
    return apps, [shown[c] for c in extra_cols]


def _manifest_names(columns: list[str]) -> dict[str, str]:
    """The name each of the funder's columns gets in the outputs: its own, unless the scores
    table already has a column of that name (``level``, ``programme``, ``gate:...``), when it
    becomes ``level (manifest)`` — visibly renamed, never silently dropped.

    >>> _manifest_names(["amount", "level", "gate:x"])
    {'amount': 'amount', 'level': 'level (manifest)', 'gate:x': 'gate:x (manifest)'}
    """
    from .outputs import BASE_COLUMNS

    taken = set(BASE_COLUMNS)
    out: dict[str, str] = {}
    for c in columns:
        name = f"{c} (manifest)" if c in taken or c.startswith("gate:") else c
        while name in taken:
            name = f"{name} (manifest)"
        taken.add(name)
        out[c] = name
    return out
