"""The reviewer view of a review round (``evidencekit review ROUND``).

A reviewer signs in with the name and token the funder set (``evidencekit round setup``),
sees only the applications assigned to them (a moderator sees every one), and for each sees
the verified level, each claimed criterion with the applicant's note and the rubric's
guidance, the statistics behind the verdict, and records *validated* or *rejected* with a
reason. Every judgement goes straight to the round's review store
(:mod:`evidencekit.review.store`) and is acknowledged only once it is committed there.

It follows the self-assessment app's conventions (:mod:`evidencekit.web.app`): the same
Host check and security headers (:class:`~evidencekit.web.app.Guard`), a random session
cookie (HttpOnly, SameSite=Strict) that carries nothing but its id, a CSRF token on every
form (compared in constant time), autoescaped sandboxed templates, and form bodies read with
a size limit. Sessions live in memory: a restarted server asks reviewers to sign in again,
and loses no judgement (they are in the store).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import InputError
from ..review.store import Reviewer, ReviewStore
from .app import HERE, Guard
from .forms import BadForm, TooLarge, read_urlencoded

COOKIE = "evidencekit_review"
#: A reviewer's session ends after this long without use (seconds).
TIMEOUT = 4 * 3600.0


@dataclass
class ReviewSession:
    id: str
    csrf: str
    touched: float
    reviewer: Reviewer | None = None
    notice: str | None = None

    def check_csrf(self, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(token.encode(), self.csrf.encode())


@dataclass
class ReviewSessions:
    """Sessions by cookie value (256-bit random ids); at most ``limit`` at once."""

    limit: int = 1000
    _by_id: dict[str, ReviewSession] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, sid: str | None) -> ReviewSession | None:
        with self._lock:
            s = self._by_id.get(sid or "")
            now = time.monotonic()
            if s is None or now - s.touched > TIMEOUT:
                if s is not None:
                    self._by_id.pop(s.id, None)
                return None
            s.touched = now
            return s

    def create(self) -> ReviewSession:
        with self._lock:
            while len(self._by_id) >= self.limit:  # the oldest goes
                oldest = min(self._by_id.values(), key=lambda x: x.touched)
                self._by_id.pop(oldest.id)
            s = ReviewSession(secrets.token_urlsafe(32), secrets.token_urlsafe(32),
                              time.monotonic())
            self._by_id[s.id] = s
            return s

    def signed_in(self, old: ReviewSession, reviewer: Reviewer) -> ReviewSession:
        """A new session (new id and token) for the signed-in reviewer: an id known before
        signing in is never one that is signed in."""
        with self._lock:
            self._by_id.pop(old.id, None)
        s = self.create()
        s.reviewer = reviewer
        return s

    def end(self, s: ReviewSession) -> None:
        with self._lock:
            self._by_id.pop(s.id, None)


class ReviewApp:
    def __init__(self, store: ReviewStore, round_name: str) -> None:
        import jinja2
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        from .. import questionnaire as q

        self.store = store
        self.round_name = round_name
        self.sessions = ReviewSessions()
        self.env = ImmutableSandboxedEnvironment(
            loader=jinja2.FileSystemLoader(str(HERE / "templates" / "review")), autoescape=True,
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        self.env.filters["plain"] = q.plain_words
        self.env.globals["round_name"] = round_name

    # -- plumbing -------------------------------------------------------------------------

    def session(self, request: Request) -> tuple[ReviewSession, bool]:
        s = self.sessions.get(request.cookies.get(COOKIE))
        if s is not None:
            return s, False
        return self.sessions.create(), True

    def render(self, template: str, s: ReviewSession, new: bool = False, status: int = 200,
               **context: Any) -> HTMLResponse:
        notice, s.notice = s.notice, None
        html = self.env.get_template(template).render(csrf=s.csrf, reviewer=s.reviewer,
                                                      notice=notice, **context)
        response = HTMLResponse(html, status_code=status)
        if new:
            self.cookie(response, s)
        return response

    @staticmethod
    def cookie(response: Response, s: ReviewSession) -> None:
        response.set_cookie(COOKIE, s.id, httponly=True, samesite="strict", path="/")

    def message(self, title: str, text: str, status: int) -> HTMLResponse:
        html = self.env.get_template("message.html.j2").render(
            title=title, text=text, csrf="", reviewer=None, notice=None)
        return HTMLResponse(html, status_code=status)

    async def posted(self, request: Request) -> tuple[ReviewSession | None, dict[str, str]]:
        from .app import WebApp

        try:
            form = await read_urlencoded(request)
        except (BadForm, TooLarge):
            return None, {}
        s = self.sessions.get(request.cookies.get(COOKIE))
        if s is None or not WebApp.same_origin(request) or not s.check_csrf(form.get("csrf")):
            return None, form
        return s, form

    def forbidden(self) -> HTMLResponse:
        return self.message("This form could not be accepted",
                            "It did not carry this page's security token: the page may be out "
                            "of date, your session may have ended, or the form came from "
                            "another site. Nothing was recorded. Go back, reload the page and "
                            "try again.", 403)

    def applications_of(self, reviewer: Reviewer) -> list[str]:
        if reviewer.role == "moderator":
            return list(self.store.applications())
        return self.store.assigned(reviewer.name)

    # -- pages ----------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        s, new = self.session(request)
        if s.reviewer is None:
            return self.render("login.html.j2", s, new, error=None)
        reviewer = s.reviewer
        rows = await run_in_threadpool(self._overview, reviewer)
        return self.render("home.html.j2", s, new, rows=rows)

    def _overview(self, reviewer: Reviewer) -> list[dict[str, Any]]:
        from ..review.service import overview

        return overview(self.store, reviewer)

    async def login(self, request: Request) -> Response:
        s, form = await self.posted(request)
        if s is None:
            return self.forbidden()
        name, token = form.get("name", "").strip(), form.get("token", "")
        reviewer = await run_in_threadpool(self.store.authenticate, name, token)
        if reviewer is None:
            return self.render("login.html.j2", s, status=400,
                               error="That name and token do not match a reviewer of this "
                                     "round. Check them with the funder.")
        s2 = self.sessions.signed_in(s, reviewer)
        response = RedirectResponse("/", status_code=303)
        self.cookie(response, s2)
        return response

    async def logout(self, request: Request) -> Response:
        s, _ = await self.posted(request)
        if s is None:
            return self.forbidden()
        self.sessions.end(s)
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    def _signed_in(self, request: Request) -> ReviewSession | None:
        s = self.sessions.get(request.cookies.get(COOKIE))
        return s if s is not None and s.reviewer is not None else None

    def not_yours(self) -> HTMLResponse:
        return self.message("No such application among yours",
                            "This application is not assigned to you (or you declared a "
                            "conflict of interest with it). Go back to your list.", 404)

    async def application(self, request: Request) -> Response:
        s = self._signed_in(request)
        if s is None or s.reviewer is None:
            return RedirectResponse("/", status_code=303)
        app_id = request.path_params["app"]
        reviewer = s.reviewer
        if app_id not in await run_in_threadpool(self.applications_of, reviewer):
            return self.not_yours()
        try:
            view = await run_in_threadpool(self._view, reviewer, app_id)
        except InputError as exc:
            return self.message("This application cannot be assessed",
                                exc.problems[0].sentence(), 422)
        return self.render("application.html.j2", s, **view)

    def _view(self, reviewer: Reviewer, app_id: str) -> dict[str, Any]:
        from ..review.service import view

        v = view(self.store, reviewer, app_id)
        mine = {}
        for j in v.judgements:
            if j.reviewer == reviewer.name:
                mine[j.criterion] = j
        others = [j for j in v.judgements if j.reviewer != reviewer.name]
        blind_hidden = (reviewer.role != "moderator" and self.store.settings().blind
                        and not self.store.submitted(app_id, reviewer.name))
        return {"app_id": app_id, "v": v, "r": v.result, "mine": mine, "others": others,
                "blind_hidden": blind_hidden, "request_id": secrets.token_urlsafe(16),
                "submitted": self.store.submitted(app_id, reviewer.name),
                "evaluations": _statistics(v.result)}

    async def judge(self, request: Request) -> Response:
        s, form = await self.posted(request)
        if s is None or s.reviewer is None:
            return self.forbidden()
        app_id = request.path_params["app"]
        reviewer = s.reviewer
        if app_id not in await run_in_threadpool(self.applications_of, reviewer):
            return self.not_yours()
        item = {"application": app_id, "criterion": form.get("criterion", ""),
                "decision": form.get("decision", ""), "reason": form.get("reason", ""),
                "submission_sha256": form.get("sha256") or None}
        from ..review.service import record

        try:
            j = await run_in_threadpool(lambda: record(self.store, reviewer, item,
                                                       request_id=form.get("request_id")
                                                       or None))
        except InputError as exc:
            s.notice = "Not recorded: " + exc.problems[0].sentence()
            return RedirectResponse(f"/a/{_q(app_id)}", status_code=303)
        s.notice = f"Recorded: {j.decision} for {j.criterion} (#{j.seq})."
        return RedirectResponse(f"/a/{_q(app_id)}#{_anchor(j.criterion)}", status_code=303)

    async def conflict(self, request: Request) -> Response:
        s, form = await self.posted(request)
        if s is None or s.reviewer is None:
            return self.forbidden()
        app_id = request.path_params["app"]
        reviewer = s.reviewer
        if app_id not in await run_in_threadpool(self.applications_of, reviewer):
            return self.not_yours()
        reason = form.get("reason", "").strip()
        if not reason:
            s.notice = "Not recorded: say in a sentence what the conflict of interest is."
            return RedirectResponse(f"/a/{_q(app_id)}", status_code=303)
        await run_in_threadpool(self.store.declare_conflict, app_id, reviewer.name,
                                reason[:2000], form.get("request_id") or None)
        s.notice = (f"Recorded your conflict of interest with {app_id}: you are excluded "
                    "from it, and your judgements on it no longer count.")
        return RedirectResponse("/", status_code=303)

    async def submit(self, request: Request) -> Response:
        s, form = await self.posted(request)
        if s is None or s.reviewer is None:
            return self.forbidden()
        app_id = request.path_params["app"]
        reviewer = s.reviewer
        if app_id not in await run_in_threadpool(self.applications_of, reviewer):
            return self.not_yours()
        await run_in_threadpool(self.store.mark_submitted, app_id, reviewer.name,
                                form.get("request_id") or None)
        s.notice = "Your review of this application is submitted; the others' are shown."
        return RedirectResponse(f"/a/{_q(app_id)}", status_code=303)


def _q(app_id: str) -> str:
    from urllib.parse import quote

    return quote(app_id, safe="")


def _anchor(criterion: str) -> str:
    return "c-" + "".join(ch if ch.isalnum() else "-" for ch in criterion)


def _statistics(result: Any) -> list[dict[str, Any]]:
    """The statistics behind the verdict, per evaluation: its design in words, and for each
    outcome the deciding estimate (the registry's name and symbol), its interval, the test
    that decided it, p and the numbers analysed — as the analysis decided them (the same
    words as the terminal and the reports: :mod:`evidencekit.render.deciding`)."""
    from ..questionnaire import EVALUATION_FIELDS
    from ..registry import MEASURES
    from ..render.deciding import effect_words, named_test
    from ..render.numbers import pval

    design_words = EVALUATION_FIELDS["design"]
    out = []
    for e in result.analysis.evaluations:
        outcomes = []
        for o in e.outcomes:
            d = o.deciding
            measure = (MEASURES[d.measure].label if d is not None and d.measure is not None
                       and d.measure in MEASURES else "no estimate")
            p = (d.p_value_adjusted if d.p_value_adjusted is not None else d.p_value) \
                if d is not None else None
            outcomes.append({
                "name": o.name, "primary": o.primary, "measure": measure,
                "effect": effect_words(d), "test": named_test(d) if d is not None else "—",
                "p": pval(p) if p is not None else "—",
                "n": " / ".join(str(n) for n in (o.n_treatment, o.n_control) if n is not None)
                     or "—",
                "problems": [p.sentence() for p in o.problems]})
        out.append({"id": e.id, "title": e.title, "design": design_words.show_choice(e.design),
                    "independent": e.independent, "outcomes": outcomes})
    return out


def create_review_app(store: ReviewStore, round_name: str,
                      allowed_hosts: tuple[str, ...] | None = ("127.0.0.1", "localhost",
                                                                "::1")) -> Any:
    """The ASGI application of the reviewer view."""
    web = ReviewApp(store, round_name)
    routes = [
        Route("/", web.home, methods=["GET"]),
        Route("/login", web.login, methods=["POST"]),
        Route("/logout", web.logout, methods=["POST"]),
        Route("/a/{app:path}/judge", web.judge, methods=["POST"]),
        Route("/a/{app:path}/conflict", web.conflict, methods=["POST"]),
        Route("/a/{app:path}/submit", web.submit, methods=["POST"]),
        Route("/a/{app:path}", web.application, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(routes=routes)
    app.state.review = web
    return Guard(app, allowed_hosts)


def serve_review(sock: Any, store: ReviewStore, round_name: str,
                 allowed_hosts: tuple[str, ...] | None, announce: Any = None) -> None:
    """Run the reviewer view on a bound socket until Ctrl+C."""
    import contextlib

    import uvicorn

    from . import LIMIT_CONCURRENCY, timed_protocol, url_of

    app = create_review_app(store, round_name, allowed_hosts)
    server = uvicorn.Server(uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="off", server_header=False,
        http=timed_protocol(), timeout_keep_alive=5, limit_concurrency=LIMIT_CONCURRENCY,
        h11_max_incomplete_event_size=64 * 1024, backlog=256))
    if announce is not None:
        announce(url_of(sock))
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])


__all__ = ["create_review_app", "serve_review"]
