"""Noncentral-t effect-size intervals and Morris's d_ppc2, added to an analysed outcome.

Every standardised mean difference (Cohen's d, Hedges' g, Glass's Δ, d_z, d_av) gets its
noncentral-t interval as ``ci_noncentral`` (a two-element list in JSON); with the analysis
option ``smd_ci = "noncentral"`` (rubric parameter ``smd_ci``) that interval becomes the
effect's ``ci`` and ``ci_method`` says ``noncentral_t``. A two-group summary with pretest
means and SDs also gets Morris's (2008) ``d_ppc2`` with its variance-based SE and normal CI
(row-level data with a pretest get it from ``rows.py`` through ``morris_effect``).
Headline effects (those pooled and charted) keep their normal SE-based intervals, which is
what inverse-variance pooling uses.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .. import stats
from ..load.model import ContinuousGroup, Outcome, TwoGroupSummary
from ..stats import es_intervals as es
from .result import AnalysisOptions, Effect, OutcomeResult


def _with_ci(effect: Effect, ci: tuple[float, float], options: AnalysisOptions) -> Effect:
    extra: list[tuple[str, Any]] = [kv for kv in effect.extra if kv[0] != "ci_noncentral"]
    extra.append(("ci_noncentral", [ci[0], ci[1]]))
    if options.smd_ci == "noncentral":
        return replace(effect, ci=ci, ci_method="noncentral_t", extra=tuple(extra))
    return replace(effect, extra=tuple(extra))


def morris_effect(means: list[float], sd_pre_t: float, sd_pre_c: float, n_t: int, n_c: int,
                  correlation: float | None, level: float) -> Effect | None:
    """Morris's d_ppc2 as an Effect; ``means`` = [pre_t, post_t, pre_c, post_c]. With row-level
    data the correlation is the pooled within-group pre-post correlation. None when the
    inputs cannot give it (e.g. 4 people or fewer, no pretest spread)."""
    try:
        m = es.morris_ppc2(means[0], means[1], means[2], means[3], sd_pre_t, sd_pre_c, n_t,
                           n_c, correlation, level)
    except stats.StatsError:
        return None
    return Effect(m.estimate, m.se, m.ci, ci_method="normal",
                  extra=(("variance", m.variance), ("correlation", m.correlation),
                         ("correlation_assumed", m.correlation_assumed)))


def with_es_intervals(result: OutcomeResult, outcome: Outcome,
                      options: AnalysisOptions) -> OutcomeResult:
    """``result`` with the noncentral-t intervals and d_ppc2 it supports (unchanged if none)."""
    effects = es_effects(result, outcome, options)
    return result if effects is None else replace(result, effects=effects)


def es_effects(result: OutcomeResult, outcome: Outcome,
               options: AnalysisOptions) -> dict[str, Effect] | None:
    """The effects of :func:`with_es_intervals` (None when they are unchanged), so that the
    evaluation can build each outcome's final result once."""
    if result.kind != "continuous" or result.problems:
        return None
    effects = dict(result.effects)
    level = options.ci_level
    g = result.groups
    try:
        t, c = g.get("treatment"), g.get("control")
        if t is not None and c is not None and t.sd is not None and c.sd is not None \
                and t.n >= 2 and c.n >= 2:
            for key, hedges in (("cohens_d", False), ("hedges_g", True)):
                e = effects.get(key)
                if e is not None and e.estimate is not None:
                    ci = es.smd_ci_noncentral(e.estimate, t.n, c.n, level, hedges=hedges)
                    effects[key] = _with_ci(e, ci, options)
            e = effects.get("glass_delta")
            if e is not None and e.estimate is not None and c.sd > 0:
                ci = es.glass_delta_ci_noncentral(e.estimate, t.n, c.n, t.sd, c.sd, level)
                effects["glass_delta"] = _with_ci(e, ci, options)
        pre, post = g.get("pre"), g.get("post")
        change = effects.get("mean_change")
        if pre is not None and post is not None and change is not None \
                and change.estimate is not None and change.se and post.n >= 2:
            n = post.n
            sd_change = change.se * n**0.5
            e = effects.get("d_z")
            if e is not None and e.estimate is not None:
                effects["d_z"] = _with_ci(e, es.d_z_ci_noncentral(e.estimate, n, level),
                                          options)
            e = effects.get("d_av")
            if e is not None and e.estimate is not None and pre.sd is not None \
                    and post.sd is not None:
                ci = es.d_av_ci_noncentral(change.estimate, sd_change, pre.sd, post.sd, n,
                                           level)
                effects["d_av"] = _with_ci(e, ci, options)
        src = outcome.source
        if isinstance(src, TwoGroupSummary) and isinstance(src.treatment, ContinuousGroup) \
                and isinstance(src.control, ContinuousGroup) \
                and src.treatment.pre_mean is not None and src.control.pre_mean is not None \
                and src.treatment.pre_sd is not None and src.control.pre_sd is not None:
            e = morris_effect([src.treatment.pre_mean, src.treatment.mean, src.control.pre_mean,
                               src.control.mean], src.treatment.pre_sd, src.control.pre_sd,
                              src.treatment.n, src.control.n, src.correlation, level)
            if e is not None:
                effects["d_ppc2"] = e
    except stats.StatsError:
        return None
    if result.design == "cluster_rct" or result.clustering is not None:
        from .outcome import label_unclustered

        effects = label_unclustered(effects)
    if effects == dict(result.effects):
        return None
    return effects
