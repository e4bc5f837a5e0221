"""Finding a round's submissions with one ``scandir`` per folder gives what pathlib gave.

The search used ``sorted(root.rglob("*"))`` with an ``lstat`` and a ``stat`` per file; it now
walks with ``os.scandir``. The reference below is the former search, kept here so the two
are compared on a folder holding every kind of entry: nested and hidden folders, names that
sort differently as strings and as paths, links in and out of the folder, to files and to
folders, and a named pipe.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from evidencekit.batch.inputs import SUBMISSION_SUFFIXES, _inside, _kind, _search


def _reference(root: Path) -> tuple[list[Path], dict[Path, str]]:
    base = root.resolve()
    files: list[Path] = []
    refused: dict[Path, str] = {}
    for f in sorted(root.rglob("*")):
        if any(part.startswith(".") for part in f.relative_to(root).parts):
            continue
        try:
            mode = f.lstat().st_mode
        except OSError:
            continue
        if stat.S_ISDIR(mode):
            continue
        if stat.S_ISLNK(mode):
            real = Path(os.path.realpath(f))
            if not _inside(real, base):
                if f.suffix.lower() in SUBMISSION_SUFFIXES or real.is_dir():
                    files.append(f)
                    refused[f] = ("a symbolic link to something outside the round's folder "
                                  "(only files inside it are read)")
                continue
            if real.is_dir():
                files.append(f)
                refused[f] = "a symbolic link to a folder (folders are not entered by links)"
                continue
        if f.suffix.lower() not in SUBMISSION_SUFFIXES:
            continue
        files.append(f)
        kind = _kind(f)
        if kind != "a file":
            refused[f] = kind
    return files, refused


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX links and pipes")
def test_the_walk_finds_what_the_pathlib_search_found(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("x: 1\n")
    root = tmp_path / "round"
    for rel in ["a.yaml", "a-b.yaml", "a/b.yaml", "a/c/d.yml", "a.b/e.json", "B.yaml",
                "z/.hidden.yaml", ".git/config.yaml", "x/data.csv", "x/sub.YAML",
                "deep/er/still/f.yaml", "space name/g.yaml", "é/h.yaml"]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x: 1\n")
    (root / "in.yaml").symlink_to(root / "a.yaml")
    (root / "out.yaml").symlink_to(outside / "secret.yaml")
    (root / "out-dir").symlink_to(outside)
    (root / "in-dir").symlink_to(root / "a")
    (root / "dangling.yaml").symlink_to(root / "missing.yaml")
    os.mkfifo(root / "pipe.yaml")
    files, refused = _search(root)
    assert (files, refused) == _reference(root)
    assert len(files) >= 12 and refused  # the folder holds what the test means it to
    assert root / "out.yaml" in refused and root / "pipe.yaml" in refused
    assert not any(".git" in f.parts or f.name.startswith(".") for f in files)
