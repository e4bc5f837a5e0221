"""A review round: the applications of a batch input (a folder or a manifest), the round's
review store beside them, and the funder's set-up file.

The set-up file (``evidencekit/round@1``, YAML or JSON)::

    schema: evidencekit/round@1
    rubric: nesta                # the rubric the round is assessed with (default nesta)
    reviewers_required: 2        # agreeing reviewers a claim needs (default 1)
    blind: true                  # reviewers see others' judgements only after submitting
    reviewers:
      - {name: Ada Khan, token: a-long-random-token}    # token left out: one is made
      - {name: Cy Moderator, role: moderator, token: another-long-token}
    assignments:
      city-year: [Ada Khan, Ben Ode]
      "*": [Ada Khan]            # every application
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..load.document import describe, parse, read_text
from ..vocabulary import DEFAULT_RUBRIC
from .store import DEFAULT_FILE, ReviewError, ReviewStore

SCHEMA = "evidencekit/round@1"


def round_folder(source: str | Path) -> Path:
    """The folder of a round: the folder itself, or the manifest's folder."""
    p = Path(source)
    return p if p.is_dir() else p.parent


def default_database(source: str | Path) -> Path:
    return round_folder(source) / DEFAULT_FILE


def submission_sha256(path: Path) -> str | None:
    """The version of a submission judgements are made against
    (:func:`evidencekit.review.version.submission_version`: its file's SHA-256, combined with
    its data files' when it names any); the file's own SHA-256 when it cannot be loaded
    (it is then listed with its problem); None when it cannot be read at all."""
    from ..load import load_submission
    from .version import submission_version

    try:
        return submission_version(load_submission(path))
    except InputError:
        pass
    try:
        text = read_text(path)
    except InputError:
        return None
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def open_round(source: str | Path, database: str | None = None, *,
               create: bool = False) -> tuple[ReviewStore, list[Any]]:
    """The round's store and its applications; every application's current version is
    registered (a changed submission makes its earlier judgements stale)."""
    from ..batch.inputs import discover

    apps, _ = discover(source)
    where = database if database is not None else str(default_database(source))
    if not create and database is None and not Path(where).exists():
        raise ReviewError.one(str(source), "a round set up for review (evidencekit round "
                              "setup ROUND SETUP.yaml)", f"no {DEFAULT_FILE} in "
                              f"{round_folder(source)}")
    store = ReviewStore(where)
    known = store.applications()
    for a in apps:
        sha = submission_sha256(a.path)
        path = str(a.path.resolve())
        if known.get(a.id) != (path, sha):
            store.register(a.id, path, sha)
    return store, apps


def attach_judgements(source: str | Path, apps: list[Any], database: str | None
                      ) -> tuple[list[Any], int]:
    """Batch scoring of a round: each application with its judgements (when the round has a
    review store: ``database`` or the round folder's file), and the reviewers required."""
    lookup, required = judgements_for(source, database)
    if lookup is None:
        return apps, required
    return [replace(a, judgements=lookup(a.id)) for a in apps], required


def judgements_for(source: str | Path, database: str | None
                   ) -> tuple[Callable[[str], tuple[Any, ...]] | None, int]:
    """The judgements of an application by its id (None when the round has no review
    store), and the reviewers required; what :func:`attach_judgements` attaches."""
    if database is None and not default_database(source).exists():
        return None, 1
    store, _ = open_round(source, database)
    by_app: dict[str, list[Any]] = {}
    for j in store.judgements():
        by_app.setdefault(j.application, []).append(j)
    required = store.settings().reviewers_required

    def lookup(application_id: str) -> tuple[Any, ...]:
        return tuple(by_app.get(application_id, ()))

    return lookup, required


@dataclass(frozen=True)
class SetupReviewer:
    name: str
    role: str
    token: str
    generated: bool


