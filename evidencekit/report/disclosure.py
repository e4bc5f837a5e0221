"""Statistical disclosure control: counts below the threshold shown as "<N", and the
statistics that would reveal them withheld (in tables and in the engine's free text).
"""

from __future__ import annotations

import re

from ..analysis.result import (
    OutcomeResult,
)
from ..assessment.message import Message
from ..render.numbers import num

_COUNT_WORDS = re.compile(
    r"analys|group|people|participant|pupil|student|person|n\s*=|numbers?|events?|sample|"
    r"randomi[sz]ed|assigned|had the outcome|of\s+\d", re.IGNORECASE)
_INTEGER = re.compile(r"(?<![\w.,−-])\d{1,3}(?:,\d{3})*(?![\w%]|[.,]\d)")
_STATISTIC = re.compile(
    r"(?<![\w])(p|g|d|d_z|d_av|d_Cox|g_DiD|SD|MD|OR|RR|RD|t|z)\s*(?:=|≥)\s*[−-]?\d(?:[\d.,]*\d)?")


class _Disclosure:
    """Applies the threshold to counts, and remembers every count it suppressed."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.hidden: set[int] = set()

    @property
    def applied(self) -> bool:
        return bool(self.hidden)

    def small(self, n: int | None) -> bool:
        return n is not None and n < self.threshold

    def count(self, n: int | None) -> str:
        if n is None:
            return "—"
        if n < self.threshold:
            self.hidden.add(n)
            return f"<{self.threshold}"
        return num(n)

    def outcome_counts(self, o: OutcomeResult) -> list[int]:
        """Every count of people an outcome's statistics rest on."""
        counts: list[int] = []
        for g in o.groups.values():
            counts.append(g.n)
            if g.events is not None:
                counts += [g.events, g.n - g.events]
        counts += [n for n in (o.n_treatment, o.n_control) if n is not None]
        return counts

    def outcome_hidden(self, o: OutcomeResult) -> bool:
        small = [n for n in self.outcome_counts(o) if n < self.threshold]
        self.hidden.update(small)
        return bool(small)

    def render(self, message: Message) -> str:
        """A reason, note or step rendered from its typed values: every count of people
        below the threshold shown as "<N" whatever the words around it, and — once anything
        is withheld — its statistics withheld."""
        small = [n for n in message.counts() if n < self.threshold]
        self.hidden.update(small)
        return message.render(hide_below=self.threshold, withhold_statistics=self.applied)

    def scrub(self, text: str) -> str:
        """Mask suppressed counts (in a count context) and, once anything was suppressed,
        the statistics quoted in the engine's free text.

        >>> d = _Disclosure(10); _ = d.count(8)
        >>> d.scrub("only 8 analysed in the smaller group (at least 20 needed); level 3")
        'only <10 analysed in the smaller group (at least 20 needed); level 3'
        >>> d.scrub("not significant (p = 0.119; needs p ≤ 0.05); g = 0.72")
        'not significant (p withheld; needs p ≤ 0.05); g withheld'
        """
        if not self.hidden:
            return text

        def count(m: re.Match[str]) -> str:
            value = int(m.group(0).replace(",", ""))
            if value not in self.hidden:
                return m.group(0)
            before = text[max(0, m.start() - 32): m.start()]
            after = text[m.end(): m.end() + 32]
            if re.search(r"level\s*$", before, re.IGNORECASE):
                return m.group(0)
            if _COUNT_WORDS.search(before) or _COUNT_WORDS.search(after):
                return f"<{self.threshold}"
            return m.group(0)

        text = _INTEGER.sub(count, text)
        return _STATISTIC.sub(lambda m: f"{m.group(1)} withheld", text)

