"""Analyse a whole submission: every evaluation, and the pooled effect across them."""

from __future__ import annotations

from collections.abc import Sequence

from .. import stats
from ..load.model import TWO_GROUP_DESIGNS, Submission
from .evaluation import analyse_evaluation
from .result import AnalysisOptions, AnalysisResult, EvaluationResult, PooledResult


def analyse_submission(submission: Submission, options: AnalysisOptions | None = None, *,
                       supplementary: bool = True) -> AnalysisResult:
    """Every evaluation of ``submission`` analysed, and their pool.

    ``supplementary=False`` leaves out what only a report or the JSON shows and nothing
    decides (see :func:`.evaluation.analyse_evaluation`): batch scoring without reports,
    whose scores row and verdict are the same either way
    (``tests/batch/test_supplementary.py``).
    """
    opts = options or AnalysisOptions.default()
    evaluations = tuple(analyse_evaluation(e, opts, supplementary=supplementary)
                        for e in submission.evaluations)
    comparison = [e for e in evaluations if e.design in TWO_GROUP_DESIGNS]
    return AnalysisResult(
        programme=submission.programme.name,
        organisation=submission.programme.organisation,
        evaluations=evaluations,
        options=opts,
        pooled=pool_evaluations(comparison, opts),
    )


def pool_evaluations(evaluations: Sequence[EvaluationResult], options: AnalysisOptions,
                     method: str | None = None, test: str | None = None) -> PooledResult | None:
    """Random-effects pool of each evaluation's headline primary effect (SPEC §3.13).

    Effects are oriented so that positive means favourable, whatever each outcome's
    direction, and must be standardised (g, g_DiD or the Cox index) with a standard error.
    τ² by ``options.pooling_method`` (DL default, or REML); the random-effects interval and p
    by ``options.pooling_test``: the default ``adhoc`` is the Hartung–Knapp–Sidik–Jonkman
    t-interval on k − 1 df with Röver et al.'s (2015) modification (never narrower than the
    normal interval). A programme has 2–5 evaluations; there the normal (z) interval is far
    too narrow (IntHout, Ioannidis & Borm 2014, BMC Med Res Methodol 14:25), while plain
    HKSJ can be narrower still when the estimates agree more than their SEs suggest (Röver,
    Knapp & Friede 2015, BMC Med Res Methodol 15:99). With k = 2 the t has one degree of
    freedom (critical value 12.71): the interval is very wide, which is honest — two
    evaluations cannot estimate between-setting variation — and a note says so.
    """
    method = method or options.pooling_method
    test = test or options.pooling_test
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
    p = stats.pool(estimates, ses, method=method, test=test, level=options.ci_level)
    notes: list[str] = []
    if p.k == 2 and p.test != "z":
        notes.append("With only 2 evaluations the Knapp–Hartung interval uses a t on 1 degree "
                     "of freedom (critical value 12.71), so it and the prediction interval are "
                     "very wide: two evaluations cannot estimate how much the effect varies "
                     "between settings.")
    if p.k > 1 and p.tau2_ci is not None and p.tau2_ci[0] == 0 and p.tau2 == 0:
        notes.append("No heterogeneity was estimated (τ² = 0), but with so few evaluations the "
                     "Q-profile interval for τ² is wide; the effect may still vary by setting.")
    return PooledResult(
        k=p.k, measure="standardised effect (favourable direction)", fixed=p.fixed,
        se_fixed=p.se_fixed, ci_fixed=p.ci_fixed, random=p.random, se_random=p.se_random,
        ci_random=p.ci_random, p_value=p.p_value, tau2=p.tau2, i2=p.i2_percent, q=p.q,
        method=p.method, evaluations=tuple(ids), test=p.test, df=p.df,
        prediction_interval=p.pi, tau2_ci=p.tau2_ci, i2_ci=p.i2_ci,
        q_p_value=p.q_p_value if p.k > 1 else None, notes=tuple(notes),
    )
