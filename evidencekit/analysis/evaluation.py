"""Analyse one evaluation: its outcomes, attrition, and significance within it.

Significance (SPEC §2, §3.12): with several primary outcomes in one evaluation the p-values
of the tests used are adjusted by Benjamini–Hochberg within the evaluation; an outcome is
significant when its (adjusted) p ≤ α. Secondary outcomes are judged on their own p.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from .. import stats
from ..errors import Problem
from ..load.model import RANDOMISED_DESIGNS, Evaluation, Outcome
from .outcome import analyse_outcome
from .result import (
    CLUSTER_TESTS,
    AnalysisOptions,
    AttritionResult,
    DecidingTest,
    Effect,
    EvaluationResult,
    Note,
    OutcomeResult,
)


def analyse_evaluation(evaluation: Evaluation, options: AnalysisOptions, *,
                       supplementary: bool = True) -> EvaluationResult:
    """One evaluation's outcomes, attrition and significance.

    ``supplementary=False`` skips the effects no decision and no scores row reads: the
    noncentral-t intervals of d, g, Glass's Δ, d_z and d_av (``ci_noncentral``, and their
    ``ci`` under the rubric's ``smd_ci: noncentral``: the headline and every fact keep the
    SE-based interval) and a summary's Morris d_ppc2. What the assessment reads is the same.
    """
    drafts = [_draft(_analyse_outcome_bounded(o, evaluation, options), o, evaluation, options,
                     supplementary)
              for o in evaluation.outcomes]
    outcomes = _significance(drafts, options.alpha)
    primary_attrition = [o.attrition for o in outcomes if o.primary and o.attrition is not None]
    attrition = max(primary_attrition, key=lambda a: (a.overall, a.differential), default=None)
    notes: list[Note] = []
    if evaluation.design in RANDOMISED_DESIGNS and evaluation.assigned is None:
        notes.append(Note("assigned_unknown", "The numbers randomised to each group are not "
                          "given, so attrition cannot be checked; add 'assigned'."))
    if not any(o.primary for o in outcomes) and outcomes:
        notes.append(Note("no_primary", "No outcome is marked primary."))
    return EvaluationResult(
        id=evaluation.id, design=evaluation.design, title=evaluation.title,
        independent=evaluation.independent, site=evaluation.site,
        delivered_by=evaluation.delivered_by, year=evaluation.year, outcomes=tuple(outcomes),
        attrition=attrition, notes=tuple(notes),
    )


#: An outcome's first analysis and the fields its later stages change (built once, at the
#: end of :func:`_significance`, rather than copied at every stage).
_Draft = tuple[OutcomeResult, dict[str, Any]]


def _draft(result: OutcomeResult, outcome: Outcome, evaluation: Evaluation,
           options: AnalysisOptions, supplementary: bool = True) -> _Draft:
    """The changes to ``result`` of its later stages: noncentral-t effect-size intervals and
    d_ppc2 (unless they are ``supplementary`` only and not wanted), the consistency checks of
    what was reported (statcheck, GRIM, CI centring) and attrition."""
    from .checks import consistency_notes

    changes: dict[str, Any] = {}
    if supplementary:
        from .es_extra import es_effects

        effects = es_effects(result, outcome, options)
        if effects is not None:
            changes["effects"] = effects
    extra = consistency_notes(outcome, evaluation, options.alpha)
    if extra:
        changes["notes"] = (*result.notes, *extra)
    attrition = _attrition(result, evaluation, options)
    if attrition is not None:
        changes["attrition"] = attrition
    return result, changes


def _attrition(o: OutcomeResult, evaluation: Evaluation,
               options: AnalysisOptions) -> AttritionResult | None:
    if evaluation.assigned is None or o.n_treatment is None or o.n_control is None:
        return None
    a_t, a_c = evaluation.assigned
    if o.n_treatment > a_t or o.n_control > a_c:
        return None  # counts above the assigned cannot be attrition; loader flags summaries
    at = stats.attrition(a_t, a_c, o.n_treatment, o.n_control, options.attrition_boundary)
    # max_differential as a proportion, like overall and differential (the WWC tables and
    # stats.attrition give percentage points).
    limit = at.max_differential / 100 if at.max_differential is not None else None
    return AttritionResult(at.overall, at.differential, at.boundary, at.verdict, limit,
                           (a_t, a_c), (o.n_treatment, o.n_control))


def _significance(drafts: list[_Draft], alpha: float) -> list[OutcomeResult]:
    """Benjamini–Hochberg across the primary outcomes' p, significance at α, and each
    outcome's :class:`DecidingTest` — the one place an outcome's verdict is decided; each
    outcome's final result is built here, once, with its stages' changes."""
    primary = [i for i, (o, _) in enumerate(drafts) if o.primary and o.p_value is not None]
    adjusted = stats.benjamini_hochberg([drafts[i][0].p_value for i in primary])  # type: ignore[misc]
    p_adj: dict[int, float] = dict(zip(primary, adjusted, strict=True))
    adjustment = "benjamini_hochberg" if len(primary) > 1 else None
    out = []
    for i, (o, changes) in enumerate(drafts):
        p: float | None = None
        significant: bool | None = None
        if o.p_value is not None:
            p = p_adj.get(i, o.p_value)
            significant = p <= alpha
        deciding = _deciding(o, changes.get("effects", o.effects), p, significant, alpha,
                             adjustment if i in p_adj else None)
        out.append(replace(o, **changes, p_value_adjusted=p, significant=significant,
                           deciding=deciding))
    return out


#: Estimates that decide an outcome without a standardised headline, in this order.
_UNSTANDARDISED = ("mean_change", "change_in_proportion", "mean_difference")


def deciding_test(o: OutcomeResult, alpha: float, adjustment: str | None = None
                  ) -> DecidingTest | None:
    """The outcome's deciding test, estimate and interval (contract §5.3), from its final
    analysis: the estimate is the standardised headline effect where there is one (its
    interval allows for clustering where the test does), else the mean change, change in
    proportion or mean difference; None when the outcome has neither an estimate nor a test.

    >>> from evidencekit.analysis.result import Effect, Headline, DecidingStatistic
    >>> o = OutcomeResult("x", "continuous", True, "higher_is_better", None, "rct", "summary",
    ...                   effects={"mean_difference": Effect(3.0, 1.0, (1.0, 5.0), 0.01)},
    ...                   headline=Headline("hedges_g", 0.3, 0.1, (0.1, 0.5), "normal"),
    ...                   p_value=0.01, p_value_adjusted=0.01, significant=True,
    ...                   test="welch_t", statistic=DecidingStatistic("t", 3.0, 98.0))
    >>> d = deciding_test(o, 0.05)
    >>> (d.test, d.statistic, d.df, d.measure, d.estimate, d.significant)
    ('welch_t', 't', 98.0, 'hedges_g', 0.3, True)
    >>> d.accounts_for_clustering is None   # no clusters to allow for
    True
    """
    return _deciding(o, o.effects, o.p_value_adjusted, o.significant, alpha, adjustment)


def _deciding(o: OutcomeResult, effects: Mapping[str, Effect], p_value_adjusted: float | None,
              significant: bool | None, alpha: float, adjustment: str | None
              ) -> DecidingTest | None:
    """:func:`deciding_test` of ``o`` with these effects, adjusted p and significance (the
    outcome's final values, before its final result is built)."""
    if o.problems:
        return None
    measure = estimate = se = ci = ci_method = None
    if o.headline is not None:
        h = o.headline
        measure, estimate, se, ci, ci_method = h.measure, h.estimate, h.se, h.ci, h.ci_method
    else:
        for key in _UNSTANDARDISED:
            e = effects.get(key)
            if e is not None and e.estimate is not None:
                measure, estimate, se, ci, ci_method = key, e.estimate, e.se, e.ci, e.ci_method
                extra = dict(e.extra)
                if o.test == "cr2" and "ci_cluster_robust_lower" in extra:
                    # The cluster-robust test decides: its SE and interval go with it.
                    se = extra["se_cluster_robust"]  # type: ignore[assignment]
                    ci = (extra["ci_cluster_robust_lower"],  # type: ignore[assignment]
                          extra["ci_cluster_robust_upper"])
                    ci_method = "cr2_satterthwaite"
                break
    if estimate is None and o.test is None:
        return None
    st = o.statistic if o.test is not None else None
    clustered = o.design == "cluster_rct" or o.clustering is not None
    if st is not None and st.accounts_for_clustering is not None:
        accounts: bool | None = st.accounts_for_clustering
    elif o.test in CLUSTER_TESTS:
        accounts = True
    else:
        accounts = False if clustered else None
    return DecidingTest(
        test=o.test, statistic=st.name if st else None, value=st.value if st else None,
        df=st.df if st else None, p_value=o.p_value, p_value_adjusted=p_value_adjusted,
        adjustment=adjustment if o.test is not None else None, alpha=alpha,
        significant=significant, accounts_for_clustering=accounts, measure=measure,
        estimate=estimate, se=se, ci=ci, ci_method=ci_method)


def _analyse_outcome_bounded(outcome: Outcome, evaluation: Evaluation,
                             options: AnalysisOptions) -> OutcomeResult:
    """The arithmetic boundary: an outcome whose numbers (each within the submission's
    documented ranges) still overflow, divide by zero or come out infinite or NaN is reported
    as a plain "cannot be computed" problem for that outcome, never as an internal error, a
    numpy warning on stderr or an Infinity in the output."""
    import numpy as np

    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            result = analyse_outcome(outcome, evaluation, options)
    except (ArithmeticError, stats.StatsError) as exc:
        return _uncomputable(outcome, evaluation, f"a calculation that fails ({exc})")
    if not _finite(result.to_dict()):
        return _uncomputable(outcome, evaluation, "numbers too large or too small to compute "
                             "with (a result came out infinite or undefined)")
    return result


def _finite(value: Any) -> bool:
    """Whether every float in ``value`` (nested dicts' values, lists and tuples) is finite.

    Walked with a stack rather than recursion: an outcome's dict holds ~90 values.

    >>> _finite({"a": [1.0, (2, None)], "b": "x"}), _finite({"a": [{"b": float("nan")}]})
    (True, False)
    """
    stack = [value]
    pop, extend, isfinite = stack.pop, stack.extend, math.isfinite
    while stack:
        v = pop()
        t = type(v)
        if t is float:
            if not isfinite(v):
                return False
        elif t is dict:
            extend(v.values())
        elif t is list or t is tuple:
            extend(v)
        elif t is str or t is int or t is bool or v is None:
            continue
        elif isinstance(v, float):
            if not isfinite(v):
                return False
        elif isinstance(v, dict):
            extend(v.values())
        elif isinstance(v, list | tuple):
            extend(v)
    return True


def _uncomputable(outcome: Outcome, evaluation: Evaluation, why: str) -> OutcomeResult:
    from ..load.document import format_path

    where = format_path(outcome.path) if outcome.path else outcome.name
    source = type(outcome.source).__name__
    kind = {"Reported": "reported", "DataSource": "data"}.get(source, "summary")
    return OutcomeResult(
        name=outcome.name, kind=outcome.kind, primary=outcome.primary,
        direction=outcome.direction, domain=outcome.domain, design=evaluation.design,
        source=kind, self_reported=outcome.self_reported,
        problems=(Problem(None, None, where, "statistics that can be computed", why),))
