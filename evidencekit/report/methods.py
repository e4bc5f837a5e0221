"""The methods appendix: every formula a report relies on, with its reference.

Formulas and references are read from the docstrings of :mod:`evidencekit.stats` (the
``Formula(s):``/``Rule:`` paragraph and the ``Reference:`` paragraph), so the appendix says
exactly what the code does. The few methods that have no function in ``stats`` (ANCOVA, the
causal test and value for money) are worded here from SPEC §2–3 and
:mod:`evidencekit.analysis.value`. Which entries appear depends on what the analysis used.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import stats
from ..analysis.result import AnalysisResult


@dataclass(frozen=True, slots=True)
class Method:
    title: str
    formula: str
    reference: str


_HEAD = re.compile(r"^(Formulas?|Rule|Search)\b:?\s*")


def _clean(text: str) -> str:
    """A docstring paragraph for readers: no Python names, test files or result codes.

    >>> _clean('p is exact (test = "fisher_exact"); pinned in tests/stats/test_x.py.')
    'p is exact.'
    >>> _clean('above → "not_satisfied"; the decisive p_value')
    'above → "not satisfied"; the decisive p'
    """
    from .plain import CODES

    text = re.sub(r"\s*\(``[A-Za-z_]+``(;[^)]*)?\)", "", text)
    text = text.replace("``", "")
    text = re.sub(r"\bNone\b", "undefined", text)  # Python's word, not a reader's
    text = re.sub(r"\s*\(test = [^)]*\)", "", text)  # result codes of the JSON
    text = re.sub(r"[;,]?[^;,.]*\btests/[\w/.]*\w", "", text)  # where the tests live
    text = re.sub(r"\bp_value\b", "p", text)
    text = re.sub(r'"(\w+)"', lambda m: f'"{CODES.get(m.group(1), m.group(1))}"', text)
    # A product of brackets, "(1 − R²)(N−2)", is one term: no line break between them
    # (U+2060 WORD JOINER; browsers may otherwise break at ")(").
    text = text.replace(")(", ")\u2060(")
    return " ".join(text.split())


def from_docstring(fn: Callable[..., Any]) -> Method:
    """Title, formula and reference of a statistics function, from its docstring.

    >>> m = from_docstring(stats.improvement_index)
    >>> m.formula, m.reference
    ('100·Φ(g) − 50.', 'WWC Procedures Handbook 4.1 (2020), improvement index.')
    """
    doc = inspect.getdoc(fn) or ""
    paragraphs = [p.strip() for p in doc.split("\n\n")]
    title = paragraphs[0].splitlines()[0].strip() if doc.strip() else fn.__name__
    formula = reference = ""
    for p in paragraphs[1:]:
        if p.startswith(">>>"):
            break
        if p.startswith("Reference:"):
            reference = _clean(p.removeprefix("Reference:"))
        elif not formula and p.startswith("Solves "):
            formula = _clean(p)
        elif not formula and _HEAD.match(p):
            body = _clean(_HEAD.sub("", p, count=1))
            body = re.sub(r"^\(([^)]*)\):", r"\1:", body)
            formula = body[:1].upper() + body[1:]
    if not formula or not reference:
        raise ValueError(f"the docstring of stats.{fn.__name__} lacks a formula or reference")
    return Method(_clean(title).rstrip("."), formula, reference)


def _spec(title: str, formula: str, reference: str) -> Method:
    return Method(title, formula, reference)


ANCOVA = _spec(
    "ANCOVA-adjusted difference",
    "OLS of the outcome on a treatment indicator and the pretest; the adjusted difference b, "
    "its SE and p come from that model; g_ANCOVA = J·b/S_pooled, with S_pooled from the "
    "unadjusted outcome SDs; SE(g_ANCOVA) = √((J·SE(b)/S_pooled)² + g²/(2N)).",
    "WWC Procedures Handbook 4.1 (2020); SPEC 3.4.")

CAUSAL_TEST = _spec(
    "The causal test (levels 3 and above)",
    "An evaluation passes when its design has a comparison group; a primary outcome's effect "
    "is favourable and significant at α (two-sided; clustering-corrected for cluster designs; "
    "Benjamini–Hochberg adjusted across the evaluation's primary outcomes); at least the "
    "minimum number are analysed per group; and design integrity holds: low attrition in a "
    "randomised design, otherwise baseline equivalence on the outcome's pretest (|g| within "
    "the satisfied bound, or within the adjustable bound with a pretest-adjusted effect).",
    "Puttick & Ludlow (2013), Standards of Evidence, Nesta; WWC Standards Handbook 4.1 "
    "(2020); SPEC 2.")

VALUE = _spec(
    "Value for money",
    "Net cost = cost per participant − the comparator's (the full cost when no comparator "
    "is given). Binary outcome: cost per additional positive outcome = net cost × NNT = net "
    "cost / RD, RD oriented so that positive is favourable. Otherwise: cost per 0.1 SD = net "
    "cost × 0.1 / g. The range puts the ends of the effect's 95% CI in place of the effect; "
    "when the CI includes no effect one end is unbounded. The outcome is the headline primary "
    "outcome of the strongest comparison-group evaluation (randomised, then independent, then "
    "largest).",
    "Drummond et al. (2015), Methods for the Economic Evaluation of Health Care Programmes, "
    "4th ed., ch. 4 (incremental cost-effectiveness); Cook & Sackett (1995), BMJ 310:452 "
    "(NNT).")


MCNEMAR = _spec(
    "McNemar's exact test (yes/no outcome before and after, one group)",
    "Of the pairs that changed, b went from no to yes and c from yes to no; p is the exact "
    "two-sided binomial probability of a split at least as uneven as b : c with probability "
    "1/2.",
    "McNemar (1947), Psychometrika 12:153–157; Agresti (2013), Categorical Data Analysis, "
    "3rd ed., 11.1.")


def _row_level(tests: set[str], outcomes: list[Any]) -> list[Callable[..., Any]]:
    """Methods of row-level analyses (regression, cluster-robust errors), when used."""
    fns: list[Callable[..., Any]] = []
    if not tests & {"ancova", "cr2", "logistic"}:
        return fns
    from ..stats import clustered, regression

    if tests & {"ancova", "cr2"}:
        fns.append(regression.ols)
    if "logistic" in tests:
        fns.append(regression.logistic)
    if "cr2" in tests:
        fns.append(clustered.cr2)
        if any(o.kind == "binary" and o.test == "cr2" for o in outcomes):
            fns.append(clustered.cr2_glm)
    if any(o.clustering is not None and o.clustering.icc_source == "estimated"
           for o in outcomes):
        fns.append(clustered.icc_anova)
    return fns


def methods_used(analysis: AnalysisResult, *, has_value: bool,
                 rubric_has_causal_test: bool = True) -> tuple[Method, ...]:
    """The methods behind this analysis, in the order a reader meets them."""
    tests = {o.test for e in analysis.evaluations for o in e.outcomes if o.test}
    effects = {k for e in analysis.evaluations for o in e.outcomes for k in o.effects}
    outcomes = [o for e in analysis.evaluations for o in e.outcomes]
    fns: list[Callable[..., Any]] = []
    extra: list[Method] = []
    if {"hedges_g", "cohens_d"} & effects:
        fns += [stats.two_group_continuous, stats.hedges_j, stats.smd_se]
    if "did_hedges_g" in effects or "difference_in_differences" in tests:
        fns.append(stats.difference_in_differences)
    if "ancova" in effects or "ancova" in tests:
        extra.append(ANCOVA)
    if {"mean_change", "d_z", "d_av"} & effects:
        fns.append(stats.pre_post_summary)
    if {"risk_difference", "odds_ratio", "cox_index"} & effects:
        fns.append(stats.two_group_binary)
    if "risk_difference" in effects:
        fns += [stats.newcombe_interval, stats.number_needed]
    if "fisher_exact" in tests:
        fns.append(stats.fisher_exact)
    if "ancova" in effects:
        fns.append(stats.ancova_g_se)
    if any(o.baseline is not None and o.baseline.measure == "cox_index" for o in outcomes):
        fns.append(stats.cox_index_from_counts)
    by_test: dict[str, Callable[..., Any]] = {
        "reported_t": stats.from_t, "reported_z": stats.from_t, "reported_p": stats.from_p,
        "reported_f": stats.from_f,
    }
    for key, fn in by_test.items():
        if key in tests and fn not in fns:
            fns.append(fn)
    if "normal_z" in tests:
        sources = {o.source for o in outcomes if o.test == "normal_z"}
        if sources:
            fns.append(stats.from_g_se)
        if "mean_difference" in effects:
            fns.append(stats.from_mean_difference_ci)
        if "odds_ratio" in effects and "risk_difference" not in effects:
            fns.append(stats.from_odds_ratio_ci)
    fns += _row_level(tests, outcomes)
    if "mcnemar" in tests:
        extra.append(MCNEMAR)
    if any(o.clustering is not None and o.clustering.icc_source != "estimated"
           for o in outcomes):
        fns += [stats.wwc_cluster_correction, stats.hedges_2007_g_cluster]
    if any(e.attrition is not None or any(o.attrition for o in e.outcomes)
           for e in analysis.evaluations):
        fns += [stats.attrition, stats.attrition_verdict]
    if any(o.baseline is not None for o in outcomes):
        fns.append(stats.baseline_verdict)
    if any(o.p_value_adjusted is not None and o.p_value_adjusted != o.p_value
           for o in outcomes) or any(
            sum(1 for o in e.outcomes if o.primary and o.p_value is not None) > 1
            for e in analysis.evaluations):
        fns.append(stats.benjamini_hochberg)
    if analysis.pooled is not None and analysis.pooled.k > 1:
        fns.append(stats.pool)
    if any(o.improvement_index is not None for o in outcomes):
        fns.append(stats.improvement_index)
    if any(o.eef_months is not None for o in outcomes):
        fns.append(stats.eef_months)
    if any(n.code == "low_power" for o in outcomes for n in o.notes):
        fns += [stats.two_sample_power, stats.mdes]
    seen: set[str] = set()
    out: list[Method] = []
    for fn in fns:
        if fn.__name__ in seen:
            continue
        seen.add(fn.__name__)
        out.append(from_docstring(fn))
    out.extend(extra)
    if rubric_has_causal_test and any(e.design in ("comparison_group", "rct", "cluster_rct")
                                      for e in analysis.evaluations):
        out.append(CAUSAL_TEST)
    if has_value:
        out.append(VALUE)
    return tuple(out)
