"""Stage 3 — assess: apply a rubric's levels to a submission and its analysis.

Levels are cumulative (SPEC §2): a programme is at level L when every gating criterion of
levels 1..L is verified; ``claimed_level`` also counts criteria that are *claimed* — not
shown by the submission (the check is unknown) but answered yes in ``claims``. A criterion
whose check is refuted by the submission stays ``not_met`` whatever the claim says.

A rubric of ``scope: evaluation`` rates each evaluation on its own: the levels are applied
with that evaluation as the top scope, every evaluation gets a verdict (``per_evaluation``)
and the best one (highest level, then highest claimed level, then one the rubric applies to —
one its per-evaluation questions are asked of —, then first listed) is the result's
``level``, ``claimed_level`` and ``levels``. The result names that evaluation
(``evaluation``) only when it reached a level, has a claimed level, or the rubric applies to
it; otherwise ``evaluation`` is None: nothing was assessed, so no evaluation is named.
Claims answer a criterion for every evaluation. A rubric's ``overrides`` are applied after
the levels, to each verdict: the first whose condition is verified replaces the verdict's
label (the level numbers stay).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from .. import stats
from ..analysis.headline import HeadlineEffect, choose_headline
from ..analysis.result import AnalysisOptions, AnalysisResult
from ..analysis.value import ValueForMoney, value_for_money
from ..errors import SubmissionError
from ..frozen import freeze_fields
from ..load.model import Submission
from ..vocabulary import CRITERION_STATUS, LEVEL_STATUS
from .advice import ADVICE, joined, lead_into
from .conditions import Interpreter, Verdict
from .facts import add_grade_facts, programme_facts
from .message import Marked, Message, inert, name, plain
from .questions import AnswerRecord, answer_problems, apply_answers
from .rubric import Criterion, Rubric


@dataclass(frozen=True)
class CriterionResult:
    id: str
    title: str
    gate: bool
    status: str  # "verified" | "validated" | "claimed" | "not_met"
    reason: str
    question: str
    guidance: str
    advice: tuple[str, ...] = ()
    claim_note: str | None = None
    #: ``reason`` and ``advice`` as data: templates with typed values (counts of people,
    #: statistics, names), for renderers that apply disclosure control.
    message: Message | None = None
    advice_messages: tuple[Message, ...] = ()
    #: The reviewers' decision on a claimed criterion (evidencekit.review.model
    #: .CriterionReview), or None when nobody judged it.
    review: Any = None

    def reason_message(self) -> Message:
        return self.message if self.message is not None else Message.parse(self.reason)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "gate": self.gate, "status": self.status,
                "reason": self.reason, "advice": list(self.advice),
                "reason_data": self.reason_message().to_dict(),
                "review": self.review.to_dict() if self.review is not None else None}


#: A level's cumulative status: ``reached`` (its gates and every level's below are
#: verified: the level counts), ``validated_only`` (reached once the claims reviewers
#: validated are counted), ``claimed_only`` (reached once every claim is counted) or
#: ``not_reached``. Every surface shows this, never the level's own gates alone.
#: Their words in every view: :data:`evidencekit.vocabulary.LEVEL_STATUS`.
LEVEL_STATUSES = tuple(LEVEL_STATUS)  # reached, validated_only, claimed_only, not_reached
#: A criterion's status (SPEC §2): ``validated`` is a claim a reviewer accepted
#: (words: :data:`evidencekit.vocabulary.CRITERION_STATUS`).
CRITERION_STATUSES = tuple(CRITERION_STATUS)  # verified, validated, claimed, not_met


@dataclass(frozen=True)
class LevelResult:
    """One level of the ladder.

    ``status`` is the cumulative verdict (see :data:`LEVEL_STATUSES`); ``own_gates_met`` /
    ``own_gates_claimed`` say only whether *this* level's gating criteria hold (verified,
    or verified-or-claimed), whatever the levels below say — a level whose own gates hold
    is still ``not_reached`` when a level below it is not.
    """

    level: int
    title: str
    statement: str
    own_gates_met: bool
    own_gates_claimed: bool
    criteria: tuple[CriterionResult, ...]
    label: str = ""  # the framework's name for the level ("3+", "SMS 4"); "" = its number
    status: str = "not_reached"
    #: This level's gates are verified or validated by reviewers (None: as own_gates_met).
    own_gates_validated: bool | None = None

    @property
    def met(self) -> bool:
        """Deprecated alias of ``own_gates_met`` (this level's gates only; not cumulative)."""
        return self.own_gates_met

    @property
    def claimed(self) -> bool:
        """Deprecated alias of ``own_gates_claimed`` (not cumulative)."""
        return self.own_gates_claimed

    @property
    def reached(self) -> bool:
        return self.status == "reached"

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "title": self.title, "statement": self.statement,
                "label": self.label or None, "status": self.status,
                "own_gates_met": self.own_gates_met,
                "own_gates_validated": (self.own_gates_met if self.own_gates_validated is None
                                        else self.own_gates_validated),
                "own_gates_claimed": self.own_gates_claimed,
                "met": self.own_gates_met, "claimed": self.own_gates_claimed,
                "criteria": [c.to_dict() for c in self.criteria]}


