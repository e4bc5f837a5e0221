"""Text and numbers for people: cleaning and bounding submitted text, numbers with a
typographic minus, intervals, money, and the report's fixed labels.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from ..analysis.result import (
    GroupStats,
    OutcomeResult,
)
from ..load.model import TWO_GROUP_DESIGNS
from ..registry import MEASURES
from ..render.deciding import effect_words, named_test
from ..render.numbers import num, percent, pval
from ..vocabulary import CRITERION_STATUS

#: Longest text shown from a submission, by kind; longer text is shortened with "…".
LIMITS = {"name": 300, "short": 200, "long": 2000, "reason": 2400}

DESIGN_LABELS = {
    "none": "no quantitative evaluation",
    "post_only": "measurement after the programme only",
    "pre_post": "before-and-after measurement, one group",
    "comparison_group": "comparison-group study (not randomised)",
    "rct": "randomised controlled trial",
    "cluster_rct": "cluster-randomised controlled trial",
}
TWO_GROUP = TWO_GROUP_DESIGNS
STATUS_LABELS = {k: s.label for k, s in CRITERION_STATUS.items()}  # the registry's words
BASELINE_LABELS = {"satisfied": "equivalent", "adjustment_required": "adjustment required",
                   "not_satisfied": "not equivalent"}
CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e"
                      r"\u2066-\u2069\ufeff]")


class _Text:
    """Cleans and bounds text from a submission; records what had to be shortened."""

    def __init__(self) -> None:
        self.shortened: list[str] = []

    def __call__(self, value: Any, kind: str = "short", what: str = "") -> str:
        text = "" if value is None else str(value)
        text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\t", " "))
        limit = LIMITS[kind]
        if len(text) > limit:
            cut = text[:limit].rstrip()
            if what:
                self.shortened.append(f"{what} ({len(text):,} characters, shortened to "
                                      f"{len(cut):,})")
            text = cut + "…"
        return unicodedata.normalize("NFC", text)

    def opt(self, value: Any, kind: str = "short", what: str = "") -> str | None:
        return None if value is None or value == "" else self(value, kind, what)


def _nn_detail(eff: Any, value: str) -> tuple[str, str]:
    """NNT or NNH by direction, with Altman's interval (through ∞ when RD's CI includes 0)."""
    extra = dict(eff.extra)
    harm = extra.get("label") == "NNH"
    label = "Number needed to harm (NNH)" if harm else "Number needed to treat (NNT)"
    if eff.ci is not None:
        return label, f"{value} {ci_text(eff.ci, 0)}"
    if extra.get("through_infinity"):
        lo, hi = extra.get("nnt_limit"), extra.get("nnh_limit")
        parts = [f"NNT {n2(lo, 0)}" if lo is not None else "NNT", "∞",
                 f"NNH {n2(hi, 0)}" if hi is not None else "NNH"]
        return label, f"{value} (95% CI {' to '.join(parts)})"
    return label, value


def _minus(text: str) -> str:
    return text.replace("-", "−")


def n2(x: float | int | None, digits: int = 2) -> str:
    """A number for people, with a typographic minus.

    >>> n2(-0.2049), n2(1234.5, 0), n2(None)
    ('−0.20', '1,234', '—')
    """
    return _minus(num(x, digits))


def ci_text(interval: Sequence[float] | None, digits: int = 2) -> str:
    """>>> ci_text((-0.21, 1.642))
    '[−0.21, 1.64]'
    """
    if interval is None:
        return "—"
    return f"[{n2(interval[0], digits)}, {n2(interval[1], digits)}]"


def money(x: float | None, currency: str) -> str:
    """An amount of money, whole units from 10 upwards.

    >>> money(1200, "GBP"), money(-450.0, "GBP"), money(7.5, "CHF")
    ('£1,200', '−£450', '7.50 CHF')
    """
    if x is None:
        return "—"
    digits = 0 if abs(x) >= 10 else 2
    body = num(abs(x), digits)
    sym = CURRENCY_SYMBOLS.get(currency.upper())
    text = f"{sym}{body}" if sym else f"{body} {currency}"
    return ("−" + text) if x < 0 and body.strip("0.,") else text


def _sentence(text: str) -> str:
    text = text.strip()
    if text and text[-1] not in ".!?":
        text += "."
    return text[:1].upper() + text[1:]


def _join_words(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _own_label(label: str, level: int, title: str = "") -> str | None:
    """A rubric's own name for a level, or None when it is only "Level N", the level's title
    already says it, or there is none.

    >>> _own_label("3+", 4), _own_label("Level 2", 2), _own_label("", 0), _own_label("A", 1, "A")
    ('3+', None, None, None)
    """
    return label if label and label not in (f"Level {level}", title) else None


def _test_words(o: OutcomeResult) -> str:
    """The outcome's deciding test in full (label, statistic, clustering)."""
    return named_test(o.deciding, n2)


def _p_words(p: float | None) -> str:
    text = pval(p)
    return text if text.startswith("<") or text == "—" else "= " + text


def _param(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _group_summary(g: GroupStats) -> str:
    if g.events is not None:
        share = percent(g.events / g.n) if g.n else "—"
        return f"{num(g.events)} of {num(g.n)} ({share})"
    if g.mean is None:
        return "—"
    return f"mean {n2(g.mean)} (SD {n2(g.sd)})"


def favourable(o: OutcomeResult) -> tuple[float, tuple[float, float] | None] | None:
    """The outcome's standardised headline effect and its interval, turned so that positive
    favours the programme: the one orientation of the chart, the tables and page one. The
    interval is the analysis's own (one it withdrew stays withdrawn); None without a
    headline effect."""
    h = o.headline
    if h is None:
        return None
    if h.ci is None:
        return h.estimate * o.sign, None
    a, b = h.ci[0] * o.sign, h.ci[1] * o.sign
    return h.estimate * o.sign, (min(a, b), max(a, b))


def _effect_text(o: OutcomeResult) -> str:
    """The outcome's deciding estimate and interval (``OutcomeResult.deciding``, decided in
    the analysis) as the outcome tables show it: a standardised effect in the favourable
    orientation (as in the chart), else the change or difference in the outcome's units."""
    d = o.deciding
    if d is None or d.measure is None or d.estimate is None:
        return "—"
    if o.headline is not None:
        ci = None
        if d.ci is not None:
            a, b = d.ci[0] * o.sign, d.ci[1] * o.sign
            ci = (min(a, b), max(a, b))
        text = f"{MEASURES[d.measure].symbol} = {n2(d.estimate * o.sign)}"
        return text + (f" {ci_text(ci)}" if ci is not None else "")
    return effect_words(d, n2, ci_text)


def _verdict_words(o: OutcomeResult) -> str:
    if o.favourable is None:
        words = "direction unknown"
    else:
        words = "favourable" if o.favourable else "unfavourable"
    if o.significant is not None:
        words += ", significant" if o.significant else ", not significant"
    return words

