"""What reviewing does, once, for every way of doing it (the terminal, a file, the web
reviewer view): what a reviewer is shown of an application, recording a judgement, the
round's status and its exports."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .agreement import PairAgreement, pairwise
from .files import check_judgement, now
from .model import Judgement, Review, decide
from .store import Reviewer, ReviewError, ReviewStore


@dataclass(frozen=True)
class Claim:
    """A claimed criterion as a reviewer sees it."""

    id: str
    title: str
    level: int
    status: str  # claimed | validated
    question: str
    guidance: str
    note: str | None
    reason: str
    decision: str | None  # the round's decision so far (validated, rejected, …) or None


@dataclass(frozen=True)
class ApplicationView:
    """One application for one reviewer: the verdict, the claims, the statistics."""

    id: str
    sha256: str | None
    result: Any  # AssessmentResult with the round's review applied
    claims: tuple[Claim, ...]
    judgements: tuple[Judgement, ...]  # what this reviewer may see (blind review)


def login(store: ReviewStore, name: str, token: str) -> Reviewer:
    who = store.authenticate(name, token)
    if who is None:
        raise ReviewError.one(None, "the name and token of a reviewer of this round",
                              "a name and token that do not match", key="reviewer")
    return who


def review_of(store: ReviewStore, application: str,
              judgements: list[Judgement] | None = None) -> tuple[Review, str | None]:
    apps = store.applications()
    if application not in apps:
        raise ReviewError.one(None, "an application of this round", repr(application),
                              key="application")
    sha = apps[application][1]
    return decide(store.judgements(application) if judgements is None else judgements, sha,
                  store.settings().reviewers_required), sha


def assess_application(store: ReviewStore, application: str,
                       judgements: list[Judgement] | None = None) -> tuple[Any, str | None]:
    """The application's assessment with the round's judgements applied (or only
    ``judgements``: what a reviewer may see under blind review)."""
    from ..analysis import analyse_submission
    from ..api import as_rubric, as_submission
    from ..assessment.engine import analysis_options, assess_submission

    path = store.applications()[application][0] if application in store.applications() \
        else None
    if path is None:
        raise ReviewError.one(None, "an application of this round", repr(application),
                              key="application")
    review, sha = review_of(store, application, judgements)
    sub = as_submission(Path(path))
    rub = as_rubric(store.settings().rubric)
    analysis = analyse_submission(sub, analysis_options(rub))
    return assess_submission(sub, rub, analysis, review=review), sha


def view(store: ReviewStore, reviewer: Reviewer, application: str) -> ApplicationView:
    """What ``reviewer`` sees of ``application`` (only if assigned, or a moderator)."""
    if reviewer.role != "moderator" and application not in store.assigned(reviewer.name):
        raise ReviewError.one(None, f"an application assigned to {reviewer.name}",
                              repr(application), key="application")
    visible = store.visible_judgements(application, reviewer)
    # Under blind review the verdict shown is worked out from what the reviewer may see, so
    # no reason or decision gives the others' judgements away.
    result, sha = assess_application(store, application, visible)
    claims = tuple(
        Claim(c.id, c.title, lv.level, c.status, c.question, c.guidance, c.claim_note,
              c.reason, c.review.decision if c.review is not None else None)
        for lv in result.levels for c in lv.criteria if c.status in ("claimed", "validated"))
    return ApplicationView(application, sha, result, claims, tuple(visible))


def overview(store: ReviewStore, reviewer: Reviewer) -> list[dict[str, Any]]:
    """The reviewer's applications, each with its levels and claims as they may see them."""
    from ..errors import InputError

    apps = (list(store.applications()) if reviewer.role == "moderator"
            else store.assigned(reviewer.name))
    rows: list[dict[str, Any]] = []
    for app_id in apps:
        try:
            v = view(store, reviewer, app_id)
        except InputError as exc:
            rows.append({"application": app_id, "error": exc.problems[0].sentence()})
            continue
        r = v.result
        rows.append({"application": app_id, "programme": r.programme, "level": r.level,
                     "validated_level": r.validated, "claimed_level": r.claimed_level,
                     "claims": {c.id: c.decision or "pending" for c in v.claims},
                     "claim_titles": {c.id: c.title for c in v.claims}})
    return rows


def claims_of(store: ReviewStore, application: str) -> tuple[frozenset[str], str | None]:
    """The criteria ``application`` claims (claimed or validated: what reviewers judge) in
    its current version, and that version's SHA-256. Which criteria are claims does not
    depend on the judgements, so one assessment answers for every judgement of a file."""
    result, sha = assess_application(store, application)
    return frozenset(c.id for lv in result.levels for c in lv.criteria
                     if c.status in ("claimed", "validated")), sha