@dataclass(frozen=True)
class OverrideResult:
    """An override that applied: its label replaces the ladder's."""

    label: str
    title: str | None
    reason: str
    message: Message | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "title": self.title, "reason": self.reason}


@dataclass(frozen=True)
class EvaluationVerdict:
    """The verdict of an evaluation-scope rubric on one evaluation."""

    id: str
    title: str | None
    level: int
    claimed_level: int
    label: str
    claimed_label: str
    levels: tuple[LevelResult, ...]
    override: OverrideResult | None = None
    validated_level: int | None = None  # None: as level (nothing validated)
    validated_label: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "level": self.level,
                "validated_level": (self.level if self.validated_level is None
                                    else self.validated_level),
                "claimed_level": self.claimed_level, "label": self.label,
                "validated_label": self.validated_label or self.label,
                "claimed_label": self.claimed_label,
                "override": self.override.to_dict() if self.override else None,
                "levels": [lv.to_dict() for lv in self.levels]}


@dataclass(frozen=True)
class AssessmentResult:
    rubric_id: str
    rubric_title: str
    rubric_version: str
    parameters: Mapping[str, float | str]
    programme: str
    organisation: str | None
    level: int
    claimed_level: int
    levels: tuple[LevelResult, ...]
    next_steps: tuple[str, ...]
    quality_notes: tuple[str, ...]
    analysis: AnalysisResult
    level_zero: str = "Not yet level 1"
    problems: tuple[dict[str, Any], ...] = ()
    unknown_claims: tuple[str, ...] = field(default=())
    value_for_money: ValueForMoney | None = None
    scope: str = "programme"
    #: The framework's label of the verified and claimed levels ("3+", "SMS 4"), after
    #: overrides; empty only for results built without a rubric's labels.
    label: str = ""
    claimed_label: str = ""
    override: OverrideResult | None = None
    #: Evaluation-scope rubrics: every evaluation's verdict, in submission order.
    per_evaluation: tuple[EvaluationVerdict, ...] = ()
    #: Evaluation-scope rubrics: the id of the best-rated evaluation (whose levels these are).
    evaluation: str | None = None
    #: The programme's headline effect (:mod:`evidencekit.analysis.headline`): the one effect
    #: every surface names; None when no evaluation has one.
    headline: HeadlineEffect | None = None
    #: ``next_steps`` and ``quality_notes`` as data (templates with typed values).
    next_step_messages: tuple[Message, ...] = ()
    quality_note_messages: tuple[Message, ...] = ()
    #: The verified level plus the claims reviewers validated (SPEC §2); None is read as
    #: ``level`` (nothing validated), see :attr:`validated`.
    validated_level: int | None = None
    validated_label: str = ""
    #: The reviewers' decisions applied (evidencekit.review.model.Review), or None.
    review: Any = None
    #: Whether the headline effect's evaluation passes the rubric's causal test (its
    #: ``causal_test`` definition): True, False (refuted, or not shown), or None when the
    #: rubric has no causal test or there is no headline. The portfolio marks effects that
    #: do not pass.
    headline_causal: bool | None = None
    #: Every answer to the rubric's per-evaluation questions the checks used: given in the
    #: submission, or pre-filled from the statistics (with the rule and why).
    answers: tuple[AnswerRecord, ...] = ()

    def __post_init__(self) -> None:
        freeze_fields(self, "parameters", "levels", "next_steps", "quality_notes", "problems",
                      "unknown_claims", "per_evaluation", "answers")

    @property
    def validated(self) -> int:
        """The validated level: verified criteria plus claims reviewers validated."""
        return self.level if self.validated_level is None else self.validated_level

    def level_title(self, n: int) -> str:
        return self.level_zero if n == 0 else self.levels[n - 1].title

    #: Columns of :meth:`rows` and :meth:`to_frame`.
    COLUMNS = ("level", "level_status", "own_gates_met", "criterion", "title", "gate",
               "status", "reason")

    def rows(self) -> list[dict[str, Any]]:
        """One row per criterion: its level, the level's cumulative status, its own status
        and reason (plain values, no pandas needed)."""
        return [{"level": lv.level, "level_status": lv.status,
                 "own_gates_met": lv.own_gates_met, "criterion": c.id, "title": c.title,
                 "gate": c.gate, "status": c.status, "reason": c.reason}
                for lv in self.levels for c in lv.criteria]

    def to_frame(self) -> Any:
        """The criteria as a pandas DataFrame (see :meth:`rows`); needs pandas."""
        from ..tabular import to_frame

        return to_frame(self.rows(), self.COLUMNS)

    def _repr_html_(self) -> str:
        from html import escape

        from ..tabular import html_table

        head = (f"<p><strong>{escape(self.programme)}</strong> — {escape(self.rubric_title)}: "
                f"verified level {self.level}, claimed level {self.claimed_level}")
        if self.headline is not None:
            h = self.headline
            interval = (f" [{h.ci[0]:.2f}, {h.ci[1]:.2f}]" if h.ci is not None else "")
            head += (f"; headline effect {escape(h.symbol)} = {h.estimate:.2f}{interval} "
                     f"({escape(h.source)})")
        return head + "</p>" + html_table(self.rows(), self.COLUMNS)

    def to_dict(self) -> dict[str, Any]:
        evaluation_scope = self.scope == "evaluation"
        return {
            "rubric": {"id": self.rubric_id, "version": self.rubric_version,
                       "title": self.rubric_title, "scope": self.scope,
                       "parameters": dict(self.parameters)},
            "programme": self.programme,
            "organisation": self.organisation,
            "level": self.level,
            "validated_level": self.validated,
            "claimed_level": self.claimed_level,
            "level_label": self.level_title(self.level),
            "headline": self.headline.to_dict() if self.headline is not None else None,
            "headline_causal": self.headline_causal,
            "label": self.label,
            "validated_label": self.validated_label or self.label,
            "claimed_label": self.claimed_label,
            "review": _review_dict(self),
            "override": self.override.to_dict() if self.override else None,
            "evaluation": self.evaluation,
            "per_evaluation": ([v.to_dict() for v in self.per_evaluation]
                               if evaluation_scope else None),
            "levels": [lv.to_dict() for lv in self.levels],
            "next_steps": list(self.next_steps),
            "quality_notes": list(self.quality_notes),
            "problems": list(self.problems),
            "value_for_money": (self.value_for_money.to_dict()
                                if self.value_for_money is not None else None),
            "answers": [a.to_dict() for a in self.answers],
            "analysis": self.analysis.to_dict(),
        }


