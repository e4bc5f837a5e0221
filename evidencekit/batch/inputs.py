"""Find the applications of a batch: a folder of submissions, or a CSV/XLSX manifest."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem

SUBMISSION_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Application:
    """One application: its id, its submission file, and the funder's own columns."""

    id: str
    path: Path
    extra: dict[str, str] = field(default_factory=dict)
    #: Reviewers' judgements of this application (evidencekit.review.model.Judgement), from
    #: the round's review store; None when the round has no review.
    judgements: tuple[Any, ...] | None = None


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
        files = [f for f in sorted(p.rglob("*"))
                 if f.is_file() and f.suffix.lower() in SUBMISSION_SUFFIXES
                 and not any(part.startswith(".") for part in f.relative_to(p).parts)]
        per_folder: dict[Path, int] = {}
        for f in files:
            per_folder[f.parent] = per_folder.get(f.parent, 0) + 1
        apps = [Application(i, f) for i, f in
                zip(unique_ids(files, p, per_folder), files, strict=True)]
        if not apps:
            raise InputError.one(str(p), "a folder containing submission files (.yaml, .yml "
                                 "or .json)", "none")
        return apps, []
    if p.suffix.lower() == ".csv":
        rows, line_of = _read_csv(p)
    elif p.suffix.lower() == ".xlsx":
        rows, line_of = _read_xlsx(p)
    else:
        raise InputError.one(str(p), "a folder, or a manifest ending .csv or .xlsx",
                             f"a {p.suffix or 'suffix-less'} file")
    return _from_rows(p, rows, line_of)


def _kind(p: Path) -> str:
    """What ``p`` is, in words (never "a folder" for a device or a FIFO)."""
    import stat

    try:
        mode = p.stat().st_mode
    except OSError as exc:
        return f"a path that cannot be read ({exc.strerror or exc})"
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


def _read_csv(p: Path) -> tuple[list[dict[str, str]], list[int]]:
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.one(str(p), "a UTF-8 CSV manifest", "bytes that are not UTF-8") from exc
    # Not str.splitlines(): it also splits at \v, \x85 and U+2028 and inside quoted cells.
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = [{k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
            for row in reader]
    return rows, [i + 2 for i in range(len(rows))]


def _read_xlsx(p: Path) -> tuple[list[dict[str, str]], list[int]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InputError.one(str(p), "an Excel (.xlsx) manifest", f"a file openpyxl cannot "
                             f"read ({type(exc).__name__})") from exc
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(it, ())]
    rows, lines = [], []
    for i, values in enumerate(it, start=2):
        if values is None or all(v is None for v in values):
            continue
        rows.append({h: "" if v is None else str(v).strip()
                     for h, v in zip(header, values, strict=False) if h})
        lines.append(i)
    wb.close()
    return rows, lines


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
    for row, line in zip(rows, lines, strict=True):
        aid, rel = row.get("application_id", ""), row.get("path", "")
        if not aid or not rel:
            problems.append(Problem(str(p), line, "application_id" if not aid else "path",
                                    "a value", "an empty cell"))
            continue
        if aid in seen:
            problems.append(Problem(str(p), line, "application_id", "a unique id",
                                    f"{aid!r}, already on line {seen[aid]}"))
            continue
        seen[aid] = line
        apps.append(Application(aid, (p.parent / rel), {c: row.get(c, "") for c in extra_cols}))
    if problems:
        raise InputError(problems)
    return apps, extra_cols