def record(store: ReviewStore, reviewer: Reviewer, item: dict[str, Any], *,
           request_id: str | None = None, source: str | None = None,
           line: int | None = None) -> Judgement:
    """Check and record one judgement by ``reviewer`` (a mapping as a form or file gives
    it): the criterion must be a claim of the application's current version."""
    j = prepare(store, reviewer, item, source=source, line=line)
    seq = store.record(j, request_id=request_id)
    return Judgement(j.application, j.criterion, j.decision, j.reviewer, j.reason, j.at,
                     j.submission_sha256, j.role, seq)


def prepare(store: ReviewStore, reviewer: Reviewer, item: dict[str, Any], *,
            source: str | None = None, line: int | None = None,
            claims: dict[str, tuple[frozenset[str], str | None]] | None = None) -> Judgement:
    """One judgement by ``reviewer`` checked against the round (not yet recorded): the
    reviewer may judge the application and the criterion is one of its claims. ``claims``
    (application → :func:`claims_of`) lets a caller checking many judgements assess each
    application once; it is filled as applications are met."""
    item = {**item, "reviewer": reviewer.name}
    if reviewer.role == "moderator":
        item.setdefault("role", "moderator")
    elif item.get("role", "reviewer") != "reviewer":
        raise ReviewError.one(source, "a reviewer's judgement", "a moderator's", key="role")
    j = check_judgement(item, source=source, line=line, need_application=True)
    if j.role == "reviewer" and j.application not in store.assigned(reviewer.name):
        raise ReviewError.one(source, f"an application assigned to {reviewer.name}",
                              repr(j.application), key="application", line=line)
    if claims is None:
        claims = {}
    if j.application not in claims:
        claims[j.application] = claims_of(store, j.application)
    claimed, sha = claims[j.application]
    if j.criterion not in claimed:
        raise ReviewError.one(source, "a criterion the application claims (" +
                              (", ".join(sorted(claimed)) or "it claims none") + ")",
                              repr(j.criterion), key="criterion", line=line)
    if j.submission_sha256 is None:
        j = Judgement(j.application, j.criterion, j.decision, j.reviewer, j.reason, j.at,
                      sha, j.role)
    return j


@dataclass(frozen=True)
class RoundStatus:
    applications: tuple[dict[str, Any], ...]
    agreement: tuple[PairAgreement, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"applications": list(self.applications),
                "agreement": [p.to_dict() for p in self.agreement]}


def status(store: ReviewStore) -> RoundStatus:
    """Every application's levels and review state, and the reviewers' agreement."""
    apps = store.applications()
    assigned = store.assignments()
    rows: list[dict[str, Any]] = []
    for app_id in apps:
        try:
            result, sha = assess_application(store, app_id)
        except Exception as exc:  # one unusable submission never hides the others
            from ..errors import InputError

            if not isinstance(exc, InputError):
                raise
            rows.append({"application": app_id, "error": exc.problems[0].sentence()})
            continue
        crits = [c for lv in result.levels for c in lv.criteria
                 if c.status in ("claimed", "validated")]
        rows.append({
            "application": app_id, "programme": result.programme, "level": result.level,
            "validated_level": result.validated, "claimed_level": result.claimed_level,
            "reviewers": assigned.get(app_id, []), "submission_sha256": sha,
            "rubric_id": result.rubric_id,
            "claims": {c.id: (c.review.decision if c.review is not None else "pending")
                       for c in crits}})
    agreement = pairwise(store.judgements(), {k: v[1] for k, v in apps.items()})
    return RoundStatus(tuple(rows), tuple(agreement))


#: The scores export's first columns (then one ``claim:<criterion>`` column per claim).
SCORE_COLUMNS = ["application_id", "programme", "level", "validated_level", "claimed_level",
                 "claims_awaiting_review", "claims_disputed", "reviewers", "rubric_id",
                 "input_sha256", "error"]


