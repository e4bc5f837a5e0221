"""Page one of the report: the levels and their verdicts, the ladder, the headline effect
in plain words, and the main caveats.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from ..analysis.headline import CAUTIONS
from ..analysis.result import (
    EvaluationResult,
    OutcomeResult,
)
from ..registry import MEASURES
from ..render.numbers import percent
from . import charts
from .builder import BuilderBase
from .views import Chart, LevelRow, ReportContext
from .words import (
    DESIGN_LABELS,
    STATUS_LABELS,
    TWO_GROUP,
    _join_words,
    _p_words,
    favourable,
    n2,
)


class PageOne(BuilderBase):
    def levels(self) -> tuple[LevelRow, ...]:
        rows = []
        for lv in self.r.levels:
            status = self.status(lv)
            rows.append(LevelRow(lv.level, self.text(lv.title), self.text(lv.statement, "long"),
                                 status, STATUS_LABELS[status], self.verdict(lv, status),
                                 lv.level == self.r.level, lv.level == self.r.claimed_level,
                                 lv.label))
        return tuple(rows)

    def ladder(self, levels: Sequence[LevelRow]) -> Chart:
        steps = [charts.Step(lv.number, lv.title, lv.status, lv.label) for lv in levels]
        r = self.r
        alt = (f"Level ladder of {r.rubric_title}: level {r.level} of {len(levels)} is "
               f"verified" + (f"; level {r.validated} is validated by reviewers"
                              if r.review is not None and r.validated != r.level else "")
               + (f"; level {r.claimed_level} is claimed"
                  if r.claimed_level != r.level else "") + ".")
        desc = "; ".join(f"Level {lv.number} ({lv.title}): {lv.status_label.lower()}"
                         for lv in levels)
        svg = charts.level_ladder(steps, title=alt, desc=desc)
        return Chart(Markup(svg), alt, "Levels verified and claimed")

    def so_what(self) -> str:
        """One line for a commissioner: what the evidence verifies, what it does not yet,
        what is only claimed, and whether the headline effect is in doubt. Every part is a
        decision of the assessment (level, claimed level, the headline's cautions, value for
        money's position); this only words them."""
        r = self.r
        n = len(r.levels)

        def named(level: int) -> str:
            return f"level {level} of {n} (“{self.text(r.level_title(level))}”)"

        if r.level == 0:
            line = f"The evidence does not yet verify {named(1)}"
        else:
            line = f"The evidence verifies {named(r.level)}"
            if r.level < n:
                line += f", not yet level {r.level + 1}"
        if r.review is not None and r.validated > r.level:
            line += f"; with the claims reviewers validated, level {r.validated}"
        if r.claimed_level > r.validated:
            line += f"; the applicant claims level {r.claimed_level}"
        h = r.headline
        v = r.value_for_money
        if h is not None and h.cautions:
            line += "; its headline effect may be biased (see below)"
        elif v is not None and v.position == "dominant":
            line += "; it costs less than the comparator and achieves more"
            if v.pooled_includes_no_effect:  # the claim rests on the headline evaluation
                line += " in its strongest evaluation"
        return line + "."

    def headline(self) -> tuple[str, ...]:
        out: list[str] = []
        pooled = self.analysis.pooled
        if pooled is not None and pooled.k > 1:
            out.append(
                f"Pooled across {pooled.k} comparison-group evaluations (random effects), the "
                f"programme's effect is {n2(pooled.random)} standard deviations in the "
                f"favourable direction (95% CI {n2(pooled.ci_random[0])} to "
                f"{n2(pooled.ci_random[1])}; p {_p_words(pooled.p_value)})."
                + (f" {self.pooled_width()}"
                   if pooled.ci_random[0] <= 0 <= pooled.ci_random[1] else ""))
        chosen = self.strongest()
        if chosen is None:
            if not self.analysis.evaluations:
                out.append("The submission reports no evaluation, so there is no effect to "
                           "report.")
            else:
                out.append("No evaluation reports a primary outcome with an effect that can "
                           "be estimated.")
            return tuple(out)
        e, o = chosen
        h = self.r.headline
        if h is not None and h.cautions:
            # The assessment judged this estimate open to bias: say so before the number.
            why = _join_words([CAUTIONS[c] for c in h.cautions if c in CAUTIONS])
            out.insert(0, f"Treat this effect with caution: in ‘{self.eval_label(e)}’ {why}, "
                          "so the estimate below may be biased and does not show what the "
                          "programme caused.")
        where = f"In ‘{self.eval_label(e)}’ ({DESIGN_LABELS.get(e.design, e.design)}"
        where += ", independent)" if e.independent else ")"
        name = self.text(o.name, "short", "outcome name")
        if self.hidden(e, o):
            out.append(f"{where}, the result for ‘{name}’ rests on fewer than "
                       f"{self.sdc.threshold} people in a group, so its numbers are withheld.")
            return tuple(out)
        out.append(f"{where}: {self.plain_effect(e, o, name)}")
        return tuple(out)

    def pooled_width(self) -> str:
        """Page one's sentence on a pooled interval that includes no effect, and why it is
        wide (the analysis's notes say it at length in the evidence section)."""
        p = self.analysis.pooled
        assert p is not None
        if p.test != "z" and p.df is not None:
            return (f"With only {p.k} evaluations (a t on {p.df} degree"
                    f"{'' if p.df == 1 else 's'} of freedom) this interval is very wide and "
                    "includes no effect.")
        return "This interval includes no effect."

    def plain_effect(self, e: EvaluationResult, o: OutcomeResult, name: str) -> str:
        units = self.units(e, o)
        if e.design == "pre_post":
            mc = o.deciding  # the mean change, with the interval and p of its deciding test
            dav = o.effects.get("d_av")
            if mc is None or mc.measure != "mean_change" or mc.estimate is None:
                return (f"‘{name}’ changed in the "
                        f"{'favourable' if o.favourable else 'unfavourable'} direction; "
                        f"with no comparison group, the change cannot be attributed to the "
                        f"programme.")
            word = "rose" if mc.estimate > 0 else "fell"
            unit = f" {units}" if units else ""
            interval = (f", 95% CI {n2(min(mc.ci))} to {n2(max(mc.ci))}"
                        if mc.ci is not None else "")
            return (f"‘{name}’ {word} by {n2(abs(mc.estimate))}{unit} from before to after "
                    f"(mean change {n2(mc.estimate)}{interval}; "
                    f"d_av = {n2(dav.estimate if dav else None)}; p {_p_words(mc.p)}). "
                    "With no comparison group, this change cannot be attributed to the "
                    "programme.")
        h = o.headline
        assert h is not None
        sym = MEASURES[h.measure].symbol
        fav_est, fav_ci = favourable(o) or (h.estimate, None)
        if o.kind == "binary" and "risk_difference" in o.effects:
            t = o.groups.get("treatment")
            c = o.groups.get("control")
            rd = o.effects["risk_difference"]
            if t is not None and c is not None and t.events is not None and \
                    c.events is not None and t.n and c.n:
                lead = (f"{percent(t.events / t.n)} of the programme group had ‘{name}’, "
                        f"against {percent(c.events / c.n)} of the comparison group "
                        f"(a difference of {n2(100 * (rd.estimate or 0), 0)} percentage "
                        f"points")
            else:
                lead = (f"the risk difference for ‘{name}’ is "
                        f"{n2(100 * (rd.estimate or 0), 0)} percentage points (")
            lead += f"; {sym} = {n2(fav_est)}"
        else:
            higher = h.estimate > 0
            word = ("higher" if higher else "lower") + (
                " (better)" if fav_est > 0 else " (worse)" if fav_est < 0 else "")
            label = MEASURES[h.measure].label
            named = f"{label} = " if label.endswith(" " + sym) else f"{label}, {sym} = "
            raw = o.effects.get("mean_difference")
            if units and raw is not None and raw.estimate is not None \
                    and h.measure in ("hedges_g", "cohens_d"):
                size = (f"{n2(abs(raw.estimate), 1)} {units} {word} in the programme group "
                        f"than in the comparison group, {n2(abs(fav_est))} standard deviations")
                lead = f"‘{name}’ was {size} ({named}{n2(fav_est)}"
            else:
                lead = (f"‘{name}’ was {n2(abs(h.estimate))} standard deviations {word} in the "
                        f"programme group than in the comparison group "
                        f"({named}{n2(fav_est)}")
        if fav_ci is not None:
            lo, hi = fav_ci
            lead += f", 95% CI {n2(lo)} to {n2(hi)}"
        if o.sign < 0:  # the chart's and the tables' orientation, said where it differs
            lead += ", turned so that positive favours the programme"
        lead += f"; p {_p_words(o.deciding.p if o.deciding else None)})."
        if fav_ci is not None:
            lo, hi = fav_ci
            if lo > 0 or hi < 0:
                lead += " The 95% confidence interval excludes zero: chance alone is unlikely."
            else:
                lead += (" The 95% confidence interval includes zero (no effect): chance "
                         "cannot be ruled out.")
        if o.eef_months is not None and o.eef_months:
            lead += (f" That is about {abs(o.eef_months)} months' "
                     f"{'additional' if o.eef_months > 0 else 'less'} progress (EEF).")
        return lead

    def caveats(self, ctx: ReportContext) -> tuple[str, ...]:
        r = self.r
        out: list[str] = []
        if r.review is not None and r.validated > r.level:
            n = sum(1 for lv in r.levels for c in lv.criteria
                    if c.gate and c.status == "validated")
            out.append(f"Level {r.validated} is validated but level {r.level} is verified: "
                       f"{n} criteri{'on rests' if n == 1 else 'a rest'} on the submission's "
                       "answers as the round's reviewers examined and accepted them.")
        if r.claimed_level > r.validated:
            n = sum(1 for lv in r.levels for c in lv.criteria
                    if c.gate and c.status == "claimed")
            out.append(f"Level {r.claimed_level} is claimed but level {r.validated} is "
                       f"{'validated' if r.validated > r.level else 'verified'}: "
                       f"{n} criteri{'on rests' if n == 1 else 'a rest'} on the submission's "
                       "answers, not on evidence in it.")
        evs = self.analysis.evaluations
        if evs and not any(e.design in TWO_GROUP for e in evs):
            out.append("No evaluation has a comparison group, so no change can be attributed "
                       "to the programme.")
        elif evs and not any(e.independent for e in evs if e.design in TWO_GROUP):
            out.append("No comparison-group evaluation was carried out independently of the "
                       "organisation that delivers the programme.")
        high = [self.eval_label(e) for e in evs if e.attrition is not None
                and e.attrition.verdict == "high"]
        if high:
            out.append(f"Attrition was high (WWC) in {_join_words([f'‘{h}’' for h in high])}.")
        unequal = sorted({self.eval_label(e) for e in evs for o in e.outcomes
                          if o.primary and o.baseline is not None
                          and o.baseline.verdict == "not_satisfied"})
        if unequal:
            out.append("The groups were not equivalent at baseline in "
                       f"{_join_words([f'‘{u}’' for u in unequal])}.")
        adjusted = sorted({self.eval_label(e) for e in evs for o in e.outcomes
                           if o.primary and o.baseline is not None
                           and o.baseline.verdict == "adjustment_required"})
        tail: list[str] = []  # useful, but second to everything else
        if adjusted:
            tail.append("The groups differed somewhat at baseline in "
                       f"{_join_words([f'‘{u}’' for u in adjusted])}, so the effects there "
                       "are adjusted for the pretest.")
        chosen = self.strongest()
        if chosen is not None and not self.hidden(*chosen):
            h = chosen[1].headline
            if h is not None and h.ci is not None and min(h.ci) <= 0 <= max(h.ci):
                out.append("The headline effect's confidence interval includes zero (no "
                           "effect).")
        if r.quality_notes:
            k = len(r.quality_notes)
            tail.append(f"{k} quality note{'s' if k != 1 else ''} on the evidence "
                       f"{'are' if k != 1 else 'is'} listed under ‘The assessment’.")
        if self.sdc.applied:
            out.append(f"Some counts are below {self.sdc.threshold}: they are shown as "
                       f"“<{self.sdc.threshold}” and the statistics that would reveal them are "
                       "withheld.")
        if ctx.problems:
            out.append(f"{len(ctx.problems)} problem{'s' if len(ctx.problems) != 1 else ''} "
                       "in the submission (listed under ‘The assessment’).")
        out += tail
        if not out:
            out.append("No major caveats: the evidence meets every check at the verified "
                       "level.")
        return tuple(out[:5])

