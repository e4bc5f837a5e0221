""""What the evidence shows": each evaluation's facts and outcomes, and the forest plot.
"""

from __future__ import annotations

from markupsafe import Markup

from ..analysis.headline import statistic_basis
from ..analysis.result import (
    AttritionResult,
    EvaluationResult,
    OutcomeResult,
)
from ..assessment.engine import (
    evaluation_counts,
    outcome_counts,
)
from ..assessment.message import Message
from ..registry import MEASURES
from ..render.numbers import percent, pval
from . import charts
from .builder import BuilderBase
from .views import Chart, Detail, EvaluationView, ForestRowView, GroupRow, OutcomeView
from .words import (
    BASELINE_LABELS,
    DESIGN_LABELS,
    _effect_text,
    _group_summary,
    _nn_detail,
    _sentence,
    _test_words,
    _verdict_words,
    ci_text,
    favourable,
    n2,
)


class Evidence(BuilderBase):
    def evaluation(self, e: EvaluationResult) -> EvaluationView:
        facts = [Detail("Design", DESIGN_LABELS.get(e.design, e.design)),
                 Detail("Independent", "yes" if e.independent else
                        "no (carried out by the delivering organisation)")]
        if e.delivered_by:
            facts.append(Detail("Delivered by", self.text(e.delivered_by)))
        if e.site:
            facts.append(Detail("Site", self.text(e.site)))
        if e.year is not None:
            facts.append(Detail("Year", str(e.year)))
        if e.attrition is not None:
            facts += self.attrition(e, e.attrition)
        outcomes = tuple(self.outcome(e, o) for e_ in (e,) for o in e_.outcomes)
        return EvaluationView(self.text(e.id), self.eval_label(e), tuple(facts), outcomes,
                              tuple(self.say(Message.of_text(n.text, evaluation_counts(e)))
                                    for n in e.notes))

    def attrition(self, e: EvaluationResult, a: AttritionResult) -> list[Detail]:
        assigned = (f"{self.sdc.count(a.assigned[0])} programme, "
                    f"{self.sdc.count(a.assigned[1])} control")
        analysed = (f"{self.sdc.count(a.analysed[0])} programme, "
                    f"{self.sdc.count(a.analysed[1])} control")
        small = any(self.sdc.small(n) for n in (*a.assigned, *a.analysed)) or any(
            self.hidden(e, o) for o in e.outcomes)
        verdict = f"{a.verdict} under the {a.boundary} WWC boundary"
        if small:
            rates = f"{verdict} (rates withheld: small numbers)"
        else:
            limit = (f", at most {n2(100 * a.max_differential, 1)} allowed"
                     if a.max_differential is not None else "")
            rates = (f"{percent(a.overall)} overall, {n2(100 * a.differential, 1)} points "
                     f"differential{limit}: {verdict}")
        return [Detail("Randomised", assigned), Detail("Analysed", analysed),
                Detail("Attrition", rates)]

    def groups(self, o: OutcomeResult, withheld: bool) -> tuple[GroupRow, ...]:
        labels = {"treatment": "Programme", "control": "Comparison", "pre": "Before",
                  "post": "After"}
        rows = []
        for key, g in o.groups.items():
            rows.append(GroupRow(labels.get(key, key.title()), self.sdc.count(g.n),
                                 "withheld" if withheld else _group_summary(g)))
        if not rows and (o.n_treatment is not None or o.n_control is not None):
            if o.n_treatment is not None:
                rows.append(GroupRow("Programme" if o.n_control is not None else "Analysed",
                                     self.sdc.count(o.n_treatment), "as published"))
            if o.n_control is not None:
                rows.append(GroupRow("Comparison", self.sdc.count(o.n_control), "as published"))
        return tuple(rows)

    def outcome(self, e: EvaluationResult, o: OutcomeResult) -> OutcomeView:
        withheld = self.hidden(e, o)
        name = self.text(o.name, "short", "outcome name")
        verdict = _verdict_words(o)
        if o.problems:
            verdict = self.say(Message.of_text(_sentence(o.problems[0].found),
                                               outcome_counts(o)))
        details: list[Detail] = []
        if withheld:
            effect = p = "withheld"
        else:
            effect = _effect_text(o)
            h = o.headline
            if h is not None and o.sign < 0:
                sym = MEASURES[h.measure].symbol
                raw = n2(h.estimate) + (f" {ci_text(h.ci)}" if h.ci is not None else "")
                details.append(Detail(
                    "Sign", f"lower is better, so {sym} as computed (programme − comparison), "
                    f"{raw}, is shown turned round as {effect.removeprefix(sym + ' = ')}: a "
                    "positive value favours the programme, as in the chart. The other "
                    "measures below keep their own sign."))
            d = o.deciding  # decided in the analysis; formatted here
            p = pval(d.p_value if d else None)
            if d is not None and d.adjusted:
                p = f"{pval(d.p_value)} (adjusted {pval(d.p_value_adjusted)})"
            if o.baseline is not None:
                sym = MEASURES[o.baseline.measure].symbol
                word = BASELINE_LABELS.get(o.baseline.verdict, o.baseline.verdict)
                details.append(Detail("Baseline equivalence", f"{word} ({sym} = "
                                      f"{n2(o.baseline.effect)} before the programme)"))
            if o.adjusted:
                details.append(Detail("Adjusted for pretest", "yes"))
            if o.improvement_index is not None:
                details.append(Detail("Improvement index",
                                      f"{n2(o.improvement_index, 0)} percentile points (WWC)"))
            if o.eef_months is not None:
                details.append(Detail("Months' progress", f"{o.eef_months} (EEF Toolkit)"))
            if o.clustering is not None:
                c = o.clustering
                details.append(Detail("Clustering", f"ICC {n2(c.icc, 2)} ({c.icc_source}), "
                                      f"{c.clusters} clusters; {self.text(c.method)}"))
            for key, eff in o.effects.items():
                if o.headline is not None and key == o.headline.measure:
                    continue
                if eff.estimate is None or key not in MEASURES:
                    continue
                m = MEASURES[key]
                value = n2(eff.estimate, 0 if key == "nnt" else 2)
                label = f"{m.label} ({m.symbol})"
                if key == "nnt":
                    label, value = _nn_detail(eff, value)
                elif eff.ci is not None:
                    value += " " + ci_text(eff.ci)
                # Not the deciding statistic: say what it is (its interval may ignore the
                # clustering the verdict corrects for).
                basis = statistic_basis(o, key)
                if basis:
                    value += " (" + "; ".join(basis) + ")"
                details.append(Detail(label, value))
        notes = tuple(self.say(Message.of_text(n.text, outcome_counts(o))) for n in o.notes)
        return OutcomeView(
            name=name, role="primary" if o.primary else "secondary",
            kind="yes/no" if o.kind == "binary" else "continuous",
            direction="higher is better" if o.direction == "higher_is_better"
            else "lower is better",
            groups=self.groups(o, withheld), effect=effect, p=p,
            test=_test_words(o),
            verdict=verdict, details=tuple(details), notes=notes, withheld=withheld)

    def forest(self) -> tuple[Chart | None, tuple[ForestRowView, ...], tuple[str, ...]]:
        rows: list[charts.ForestRow] = []
        views: list[ForestRowView] = []
        notes: list[str] = []
        for e in self.analysis.evaluations:
            for o in e.outcomes:
                h = o.headline
                if h is None:
                    continue
                if self.hidden(e, o):
                    notes.append(f"‘{self.text(o.name)}’ ({self.eval_label(e)}) is left out: "
                                 f"a count is below {self.sdc.threshold}.")
                    continue
                fav = favourable(o)
                assert fav is not None
                est, ci = fav
                lo, hi = ci if ci is not None else (None, None)
                sym = MEASURES[h.measure].symbol
                text = f"{sym} {n2(est)}" + (f" {ci_text((lo, hi))}" if lo is not None
                                             and hi is not None else "")
                name = self.text(o.name, "short")
                rows.append(charts.ForestRow(name, self.eval_label(e), est, lo, hi, text,
                                             o.primary))
                views.append(ForestRowView(name, self.eval_label(e),
                                           "primary" if o.primary else "secondary",
                                           f"{sym} = {n2(est)}",
                                           ci_text((lo, hi)) if lo is not None and hi is not None
                                           else "—"))
        pooled = self.analysis.pooled
        if pooled is not None and pooled.k > 1 and rows:
            text = f"{n2(pooled.random)} {ci_text(pooled.ci_random)}"
            rows.append(charts.ForestRow(f"Pooled, random effects (k = {pooled.k})",
                                         "primary outcomes, one per evaluation",
                                         pooled.random, pooled.ci_random[0],
                                         pooled.ci_random[1], text, True, True))
            views.append(ForestRowView(f"Pooled, random effects (k = {pooled.k})",
                                       "all comparison-group evaluations", "pooled",
                                       n2(pooled.random), ci_text(pooled.ci_random)))
        if any(e.design in ("pre_post", "post_only") for e in self.analysis.evaluations):
            notes.append("Before-and-after and after-only results are not plotted: without a "
                         "comparison group their standardised changes are not comparable.")
        if not rows:
            return None, (), tuple(notes)
        alt = (f"Forest plot of {len(views)} standardised effect"
               f"{'s' if len(views) != 1 else ''} with 95% confidence intervals, oriented so "
               "that right of zero favours the programme.")
        desc = "; ".join(f"{v.outcome} ({v.evaluation}): {v.effect} {v.ci}" for v in views)
        symbols = list(dict.fromkeys(MEASURES[o.headline.measure].symbol
                                     for e in self.analysis.evaluations for o in e.outcomes
                                     if o.headline is not None))
        named = (", ".join(symbols[:-1]) + " or " + symbols[-1]) if len(symbols) > 1 \
            else "".join(symbols)
        svg = charts.forest_plot(rows, title=alt, desc=desc,
                                 axis_label=f"standardised effect ({named}), positive "
                                            "favours the programme")
        return Chart(Markup(svg), alt, "Effects of every outcome"), tuple(views), tuple(notes)

    def pooled_sentence(self) -> str | None:
        p = self.analysis.pooled
        if p is None or p.k < 2:
            return None
        pi = (f"; prediction interval {ci_text(p.prediction_interval)}"
              if p.prediction_interval else "")
        return (f"Pooled effect ({p.method_label}) of the headline primary outcome of "
                f"{p.k} comparison-group evaluations: {n2(p.random)} {ci_text(p.ci_random)}, "
                f"p {pval(p.p_value)}{pi}; I² = {n2(p.i2, 0)}%, τ² = {n2(p.tau2, 3)}; fixed "
                f"effect {n2(p.fixed)} {ci_text(p.ci_fixed)}. Positive values favour the "
                f"programme.")

