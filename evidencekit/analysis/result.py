"""Result objects of the analysis stage (frozen dataclasses) and their SPEC §4 JSON form.

Numbers are kept unrounded; rendering rounds. Absent quantities are ``None`` and appear in
JSON as ``null``, never omitted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import Problem
from ..frozen import freeze_fields
from ..load.model import ONE_GROUP_DESIGNS


@dataclass(frozen=True, slots=True)
class AnalysisOptions:
    """Conventions the analysis follows, each named like the rubric parameter it comes from.

    No value is written here: :func:`evidencekit.assessment.engine.analysis_options` takes
    every one from the rubric's parameters, and those a rubric does not declare from the
    default rubric's (``rubrics/nesta.yaml``), so a threshold has one source.
    :meth:`default` gives the default rubric's conventions.
    """

    alpha: float
    attrition_boundary: str
    baseline_satisfied: float
    baseline_adjustable: float
    icc_achievement: float
    icc_other: float
    power: float
    ci_level: float
    small_n: int
    min_clusters_per_arm: int
    pooling_method: str      # τ² estimator: DL or REML (SPEC 3.13)
    pooling_test: str        # z, knha (HKSJ) or adhoc (HKSJ, never narrower than z)
    smd_ci: str              # normal (g ± z·SE) or noncentral (effectsize's default)

    @classmethod
    def default(cls) -> AnalysisOptions:
        """The default rubric's conventions.

        >>> AnalysisOptions.default().alpha
        0.05
        """
        from ..assessment.engine import analysis_options
        from ..assessment.rubric import load_rubric
        from ..vocabulary import DEFAULT_RUBRIC

        return analysis_options(load_rubric(DEFAULT_RUBRIC))


@dataclass(frozen=True, slots=True)
class Effect:
    """One effect estimate; ``extra`` carries measure-specific fields (e.g. Welch's p).

    ``test`` names the test behind ``p_value`` (a key of ``evidencekit.registry.TESTS``)
    and ``ci_method`` the method behind ``ci`` (a key of
    ``evidencekit.analysis.outcome.CI_METHODS``); both are None when there is no p or CI.
    """

    estimate: float | None
    se: float | None = None
    ci: tuple[float, float] | None = None
    p_value: float | None = None
    extra: tuple[tuple[str, float | str | bool | None], ...] = ()
    test: str | None = None
    ci_method: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "estimate": self.estimate,
            "se": self.se,
            "ci": list(self.ci) if self.ci is not None else None,
            "p_value": self.p_value,
            "test": self.test,
            "ci_method": self.ci_method,
        }
        out.update(self.extra)
        return out


@dataclass(frozen=True, slots=True)
class GroupStats:
    n: int
    mean: float | None = None
    sd: float | None = None
    events: int | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.events is not None:
            return {"n": self.n, "events": self.events,
                    "proportion": self.events / self.n if self.n else None}
        return {"n": self.n, "mean": self.mean, "sd": self.sd}


@dataclass(frozen=True, slots=True)
class Baseline:
    """Baseline (pretest) difference in SD units and its WWC verdict (SPEC §3.8)."""

    effect: float
    measure: str  # "hedges_g" or "cox_index"
    verdict: str

    def to_dict(self) -> dict[str, Any]:
        return {"hedges_g": self.effect, "measure": self.measure, "verdict": self.verdict}


@dataclass(frozen=True, slots=True)
class AttritionResult:
    overall: float
    differential: float
    boundary: str
    verdict: str
    max_differential: float | None
    assigned: tuple[int, int]
    analysed: tuple[int, int]

    def to_dict(self) -> dict[str, Any]:
        return {"overall": self.overall, "differential": self.differential,
                "boundary": self.boundary, "verdict": self.verdict,
                "max_differential": self.max_differential,
                "assigned": {"treatment": self.assigned[0], "control": self.assigned[1]},
                "analysed": {"treatment": self.analysed[0], "control": self.analysed[1]}}


@dataclass(frozen=True, slots=True)
class Clustering:
    icc: float | None  # None when it cannot be estimated (e.g. one cluster per arm)
    icc_source: str  # "given", "default" or "estimated"
    clusters: int
    method: str
    hedges_g_cluster_adjusted: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"icc": self.icc, "icc_source": self.icc_source, "clusters": self.clusters,
                "method": self.method,
                "hedges_g_cluster_adjusted": self.hedges_g_cluster_adjusted}


@dataclass(frozen=True, slots=True)
class Note:
    """A non-gating quality note (small sample, low power, assumed correlation, ...)."""

    code: str
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "text": self.text}


@dataclass(frozen=True, slots=True)
class Headline:
    """The standardised effect that stands for an outcome in pooling, charts and prose.

    ``estimate`` is on its own sign convention (treatment − control); ``favourable_estimate``
    is multiplied by the outcome's direction, so positive always means better.
    """

    measure: str
    estimate: float
    se: float | None
    ci: tuple[float, float] | None
    ci_method: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"measure": self.measure, "estimate": self.estimate, "se": self.se,
                "ci": list(self.ci) if self.ci is not None else None,
                "ci_method": self.ci_method}


@dataclass(frozen=True, slots=True)
class DecidingStatistic:
    """The statistic of the test that decides an outcome, recorded where the test is run.

    ``name`` is "t", "z" or "F" (None for an exact test or a published p, which have no
    statistic); ``df`` its degrees of freedom (None for a normal test);
    ``accounts_for_clustering`` is set only where the analysis cannot tell from the test
    itself (a published statistic the authors say is cluster-adjusted).
    """

    name: str | None = None
    value: float | None = None
    df: float | None = None
    accounts_for_clustering: bool | None = None


#: Tests whose p (and interval) allow for clustering.
CLUSTER_TESTS = ("cr2", "wwc_cluster_corrected")


@dataclass(frozen=True, slots=True)
class DecidingTest:
    """Which test decided an outcome's significance, and everything it decided (contract §5.3).

    Decided once, in the analysis (:func:`evidencekit.analysis.evaluation.deciding_test`),
    after the Benjamini–Hochberg adjustment; every renderer formats this object and nothing
    else when it names an outcome's effect, interval, p or test.

    - ``test``: key of :data:`evidencekit.registry.TESTS`, or None when no valid test exists
      (then ``p_value``, ``p_value_adjusted`` and ``significant`` are None too).
    - ``statistic``/``value``/``df``: the test statistic ("t", "z", "F"; None for an exact
      test or a published p) and its degrees of freedom (None for a normal test).
    - ``p_value``: the test's own p; ``p_value_adjusted``: the p that decides (adjusted by
      ``adjustment`` — "benjamini_hochberg" when the evaluation tests several primary
      outcomes — else the same as ``p_value``); ``significant``: favourable or not,
      ``p_value_adjusted`` ≤ ``alpha``.
    - ``accounts_for_clustering``: True when the p allows for clustering, False when the
      design or data are clustered and it does not (or no valid test exists), None when
      there is no clustering to allow for.
    - ``measure``/``estimate``/``se``/``ci``/``ci_method``: the deciding estimate and the
      interval that goes with the test (never an interval that ignores the clustering the
      test allows for); None when the outcome has no estimate.
    """

    test: str | None
    statistic: str | None
    value: float | None
    df: float | None
    p_value: float | None
    p_value_adjusted: float | None
    adjustment: str | None
    alpha: float
    significant: bool | None
    accounts_for_clustering: bool | None
    measure: str | None
    estimate: float | None
    se: float | None
    ci: tuple[float, float] | None
    ci_method: str | None

    @property
    def p(self) -> float | None:
        """The p that decides significance (adjusted where adjusted)."""
        return self.p_value_adjusted if self.p_value_adjusted is not None else self.p_value

    @property
    def adjusted(self) -> bool:
        """True when the deciding p differs from the test's own p (several primary outcomes)."""
        return (self.adjustment is not None and self.p_value is not None
                and self.p_value_adjusted is not None
                and abs(self.p_value_adjusted - self.p_value) > 1e-12)

    def to_dict(self) -> dict[str, Any]:
        return {"test": self.test, "statistic": self.statistic, "value": self.value,
                "df": self.df, "p_value": self.p_value,
                "p_value_adjusted": self.p_value_adjusted, "adjustment": self.adjustment,
                "alpha": self.alpha, "significant": self.significant,
                "accounts_for_clustering": self.accounts_for_clustering,
                "measure": self.measure, "estimate": self.estimate, "se": self.se,
                "ci": list(self.ci) if self.ci is not None else None,
                "ci_method": self.ci_method}


