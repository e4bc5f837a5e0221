"""The reviewer view over real HTTP on loopback (issue #16, items 2 and 5): a real server
process (``evidencekit review ROUND``), a real database, concurrent reviewers; a killed
server loses nothing it acknowledged."""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from tools.processes import stop

from evidencekit.review.store import ReviewStore

CLAIMS = ["nesta.L2.outcome_data", "nesta.L2.positive_change", "nesta.L3.comparison",
          "nesta.L4.replication", "nesta.L4.independent", "nesta.L4.consistent",
          "nesta.L4.costs", "nesta.L5.systems", "nesta.L5.delivered_by_others",
          "nesta.L5.multi_site"]
APPS = ["alpha", "beta", "gamma"]


def submission(name: str) -> str:
    claims = "".join(f"  {c}: {{answer: true, note: \"{name} says so\"}}\n" for c in CLAIMS)
    return (f"programme: {{name: {name.title()} Programme, organisation: {name} org}}\n"
            "theory_of_change: {problem: p, activities: [a], outcomes: [o], rationale: r}\n"
            "claims:\n" + claims)


SETUP = """schema: evidencekit/round@1
reviewers_required: 2
blind: true
reviewers:
  - {name: Ada Khan, token: ada-secret-token-1}
  - {name: Ben Ode, token: ben-secret-token-1}
  - {name: Eve Other, token: eve-secret-token-1}
  - {name: Cy Moderator, role: moderator, token: cy-secret-token-1}
assignments:
  alpha: [Ada Khan, Ben Ode]
  beta: [Ada Khan, Ben Ode]
  gamma: [Ada Khan, Ben Ode, Eve Other]
"""
TOKENS = {"Ada Khan": "ada-secret-token-1", "Ben Ode": "ben-secret-token-1",
          "Eve Other": "eve-secret-token-1", "Cy Moderator": "cy-secret-token-1"}


