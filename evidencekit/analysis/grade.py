"""GRADE certainty of the pooled evidence on a programme's primary outcome.

The body of evidence is the random-effects pool of each comparison evaluation's headline
primary effect (:func:`evidencekit.analysis.programme.pool_evaluations`). GRADE (Balshem et
al. 2011, GRADE guidelines 3; GRADE Handbook, Schünemann et al. 2013, section 5) starts it
at High when it comes from randomised trials and at Low otherwise, and rates it down, by
one level for a serious and two for a very serious concern, in five domains:

=================  =====================================================  =================
domain             how it is judged here                                    source
=================  =====================================================  =================
risk of bias       RoB 2 overall judgements, weighted by each evaluation's  Handbook 5.2.1,
                   share of the pooled estimate                             GRADE 4
inconsistency      I² and the prediction interval against the threshold     Handbook 5.2.2,
                                                                            GRADE 7
imprecision        the interval against the decision threshold, and the     Handbook 5.2.4,
                   effective sample size against the optimal information    GRADE 6, GRADE 34
                   size (OIS)
indirectness       a reviewer's or applicant's answer                       Handbook 5.2.3,
                                                                            GRADE 8
publication bias   a reviewer's or applicant's answer                       Handbook 5.2.5,
                                                                            GRADE 5
=================  =====================================================  =================

A domain nobody has judged yet is *unknown* (``downgrade`` None): the certainty is then a
range (``worst`` to ``best``), and ``certainty`` is None until the range closes. Rating up
(large effects, dose-response; GRADE 9) is not applied. The thresholds are parameters of
``rubrics/grade.yaml``; which rules are the toolkit's reading is said there
(``operationalisation``) and in each function below.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..frozen import freeze_fields
from ..load.model import RANDOMISED_DESIGNS
from .result import AnalysisResult, EvaluationResult, PooledResult

#: Certainty levels by number (GRADE's four; 1 is the floor).
CERTAINTY = {4: "High", 3: "Moderate", 2: "Low", 1: "Very low"}
#: The answers to the indirectness question, and how many levels each rates down (GRADE
#: Handbook 5.2.3).
ANSWERS: dict[str, dict[str, int]] = {
    "indirectness": {"not_serious": 0, "serious": 1, "very_serious": 2},
}
#: RoB 2 overall judgements (Sterne et al. 2019).
ROB2_JUDGEMENTS = ("low", "some_concerns", "high")
#: Most levels each domain can rate down (for the range of an unjudged domain).
MAX_DOWNGRADE = {"risk_of_bias": 2, "inconsistency": 2, "imprecision": 2, "indirectness": 2,
                 "publication_bias": 1}
DOMAIN_TITLES = {
    "risk_of_bias": "Risk of bias",
    "inconsistency": "Inconsistency",
    "imprecision": "Imprecision",
    "indirectness": "Indirectness",
    "publication_bias": "Publication bias",
}
_SERIOUSNESS = {0: "not serious", 1: "serious", 2: "very serious"}


@dataclass(frozen=True)
class GradeSettings:
    """The thresholds GRADE's rules need (the parameters of ``rubrics/grade.yaml``)."""

    #: The decision threshold on the pooled standardised effect (favourable direction): an
    #: interval that crosses it is imprecise (GRADE 6; GRADE 34's minimally contextualised
    #: approach uses the null, 0, when no other threshold is set).
    threshold: float = 0.0
    #: The effect the optimal information size is computed for (SD units).
    ois_effect: float = 0.2
    ois_alpha: float = 0.05
    ois_power: float = 0.8
    #: I² (%) from which inconsistency is serious, and very serious (Cochrane Handbook
    #: 10.10.2: 50-90% "substantial", 75-100% "considerable").
    i2_serious: float = 50.0
    i2_very_serious: float = 75.0

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> GradeSettings:
        """Settings from rubric parameters named ``grade_<field>`` (others keep defaults).

        >>> GradeSettings.of({"grade_threshold": 0.1, "alpha": 0.01}).threshold
        0.1
        """
        names = {f"grade_{k}": k for k in cls.__dataclass_fields__}
        return cls(**{names[k]: float(v) for k, v in values.items() if k in names})


