"""The programme's headline effect: the one outcome that stands for the programme.

Every surface that names "the" effect of a programme — report page one, value for money,
batch scores, the portfolio, the web result and ``assess --format json`` (``headline``) —
takes it from :func:`choose_headline`, by one rule (contract §5.2):

1. **Candidates** are the primary outcomes, without problems, that have a deciding estimate:
   the standardised headline effect of a comparison-group outcome (g, g_ANCOVA, g_DiD, Cox
   index; clustering-corrected where the design is clustered), or, for a before-and-after
   design, the mean change (change in proportion for yes/no outcomes).
2. **Each evaluation** is represented by its candidate with the smallest deciding p (the
   Benjamini–Hochberg adjusted p where several primary outcomes were tested; a p of exactly
   0 is the smallest, a missing p comes last; ties: first listed) — the outcome the
   evaluation's pooled and rubric facts use.
3. **Across evaluations** the strongest design wins: randomised (``rct``, ``cluster_rct``)
   before matched comparison (``comparison_group``) before before-and-after (``pre_post``);
   then an independent evaluation before one by the delivering organisation; then the larger
   number analysed; then the smaller deciding p; then the first listed. The result is never
   chosen for being the most flattering.

The random-effects pooled effect (when two or more evaluations pool) is reported beside the
headline, named as the pooled effect, never in its place.

The headline is chosen by design, never by how trustworthy its number looks; so it carries
its **cautions** (:func:`cautions`): the reasons, by the WWC's design-integrity rules (SPEC
§2, rule 4), that its estimate may be biased — groups not equivalent at baseline, a baseline
difference left unadjusted, high attrition without baseline equivalence, or no valid
significance test. Every surface that leads with the headline says these first.

>>> choose_headline(None) is None
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..registry import MEASURES

if TYPE_CHECKING:  # pragma: no cover
    from .result import AnalysisResult, DecidingTest, EvaluationResult, OutcomeResult

#: Design strength for the headline (higher first); designs not listed give no headline.
DESIGN_STRENGTH = {"cluster_rct": 3, "rct": 3, "comparison_group": 2, "pre_post": 1}

#: The rule in one line, as the JSON output and the reports quote it.
RULE = ("strongest design (randomised, then matched comparison, then before-and-after), then "
        "independent, then most analysed, then smallest p; each evaluation by its primary "
        "outcome with the smallest p")


@dataclass(frozen=True)
class HeadlineEffect:
    """The headline effect of a programme and where it comes from.

    ``estimate`` and ``ci`` are on the measure's own sign convention (treatment − control,
    or after − before); ``favourable_estimate`` and ``favourable_ci`` are oriented so that
    positive always means better. ``p_value`` is the deciding p (adjusted where adjusted);
    ``deciding`` is the outcome's :class:`~evidencekit.analysis.result.DecidingTest`, the
    same object the outcome carries.
    """

    evaluation: str
    outcome: str
    design: str
    independent: bool
    measure: str
    estimate: float
    se: float | None
    ci: tuple[float, float] | None
    p_value: float | None
    test: str | None
    sign: int
    n_analysed: int | None
    deciding: DecidingTest | None = None
    #: Why the estimate may be biased (codes of :data:`CAUTIONS`), empty when none.
    cautions: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        return f"{self.evaluation}: {self.outcome}"

    @property
    def symbol(self) -> str:
        return MEASURES[self.measure].symbol

    @property
    def standardised(self) -> bool:
        return MEASURES[self.measure].scale == "standardised"

    @property
    def favourable_estimate(self) -> float:
        return self.estimate * self.sign

    @property
    def favourable_ci(self) -> tuple[float, float] | None:
        if self.ci is None:
            return None
        a, b = self.ci[0] * self.sign, self.ci[1] * self.sign
        return (min(a, b), max(a, b))

    def to_dict(self) -> dict[str, Any]:
        return {"estimate": self.estimate, "ci": list(self.ci) if self.ci else None,
                "se": self.se, "p_value": self.p_value, "test": self.test,
                "measure": self.measure, "symbol": self.symbol,
                "favourable_estimate": self.favourable_estimate,
                "favourable_ci": list(self.favourable_ci) if self.favourable_ci else None,
                "source": self.source, "evaluation": self.evaluation, "outcome": self.outcome,
                "design": self.design, "independent": self.independent,
                "n_analysed": self.n_analysed, "cautions": list(self.cautions), "rule": RULE,
                "deciding": self.deciding.to_dict() if self.deciding is not None else None}


#: Cautions on a headline effect, by code (WWC design integrity; SPEC §2, rule 4).
CAUTIONS = {
    "baseline_not_equivalent": "the groups were not alike before the programme (a baseline "
                               "difference beyond what adjustment can repair)",
    "baseline_unadjusted": "the groups differed before the programme and the effect is not "
                           "adjusted for it",
    "high_attrition": "many people were lost from the groups (high attrition) and the groups "
                      "were not shown to be alike at baseline",
    "no_valid_test": "no valid significance test exists for it",
}


def cautions(e: EvaluationResult, o: OutcomeResult) -> tuple[str, ...]:
    """Why a comparison-group outcome's effect may be biased (codes of :data:`CAUTIONS`).

    Before-and-after designs have no comparison group to be biased against; their own
    caution (no attribution) is said wherever they are shown.
    """
    if e.design not in ("comparison_group", "rct", "cluster_rct"):
        return ()
    out: list[str] = []
    b = o.baseline
    if b is not None and b.verdict == "not_satisfied":
        out.append("baseline_not_equivalent")
    elif b is not None and b.verdict == "adjustment_required" and not o.adjusted:
        out.append("baseline_unadjusted")
    attrition = o.attrition or e.attrition
    if attrition is not None and attrition.verdict == "high" and (
            b is None or b.verdict != "satisfied"):
        out.append("high_attrition")
    if o.p_value is None:
        out.append("no_valid_test")
    return tuple(out)


#: Unstandardised deciding estimates that can stand for a before-and-after evaluation.
_PRE_POST = ("mean_change", "change_in_proportion")


def deciding_estimate(design: str, o: OutcomeResult
                      ) -> tuple[str, float, float | None, tuple[float, float] | None] | None:
    """The outcome's deciding estimate, as its :class:`DecidingTest` gives it, when it can
    stand for the programme (rule step 1): (measure, estimate, se, ci), or None."""
    d = o.deciding
    if d is None or d.measure is None or d.estimate is None:
        return None
    if o.headline is None and not (design == "pre_post" and d.measure in _PRE_POST):
        return None
    return d.measure, d.estimate, d.se, d.ci


def deciding_p(o: OutcomeResult) -> float | None:
    """The p that decides significance: BH-adjusted where adjusted (the DecidingTest's)."""
    return o.deciding.p if o.deciding is not None else None


def _p_key(p: float | None) -> tuple[bool, float]:
    """Smaller p first; exactly 0 is the smallest; missing last.

    >>> sorted([None, 0.5, 0.0, 1e-300], key=_p_key)
    [0.0, 1e-300, 0.5, None]
    """
    return (p is None, p if p is not None else 0.0)


def evaluation_headline(e: EvaluationResult) -> OutcomeResult | None:
    """The candidate outcome that stands for one evaluation (rule step 2)."""
    if e.design not in DESIGN_STRENGTH:
        return None
    candidates = [o for o in e.outcomes if o.primary and not o.problems
                  and deciding_estimate(e.design, o) is not None]
    if not candidates:
        return None
    return min(candidates, key=lambda o: _p_key(deciding_p(o)))


def _n(o: OutcomeResult) -> int:
    return (o.n_treatment or 0) + (o.n_control or 0)


def choose_headline(analysis: AnalysisResult | None, *, designs: Any = None
                    ) -> HeadlineEffect | None:
    """The programme's headline effect by the rule above; ``designs`` restricts the
    evaluations considered (value for money uses the comparison-group designs only)."""
    if analysis is None:
        return None
    best: tuple[Any, EvaluationResult, OutcomeResult] | None = None
    for i, e in enumerate(analysis.evaluations):
        if designs is not None and e.design not in designs:
            continue
        o = evaluation_headline(e)
        if o is None:
            continue
        p = deciding_p(o)
        # Sort key: larger is better, so the p and the position are negated.
        key = (DESIGN_STRENGTH[e.design], int(e.independent), _n(o),
               (not _p_key(p)[0], -(p if p is not None else 0.0)), -i)
        if best is None or key > best[0]:
            best = (key, e, o)
    if best is None:
        return None
    _, e, o = best
    found = deciding_estimate(e.design, o)
    assert found is not None
    measure, estimate, se, ci = found
    return HeadlineEffect(e.id, o.name, e.design, e.independent, measure, estimate, se, ci,
                          deciding_p(o), o.test, o.sign, _n(o) or None, o.deciding,
                          cautions(e, o))


def find_outcome(analysis: AnalysisResult, headline: HeadlineEffect | None
                 ) -> tuple[EvaluationResult, OutcomeResult] | None:
    """The evaluation and outcome a headline names."""
    if headline is None:
        return None
    for e in analysis.evaluations:
        if e.id == headline.evaluation:
            for o in e.outcomes:
                if o.name == headline.outcome:
                    return e, o
    return None


#: Effects computed without the pretest adjustment.
_UNADJUSTED = ("mean_difference", "cohens_d", "hedges_g", "glass_delta", "risk_difference",
               "risk_ratio", "odds_ratio", "log_odds_ratio", "cox_index", "nnt")


def statistic_basis(o: OutcomeResult, key: str) -> tuple[str, ...]:
    """What a statistic of an outcome other than its deciding one is, in words a reader
    needs beside it: "ignoring clustering" when the deciding test corrects for clustering
    and this one does not, "not adjusted for the pretest" when the decision uses an adjusted
    effect. Empty for the deciding statistic itself.

    >>> from evidencekit.analysis.result import OutcomeResult, Headline, Clustering
    >>> o = OutcomeResult("x", "continuous", True, "higher_is_better", None, "cluster_rct",
    ...                   "data", headline=Headline("ancova_hedges_g", 0.2, 0.1, (0.0, 0.4)),
    ...                   adjusted=True, clustering=Clustering(0.1, "estimated", 20, "CR2"))
    >>> statistic_basis(o, "ancova"), statistic_basis(o, "hedges_g")
    (('ignoring clustering',), ('ignoring clustering', 'not adjusted for the pretest'))
    >>> statistic_basis(o, "ancova_hedges_g")
    ()
    """
    if o.headline is not None and key == o.headline.measure:
        return ()
    out: list[str] = []
    if o.clustering is not None:
        out.append("ignoring clustering")
    if o.adjusted and key in _UNADJUSTED:
        out.append("not adjusted for the pretest")
    return tuple(out)