#: How each analysis convention's value is read (the field types of AnalysisOptions).
_CONVENTION_TYPES = {"float": float, "int": int, "str": str}


@cache
def _default_rubric() -> Rubric:
    """The bundled default rubric, loaded once per process (a bundled rubric ships with the
    package and does not change under a running process)."""
    from ..vocabulary import DEFAULT_RUBRIC
    from .rubric import load_rubric

    return load_rubric(DEFAULT_RUBRIC)


def analysis_options(rubric: Rubric) -> AnalysisOptions:
    """Analysis conventions from the rubric's parameters of the same name; a convention the
    rubric does not declare comes from the default rubric (:data:`DEFAULT_RUBRIC`), which
    declares them all — the one place their values are written.

    >>> from evidencekit.assessment.rubric import load_rubric
    >>> wwc = analysis_options(load_rubric("wwc"))   # declares no alpha or ICC of its own
    >>> wwc.alpha, wwc.icc_achievement
    (0.05, 0.2)
    """
    from dataclasses import fields

    default = _default_rubric()
    values: dict[str, Any] = {}
    for f in fields(AnalysisOptions):
        source = rubric.values if f.name in rubric.values else default.values
        if f.name not in source:  # pragma: no cover - the default rubric declares them all
            raise RuntimeError(f"the default rubric declares no parameter {f.name!r}")
        values[f.name] = _CONVENTION_TYPES[str(f.type)](source[f.name])
    return AnalysisOptions(**values)


