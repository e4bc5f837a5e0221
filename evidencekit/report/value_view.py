"""Value for money as the report shows it (the figures and the decision come from
:mod:`evidencekit.analysis.value`).
"""

from __future__ import annotations

from ..analysis.value import CostPerUnit, ValueForMoney
from .builder import BuilderBase
from .views import ValueView
from .words import money, n2

_POSITIONS = {
    "dominant": "dominant: cheaper than the comparator and more effective",
    "trade_off": "more effective, at a higher cost than the comparator",
    "cheaper_less_effective": "cheaper than the comparator but less effective",
    "dominated": "dominated: more costly than the comparator and less effective",
    "no_effect": "of uncertain effect: the effect's confidence interval includes no effect",
    "not_causal": "not shown to be more effective: the evaluation used does not pass the "
                  "causal test",
}


class ValueSection(BuilderBase):
    def value(self, v: ValueForMoney | None) -> ValueView | None:
        if v is None:
            return None
        cur = self.text(v.currency)
        comparator = money(v.comparator_cost_per_participant, cur) \
            if v.comparator_cost_per_participant is not None else "not given"
        if v.basis == "net":
            net_label = "Net cost per participant (programme − comparator)"
            basis = ""
        else:
            net_label = "Cost per participant used (no comparator cost given)"
            basis = "No comparator cost was given, so the full cost is used."
        pu = v.per_unit
        per_label = per_unit = per_range = nnt = outcome = None
        if pu is not None:
            e = next((e for e in self.analysis.evaluations if e.id == pu.evaluation), None)
            o = next((o for o in (e.outcomes if e else ()) if o.name == pu.outcome), None)
            outcome = (f"‘{self.text(pu.outcome)}’ in ‘{self.eval_label(e)}’" if e else
                       self.text(pu.outcome))
            per_label = ("Cost per additional positive outcome" if
                         pu.per == "additional_positive_outcome" else
                         "Cost per 0.1 SD of improvement")
            if e is not None and o is not None and self.hidden(e, o):
                per_unit = "withheld (small numbers)"
            else:
                per_unit, per_range, nnt = self.per_unit(pu, cur)
        summary = self.value_summary(v, cur, per_label, per_unit, per_range)
        return ValueView(cur, money(v.cost_per_participant, cur), comparator,
                         money(v.net_cost, cur), net_label, basis, per_label, per_unit,
                         per_range, nnt, outcome, _POSITIONS.get(v.position or ""), summary,
                         tuple(self.text(n, "long") for n in v.notes))

    def per_unit(self, pu: CostPerUnit, cur: str) -> tuple[str, str | None, str | None]:
        """The cost per unit, its range and the NNT, worded from the analysis's decision
        (:attr:`CostPerUnit.ratio`); nothing is divided here."""
        words = {
            "unfavourable": "none: the effect is not favourable",
            "cheaper": "none needed: the programme costs less",
            "not_causal": "none: the effect is not shown to be the programme's",
        }
        value = words.get(pu.ratio) or money(pu.estimate, cur)
        rng: str | None = None
        if pu.ratio == "bounded" and pu.low is not None and pu.high is not None:
            rng = f"{money(pu.low, cur)} to {money(pu.high, cur)}"
        elif pu.ratio == "unbounded":
            value += " (no upper limit)"
        nnt = None
        if pu.nnt is not None:
            nnt = n2(pu.nnt, 1)
            if pu.nnt_ci is not None:
                hi = n2(pu.nnt_ci[1], 1) if pu.nnt_ci[1] is not None else "∞"
                nnt += f" (95% CI {n2(pu.nnt_ci[0], 1)} to {hi})"
        return value, rng, nnt

    def value_summary(self, v: ValueForMoney, cur: str, per_label: str | None,
                      per_unit: str | None, per_range: str | None) -> str:
        if v.comparator_cost_per_participant is not None:
            diff = v.net_cost
            head = (f"The programme costs {money(v.cost_per_participant, cur)} per participant "
                    f"against {money(v.comparator_cost_per_participant, cur)} for the "
                    f"comparator: {money(abs(diff), cur)} "
                    f"{'less' if diff < 0 else 'more'} per participant.")
            if diff == 0:
                head = (f"The programme costs {money(v.cost_per_participant, cur)} per "
                        "participant, the same as the comparator.")
        else:
            head = (f"The programme costs {money(v.cost_per_participant, cur)} per participant; "
                    "no comparator cost is given.")
        pu = v.per_unit
        if per_label is None or per_unit is None or pu is None:
            return head
        # What "more effective" rests on: the headline evaluation's own interval (decided
        # in analysis/value.py; the pooled interval is reported beside it, never instead).
        where = ""
        e = next((e for e in self.analysis.evaluations if e.id == pu.evaluation), None)
        if v.pooled_includes_no_effect and pu.effect_ci is not None and e is not None:
            where = (f" in ‘{self.eval_label(e)}’ (95% CI {n2(pu.effect_ci[0])} to "
                     f"{n2(pu.effect_ci[1])}, in the favourable direction)")
        pooled = self.analysis.pooled
        wide = ""
        if v.pooled_includes_no_effect and pooled is not None:
            wide = (f" Pooled across {pooled.k} evaluations, the random-effects interval "
                    f"({n2(pooled.ci_random[0])} to {n2(pooled.ci_random[1])}) is wide and "
                    "includes no effect: so few evaluations cannot rule out that the effect "
                    "varies between settings.")
        tail = {
            "dominant": f" It is also more effective{where}, so it is dominant: cheaper and "
                        f"more effective, and no cost per unit of effect is needed.{wide}",
            "not_causal": " Its evaluation does not pass the causal test, so the effect is not "
                          "shown to be the programme's: no cost per unit of effect is given.",
            "cheaper_less_effective": " Its effect is not favourable, so a lower cost buys "
                                      "less; no cost per unit of effect is given.",
            "dominated": " Its effect is not favourable, so it costs more and achieves "
                         "less (dominated).",
        }.get(v.position or "")
        if tail is not None:
            return head + tail
        if pu.ratio == "cheaper":  # cheaper, and the effect's interval includes no effect
            return head + (" Its effect's confidence interval includes no effect, so it may "
                           "be no better than the comparator; a cost per unit of effect "
                           "has no meaning here.")
        if pu.ratio == "unfavourable":
            return head + " Its effect is not favourable, so no cost per unit is given."
        if pu.ratio == "unbounded":
            return head + (f" {per_label}: {money(pu.estimate, cur)} at the estimated effect. "
                           "The effect's confidence interval includes no effect, so this cost "
                           "has no upper limit and no range is given.")
        text = f" {per_label}{where}: {per_unit}"
        if per_range:
            text += f" (from {per_range} across the effect's 95% CI)"
        return head + text + "." + wide
