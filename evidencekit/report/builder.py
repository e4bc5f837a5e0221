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
from ..assessment.message import Message, Name
from ..assessment.rubric import Rubric
from ..load.model import Submission
from ..vocabulary import LEVEL_STATUS
from .disclosure import _Disclosure
from .plain import plain
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
        self._titles: dict[str, str] | None = None
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
        """Engine text kept as data (reasons, advice, steps, notes): evaluations named by
        their titles, disclosure applied to its typed counts, submission keys and codes put
        in words (:func:`.plain.plain`), then bounded (and the older text checks kept as a
        second net)."""
        titles = self.titles()
        if any(isinstance(v, Name) and v.shown in titles for v in message.values):
            message = Message(message.template, tuple(
                Name(f"‘{titles[v.shown]}’") if isinstance(v, Name) and v.shown in titles
                else v for v in message.values))
        return self.sdc.scrub(self.text(plain(self.sdc.render(message), self.criteria()),
                                        "reason"))

    def free(self, text: str) -> str:
        """Text the engine wrote (reasons, notes, steps): bounded and disclosure-checked."""
        return self.sdc.scrub(self.text(plain(text, self.criteria()), "reason"))

    def criteria(self) -> dict[str, str]:
        """Criterion id (full, "nesta.L3.causal", and short, "L3.causal") → its title."""
        out: dict[str, str] = {}
        for lv in self.r.levels:
            for c in lv.criteria:
                out[c.id] = out[c.id.split(".", 1)[-1]] = c.title
        return out

    def titles(self) -> dict[str, str]:
        """Evaluation id → the title a reader knows it by (the id when it has none)."""
        if self._titles is None:
            self._titles = {e.id: self.eval_label(e) for e in self.analysis.evaluations
                            if e.title}
        return self._titles

    def hidden(self, e: EvaluationResult, o: OutcomeResult) -> bool:
        return (e.id, o.name) in self.hidden_outcomes

    def units(self, e: EvaluationResult, o: OutcomeResult) -> str | None:
        """The outcome's unit as the submission gives it ("mmHg"), or None."""
        if self.sub is None:
            return None
        for se in self.sub.evaluations:
            if se.id == e.id:
                for so in se.outcomes:
                    if so.name == o.name and so.units:
                        return self.text(so.units, "short", "units")
        return None

    def status(self, lv: LevelResult) -> str:
        """The assessment's cumulative status of the level, in the report's words."""
        return LEVEL_STATUS[lv.status].criterion

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