def _pool(estimates: list[float], ses: list[float], method: str = "DL") -> float | None:
    if not estimates:
        return None
    return float(stats.pool(estimates, ses, method=method).random)


def rubric_facts(submission: Submission, rubric: Rubric, analysis: AnalysisResult
                 ) -> tuple[dict[str, Any], tuple[AnswerRecord, ...]]:
    """The facts ``rubric``'s checks read for ``submission``, and the answers they hold:
    the programme's facts, then the evaluations' answers (given or pre-filled), then
    GRADE's facts (which read the answers)."""
    params = dict(rubric.values)
    method = str(params.get("pooling_method", "DL"))
    facts = programme_facts(submission, analysis)
    answers: tuple[AnswerRecord, ...] = ()
    if rubric.questions or any(e.answers for e in submission.evaluations):
        bad = answer_problems(submission, rubric)
        if bad:
            raise SubmissionError(bad)
        # Pre-fill rules are evaluated before any answer is in the facts, by an interpreter
        # of their own (the checks' memo must not see the facts before the answers).
        answers = apply_answers(rubric, submission, facts,
                                Interpreter(params, lambda e, s: _pool(e, s, method)))
    # GRADE's facts read the evaluations' answers (answer.indirectness), so come after them.
    add_grade_facts(facts, submission, analysis, params)
    return facts, answers


def _applies(rubric: Rubric, interpreter: Interpreter,
             evaluations: list[Any]) -> list[bool]:
    """For each evaluation: does ``rubric`` apply to it? A rubric with per-evaluation
    questions applies to an evaluation it asks at least one of them (``asked_when``); one
    without applies to every evaluation. The best-verdict tie-break prefers these.

    >>> from types import SimpleNamespace as NS
    >>> _applies(NS(questions=()), None, [{}, {}])
    [True, True]
    """
    if not rubric.questions:
        return [True] * len(evaluations)
    return [any(q.asked_when is None
                or interpreter.evaluate(q.asked_when, ev).value is True
                for q in rubric.questions) for ev in evaluations]


