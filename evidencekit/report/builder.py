"""The state every part of the report context shares while it is built: the result, the
text cleaner, the disclosure control and the outcomes it withholds.
"""

from __future__ import annotations

from ..analysis.result import (
    AnalysisResult,
    EvaluationResult,
    OutcomeResult,
)
from ..assessment.crosswalk import Crosswalk
from ..assessment.engine import (
    AssessmentResult,
    LevelResult,
)
from ..assessment.message import Message
from ..assessment.rubric import Rubric
from ..load.model import Submission
from .disclosure import _Disclosure
from .views import ReportOptions
from .words import _join_words, _Text


class BuilderBase:
    def __init__(self, result: AssessmentResult, submission: Submission | None,
                 rubric: Rubric | None, options: ReportOptions,
                 crosswalk: Crosswalk | None = None) -> None:
        self.r = result
        self.sub = submission
        self.rubric = rubric
        self.opt = options
        self.cw = crosswalk
        self.text = _Text()
        self.sdc = _Disclosure(options.disclosure_threshold)
        self.analysis: AnalysisResult = result.analysis
        self.hidden_outcomes: set[tuple[str, str]] = set()
        for e in self.analysis.evaluations:
            for o in e.outcomes:
                if self.sdc.outcome_hidden(o):
                    self.hidden_outcomes.add((e.id, o.name))
            if e.attrition is not None:
                for n in (*e.attrition.assigned, *e.attrition.analysed):
                    if self.sdc.small(n):
                        self.sdc.hidden.add(n)

    # -- helpers ------------------------------------------------------------------------

    def eval_label(self, e: EvaluationResult) -> str:
        return self.text(e.title or e.id, "short", f"title of evaluation {e.id!r}")

    def say(self, message: Message) -> str:
        """Engine text kept as data (reasons, advice, steps, notes): disclosure applied to
        its typed counts, then bounded (and the older text checks kept as a second net)."""
        return self.sdc.scrub(self.text(self.sdc.render(message), "reason"))

    def free(self, text: str) -> str:
        """Text the engine wrote (reasons, notes, steps): bounded and disclosure-checked."""
        return self.sdc.scrub(self.text(text, "reason"))

    def hidden(self, e: EvaluationResult, o: OutcomeResult) -> bool:
        return (e.id, o.name) in self.hidden_outcomes

    def status(self, lv: LevelResult) -> str:
        """The assessment's cumulative status of the level, in the report's words."""
        return {"reached": "verified", "validated_only": "validated", "claimed_only": "claimed",
                "not_reached": "not_met"}[lv.status]

    def strongest(self) -> tuple[EvaluationResult, OutcomeResult] | None:
        """The programme's headline outcome, as the assessment chose it (one rule:
        :mod:`evidencekit.analysis.headline`)."""
        from ..analysis.headline import find_outcome

        return find_outcome(self.analysis, self.r.headline)

    def verdict(self, lv: LevelResult, status: str) -> str:
        gates = [c for c in lv.criteria if c.gate]
        if status == "not_met" and (lv.own_gates_met or lv.own_gates_claimed):
            below = self.r.claimed_level + 1
            word = "shown" if lv.own_gates_met else "claimed"
            return (f"Not reached: its own criteria are {word}, but levels are cumulative and "
                    f"level {below} is not met.")
        if status == "verified":
            return (f"Verified: all {len(gates)} criteria are shown by the evidence."
                    if len(gates) > 1 else "Verified: shown by the evidence.")
        missing = [c for c in gates if c.status == "not_met"]
        claimed = [c for c in gates if c.status == "claimed"]
        if status == "validated":
            checked = [c for c in gates if c.status == "validated"]
            titles = _join_words([f"‘{self.text(c.title)}’" for c in checked])
            return (f"Validated: {titles} rests on the submission's answers, examined and "
                    "accepted by the reviewers." if checked else
                    "Validated: its criteria are shown, and the validated levels below "
                    "complete it.")
        if status == "claimed" and not claimed:
            return "Claimed: its criteria are shown, and the claimed levels below complete it."
        if status == "claimed":
            titles = _join_words([f"‘{self.text(c.title)}’" for c in claimed])
            return f"Claimed, not verified: {titles} rests on the submission's answers alone."
        titles = _join_words([f"‘{self.text(c.title)}’" for c in missing])
        verb = "is" if len(missing) == 1 else "are"
        extra = "" if lv.level <= self.r.level + 1 else " (and the levels below must be met)"
        return f"Not met: {titles} {verb} not shown{extra}."
