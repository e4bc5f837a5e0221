"""Analyse one outcome of one evaluation: from its source to an :class:`OutcomeResult`.

Each source form (two-group summary, one-group summary, published statistic, row-level data)
has one function here that calls the pure statistics in :mod:`evidencekit.stats` and records
which test decides significance (SPEC §3). Significance itself (α, Benjamini–Hochberg) is
applied per evaluation in :mod:`evidencekit.analysis.evaluation`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from .. import stats
from ..errors import Problem
from ..load.model import (
    BinaryGroup,
    ContinuousGroup,
    DataSource,
    Evaluation,
    OneGroupSummary,
    Outcome,
    Reported,
    TwoGroupSummary,
)
from .result import (
    AnalysisOptions,
    Baseline,
    Clustering,
    DecidingStatistic,
    Effect,
    GroupStats,
    Headline,
    Note,
    OutcomeResult,
)

WWC_CLUSTER_METHOD = "WWC clustering correction of t and df (Hedges 2007; WWC Handbook 5.0)"
NO_CLUSTER_TEST_METHOD = ("no valid test: fewer than 2 clusters in an arm, so treatment is "
                          "confounded with the cluster (WWC n = 1 confound; SPEC 3.9)")
MIN_CLUSTERS_FOR_TEST = 2
"""With fewer clusters than this in either arm no valid test exists (SPEC 3.9)."""

CI_METHODS: dict[str, str] = {
    "welch_t": "difference ± t(Welch–Satterthwaite df)·SE_Welch, as R t.test()",
    "student_t": "estimate ± t(n_t + n_c − 2 df)·SE, pooled variance",
    "ols_t": "coefficient ± t(residual df)·SE from the OLS (ANCOVA) model",
    "normal": "estimate ± z·SE (Wald, normal)",
    "normal_log": "Wald interval on the log scale, back-transformed",
    "newcombe_hybrid_score": "Newcombe's (1998) hybrid score interval, method 10 (Wilson limits)",
    "altman_nnt": "reciprocal of the Newcombe RD interval limits (Altman 1998); through "
                  "infinity when the RD interval includes 0",
    "wwc_cluster_corrected": "estimate ± t(h)·SE·t/t_A: widened to match the WWC clustering "
                             "correction (Hedges 2007)",
    "cr2_satterthwaite": "estimate ± t(Satterthwaite df)·SE_CR2 (clubSandwich CR2)",
    "logistic_wald": "coefficient ± z·SE from the logistic model",
    "reported": "the interval as published",
    "noncentral_t": "noncentral-t interval (Steiger & Fouladi 1997), as R effectsize's default",
}
"""Keys of ``ci_method`` in the JSON output and what each interval is (README, SPEC §3)."""


@dataclass
class _Draft:
    """Mutable working copy while one outcome is analysed; frozen into OutcomeResult."""

    groups: dict[str, GroupStats] = field(default_factory=dict)
    effects: dict[str, Effect] = field(default_factory=dict)
    baseline: Baseline | None = None
    favourable: bool | None = None
    p_value: float | None = None
    test: str | None = None
    adjusted: bool = False
    headline: Headline | None = None
    n_treatment: int | None = None
    n_control: int | None = None
    clustering: Clustering | None = None
    notes: list[Note] = field(default_factory=list)
    rows_dropped: dict[str, int] | None = None
    statistic: DecidingStatistic | None = None

    def note(self, code: str, text: str) -> None:
        self.notes.append(Note(code, text))

    def decide(self, test: str | None, p: float | None, statistic: str | None = None,
               value: float | None = None, df: float | None = None, *,
               accounts_for_clustering: bool | None = None) -> None:
        """Record the test that decides this outcome: its key, p and statistic, together
        (a later test replaces all of them; ``decide(None, None)``: no valid test)."""
        self.test, self.p_value = test, p
        self.statistic = (DecidingStatistic(statistic, value, df, accounts_for_clustering)
                          if test is not None else None)


def analyse_outcome(outcome: Outcome, evaluation: Evaluation,
                    options: AnalysisOptions) -> OutcomeResult:
    """Analyse one outcome; statistical impossibilities become problems, not exceptions."""
    draft = _Draft()
    problems: tuple[Problem, ...] = ()
    source_kind = "summary"
    try:
        src = outcome.source
        if isinstance(src, TwoGroupSummary):
            _two_group(draft, src, outcome, evaluation, options)
        elif isinstance(src, OneGroupSummary):
            _one_group(draft, src, outcome)
        elif isinstance(src, Reported):
            source_kind = "reported"
            _reported(draft, src, outcome, evaluation, options)
        elif isinstance(src, DataSource):
            source_kind = "data"
            from .rows import analyse_rows

            analyse_rows(draft, src, outcome, evaluation, options)
    except stats.StatsError as exc:
        problems = (Problem(None, None, _fmt_path(outcome), "statistics that can be computed",
                            str(exc)),)
        draft = _Draft()
    if _is_clustered(evaluation) or draft.clustering is not None:
        draft.effects = label_unclustered(draft.effects)
    if outcome.self_reported:
        draft.note("self_reported", "The outcome is self-reported, which can overstate effects "
                   "when participants know which group they are in.")
    h = draft.headline
    improvement = eef = None
    if h is not None and h.measure in ("hedges_g", "did_hedges_g", "ancova_hedges_g",
                                       "cox_index"):
        improvement = stats.improvement_index(h.estimate * outcome.sign)
        if outcome.domain == "achievement":
            eef = stats.eef_months(h.estimate * outcome.sign)
    return OutcomeResult(
        name=outcome.name, kind=outcome.kind, primary=outcome.primary,
        direction=outcome.direction, domain=outcome.domain, design=evaluation.design,
        source=source_kind, groups=dict(draft.groups), effects=dict(draft.effects),
        baseline=draft.baseline, favourable=draft.favourable, p_value=draft.p_value,
        test=draft.test, adjusted=draft.adjusted, headline=h, n_treatment=draft.n_treatment,
        n_control=draft.n_control, clustering=draft.clustering, improvement_index=improvement,
        eef_months=eef, self_reported=outcome.self_reported, notes=tuple(draft.notes),
        problems=problems, rows_dropped=draft.rows_dropped, statistic=draft.statistic,
    )


def label_unclustered(effects: dict[str, Effect]) -> dict[str, Effect]:
    """In a cluster design, mark every effect whose SE, interval or p ignores clustering.

    Decided once, here: the outcome's ``p_value``/``test`` and headline carry the test that
    respects clustering (the WWC correction, or none with < 2 clusters an arm, SPEC §3.9);
    the individual-level statistics in ``effects`` (Welch's p of the mean difference, g's
    SE-based and noncentral intervals …) are kept for reference with
    ``ignores_clustering: true``, which the report words as "(ignoring clustering)"
    (``analysis.headline.statistic_basis``). Cluster-robust values beside a model's
    (``p_value_cluster_robust`` …) are named as such.

    >>> out = label_unclustered({"mean_difference": Effect(2.0, 0.8, (0.4, 3.6), 0.015),
    ...                          "cohens_d": Effect(0.2)})
    >>> dict(out["mean_difference"].extra), out["cohens_d"].extra
    ({'ignores_clustering': True}, ())
    """
    out = dict(effects)
    for key, eff in effects.items():
        inferential = (eff.se is not None or eff.ci is not None or eff.p_value is not None
                       or any(k == "ci_noncentral" for k, _ in eff.extra))
        if not inferential or any(k == "ignores_clustering" for k, _ in eff.extra):
            continue
        out[key] = Effect(eff.estimate, eff.se, eff.ci, eff.p_value,
                          (*eff.extra, ("ignores_clustering", True)),
                          test=eff.test, ci_method=eff.ci_method)
    return out


def _normal_p(z: float) -> float:
    """Two-sided normal p-value, 2·Φ(−|z|)."""
    return stats.normal_p(z)


def _fmt_path(outcome: Outcome) -> str:
    from ..load.document import format_path

    return format_path(outcome.path) if outcome.path else outcome.name


def _favourable(estimate: float, outcome: Outcome) -> bool | None:
    if estimate == 0 or math.isnan(estimate):
        return False
    return estimate * outcome.sign > 0


def default_icc(outcome: Outcome, options: AnalysisOptions) -> float:
    return options.icc_achievement if outcome.domain == "achievement" else options.icc_other


def _no_valid_test(draft: _Draft) -> None:
    """A clustered outcome without a valid test: no p, and the headline interval (which
    would ignore the clustering) is withdrawn, so no interval contradicts the verdict."""
    draft.decide(None, None)
    if draft.headline is not None:
        h = draft.headline
        draft.headline = Headline(h.measure, h.estimate, h.se, None, None)


def no_cluster_test(draft: _Draft, per_arm: tuple[int, int], icc: float | None,
                    icc_source: str, source: str) -> None:
    """Fewer than 2 clusters in an arm: no valid test (SPEC §3.9), p null with a note.

    The outcome keeps its effect sizes but has no p, so it cannot pass the causal test;
    the headline interval (which would ignore clustering) is withdrawn.
    """
    _no_valid_test(draft)
    draft.clustering = Clustering(icc, icc_source, per_arm[0] + per_arm[1],
                                  NO_CLUSTER_TEST_METHOD, None)
    draft.note("single_cluster_arm", f"{source} has {per_arm[0]} treatment and {per_arm[1]} "
               f"control cluster(s). With fewer than {MIN_CLUSTERS_FOR_TEST} clusters in an "
               "arm the programme's effect cannot be separated from the difference between "
               "the clusters, so no valid significance test exists and this outcome cannot "
               "show causality.")


def _cluster_correct(draft: _Draft, g: float, se_g: float, n_t: int, n_c: int,
                     outcome: Outcome, evaluation: Evaluation, options: AnalysisOptions,
                     *, icc_estimated: float | None = None,
                     clusters: tuple[int, int] | None = None) -> None:
    """Apply the WWC correction when the design is clustered (SPEC §3.9, summaries).

    ``icc_estimated`` and ``clusters`` come from row-level data when the clustered logistic
    fit cannot be estimated (separation); otherwise the evaluation's ICC (or the default)
    and cluster counts are used.
    """
    per_arm = clusters if clusters is not None else evaluation.clusters
    if per_arm is None:
        _no_valid_test(draft)
        draft.note("clusters_unknown", "This is a cluster design but the number of clusters is "
                   "not given, so significance cannot be corrected for clustering; add "
                   "'clusters: {treatment: J1, control: J2}' to the evaluation.")
        return
    if icc_estimated is not None:
        icc, icc_source = icc_estimated, "estimated"
    elif evaluation.icc is not None:
        icc, icc_source = evaluation.icc, "given"
    else:
        icc, icc_source = default_icc(outcome, options), "default"
    if min(per_arm) < MIN_CLUSTERS_FOR_TEST:
        no_cluster_test(draft, (per_arm[0], per_arm[1]), icc, icc_source,
                        "The data" if clusters is not None else "The evaluation")
        return
    m = sum(per_arm)
    cc = stats.wwc_cluster_correction(g, se_g, n_t, n_c, m, icc)
    draft.decide("wwc_cluster_corrected", cc.p_value, "t", cc.t_adjusted, cc.df)
    if draft.headline is not None and cc.t != 0:
        # Widen the interval to match the corrected test: SE·t/t_A on the corrected df.
        se_adj = se_g * cc.t / cc.t_adjusted
        half = stats.t_quantile((1 + options.ci_level) / 2, cc.df) * se_adj
        draft.headline = Headline(draft.headline.measure, g, se_adj, (g - half, g + half),
                                  "wwc_cluster_corrected")
    g_adj = stats.hedges_2007_g_cluster(g, n_t + n_c, (n_t + n_c) / m, icc)
    draft.clustering = Clustering(icc, icc_source, m, WWC_CLUSTER_METHOD, g_adj)
    if clusters is not None:
        return
    if evaluation.icc is None:
        draft.note("icc_default", f"No ICC was given; the WWC default of {icc:g} for "
                   f"{'achievement' if outcome.domain == 'achievement' else 'other'} outcomes "
                   "was used.")
    if min(per_arm) < options.min_clusters_per_arm:
        draft.note("few_clusters", f"Fewer than {options.min_clusters_per_arm} clusters in an "
                   "arm: the clustering correction is approximate and the effect is "
                   "imprecise.")


def _is_clustered(evaluation: Evaluation) -> bool:
    return evaluation.design == "cluster_rct" or evaluation.clusters is not None


def _two_group(draft: _Draft, s: TwoGroupSummary, outcome: Outcome, evaluation: Evaluation,
               options: AnalysisOptions) -> None:
    t, c = s.treatment, s.control
    draft.n_treatment, draft.n_control = t.n, c.n
    if isinstance(t, BinaryGroup) and isinstance(c, BinaryGroup):
        _two_group_binary(draft, t, c, outcome, evaluation, options)
        return
    assert isinstance(t, ContinuousGroup) and isinstance(c, ContinuousGroup)
    level = options.ci_level
    r = stats.two_group_continuous(t.n, t.mean, t.sd, c.n, c.mean, c.sd, level=level)
    record_two_group(draft, r, outcome)
    g_used, se_used = r.g, r.se_g
    pre = None
    if t.pre_mean is not None and c.pre_mean is not None:
        assert t.pre_sd is not None and c.pre_sd is not None
        try:
            pre = stats.two_group_continuous(t.n, t.pre_mean, t.pre_sd, c.n, c.pre_mean,
                                             c.pre_sd, level=level)
        except stats.StatsError as exc:
            draft.note("baseline_not_computable", "The baseline difference cannot be computed "
                       f"({exc}), so baseline equivalence cannot be checked.")
    elif t.pre_mean is not None or c.pre_mean is not None:
        draft.note("pretest_one_group", "A pretest is given for only one group, so baseline "
                   "equivalence cannot be checked.")
    else:
        draft.note("no_pretest", "No pretest is given, so baseline equivalence cannot be "
                   "checked.")
    if pre is not None:
        verdict = stats.baseline_verdict(pre.g, options.baseline_satisfied,
                                         options.baseline_adjustable)
        draft.baseline = Baseline(pre.g, "hedges_g", verdict)
        did = stats.difference_in_differences(pre, r, s.correlation, level=level)
        draft.effects["did_hedges_g"] = Effect(did.g_did, did.se, did.ci, did.p_value,
                                               test="difference_in_differences",
                                               ci_method="normal")
        if verdict != "satisfied":
            # SPEC §3.4: once baseline equivalence is not satisfied, the
            # difference-in-differences result is the outcome's effect for every purpose:
            # its sign is `favourable`, its p decides, it is the headline.
            draft.decide("difference_in_differences", did.p_value, "z", did.z)
            draft.adjusted = True
            draft.favourable = _favourable(did.g_did, outcome)
            g_used, se_used = did.g_did, did.se
            draft.headline = Headline("did_hedges_g", did.g_did, did.se, did.ci, "normal")
            if did.r_assumed:
                draft.note("correlation_assumed", "No pre-post correlation was given; r = 0.5 "
                           "was assumed for the difference-in-differences variance (WWC).")
    if _is_clustered(evaluation):
        _cluster_correct(draft, g_used, se_used, t.n, c.n, outcome, evaluation, options)
    _power_note(draft, t.n, c.n, options)


def record_two_group(draft: _Draft, r: stats.TwoGroupContinuous, outcome: Outcome) -> None:
    """The unadjusted two-group results (SPEC §3.2-3.3), from summaries or from rows.

    Welch's t-test decides (SPEC §3.3, amended 2026-12): the mean difference carries
    Welch's SE, df, p and interval, with Student's pooled-variance SE, df and p beside them.
    """
    draft.groups = {"treatment": GroupStats(r.n_t, r.mean_t, r.sd_t),
                    "control": GroupStats(r.n_c, r.mean_c, r.sd_c)}
    draft.effects["mean_difference"] = Effect(
        r.mean_difference, r.se_welch, r.ci_welch, r.p_value_welch,
        (("df", r.df_welch), ("p_value_welch", r.p_value_welch), ("se_student", r.se),
         ("df_student", float(r.df)), ("p_value_student", r.p_value)),
        test="welch_t", ci_method="welch_t")
    draft.effects["cohens_d"] = Effect(r.d)
    draft.effects["hedges_g"] = Effect(r.g, r.se_g, r.ci_g, ci_method="normal")
    draft.effects["glass_delta"] = Effect(r.glass_delta)
    draft.favourable = _favourable(r.mean_difference, outcome)
    draft.decide("welch_t", r.p_value_welch, "t", r.t_welch, r.df_welch)
    draft.headline = Headline("hedges_g", r.g, r.se_g, r.ci_g, "normal")


def _two_group_binary(draft: _Draft, t: BinaryGroup, c: BinaryGroup, outcome: Outcome,
                      evaluation: Evaluation, options: AnalysisOptions) -> None:
    b = stats.two_group_binary(t.n, t.events, c.n, c.events, level=options.ci_level)
    draft.groups = {"treatment": GroupStats(t.n, events=t.events),
                    "control": GroupStats(c.n, events=c.events)}
    record_binary(draft, b, outcome)
    if t.pre_events is not None and c.pre_events is not None:
        base = stats.cox_index_from_counts(t.n, t.pre_events, c.n, c.pre_events)
        verdict = stats.baseline_verdict(base, options.baseline_satisfied,
                                         options.baseline_adjustable)
        draft.baseline = Baseline(base, "cox_index", verdict)
    else:
        draft.note("no_pretest", "No baseline counts are given, so baseline equivalence "
                   "cannot be checked.")
    if _is_clustered(evaluation):
        _cluster_correct(draft, b.cox_index, b.se_cox, t.n, c.n, outcome, evaluation, options)
    _power_note(draft, t.n, c.n, options)


def record_binary(draft: _Draft, b: stats.TwoGroupBinary, outcome: Outcome) -> None:
    """The 2×2 results of SPEC §3.6 (summaries or rows): effects, test, headline, notes."""
    draft.effects.update(_binary_effects(b, outcome))
    draft.favourable = _favourable(b.risk_difference, outcome)
    if b.test == "fisher_exact":
        draft.decide(b.test, b.p_value)
    else:
        draft.decide(b.test, b.p_value, "z", b.z)
    draft.headline = Headline("cox_index", b.cox_index, b.se_cox, b.ci_cox, "normal")
    if b.corrected:
        draft.note("zero_cell", "A group had no (or only) events, so 0.5 was added to every "
                   "cell for the ratio measures.")
    if b.test == "fisher_exact":
        draft.note("fisher_exact", f"The smallest expected cell count is "
                   f"{b.expected_min:.2g} (below {stats.FISHER_EXPECTED_MIN:g}), so "
                   "significance comes from Fisher's exact test rather than the normal "
                   f"approximation (which gives p = {b.p_value_wald:.2g}).")


def _binary_effects(b: stats.TwoGroupBinary, outcome: Outcome) -> dict[str, Effect]:
    nn = stats.number_needed(b.risk_difference, b.ci_rd, outcome.sign)
    nn_extra: tuple[tuple[str, float | str | bool | None], ...] = (
        ("label", nn.label), ("through_infinity", nn.through_infinity),
        ("nnt_limit", nn.nnt_limit), ("nnh_limit", nn.nnh_limit))
    return {
        "risk_difference": Effect(b.risk_difference, b.se_rd, b.ci_rd,
                                  ci_method="newcombe_hybrid_score"),
        "risk_ratio": Effect(b.risk_ratio, b.se_log_rr, b.ci_rr, ci_method="normal_log"),
        "odds_ratio": Effect(b.odds_ratio, b.se_log_or, b.ci_or, ci_method="normal_log"),
        "log_odds_ratio": Effect(b.log_odds_ratio, b.se_log_or, b.ci_log_or, b.p_value,
                                 (("p_value_wald", b.p_value_wald),
                                  ("p_value_fisher", b.p_value_fisher),
                                  ("expected_min", b.expected_min)),
                                 test=b.test, ci_method="normal"),
        "cox_index": Effect(b.cox_index, b.se_cox, b.ci_cox, ci_method="normal"),
        "nnt": Effect(nn.estimate if math.isfinite(nn.estimate) else None, None, nn.ci,
                      extra=nn_extra,
                      ci_method="altman_nnt" if nn.label is not None else None),
    }


def _one_group(draft: _Draft, s: OneGroupSummary, outcome: Outcome) -> None:
    post = s.post
    if s.pre is None:
        if isinstance(post, BinaryGroup):
            draft.groups = {"post": GroupStats(post.n, events=post.events)}
        else:
            draft.groups = {"post": GroupStats(post.n, post.mean, post.sd)}
        draft.n_treatment = post.n
        draft.note("post_only", "A measurement after the programme only cannot show change or "
                   "attribute it to the programme.")
        return
    pre = s.pre
    n = min(pre.n, post.n)
    draft.n_treatment = n
    if pre.n != post.n:
        draft.note("unequal_prepost_n", f"Pre and post numbers differ ({pre.n} and {post.n}); "
                   f"the paired analysis uses the smaller ({n}).")
    if isinstance(pre, BinaryGroup) and isinstance(post, BinaryGroup):
        draft.groups = {"pre": GroupStats(pre.n, events=pre.events),
                        "post": GroupStats(post.n, events=post.events)}
        change = post.events / post.n - pre.events / pre.n
        draft.effects["change_in_proportion"] = Effect(change)
        draft.favourable = _favourable(change, outcome)
        draft.note("binary_prepost", "A paired test of a yes/no outcome needs row-level data "
                   "(McNemar); only the direction of change is used.")
        return
    assert isinstance(pre, ContinuousGroup) and isinstance(post, ContinuousGroup)
    r = stats.pre_post_summary(n, pre.mean, pre.sd, post.mean, post.sd, s.correlation)
    draft.groups = {"pre": GroupStats(pre.n, pre.mean, pre.sd),
                    "post": GroupStats(post.n, post.mean, post.sd)}
    draft.effects["mean_change"] = Effect(r.mean_change, r.se, r.ci, r.p_value,
                                          test="paired_t", ci_method="student_t")
    draft.effects["d_z"] = Effect(r.d_z)
    draft.effects["d_av"] = Effect(r.d_av)
    draft.favourable = _favourable(r.mean_change, outcome)
    draft.decide("paired_t", r.p_value, "t", r.t, r.df)
    if r.r_assumed:
        draft.note("correlation_assumed", "No pre-post correlation was given; r = 0.5 was "
                   "assumed for the standard deviation of the change.")


def _missing_for_g(has_sd: bool, has_ns: bool) -> tuple[str, str]:
    """The note for a reported mean difference that cannot give Hedges' g: what is missing.

    g = J·MD/SD needs the outcome's SD, and its small-sample factor J and SE need both
    groups' numbers (SPEC 3.2, 3.10).

    >>> _missing_for_g(True, False)[0], _missing_for_g(False, True)[0]
    ('no_n', 'no_sd')
    >>> print(_missing_for_g(False, False)[1])  # doctest: +ELLIPSIS
    No standard deviation or group sizes were given ... 'sd', 'n_treatment' and 'n_control'.
    """
    if has_sd and not has_ns:
        return ("no_n", "The mean difference has a standard deviation but no group sizes, so "
                "Cohen's d is given but Hedges' g and its standard error, which need both "
                "groups' numbers, cannot be computed; add the outcome's 'n_treatment' and "
                "'n_control'.")
    if has_ns:
        return ("no_sd", "No standard deviation was given with the mean difference, so no "
                "standardised effect size can be computed; add the outcome's 'sd'.")
    return ("no_sd", "No standard deviation or group sizes were given with the mean "
            "difference, so no standardised effect size can be computed; add the outcome's "
            "'sd', 'n_treatment' and 'n_control'.")


def _reported(draft: _Draft, r: Reported, outcome: Outcome, evaluation: Evaluation,
              options: AnalysisOptions) -> None:
    draft.n_treatment, draft.n_control = r.n_treatment, r.n_control
    draft.adjusted = r.adjusted
    g = se = None
    stat = r.statistic
    if stat in ("t", "z", "p", "f"):
        assert r.n_treatment is not None and r.n_control is not None
        if stat in ("t", "z"):
            ft = stats.from_t(r.value, r.n_treatment, r.n_control)
        elif stat == "p":
            assert r.sign is not None
            ft = stats.from_p(r.value, r.sign, r.n_treatment, r.n_control)
        else:
            assert r.sign is not None
            ft = stats.from_f(r.value, r.sign, r.n_treatment, r.n_control)
        g, se = ft.g, ft.se_g
        draft.effects["cohens_d"] = Effect(ft.d)
        if stat == "z":
            draft.decide("reported_z", _normal_p(r.value), "z", r.value)
        elif stat == "t":
            draft.decide("reported_t", ft.p_value, "t", r.value, ft.df)
        elif stat == "f":
            draft.decide("reported_f", ft.p_value, "F", r.value, ft.df)
        else:  # the published p decides; it has no statistic
            draft.decide("reported_p", ft.p_value)
        draft.effects["hedges_g"] = Effect(ft.g, ft.se_g, ft.ci_g, draft.p_value,
                                           test=draft.test, ci_method="normal")
        draft.headline = Headline("hedges_g", ft.g, ft.se_g, ft.ci_g, "normal")
        draft.favourable = _favourable(ft.g, outcome)
    elif stat == "hedges_g":
        assert r.se is not None
        fe = stats.from_g_se(r.value, r.se)
        g, se = r.value, r.se
        draft.effects["hedges_g"] = Effect(r.value, r.se, fe.ci, fe.p_value, test="normal_z",
                                           ci_method="normal")
        draft.headline = Headline("hedges_g", r.value, r.se, fe.ci, "normal")
        draft.favourable = _favourable(r.value, outcome)
        draft.decide("normal_z", fe.p_value, "z", fe.z)
    elif stat == "mean_difference":
        assert r.ci is not None
        fm = stats.from_mean_difference_ci(r.value, r.ci[0], r.ci[1], r.sd,
                                           r.n_treatment, r.n_control)
        draft.effects["mean_difference"] = Effect(r.value, fm.se, r.ci, fm.p_value,
                                                  test="normal_z", ci_method="reported")
        if fm.g is not None:
            g, se = fm.g, fm.se_g
            draft.effects["cohens_d"] = Effect(fm.d)
            draft.effects["hedges_g"] = Effect(fm.g, fm.se_g, fm.ci_g, ci_method="normal")
            draft.headline = Headline("hedges_g", fm.g, fm.se_g, fm.ci_g, "normal")
        else:
            if fm.d is not None:
                draft.effects["cohens_d"] = Effect(fm.d)
            draft.note(*_missing_for_g(r.sd is not None, r.n_treatment is not None
                                       and r.n_control is not None))
        draft.favourable = _favourable(r.value, outcome)
        draft.decide("normal_z", fm.p_value, "z", fm.z)
    else:  # odds_ratio
        assert r.ci is not None
        fo = stats.from_odds_ratio_ci(r.value, r.ci[0], r.ci[1])
        draft.effects["odds_ratio"] = Effect(r.value, fo.se_log_or, r.ci, ci_method="reported")
        draft.effects["log_odds_ratio"] = Effect(fo.log_odds_ratio, fo.se_log_or, None,
                                                 fo.p_value, test="normal_z")
        # The Cox index's interval is the reported OR interval on the same scale
        # (ln OR / 1.65, a monotone map), so the chart and the tables show one interval.
        ci_cox = (math.log(r.ci[0]) / stats.COX_DIVISOR, math.log(r.ci[1]) / stats.COX_DIVISOR)
        draft.effects["cox_index"] = Effect(fo.cox_index, fo.se_cox, ci_cox,
                                            ci_method="reported")
        g, se = fo.cox_index, fo.se_cox
        draft.headline = Headline("cox_index", fo.cox_index, fo.se_cox, ci_cox, "reported")
        draft.favourable = _favourable(fo.log_odds_ratio, outcome)
        draft.decide("normal_z", fo.p_value, "z", fo.z)
    if r.cluster_adjusted and draft.statistic is not None:
        # The authors' published test allows for clustering (their word; SPEC §3.9).
        draft.statistic = replace(draft.statistic, accounts_for_clustering=True)
    if (_is_clustered(evaluation) and evaluation.clusters is not None
            and min(evaluation.clusters) < MIN_CLUSTERS_FOR_TEST):
        # SPEC §3.9: no valid test with < 2 clusters in an arm, whatever the authors did.
        icc = evaluation.icc if evaluation.icc is not None else default_icc(outcome, options)
        no_cluster_test(draft, (evaluation.clusters[0], evaluation.clusters[1]), icc,
                        "given" if evaluation.icc is not None else "default",
                        "The evaluation")
    elif (_is_clustered(evaluation) and r.cluster_adjusted is False and g is not None
            and se is not None):
        if r.n_treatment is None or r.n_control is None:
            _no_valid_test(draft)
            draft.note("clusters_unknown", "The published analysis ignored clustering and the "
                       "group sizes are not given, so it cannot be corrected; add n_treatment "
                       "and n_control.")
        else:
            _cluster_correct(draft, g, se, r.n_treatment, r.n_control, outcome, evaluation,
                             options)
    if r.n_treatment is not None and r.n_control is not None:
        _power_note(draft, r.n_treatment, r.n_control, options)


#: The effect size (g) a study should be able to detect before the low-power note is left
#: out, and the power margin that keeps :func:`_power_note`'s shortcut exact (see there).
_LOW_POWER_G, _POWER_MARGIN = 0.5, 1e-9


@lru_cache(maxsize=4096)  # pure; a round asks about the same group sizes many times
def _mdes_above_half(n: int, alpha: float, power: float) -> float | None:
    """The minimum detectable effect size of two groups of ``n`` when it is above
    g = 0.5 (the low-power note's figure), else None.

    Power rises with the effect size, so the MDES is above 0.5 exactly when the power at
    0.5 falls short: one power evaluation (about 12 µs) settles most groups (64 or more at
    the usual 5% and 80%), and the root search for the MDES (about 0.5 ms) runs only for
    the note's figure. The margin sends an MDES within the search's tolerance of 0.5 down
    the search, so the answer is the search's (tests/test_power_note.py).

    >>> _mdes_above_half(64, 0.05, 0.8) is None, round(_mdes_above_half(30, 0.05, 0.8), 4)
    (True, 0.7356)
    """
    if stats.two_sample_power(_LOW_POWER_G, n, alpha) >= power + _POWER_MARGIN:
        return None
    mdes = stats.mdes(n, alpha, power)
    return mdes if mdes > _LOW_POWER_G else None


def _power_note(draft: _Draft, n_t: int, n_c: int, options: AnalysisOptions) -> None:
    n_small = min(n_t, n_c)
    if n_small < options.small_n:
        draft.note("small_sample", f"Small sample ({n_small} in the smaller group): estimates "
                   "are imprecise.")
    try:
        mdes = _mdes_above_half(n_small, options.alpha, options.power)
    except stats.StatsError:
        return
    if mdes is not None:
        draft.note("low_power", f"With {n_small} per group the study could reliably detect "
                   f"(at {options.power:.0%} power) only effects of g ≥ {mdes:.2f}; smaller real "
                   "effects may be missed.")


def finalise(result: OutcomeResult, **changes: Any) -> OutcomeResult:
    return replace(result, **changes)