def assess_submission(submission: Submission, rubric: Rubric, analysis: AnalysisResult,
                      *, explain: bool = True, review: Any = None) -> AssessmentResult:
    """Apply ``rubric``; with ``explain=False`` only statuses and levels are worked out
    (reasons, advice, next steps and quality notes are left empty), which is what batch
    scoring needs.

    ``review`` (an :class:`evidencekit.review.model.Review`) carries the reviewers'
    decisions: a claimed criterion they validated is ``validated`` and counts towards
    ``validated_level``; nothing else changes (a verified or not-met criterion stays so)."""
    params = rubric.values  # read-only already: the result holds it without a copy
    method = str(params.get("pooling_method", "DL"))
    interpreter = Interpreter(params, lambda e, s: _pool(e, s, method), explain=explain)
    facts, answers = rubric_facts(submission, rubric, analysis)
    per_evaluation: tuple[EvaluationVerdict, ...] = ()
    if rubric.scope == "evaluation":
        per_evaluation = tuple(
            _verdict(rubric, interpreter, ev, submission, params, explain, review)
            for ev in facts["evaluations"])
        # With no evaluation there is nothing to rate: every check is unknown (a claim may
        # still answer it).
        applies = _applies(rubric, interpreter, facts["evaluations"])
        ranked = [(v.level, v.validated_level or 0, v.claimed_level, ok)
                  for v, ok in zip(per_evaluation, applies, strict=True)]
        at = max(range(len(ranked)), key=ranked.__getitem__) if ranked else None
        best = (per_evaluation[at] if at is not None else
                _verdict(rubric, interpreter, {"outcomes": []}, submission, params, explain,
                         review))
        # Named only when the rubric assessed it: a tie at level 0 among evaluations the
        # rubric does not apply to names none, rather than the first listed.
        evaluation = best.id if at is not None and any(ranked[at]) else None
    else:
        best = _verdict(rubric, interpreter, facts, submission, params, explain, review)
        evaluation = None
    results, level, claimed_level = list(best.levels), best.level, best.claimed_level
    prefix = rubric.id + "."
    known = {c.id for lv in rubric.levels for c in lv.criteria}
    unknown_claims = tuple(k for k in submission.claims if k.startswith(prefix) and k not in known)
    problems = (tuple(_unknown_claim(submission, rubric, k, known) for k in unknown_claims)
                + tuple(p.to_dict() for e in analysis.evaluations for o in e.outcomes
                        for p in o.problems))
    steps = _next_steps(results, level, rubric, evaluation) if explain else ()
    headline = choose_headline(analysis)
    notes = _quality_notes(analysis) if explain else ()
    return AssessmentResult(
        rubric_id=rubric.id, rubric_title=rubric.title, rubric_version=rubric.version,
        parameters=params, programme=submission.programme.name,
        organisation=submission.programme.organisation, level=level,
        claimed_level=claimed_level, levels=tuple(results),
        next_steps=tuple(m.render() for m in steps),
        quality_notes=tuple(m.render() for m in notes), analysis=analysis,
        level_zero=rubric.level_zero, problems=problems, unknown_claims=unknown_claims,
        value_for_money=value_for_money(submission.costs, analysis,
                                        analysis.options.ci_level,
                                        _causal_test(rubric, interpreter, facts)),
        scope=rubric.scope, label=best.label, claimed_label=best.claimed_label,
        override=best.override, per_evaluation=per_evaluation, evaluation=evaluation,
        headline=headline, next_step_messages=steps,
        quality_note_messages=notes, validated_level=best.validated_level,
        validated_label=best.validated_label, review=review,
        headline_causal=_headline_causal(rubric, interpreter, facts, headline),
        answers=answers,
    )


def _headline_causal(rubric: Rubric, interpreter: Interpreter, facts: Mapping[str, Any],
                     headline: HeadlineEffect | None) -> bool | None:
    """Whether the headline's evaluation passes the rubric's causal test (None: no test, or
    no headline)."""
    if headline is None:
        return None
    test = _causal_test(rubric, interpreter, facts)
    return test(headline.evaluation) if test is not None else None


def _causal_test(rubric: Rubric, interpreter: Interpreter, facts: Mapping[str, Any]
                 ) -> Callable[[str], bool | None] | None:
    """The rubric's causal test as a function of an evaluation id (None: the rubric has no
    causal test); value for money asks it about the evaluation it uses."""
    if rubric.causal_test is None:
        return None
    test = rubric.causal_test

    def passes(evaluation: str) -> bool | None:
        for ev in facts.get("evaluations") or ():
            if ev.get("id") == evaluation:
                return interpreter.evaluate(test, ev).value is True
        return None

    return passes