@dataclass(frozen=True)
class Domain:
    """One domain's judgement: how many levels it rates down (0, 1, 2; None: not judged)
    and why."""

    key: str
    downgrade: int | None
    reason: str
    #: "computed" (from the statistics), "answered" (a reviewer's or applicant's answer) or
    #: "not judged".
    basis: str

    @property
    def title(self) -> str:
        return DOMAIN_TITLES[self.key]

    @property
    def judgement(self) -> str:
        """"not serious", "serious", "very serious", or "not judged"."""
        return _SERIOUSNESS[self.downgrade] if self.downgrade is not None else "not judged"

    def to_dict(self) -> dict[str, Any]:
        return {"domain": self.key, "title": self.title, "downgrade": self.downgrade,
                "judgement": self.judgement, "basis": self.basis, "reason": self.reason}


@dataclass(frozen=True)
class Grade:
    """The GRADE certainty of the pooled evidence, with each domain's reason."""

    start: int  # 4 (High: randomised) or 2 (Low: not randomised)
    start_reason: str
    domains: tuple[Domain, ...]
    k: int
    evaluations: tuple[str, ...]
    estimate: float
    ci: tuple[float, float]
    effective_n: float | None
    ois: float

    def __post_init__(self) -> None:
        freeze_fields(self, "domains", "evaluations")

    @property
    def best(self) -> int:
        """The certainty if every unjudged domain is not serious."""
        return max(1, self.start - sum(d.downgrade or 0 for d in self.domains))

    @property
    def worst(self) -> int:
        """The certainty if every unjudged domain rates down as far as it can."""
        down = sum(d.downgrade if d.downgrade is not None else MAX_DOWNGRADE[d.key]
                   for d in self.domains)
        return max(1, self.start - down)

    @property
    def certainty(self) -> int | None:
        """The certainty (1-4) once it no longer depends on an unjudged domain."""
        return self.best if self.best == self.worst else None

    @property
    def label(self) -> str:
        c = self.certainty
        if c is not None:
            return CERTAINTY[c]
        return f"{CERTAINTY[self.worst]} to {CERTAINTY[self.best]}"

    def domain(self, key: str) -> Domain:
        return next(d for d in self.domains if d.key == key)

    def to_dict(self) -> dict[str, Any]:
        return {"start": CERTAINTY[self.start], "start_reason": self.start_reason,
                "certainty": CERTAINTY[self.certainty] if self.certainty else None,
                "best": CERTAINTY[self.best], "worst": CERTAINTY[self.worst],
                "k": self.k, "evaluations": list(self.evaluations),
                "estimate": self.estimate, "ci": list(self.ci),
                "effective_n": self.effective_n, "ois": self.ois,
                "domains": [d.to_dict() for d in self.domains]}


def grade(analysis: AnalysisResult, settings: GradeSettings | None = None, *,
          rob2: Mapping[str, str | None] | None = None,
          indirect: Mapping[str, str | None] | None = None) -> Grade | None:
    """GRADE the programme's pooled evidence (None when nothing could be pooled).

    ``rob2`` maps an evaluation id to its RoB 2 overall judgement (low, some_concerns,
    high; None or absent: not judged); ``indirect`` maps it to its answer to the
    indirectness question (not_serious, serious, very_serious; absent: not answered).
    """
    from .. import stats

    s = settings or GradeSettings()
    pooled = analysis.pooled
    if pooled is None:
        return None
    by_id = {e.id: e for e in analysis.evaluations}
    pooled_evals = [by_id[i] for i in pooled.evaluations if i in by_id]
    randomised = all(e.design in RANDOMISED_DESIGNS for e in pooled_evals)
    if randomised:
        start, start_reason = 4, ("Starts at High: every pooled evaluation is randomised "
                                  "(GRADE Handbook 5.1).")
    else:
        others = [e.id for e in pooled_evals if e.design not in RANDOMISED_DESIGNS]
        start, start_reason = 2, ("Starts at Low: " + _names(others) + " "
                                  + ("is" if len(others) == 1 else "are") +
                                  " not randomised (GRADE Handbook 5.1).")
    ses = [_headline_se(e) for e in pooled_evals]
    weights = stats.random_effects_weights(ses, pooled.tau2)
    n_eff = effective_n(pooled_evals)
    ois = stats.optimal_information_size(s.ois_effect, s.ois_alpha, s.ois_power)
    domains = (
        risk_of_bias(pooled_evals, weights, rob2 or {}),
        inconsistency(pooled, s),
        imprecision(pooled.ci_random, n_eff, ois, s),
        indirectness(pooled_evals, weights, indirect or {}),
        publication_bias(),
    )
    return Grade(start, start_reason, domains, pooled.k, tuple(e.id for e in pooled_evals),
                 pooled.random, pooled.ci_random, n_eff, ois)


