"""Reviewers' judgements as a file (``evidencekit/judgements@1``, YAML or JSON).

The terminal way to record a review, and the round's export read back::

    schema: evidencekit/judgements@1
    judgements:
      - application: code-club          # needed in a round; optional for one submission
        criterion: nesta.L3.comparison
        decision: validated             # or rejected
        reviewer: Ada Khan
        role: reviewer                  # or moderator (optional; default reviewer)
        reason: The RCT report (2025) shows the comparison.
        at: 2026-12-02T01:00:00Z        # optional; default: when it is recorded
        submission_sha256: 3f5c…        # optional; the version judged

Every mistake is one plain sentence naming the file, line and key (exit 2 on the command
line); text in the file stays text (safe YAML, no tags).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..load.document import Document, describe, parse, read_text, text_problem
from .model import DECISIONS, ROLES, Judgement

SCHEMA = "evidencekit/judgements@1"
_KEYS = ("application", "criterion", "decision", "reviewer", "role", "reason", "at",
         "submission_sha256")
_SHA = re.compile(r"^[0-9a-f]{64}$")
#: The longest reason kept (a paragraph; longer text is refused, not cut).
MAX_REASON = 2000
MAX_NAME = 200


def now() -> str:
    """The current time as ISO 8601 UTC, to the second (how the audit trail records it)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_time(value: str) -> str | None:
    """``value`` as ISO 8601 UTC (``…Z``), or None when it is not a date and time.

    >>> check_time("2026-12-02T01:00:00Z"), check_time("2026-12-02 01:00:00+01:00")
    ('2026-12-02T01:00:00Z', '2026-12-02T00:00:00Z')
    >>> check_time("yesterday") is None
    True
    """
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_judgement(item: Any, *, source: str | None = None, line: int | None = None,
                    key: str = "judgement", need_application: bool = False,
                    default_time: str | None = None) -> Judgement:
    """One judgement from a mapping (a file's item, a web form, a command line), or an
    :class:`InputError` naming what is wrong."""
    def bad(k: str, expected: str, found: str) -> InputError:
        return InputError([Problem(source, line, f"{key}.{k}" if k else key, expected,
                                   found)])

    if not isinstance(item, dict):
        raise bad("", "a mapping with criterion, decision, reviewer and reason",
                  describe(item))
    unknown = [k for k in item if k not in _KEYS]
    if unknown:
        raise bad(str(unknown[0]), "one of " + ", ".join(_KEYS), repr(unknown[0]))
    values: dict[str, str] = {}
    for k in _KEYS:
        v = item.get(k)
        if v is None or v == "":
            continue
        if not isinstance(v, str) and not (k == "at" and isinstance(v, datetime)):
            raise bad(k, "text", describe(v))
        values[k] = v.strip() if isinstance(v, str) else v.isoformat()
        problem = text_problem(values[k]) if isinstance(values[k], str) else None
        if problem:
            raise bad(k, "plain text", problem)
    for k in ("criterion", "decision", "reviewer") + (("application",) if need_application
                                                       else ()):
        if k not in values:
            raise bad(k, "a value", "nothing")
    if values["decision"] not in DECISIONS:
        raise bad("decision", "validated or rejected", describe(values["decision"]))
    role = values.get("role", "reviewer")
    if role not in ROLES:
        raise bad("role", "reviewer or moderator", describe(role))
    for k, limit in (("reviewer", MAX_NAME), ("criterion", MAX_NAME),
                     ("application", 1000), ("reason", MAX_REASON)):
        if len(values.get(k, "")) > limit:
            raise bad(k, f"at most {limit} characters", f"{len(values[k])}")
    if role == "moderator" and not values.get("reason"):
        raise bad("reason", "a moderator's reason for the decision", "nothing")
    at = now() if "at" not in values and default_time is None else None
    if "at" in values:
        at = check_time(values["at"])
        if at is None:
            raise bad("at", "a date and time (ISO 8601, e.g. 2026-12-02T01:00:00Z)",
                      describe(values["at"]))
    sha = values.get("submission_sha256")
    if sha is not None and not _SHA.match(sha.lower()):
        raise bad("submission_sha256", "a SHA-256 (64 hexadecimal digits)", describe(sha))
    return Judgement(values.get("application", ""), values["criterion"], values["decision"],
                     values["reviewer"], values.get("reason", ""),
                     at or default_time or now(), sha.lower() if sha else None, role)


def load_judgements(path: str | Path, *, need_application: bool = False) -> list[Judgement]:
    """Every judgement of a judgements file, or an :class:`InputError` for the first bad one
    (each named by file, line and key)."""
    p = Path(path)
    text = read_text(p, what="a judgements file")
    doc = parse(text, str(p), json_syntax=p.suffix.lower() == ".json")
    return judgements_of(doc, need_application=need_application)


def judgements_of(doc: Document, *, need_application: bool = False) -> list[Judgement]:
    value = doc.value
    if not isinstance(value, dict):
        raise InputError.one(doc.source, f"a mapping with schema: {SCHEMA}", describe(value))
    if value.get("schema") != SCHEMA:
        raise InputError([Problem(doc.source, doc.line_of(("schema",)), "schema",
                                  SCHEMA, describe(value.get("schema")))])
    extra = [k for k in value if k not in ("schema", "judgements")]
    if extra:
        raise InputError([Problem(doc.source, doc.line_of((extra[0],)), str(extra[0]),
                                  "schema or judgements", repr(extra[0]))])
    items = value.get("judgements")
    if not isinstance(items, list):
        raise InputError([Problem(doc.source, doc.line_of(("judgements",)), "judgements",
                                  "a list of judgements", describe(items))])
    problems: list[Problem] = []
    out: list[Judgement] = []
    for i, item in enumerate(items):
        try:
            out.append(check_judgement(item, source=doc.source,
                                       line=doc.line_of(("judgements", i)),
                                       key=f"judgements[{i}]",
                                       need_application=need_application))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return out


def judgements_document(judgements: list[Judgement]) -> dict[str, Any]:
    """Judgements as a judgements file's content (what :func:`load_judgements` reads)."""
    keep = ("application", "criterion", "decision", "reviewer", "role", "reason", "at",
            "submission_sha256")
    return {"schema": SCHEMA,
            "judgements": [{k: v for k, v in j.to_dict().items()
                            if k in keep and v not in (None, "")} for j in judgements]}