def score_export(store: ReviewStore, st: RoundStatus, *, application: str | None = None,
                 reviewer: str | None = None, min_level: int | None = None,
                 disputed: bool = False) -> tuple[list[str], list[list[Any]]]:
    """The round's scores as :func:`status` decided them (nothing recomputed here), one row
    per application, filtered: ``application``; the applications assigned to ``reviewer``;
    a *validated* level of at least ``min_level`` (the verified level plus the claims the
    reviewers validated); only applications with a ``disputed`` claim. An application that
    cannot be assessed passes only the ``application`` and ``reviewer`` filters."""
    if application is not None and application not in store.applications():
        raise ReviewError.one(None, "an application of this round (" +
                              ", ".join(sorted(store.applications())) + ")",
                              repr(application), key="application")
    if reviewer is not None and reviewer not in {r.name for r in store.reviewers()}:
        raise ReviewError.one(None, "a reviewer of this round", repr(reviewer), key="reviewer")
    if min_level is not None:
        from ..api import as_rubric

        top = len(as_rubric(store.settings().rubric).levels)
        if not 0 <= min_level <= top:
            raise ReviewError.one(None, f"a level from 0 to {top}", str(min_level),
                                  key="--min-level")
    kept = []
    for row in st.applications:
        if application is not None and row["application"] != application:
            continue
        if reviewer is not None and reviewer not in row.get("reviewers",
                                                            store.assignments().get(
                                                                row["application"], [])):
            continue
        if "error" in row:
            if min_level is None and not disputed:
                kept.append(row)
            continue
        if min_level is not None and row["validated_level"] < min_level:
            continue
        if disputed and "disputed" not in row["claims"].values():
            continue
        kept.append(row)
    crits = list(dict.fromkeys(c for row in kept for c in row.get("claims", {})))
    header = SCORE_COLUMNS + [f"claim:{c}" for c in crits]
    rows = []
    for row in kept:
        claims = row.get("claims", {})
        values = {"application_id": row["application"], "programme": row.get("programme"),
                  "level": row.get("level"), "validated_level": row.get("validated_level"),
                  "claimed_level": row.get("claimed_level"),
                  "claims_awaiting_review": None if "error" in row else
                  sum(d in ("pending", "disputed") for d in claims.values()),
                  "claims_disputed": None if "error" in row else
                  sum(d == "disputed" for d in claims.values()),
                  "reviewers": "; ".join(row.get("reviewers") or
                                         store.assignments().get(row["application"], [])),
                  "rubric_id": row.get("rubric_id"),
                  "input_sha256": row.get("submission_sha256"), "error": row.get("error")}
        rows.append([values[c] for c in SCORE_COLUMNS] + [claims.get(c, "") for c in crits])
    return header, rows


def write_scores(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    """The scores export as scores.csv or scores.xlsx, by the batch's own writers (every
    text cell inert, numbers as numbers)."""
    from ..batch.outputs import write_scores_csv, write_scores_xlsx

    suffix = path.suffix.lower()
    if suffix == ".csv":
        write_scores_csv(path, header, rows)
    elif suffix == ".xlsx":
        write_scores_xlsx(path, header, rows)
    else:
        raise ReviewError.one(str(path), "a scores export ending .csv or .xlsx",
                              f"a {path.suffix or 'suffix-less'} file")


EXPORT_COLUMNS = ("seq", "at", "application", "criterion", "reviewer", "role", "decision",
                  "reason", "submission_sha256", "current")


def export_rows(store: ReviewStore, *, application: str | None = None,
                reviewer: str | None = None) -> list[dict[str, Any]]:
    """Every judgement of the round (filtered), with whether it is on the current version."""
    apps = store.applications()
    out = []
    for j in store.judgements(application):
        if reviewer is not None and j.reviewer != reviewer:
            continue
        current = apps.get(j.application, ("", None))[1]
        out.append({"seq": j.seq, "at": j.at, "application": j.application,
                    "criterion": j.criterion, "reviewer": j.reviewer, "role": j.role,
                    "decision": j.decision, "reason": j.reason,
                    "submission_sha256": j.submission_sha256,
                    "current": j.submission_sha256 == current})
    return out


def write_export(rows: list[dict[str, Any]], path: Path, judgements: list[Judgement]) -> None:
    """Write the export as CSV, XLSX (cells inert: no live formula) or a judgements file
    (``.yaml``/``.json``, which ``evidencekit assess --judgements`` reads back)."""
    import csv
    import io

    from .. import jsontext
    from ..batch.store import atomic_write_bytes, atomic_write_text
    from ..inert import cell_text

    suffix = path.suffix.lower()
    if suffix == ".csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(EXPORT_COLUMNS)
        for r in rows:
            w.writerow(["" if r[c] is None else cell_text(str(r[c]).lower()
                                                          if isinstance(r[c], bool)
                                                          else str(r[c]))
                        for c in EXPORT_COLUMNS])
        atomic_write_text(path, buf.getvalue())
    elif suffix == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "Judgements"
        ws.append(list(EXPORT_COLUMNS))
        for r in rows:
            ws.append([r[c] if isinstance(r[c], int | bool) or r[c] is None
                       else cell_text(str(r[c])) for c in EXPORT_COLUMNS])
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions  # filter by application, reviewer, decision…
        out = io.BytesIO()
        wb.save(out)
        atomic_write_bytes(path, out.getvalue())
    elif suffix in (".yaml", ".yml", ".json"):
        from ..load.document import dump_yaml
        from .files import judgements_document

        doc = judgements_document(judgements)
        atomic_write_text(path, jsontext.dumps(doc, indent=2, ensure_ascii=False) + "\n"
                          if suffix == ".json" else dump_yaml(doc))
    else:
        raise ReviewError.one(str(path), "an export file ending .csv, .xlsx, .yaml or .json",
                              f"a {path.suffix or 'suffix-less'} file")


__all__ = ["ApplicationView", "Claim", "RoundStatus", "claims_of", "export_rows", "login", "now",
           "prepare", "record", "score_export",
           "status", "view", "write_export", "write_scores"]
