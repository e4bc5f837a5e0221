"""The facts a rubric can test: a plain, documented view of a submission and its analysis.

Rubric checks name facts by dotted paths within a scope: the programme at the top, an
evaluation inside ``evaluations``, an outcome inside an evaluation's ``outcomes``. The
vocabulary below is the whole interface between rubric files and Python: the rubric
validator rejects a path that is not listed (a typo in a rubric must not silently fail a
criterion), and explanations use the descriptions.

Absent facts are ``None``; the condition language treats them as *unknown*.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..planning import planning_inputs

if TYPE_CHECKING:  # importing the analysis stage would load SciPy for `rubric list`
    from ..analysis.result import AnalysisResult, EvaluationResult, OutcomeResult
    from ..load.model import Evaluation, Outcome, Submission


@dataclass(frozen=True, slots=True)
class Collection:
    scope: str
    #: An open collection may be incomplete: the submission need not list every evaluation a
    #: programme has had, so "no item shows X" is unknown rather than false. Outcomes within
    #: one evaluation are closed: what an evaluation reports is what it found.
    open: bool
    label: str  # the fact that names an item in explanations


COLLECTIONS: dict[str, dict[str, Collection]] = {
    "programme": {"evaluations": Collection("evaluation", True, "id")},
    "evaluation": {"outcomes": Collection("outcome", False, "name")},
    "outcome": {},
}

#: Every fact by scope, with a short noun phrase used in explanations.
FACTS: dict[str, dict[str, str]] = {
    "programme": {
        "programme.name": "the programme's name",
        "programme.organisation": "the organisation",
        "programme.theme": "the theme",
        "theory_of_change.problem": "a statement of the problem",
        "theory_of_change.activities": "the programme's activities",
        "theory_of_change.outcomes": "the intended outcomes",
        "theory_of_change.rationale": "a rationale",
        "theory_of_change.references": "research references",
        "theory_of_change.evaluation_plan": "an evaluation plan",
        "costs.per_participant": "the cost per participant",
        "costs.comparator_per_participant": "the comparator's cost per participant",
        "scaling.manual": "a delivery manual",
        "scaling.training": "training and quality assurance",
        "scaling.fidelity_monitoring": "fidelity monitoring",
        "scaling.sites": "the number of delivery sites",
        "scaling.delivered_by_others": "delivery by other organisations",
        "evaluation_count": "the number of evaluations",
        "grade.k": "the number of evaluations GRADE rates (those pooled)",
        "grade.start": "GRADE's starting certainty (4 High for randomised evidence, 2 Low)",
        "grade.certainty": "the GRADE certainty (1 Very low to 4 High; unknown while a domain "
                           "is not judged)",
        "grade.best": "the GRADE certainty if every unjudged domain is not serious",
        "grade.worst": "the GRADE certainty if every unjudged domain rates down fully",
        "grade.label": "the GRADE certainty in words",
        "grade.start_reason": "why GRADE starts where it does",
        **{f"grade.{key}.{part}": f"{what} ({title.lower()})"
           for key, title in (("risk_of_bias", "Risk of bias"),
                              ("inconsistency", "Inconsistency"),
                              ("imprecision", "Imprecision"),
                              ("indirectness", "Indirectness"),
                              ("publication_bias", "Publication bias"))
           for part, what in (("downgrade", "the levels GRADE rates down"),
                              ("judgement", "the GRADE judgement"),
                              ("reason", "the reason for the GRADE judgement"))},
    },
    "evaluation": {
        "id": "the evaluation id",
        "title": "the title",
        "design": "the design",
        "independent": "independence from the delivering organisation",
        "site": "the site",
        "year": "the year",
        "delivered_by": "the delivering organisation",
        "delivered_by_other": "delivery by an organisation other than the originator",
        "assigned_known": "the numbers assigned to each group",
        "clustered": "a clustered design",
        "attrition.verdict": "attrition",
        "attrition.overall": "overall attrition",
        "attrition.differential": "differential attrition",
        "effect": "the headline primary effect (favourable direction)",
        "effect_se": "the standard error of the headline effect",
        "identification": "the identification method",
        "comparison_justified": "a justified choice of comparison group",
        "real_world": "delivery in everyday conditions (an effectiveness study)",
    },
    "outcome": {
        "name": "the outcome's name",
        "kind": "the kind of outcome",
        "primary": "being a primary outcome",
        "direction": "the direction of benefit",
        "domain": "the outcome domain",
        "design": "the evaluation design",
        "source": "the source of the result",
        "has_result": "a quantitative result",
        "favourable": "a favourable effect",
        "significant": "statistical significance",
        "p_value": "the p-value",
        "p_value_adjusted": "the p-value (Benjamini–Hochberg adjusted within the evaluation)",
        "test": "the test used",
        "n_treatment": "the number analysed in the treatment group",
        "n_control": "the number analysed in the control group",
        "n_min": "the number analysed in the smaller group",
        "effect": "the standardised effect (favourable direction)",
        "effect_se": "the standard error of the standardised effect",
        "adjusted": "adjustment for the pretest (ANCOVA or difference-in-differences)",
        "has_pretest": "a pretest (baseline) measure",
        "baseline.effect": "the baseline difference (SD units)",
        "baseline.abs_effect": "the size of the baseline difference (SD units)",
        "baseline.verdict": "baseline equivalence",
        "attrition.verdict": "attrition",
        "attrition.overall": "overall attrition",
        "attrition.differential": "differential attrition",
        "self_reported": "a self-reported measure",
        "clustered": "a clustered design",
        "follow_up_months": "the months from the end of the programme to the measurement",
    },
}


def vocabulary_markdown() -> str:
    """The facts a rubric may name, as Markdown tables by scope (docs/rubrics.md embeds this
    text, and a test keeps the two the same)."""
    lines: list[str] = []
    for scope, facts in FACTS.items():
        colls = COLLECTIONS[scope]
        lines.append(f"**{scope} scope**" + (" — collections: " + ", ".join(
            f"`{name}` ({c.scope} items, {'open' if c.open else 'closed'})"
            for name, c in colls.items()) if colls else ""))
        lines.append("")
        lines.append("| fact | what it is |")
        lines.append("|---|---|")
        lines.extend(f"| `{name}` | {text} |" for name, text in facts.items())
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def programme_facts(submission: Submission, analysis: AnalysisResult) -> dict[str, Any]:
    toc = submission.theory_of_change
    costs = submission.costs
    sc = submission.scaling
    facts: dict[str, Any] = {
        "programme.name": submission.programme.name,
        "programme.organisation": submission.programme.organisation,
        "programme.theme": submission.programme.theme,
        "theory_of_change.problem": toc.problem,
        "theory_of_change.activities": list(toc.activities) or None,
        "theory_of_change.outcomes": list(toc.outcomes) or None,
        "theory_of_change.rationale": toc.rationale,
        "theory_of_change.references": list(toc.references) or None,
        "theory_of_change.evaluation_plan": toc.evaluation_plan,
        "costs.per_participant": costs.per_participant if costs else None,
        "costs.comparator_per_participant": costs.comparator_per_participant if costs else None,
        "scaling.manual": sc.manual,
        "scaling.training": sc.training,
        "scaling.fidelity_monitoring": sc.fidelity_monitoring,
        "scaling.sites": sc.sites,
        "scaling.delivered_by_others": sc.delivered_by_others,
        "evaluation_count": len(submission.evaluations),
    }
    organisation = submission.programme.organisation
    facts["evaluations"] = [
        evaluation_facts(e, r, organisation)
        for e, r in zip(submission.evaluations, analysis.evaluations, strict=True)
    ]
    return facts


#: The parameter by which a rubric asks for the ``grade.*`` facts (rubrics/grade.yaml).
GRADE_PARAMETER = "grade_threshold"


def add_grade_facts(facts: dict[str, Any], submission: Submission, analysis: AnalysisResult,
                    parameters: Mapping[str, Any]) -> None:
    """Add the ``grade.*`` facts — GRADE's certainty of the pooled evidence and each
    domain's judgement (:mod:`evidencekit.analysis.grade`) — for a rubric that declares
    GRADE's parameters (:data:`GRADE_PARAMETER`); for other rubrics they stay unknown. All
    are None when nothing was pooled. The evaluations' facts must already hold their answers
    (``answer.indirectness``)."""
    if GRADE_PARAMETER not in parameters:
        return
    from ..analysis.grade import DOMAIN_TITLES, GradeSettings, grade
    from .answers import indirectness_answers, rob2_judgements

    g = grade(analysis, GradeSettings.of(parameters),
              rob2=rob2_judgements(submission, analysis),
              indirect=indirectness_answers(facts))
    facts.update({
        "grade.k": g.k if g else None, "grade.start": g.start if g else None,
        "grade.certainty": g.certainty if g else None, "grade.best": g.best if g else None,
        "grade.worst": g.worst if g else None, "grade.label": g.label if g else None,
        "grade.start_reason": g.start_reason if g else None,
    })
    for key in DOMAIN_TITLES:
        d = g.domain(key) if g else None
        facts[f"grade.{key}.downgrade"] = d.downgrade if d else None
        facts[f"grade.{key}.judgement"] = d.judgement if d else None
        facts[f"grade.{key}.reason"] = d.reason if d else None


def evaluation_facts(e: Evaluation, r: EvaluationResult,
                     organisation: str | None) -> dict[str, Any]:
    other: bool | None
    if e.delivered_by is None or organisation is None:
        other = None if e.delivered_by is None else e.delivered_by != organisation
    else:
        other = _norm(e.delivered_by) != _norm(organisation)
    h = r.headline
    facts: dict[str, Any] = {
        "id": e.id, "title": e.title, "design": e.design, "independent": e.independent,
        "site": _norm(e.site) if e.site else None, "year": e.year,
        "delivered_by": e.delivered_by, "delivered_by_other": other,
        "assigned_known": e.assigned is not None,
        "clustered": e.design == "cluster_rct" or e.clusters is not None,
        "attrition.verdict": r.attrition.verdict if r.attrition else None,
        "attrition.overall": r.attrition.overall if r.attrition else None,
        "attrition.differential": r.attrition.differential if r.attrition else None,
        "effect": h.headline.estimate * h.sign if h and h.headline else None,
        "effect_se": h.headline.se if h and h.headline else None,
        "identification": e.identification,
        "comparison_justified": e.comparison_justified,
        "real_world": e.real_world,
    }
    facts["outcomes"] = [outcome_facts(o, facts["clustered"], given)
                         for given, o in zip(e.outcomes, r.outcomes, strict=True)]
    return facts


def outcome_facts(o: OutcomeResult, clustered: bool,
                  given: Outcome | None = None) -> dict[str, Any]:
    """Facts of one analysed outcome; ``given`` is the submission's outcome it came from."""
    h = o.headline
    return {
        "name": o.name, "kind": o.kind, "primary": o.primary, "direction": o.direction,
        "domain": o.domain, "design": o.design, "source": o.source,
        "has_result": o.favourable is not None and not o.problems,
        "favourable": o.favourable, "significant": o.significant, "p_value": o.p_value,
        "p_value_adjusted": o.p_value_adjusted, "test": o.test,
        "n_treatment": o.n_treatment, "n_control": o.n_control, "n_min": o.n_min,
        "effect": h.estimate * o.sign if h else None, "effect_se": h.se if h else None,
        "adjusted": o.adjusted,
        "has_pretest": o.baseline is not None,
        "baseline.effect": o.baseline.effect if o.baseline else None,
        "baseline.abs_effect": abs(o.baseline.effect) if o.baseline else None,
        "baseline.verdict": o.baseline.verdict if o.baseline else None,
        "attrition.verdict": o.attrition.verdict if o.attrition else None,
        "attrition.overall": o.attrition.overall if o.attrition else None,
        "attrition.differential": o.attrition.differential if o.attrition else None,
        "self_reported": o.self_reported, "clustered": clustered,
        "follow_up_months": given.follow_up_months if given is not None else None,
        "_planning": planning_inputs(o),  # for the power advice only; not a rubric fact
    }


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())
