"""Value for money: what the programme costs beside its comparator, and per unit of effect.

Commissioners weigh evidence against cost, so an assessment carries, when the submission gives
``costs.per_participant``:

- the cost per participant and, when given, the comparator's (business as usual);
- the net cost per participant, programme − comparator (negative: the programme is cheaper);
- for one primary outcome of a comparison-group evaluation, the incremental cost per unit of
  effect, with its range from the effect's confidence interval:

  * binary outcome with a risk difference: the cost per additional positive outcome,
    net cost × NNT = net cost / RD_f, where RD_f is the risk difference oriented so that
    positive is favourable;
  * otherwise a standardised effect (g, g_DiD, Cox index): the cost per 0.1 SD of
    improvement, net cost × 0.1 / g_f.

  Both are incremental cost-effectiveness ratios (Drummond et al. 2015, *Methods for the
  Economic Evaluation of Health Care Programmes*, 4th ed., ch. 4) with a one-group effect
  measure in the denominator. The range replaces the effect by the ends of its confidence
  interval.

A ratio means something only where the programme costs more and does more (the north-east
quadrant of the cost-effectiveness plane). A negative ratio mixes "cheaper and better" with
"dearer and worse", and a range whose effect interval crosses zero passes through infinity
and changes sign, so neither is reported (Briggs & Fenwick 2002, *Health Economics*
11:415–430; Stinnett & Mullahy 1998, *Medical Decision Making* 18:S68–S80). The decision is
made here, once: :attr:`CostPerUnit.estimate` is None unless the programme is dearer and
more effective; :attr:`CostPerUnit.low`/``high`` only when, in addition, the effect's
interval lies wholly on the favourable side; :attr:`ValueForMoney.position` names the
quadrant ("dominant": cheaper and more effective, with the effect's interval excluding no
effect). Reports word these; they never divide.

"More effective" is also a claim that the programme caused the difference, which is the
assessment's to make: when the rubric has a causal test and the evaluation whose outcome is
used does not pass it (``causal`` is False) while its effect would otherwise count as more
effective (favourable, with an interval clear of zero or none at all), the position is
"not_causal" — neither dominant nor a trade-off — and no cost per unit is given either (a
ratio over an effect that is not shown to be the programme's is not a cost of that effect).
An effect whose interval includes no effect keeps "no_effect", which already says that it
may be none. The random-
effects pooled effect is reported beside the headline, never instead of it (contract §5.2):
with two evaluations its Knapp–Hartung interval rests on a t with one degree of freedom and
may include no effect when both evaluations, each passing the causal test, do not; the report
says so beside it rather than calling the programme of uncertain effect.

Only comparison-group designs (``comparison_group``, ``rct``, ``cluster_rct``) count: a
before-and-after change is not an effect over the comparator, so it cannot be divided into a
cost over the comparator. Among them the outcome used is the programme's headline outcome
(:mod:`evidencekit.analysis.headline`: randomised before matched, independent before not,
then the largest sample, then the smallest p — never the most flattering one). Numbers are
unrounded; the report rounds.

>>> from evidencekit.load.model import Costs
>>> value_for_money(Costs(750.0, "GBP", 1200.0), None).net_cost  # no analysis needed for costs
-450.0
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

from ..load.model import TWO_GROUP_DESIGNS, Costs
from .result import AnalysisResult, EvaluationResult, OutcomeResult

Per = Literal["additional_positive_outcome", "0.1_sd"]
Position = Literal["dominant", "trade_off", "cheaper_less_effective", "dominated", "no_effect",
                   "not_causal"]
Ratio = Literal["bounded", "unbounded", "cheaper", "unfavourable", "not_causal"]


@dataclass(frozen=True, slots=True)
class CostPerUnit:
    """Incremental cost per unit of effect and its range from the effect's CI.

    ``estimate`` is the cost per unit, None unless the programme is dearer than its
    comparator (or no comparator cost is given) and the effect favourable: a ratio outside
    that quadrant has no meaning (module doc). ``low``/``high`` are the cost per unit at the
    ends of the effect's CI, given only when the whole CI is favourable and the ratio has a
    meaning (both None otherwise); ``bounded`` is True when both ends are given.
    ``ratio`` says which of these hold: "bounded" (estimate and range), "unbounded" (an
    estimate, but the effect's CI includes no effect, so no range), "cheaper" (the programme
    costs no more than its comparator: no ratio), "unfavourable" (no favourable effect), or
    "not_causal" (the evaluation does not pass the rubric's causal test: no ratio).
    """

    evaluation: str
    outcome: str
    kind: str
    per: Per
    measure: str  # registry key of the effect used: risk_difference, hedges_g, ...
    effect: float  # favourable orientation: positive is better
    effect_ci: tuple[float, float] | None
    estimate: float | None  # None when the effect is not favourable
    low: float | None
    high: float | None
    bounded: bool
    nnt: float | None = None  # binary outcomes: 1/RD_f
    nnt_ci: tuple[float, float | None] | None = None
    ratio: Ratio = "bounded"

    def to_dict(self) -> dict[str, Any]:
        return {
            "evaluation": self.evaluation, "outcome": self.outcome, "kind": self.kind,
            "per": self.per, "measure": self.measure, "effect": self.effect,
            "effect_ci": list(self.effect_ci) if self.effect_ci is not None else None,
            "estimate": self.estimate,
            "range": ([self.low, self.high] if self.effect_ci is not None else None),
            "bounded": self.bounded, "ratio": self.ratio, "nnt": self.nnt,
            "nnt_ci": list(self.nnt_ci) if self.nnt_ci is not None else None,
        }


@dataclass(frozen=True, slots=True)
class ValueForMoney:
    currency: str
    cost_per_participant: float
    comparator_cost_per_participant: float | None
    #: programme − comparator; with no comparator cost, the full cost (basis "gross").
    net_cost: float
    basis: Literal["net", "gross"]
    per_unit: CostPerUnit | None
    position: Position | None
    notes: tuple[str, ...] = ()
    #: Two or more evaluations pool and the random-effects interval includes no effect while
    #: the position says "more effective" (dominant or trade-off): the report says that the
    #: position rests on the headline evaluation and why the pooled interval is wide.
    pooled_includes_no_effect: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "cost_per_participant": self.cost_per_participant,
            "comparator_cost_per_participant": self.comparator_cost_per_participant,
            "net_cost_per_participant": self.net_cost,
            "basis": self.basis,
            "cost_per_unit": self.per_unit.to_dict() if self.per_unit else None,
            "position": self.position,
            "pooled_includes_no_effect": self.pooled_includes_no_effect,
            "notes": list(self.notes),
        }


def value_for_money(costs: Costs | None, analysis: AnalysisResult | None,
                    ci_level: float = 0.95,
                    causal: Callable[[str], bool | None] | None = None) -> ValueForMoney | None:
    """Value-for-money figures, or None when the submission gives no cost per participant.

    The effect's interval is the analysis's own (at its level; ``ci_level`` is accepted for
    callers that name it and is not used to widen or recompute anything). ``causal`` says,
    for an evaluation id, whether it passes the rubric's causal test (None: the rubric has
    none); the assessment passes it, so that "more effective" follows its verdict."""
    if costs is None or costs.per_participant is None:
        return None
    notes: list[str] = []
    if costs.comparator_per_participant is not None:
        net = costs.per_participant - costs.comparator_per_participant
        basis: Literal["net", "gross"] = "net"
    else:
        net = costs.per_participant
        basis = "gross"
        notes.append("No comparator cost was given, so the full cost per participant is used, "
                     "as if the comparison group's support cost nothing.")
    chosen = _choose(analysis) if analysis is not None else None
    per_unit = None
    if chosen is None:
        notes.append("No comparison-group evaluation has a primary outcome with an effect "
                     "estimate, so no cost per unit of effect can be given.")
    else:
        per_unit = _per_unit(net, *chosen)
        if (per_unit is not None and _claims_more(per_unit) and causal is not None
                and causal(per_unit.evaluation) is False):
            per_unit = replace(per_unit, estimate=None, low=None, high=None, bounded=False,
                               ratio="not_causal")
            notes.append("The evaluation used does not pass the rubric's causal test, so its "
                         "effect is not shown to be the programme's and no cost per unit of "
                         "effect is given.")
        if per_unit is None:
            notes.append("The chosen outcome has no effect estimate with which to divide "
                         "the cost.")
    # Without the comparator's cost, where the programme sits against it is unknown.
    position = _position(net, per_unit) if basis == "net" else None
    pooled = analysis.pooled if analysis is not None else None
    wide = (position in ("dominant", "trade_off") and pooled is not None and pooled.k >= 2
            and pooled.ci_random[0] <= 0 <= pooled.ci_random[1])
    return ValueForMoney(costs.currency, costs.per_participant,
                         costs.comparator_per_participant, net, basis, per_unit, position,
                         tuple(notes), bool(wide))


def _choose(analysis: AnalysisResult) -> tuple[EvaluationResult, OutcomeResult] | None:
    """The programme's headline outcome (:mod:`evidencekit.analysis.headline`) among the
    comparison-group designs: the same outcome every other surface names."""
    from .headline import choose_headline, find_outcome

    return find_outcome(analysis, choose_headline(analysis, designs=TWO_GROUP_DESIGNS))


def _per_unit(net: float, e: EvaluationResult, o: OutcomeResult) -> CostPerUnit | None:
    rd = o.effects.get("risk_difference")
    if o.kind == "binary" and rd is not None and rd.estimate is not None:
        per: Per = "additional_positive_outcome"
        measure, scale = "risk_difference", 1.0
        effect, ci = rd.estimate * o.sign, rd.ci
    else:
        h = o.headline
        if h is None:
            return None
        per, measure, scale = "0.1_sd", h.measure, 0.1
        # The analysis's own interval only: one it withdrew (clustering with too few
        # clusters) stays withdrawn, and the chart, the tables and this agree.
        effect, ci = h.estimate * o.sign, h.ci
    fci: tuple[float, float] | None = None
    if ci is not None:
        a, b = ci[0] * o.sign, ci[1] * o.sign
        fci = (min(a, b), max(a, b))
    ratio: Ratio
    if effect <= 0:
        ratio = "unfavourable"
    elif net <= 0:
        ratio = "cheaper"
    elif fci is not None and fci[0] > 0:
        ratio = "bounded"
    else:
        ratio = "unbounded"
    estimate = net * scale / effect if ratio in ("bounded", "unbounded") else None
    if estimate is not None and not math.isfinite(estimate):
        estimate = None  # an effect so small that cost/effect overflows: no finite cost
    low, high = _cost_range(net * scale, fci) if ratio == "bounded" else (None, None)
    bounded = low is not None and high is not None
    nnt = nnt_ci = None
    if per == "additional_positive_outcome" and effect > 0:
        nnt = 1.0 / effect if math.isfinite(1.0 / effect) else None
        if fci is not None and fci[1] > 0:
            nnt_ci = (1.0 / fci[1], 1.0 / fci[0] if fci[0] > 0 else None)
    return CostPerUnit(e.id, o.name, o.kind, per, measure, effect, fci, estimate, low, high,
                       bounded, nnt, nnt_ci, ratio)


def _claims_more(pu: CostPerUnit) -> bool:
    """Whether the effect would be read as "more effective": favourable, and its interval (if
    any) clear of zero."""
    return pu.effect > 0 and (pu.effect_ci is None or pu.effect_ci[0] > 0)


def _cost_range(cost: float, fci: tuple[float, float] | None
                ) -> tuple[float | None, float | None]:
    """Cost per unit at the two ends of the favourable effect's CI; None marks no bound.

    >>> _cost_range(100.0, (0.2, 0.5)), _cost_range(100.0, (-0.1, 0.5))
    ((200.0, 500.0), (200.0, None))
    >>> _cost_range(-100.0, (-0.1, 0.5)), _cost_range(100.0, (-0.3, -0.1))
    ((None, -200.0), (None, None))
    """
    if fci is None or fci[1] <= 0:
        return None, None
    lo_eff, hi_eff = fci
    near = cost / hi_eff  # the cost per unit at the most favourable end of the CI
    if lo_eff > 0:
        far = cost / lo_eff
        return min(near, far), max(near, far)
    # The CI includes no effect: one end of the cost per unit is unbounded.
    return (near, None) if cost >= 0 else (None, near)


def _position(net: float, per_unit: CostPerUnit | None) -> Position | None:
    """Where the programme sits on the cost-effectiveness plane (Drummond et al. 2015)."""
    if per_unit is None:
        return None
    if per_unit.ratio == "not_causal":
        return "not_causal"
    if per_unit.effect_ci is not None and per_unit.effect_ci[0] <= 0 <= per_unit.effect_ci[1]:
        return "no_effect"
    better = per_unit.effect > 0
    cheaper = net <= 0
    if better:
        return "dominant" if cheaper else "trade_off"
    return "cheaper_less_effective" if cheaper else "dominated"
