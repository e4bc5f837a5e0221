"""Helpers of the web and self-assessment tests (imported by the tests and conftest.py)."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tools.browser import CHROMIUM, CHROMIUM_ARGS, need_chromium  # noqa: F401

REPO = Path(__file__).resolve().parents[2]
TINY_RUBRIC = REPO / "tests" / "fixtures" / "tiny_rubric.yaml"

#: A theory of change that meets every level-1 criterion of the nesta rubric, as form fields.
PROGRAMME_FORM = {
    "programme.name": "Reading Buddies",
    "programme.organisation": "Northside Literacy Trust",
    "theory_of_change.problem": "Many children leave primary school reading below the "
                                "expected level.",
    "theory_of_change.activities": "Volunteers read with each child twice a week\n"
                                   "Termly reading events for families",
    "theory_of_change.outcomes": "Better reading scores",
    "theory_of_change.rationale": "Regular reading practice improves fluency.",
}

#: A before-and-after evaluation with a favourable change (level 2), as form fields.
PRE_POST_FORM = {
    "title": "Reading check 2023", "design": "pre_post", "site": "Northside",
    "outcome.name": "Reading age (months)", "outcome.kind": "continuous",
    "outcome.direction": "higher_is_better", "source": "summary",
    "pre.n": "80", "pre.mean": "96.5", "pre.sd": "11.0",
    "post.n": "80", "post.mean": "104.0", "post.sd": "10.5", "correlation": "0.6",
}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def trial_csv(path: Path, *, per_arm: int = 60, effect: float = 6.0, seed: int = 7) -> Path:
    """A randomised trial, one row per pupil: arm (tutored/control), score, school."""
    rng = random.Random(seed)
    lines = ["pupil,arm,score,school"]
    for i in range(2 * per_arm):
        arm = "tutored" if i % 2 == 0 else "control"
        mean = 50.0 + (effect if arm == "tutored" else 0.0)
        lines.append(f"{i + 1},{arm},{mean + rng.gauss(0, 10):.1f},S{i % 8}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path



class Server:
    """``evidencekit serve`` in a real process, on 127.0.0.1 and a free port."""

    def __init__(self, *args: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "evidencekit", "serve", "--host", "127.0.0.1",
             "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+/", first)
        if not found:
            self.stop()
            raise AssertionError(f"no address printed: {first!r} {self.stderr()}")
        self.url = found.group(0)
        self.banner = first + self.proc.stdout.readline()

    def stderr(self) -> str:
        if self.proc.poll() is None:
            return ""
        assert self.proc.stderr is not None
        return self.proc.stderr.read()

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(2)  # SIGINT, as Ctrl+C
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
        return self.proc.returncode


def wait_for(predicate: Any, timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return bool(predicate())






class Client:
    """A TestClient that knows its page's CSRF token and posts forms with it."""

    def __init__(self, client: Any) -> None:
        self.http = client
        self.token = ""

    @property
    def web(self) -> Any:
        return self.http.app.state.web

    def get(self, url: str, **kw: Any) -> Any:
        response = self.http.get(url, **kw)
        if 'name="csrf"' in response.text:
            self.token = csrf_of(response.text)
        return response

    def post(self, url: str, data: dict[str, str] | None = None, *, token: bool = True,
             files: Any = None, **kw: Any) -> Any:
        fields = dict(data or {})
        if token:
            fields.setdefault("csrf", self.token or csrf_of(self.http.get("/").text))
        response = self.http.post(url, data=fields, files=files, follow_redirects=False, **kw)
        if 'name="csrf"' in response.text:
            self.token = csrf_of(response.text)
        return response

    def session(self) -> Any:
        from evidencekit.web.sessions import COOKIE

        return self.web.store.get(self.http.cookies.get(COOKIE))
