"""Analyse a whole submission: every evaluation, and the pooled effect across them."""

from __future__ import annotations

from collections.abc import Sequence

from .. import stats
from ..load.model import TWO_GROUP_DESIGNS, Submission
from .evaluation import analyse_evaluation
from .result import AnalysisOptions, AnalysisResult, EvaluationResult, PooledResult


def analyse_submission(submission: Submission,
                       options: AnalysisOptions | None = None) -> AnalysisResult:
    opts = options or AnalysisOptions()
    evaluations = tuple(analyse_evaluation(e, opts) for e in submission.evaluations)
    comparison = [e for e in evaluations if e.design in TWO_GROUP_DESIGNS]
    return AnalysisResult(
        programme=submission.programme.name,
        organisation=submission.programme.organisation,
        evaluations=evaluations,
        options=opts,
        pooled=pool_evaluations(comparison, opts),
    )


def pool_evaluations(evaluations: Sequence[EvaluationResult], options: AnalysisOptions,
                     method: str = "DL") -> PooledResult | None:
    """Random-effects pool of each evaluation's headline primary effect (SPEC §3.13).

    Effects are oriented so that positive means favourable, whatever each outcome's
    direction, and must be standardised (g, g_DiD or the Cox index) with a standard error.
    """
    ids, estimates, ses = [], [], []
    for e in evaluations:
        h = e.headline
        if h is None or h.headline is None or h.headline.se is None or not h.headline.se > 0:
            continue
        ids.append(e.id)
        estimates.append(h.headline.estimate * h.sign)
        ses.append(h.headline.se)
    if not ids:
        return None
    p = stats.pool(estimates, ses, method=method)
    return PooledResult(
        k=p.k, measure="standardised effect (favourable direction)", fixed=p.fixed,
        se_fixed=p.se_fixed, ci_fixed=p.ci_fixed, random=p.random, se_random=p.se_random,
        ci_random=p.ci_random, p_value=p.p_value, tau2=p.tau2, i2=p.i2_percent, q=p.q,
        method=p.method, evaluations=tuple(ids),
    )
