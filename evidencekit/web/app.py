"""The self-assessment web app: pages, form handling, downloads.

Pages, in order: choose a framework (``/``) → your programme (``/programme``) → evaluations
(``/evaluations``, one form each, with an optional data file and its column mapping) →
the framework's questions (``/questions``) → the result (``/result``) with downloads. The
app calls the library (:mod:`evidencekit.api`, :mod:`evidencekit.report`) exactly as the
command line does, in a worker thread; it never starts another process.

Every form post carries the session's CSRF token; downloads are generated in memory from a
fixed list of names, so no request can name a file on disk; uploads go to the session's own
folder (see :mod:`.sessions`), and a submission built here names only files in that folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import jsontext
from .. import questionnaire as q
from ..errors import InputError
from ..vocabulary import CRITERION_STATUS, DEFAULT_RUBRIC, LEVEL_STATUS
from .forms import BadForm, Multipart, TooLarge, read_multipart, read_urlencoded
from .sessions import COOKIE, Busy, Session, SessionStore
from .uploads import Rejected, accept, columns, describe_problem, group_labels, mb
from .uploads import too_large_message as too_large_text

HERE = Path(__file__).resolve().parent
STEPS = (("start", "Framework", "/"), ("programme", "Your programme", "/programme"),
         ("evaluations", "Evaluations", "/evaluations"), ("questions", "Questions", "/questions"),
         ("result", "Result", "/result"))
DOWNLOADS = {"submission.yaml": "application/x-yaml; charset=utf-8",
             "report.html": "text/html; charset=utf-8",
             "report.pdf": "application/pdf"}
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


@dataclass
class WebConfig:
    """Settings of one running app (``evidencekit serve`` options)."""

    max_upload_bytes: int = 50 << 20
    session_timeout_seconds: float = 2 * 3600
    #: Host names the app answers to (the Host header); None means any.
    allowed_hosts: tuple[str, ...] | None = ("127.0.0.1", "localhost", "::1")
    #: Rubrics offered besides the bundled ones (id → file), e.g. an organisation's own.
    extra_rubrics: Mapping[str, Path] = field(default_factory=dict)
    sweep_seconds: float = 60.0
    #: Sessions open at once; beyond it new visitors are asked to come back later.
    max_sessions: int = 500


def loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (only this computer can connect)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts_for(host: str) -> tuple[str, ...] | None:
    """Host headers to accept when bound to ``host`` (guards against DNS rebinding)."""
    if loopback(host):
        return ("127.0.0.1", "localhost", "::1", host.strip("[]"))
    if host in ("0.0.0.0", "::", ""):
        # Every address: still only this computer's own names (DNS rebinding stays
        # refused); others are added with --allowed-host.
        import socket

        names = {"127.0.0.1", "localhost", "::1", socket.gethostname(), socket.getfqdn()}
        for name in list(names):
            try:
                names |= {str(i[4][0]) for i in socket.getaddrinfo(name, None)}
            except OSError:
                continue
        return tuple(sorted(n for n in names if n))
    return (host.strip("[]"),)


class Guard:
    """ASGI middleware: refuse unexpected Host headers, add security headers to responses."""

    def __init__(self, app: ASGIApp, allowed: tuple[str, ...] | None) -> None:
        self.app = app
        self.allowed = {h.casefold() for h in allowed} if allowed is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.allowed is not None:
            host = dict(scope["headers"]).get(b"host", b"").decode("latin-1").casefold()
            name = host.rsplit(":", 1)[0] if not host.startswith("[") else host[1:].split("]")[0]
            if name not in self.allowed:
                response = Response("Unexpected Host header.", status_code=400,
                                    media_type="text/plain")
                await response(scope, receive, send)
                return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"content-security-policy", CSP.encode()),
                            (b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"same-origin"),
                            (b"x-frame-options", b"DENY"),
                            (b"cache-control", b"no-store")]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


@dataclass
class Outcome:
    """What the answers come to: problems to fix, or a submission and its assessment."""

    problems: list[tuple[str, str]]  # (message, link)
    doc: dict[str, Any] | None = None
    result: Any = None
    submission: Any = None
    rubric: Any = None


class WebApp:
    def __init__(self, config: WebConfig) -> None:
        import jinja2
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        self.config = config
        self.store = SessionStore(config.session_timeout_seconds,
                                  max_sessions=config.max_sessions)
        self.env = ImmutableSandboxedEnvironment(
            loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True,
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        self.env.globals.update(steps=STEPS, q=q, max_upload=mb(config.max_upload_bytes),
                                max_upload_bytes=config.max_upload_bytes,
                                criterion_status=CRITERION_STATUS, level_status=LEVEL_STATUS)
        self.env.filters["plain"] = q.plain_words
        self.env.filters["dom_id"] = lambda key: "f-" + "".join(
            c if c.isalnum() or c in "-_" else "-" for c in str(key))

    # -- plumbing ----------------------------------------------------------------------

    def rubrics(self) -> dict[str, Path]:
        from ..assessment.rubric import bundled_rubrics

        return {**bundled_rubrics(), **self.config.extra_rubrics}

    def load_rubric(self, rid: str) -> Any:
        from ..assessment.rubric import load_rubric

        found = self.rubrics()
        return load_rubric(found.get(rid, found.get(DEFAULT_RUBRIC, rid)))

    def session(self, request: Request) -> tuple[Session, bool]:
        sid = request.cookies.get(COOKIE)
        s = self.store.get(sid)
        if s is not None:
            return s, False
        s = self.store.create(request.client.host if request.client else "")
        if sid:
            s.notice = ("Your earlier session ended, so its answers and files were deleted "
                        "from this computer. Please start again.")
        return s, True

    def page(self, request: Request, template: str, s: Session, new: bool, *,
             status: int = 200, step: str = "", **context: Any) -> HTMLResponse:
        notice, s.notice = s.notice, None
        errors = context.get("errors") or {}
        ev = context.get("ev")
        items = [(_labelled(k, v),
                  "#" + _dom(q.evaluation_form_name(ev, k) if ev is not None else k))
                 for k, v in errors.items()]
        html = self.env.get_template(template).render(
            csrf=s.csrf, step=step, notice=notice, answers=s.answers, error_items=items,
            **context)
        response = HTMLResponse(html, status_code=status)
        if new:
            self.set_cookie(response, s)
        return response

    def set_cookie(self, response: Response, s: Session) -> None:
        response.set_cookie(COOKIE, s.id, httponly=True, samesite="strict", path="/")

    def message(self, title: str, text: str, status: int, *, link: tuple[str, str] = ("/",
                "Go to the start")) -> HTMLResponse:
        html = self.env.get_template("message.html.j2").render(
            title=title, text=text, link=link, csrf="", step="", notice=None, answers=None,
            error_items=[])
        return HTMLResponse(html, status_code=status)

    def forbidden(self) -> HTMLResponse:
        return self.message(
            "This form could not be accepted",
            "It did not carry this page's security token: the page may be out of date, your "
            "session may have ended, or the form came from another site. Nothing was changed. "
            "Go back, reload the page and try again.", 403)

    def too_large(self) -> HTMLResponse:
        return self.message("That was too much to send",
                            f"Forms are limited to 1 MB of text and uploads to "
                            f"{mb(self.config.max_upload_bytes)}. Nothing was saved.", 413)

    async def posted(self, request: Request) -> tuple[Session | None, dict[str, str]]:
        """The session and fields of a URL-encoded post whose CSRF token is right."""
        form = await read_urlencoded(request)
        s = self.store.get(request.cookies.get(COOKIE))
        if s is None or not self.same_origin(request) or not s.check_csrf(form.get("csrf")):
            return None, form
        return s, form

    @staticmethod
    def same_origin(request: Request) -> bool:
        """False when the browser says the form came from another site (the token is the
        real check; ``Origin: null`` says nothing either way)."""
        origin = request.headers.get("origin")
        if origin is None or origin == "null":
            return True
        host = request.headers.get("host", "")
        return origin.split("://", 1)[-1].rstrip("/") == host

    # -- the submission ----------------------------------------------------------------

    def outcome(self, s: Session, *, with_claims: bool = True) -> Outcome:
        """Build and assess the session's submission (cached until the answers change)."""
        answers = s.answers
        prog, evs = q.problems_of(answers)
        problems: list[tuple[str, str]] = []
        for key, msg in prog.items():
            section = "/questions" if key.startswith("claims.") else "/programme"
            label = q.PROGRAMME_FIELDS[key].label if key in q.PROGRAMME_FIELDS else "Answer"
            problems.append((msg if msg.startswith(label) else f"{label}: {msg}",
                             f"{section}#{_dom(key)}"))
        for i, p in evs.items():
            title = answers.evaluations[i].get("title") or f"Evaluation {i + 1}"
            for key, msg in p.items():
                anchor = _dom(q.evaluation_form_name(answers.evaluations[i], key))
                target = (f"/evaluations/{i}/columns" if key == "data" or
                          key.startswith("columns.") else f"/evaluations/{i}#{anchor}")
                problems.append((f"{title}: {_labelled(key, msg)}", target))
        if problems:
            return Outcome(problems)
        doc = q.to_submission(answers)
        if not with_claims:
            doc.pop("claims", None)
        for rel in q.data_files(doc):
            if q.safe_relative(rel, s.folder) is None:
                return Outcome([(f"The data file {rel!r} is not one uploaded in this session.",
                                 "/evaluations")])
        stamp = [(rel, (s.folder / rel).stat().st_mtime_ns)
                 for rel in q.data_files(doc) if (s.folder / rel).exists()]
        key = hashlib.sha256(jsontext.dumps([answers.rubric, doc, stamp], sort_keys=True,
                                        default=str).encode()).hexdigest()
        cached = s.cache.get(key)
        if isinstance(cached, Outcome):
            return cached
        from ..api import assess
        from ..load import load_submission

        try:
            rubric = self.load_rubric(answers.rubric)
            sub = load_submission(doc, base_dir=s.folder)
            result = assess(sub, rubric=rubric)
        except InputError as exc:
            names = {rel: s.uploads.get(rel, Path(rel).name) for rel in q.data_files(doc)}
            msgs = []
            for problem in exc.problems:
                shown = next((n for rel, n in names.items() if problem.file
                              and problem.file.endswith(Path(rel).name)), None)
                if problem.file == "<submission>":
                    problem = replace(problem, file=None)
                msgs.extend(describe_problem(type(exc)([problem]), shown))
            out = Outcome([(q.plain_words(m), "/evaluations") for m in msgs], doc)
        else:
            out = Outcome([], doc, result, sub, rubric)
        while len(s.cache) >= 4:
            s.cache.pop(next(iter(s.cache)))
        s.cache[key] = out
        return out

    # -- pages -------------------------------------------------------------------------

    async def start(self, request: Request, resume_error: str = "") -> Response:
        s, new = self.session(request)
        options = []
        for rid, path in self.rubrics().items():
            try:
                r = await run_in_threadpool(self.load_rubric_path, path)
            except InputError as exc:
                print(f"evidencekit serve: rubric {rid!r} left out: "
                      f"{exc.problems[0].sentence()}", file=sys.stderr)
                continue
            options.append({"id": rid, "title": r.title, "description": r.description or "",
                            "levels": len(r.levels)})
        options.sort(key=lambda o: (o["id"] != DEFAULT_RUBRIC, o["id"]))
        return self.page(request, "start.html.j2", s, new, step="start", options=options,
                         resume_error=resume_error, status=400 if resume_error else 200)

    @staticmethod
    def load_rubric_path(path: Path) -> Any:
        from ..assessment.rubric import load_rubric

        return load_rubric(path)

    async def choose(self, request: Request) -> Response:
        s, form = await self.posted(request)
        if s is None:
            return self.forbidden()
        rid = form.get("rubric", "")
        if request.headers.get("x-autosave"):
            if rid in self.rubrics():
                s.answers.rubric = rid
            return Response(status_code=204)
        if rid not in self.rubrics():
            return self.message("Choose a framework", "That framework is not available here.",
                                400)
        s.answers.rubric = rid
        return RedirectResponse("/programme", status_code=303)

    async def programme(self, request: Request) -> Response:
        s, new = self.session(request)
        errors: dict[str, str] = {}
        if request.method == "POST":
            post, form = await self.posted(request)
            if post is None:
                return self.forbidden()
            s = post
            for key in q.PROGRAMME_FIELDS:
                s.answers.values[key] = form.get(key, "").strip()
            if request.headers.get("x-autosave"):
                return Response(status_code=204)
            errors = {k: v for k, v in q.programme_problems(s.answers.values).items()
                      if k in q.PROGRAMME_FIELDS}
            if not errors:
                return RedirectResponse("/evaluations", status_code=303)
        return self.page(request, "programme.html.j2", s, new, step="programme",
                         sections=q.PROGRAMME_SECTIONS, values=s.answers.values, errors=errors,
                         warnings=q.programme_warnings(s.answers.values),
                         status=400 if errors else 200)

    async def evaluations(self, request: Request) -> Response:
        s, new = self.session(request)
        rows = []
        for i, ev in enumerate(s.answers.evaluations):
            rows.append({"index": i, "ev": ev, "problems": q.evaluation_problems(ev),
                         "warnings": q.evaluation_warnings(ev),
                         "file": s.uploads.get(ev.get("data", ""), ""),
                         "draft": str(i) in s.answers.drafts})
        new_draft = s.answers.drafts.get("new")
        return self.page(request, "evaluations.html.j2", s, new, step="evaluations",
                         rows=rows, new_draft=new_draft)

    def evaluation_at(self, s: Session, index: str) -> tuple[int, dict[str, str]] | None:
        """The evaluation at ``index`` ("new" gives -1), as last typed: its unsaved draft
        when there is one, else its saved answers."""
        if index == "new":
            return -1, dict(s.answers.drafts.get("new", {}))
        if not index.isdigit() or int(index) >= len(s.answers.evaluations):
            return None
        i = int(index)
        return i, dict(s.answers.drafts.get(index, s.answers.evaluations[i]))

    @staticmethod
    def draft_key(i: int) -> str:
        return "new" if i < 0 else str(i)

    @staticmethod
    def commit(s: Session, i: int, ev: dict[str, str]) -> int:
        """Save an evaluation (its draft is dropped); returns its position."""
        s.answers.drafts.pop(WebApp.draft_key(i), None)
        if i < 0:
            s.answers.evaluations.append(ev)
            return len(s.answers.evaluations) - 1
        s.answers.evaluations[i] = ev
        return i

    async def evaluation(self, request: Request) -> Response:
        if request.method == "POST":  # a post never opens a session (it would fail anyway)
            live = self.store.get(request.cookies.get(COOKIE))
            if live is None:
                return self.forbidden()
            s, new = live, False
        else:
            s, new = self.session(request)
        found = self.evaluation_at(s, request.path_params["index"])
        if found is None:
            return self.message("No such evaluation", "It may have been removed.", 404,
                                link=("/evaluations", "See your evaluations"))
        i, ev = found
        key = self.draft_key(i)
        restored = request.method == "GET" and key in s.answers.drafts
        errors: dict[str, str] = {}
        status = 200
        if request.method == "POST":
            ctype = request.headers.get("content-type", "").lower()
            try:
                if ctype.startswith("application/x-www-form-urlencoded"):
                    form = Multipart(await read_urlencoded(request), None)
                else:
                    form = await read_multipart(request, folder=s.folder, file_field="upload",
                                                max_file=self.config.max_upload_bytes)
            except TooLarge:
                return self.too_large()
            live = self.store.get(request.cookies.get(COOKIE))
            if live is not s or not self.same_origin(request) or \
                    not s.check_csrf(form.fields.get("csrf")):
                if form.upload is not None and form.upload.path is not None:
                    form.upload.path.unlink(missing_ok=True)
                return self.forbidden()
            kept = {k: v for k, v in ev.items() if not k.startswith("more")}
            ev = {**kept, **q.read_evaluation_form(form.fields)}
            action = form.fields.get("outcome_action", "")
            if request.headers.get("x-autosave"):
                s.answers.drafts[key] = ev  # kept as typed; saved only by the button
                return Response(status_code=204)
            up = form.upload
            if up is not None and up.path is None:
                errors["upload"] = too_large_text(self.config.max_upload_bytes)
                status = 413
            elif up is not None:
                try:
                    rel = accept(up, s.data_dir)
                except Rejected as exc:
                    errors["upload"] = str(exc)
                else:
                    try:
                        await run_in_threadpool(columns, s.folder / rel)
                    except Exception as exc:
                        (s.folder / rel).unlink(missing_ok=True)
                        errors["upload"] = " ".join(describe_problem(exc, up.filename))
                    else:
                        s.uploads[rel] = up.filename
                        ev = {k: v for k, v in ev.items() if not k.startswith("columns.")}
                        ev["data"] = rel
            if action and not errors:  # add or remove an outcome; nothing is checked yet
                count = q.more_count(ev)
                if action == "add" and count < q.MAX_MORE_OUTCOMES:
                    ev[q.MORE_COUNT] = str(count + 1)
                elif action.startswith("remove:") and action[7:].isdigit():
                    ev = q.remove_more(ev, int(action[7:]))
                s.answers.drafts[key] = ev
                self.prune_files(s)
                return RedirectResponse(f"/evaluations/{key}#outcome-{q.more_count(ev) + 1}",
                                        status_code=303)
            if not errors:
                if ev.get("source") == "data" and not ev.get("data"):
                    errors["upload"] = "Choose the data file with one row per person."
                else:
                    errors = {k: v for k, v in q.evaluation_problems(ev).items()
                              if q.split_more(k)[1] in q.EVALUATION_FIELDS
                              or q.split_more(k)[1] == "primary"}
            if not errors and ev.get("source") == "data":
                s.answers.drafts[key] = ev  # saved once its columns are matched
                self.prune_files(s)
                return RedirectResponse(f"/evaluations/{key}/columns", status_code=303)
            if not errors:
                self.commit(s, i, ev)
                self.prune_files(s)
                return RedirectResponse("/evaluations", status_code=303)
            s.answers.drafts[key] = ev  # what was typed stays on the page, unsaved
            self.prune_files(s)
            if status == 200:
                status = 400
        return self.page(request, "evaluation.html.j2", s, new, step="evaluations",
                         index=i, ev=ev, errors=errors, sections=q.EVALUATION_SECTIONS,
                         warnings=q.evaluation_warnings(ev), restored=restored,
                         file=s.uploads.get(ev.get("data", ""), ""), status=status)

    async def discard(self, request: Request) -> Response:
        """"Back to the list without saving": forget what was typed since the last save."""
        s, _ = await self.posted(request)
        if s is None:
            return self.forbidden()
        index = request.path_params["index"]
        s.answers.drafts.pop(index, None)
        self.prune_files(s)
        return RedirectResponse("/evaluations", status_code=303)

    @staticmethod
    def prune_files(s: Session) -> None:
        """Delete uploaded files that no evaluation (saved or being typed) uses any more."""
        used = {e.get("data") for e in [*s.answers.evaluations, *s.answers.drafts.values()]}
        for path in s.data_dir.iterdir():
            rel = f"{q.DATA_FOLDER}/{path.name}"
            if rel not in used:
                path.unlink(missing_ok=True)
                s.uploads.pop(rel, None)

    async def remove(self, request: Request) -> Response:
        s, _ = await self.posted(request)
        if s is None:
            return self.forbidden()
        found = self.evaluation_at(s, request.path_params["index"])
        if found is None or found[0] < 0:
            return RedirectResponse("/evaluations", status_code=303)
        i = found[0]
        s.answers.evaluations.pop(i)
        drafts = s.answers.drafts
        for k in sorted((k for k in drafts if k.isdigit()), key=int):
            if int(k) == i:
                drafts.pop(k)
            elif int(k) > i:
                drafts[str(int(k) - 1)] = drafts.pop(k)
        self.prune_files(s)
        return RedirectResponse("/evaluations", status_code=303)

    async def mapping(self, request: Request) -> Response:
        s, new = self.session(request)
        found = self.evaluation_at(s, request.path_params["index"])
        if found is None or not found[1].get("data"):
            return self.message("No data file here", "Add the evaluation and choose its data "
                                "file first.", 404, link=("/evaluations", "See your evaluations"))
        i, ev = found
        rel = ev["data"]
        path = q.safe_relative(rel, s.folder)
        shown = s.uploads.get(rel, Path(rel).name)
        errors: dict[str, str] = {}
        problems: list[str] = []
        cols: list[Any] = []
        if path is None or not path.exists():
            problems.append("The data file is no longer here; upload it again.")
        else:
            try:
                cols = await run_in_threadpool(columns, path)
            except Exception as exc:
                problems.extend(describe_problem(exc, shown))
        names = [c.name for c in cols]
        design = ev.get("design", "")
        roles = q.column_roles(design)
        two = design in q.TWO_GROUP
        labels: list[tuple[str, int]] = []
        form: dict[str, str] = {}
        if request.method == "POST":
            post, form = await self.posted(request)
            if post is None:
                return self.forbidden()
            chosen = {r: form.get(f"columns.{r}", "").strip() for r, *_ in roles}
            if two:
                chosen["treatment"] = form.get("columns.treatment", "").strip()
            for r, label, _, needed in roles:
                if chosen[r] and chosen[r] not in names:
                    errors[f"columns.{r}"] = "Choose one of the file's columns."
                elif needed and not chosen[r]:
                    errors[f"columns.{r}"] = f"Choose the column for: {label}."
            picked = [v for r, v in chosen.items() if r != "treatment" and v]
            if len(picked) != len(set(picked)):
                problems.append("Each column can have only one role: choose different columns.")
            ev = {k: v for k, v in ev.items() if not k.startswith("columns.")}
            ev.update({f"columns.{r}": v for r, v in chosen.items() if v})
            s.answers.drafts[self.draft_key(i)] = ev
            if request.headers.get("x-autosave"):
                return Response(status_code=204)
        if two and ev.get("columns.group") in names and path is not None and not problems:
            try:
                labels = await run_in_threadpool(group_labels, path, ev["columns.group"])
            except Exception as exc:
                problems.extend(describe_problem(exc, shown))
            values = [lab for lab, _ in labels]
            t = ev.get("columns.treatment", "")
            if request.method == "POST" and t and t not in values:
                errors["columns.treatment"] = "Choose one of the values of the group column."
            if len(values) != 2 and labels:
                from ..self_assess import group_column_message

                errors["columns.group"] = group_column_message(ev["columns.group"], values)
                labels = []
        if request.method == "POST" and not errors and not problems:
            if two and not ev.get("columns.treatment") and not form.get("labels_shown"):
                pass  # the group's values are shown now: the person picks one next
            elif two and not ev.get("columns.treatment"):
                errors["columns.treatment"] = ("Choose which value marks the people who took "
                                               "part in the programme.")
            else:
                problems = await run_in_threadpool(self.try_evaluation, s, ev, shown)
                if not problems:
                    self.commit(s, i, ev)
                    return RedirectResponse("/evaluations", status_code=303)
        status = 400 if request.method == "POST" and (errors or problems) else 200
        return self.page(request, "columns.html.j2", s, new, step="evaluations",
                         index=self.draft_key(i),
                         ev=ev, cols=cols, roles=roles, two=two, labels=labels,
                         errors=errors, problems=problems, file=shown, status=status)

    def try_evaluation(self, s: Session, ev: dict[str, str], shown: str) -> list[str]:
        """Analyse one evaluation alone, so a problem with its file shows on its own page."""
        from ..api import analyse
        from ..load import load_submission

        try:
            doc = {"schema": q.SCHEMA, "programme": {"name": "check"},
                   "evaluations": [q.evaluation_to_dict(ev, "check")]}
            analyse(load_submission(doc, base_dir=s.folder))
        except q.AnswerError as exc:
            return [str(exc)]
        except Exception as exc:
            return describe_problem(exc, shown)
        return []

    async def questions(self, request: Request) -> Response:
        s, new = self.session(request)
        rubric = await run_in_threadpool(self.load_rubric, s.answers.rubric)
        groups = q.questions_for(rubric)
        plan = await run_in_threadpool(q.signalling_plan, s.answers, rubric, s.folder)
        errors: dict[str, str] = {}
        if request.method == "POST":
            post, form = await self.posted(request)
            if post is None:
                return self.forbidden()
            s = post
            # The questions about each evaluation (a rubric's signalling questions): an
            # answer that means none of the question's answers is refused in one sentence.
            slots = q.evaluation_slots(s.answers)
            for i, (_, asked_list) in enumerate(plan):
                for asked in asked_list:
                    a_name, n_name = q.signalling_names(i, asked.id)
                    if a_name not in form and n_name not in form:
                        continue
                    raw, note = form.get(a_name, "").strip(), form.get(n_name, "").strip()
                    code = ""
                    if raw:
                        try:
                            code, _ = q.parse_signalling(asked.question, raw)
                        except q.AnswerError as exc:
                            errors[a_name] = str(exc)
                            continue
                    q.set_signalling_answer(slots[i], asked.id, code, note)
            for group in groups:
                for question in group.questions:
                    a, n = q.claim_keys(question.id)
                    if a in form or n in form:
                        s.answers.values[a] = form.get(a, "").strip()
                        s.answers.values[n] = form.get(n, "").strip()
            if request.headers.get("x-autosave"):
                return Response(status_code=204)
            errors.update({k: v for k, v in q.programme_problems(s.answers.values).items()
                           if k.startswith("claims.")})
            if not errors:
                return RedirectResponse("/result", status_code=303)
        basis = await run_in_threadpool(self.outcome, s, with_claims=False)
        shown = q.shown_by_evidence(basis.result)
        return self.page(request, "questions.html.j2", s, new, step="questions",
                         rubric=rubric, groups=groups, shown=shown, values=s.answers.values,
                         errors=errors, basis=basis, plan=plan,
                         asked_any=any(asked for _, asked in plan),
                         slots=q.evaluation_slots(s.answers),
                         status=400 if errors else 200)

    async def result(self, request: Request) -> Response:
        s, new = self.session(request)
        out = await run_in_threadpool(self.outcome, s)
        ladder, missing, found = result_parts(out.result)
        files = [(rel, s.uploads.get(rel, Path(rel).name)) for rel in q.data_files(out.doc or {})]
        return self.page(request, "result.html.j2", s, new, step="result", out=out,
                         ladder=ladder, missing=missing, files=files, findings=found)

    async def download(self, request: Request) -> Response:
        s = self.store.get(request.cookies.get(COOKIE))
        name = request.path_params["name"]
        if name not in DOWNLOADS:
            return self.message("No such download",
                                "Only your submission file and your reports can be downloaded "
                                "here.", 404, link=("/result", "Back to your result"))
        if s is None:
            return self.message("Your session has ended",
                                "Its answers were deleted, so there is nothing to download.",
                                404)
        out = await run_in_threadpool(self.outcome, s)
        if out.doc is None:
            return self.message("Not ready yet", "Finish the questions first: "
                                + " ".join(m for m, _ in out.problems[:3]), 409,
                                link=("/result", "See what is missing"))
        stem = q.slug(str(out.doc.get("programme", {}).get("name", "")) or "my-programme")
        if name == "submission.yaml" and out.result is None and \
                (bad := q.submission_problems(out.doc, s.folder)):
            return self.message("Not ready yet", "The answers cannot be saved as a submission "
                                "file yet: " + q.plain_words(bad[0]), 409,
                                link=("/result", "See what is missing"))
        if name == "submission.yaml":
            body: bytes = self.submission_yaml(out.doc, s).encode("utf-8")
            filename = f"{stem}.yaml"
        elif out.result is None:
            return self.message("Not ready yet", "The report needs an assessment: "
                                + " ".join(m for m, _ in out.problems[:3]), 409,
                                link=("/result", "See what is missing"))
        elif name == "report.html":
            from ..report import render_html

            text = await run_in_threadpool(lambda: render_html(
                out.result, submission=out.submission, rubric=out.rubric))
            body, filename = text.encode("utf-8"), f"{stem}-report.html"
        else:
            from ..report import render_pdf

            body = await run_in_threadpool(lambda: render_pdf(
                out.result, submission=out.submission, rubric=out.rubric))
            filename = f"{stem}-report.pdf"
        return Response(body, media_type=DOWNLOADS[name], headers={
            "content-disposition": f'attachment; filename="{filename}"'})

    def submission_yaml(self, doc: Mapping[str, Any], s: Session) -> str:
        header = [f"Written by the evidencekit self-assessment app on {date.today():%d %B %Y}.",
                  f"Assess it again with: evidencekit assess THIS-FILE --rubric "
                  f"{s.answers.rubric}"]
        files = q.data_files(doc)
        if files:
            header.append("")
            header.append("It names these data files; keep them in a folder called "
                          f"'{q.DATA_FOLDER}' beside this file:")
            header.extend(f"  {rel}  (uploaded as {s.uploads.get(rel, Path(rel).name)})"
                          for rel in files)
        return q.to_yaml(doc, header=header)

    async def end(self, request: Request) -> Response:
        """``GET``: what deleting would delete, and a button to confirm; ``POST``: delete."""
        if request.method == "GET":
            live = self.store.get(request.cookies.get(COOKIE))
            if live is None:
                return self.message("There is nothing to delete",
                                    "Your answers and files have already been deleted from "
                                    "this computer, or your session ended.", 200,
                                    link=("/", "Start a new self-assessment"))
            a = live.answers
            claims = sum(1 for k, v in a.values.items()
                         if k.startswith("claims.") and k.endswith(".answer") and v)
            return self.page(request, "end.html.j2", live, False, step="",
                             name=a.values.get("programme.name", ""),
                             evaluations=len(a.evaluations) + len(a.kept),
                             drafts=len(a.drafts), claims=claims,
                             files=sorted(set(live.uploads.values())))
        s, _ = await self.posted(request)
        if s is None:
            return self.forbidden()
        self.store.end(s.id)
        response = self.message("Your answers have been deleted",
                                "Your answers and any files you uploaded have been deleted "
                                "from this computer. You can close this window.", 200,
                                link=("/", "Start a new self-assessment"))
        response.delete_cookie(COOKIE, path="/")
        return response

    async def resume(self, request: Request) -> Response:
        """Carry on from a submission file downloaded earlier (YAML or JSON)."""
        live = self.store.get(request.cookies.get(COOKIE))
        if live is None:
            return self.forbidden()
        s = live
        try:
            form = await read_multipart(request, folder=s.folder, file_field="upload",
                                        max_file=1 << 20)
        except TooLarge:
            return self.too_large()
        up = form.upload
        if self.store.get(request.cookies.get(COOKIE)) is not s or \
                not self.same_origin(request) or not s.check_csrf(form.fields.get("csrf")):
            if up is not None and up.path is not None:
                up.path.unlink(missing_ok=True)
            return self.forbidden()
        error = ""
        answers = None
        if up is None or not up.filename:
            error = "Choose the submission file you downloaded earlier (a .yaml file)."
        elif up.path is None:
            error = "That file is larger than 1 MB: a submission file is much smaller."
        else:
            try:
                answers = await run_in_threadpool(self.read_saved, up.path, up.filename,
                                                  s.answers.rubric)
            except InputError as exc:
                error = ("That file could not be read as a submission: "
                         + exc.problems[0].sentence())
            finally:
                up.path.unlink(missing_ok=True)
        if answers is None:
            return await self.start(request, resume_error=error)
        missing, evaluations = [], []
        for ev in answers.evaluations:
            if ev.get("data"):  # the data file is not in the saved file: upload it again
                missing.append(ev.get("title") or ev.get("id") or "an evaluation")
                ev = {k: v for k, v in ev.items() if k != "data" and not k.startswith("columns.")}
            evaluations.append(ev)
        answers.evaluations = evaluations
        s.answers = answers
        s.cache.clear()
        s.notice = (f"Your answers from {up.filename if up else 'the file'} are back. Check "
                    "each page and change anything that has changed."
                    + (" Upload the data file again for: " + ", ".join(missing) + "."
                       if missing else ""))
        return RedirectResponse("/programme", status_code=303)

    @staticmethod
    def read_saved(path: Path, filename: str, rubric: str) -> q.Answers:
        from ..errors import SubmissionError
        from ..load.document import parse

        text = path.read_bytes().decode("utf-8", errors="replace")
        doc = parse(text, filename, json_syntax=filename.lower().endswith(".json"))
        if not isinstance(doc.value, dict) or not isinstance(doc.value.get("programme"),
                                                             dict):
            raise SubmissionError.one(filename, "a submission file (with a 'programme' part)",
                                      "something else")
        return q.from_submission(doc.value, rubric)

    # -- errors ------------------------------------------------------------------------

    async def not_found(self, request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 404
        if status == 405:
            return self.message("That does not work here", "Use the page's own buttons.", 405)
        return self.message("Page not found", "There is no page at this address.", status)

    async def failed(self, request: Request, exc: Exception) -> Response:
        if isinstance(exc, TooLarge):
            return self.too_large()
        if isinstance(exc, Busy):
            return self.message("Too many people are using this app",
                                f"It keeps at most {self.store.max_sessions} sessions open at "
                                "once. Try again later, when idle sessions have timed out.", 503)
        if isinstance(exc, BadForm):
            return self.message("That form could not be read",
                                f"Expected {exc.args[0] if exc.args else 'a form post'}. "
                                "Go back and use the page's own buttons.", 400)
        print(f"evidencekit serve: internal error ({type(exc).__name__}: {exc})",
              file=sys.stderr)
        return self.message("Something went wrong on our side",
                            f"The app could not finish this ({type(exc).__name__}). Your "
                            "answers are kept; go back and try again, and please report it.",
                            500)


def _labelled(key: str, message: str) -> str:
    """An error message that names its field (once)."""
    label = _label(key)
    return message if message.startswith(label) else f"{label}: {message}"


def _label(key: str) -> str:
    m, plain = q.split_more(key)
    if m:
        inner = q.MORE_PRIMARY.label if plain == "primary" else _label(plain)
        return f"Outcome {m + 1}, {inner[0].lower() + inner[1:]}"
    if key in q.PROGRAMME_FIELDS:
        return q.PROGRAMME_FIELDS[key].label
    if key in q.EVALUATION_FIELDS:
        return q.EVALUATION_FIELDS[key].label
    if key == "upload":
        return "Data file"
    if key == "columns.treatment":
        return "The programme group's value"
    if key.startswith("columns."):
        role = key.split(".", 1)[1]
        return next((label for roles in q.COLUMN_ROLES.values() for r, label, *_ in roles
                     if r == role), "Column")
    return "Your answer"


def _dom(key: str) -> str:
    return "f-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in key)


def create_app(config: WebConfig | None = None) -> Starlette:
    """The ASGI application (``evidencekit serve`` runs it with uvicorn)."""
    import asyncio

    cfg = config or WebConfig()
    web = WebApp(cfg)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async def sweeper() -> None:
            while True:
                await asyncio.sleep(cfg.sweep_seconds)
                web.store.sweep()

        task = asyncio.create_task(sweeper())
        try:
            yield
        finally:
            task.cancel()
            web.store.close()

    def route(path: str, endpoint: Callable[[Request], Awaitable[Response]],
              methods: tuple[str, ...] = ("GET",)) -> Route:
        return Route(path, endpoint, methods=list(methods))

    routes = [
        route("/", web.start),
        route("/start", web.choose, ("POST",)),
        route("/programme", web.programme, ("GET", "POST")),
        route("/evaluations", web.evaluations),
        route("/evaluations/{index}", web.evaluation, ("GET", "POST")),
        route("/evaluations/{index}/columns", web.mapping, ("GET", "POST")),
        route("/evaluations/{index}/delete", web.remove, ("POST",)),
        route("/evaluations/{index}/discard", web.discard, ("POST",)),
        route("/resume", web.resume, ("POST",)),
        route("/questions", web.questions, ("GET", "POST")),
        route("/result", web.result),
        route("/download/{name:path}", web.download),
        route("/end", web.end, ("GET", "POST")),
        Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={
        404: web.not_found, 405: web.not_found, Exception: web.failed,
        TooLarge: web.failed, BadForm: web.failed, Busy: web.failed})
    app.state.web = web
    app.add_middleware(Guard, allowed=cfg.allowed_hosts)
    return app


def result_parts(r: Any) -> tuple[list[dict[str, Any]], list[Any], list[Any]]:
    """What the result page shows beside the assessment: the ladder (each level's cumulative
    status, as the assessment decided it), what the next level misses, and the findings."""
    from .findings import findings

    if r is None:
        return [], [], []
    # Each step is drawn as its criterion status and named in the registry's words.
    ladder = [{"level": lv.level, "label": lv.label or str(lv.level), "title": lv.title,
               "status": LEVEL_STATUS[lv.status].criterion,
               "words": " ".join(w for w in (LEVEL_STATUS[lv.status].mark,
                                             LEVEL_STATUS[lv.status].words) if w)}
              for lv in reversed(r.levels)]
    nxt = r.level + 1
    missing = ([c for c in r.levels[nxt - 1].criteria if c.status != "verified"]
               if nxt <= len(r.levels) else [])
    return ladder, missing, findings(r)
