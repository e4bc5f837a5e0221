"""The coordinator's bookkeeping of a round, on disk: the applications in the round's order,
what is kept of each result (to rank and count), and where ``--resume`` finds the earlier
results, in a private temporary SQLite database (deleted when it closes).

A round of 100,000 applications then costs the coordinating process about the memory of a
round of 10,000 (issue #15 item 3): nothing here holds one object per application.
Ids and paths are stored as bytes (UTF-8 with surrogates passed through, the order of the
code points; paths as the file system's bytes), so any name the file system gives round-trips
and sorts as Python sorts ``str``.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from .. import jsontext
from .inputs import Application

#: Rows fetched from the database at a time.
_BATCH = 512


def _b(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _s(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass")


class Ledger:
    """Applications (``seq`` is the round's order), kept results, earlier results' offsets."""

    def __init__(self) -> None:
        # "": a temporary database on disk, private to this connection, gone when it closes;
        # SQLite keeps a small page cache of it in memory.
        self.db = sqlite3.connect("", isolation_level=None)
        self.db.executescript("""
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
            BEGIN;
            CREATE TABLE apps (seq INTEGER PRIMARY KEY, id BLOB, path BLOB, extra TEXT,
                               refused TEXT, full BLOB);
            CREATE TABLE finals (seq INTEGER PRIMARY KEY);
            CREATE TABLE kept (seq INTEGER PRIMARY KEY, id BLOB, offset INTEGER, ok INTEGER,
                               reused INTEGER, shape INTEGER, k0, k1, k2);
            CREATE TABLE prev (id BLOB PRIMARY KEY, offset INTEGER);
        """)
        self._n = 0
        #: The distinct (gates, levels, titles, rubric) of the kept results, by number.
        self.shapes: list[tuple[tuple[str, ...], tuple[int, ...],
                                tuple[tuple[str, str], ...], str]] = []
        self._shape_of: dict[Any, int] = {}

    def close(self) -> None:
        self.db.close()

    # -- the applications -------------------------------------------------------------
    def add(self, apps: Iterable[Application]) -> None:
        """Append applications (in the round's order)."""
        self.db.executemany(
            "INSERT INTO apps VALUES (?, ?, ?, ?, ?, NULL)",
            ((self._next(), _b(a.id), os.fsencode(a.path),
              jsontext.dumps(a.extra) if a.extra else None, a.refused) for a in apps))

    def _next(self) -> int:
        self._n += 1
        return self._n

    def add_found(self, found: Iterable[tuple[str, Path, str, str | None]]) -> None:
        """Append (id, path, path relative to the round, refused) rows of a folder round."""
        self.db.executemany(
            "INSERT INTO apps VALUES (?, ?, ?, NULL, ?, ?)",
            ((self._next(), _b(i), os.fsencode(p), refused, _b(full))
             for i, p, full, refused in found))

    def unclash(self) -> None:
        """Name by their full relative path every application whose short id another one
        also has, until none clash (what :func:`.inputs.unique_ids` does in memory)."""
        while True:
            seqs = self.db.execute(
                "SELECT seq FROM apps WHERE id != full AND id IN "
                "(SELECT id FROM apps GROUP BY id HAVING COUNT(*) > 1)").fetchall()
            if not seqs:
                return
            self.db.executemany("UPDATE apps SET id = full WHERE seq = ?", seqs)

    def __len__(self) -> int:
        return self._n

    def seal(self) -> None:
        """The round is complete: index it by id (before anything reads it)."""
        self.db.execute("CREATE INDEX IF NOT EXISTS apps_id ON apps (id)")

    def seq_of(self, application_id: str) -> int | None:
        row = self.db.execute("SELECT MIN(seq) FROM apps WHERE id = ?",
                              (_b(application_id),)).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def applications(self, judgements: Callable[[str], tuple[Any, ...]] | None = None, *,
                     skip_finals: bool = False) -> Iterator[tuple[int, Application]]:
        """Every application in the round's order (with its judgements, when the round has a
        review), without those marked final when ``skip_finals``."""
        sql = "SELECT seq, id, path, extra, refused FROM apps"
        if skip_finals:
            sql += " WHERE seq NOT IN (SELECT seq FROM finals)"
        last = 0
        while True:  # in batches, each its own query: nothing is held between them
            rows = self.db.execute(sql + (" AND" if skip_finals else " WHERE") +
                                   " seq > ? ORDER BY seq LIMIT ?", (last, _BATCH)).fetchall()
            if not rows:
                return
            for seq, i, path, extra, refused in rows:
                app_id = _s(i)
                yield seq, Application(
                    app_id, Path(os.fsdecode(path)), json.loads(extra) if extra else {},
                    refused=refused,
                    judgements=judgements(app_id) if judgements is not None else None)
            last = rows[-1][0]

    def mark_final(self, seq: int) -> None:
        self.db.execute("INSERT OR IGNORE INTO finals VALUES (?)", (seq,))

    def finals(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM finals").fetchone()[0])

    # -- earlier results (--resume) -----------------------------------------------------
    def index_previous(self, offsets: Iterable[tuple[str, int]]) -> None:
        """Where each application's last earlier result starts in the journal."""
        self.db.executemany("INSERT OR REPLACE INTO prev VALUES (?, ?)",
                            ((_b(i), o) for i, o in offsets))

    def previous_offset(self, application_id: str) -> int | None:
        row = self.db.execute("SELECT offset FROM prev WHERE id = ?",
                              (_b(application_id),)).fetchone()
        return None if row is None else int(row[0])

    # -- kept results -------------------------------------------------------------------
    def keep(self, seq: int, r: dict[str, Any], offset: int, reused: bool,
             key: tuple[Any, ...] | None) -> None:
        """What ranking and the tables need of one result (``key``: its rank_key, when
        it was scored)."""
        ok = bool(r.get("ok"))
        shape = None
        k: tuple[Any, ...] = (None, None, None)
        if ok:
            assert key is not None
            row = r["row"]
            gates = tuple(g for g, _ in row["gates"])
            levels = tuple(int(n) for n, _ in row.get("levels", ()))
            titles = tuple((str(g), str(t)) for g, t in row.get("gate_titles", ()))
            rubric = str(row.get("rubric_id") or "")
            shape = self._shape_of.get((gates, levels, titles, rubric))
            if shape is None:
                shape = self._shape_of[(gates, levels, titles, rubric)] = len(self.shapes)
                self.shapes.append((gates, levels, titles, rubric))
            k = _sql_key(key, r["application_id"])
        self.db.execute("INSERT INTO kept VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (seq, _b(r["application_id"]), offset, int(ok),
                         int(reused or bool(r.get("reused"))), shape, *k))

    def is_kept(self, application_id: str) -> bool:
        seq = self.seq_of(application_id)
        return seq is not None and self.db.execute(
            "SELECT 1 FROM kept WHERE seq = ?", (seq,)).fetchone() is not None

    def counts(self) -> tuple[int, int, int]:
        """Kept results: scored, not scored, reused."""
        row = self.db.execute("SELECT COALESCE(SUM(ok), 0), COALESCE(SUM(1 - ok), 0), "
                              "COALESCE(SUM(reused), 0) FROM kept").fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    def shapes_in_order(self) -> list[tuple[int, int]]:
        """(shape, results of it) of the scored results, in the order each shape first
        appears among them in the round's order."""
        return [(int(s), int(n)) for s, n in self.db.execute(
            "SELECT shape, COUNT(*) FROM kept WHERE ok GROUP BY shape ORDER BY MIN(seq)")]

    def _offsets(self, where: str, order: str) -> Iterator[tuple[int, bool]]:
        # One cursor, read as the rows are written (nothing changes the table meanwhile).
        for offset, reused in self.db.execute(
                f"SELECT offset, reused FROM kept WHERE {where} ORDER BY {order}"):
            yield int(offset), bool(reused)

    def ranked(self) -> Iterator[int]:
        """Journal offsets of the scored results in rank order: ``outputs.rank_key``'s
        order, ties in the round's order (``outputs.ranked`` sorts stably)."""
        return (o for o, _ in self._offsets("ok", "k0, k1, k2, id, seq"))

    def failed(self) -> Iterator[int]:
        """Journal offsets of the results not scored, by application id."""
        return (o for o, _ in self._offsets("NOT ok", "id, seq"))

    def in_order(self) -> Iterator[tuple[int, bool]]:
        """(journal offset, reused) of every kept result in the round's order."""
        return self._offsets("1", "seq")


def _sql_key(key: tuple[Any, ...], application_id: str) -> tuple[Any, ...]:
    """``rank_key``'s first three parts as SQLite orders them the same (integers, booleans,
    numbers with infinities), the fourth being the application id (stored as bytes); a key
    of any other shape is refused, so a change to ``rank_key`` cannot go unseen.

    A NaN interval bound (which ``sorted`` cannot order, and the tables write as empty)
    ranks as no bound does:

    >>> _sql_key((-1, False, float("nan"), "a"), "a") == _sql_key((-1, False, math.inf, "a"), "a")
    True
    """
    lead = tuple(math.inf if isinstance(x, float) and x != x else x for x in key[:3])
    if (len(key) != 4 or key[3] != application_id
            or not all(isinstance(x, int | float) for x in lead)):
        raise ValueError(f"a rank key the ledger cannot order: {key!r}")
    return tuple(int(x) if isinstance(x, bool) else x for x in lead)