def _headline_se(e: EvaluationResult) -> float:
    h = e.headline
    assert h is not None and h.headline is not None and h.headline.se is not None
    return float(h.headline.se)


def effective_n(evaluations: Sequence[EvaluationResult]) -> float | None:
    """Participants behind the pooled headline effects, each clustered sample divided by
    its design effect (None when an evaluation's numbers analysed are not known)."""
    from .. import stats

    total = 0.0
    for e in evaluations:
        h = e.headline
        if h is None or h.n_treatment is None or h.n_control is None:
            return None
        n = h.n_treatment + h.n_control
        c = h.clustering
        total += (stats.effective_sample_size(n, c.clusters, c.icc)
                  if c is not None and c.icc is not None and c.clusters > 0 else float(n))
    return total


def weighted_rule(levels: Sequence[int | None], weights: Sequence[float]) -> int | None:
    """Levels to rate down from per-evaluation judgements (0 not serious, 1 serious, 2 very
    serious; None not judged), weighted by each evaluation's share of the pool.

    Rule (toolkit's reading of Cochrane Handbook 5.1 Table 12.2.d, which GRADE 4 follows:
    "most information is from studies at low risk of bias"): 2 when more than half the
    weight is judged 2, 1 when more than half is judged 1 or 2, else 0. Unjudged weight could
    be anything: the result is None unless every way of judging it gives the same answer.

    >>> weighted_rule([2, 0], [0.6, 0.4]), weighted_rule([2, 0], [0.4, 0.6])
    (2, 0)
    >>> weighted_rule([None, 1], [0.6, 0.4]) is None, weighted_rule([0, None], [0.6, 0.4])
    (True, 0)
    """
    def rule(js: Sequence[int]) -> int:
        very = sum(w for j, w in zip(js, weights, strict=True) if j == 2)
        some = sum(w for j, w in zip(js, weights, strict=True) if j >= 1)
        return 2 if very > 0.5 else (1 if some > 0.5 else 0)

    best = rule([0 if j is None else j for j in levels])
    worst = rule([2 if j is None else j for j in levels])
    return best if best == worst else None


def risk_of_bias(evaluations: Sequence[EvaluationResult], weights: Sequence[float],
                 rob2: Mapping[str, str | None]) -> Domain:
    """Risk of bias across the pooled evaluations, from their RoB 2 overall judgements
    (:func:`weighted_rule`; low 0, some concerns 1, high 2). Non-randomised evaluations are
    not judged by RoB 2; their confounding is what the Low start stands for (Handbook 5.1),
    so they add nothing to this domain.

    >>> from types import SimpleNamespace as E
    >>> evs = [E(id="a", design="rct"), E(id="b", design="comparison_group")]
    >>> d = risk_of_bias(evs, [0.6, 0.4], {"a": "high"})
    >>> d.downgrade
    2
    >>> d.reason.split("(")[1]
    'RoB 2: a 60% high; b 40% not randomised, so not judged by RoB 2).'
    >>> risk_of_bias(evs, [0.6, 0.4], {}).downgrade is None
    True
    """
    code = {"low": 0, "some_concerns": 1, "high": 2}
    levels: list[int | None] = []
    parts: list[str] = []
    for e, w in zip(evaluations, weights, strict=True):
        if e.design not in RANDOMISED_DESIGNS:
            levels.append(0)
            parts.append(f"{e.id} {_pct(w)} not randomised, so not judged by RoB 2")
            continue
        j = rob2.get(e.id)
        levels.append(code[j] if j is not None else None)
        parts.append(f"{e.id} {_pct(w)} " + (j.replace("_", " ") if j else "not judged"))
    d = weighted_rule(levels, weights)
    shares = "; ".join(parts)
    if d is None:
        return Domain("risk_of_bias", None, "Not judged: the RoB 2 judgements missing could "
                      f"change it (RoB 2: {shares}).", "not judged")
    words = {0: "most of the pooled weight is from evaluations at low risk of bias",
             1: "more than half of the pooled weight is from evaluations with some concerns "
                "or at high risk of bias",
             2: "more than half of the pooled weight is from evaluations at high risk of bias"}
    return Domain("risk_of_bias", d, f"{_SERIOUSNESS[d].capitalize()}: {words[d]} "
                  f"(RoB 2: {shares}).", "computed")


