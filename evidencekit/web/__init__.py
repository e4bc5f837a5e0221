"""A local web app for guided self-assessment (``evidencekit serve``).

>>> from evidencekit.web.app import create_app, WebConfig
>>> app = create_app(WebConfig(max_upload_bytes=10 << 20))   # an ASGI application

Importing this package loads no web framework (the terminal questionnaire reads data files
with :mod:`evidencekit.web.uploads`); :mod:`evidencekit.web.app` does.

:func:`serve` binds the socket first (port 0 picks a free port), reports the address, then
runs uvicorn on that socket until interrupted; stopping deletes every session's answers and
uploads.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .app import WebConfig

__all__ = ["bind", "serve", "url_of"]

#: Seconds a client has to send a request's line and headers (slow clients are cut off).
HEADER_TIMEOUT = 15.0
#: Connections and tasks at once; beyond it uvicorn answers 503 at once and closes, so slow
#: clients cannot use up the process's file descriptors.
LIMIT_CONCURRENCY = 400


def timed_protocol() -> type:
    """uvicorn's h11 protocol with a deadline for each request's head (uvicorn has none)."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class TimedH11Protocol(H11Protocol):
        _deadline: Any = None

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(HEADER_TIMEOUT, self._too_slow)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _waiting(self) -> bool:
            return self.cycle is None or self.cycle.response_complete

        def _too_slow(self) -> None:
            self._deadline = None
            if self._waiting() and not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm()

        def handle_events(self) -> None:
            super().handle_events()
            if not self._waiting():
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return TimedH11Protocol


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (port 0: a free port)."""
    infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM,
                               flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(sock: socket.socket, config: WebConfig,
          announce: Callable[[str], None] | None = None) -> None:
    """Run the app on an already bound socket until Ctrl+C."""
    import uvicorn

    from .app import create_app

    app = create_app(config)
    server = uvicorn.Server(uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="on", server_header=False,
        http=timed_protocol(), timeout_keep_alive=5, limit_concurrency=LIMIT_CONCURRENCY,
        h11_max_incomplete_event_size=64 * 1024, backlog=256))
    if announce is not None:
        announce(url_of(sock))
    try:
        with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises Ctrl+C after its
            server.run(sockets=[sock])                 # clean shutdown
    finally:  # also when Ctrl+C came before uvicorn was listening for it
        app.state.web.store.close()