def _verdict(rubric: Rubric, interpreter: Interpreter, facts: Mapping[str, Any],
             submission: Submission, params: Mapping[str, Any],
             explain: bool, review: Any = None) -> EvaluationVerdict:
    """The rubric's levels and overrides applied to one top-scope item: the programme, or
    (for an evaluation-scope rubric) one evaluation."""
    levels: list[tuple[Any, tuple[CriterionResult, ...], bool, bool, bool]] = []
    level_so_far = 0
    for lv in rubric.levels:
        # Specific advice (power calculations and the like) is worked out only for the level
        # above the verified one: that is where next steps come from.
        with_advice = explain and lv.level == level_so_far + 1
        crits = [_reviewed(_criterion_result(c, interpreter.evaluate(c.check, facts), submission,
                                             params, with_advice, facts, explain), review)
                 for c in lv.criteria]
        gates = [c for c in crits if c.gate]
        met = all(c.status == "verified" for c in gates)
        validated = all(c.status in ("verified", "validated") for c in gates)
        claimed = all(c.status in ("verified", "validated", "claimed") for c in gates)
        if met and level_so_far == lv.level - 1:
            level_so_far = lv.level
        levels.append((lv, tuple(crits), met, claimed, validated))
    level = _cumulative(met for _, _, met, _, _ in levels)
    validated_level = _cumulative(validated for _, _, _, _, validated in levels)
    claimed_level = _cumulative(claimed for _, _, _, claimed, _ in levels)
    # Each level built once, with its cumulative status.
    results = [LevelResult(lv.level, lv.title, lv.statement, met, claimed, crits,
                           lv.label or "",
                           level_status(lv.level, level, claimed_level, validated_level),
                           own_gates_validated=validated)
               for lv, crits, met, claimed, validated in levels]
    override = None
    for ov in rubric.overrides:
        v = interpreter.evaluate(ov.check, facts)
        if v.value is True:
            msg = Message.parse(_fill(ov.reason, facts, witnesses=_names(v.witnesses)))
            override = OverrideResult(ov.label, ov.title, msg.render(), msg)
            break
    label = override.label if override else rubric.label_of(level)
    claimed_label = override.label if override else rubric.label_of(claimed_level)
    validated_label = override.label if override else rubric.label_of(validated_level)
    return EvaluationVerdict(str(facts.get("id")) if facts.get("id") is not None else "",
                             facts.get("title"), level, claimed_level, label, claimed_label,
                             tuple(results), override, validated_level, validated_label)


def _unknown_claim(submission: Submission, rubric: Rubric, key: str,
                   known: set[str]) -> dict[str, Any]:
    import difflib

    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    line = submission.claim_lines.get(key)
    where = f"{submission.source}, line {line}" if line else submission.source
    return {"file": submission.source, "line": line, "key": f"claims.{key}",
            "expected": f"a criterion of rubric {rubric.id!r}", "found": repr(key) + hint,
            "message": f"{where}, claims.{key}: expected a criterion of rubric {rubric.id!r}, "
                       f"found {key!r}{hint}; the claim was ignored."}


def level_status(n: int, level: int, claimed_level: int,
                 validated_level: int | None = None) -> str:
    """The cumulative status of level ``n`` given the verified, claimed and (optionally)
    validated levels.

    >>> [level_status(n, 1, 3) for n in (1, 2, 3, 4)]
    ['reached', 'claimed_only', 'claimed_only', 'not_reached']
    >>> [level_status(n, 1, 3, 2) for n in (1, 2, 3, 4)]
    ['reached', 'validated_only', 'claimed_only', 'not_reached']
    """
    if n <= level:
        return "reached"
    if validated_level is not None and n <= validated_level:
        return "validated_only"
    return "claimed_only" if n <= claimed_level else "not_reached"


#: What a reviewers' decision adds to a claimed criterion's reason.
_REVIEW_WORDS = {
    "validated": "Validated by {who}",
    "rejected": "Rejected by {who}",
    "disputed": "The reviewers disagree ({who}); a moderator decides",
    "pending": "Awaiting review",
}