@dataclass(frozen=True)
class OutcomeResult:
    name: str
    kind: str
    primary: bool
    direction: str
    domain: str | None
    design: str
    source: str  # "summary", "reported" or "data"
    groups: Mapping[str, GroupStats] = field(default_factory=dict)
    effects: Mapping[str, Effect] = field(default_factory=dict)
    baseline: Baseline | None = None
    attrition: AttritionResult | None = None
    favourable: bool | None = None
    significant: bool | None = None
    p_value: float | None = None
    p_value_adjusted: float | None = None
    test: str | None = None
    adjusted: bool = False
    headline: Headline | None = None
    n_treatment: int | None = None
    n_control: int | None = None
    clustering: Clustering | None = None
    improvement_index: float | None = None
    eef_months: int | None = None
    self_reported: bool = False
    notes: tuple[Note, ...] = ()
    problems: tuple[Problem, ...] = ()
    #: Row-level data only: rows left out by listwise deletion, by group ("treatment",
    #: "control", "no_group"; one-group designs: "all"). None for summaries.
    rows_dropped: Mapping[str, int] | None = None
    #: The deciding test's statistic, recorded where the test is run.
    statistic: DecidingStatistic | None = None
    #: Everything the deciding test decided; set by the evaluation after BH (None before).
    deciding: DecidingTest | None = None

    def __post_init__(self) -> None:
        freeze_fields(self, "groups", "effects", "rows_dropped", "notes", "problems")

    @property
    def sign(self) -> int:
        return 1 if self.direction == "higher_is_better" else -1

    @property
    def n_min(self) -> int | None:
        ns = [n for n in (self.n_treatment, self.n_control) if n is not None]
        if self.design in ONE_GROUP_DESIGNS:
            return ns[0] if ns else None
        return min(ns) if len(ns) == 2 else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "kind": self.kind, "primary": self.primary,
            "direction": self.direction, "domain": self.domain, "source": self.source,
            "groups": {k: g.to_dict() for k, g in self.groups.items()},
            "effects": {k: e.to_dict() for k, e in self.effects.items()},
            "baseline": self.baseline.to_dict() if self.baseline else None,
            "attrition": self.attrition.to_dict() if self.attrition else None,
            "favourable": self.favourable, "significant": self.significant,
            "p_value": self.p_value, "p_value_adjusted": self.p_value_adjusted,
            "test": self.test, "adjusted_for_pretest": self.adjusted,
            "headline": self.headline.to_dict() if self.headline else None,
            "clustering": self.clustering.to_dict() if self.clustering else None,
            "improvement_index": self.improvement_index, "eef_months": self.eef_months,
            "notes": [n.to_dict() for n in self.notes],
            "problems": [p.to_dict() for p in self.problems],
            "rows_dropped": dict(self.rows_dropped) if self.rows_dropped is not None else None,
            "deciding": self.deciding.to_dict() if self.deciding is not None else None,
        }


