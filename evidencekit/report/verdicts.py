"""The assessment section: each level's criteria with reasons and advice, each
evaluation's verdict, and every framework's verdict side by side (crosswalk).
"""

from __future__ import annotations

from ..assessment.crosswalk import CrosswalkEntry
from ..assessment.engine import (
    CriterionResult,
)
from ..assessment.message import Message
from .builder import BuilderBase
from .views import CriterionRow, CrosswalkRow, LevelSection, VerdictRow
from .words import STATUS_LABELS


class Verdicts(BuilderBase):
    def per_evaluation(self) -> tuple[VerdictRow, ...]:
        n = len(self.r.levels)
        return tuple(VerdictRow(self.titles().get(v.id) or
                                self.text(v.id, "short", f"id of evaluation {v.id!r}"),
                                self.text(v.label), f"{v.level} of {n}",
                                v.id == self.r.evaluation)
                     for v in self.r.per_evaluation)

    def crosswalk(self) -> tuple[CrosswalkRow, ...]:
        if self.cw is None:
            return ()
        return tuple(self.crosswalk_row(e, i == 0) for i, e in enumerate(self.cw.entries))

    def crosswalk_row(self, e: CrosswalkEntry, primary: bool) -> CrosswalkRow:
        notes: list[str] = []
        if e.override is not None:
            reason = e.override.message or Message.parse(e.override.reason)
            notes.append(self.free(e.override.label) + ": " + self.say(reason))
        if e.scope == "evaluation" and len(e.per_evaluation) > 1:
            notes.append(self.free("Each evaluation: " + "; ".join(
                f"{self.titles().get(i, i)}: {label}" for i, _, label in e.per_evaluation)
                + "."))
        claimed = ("the same as verified" if e.claimed_level == e.level
                   else f"{self.text(e.claimed_label)} (level {e.claimed_level} of "
                        f"{e.max_level})")
        if e.scope == "evaluation":
            evaluation = (self.titles().get(e.evaluation) or self.text(e.evaluation, "short")
                          if e.evaluation else "none assessed")
        else:
            evaluation = "the whole programme"
        return CrosswalkRow(self.text(e.rubric_title), f"{self.text(e.rubric_id)}, version "
                            f"{self.text(e.rubric_version)}", self.text(e.label),
                            f"{e.level} of {e.max_level}", claimed, evaluation, tuple(notes),
                            primary)

    def assessment(self) -> tuple[LevelSection, ...]:
        out = []
        for lv in self.r.levels:
            status = self.status(lv)
            crits = tuple(self.criterion(c) for c in lv.criteria)
            out.append(LevelSection(lv.level, self.text(lv.title), self.text(lv.statement, "long"),
                                    status, STATUS_LABELS[status], self.verdict(lv, status),
                                    crits))
        return tuple(out)

    def criterion(self, c: CriterionResult) -> CriterionRow:
        return CriterionRow(self.text(c.id), self.text(c.title), c.gate, c.status,
                            STATUS_LABELS.get(c.status, c.status), self.say(c.reason_message()),
                            tuple(self.say(a) for a in (c.advice_messages or tuple(
                                Message.parse(t) for t in c.advice))))

