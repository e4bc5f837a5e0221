"""Per-evaluation questions a rubric declares (signalling questions), and their answers.

Some frameworks judge a study by answers a person gives about it — Cochrane's RoB 2 asks
"Was the allocation sequence concealed?" and takes Yes, Probably yes, Probably no, No or No
information. A rubric declares such questions (``questions:``) with a named set of answers
(``answer_sets:``); a submission answers them per evaluation
(``evaluations[].answers: {rob2.1.2: PY}`` or ``{rob2.1.2: {answer: PY, note: "..."}}``); a
check names an answer as the evaluation-scope fact ``answer.<question id>`` (its value is the
answer's code, ``PY``; an unanswered question is unknown).

A question may be **pre-filled**: ``prefill`` rules (conditions on the evaluation's computed
facts, such as ``attrition.overall``) give its answer when the statistics settle it. A given
answer always stands; a pre-filled one is used only where none is given, and every answer
the assessment uses is recorded with where it came from (:class:`AnswerRecord`): given, or
pre-filled by which rule and why.

Nothing here knows a framework: the words a person may type for each answer ("probably
yes", "no information") are part of the answer set, in the rubric file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import Problem, quote
from ..frozen import freeze_fields
from .conditions import Node

if TYPE_CHECKING:  # pragma: no cover
    from ..load.model import Submission
    from .conditions import Interpreter
    from .rubric import Rubric

#: The fact prefix a check uses to name an answer: ``answer.1.2``.
ANSWER_FACT = "answer."
#: A question id within a rubric ("1.1", "overall", "d2_6").
QUESTION_ID = re.compile(r"[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*")


def words(text: str) -> str:
    """Text reduced to lower-case words, for matching what a person typed.

    >>> words("  Probably-YES! "), words("N/A"), words("don't know")
    ('probably yes', 'n a', 'don t know')
    """
    return " ".join(re.findall(r"[a-z0-9]+", text.casefold()))


@dataclass(frozen=True)
class AnswerOption:
    """One answer of an answer set: its code (``PY``), label and the words that mean it."""

    code: str
    label: str
    words: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        freeze_fields(self, "words")

    def matches(self, text: str) -> bool:
        typed = words(text)
        return typed in {words(self.code), words(self.label), *map(words, self.words)}


@dataclass(frozen=True)
class Prefill:
    """A rule that answers a question from the computed statistics: when ``check`` is true
    for the evaluation, the answer is ``answer``, and ``because`` says why."""

    answer: str
    check: Node
    because: str
    #: Where the rule is written in the rubric file (``questions[6].prefill[0]``).
    rule: str


@dataclass(frozen=True)
class Question:
    """A per-evaluation question of a rubric."""

    id: str  # within the rubric: "1.2"
    full_id: str  # with the rubric's prefix, as a submission names it: "rob2.1.2"
    text: str
    options: tuple[AnswerOption, ...]
    group: str | None = None
    help: str | None = None
    #: Asked only for evaluations where this condition is true (None: every evaluation).
    asked_when: Node | None = None
    prefill: tuple[Prefill, ...] = ()

    def __post_init__(self) -> None:
        freeze_fields(self, "options", "prefill")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(o.code for o in self.options)

    def option(self, code: str) -> AnswerOption:
        return next(o for o in self.options if o.code == code)

    def normalise(self, text: str) -> str | None:
        """The code of the answer ``text`` means (its code, label or one of its words, in
        any case), or None.

        >>> q = Question("1", "x.1", "Random?", (AnswerOption("Y", "Yes", ("yes",)),
        ...     AnswerOption("PY", "Probably yes", ("likely",))))
        >>> q.normalise("probably YES"), q.normalise("py"), q.normalise("maybe")
        ('PY', 'PY', None)
        """
        for o in self.options:
            if o.matches(text):
                return o.code
        return None

    def expected(self) -> str:
        """The answers in words, for a message: ``Y (yes), PY (probably yes), ...``."""
        return "one of " + ", ".join(f"{o.code} ({o.label.casefold()})" for o in self.options)

    def refusal(self, text: str) -> str:
        """One sentence refusing an answer that means none of the options."""
        return (f"{quote(text.strip(), 40)} is not an answer to {self.id}; answer "
                + ", ".join(f"{o.label.casefold()} ({o.code})" for o in self.options) + ".")


@dataclass(frozen=True)
class AnswerRecord:
    """An answer the assessment used, and where it came from (traceable)."""

    evaluation: str
    question: str  # the full id: "rob2.1.2"
    answer: str  # the code
    label: str
    origin: str  # "given" | "prefilled"
    note: str | None = None
    #: Pre-filled answers: the rule that fired (``questions[6].prefill[0]``) and why.
    rule: str | None = None
    because: str | None = None
    #: A given answer the statistics would have settled differently: what they say.
    prefill_differs: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"evaluation": self.evaluation, "question": self.question,
                "answer": self.answer, "label": self.label, "origin": self.origin,
                "note": self.note, "rule": self.rule, "because": self.because,
                "prefill_differs": self.prefill_differs}


def is_answer_fact(fact: Any) -> bool:
    return isinstance(fact, str) and fact.startswith(ANSWER_FACT)


def answer_problems(submission: Submission, rubric: Rubric) -> list[Problem]:
    """Every answer in ``submission`` addressed to ``rubric`` (by its id prefix) that names
    no question of it, or means none of the question's answers: one problem each, with its
    line."""
    problems: list[Problem] = []
    prefix = rubric.id + "."
    by_id = {q.full_id: q for q in rubric.questions}
    for ev in submission.evaluations:
        for key, given in ev.answers.items():
            if not key.startswith(prefix):
                continue
            where = ".".join(str(p) for p in (*_path_text(ev.path), "answers", key))
            line = ev.answer_lines.get(key)
            q = by_id.get(key)
            if q is None:
                import difflib

                close = difflib.get_close_matches(key, list(by_id), n=1, cutoff=0.6)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                known = ", ".join(by_id) if len(by_id) <= 12 else \
                    ", ".join(list(by_id)[:12]) + ", ..."
                expected = (f"a question of rubric {rubric.id!r} ({known})" if by_id else
                            f"no answers for rubric {rubric.id!r} (it asks no per-evaluation "
                            "questions)")
                problems.append(Problem(submission.source, line, where, expected,
                                        repr(key) + hint))
            elif q.normalise(given.answer) is None:
                problems.append(Problem(submission.source, line, where + ".answer"
                                        if given.long_form else where, q.expected(),
                                        quote(given.answer, 40)))
    return problems


def _path_text(path: Sequence[Any]) -> list[str]:
    out: list[str] = []
    for p in path:
        if isinstance(p, int) and out:
            out[-1] = f"{out[-1]}[{p}]"
        else:
            out.append(str(p))
    return out


def apply_answers(rubric: Rubric, submission: Submission, facts: Mapping[str, Any],
                  interpreter: Interpreter) -> tuple[AnswerRecord, ...]:
    """Put every answer the rubric's checks may name into the evaluation facts
    (``answer.<id>``), given answers first and pre-filled ones where none is given, and
    return the record of each. ``interpreter`` must be one whose memo the checks do not
    share (pre-fill rules are evaluated before any answer is in place)."""
    if not rubric.questions:
        return ()
    records: list[AnswerRecord] = []
    evaluations = facts.get("evaluations") or []
    for ev, ev_facts in zip(submission.evaluations, evaluations, strict=True):
        filled: dict[str, str] = {}
        for q in rubric.questions:
            if q.asked_when is not None and \
                    interpreter.evaluate(q.asked_when, ev_facts).value is not True:
                continue
            prefill = _prefill(q, ev_facts, interpreter)
            given = ev.answers.get(q.full_id)
            code = q.normalise(given.answer) if given is not None else None
            if code is not None and given is not None:
                differs = None
                if prefill is not None and prefill[0].answer != code:
                    differs = (f"the statistics give {prefill[0].answer} "
                               f"({prefill[0].rule}: {prefill[1]})")
                records.append(AnswerRecord(ev.id, q.full_id, code, q.option(code).label,
                                            "given", given.note, None, None, differs))
                filled[q.id] = code
            elif prefill is not None:
                rule, because = prefill
                records.append(AnswerRecord(ev.id, q.full_id, rule.answer,
                                            q.option(rule.answer).label, "prefilled", None,
                                            rule.rule, because))
                filled[q.id] = rule.answer
        if isinstance(ev_facts, dict):
            for qid, code in filled.items():
                ev_facts[ANSWER_FACT + qid] = code
    return tuple(records)


def _prefill(q: Question, facts: Mapping[str, Any],
             interpreter: Interpreter) -> tuple[Prefill, str] | None:
    from .conditions import _fill

    for rule in q.prefill:
        if interpreter.evaluate(rule.check, facts).value is True:
            from .message import plain

            # ``because`` may name the evaluation's facts and the rubric's parameters
            return rule, plain(_fill(rule.because, {**interpreter.parameters, **facts}))
    return None


def plan(rubric: Rubric, submission: Submission, facts: Mapping[str, Any],
         interpreter: Interpreter) -> list[list[tuple[Question, tuple[str, str, str] | None]]]:
    """For a questionnaire: per evaluation (in the submission's order), the questions asked of
    it (``asked_when``), each with its pre-filled answer as (code, rule, why), or None."""
    out: list[list[tuple[Question, tuple[str, str, str] | None]]] = []
    for ev_facts in facts.get("evaluations") or []:
        asked: list[tuple[Question, tuple[str, str, str] | None]] = []
        for q in rubric.questions:
            if q.asked_when is not None and \
                    interpreter.evaluate(q.asked_when, ev_facts).value is not True:
                continue
            got = _prefill(q, ev_facts, interpreter)
            asked.append((q, (got[0].answer, got[0].rule, got[1]) if got else None))
        out.append(asked)
    return out
