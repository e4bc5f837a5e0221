"""The web app cannot be locked, crashed or tricked (issue 12 item 6): cookie-less requests
never lock new visitors out, file names never break out of the downloaded YAML's comments, a
monstrous multipart boundary is a 4xx, the Host check stays on for 0.0.0.0, slow clients are
cut off."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import pytest
import yaml

from evidencekit import questionnaire as q


def _app(**config: Any) -> Any:
    from evidencekit.web.app import WebConfig, create_app

    config.setdefault("allowed_hosts", ("testserver",))
    return create_app(WebConfig(**config))


def test_cookieless_requests_never_lock_new_visitors_out() -> None:
    from starlette.testclient import TestClient

    with TestClient(_app(max_sessions=50), raise_server_exceptions=False) as http:
        for _ in range(300):  # a script, or <img> tags on another site: no cookie comes back
            http.cookies.clear()
            assert http.get("/").status_code == 200
        store = http.app.state.web.store  # type: ignore[attr-defined]
        assert len(store) <= store.max_provisional
        http.cookies.clear()
        first = http.get("/")  # a new visitor gets in and keeps the session
        assert first.status_code == 200
        sid = http.cookies.get("evidencekit_session")
        assert http.get("/programme").status_code == 200
        assert http.cookies.get("evidencekit_session") == sid
        for _ in range(300):  # the flood goes on: the returned visitor is never evicted
            http.cookies.clear()
            http.get("/")
        http.cookies.set("evidencekit_session", sid)
        assert store.get(sid) is not None


def test_sessions_per_client_and_idle_eviction() -> None:
    from evidencekit.web.sessions import Busy, SessionStore

    now = [0.0]
    store = SessionStore(3600, max_sessions=10, clock=lambda: now[0], per_client=3,
                         evictable_after=900)
    try:
        mine = [store.create("10.0.0.1") for _ in range(5)]
        for s in mine:
            store.get(s.id)  # returned
        assert sum(1 for s in mine if store.get(s.id) is not None) <= 3
        others = [store.create(f"10.0.1.{i}") for i in range(10)]
        for s in others:
            store.get(s.id)
        with pytest.raises(Busy):  # full of returned sessions, all in use
            store.create("10.0.2.1")
        now[0] += 1000  # idle a quarter of an hour: the longest idle makes room
        assert store.create("10.0.2.1") is not None
    finally:
        store.close()


@pytest.mark.parametrize("name", ["outcomes\u2028costs: {total: 1}.csv",
                                  "x\x85scaling: {replicated: true}.csv",
                                  "a\r\nevaluations: []\n.csv", "\u2029\u000b\u000c.csv"])
def test_file_names_never_leave_the_yaml_comments(name: str) -> None:
    doc = {"programme": {"name": "P"}}
    text = q.to_yaml(doc, header=["Written by the app.", f"  data/x.csv  (uploaded as {name})"])
    assert yaml.safe_load(text) == doc
    for line in text.splitlines()[:2]:
        assert line.startswith("#")
    from evidencekit.load.document import parse

    assert parse(text, "t.yaml") is not None  # our own loader reads the same


def test_a_monstrous_multipart_boundary_is_a_4xx() -> None:
    from starlette.testclient import TestClient

    with TestClient(_app(), raise_server_exceptions=False) as http:
        http.get("/")
        for path in ("/evaluations/new", "/programme", "/continue"):
            r = http.post(path, content=b"--x\r\n",
                          headers={"content-type": "multipart/form-data; boundary="
                                   + "b" * 70_000})
            assert 400 <= r.status_code < 500, (path, r.status_code)


def test_host_check_stays_on_for_every_address() -> None:
    from starlette.testclient import TestClient

    from evidencekit.web.app import allowed_hosts_for

    allowed = allowed_hosts_for("0.0.0.0")
    assert allowed is not None and "localhost" in allowed
    with TestClient(_app(allowed_hosts=allowed), raise_server_exceptions=False) as http:
        assert http.get("/", headers={"host": "rebound.evil.example"}).status_code == 400
        assert http.get("/", headers={"host": "localhost:8000"}).status_code == 200


def test_slow_clients_are_cut_off(monkeypatch: pytest.MonkeyPatch) -> None:
    import evidencekit.web as web
    from evidencekit.web.app import WebConfig

    monkeypatch.setattr(web, "HEADER_TIMEOUT", 0.5)
    sock = web.bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    config = WebConfig(allowed_hosts=("127.0.0.1",))
    thread = threading.Thread(target=web.serve, args=(sock, config), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while True:
        try:
            probe = socket.create_connection(("127.0.0.1", port), timeout=2)
            break
        except OSError:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    probe.close()
    slow = socket.create_connection(("127.0.0.1", port), timeout=5)
    slow.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the rest
    start = time.monotonic()
    assert slow.recv(1024) == b""  # closed by the server
    assert time.monotonic() - start < 4
    slow.close()
    ok = socket.create_connection(("127.0.0.1", port), timeout=5)
    ok.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert ok.recv(64).startswith(b"HTTP/1.1 200")
    ok.close()
