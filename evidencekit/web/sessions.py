"""Server-side sessions: answers, a CSRF token and a private folder per browser.

A session is found by a random cookie (``secrets.token_urlsafe``, 256 bits); nothing a person
entered is put in the cookie. Each session owns a temporary folder (mode 0700) for its uploads;
the folder is deleted when the person ends the session, when it has been idle longer than the
timeout, or when the server stops.

Nobody can lock the app: a session made for a request without a cookie is *provisional* until
the browser sends its cookie back (a person who clicks on; a script or an ``<img>`` tag on
another site never does). Provisional sessions are held in a small pool of their own, oldest
evicted first, and time out after ten minutes, so they never keep a new visitor out. Returned
sessions are limited per client address (a client's own oldest is evicted beyond the limit);
only when the whole store is full of returned sessions of many clients, none idle for a
quarter of an hour, is a new visitor asked to come back later.
"""

from __future__ import annotations

import hmac
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..questionnaire import DATA_FOLDER, Answers

COOKIE = "evidencekit_session"


class Busy(Exception):
    """Too many sessions are open."""


@dataclass
class Session:
    id: str
    csrf: str
    folder: Path
    created: float
    touched: float
    answers: Answers = field(default_factory=Answers)
    #: Original names of uploaded files, by their stored path relative to ``folder``.
    uploads: dict[str, str] = field(default_factory=dict)
    #: Results worked out from the answers, keyed by what they were computed from.
    cache: dict[str, Any] = field(default_factory=dict)
    notice: str | None = None
    #: The client address the session was made for.
    client: str = ""
    #: True once the browser has sent the session's cookie back.
    returned: bool = False

    @property
    def data_dir(self) -> Path:
        return self.folder / DATA_FOLDER

    def check_csrf(self, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(token.encode(), self.csrf.encode())


class SessionStore:
    """Sessions by cookie value, with their folders under one private root folder."""

    def __init__(self, timeout_seconds: float, *, max_sessions: int = 500,
                 clock: Callable[[], float] = time.monotonic, max_provisional: int = 200,
                 provisional_timeout: float = 600.0, per_client: int = 50,
                 evictable_after: float = 900.0) -> None:
        self.timeout = timeout_seconds
        self.max_sessions = max_sessions
        self.max_provisional = max_provisional
        self.provisional_timeout = min(provisional_timeout, timeout_seconds)
        self.per_client = per_client
        self.evictable_after = evictable_after
        self.clock = clock
        self._root: Path | None = None
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    @property
    def root(self) -> Path:
        """The private folder of this app's sessions (made with the first session)."""
        if self._root is None:
            self._root = Path(tempfile.mkdtemp(prefix="evidencekit-web-"))
        return self._root

    def __len__(self) -> int:
        return len(self._sessions)

    def get(self, sid: str | None) -> Session | None:
        """The live session of a cookie value (its idle clock restarted), or None."""
        if not sid:
            return None
        self.sweep()
        with self._lock:
            s = self._sessions.get(sid)
            if s is not None:
                s.touched = self.clock()
                s.returned = True
            return s

    def create(self, client: str = "") -> Session:
        """A new (provisional) session for ``client`` (its address). Makes room first: the
        oldest provisional session beyond ``max_provisional``; the client's own oldest beyond
        ``per_client``; when the store is full, the longest idle session idle more than
        ``evictable_after`` seconds. :class:`Busy` only when none of that frees a place."""
        self.sweep()
        with self._lock:
            self._make_room(client)
            if len(self._sessions) >= self.max_sessions:
                raise Busy()
            sid = secrets.token_urlsafe(32)
            folder = Path(tempfile.mkdtemp(prefix="session-", dir=self.root))
            (folder / DATA_FOLDER).mkdir(mode=0o700)
            now = self.clock()
            s = Session(sid, secrets.token_urlsafe(32), folder, now, now, client=client)
            self._sessions[sid] = s
            return s

    def _make_room(self, client: str) -> None:
        def oldest(candidates: list[Session]) -> None:
            if candidates:
                self._drop(min(candidates, key=lambda x: x.touched).id)

        provisional = [x for x in self._sessions.values() if not x.returned]
        while len(provisional) >= self.max_provisional:
            victim = min(provisional, key=lambda x: x.touched)
            provisional.remove(victim)
            self._drop(victim.id)
        mine = [x for x in self._sessions.values() if x.client == client]
        if len(mine) >= self.per_client:  # the client's own: provisional ones first
            oldest([x for x in mine if not x.returned] or mine)
        if len(self._sessions) >= self.max_sessions:
            oldest([x for x in self._sessions.values() if not x.returned])
        if len(self._sessions) >= self.max_sessions:
            limit = self.clock() - self.evictable_after
            oldest([x for x in self._sessions.values() if x.touched < limit])

    def end(self, sid: str) -> None:
        with self._lock:
            self._drop(sid)

    def sweep(self) -> int:
        """Delete sessions idle longer than the timeout; returns how many."""
        now = self.clock()
        with self._lock:
            stale = [sid for sid, s in self._sessions.items()
                     if s.touched < now - (self.timeout if s.returned
                                           else self.provisional_timeout)]
            for sid in stale:
                self._drop(sid)
        return len(stale)

    def close(self) -> None:
        """Delete every session and the root folder (the server is stopping)."""
        with self._lock:
            for sid in list(self._sessions):
                self._drop(sid)
            if self._root is not None:
                shutil.rmtree(self._root, ignore_errors=True)
                self._root = None

    def _drop(self, sid: str) -> None:
        s = self._sessions.pop(sid, None)
        if s is not None:
            shutil.rmtree(s.folder, ignore_errors=True)