def indirectness(evaluations: Sequence[EvaluationResult], weights: Sequence[float],
                 answers: Mapping[str, str | None]) -> Domain:
    """Indirectness from each pooled evaluation's answer to the indirectness question
    (not_serious, serious, very_serious), by :func:`weighted_rule` (toolkit's reading of
    GRADE 8 and Handbook 5.2.3, which judge how far the studies' populations, programme,
    comparators and outcomes differ from those of the question).

    >>> from types import SimpleNamespace as E
    >>> evs = [E(id="a"), E(id="b")]
    >>> indirectness(evs, [0.3, 0.7], {"a": "serious", "b": "not_serious"}).downgrade
    0
    >>> indirectness(evs, [0.3, 0.7], {"a": "serious"}).downgrade is None
    True
    """
    code = ANSWERS["indirectness"]
    levels = [code[a] if (a := answers.get(e.id)) is not None else None for e in evaluations]
    parts = "; ".join(f"{e.id} {_pct(w)} " + (a.replace("_", " ") if (a := answers.get(e.id))
                                              else "not answered")
                      for e, w in zip(evaluations, weights, strict=True))
    d = weighted_rule(levels, weights)
    if d is None:
        return Domain("indirectness", None, "Not judged: it needs a reviewer's or applicant's "
                      f"answer for each pooled evaluation ({parts}).", "not judged")
    return Domain("indirectness", d, f"{_SERIOUSNESS[d].capitalize()}: answered ({parts}).",
                  "answered")


def publication_bias() -> Domain:
    """Publication bias is a judgement about the whole body of evidence (Handbook 5.2.5;
    GRADE 5): whether evaluations with unfavourable results went unpublished. The toolkit
    does not make it; until a reviewer does, the certainty is a range, and a level inside it
    can be claimed (``claims``) and validated by reviewers.
    """
    return Domain("publication_bias", None, "Not judged by evidencekit: whether evaluations "
                  "with unfavourable results went unpublished is a judgement about the whole "
                  "body of evidence (GRADE Handbook 5.2.5); claim the certainty it allows, "
                  "for reviewers to validate.", "not judged")