def _reviewed(c: CriterionResult, review: Any) -> CriterionResult:
    """A claimed criterion with the reviewers' decision applied (SPEC §2): ``validated``
    when they validated it; its reason says who decided, when and why. A judgement on a
    criterion that is not claimed changes nothing (the evidence decided it)."""
    r = review.get(c.id) if review is not None else None
    if r is None or c.status != "claimed":
        return c
    if not r.judgements:
        words = "Awaiting review (every judgement was made on an earlier version of the " \
                "submission)"
    else:
        who = ", ".join(inert(j.reviewer) + (" (moderator)" if j.role == "moderator" else "")
                        for j in r.judgements)
        words = _REVIEW_WORDS[r.decision].format(who=who)
        deciding = [j for j in r.judgements if j.role == "moderator"] or list(r.judgements)
        if r.decision in ("validated", "rejected"):
            reasons = "; ".join(dict.fromkeys(inert(j.reason).rstrip(". ")
                                              for j in deciding if j.reason))
            words += f" on {deciding[-1].at[:10]}" + (f": {reasons}" if reasons else "")
    # The reviewers' words are appended to the template, so the reason's typed counts stay
    # typed (disclosure control) and nothing a reviewer wrote can forge one.
    base = c.reason_message()
    added = _sentence(plain(words)).replace("{", "{{").replace("}", "}}")
    message = Message(base.template.rstrip() + " " + added, base.values)
    return replace(c, status="validated" if r.decision == "validated" else "claimed",
                   reason=message.render(), message=message, review=r)


def _review_dict(result: AssessmentResult) -> dict[str, Any] | None:
    """The JSON ``review`` object: the submission version judged and every criterion's
    decision (null when no review was applied)."""
    review = result.review
    if review is None:
        return None
    claimed = {c.id for lv in result.levels for c in lv.criteria if c.review is not None}
    return {"submission_sha256": review.submission_sha256,
            "reviewers_required": review.required,
            "criteria": {k: {**v.to_dict(), "applied": k in claimed}
                         for k, v in review.criteria.items()}}


def _cumulative(flags: Any) -> int:
    n = 0
    for f in flags:
        if not f:
            break
        n += 1
    return n


def _criterion_result(c: Criterion, v: Verdict, submission: Submission,
                      params: Mapping[str, Any], with_advice: bool,
                      facts: Mapping[str, Any] | None = None,
                      explain: bool = True) -> CriterionResult:
    claim = submission.claims.get(c.id)
    if not explain:  # the status alone (batch scoring): no reason text is built
        status = ("verified" if v.value is True else
                  "claimed" if v.value is None and claim is not None and claim.answer else
                  "not_met")
        return CriterionResult(c.id, c.title, c.gate, status, "", c.question, c.guidance,
                               (), claim.note if claim else None)
    details = _join(v.why)
    if v.value is True:
        status = "verified"
        if c.met:
            reason = _fill(c.met, facts or {}, witnesses=_names(v.witnesses))
        else:
            reason = _sentence(details or "Shown by the submission")
    elif v.value is None and claim is not None and claim.answer:
        status = "claimed"
        note = f" ({inert(claim.note).rstrip('. ')})" if claim.note else ""
        reason = _sentence("Not shown by the submission, but you answered yes" + note +
                           (f". Missing: {details}" if details else ""))
    else:
        status = "not_met"
        lead = inert(c.not_met) if c.not_met else "Not met"
        if details and plain(details).casefold().rstrip(".") in lead.casefold():
            details = ""  # the rubric's sentence already says it
        reason = _sentence(lead + (f": {details}" if details else ""))
        if v.value is False and claim is not None and claim.answer:
            reason += " Your answer of yes is outweighed by the evidence submitted."
    advice: list[str] = []
    if status != "verified" and with_advice:
        for a in v.advice:
            text = ADVICE[a.kind](a.facts, params)
            if text and text not in advice:
                advice.append(text)
    message = Message.parse(reason)
    advice_messages = tuple(Message.parse(a) for a in advice)
    return CriterionResult(c.id, c.title, c.gate, status, message.render(), c.question,
                           c.guidance, tuple(m.render() for m in advice_messages),
                           claim.note if claim else None, message, advice_messages)


def _names(witnesses: Any) -> Marked:
    """Witnesses (evaluation ids, outcome names) as typed names for a template."""
    return Marked(", ".join(name(w) for w in dict.fromkeys(witnesses)))