def load_setup(path: str | Path) -> dict[str, Any]:
    """A round set-up file, checked (every mistake named by file, line and key)."""
    p = Path(path)
    doc = parse(read_text(p, what="a round set-up file"), str(p),
                json_syntax=p.suffix.lower() == ".json")
    v = doc.value

    def bad(key: tuple[Any, ...], expected: str, found: str) -> InputError:
        return InputError([Problem(str(p), doc.line_of(key),
                                   ".".join(str(k) for k in key) or None, expected, found)])

    if not isinstance(v, dict) or v.get("schema") != SCHEMA:
        raise bad(("schema",), SCHEMA, describe(v.get("schema") if isinstance(v, dict) else v))
    allowed = ("schema", "rubric", "reviewers_required", "blind", "reviewers", "assignments")
    for k in v:
        if k not in allowed:
            raise bad((k,), "one of " + ", ".join(allowed), repr(k))
    required = v.get("reviewers_required", 1)
    if isinstance(required, bool) or not isinstance(required, int) or not 1 <= required <= 10:
        raise bad(("reviewers_required",), "a whole number from 1 to 10", describe(required))
    rubric = v.get("rubric", DEFAULT_RUBRIC)
    if not isinstance(rubric, str) or not rubric:
        raise bad(("rubric",), "a bundled rubric id or a rubric file's path", describe(rubric))
    blind = v.get("blind", True)
    if not isinstance(blind, bool):
        raise bad(("blind",), "true or false", describe(blind))
    reviewers = v.get("reviewers")
    if not isinstance(reviewers, list) or not reviewers:
        raise bad(("reviewers",), "a list of reviewers (name, token, role)", describe(reviewers))
    names: set[str] = set()
    out_reviewers: list[SetupReviewer] = []
    for i, r in enumerate(reviewers):
        key = ("reviewers", i)
        if not isinstance(r, dict):
            raise bad(key, "a mapping with name, token and role", describe(r))
        for k in r:
            if k not in ("name", "token", "role"):
                raise bad((*key, k), "name, token or role", repr(k))
        name = r.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            raise bad((*key, "name"), "a name (text of at most 200 characters)",
                      describe(name))
        if name in names:
            raise bad((*key, "name"), "a name not given before", repr(name))
        names.add(name)
        role = r.get("role", "reviewer")
        if role not in ("reviewer", "moderator"):
            raise bad((*key, "role"), "reviewer or moderator", describe(role))
        token = r.get("token")
        generated = token is None
        if generated:
            from .store import new_token

            token = new_token()
        if not isinstance(token, str) or len(token) < 12:
            raise bad((*key, "token"), "a token of at least 12 characters",
                      describe(token) if not isinstance(token, str)
                      else f"{len(token)} characters")
        out_reviewers.append(SetupReviewer(name.strip(), role, token, generated))
    assignments = v.get("assignments", {})
    if not isinstance(assignments, dict):
        raise bad(("assignments",), "a mapping of application ids to reviewer names",
                  describe(assignments))
    checked: dict[str, list[str]] = {}
    for app, who in assignments.items():
        if not isinstance(who, list) or not all(isinstance(w, str) for w in who):
            raise bad(("assignments", app), "a list of reviewer names", describe(who))
        for w in who:
            if w not in names:
                raise bad(("assignments", app), "names of reviewers listed under reviewers",
                          repr(w))
        checked[str(app)] = list(who)
    return {"rubric": rubric, "reviewers_required": required, "blind": blind,
            "reviewers": out_reviewers, "assignments": checked}


def setup_round(source: str | Path, setup: str | Path, database: str | None = None
                ) -> tuple[ReviewStore, list[SetupReviewer], dict[str, list[str]]]:
    """Create (or update) the round's store from a set-up file."""
    conf = load_setup(setup)
    store, apps = open_round(source, database, create=True)
    ids = [a.id for a in apps]
    plan: dict[str, list[str]] = {}
    for app, who in conf["assignments"].items():
        if app != "*" and app not in ids:
            raise InputError.one(str(setup), "an application of the round (" +
                                 ", ".join(ids[:8]) + (", …" if len(ids) > 8 else "") + ")",
                                 repr(app), key=f"assignments.{app}")
        for target in (ids if app == "*" else [app]):
            plan.setdefault(target, [])
            plan[target] += [w for w in who if w not in plan[target]]
    from ..assessment.rubric import load_rubric

    load_rubric(conf["rubric"])  # a bad rubric stops the set-up, named
    store.configure(reviewers_required=conf["reviewers_required"], blind=conf["blind"],
                    rubric=conf["rubric"])
    for r in conf["reviewers"]:
        store.add_reviewer(r.name, r.token, r.role)
    for app, who in plan.items():
        for w in who:
            store.assign(app, w)
    return store, conf["reviewers"], plan
