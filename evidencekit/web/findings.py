"""What a grantee's own evaluations found, in words and numbers, for the result page.

Formatting only: every number and every judgement (the deciding test's p, whether it is
significant or favourable, the headline effect and its interval) is read from the analysis in
the assessment result; nothing here decides. Intervals are shown only where they belong to the
deciding analysis: a raw difference's interval is left out when the verdict rests on another
estimate (a cluster-corrected or baseline-adjusted effect), and the headline effect's own
interval is given instead.

>>> from evidencekit.analysis.result import (GroupStats, Effect, OutcomeResult,
...     DecidingTest)
>>> deciding = DecidingTest("paired_t", "t", 6.0, 39, 0.0001, 0.0001, None, 0.05, True,
...     None, "mean_change", 2.4, 0.4, (1.6, 3.2), "t")
>>> o = OutcomeResult("Reading age (years)", "continuous", True, "higher_is_better", None,
...     "pre_post", "summary", groups={"pre": GroupStats(40, 10.1, 2.0),
...     "post": GroupStats(40, 12.5, 2.2)},
...     effects={"mean_change": Effect(2.4, 0.4, (1.6, 3.2), 0.0001)}, favourable=True,
...     significant=True, p_value=0.0001, n_treatment=40, deciding=deciding)
>>> print(outcome_sentences(o)[0])  # doctest: +NORMALIZE_WHITESPACE
Reading age (years): the average went from 10.1 before to 12.5 after, a rise of 2.40
(95% CI 1.60 to 3.20), among 40 people.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MEASURES = {"hedges_g": "Hedges' g", "did_hedges_g": "Hedges' g of the change over time",
            "cox_index": "Cox index", "d_z": "Cohen's d_z", "d_av": "Cohen's d_av",
            "ancova": "Hedges' g adjusted for the starting scores",
            "ancova_g": "Hedges' g adjusted for the starting scores"}


@dataclass(frozen=True)
class Finding:
    """One evaluation's results, as sentences."""

    title: str
    design: str
    sentences: tuple[str, ...]


def num(x: float | None) -> str:
    """A number rounded for reading: 2 decimals below 10, 1 below 100, none above.

    >>> num(3.14159), num(45.67), num(1234.5), num(-0.5)
    ('3.14', '45.7', '1,234', '-0.50')
    """
    if x is None:
        return "?"
    a = abs(x)
    if a >= 100:
        return f"{x:,.0f}"
    if a >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _ci(effect: Any, scale: float = 1.0, unit: str = "") -> str:
    if effect is None or effect.ci is None:
        return ""
    lo, hi = (effect.ci[0] * scale, effect.ci[1] * scale)
    return f" (95% CI {num(lo)}{unit} to {num(hi)}{unit})"


def _p(p: float | None) -> str:
    if p is None:
        return ""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _sure(o: Any, design: str) -> str:
    """How sure: the analysis's own verdict on chance, with its p."""
    d = o.deciding  # the analysis's deciding test; only formatted here
    if d is None or d.significant is None:
        return ""
    p = _p(d.p)
    noun = "change" if design == "pre_post" else "difference"
    if d.significant:
        return f"A {noun} this large is unlikely to be chance alone ({p})."
    return (f"It could be chance ({p}): a larger evaluation would tell more surely." if p else
            "It could be chance.")


def _decides(o: Any, measure: str) -> bool:
    """Whether ``measure`` is the outcome's deciding estimate (its interval goes with the test)."""
    return o.deciding is not None and o.deciding.measure == measure


def _better(o: Any, estimate: float | None) -> str:
    if estimate is None or estimate == 0 or o.favourable is None:
        return ""
    if o.direction == "lower_is_better":
        return (" Lower is better for this measure, so this is a change for the better."
                if o.favourable else
                " Lower is better for this measure, so this is a change for the worse.")
    return "" if o.favourable else " That is the wrong direction for this measure."


