"""Reviewers' judgements and what they decide (the input the assessment applies).

A *judgement* is one reviewer's decision on one claimed criterion of one application:
``validated`` (the reviewer examined the claim and accepts it) or ``rejected``, with a
reason, a time and the SHA-256 of the submission it was made against. A *moderator's*
judgement settles a disagreement. :func:`decide` turns every judgement of an application into
one :class:`CriterionReview` per criterion; :func:`evidencekit.assessment.engine.
assess_submission` applies them (``review=``), so the terminal, the web app and batch
scoring only pass judgements in.

The rule (decided here, once):

1. A judgement made against another version of the submission (its ``submission_sha256``
   differs from the submission's) is *stale*: kept, shown, never counted.
2. Of each reviewer's current judgements on a criterion the latest counts.
3. A moderator's latest current judgement decides (``moderated``).
4. Otherwise, with at least ``required`` reviewers' current judgements, all agreeing, their
   decision stands; disagreeing reviewers make the criterion ``disputed`` (it needs a
   moderator); fewer than ``required`` is ``pending``.

>>> j = [Judgement("a", "nesta.L3.comparison", "validated", "Ada", "Saw the report",
...                "2026-12-02T01:00:00Z", "f00"),
...      Judgement("a", "nesta.L3.comparison", "rejected", "Ben", "No control group",
...                "2026-12-02T01:05:00Z", "f00")]
>>> decide(j, "f00").criteria["nesta.L3.comparison"].decision
'disputed'
>>> decide(j, "f00", required=1).criteria["nesta.L3.comparison"].decision
'disputed'
>>> decide(j[:1], "f00", required=2).criteria["nesta.L3.comparison"].decision
'pending'
>>> decide(j[:1], "another").criteria["nesta.L3.comparison"].decision
'pending'
>>> m = Judgement("a", "nesta.L3.comparison", "validated", "Cy", "The RCT report shows it",
...               "2026-12-02T02:00:00Z", "f00", role="moderator")
>>> r = decide([*j, m], "f00").criteria["nesta.L3.comparison"]
>>> r.decision, r.moderated
('validated', True)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..frozen import freeze_fields

#: What a reviewer may record for a claimed criterion.
DECISIONS = ("validated", "rejected")
#: What the reviewers' judgements decide for a criterion (see :func:`decide`).
OUTCOMES = ("validated", "rejected", "disputed", "pending")
#: Who records a judgement: a reviewer, or a moderator settling a disagreement.
ROLES = ("reviewer", "moderator")


@dataclass(frozen=True)
class Judgement:
    """One reviewer's decision on one claimed criterion, as the audit trail holds it."""

    application: str
    criterion: str
    decision: str
    reviewer: str
    reason: str
    at: str
    submission_sha256: str | None
    role: str = "reviewer"
    #: The audit trail's sequence number (None for a judgement not yet stored).
    seq: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"application": self.application, "criterion": self.criterion,
                "decision": self.decision, "reviewer": self.reviewer, "role": self.role,
                "reason": self.reason, "at": self.at,
                "submission_sha256": self.submission_sha256, "seq": self.seq}


@dataclass(frozen=True)
class CriterionReview:
    """What the judgements decide for one criterion of one application."""

    criterion: str
    decision: str  # one of OUTCOMES
    #: The current judgements that count (a moderator's, or each reviewer's latest).
    judgements: tuple[Judgement, ...] = ()
    #: Judgements made against an earlier version of the submission (kept, not counted).
    stale: tuple[Judgement, ...] = ()
    moderated: bool = False

    def __post_init__(self) -> None:
        freeze_fields(self, "judgements", "stale")

    @property
    def reviewers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(j.reviewer for j in self.judgements))

    @property
    def at(self) -> str | None:
        return max((j.at for j in self.judgements), default=None)

    def to_dict(self) -> dict[str, Any]:
        return {"decision": self.decision, "moderated": self.moderated,
                "reviewers": list(self.reviewers), "at": self.at,
                "judgements": [j.to_dict() for j in self.judgements],
                "stale": [j.to_dict() for j in self.stale]}


@dataclass(frozen=True)
class Review:
    """Every criterion's review decision for one application."""

    criteria: Mapping[str, CriterionReview] = field(default_factory=dict)
    submission_sha256: str | None = None
    required: int = 1

    def __post_init__(self) -> None:
        freeze_fields(self, "criteria")

    def get(self, criterion: str) -> CriterionReview | None:
        return self.criteria.get(criterion)


def _order(j: Judgement) -> tuple[int, str]:
    return (j.seq if j.seq is not None else -1, j.at)


def decide(judgements: Iterable[Judgement], submission_sha256: str | None,
           required: int = 1) -> Review:
    """Every criterion's decision from an application's judgements (the rule above)."""
    by_criterion: dict[str, list[Judgement]] = {}
    for j in judgements:
        by_criterion.setdefault(j.criterion, []).append(j)
    out: dict[str, CriterionReview] = {}
    for crit, js in by_criterion.items():
        js = sorted(js, key=_order)
        stale = tuple(j for j in js if j.submission_sha256 is not None
                      and submission_sha256 is not None
                      and j.submission_sha256 != submission_sha256)
        current = [j for j in js if j not in stale]
        moderation = [j for j in current if j.role == "moderator"]
        latest: dict[str, Judgement] = {}
        for j in current:
            if j.role == "reviewer":
                latest[j.reviewer] = j
        if moderation:
            out[crit] = CriterionReview(crit, moderation[-1].decision,
                                        (*latest.values(), moderation[-1]), stale, True)
            continue
        decisions = {j.decision for j in latest.values()}
        if len(decisions) > 1:
            decision = "disputed"
        elif len(latest) < max(1, required):
            decision = "pending"
        else:
            decision = decisions.pop()
        out[crit] = CriterionReview(crit, decision, tuple(latest.values()), stale)
    return Review(out, submission_sha256, required)