def inconsistency(pooled: PooledResult, s: GradeSettings) -> Domain:
    """Inconsistency of the pooled evaluations' effects.

    Rule (toolkit's reading of GRADE 7 and Handbook 5.2.2): one evaluation cannot be
    inconsistent (not serious). Otherwise serious when I² ≥ ``i2_serious`` and very serious
    when I² ≥ ``i2_very_serious`` — unless the prediction interval lies wholly on one side
    of the decision threshold, when the variation does not change the decision (not
    serious). Without a prediction interval I² decides alone.

    >>> from types import SimpleNamespace as P
    >>> s = GradeSettings()
    >>> inconsistency(P(k=3, i2=80.0, prediction_interval=(-0.2, 0.9)), s).downgrade
    2
    >>> inconsistency(P(k=3, i2=60.0, prediction_interval=(0.05, 0.9)), s).downgrade
    0
    >>> inconsistency(P(k=3, i2=60.0, prediction_interval=None), s).downgrade
    1
    >>> inconsistency(P(k=1, i2=0.0, prediction_interval=None), s).downgrade
    0
    """
    if pooled.k < 2:
        return Domain("inconsistency", 0, "Not serious: one evaluation, so there is no "
                      "inconsistency to judge (GRADE Handbook 5.2.2).", "computed")
    i2 = float(pooled.i2)
    pi = pooled.prediction_interval
    level = 2 if i2 >= s.i2_very_serious else (1 if i2 >= s.i2_serious else 0)
    pi_text = (f", prediction interval {_num(pi[0])} to {_num(pi[1])}" if pi is not None
               else "")
    if level and pi is not None and not (pi[0] < s.threshold < pi[1]):
        return Domain("inconsistency", 0,
                      f"Not serious: I² = {i2:.0f}%{pi_text}, which lies wholly on one side "
                      f"of the decision threshold {_num(s.threshold)}, so the variation does "
                      "not change the decision.", "computed")
    if level == 0:
        return Domain("inconsistency", 0, f"Not serious: I² = {i2:.0f}%{pi_text} (below "
                      f"{s.i2_serious:.0f}%).", "computed")
    bound = s.i2_very_serious if level == 2 else s.i2_serious
    crosses = (f" and the prediction interval crosses the decision threshold "
               f"{_num(s.threshold)}" if pi is not None else "")
    return Domain("inconsistency", level,
                  f"{_SERIOUSNESS[level].capitalize()}: I² = {i2:.0f}% (at least "
                  f"{bound:.0f}%){pi_text}{crosses}.", "computed")


def imprecision(ci: tuple[float, float], n_eff: float | None, ois: float,
                s: GradeSettings) -> Domain:
    """Imprecision of the pooled effect.

    Rule (toolkit's reading of GRADE 6, GRADE 34 and Handbook 5.2.4): one concern each for
    an interval that crosses the decision threshold and for an effective sample size below
    the optimal information size; one concern is serious, both very serious. When the
    numbers analysed are not known the OIS cannot be checked: an interval that crosses the
    threshold is then serious, and one that does not leaves the domain not judged.

    >>> s = GradeSettings()
    >>> imprecision((-0.1, 0.5), 300.0, 786.8, s).downgrade
    2
    >>> imprecision((0.1, 0.5), 300.0, 786.8, s).downgrade
    1
    >>> imprecision((0.1, 0.5), 900.0, 786.8, s).downgrade
    0
    >>> imprecision((0.1, 0.5), None, 786.8, s).downgrade is None
    True
    """
    lo, hi = ci
    crosses = lo < s.threshold < hi
    ci_text = (f"the interval {_num(lo)} to {_num(hi)} "
               + ("crosses" if crosses else "does not cross")
               + f" the decision threshold {_num(s.threshold)}")
    if n_eff is None:
        if crosses:
            return Domain("imprecision", 1, f"Serious: {ci_text} (the numbers analysed are not "
                          "all known, so the optimal information size is not checked).",
                          "computed")
        return Domain("imprecision", None, f"Not judged: {ci_text}, but the numbers analysed "
                      f"are not all known, so they cannot be compared with the optimal "
                      f"information size ({ois:.0f}).", "not judged")
    short = n_eff < ois
    n_text = (f"{n_eff:.0f} participants (effective) "
              + ("are fewer than" if short else "reach")
              + f" the optimal information size of {ois:.0f} (a trial powered at "
              f"{s.ois_power:.0%} to detect {_num(s.ois_effect)} SD at α = {s.ois_alpha:g})")
    d = int(crosses) + int(short)
    return Domain("imprecision", d, f"{_SERIOUSNESS[d].capitalize()}: {ci_text}; {n_text}.",
                  "computed")


def _pct(w: float) -> str:
    return f"{100 * w:.0f}%"


def _num(x: float) -> str:
    return f"{x:.2f}"


def _names(ids: Sequence[str]) -> str:
    return ", ".join(ids)
