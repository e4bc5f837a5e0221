"""Reasons as data: a template plus typed values (counts of people, statistics, names),
rendered late.

The engine writes a criterion's reason, its advice and the next steps from the rubric's
wording and the submission's facts. Wherever a fact goes into a sentence, its value is
*typed* by what the fact is (:data:`COUNT_FACTS`, :data:`STATISTIC_FACTS`, names), whatever
words the rubric put around it. A :class:`Message` keeps the sentence as a template and the
values beside it, so that disclosure control (a report's counts below the threshold) works on
the typed counts rather than on guesses about English.

Inside the engine a sentence travels as text in which each typed value is wrapped in
private-use marker characters (they survive joining, capitalising and quoting);
:meth:`Message.parse` turns that into a template and values, and every marker is removed
from untrusted text before it enters (:func:`inert`).

>>> m = Message.parse("only " + count(8) + " patients were followed up (p = "
...                   + statistic(0.119) + ")")
>>> m.template, m.values
('only {0} patients were followed up (p = {1})', (Count(8), Statistic(value=0.119, shown='0.119')))
>>> m.render()
'only 8 patients were followed up (p = 0.119)'
>>> m.render(hide_below=10, withhold_statistics=True)
'only <10 patients were followed up (p = withheld)'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

_COUNT, _STAT, _NAME, _END = "\ue000", "\ue001", "\ue002", "\ue003"
_MARKERS = _COUNT + _STAT + _NAME + _END
_STRIP = str.maketrans("", "", _MARKERS)
_TOKEN = re.compile(f"([{_COUNT}{_STAT}{_NAME}])([^{_MARKERS}]*){_END}")

#: Facts that are counts of people: disclosure control hides them below the threshold.
COUNT_FACTS = frozenset({"n_treatment", "n_control", "n_min", "n_analysed", "events"})
#: Facts that are statistics computed from people's data: withheld once any count is hidden.
STATISTIC_FACTS = frozenset({
    "p_value", "p_value_adjusted", "effect", "effect_se", "baseline.effect",
    "baseline.abs_effect", "attrition.overall", "attrition.differential"})


#: Facts that name something of the submission.
NAME_FACTS = frozenset({"id", "name", "title", "site", "delivered_by", "programme.name",
                        "programme.organisation"})


class Marked(str):
    """Engine text whose typed values are already marked (not to be made inert again)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Count:
    """A count of people."""

    value: int

    def __repr__(self) -> str:
        return f"Count({self.value})"


@dataclass(frozen=True, slots=True)
class Statistic:
    """A statistic, with the text it was shown as."""

    value: float | None
    shown: str


@dataclass(frozen=True, slots=True)
class Name:
    """A name taken from the submission (an evaluation id, an outcome)."""

    shown: str


Value = Count | Statistic | Name


def inert(text: str) -> str:
    """Untrusted text with every marker character removed (it cannot forge a typed value)."""
    return text.translate(_STRIP)


def count(n: Any) -> str:
    """``n`` as a typed count inside engine text (plain text when it is not a whole number).

    >>> count(12) == "12", inert(count(12))
    (False, '12')
    """
    if isinstance(n, bool) or not isinstance(n, int | float):
        return inert(str(n))
    if isinstance(n, float) and not n.is_integer():
        return statistic(n)
    return f"{_COUNT}{int(n)}{_END}"


def statistic(x: Any, shown: str | None = None) -> str:
    """``x`` as a typed statistic inside engine text, shown as ``shown`` (default 3 s.f.)."""
    if shown is None:
        if isinstance(x, float):
            shown = "not computable" if math.isnan(x) else (
                str(int(x)) if x.is_integer() and abs(x) < 1e6 else f"{x:.3g}")
        else:
            shown = str(x)
    return f"{_STAT}{inert(shown)}|{x!r}{_END}" if isinstance(x, int | float) else inert(shown)


def name(text: Any) -> str:
    """A name from the submission, typed."""
    return f"{_NAME}{inert(str(text))}{_END}"


def typed(fact: str, value: Any, shown: str) -> str:
    """The value of fact ``fact`` (already formatted as ``shown``), typed by what it is."""
    if fact in COUNT_FACTS and isinstance(value, int | float) and not isinstance(value, bool):
        return count(value)
    if fact in STATISTIC_FACTS and isinstance(value, int | float) \
            and not isinstance(value, bool):
        return statistic(value, shown)
    if fact in NAME_FACTS and isinstance(value, str):
        return name(shown)
    return inert(shown)


def plain(text: str) -> str:
    """Engine text with its typed values shown as they are (no disclosure)."""
    return Message.parse(text).render()


@dataclass(frozen=True)
class Message:
    """A sentence as a template (``{0}``, ``{1}`` ... for the values; literal braces doubled)
    and its typed values."""

    template: str
    values: tuple[Value, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Message:
        """A message from engine text with typed values marked (see the module doc)."""
        values: list[Value] = []
        parts: list[str] = []
        pos = 0
        for m in _TOKEN.finditer(text):
            parts.append(_escape(inert(text[pos:m.start()])))
            kind, body = m.group(1), m.group(2)
            value: Value
            if kind == _COUNT:
                value = Count(int(body))
            elif kind == _STAT:
                shown, _, raw = body.rpartition("|")
                try:
                    number: float | None = float(raw)
                except ValueError:
                    number = None
                value = Statistic(number, shown)
            else:
                value = Name(body)
            parts.append("{" + str(len(values)) + "}")
            values.append(value)
            pos = m.end()
        parts.append(_escape(inert(text[pos:])))
        return cls("".join(parts), tuple(values))

    @classmethod
    def of_text(cls, text: str, counts: Any = ()) -> Message:
        """A message from text written elsewhere (an analysis note): every whole number in
        it that equals one of ``counts`` (the counts of people it is about) is typed as a
        count, whatever the words around it.

        >>> Message.of_text("8 children, and the smaller arm had 8 of 120", {8, 120}).values
        (Count(8), Count(8), Count(120))
        """
        wanted = {int(c) for c in counts if c is not None}

        def mark(m: re.Match[str]) -> str:
            n = int(m.group(0).replace(",", ""))
            return count(n) if n in wanted else m.group(0)

        return cls.parse(_INTEGER.sub(mark, inert(text)))

    def render(self, *, hide_below: int | None = None,
               withhold_statistics: bool = False) -> str:
        """The sentence with its values: counts below ``hide_below`` as "<N", statistics as
        "withheld" when ``withhold_statistics``."""
        shown: list[str] = []
        for v in self.values:
            if isinstance(v, Count):
                small = hide_below is not None and v.value < hide_below
                shown.append(f"<{hide_below}" if small else str(v.value))
            elif isinstance(v, Statistic):
                shown.append("withheld" if withhold_statistics else v.shown)
            else:
                shown.append(v.shown)
        return self.template.format(*shown)

    def counts(self) -> tuple[int, ...]:
        return tuple(v.value for v in self.values if isinstance(v, Count))

    def __str__(self) -> str:
        return self.render()

    def to_dict(self) -> dict[str, Any]:
        def one(v: Value) -> dict[str, Any]:
            if isinstance(v, Count):
                return {"type": "count", "value": v.value}
            if isinstance(v, Statistic):
                return {"type": "statistic", "value": v.value, "shown": v.shown}
            return {"type": "name", "value": v.shown}

        return {"template": self.template, "values": [one(v) for v in self.values]}


_INTEGER = re.compile(r"(?<![\w.,−-])\d{1,3}(?:,\d{3})+(?![\w%]|[.,]\d)|(?<![\w.,−-])\d+"
                      r"(?![\w%]|[.,]\d)")


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")