def make_round(tmp: Path, database: str | None) -> tuple[Path, list[str]]:
    r = tmp / "round"
    r.mkdir()
    for a in APPS:
        (r / f"{a}.yaml").write_text(submission(a), encoding="utf-8")
    (tmp / "setup.yaml").write_text(SETUP, encoding="utf-8")
    db = ["--database", database] if database and database.startswith("postgresql") else []
    done = subprocess.run([sys.executable, "-m", "evidencekit", "round", "setup", str(r),
                           str(tmp / "setup.yaml"), *db], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return r, db


class Server:
    def __init__(self, round_dir: Path, db: list[str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "evidencekit", "review", str(round_dir), *db],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert m, line + (self.proc.stderr.read() if self.proc.stderr else "")
        self.port = int(m.group(1))

    def stop(self, sig: int = signal.SIGINT) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:  # pragma: no cover
                self.proc.kill()
                self.proc.wait()


class Browser:
    """A tiny client: one cookie, no redirects followed (a 303 is the acknowledgement)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie: str | None = None

    def request(self, method: str, path: str, form: dict[str, str] | None = None
                ) -> tuple[int, dict[str, str], str]:
        con = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Host": f"127.0.0.1:{self.port}"}
        body = None
        if self.cookie:
            headers["Cookie"] = self.cookie
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        con.request(method, path, body=body, headers=headers)
        resp = con.getresponse()
        text = resp.read().decode("utf-8")
        got = {k.lower(): v for k, v in resp.getheaders()}
        con.close()
        if "set-cookie" in got:
            self.cookie = got["set-cookie"].split(";", 1)[0]
        return resp.status, got, text

    def csrf(self, path: str = "/") -> str:
        status, _, html = self.request("GET", path)
        assert status == 200, html[:300]
        m = re.search(r'name="csrf" value="([^"]+)"', html)
        assert m
        return m.group(1)

    def login(self, name: str) -> None:
        token = self.csrf("/")
        status, _, _ = self.request("POST", "/login", {"csrf": token, "name": name,
                                                             "token": TOKENS[name]})
        assert status == 303, status

    def judge(self, app: str, criterion: str, decision: str, request_id: str,
              csrf: str) -> int:
        status, _, _ = self.request("POST", f"/a/{quote(app)}/judge", {
            "csrf": csrf, "criterion": criterion, "decision": decision,
            "reason": f"{decision} {criterion}", "request_id": request_id})
        assert status == 303
        return status


@pytest.fixture
def review_server(tmp_path: Path, database: str) -> Iterator[tuple[Server, Path, str]]:
    r, db = make_round(tmp_path, database)
    where = database if db else str(r / "evidencekit-review.sqlite3")
    server = Server(r, db)
    try:
        yield server, r, where
    finally:
        server.stop()


def test_two_reviewers_concurrently_nothing_lost_or_duplicated(
        review_server: tuple[Server, Path, str]) -> None:
    server, _, where = review_server
    errors: list[BaseException] = []
    sent: dict[str, list[tuple[str, str, str]]] = {}

    def reviewer(name: str, decision: str) -> None:
        try:
            b = Browser(server.port)
            b.login(name)
            sent[name] = []
            for app in APPS:
                csrf = b.csrf(f"/a/{app}")
                for c in CLAIMS:
                    rid = f"{name}-{app}-{c}"
                    b.judge(app, c, decision, rid, csrf)
                    b.judge(app, c, decision, rid, csrf)  # the browser sends it again
                    sent[name].append((app, c, decision))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=reviewer, args=("Ada Khan", "validated")),
               threading.Thread(target=reviewer, args=("Ben Ode", "rejected"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert errors == []
    stored = ReviewStore(where).judgements()
    got = sorted((j.reviewer, j.application, j.criterion, j.decision) for j in stored)
    want = sorted((who, a, c, d) for who, items in sent.items() for a, c, d in items)
    assert len(want) == 2 * len(APPS) * len(CLAIMS)
    assert got == want  # none lost, none duplicated
    assert all(j.submission_sha256 is not None for j in stored)


def test_a_killed_server_loses_nothing_acknowledged(
        review_server: tuple[Server, Path, str]) -> None:
    server, r, where = review_server
    b = Browser(server.port)
    b.login("Ada Khan")
    csrf = b.csrf("/a/alpha")
    acknowledged = []
    for i, c in enumerate(CLAIMS):
        b.judge("alpha", c, "validated", f"k{i}", csrf)
        acknowledged.append(c)
    server.stop(signal.SIGKILL)
    assert server.proc.returncode == -signal.SIGKILL
    stored = {j.criterion for j in ReviewStore(where).judgements("alpha")}
    assert set(acknowledged) <= stored
    # And a new server carries on from the store.
    again = Server(r, [] if not where.startswith("postgresql") else ["--database", where])
    try:
        b2 = Browser(again.port)
        b2.login("Ada Khan")
        status, _, html = b2.request("GET", "/a/alpha")
        assert status == 200 and html.count("<strong>Your judgement:</strong> validated") == 10
    finally:
        again.stop()


def test_reviewers_see_only_their_applications_and_need_tokens(
        review_server: tuple[Server, Path, str]) -> None:
    server, _, where = review_server
    b = Browser(server.port)
    token = b.csrf("/")
    status, _, html = b.request("POST", "/login", {"csrf": token, "name": "Eve Other",
                                                    "token": "wrong-token-000000"})
    assert status == 400 and "do not match" in html
    # No CSRF token, no sign-in; an anonymous write is refused.
    status, _, _ = b.request("POST", "/login", {"name": "Eve Other",
                                                "token": TOKENS["Eve Other"]})
    assert status == 403
    status, _, _ = b.request("POST", "/a/gamma/judge", {"csrf": token, "criterion": CLAIMS[0],
                                                        "decision": "validated"})
    assert status == 403
    b.login("Eve Other")
    status, _, html = b.request("GET", "/")
    assert status == 200 and "/a/gamma" in html and "/a/alpha" not in html
    status, _, html = b.request("GET", "/a/alpha")
    assert status == 404
    csrf = b.csrf("/a/gamma")
    status, _, _ = b.request("POST", "/a/alpha/judge", {"csrf": csrf, "criterion": CLAIMS[0],
                                                        "decision": "validated"})
    assert status == 404
    # A conflict of interest excludes Eve from gamma too.
    status, _, _ = b.request("POST", "/a/gamma/conflict", {"csrf": csrf,
                                                           "reason": "My sister runs it."})
    assert status == 303
    status, _, html = b.request("GET", "/a/gamma")
    assert status == 404
    assert ReviewStore(where).judgements() == []


def test_blind_review_and_moderation_over_http(
        review_server: tuple[Server, Path, str]) -> None:
    server, _, where = review_server
    ada, ben, cy = Browser(server.port), Browser(server.port), Browser(server.port)
    ada.login("Ada Khan")
    ben.login("Ben Ode")
    cy.login("Cy Moderator")
    c = CLAIMS[2]
    ada.judge("beta", c, "validated", "a1", ada.csrf("/a/beta"))
    ben.judge("beta", c, "rejected", "b1", ben.csrf("/a/beta"))
    _, _, html = ada.request("GET", "/a/beta")
    assert "Ben Ode" not in html and "Blind review" in html
    status, _, _ = ada.request("POST", "/a/beta/submit", {"csrf": ada.csrf("/a/beta")})
    assert status == 303
    _, _, html = ada.request("GET", "/a/beta")
    assert "Ben Ode: rejected" in html
    _, _, html = cy.request("GET", "/")
    assert "disputed" in html
    cy.judge("beta", c, "validated", "m1", cy.csrf("/a/beta"))
    _, _, html = cy.request("GET", "/a/beta")
    assert "Validated level</dt><dd>1" in html  # the level below (L2) is still only claimed
    rows = [j for j in ReviewStore(where).judgements("beta") if j.role == "moderator"]
    assert [(j.reviewer, j.decision) for j in rows] == [("Cy Moderator", "validated")]


def test_untrusted_text_is_inert_in_the_view(tmp_path: Path, database: str) -> None:
    r, db = make_round(tmp_path, database)
    (r / "alpha.yaml").write_text(
        submission("alpha").replace('alpha says so', '<script>alert(1)</script>'),
        encoding="utf-8")
    server = Server(r, db)
    try:
        b = Browser(server.port)
        b.login("Ada Khan")
        status, headers, html = b.request("GET", "/a/alpha")
        assert status == 200
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "default-src 'self'" in headers["content-security-policy"]
        status, _, _ = Browser(server.port).request("GET", "/")
        assert status == 200
        bad_host = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        bad_host.request("GET", "/", headers={"Host": "evil.example"})
        assert bad_host.getresponse().status == 400
    finally:
        server.stop()


def test_not_loopback_warns(tmp_path: Path) -> None:
    r, _ = make_round(tmp_path, None)
    proc = subprocess.Popen([sys.executable, "-m", "evidencekit", "review", str(r), "--host",
                             "0.0.0.0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.readline()
        warning = proc.stderr.readline()
        assert warning.startswith("Warning: listening on 0.0.0.0"), warning
    finally:  # never leave the server listening on every interface, whatever happened
        stop(proc, signal.SIGINT, timeout=30)