def outcome_sentences(o: Any, design: str = "") -> list[str]:
    """Sentences for one outcome of an evaluation."""
    design = design or o.design
    g = o.groups
    name = o.name if o.primary else f"{o.name} (a secondary outcome)"
    out: list[str] = []
    cluster = design == "cluster_rct" or o.clustering is not None
    if o.kind == "binary":
        if "pre" in g and "post" in g and g["pre"].events is not None:
            pre, post = g["pre"].events / g["pre"].n, g["post"].events / g["post"].n
            e = o.effects.get("change_in_proportion")
            out.append(f"{name}: {pct(pre)} before and {pct(post)} after ({g['post'].events} of "
                       f"{g['post'].n}), a change of {100 * (post - pre):+.0f} percentage points"
                       f"{_ci(e, 100)}.")
        elif "treatment" in g and "control" in g and g["treatment"].events is not None:
            t, c = g["treatment"], g["control"]
            pt, pc = t.events / t.n, c.events / c.n
            rd = o.effects.get("risk_difference")
            diff = 100 * (pt - pc)
            out.append(f"{name}: {t.events} of {t.n} ({pct(pt)}) in the programme group, against "
                       f"{c.events} of {c.n} ({pct(pc)}) in the comparison group: "
                       f"{abs(diff):.0f} percentage points {'more' if diff >= 0 else 'fewer'}"
                       f"{_ci(rd, 100, '') if _decides(o, 'risk_difference') else ''}.")
        elif "post" in g and g["post"].events is not None:
            p = g["post"]
            out.append(f"{name}: {p.events} of {p.n} ({pct(p.events / p.n)}) after the "
                       "programme. One measurement after the programme shows where people "
                       "ended up, not how they changed.")
    else:
        if "mean_change" in o.effects and "pre" in g and "post" in g:
            e = o.effects["mean_change"]
            change = e.estimate
            word = "rise" if (change or 0) >= 0 else "fall"
            out.append(f"{name}: the average went from {num(g['pre'].mean)} before to "
                       f"{num(g['post'].mean)} after, a {word} of {num(abs(change or 0))}"
                       f"{_ci(o.deciding if _decides(o, 'mean_change') else None)}, among "
                       f"{g['post'].n} people.{_better(o, change)}")
        elif "treatment" in g and "control" in g and g["treatment"].mean is not None:
            t, c = g["treatment"], g["control"]
            diff = (t.mean or 0) - (c.mean or 0)
            md = o.effects.get("mean_difference")
            plain = o.headline is not None and o.headline.measure == "hedges_g" and not cluster
            out.append(f"{name}: at the end the programme group averaged {num(t.mean)} "
                       f"({t.n} people) and the comparison group {num(c.mean)} ({c.n} people), "
                       f"{num(abs(diff))} {'higher' if diff >= 0 else 'lower'}"
                       f"{_ci(md) if plain else ''}.{_better(o, diff)}")
        elif "post" in g and g["post"].mean is not None:
            p = g["post"]
            out.append(f"{name}: after the programme the average was {num(p.mean)} among "
                       f"{p.n} people. One measurement after the programme shows where people "
                       "ended up, not how much they changed.")
    h = o.headline
    if h is not None and (not out or o.source == "reported" or h.measure != "hedges_g"
                          or cluster):
        what = MEASURES.get(h.measure, h.measure.replace("_", " "))
        extra = (" (allowing for clustering)"
                 if o.deciding is not None and o.deciding.accounts_for_clustering else "")
        lead = f"{name}: " if not out else ""
        out.append(f"{lead}In standard units ({what}{extra}) the effect is {num(h.estimate)}"
                   + (f" (95% CI {num(h.ci[0])} to {num(h.ci[1])})" if h.ci else "") + ".")
    if out and (sure := _sure(o, design)):
        out.append(sure)
    return out


def findings(result: Any) -> list[Finding]:
    """Each evaluation of the result, with what its outcomes showed."""
    from ..questionnaire import EVALUATION_FIELDS

    design_words = EVALUATION_FIELDS["design"]
    found = []
    for e in result.analysis.evaluations:
        sentences: list[str] = []
        for o in sorted(e.outcomes, key=lambda o: not o.primary):
            sentences.extend(outcome_sentences(o, e.design))
        if e.design == "pre_post" and sentences:
            sentences.append("Without a comparison group, this shows change, not that the "
                             "programme caused it.")
        if not sentences:
            sentences.append("No results could be worked out from what was given.")
        found.append(Finding(e.title or e.id, design_words.show_choice(e.design),
                             tuple(sentences)))
    return found