def _join(parts: tuple[str, ...], limit: int = 4) -> str:
    unique = list(dict.fromkeys(p for p in parts if p))
    shown = unique[:limit]
    more = len(unique) - len(shown)
    text = "; ".join(shown)
    return text + (f"; and {more} more" if more > 0 else "")


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _fill(template: str, facts: Mapping[str, Any], **values: str) -> str:
    """A ``met`` or override ``reason`` template: ``{witnesses}`` and the top scope's facts
    (``{design}`` in an evaluation-scope rubric) are filled in, nothing else is reached."""
    from .conditions import _fill as fill

    return _sentence(fill(template, {**facts, **values}))


def _next_steps(levels: list[LevelResult], level: int, rubric: Rubric,
                evaluation: str | None = None) -> tuple[Message, ...]:
    if level >= len(levels):
        return (Message.parse(f"This is the highest level of {inert(rubric.title)}. Keep "
                              "evaluating as the programme grows, so that its impact stays "
                              "verified in new places."),)
    target = levels[level]
    own = rubric.levels[level].label if level < len(rubric.levels) else None
    goal = f"rating {own}" if own else f"level {target.level}"
    if evaluation:
        goal += f" with evaluation {name(evaluation)}"
    steps: list[Message] = []
    said: list[Message] = []  # advice already given (alone or after a step's head)
    for c in target.criteria:
        if not c.gate or c.status == "verified":
            continue
        title, guidance = inert(c.title), inert(c.guidance.strip())
        # Criteria of one level often share advice (the same underpowered outcome); say it once.
        advice = [a for a in c.advice_messages[:4] if a not in said]
        said.extend(advice)
        if c.status == "not_met" and advice:
            # Specific advice fits the evidence the programme has; the rubric's general
            # guidance ("evaluate with a comparison group") may not.
            steps.append(lead_into(Message.parse(f"To reach {goal} ({title}):"), advice[0]))
            steps.extend(advice[1:])
            continue
        head = f"To reach {goal} ({title}): {guidance}"
        if c.status == "claimed":
            head = (f"To reach {goal} ({title}): you answered yes; add the "
                    f"evidence to the submission so it can be verified. {guidance}")
        steps.append(Message.parse(_sentence(head)))
        steps.extend(advice)
    return tuple(steps)


def _quality_notes(analysis: AnalysisResult) -> tuple[Message, ...]:
    """The analysis's notes on primary outcomes; every whole number in a note that equals a
    count of people of its evaluation is typed as a count (the notes are written by the
    analysis, not from rubric wording)."""
    notes: list[Message] = []
    for e in analysis.evaluations:
        counts = evaluation_counts(e)
        # The evaluation is a typed name, so that a report can call it by its title.
        head = Message.parse(name(e.id))
        for n in e.notes:
            notes.append(joined(head, Message.of_text(f": {n.text}", counts)))
        for o in e.outcomes:
            if not o.primary:
                continue
            for note in o.notes:
                notes.append(joined(head, Message.of_text(f", '{o.name}': {note.text}",
                                                          counts)))
            for p in o.problems:
                notes.append(joined(head, Message.of_text(
                    f", '{o.name}': {p.found[0].upper()}{p.found[1:]}.", counts)))
    return tuple(dict.fromkeys(notes))


def outcome_counts(o: Any) -> list[int]:
    """Every count of people an outcome's statistics rest on."""
    counts: list[int] = []
    for g in o.groups.values():
        counts.append(g.n)
        if g.events is not None:
            counts += [g.events, g.n - g.events]
    counts += [n for n in (o.n_treatment, o.n_control) if n is not None]
    counts += [n for n in (o.rows_dropped or {}).values() if n is not None]
    return counts


def evaluation_counts(e: Any) -> set[int]:
    """Every count of people of an evaluation (its outcomes and its attrition)."""
    counts = {n for o in e.outcomes for n in outcome_counts(o)}
    if e.attrition is not None:
        counts |= {n for n in (*e.attrition.assigned, *e.attrition.analysed) if n is not None}
    return counts