@dataclass(frozen=True)
class EvaluationResult:
    id: str
    design: str
    title: str | None
    independent: bool
    site: str | None
    delivered_by: str | None
    year: int | None
    outcomes: tuple[OutcomeResult, ...]
    attrition: AttritionResult | None = None
    notes: tuple[Note, ...] = ()

    @property
    def headline(self) -> OutcomeResult | None:
        """The primary outcome that stands for this evaluation, by the headline rule's step 2
        (:func:`evidencekit.analysis.headline.evaluation_headline`)."""
        from .headline import evaluation_headline

        return evaluation_headline(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "design": self.design,
            "independent": self.independent, "site": self.site,
            "delivered_by": self.delivered_by, "year": self.year,
            "attrition": self.attrition.to_dict() if self.attrition else None,
            "outcomes": [o.to_dict() for o in self.outcomes],
            "notes": [n.to_dict() for n in self.notes],
        }


@dataclass(frozen=True)
class PooledResult:
    k: int
    measure: str
    fixed: float
    se_fixed: float
    ci_fixed: tuple[float, float]
    random: float
    se_random: float
    ci_random: tuple[float, float]
    p_value: float
    tau2: float
    i2: float
    q: float
    method: str
    evaluations: tuple[str, ...]
    test: str = "z"
    df: int | None = None
    prediction_interval: tuple[float, float] | None = None
    tau2_ci: tuple[float, float] | None = None
    i2_ci: tuple[float, float] | None = None
    q_p_value: float | None = None
    notes: tuple[str, ...] = ()

    @property
    def method_label(self) -> str:
        """E.g. "random effects (REML τ², Knapp–Hartung t on 2 df, ad hoc modification)"."""
        tau = {"DL": "DerSimonian–Laird", "REML": "REML"}.get(self.method, self.method)
        if self.test == "z":
            return f"random effects ({tau} τ², normal z)"
        extra = ", Röver's ad hoc modification" if self.test == "adhoc" else ""
        return f"random effects ({tau} τ², Knapp–Hartung t on {self.df} df{extra})"

    def to_dict(self) -> dict[str, Any]:
        def pair(x: tuple[float, float] | None) -> list[float] | None:
            return list(x) if x is not None else None

        return {
            "k": self.k, "measure": self.measure, "method": self.method, "test": self.test,
            "method_label": self.method_label,
            "evaluations": list(self.evaluations),
            "fixed": {"estimate": self.fixed, "se": self.se_fixed, "ci": list(self.ci_fixed)},
            "random": {"estimate": self.random, "se": self.se_random,
                       "ci": list(self.ci_random), "p_value": self.p_value,
                       "test": self.test, "df": self.df,
                       "prediction_interval": pair(self.prediction_interval)},
            "tau2": self.tau2, "tau2_ci": pair(self.tau2_ci), "tau2_ci_method": "Q-profile",
            "i2": self.i2, "i2_ci": pair(self.i2_ci), "q": self.q, "q_p_value": self.q_p_value,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class AnalysisResult:
    programme: str
    organisation: str | None
    evaluations: tuple[EvaluationResult, ...]
    options: AnalysisOptions
    pooled: PooledResult | None = None

    #: Columns of :meth:`rows` and :meth:`to_frame`.
    COLUMNS = ("evaluation", "design", "independent", "outcome", "primary", "measure",
               "estimate", "ci_low", "ci_high", "p_value", "test", "n_treatment", "n_control",
               "favourable", "significant")

    def rows(self) -> list[dict[str, Any]]:
        """One row per outcome with its deciding estimate, interval and p (plain values)."""
        out = []
        for e in self.evaluations:
            for o in e.outcomes:
                h = o.headline
                out.append({"evaluation": e.id, "design": e.design,
                            "independent": e.independent, "outcome": o.name,
                            "primary": o.primary, "measure": h.measure if h else None,
                            "estimate": h.estimate if h else None,
                            "ci_low": h.ci[0] if h and h.ci else None,
                            "ci_high": h.ci[1] if h and h.ci else None,
                            "p_value": (o.p_value_adjusted if o.p_value_adjusted is not None
                                        else o.p_value),
                            "test": o.test, "n_treatment": o.n_treatment,
                            "n_control": o.n_control, "favourable": o.favourable,
                            "significant": o.significant})
        return out

    def to_frame(self) -> Any:
        """The outcomes as a pandas DataFrame (see :meth:`rows`); needs pandas."""
        from ..tabular import to_frame

        return to_frame(self.rows(), self.COLUMNS)

    def _repr_html_(self) -> str:
        from ..tabular import html_table

        return html_table(self.rows(), self.COLUMNS, self.programme)

    def to_dict(self) -> dict[str, Any]:
        return {
            "programme": self.programme,
            "organisation": self.organisation,
            "evaluations": [e.to_dict() for e in self.evaluations],
            "pooled": self.pooled.to_dict() if self.pooled else None,
        }
