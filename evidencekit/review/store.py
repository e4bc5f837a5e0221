"""The round's review store: reviewers, assignments, conflicts and an append-only audit
trail of every judgement, in SQLite (default) or PostgreSQL, behind one small interface.

* SQLite: one file in the round folder (:data:`DEFAULT_FILE`), WAL mode, ``synchronous =
  FULL``: a write is on disk before it is acknowledged, so a killed server loses nothing it
  acknowledged; several processes may write at once (``BEGIN IMMEDIATE``, busy timeout).
* PostgreSQL: ``postgresql://…`` (needs ``evidencekit[postgresql]``: psycopg 3); the same
  tables and statements.

Every action is a row of ``audit`` (who, when, what, against which submission SHA-256);
rows are never changed or deleted (a trigger refuses it on both databases). Judgements are
read from it, so what a reviewer recorded is exactly what the trail shows. A request id
makes a retried write (a browser re-sending a form) count once.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..vocabulary import DEFAULT_RUBRIC
from .files import now
from .model import DECISIONS, ROLES, Judgement

DEFAULT_FILE = "evidencekit-review.sqlite3"

_TABLES = (
    "CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS reviewers (name TEXT PRIMARY KEY, role TEXT NOT NULL, "
    "salt TEXT NOT NULL, token_hash TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS applications (id TEXT PRIMARY KEY, path TEXT NOT NULL, "
    "sha256 TEXT)",
    "CREATE TABLE IF NOT EXISTS assignments (application TEXT NOT NULL, reviewer TEXT NOT "
    "NULL, PRIMARY KEY (application, reviewer))",
)
_AUDIT = ("CREATE TABLE IF NOT EXISTS audit ({seq}, at TEXT NOT NULL, actor TEXT NOT NULL, "
          "action TEXT NOT NULL, application TEXT, criterion TEXT, decision TEXT, role TEXT, "
          "reason TEXT, submission_sha256 TEXT, request_id TEXT UNIQUE)")
_SQLITE_GUARD = (
    "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
)
_PG_GUARD = (
    "CREATE OR REPLACE FUNCTION evidencekit_append_only() RETURNS trigger AS $$ BEGIN "
    "RAISE EXCEPTION 'the audit trail is append-only'; END $$ LANGUAGE plpgsql",
    "CREATE OR REPLACE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit "
    "FOR EACH ROW EXECUTE FUNCTION evidencekit_append_only()",
)
#: Actions of the audit trail.
ACTIONS = ("reviewer", "application", "assign", "unassign", "conflict", "judgement",
           "submitted", "setting")


class ReviewError(InputError):
    """A review action that cannot be done (not assigned, a conflict, a stale version…)."""


@dataclass(frozen=True)
class Reviewer:
    name: str
    role: str  # reviewer | moderator


@dataclass(frozen=True)
class Settings:
    #: Agreeing reviewers a claim needs (2: two reviewers per application).
    reviewers_required: int = 1
    #: Reviewers see others' judgements of an application only after submitting their own.
    blind: bool = True
    #: The rubric the round is assessed with (a bundled id or a path).
    rubric: str = DEFAULT_RUBRIC


def _hash(token: str, salt: str) -> str:
    return hashlib.pbkdf2_hmac("sha256", token.encode("utf-8"), salt.encode(), 50_000).hex()


def open_store(round_dir: str | Path | None = None, database: str | None = None
               ) -> ReviewStore:
    """The review store of a round: ``database`` (a ``postgresql://`` URL or a SQLite file)
    or the round folder's :data:`DEFAULT_FILE`."""
    if database is None:
        if round_dir is None:
            raise ReviewError.one(None, "a round folder or --database", "neither")
        return ReviewStore(str(Path(round_dir) / DEFAULT_FILE))
    return ReviewStore(database)


class ReviewStore:
    """One interface over SQLite and PostgreSQL (see the module doc)."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.postgres = where.startswith(("postgresql://", "postgres://"))
        if not self.postgres:
            path = Path(where)
            if path.exists() and not path.is_file():
                raise ReviewError.one(where, "a SQLite database file", "a folder or device")
            if not path.parent.is_dir():
                raise ReviewError.one(where, "a file in an existing folder",
                                      "a folder that does not exist")
        self._create()

    # -- connections ----------------------------------------------------------------------

    def _connect(self) -> Any:
        if self.postgres:
            try:
                import psycopg
            except ImportError as exc:
                raise ReviewError.one(None, "the PostgreSQL driver (pip install "
                                      "'evidencekit[postgresql]')", "it is not installed"
                                      ) from exc
            try:
                return psycopg.connect(self.where, connect_timeout=10)
            except psycopg.Error as exc:
                raise ReviewError.one(None, "a PostgreSQL server that accepts the connection",
                                      _first_line(exc)) from exc
        try:
            con = sqlite3.connect(self.where, timeout=30, isolation_level=None)
            con.execute("PRAGMA busy_timeout = 30000")
            con.execute("PRAGMA synchronous = FULL")
            con.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as exc:
            raise ReviewError.one(self.where, "a SQLite database file", _first_line(exc)
                                  ) from exc
        return con

    @contextmanager
    def _tx(self, write: bool = False) -> Iterator[Any]:
        """A transaction: committed on success, rolled back on error; the connection is
        closed after it (each request has its own, so threads never share one)."""
        con = self._connect()
        try:
            if self.postgres:
                with con.transaction():
                    cur = con.cursor()
                    yield _Cursor(cur, True)
            else:
                con.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    yield _Cursor(con.cursor(), False)
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
                con.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise ReviewError.one(self.where, "a usable review database", _first_line(exc)
                                  ) from exc
        finally:
            con.close()

    def _create(self) -> None:
        if not self.postgres:
            con = self._connect()
            try:
                mode = con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise ReviewError.one(self.where, "a database that can use WAL mode",
                                          f"journal mode {mode}")
            except sqlite3.DatabaseError as exc:
                raise ReviewError.one(self.where, "a SQLite database file", _first_line(exc)
                                      ) from exc
            finally:
                con.close()
        seq = ("seq BIGSERIAL PRIMARY KEY" if self.postgres
               else "seq INTEGER PRIMARY KEY AUTOINCREMENT")
        with self._tx(write=True) as cur:
            if self.postgres:  # one creator at a time
                cur.execute("SELECT pg_advisory_xact_lock(1616161616)")
            for sql in (*_TABLES, _AUDIT.format(seq=seq),
                        *(_PG_GUARD if self.postgres else _SQLITE_GUARD)):
                cur.execute(sql)

    # -- audit ----------------------------------------------------------------------------

    def _append(self, cur: _Cursor, actor: str, action: str, *, application: str | None = None,
                criterion: str | None = None, decision: str | None = None,
                role: str | None = None, reason: str | None = None,
                sha256: str | None = None, request_id: str | None = None,
                at: str | None = None) -> int:
        cur.execute("INSERT INTO audit (at, actor, action, application, criterion, decision, "
                    "role, reason, submission_sha256, request_id) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq",
                    (at or now(), actor, action, application, criterion, decision, role,
                     reason, sha256, request_id))
        return int(cur.fetchone()[0])

    def audit(self) -> list[dict[str, Any]]:
        """Every row of the audit trail, oldest first."""
        cols = ("seq", "at", "actor", "action", "application", "criterion", "decision",
                "role", "reason", "submission_sha256")
        with self._tx() as cur:
            cur.execute(f"SELECT {', '.join(cols)} FROM audit ORDER BY seq")
            return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    # -- the funder's set-up --------------------------------------------------------------

    def settings(self) -> Settings:
        with self._tx() as cur:
            cur.execute("SELECT key, value FROM settings")
            values = dict(cur.fetchall())
        return Settings(int(values.get("reviewers_required", 1)),
                        values.get("blind", "true") == "true", values.get("rubric", DEFAULT_RUBRIC))

    def configure(self, *, reviewers_required: int | None = None, blind: bool | None = None,
                  rubric: str | None = None, actor: str = "funder") -> None:
        with self._tx(write=True) as cur:
            for key, value in (("reviewers_required", reviewers_required), ("blind", blind),
                               ("rubric", rubric)):
                if value is None:
                    continue
                text = str(value).lower() if isinstance(value, bool) else str(value)
                cur.execute("DELETE FROM settings WHERE key = ?", (key,))
                cur.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (key, text))
                self._append(cur, actor, "setting", criterion=key, reason=text)

    def add_reviewer(self, name: str, token: str, role: str = "reviewer", *,
                     actor: str = "funder") -> None:
        """Add a reviewer (or change their token or role); the token is kept only hashed."""
        if role not in ROLES:
            raise ReviewError.one(None, "reviewer or moderator", repr(role), key="role")
        if len(token) < 12:
            raise ReviewError.one(None, "a token of at least 12 characters",
                                  f"{len(token)} characters", key=f"reviewers.{name}.token")
        salt = secrets.token_hex(16)
        with self._tx(write=True) as cur:
            cur.execute("DELETE FROM reviewers WHERE name = ?", (name,))
            cur.execute("INSERT INTO reviewers (name, role, salt, token_hash) VALUES "
                        "(?, ?, ?, ?)", (name, role, salt, _hash(token, salt)))
            self._append(cur, actor, "reviewer", criterion=name, role=role)

    def reviewers(self) -> list[Reviewer]:
        with self._tx() as cur:
            cur.execute("SELECT name, role FROM reviewers ORDER BY name")
            return [Reviewer(n, r) for n, r in cur.fetchall()]

    def authenticate(self, name: str, token: str) -> Reviewer | None:
        """The reviewer whose name and token these are, or None (never says which is
        wrong)."""
        with self._tx() as cur:
            cur.execute("SELECT role, salt, token_hash FROM reviewers WHERE name = ?", (name,))
            row = cur.fetchone()
        if row is None:
            _hash(token, "x" * 32)  # the same work either way
            return None
        role, salt, stored = row
        return Reviewer(name, role) if hmac.compare_digest(_hash(token, salt), stored) else None

    def register(self, application: str, path: str, sha256: str | None, *,
                 actor: str = "funder") -> bool:
        """Record an application's submission and its current SHA-256; True when it is new
        or changed (the judgements made on the earlier version are then stale)."""
        with self._tx(write=True) as cur:
            cur.execute("SELECT sha256 FROM applications WHERE id = ?", (application,))
            row = cur.fetchone()
            if row is not None and row[0] == sha256:
                cur.execute("UPDATE applications SET path = ? WHERE id = ?", (path, application))
                return False
            cur.execute("DELETE FROM applications WHERE id = ?", (application,))
            cur.execute("INSERT INTO applications (id, path, sha256) VALUES (?, ?, ?)",
                        (application, path, sha256))
            self._append(cur, actor, "application", application=application, sha256=sha256,
                         reason=path)
            return True

    def applications(self) -> dict[str, tuple[str, str | None]]:
        """Every application: id → (submission path, current SHA-256)."""
        with self._tx() as cur:
            cur.execute("SELECT id, path, sha256 FROM applications ORDER BY id")
            return {i: (p, s) for i, p, s in cur.fetchall()}

    def assign(self, application: str, reviewer: str, *, actor: str = "funder") -> None:
        with self._tx(write=True) as cur:
            self._known(cur, application=application, reviewer=reviewer)
            cur.execute("SELECT 1 FROM assignments WHERE application = ? AND reviewer = ?",
                        (application, reviewer))
            if cur.fetchone() is None:
                cur.execute("INSERT INTO assignments (application, reviewer) VALUES (?, ?)",
                            (application, reviewer))
                self._append(cur, actor, "assign", application=application,
                             criterion=reviewer)

    def assigned(self, reviewer: str) -> list[str]:
        """The applications assigned to ``reviewer`` (those with a declared conflict left
        out)."""
        with self._tx() as cur:
            cur.execute("SELECT application FROM assignments WHERE reviewer = ? "
                        "ORDER BY application", (reviewer,))
            apps = [a for (a,) in cur.fetchall()]
            conflicted = self._conflicts(cur, reviewer)
        return [a for a in apps if a not in conflicted]

    def assignments(self) -> dict[str, list[str]]:
        with self._tx() as cur:
            cur.execute("SELECT application, reviewer FROM assignments ORDER BY application, "
                        "reviewer")
            out: dict[str, list[str]] = {}
            for a, r in cur.fetchall():
                out.setdefault(a, []).append(r)
            return out

    def _conflicts(self, cur: _Cursor, reviewer: str) -> set[str]:
        cur.execute("SELECT application FROM audit WHERE action = 'conflict' AND actor = ?",
                    (reviewer,))
        return {a for (a,) in cur.fetchall()}

    def conflicts(self) -> list[dict[str, Any]]:
        return [row for row in self.audit() if row["action"] == "conflict"]

    def _known(self, cur: _Cursor, *, application: str | None = None,
               reviewer: str | None = None) -> tuple[str | None, str | None]:
        """The application's current SHA-256 and the reviewer's role (errors if unknown)."""
        sha = role = None
        if application is not None:
            cur.execute("SELECT sha256 FROM applications WHERE id = ?", (application,))
            row = cur.fetchone()
            if row is None:
                raise ReviewError.one(None, "an application of this round",
                                      repr(application), key="application")
            sha = row[0]
        if reviewer is not None:
            cur.execute("SELECT role FROM reviewers WHERE name = ?", (reviewer,))
            row = cur.fetchone()
            if row is None:
                raise ReviewError.one(None, "a reviewer of this round", repr(reviewer),
                                      key="reviewer")
            role = row[0]
        return sha, role

    def may_review(self, cur: _Cursor, application: str, reviewer: str) -> None:
        cur.execute("SELECT 1 FROM assignments WHERE application = ? AND reviewer = ?",
                    (application, reviewer))
        if cur.fetchone() is None:
            raise ReviewError.one(None, f"an application assigned to {reviewer}",
                                  repr(application), key="application")
        if application in self._conflicts(cur, reviewer):
            raise ReviewError.one(None, "an application without a declared conflict of "
                                  "interest", f"{application!r}, where {reviewer} declared one",
                                  key="application")

    def declare_conflict(self, application: str, reviewer: str, reason: str,
                         request_id: str | None = None) -> int:
        """A reviewer declares a conflict of interest: they are excluded from the
        application (and their judgements on it no longer count)."""
        with self._tx(write=True) as cur:
            self._known(cur, application=application, reviewer=reviewer)
            if request_id is not None and (seq := self._seen(cur, request_id)) is not None:
                return seq
            return self._append(cur, reviewer, "conflict", application=application,
                                reason=reason, request_id=request_id)

    def _seen(self, cur: _Cursor, request_id: str) -> int | None:
        cur.execute("SELECT seq FROM audit WHERE request_id = ?", (request_id,))
        row = cur.fetchone()
        return int(row[0]) if row is not None else None

    # -- judgements -----------------------------------------------------------------------

    def record(self, judgement: Judgement, request_id: str | None = None) -> int:
        """Append a judgement (its audit-trail number). The reviewer must be assigned and
        free of conflict (a moderator may judge any application), and the judgement must be
        made on the application's current version. The same ``request_id`` twice is one
        judgement."""
        return self.record_many([(judgement, request_id)])[0]

    def record_many(self, judgements: Sequence[tuple[Judgement, str | None]], *,
                    source: str | None = None,
                    lines: Sequence[int | None] | None = None) -> list[int]:
        """Append several judgements (each with its request id) in one transaction: every
        one is recorded, or none is — the first that may not be is named (by ``source``
        and its line in ``lines``, when given). Their audit-trail numbers, in order."""
        with self._tx(write=True) as cur:
            out = []
            for i, (j, request_id) in enumerate(judgements):
                try:
                    out.append(self._record(cur, j, request_id))
                except ReviewError as exc:
                    if source is None:
                        raise
                    p = exc.problems[0]
                    raise ReviewError([replace(p, file=source, line=lines[i] if lines
                                               else None, key=f"judgements[{i}].{p.key}"
                                               if p.key else f"judgements[{i}]")]) from exc
            return out

    def _record(self, cur: _Cursor, j: Judgement, request_id: str | None) -> int:
        if j.decision not in DECISIONS or j.role not in ROLES:
            raise ReviewError.one(None, "validated or rejected by a reviewer or moderator",
                                  f"{j.decision!r} by a {j.role!r}", key="decision")
        if request_id is not None and (seq := self._seen(cur, request_id)) is not None:
            return seq
        sha, role = self._known(cur, application=j.application, reviewer=j.reviewer)
        if j.role == "moderator":
            if role != "moderator":
                raise ReviewError.one(None, "a moderator", f"{j.reviewer} (a reviewer)",
                                      key="role")
            if not j.reason:
                raise ReviewError.one(None, "a moderator's reason for the decision",
                                      "nothing", key="reason")
            if j.application in self._conflicts(cur, j.reviewer):
                raise ReviewError.one(None, "a moderator without a conflict of interest",
                                      f"{j.reviewer}, who declared one", key="reviewer")
        else:
            self.may_review(cur, j.application, j.reviewer)
        if j.submission_sha256 is not None and j.submission_sha256 != sha:
            raise ReviewError.one(None, "a judgement on the submission's current version "
                                  f"({(sha or '?')[:12]}…)",
                                  f"one on version {j.submission_sha256[:12]}… (the "
                                  "submission has changed: look at it again)",
                                  key="submission_sha256")
        return self._append(cur, j.reviewer, "judgement", application=j.application,
                            criterion=j.criterion, decision=j.decision, role=j.role,
                            reason=j.reason, sha256=sha, request_id=request_id,
                            at=j.at)

    def mark_submitted(self, application: str, reviewer: str,
                       request_id: str | None = None) -> int:
        """The reviewer has finished with the application: with blind review they may now
        see the others' judgements."""
        with self._tx(write=True) as cur:
            if request_id is not None and (seq := self._seen(cur, request_id)) is not None:
                return seq
            sha, role = self._known(cur, application=application, reviewer=reviewer)
            if role != "moderator":
                self.may_review(cur, application, reviewer)
            return self._append(cur, reviewer, "submitted", application=application,
                                sha256=sha, request_id=request_id)

    def submitted(self, application: str, reviewer: str) -> bool:
        with self._tx() as cur:
            cur.execute("SELECT 1 FROM audit WHERE action = 'submitted' AND application = ? "
                        "AND actor = ?", (application, reviewer))
            return cur.fetchone() is not None

    def judgements(self, application: str | None = None) -> list[Judgement]:
        """Every judgement (of one application), oldest first — those of a reviewer who
        later declared a conflict of interest on the application left out."""
        sql = ("SELECT seq, application, criterion, decision, actor, reason, at, "
               "submission_sha256, role FROM audit WHERE action = 'judgement'")
        args: tuple[Any, ...] = ()
        if application is not None:
            sql += " AND application = ?"
            args = (application,)
        with self._tx() as cur:
            cur.execute(sql + " ORDER BY seq", args)
            rows = cur.fetchall()
            cur.execute("SELECT application, actor FROM audit WHERE action = 'conflict'")
            conflicted = {(a, r) for a, r in cur.fetchall()}
        return [Judgement(a, c, d, who, reason or "", at, sha, role, int(seq))
                for seq, a, c, d, who, reason, at, sha, role in rows
                if (a, who) not in conflicted]

    def visible_judgements(self, application: str, reviewer: Reviewer) -> list[Judgement]:
        """What ``reviewer`` may see of an application's judgements: with blind review, only
        their own until they have submitted (a moderator sees all)."""
        every = self.judgements(application)
        if (reviewer.role == "moderator" or not self.settings().blind
                or self.submitted(application, reviewer.name)):
            return every
        return [j for j in every if j.reviewer == reviewer.name]


class _Cursor:
    """A cursor that takes ``?`` placeholders on both databases."""

    def __init__(self, cur: Any, postgres: bool) -> None:
        self.cur, self.postgres = cur, postgres

    def execute(self, sql: str, args: Sequence[Any] = ()) -> None:
        if self.postgres:
            sql = sql.replace("%", "%%").replace("?", "%s")
        self.cur.execute(sql, tuple(args))

    def fetchone(self) -> Any:
        return self.cur.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self.cur.fetchall())


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def new_token() -> str:
    """A random reviewer token (URL-safe, 128 bits)."""
    return secrets.token_urlsafe(16)


def database_from_env() -> str | None:
    return os.environ.get("EVIDENCEKIT_REVIEW_DATABASE") or None
