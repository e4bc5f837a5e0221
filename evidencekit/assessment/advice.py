"""Specific advice: turn an unmet condition into a concrete next step, with numbers.

A rubric names a generator with ``advice: NAME`` on a condition; when that condition is not
met, the generator receives the facts of the item the condition was tested on (an outcome or
an evaluation) and the rubric's parameter values, and returns one plain sentence, or None
when it has nothing specific to add. Generators are generic statistics (power, baseline
equivalence, attrition); which criterion uses them is the rubric's business.

Thresholds come only from the rubric's parameters: a generator whose parameter the rubric
does not declare says nothing that needs it (no fallback values live here). Counts of
people and statistics in the sentences are typed (:mod:`evidencekit.assessment.message`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..load.model import TWO_GROUP_DESIGNS
from .message import Message, count, inert, name, statistic

AdviceFn = Callable[[Mapping[str, Any], Mapping[str, Any]], str | None]

#: Designs in words, for sentences ("is a before-and-after study").
DESIGN_WORDS = {
    "post_only": "a measurement after the programme only, with no comparison group",
    "pre_post": "a before-and-after study of one group, with no comparison group",
    "comparison_group": "a comparison-group study",
    "rct": "a randomised controlled trial",
    "cluster_rct": "a cluster-randomised controlled trial",
}
TWO_GROUP = TWO_GROUP_DESIGNS


def _where(facts: Mapping[str, Any]) -> str:
    label = facts.get("name")
    return f"For '{name(label)}'" if label else f"For evaluation {name(facts.get('id'))}"


def power(facts: Mapping[str, Any], params: Mapping[str, Any]) -> str | None:
    """Sample size per group needed to detect the observed effect (noncentral t, SPEC §3.11)."""
    from .. import stats

    if facts.get("design") not in TWO_GROUP:
        return None  # the design, not the sample size, is what stands in the way
    effect = facts.get("effect")
    if facts.get("favourable") is False:
        return (f"{_where(facts)}, the effect was in the unfavourable direction; a larger "
                "sample would not change that. Review the programme's delivery or its theory of "
                "change before evaluating again.")
    if effect is None or effect == 0 or not math.isfinite(effect):
        return None
    if params.get("alpha") is None or params.get("power") is None:
        return None  # the rubric sets no significance level or power to plan for
    alpha, target = float(params["alpha"]), float(params["power"])
    from ..planning import sample_advice

    have = facts.get("n_min")
    had = f"; this evaluation analysed {count(have)} in the smaller group" if have else ""
    special_design = sample_advice(facts.get("_planning"), effect, alpha, target)
    if special_design is not None:  # binary outcome (two proportions) or cluster trial
        return f"{_where(facts)}, {special_design}{had}."
    try:
        n = math.ceil(stats.n_per_group_for(abs(effect), alpha, target))
    except stats.StatsError:
        return None
    have = facts.get("n_min")
    had = f"; this evaluation analysed {count(have)} in the smaller group" if have else ""
    design_effect = ""
    if facts.get("clustered"):
        design_effect = (" (before allowing for clustering, which raises the number "
                         "needed)")
    return (f"{_where(facts)}, detecting an effect of the size observed (g = "
            f"{statistic(abs(effect), f'{abs(effect):.2f}')}) "
            f"with {target:.0%} power at α = {alpha:g} needs about {n} people per group"
            f"{design_effect}{had}.")


def baseline(facts: Mapping[str, Any], params: Mapping[str, Any]) -> str | None:
    """What the baseline difference means and what adjustment it needs (WWC, SPEC §3.8)."""
    if facts.get("design") not in TWO_GROUP:
        return None  # baseline equivalence compares two groups
    if params.get("baseline_satisfied") is None or params.get("baseline_adjustable") is None:
        return None  # the rubric sets no baseline thresholds
    sat = float(params["baseline_satisfied"])
    adj = float(params["baseline_adjustable"])
    g = facts.get("baseline.effect")
    if g is None:
        return (f"{_where(facts)}, measure the outcome in both groups before the programme "
                f"starts (a pretest), so the groups can be shown to be alike at baseline "
                f"(within {sat:g} SD, or within {adj:g} SD with adjustment).")
    size = abs(g)
    if size <= sat:
        return None
    by = statistic(size, f"{size:.2f}")
    if size <= adj:
        if facts.get("kind") == "binary" and facts.get("source") == "summary":
            return (f"{_where(facts)}, the groups differed at baseline by {by} SD; a yes/no "
                    "outcome given as summaries cannot be adjusted, so provide row-level data "
                    "for a logistic regression on the baseline measure.")
        return (f"{_where(facts)}, the groups differed at baseline by {by} SD (between "
                f"{sat:g} and {adj:g}): report an effect adjusted for the pretest (ANCOVA, or "
                f"give pretest means and SDs for difference-in-differences).")
    return (f"{_where(facts)}, the groups differed at baseline by {by} SD, more than the "
            f"{adj:g} SD that statistical adjustment can repair: find a better-matched "
            f"comparison group (within {adj:g} SD, ideally {sat:g} SD) or randomise.")


def attrition(facts: Mapping[str, Any], params: Mapping[str, Any]) -> str | None:
    """How far attrition is from the WWC boundary (SPEC §3.7)."""
    overall = facts.get("attrition.overall")
    diff = facts.get("attrition.differential")
    boundary = params.get("attrition_boundary")
    under = f"under the {inert(str(boundary))} WWC boundary" if boundary else "(WWC)"
    if overall is None or diff is None:
        if facts.get("design") in ("rct", "cluster_rct"):
            return (f"{_where(facts)}, give the numbers randomised to each group ('assigned') so "
                    "attrition can be checked; otherwise baseline equivalence must be shown.")
        return None
    if facts.get("attrition.verdict") == "low":
        return None
    return (f"{_where(facts)}, attrition is high {under} "
            f"({statistic(overall, f'{overall:.0%}')} overall, "
            f"{statistic(diff * 100, f'{diff * 100:.1f}')} points differential): follow up more of "
            "those randomised, or show the analysed groups were equivalent at baseline.")


def sample_size(facts: Mapping[str, Any], params: Mapping[str, Any]) -> str | None:
    minimum = params.get("min_per_group")
    have = facts.get("n_min")
    if have is None:
        return (f"{_where(facts)}, give the number analysed in each group "
                "(n_treatment and n_control).")
    if minimum is None:
        return None  # the rubric sets no minimum
    return (f"{_where(facts)}, analyse at least {float(minimum):g} people per group (the "
            f"smaller group had {count(have)}).")


def design(facts: Mapping[str, Any], params: Mapping[str, Any]) -> str | None:
    current = facts.get("design")
    if current == "none":
        return (f"Evaluation {name(facts.get('id'))} has no evaluation design yet; to show "
                "causality, compare with a control group: randomise if you can (an RCT), or find a "
                "comparison group that is alike at baseline.")
    shown = DESIGN_WORDS.get(str(current), str(current).replace("_", "-"))
    return (f"Evaluation {name(facts.get('id'))} is {shown}; to show "
            "causality, compare with a control group: randomise if you can (an RCT), or find a "
            "comparison group that is alike at baseline.")


ADVICE: dict[str, AdviceFn] = {
    "power": power,
    "baseline": baseline,
    "attrition": attrition,
    "sample_size": sample_size,
    "design": design,
}


_SLOT = re.compile(r"(?<!\{)\{(\d+)\}")


def lead_into(head: Message, step: Message) -> Message:
    """One next step: ``head`` ("To reach level 3 (…):") followed by a specific piece of
    advice, their typed values kept (the advice's slots renumbered after the head's).

    A criterion's specific advice replaces the rubric's general guidance in the next steps:
    "Evaluate with a control or comparison group" does not fit a programme whose cluster
    trial only lacked the power to show its effect.

    >>> from .message import Count, Name
    >>> m = lead_into(Message("To reach level 3 ({0}):", (Name("x"),)),
    ...               Message("For {0}, analyse {1} more", (Name("y"), Count(9))))
    >>> m.template
    'To reach level 3 ({0}): for {1}, analyse {2} more'
    >>> m.render()
    'To reach level 3 (x): for y, analyse 9 more'
    """
    body = step.template
    if body[:1].isupper() and body[1:2].islower():  # "For 'x', …" → "for 'x', …"
        body = body[0].lower() + body[1:]
    return joined(Message(head.template.rstrip() + " ", head.values),
                  Message(body, step.values))


def joined(head: Message, tail: Message) -> Message:
    """Two messages as one, their typed values kept (the tail's slots renumbered).

    >>> from .message import Count, Name
    >>> joined(Message("{0}: ", (Name("trial"),)), Message("{0} left", (Count(12),))).render()
    'trial: 12 left'
    """
    k = len(head.values)
    body = _SLOT.sub(lambda m: "{" + str(int(m.group(1)) + k) + "}", tail.template)
    return Message(head.template + body, head.values + tail.values)
