"""`evidencekit power`: plan a study's sample size (SPEC 3.11), behind the CLI command.

Four designs, chosen by the options given:

* two groups, continuous outcome (``--n-per-group`` or ``--mdes``) — ``pwr.t.test``;
* paired / pre-post (``--pairs`` or ``--paired --mdes``) — ``pwr.t.test(type = "paired")``;
* two proportions (``--p-control`` and ``--p-treatment``, with or without ``--n-per-group`` /
  ``--n-treatment`` / ``--n-control``) — ``pwr.2p2n.test`` / ``pwr.2p.test`` with Cohen's h;
* a two-level cluster trial (``--cluster-size`` and ``--icc`` with ``--clusters`` or
  ``--mdes``; covariates through ``--r2-level1``, ``--r2-level2``, ``--covariates``) —
  Bloom's MDES as PowerUp! computes it (model CRA2_2).

Every bad value is one plain sentence naming the option (a ``UsageError``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .errors import Problem, UsageError


@dataclass(frozen=True)
class PowerRequest:
    n_per_group: int | None = None
    target: float | None = None
    clusters: int | None = None
    cluster_size: float | None = None
    icc: float | None = None
    alpha: float = 0.05
    power: float = 0.80
    pairs: int | None = None
    paired: bool = False
    p_control: float | None = None
    p_treatment: float | None = None
    n_treatment: int | None = None
    n_control: int | None = None
    r2_level1: float | None = None
    r2_level2: float | None = None
    covariates: int | None = None


def _bad(option: str | None, expected: str, found: str) -> UsageError:
    return UsageError([Problem(None, None, option, expected, found)])


def _given(pairs: tuple[tuple[str, Any], ...]) -> list[str]:
    return [name for name, value in pairs if value is not None and value is not False]


def plan(r: PowerRequest) -> tuple[str, dict[str, Any]]:
    """The sentence and the JSON object `evidencekit power` prints for ``r``."""
    if not 0 < r.alpha < 1:
        raise _bad("--alpha", "a significance level between 0 and 1", f"{r.alpha:g}")
    if not r.alpha < r.power < 1:
        raise _bad("--power", f"a power between --alpha ({r.alpha:g}) and 1", f"{r.power:g}")
    if r.target is not None and not r.target > 0:
        raise _bad("--mdes", "an effect size above 0", f"{r.target:g}")
    cluster_opts = (("--clusters", r.clusters), ("--cluster-size", r.cluster_size),
                    ("--icc", r.icc))
    covariate_opts = (("--r2-level1", r.r2_level1), ("--r2-level2", r.r2_level2),
                      ("--covariates", r.covariates))
    paired_opts = (("--pairs", r.pairs), ("--paired", r.paired))
    prop_opts = (("--p-control", r.p_control), ("--p-treatment", r.p_treatment))
    unequal_opts = (("--n-treatment", r.n_treatment), ("--n-control", r.n_control))
    designs = [name for name, opts in (("a cluster trial", cluster_opts + covariate_opts),
                                      ("a paired design", paired_opts),
                                      ("two proportions", prop_opts)) if _given(opts)]
    if len(designs) > 1:
        raise _bad(None, "the options of one design (" + " or ".join(designs) + ")",
                   "options of " + " and ".join(designs) + " together")
    if _given(unequal_opts) and not _given(prop_opts):
        raise _bad(_given(unequal_opts)[0], "--p-control and --p-treatment beside it (unequal "
                   "groups are planned for two proportions)", "no proportions")
    out: dict[str, Any] = {"alpha": r.alpha, "power": r.power}
    settings = f"two-sided α = {r.alpha:g}, power {r.power:.0%}"
    from . import stats

    try:
        if designs == ["a cluster trial"]:
            text = _cluster(r, out, settings, stats)
        elif designs == ["a paired design"]:
            text = _paired(r, out, settings, stats)
        elif designs == ["two proportions"]:
            text = _proportions(r, out, settings, stats)
        else:
            text = _two_groups(r, out, settings, stats)
    except stats.StatsError as exc:
        if r.target is not None:
            raise _bad("--mdes", "an effect size large enough for a sample within the search "
                       "limit (1e9 per group or 2^31 clusters)", f"{r.target:g}") from None
        raise _bad(None, "options the power calculation can use", str(exc)) from None
    return text, out


def _two_groups(r: PowerRequest, out: dict[str, Any], settings: str, stats: Any) -> str:
    if (r.n_per_group is None) == (r.target is None):
        raise _bad(None, "either --n-per-group (to get the MDES) or --mdes (to get the n per "
                   "group needed)", "both" if r.n_per_group is not None else "neither")
    out.update(design="two_groups", method="noncentral t, two-sample t-test "
               "(as R pwr.t.test type = \"two.sample\")")
    if r.n_per_group is not None:
        if r.n_per_group < 2:
            raise _bad("--n-per-group", "at least 2 people per group", f"{r.n_per_group}")
        d = stats.mdes(r.n_per_group, r.alpha, r.power)
        out.update(mdes=d, n_per_group=r.n_per_group)
        return (f"With {r.n_per_group:,} per group ({settings}), the minimum detectable "
                f"effect size is d = {d:.3f}.")
    assert r.target is not None
    exact = stats.n_per_group_for(r.target, r.alpha, r.power)
    n = math.ceil(exact - 1e-9)
    out.update(n_per_group=n, n_per_group_exact=exact, mdes=r.target)
    return (f"To detect d = {r.target:g} ({settings}) you need {n:,} per group "
            f"({2 * n:,} in all).")


def _paired(r: PowerRequest, out: dict[str, Any], settings: str, stats: Any) -> str:
    if r.n_per_group is not None:
        raise _bad("--n-per-group", "--pairs for a paired design", "--n-per-group")
    if (r.pairs is None) == (r.target is None):
        raise _bad(None, "either --pairs (to get the MDES) or --paired with --mdes (to get the "
                   "pairs needed)", "both" if r.pairs is not None else "neither")
    out.update(design="paired", method="noncentral t, paired t-test "
               "(as R pwr.t.test type = \"paired\"); effect size d_z = mean change / SD of "
               "change")
    if r.pairs is not None:
        if r.pairs < 3:
            raise _bad("--pairs", "at least 3 pairs", f"{r.pairs}")
        d = stats.paired_mdes(r.pairs, r.alpha, r.power)
        out.update(mdes=d, pairs=r.pairs)
        return (f"With {r.pairs:,} pairs ({settings}), the minimum detectable change is "
                f"d_z = {d:.3f} (paired t-test).")
    assert r.target is not None
    exact = stats.paired_n_for(r.target, r.alpha, r.power)
    n = math.ceil(exact - 1e-9)
    out.update(mdes=r.target, pairs=n, pairs_exact=exact)
    return (f"To detect a change of d_z = {r.target:g} ({settings}) you need {n:,} pairs "
            "(paired t-test).")


def _proportion(option: str, value: float | None) -> float:
    if value is None:
        raise _bad(None, "both --p-control and --p-treatment for two proportions",
                   f"no {option}")
    if not 0 <= value <= 1:
        raise _bad(option, "a proportion from 0 to 1", f"{value:g}")
    return value


def _proportions(r: PowerRequest, out: dict[str, Any], settings: str, stats: Any) -> str:
    pc = _proportion("--p-control", r.p_control)
    pt = _proportion("--p-treatment", r.p_treatment)
    if r.target is not None:
        raise _bad("--mdes", "no --mdes with two proportions (the difference is given by "
                   "--p-control and --p-treatment)", f"{r.target:g}")
    if pc == pt:
        raise _bad("--p-treatment", "a proportion different from --p-control "
                   f"({pc:g})", f"{pt:g}")
    if r.n_per_group is not None and _given((("t", r.n_treatment), ("c", r.n_control))):
        raise _bad("--n-per-group", "either --n-per-group or --n-treatment/--n-control",
                   "both")
    for option, n in (("--n-per-group", r.n_per_group), ("--n-treatment", r.n_treatment),
                      ("--n-control", r.n_control)):
        if n is not None and n < 2:
            raise _bad(option, "at least 2 people", f"{n}")
    h = stats.cohens_h(pt, pc)
    out.update(design="two_proportions", p_control=pc, p_treatment=pt, cohens_h=h,
               method="normal approximation with Cohen's h = 2·asin(√p_t) − 2·asin(√p_c) "
               "(as R pwr.2p2n.test / pwr.2p.test)")
    diff = f"{pt:.0%} against {pc:.0%} (Cohen's h = {h:.3f}; {settings})"
    n_t = r.n_per_group if r.n_per_group is not None else r.n_treatment
    n_c = r.n_per_group if r.n_per_group is not None else r.n_control
    if n_t is not None and n_c is not None:
        pw = stats.proportions_power(h, n_t, n_c, r.alpha)
        mh = stats.proportions_mdes_h(n_t, n_c, r.alpha, r.power)
        out.update(n_treatment=n_t, n_control=n_c, achieved_power=pw, mdes_h=mh)
        return (f"With {n_t:,} treated and {n_c:,} controls, the power to detect {diff} is "
                f"{pw:.1%}; the smallest detectable difference is h = {mh:.3f}.")
    for option, fixed in (("--n-control", n_c), ("--n-treatment", n_t)):
        if fixed is not None and (n_t is None or n_c is None) and \
                stats.proportions_power(h, 1e15, fixed, r.alpha) <= r.power:
            raise _bad(option, f"a group large enough that some other group reaches power "
                       f"{r.power:.0%} for h = {h:.3f} (power is "
                       f"{stats.proportions_power(h, 1e15, fixed, r.alpha):.0%} even with "
                       "an unlimited other group)", f"{fixed:,}")
    if n_c is not None:
        exact = stats.proportions_n_for(h, r.alpha, r.power, n_control=n_c)
        n = math.ceil(exact - 1e-9)
        out.update(n_control=n_c, n_treatment=n, n_treatment_exact=exact)
        return f"To detect {diff} with {n_c:,} controls you need {n:,} treated."
    if n_t is not None:
        exact = stats.proportions_n_for(h, r.alpha, r.power, n_control=n_t)  # symmetric in n
        n = math.ceil(exact - 1e-9)
        out.update(n_treatment=n_t, n_control=n, n_control_exact=exact)
        return f"To detect {diff} with {n_t:,} treated you need {n:,} controls."
    exact = stats.proportions_n_for(h, r.alpha, r.power)
    n = math.ceil(exact - 1e-9)
    out.update(n_per_group=n, n_per_group_exact=exact)
    return f"To detect {diff} you need {n:,} per group ({2 * n:,} in all)."


def _cluster(r: PowerRequest, out: dict[str, Any], settings: str, stats: Any) -> str:
    if r.n_per_group is not None:
        raise _bad("--n-per-group", "--clusters with --cluster-size for a cluster trial",
                   "--n-per-group beside the cluster options")
    if r.cluster_size is None or r.icc is None:
        missing = " and ".join(o for o, v in (("--cluster-size", r.cluster_size),
                                               ("--icc", r.icc)) if v is None)
        raise _bad(None, "--cluster-size and --icc for a cluster trial", f"no {missing}")
    if (r.clusters is None) == (r.target is None):
        raise _bad(None, "either --clusters (to get the MDES) or --mdes (to get the "
                   "clusters needed)", "both" if r.clusters is not None else "neither")
    if not r.cluster_size >= 1:
        raise _bad("--cluster-size", "at least 1 person per cluster", f"{r.cluster_size:g}")
    if not 0 <= r.icc < 1:
        raise _bad("--icc", "an intraclass correlation from 0 up to (not including) 1",
                   f"{r.icc:g}")
    for option, value in (("--r2-level1", r.r2_level1), ("--r2-level2", r.r2_level2)):
        if value is not None and not 0 <= value < 1:
            raise _bad(option, "a proportion of variance explained from 0 up to (not "
                       "including) 1", f"{value:g}")
    g = r.covariates or 0
    if g < 0:
        raise _bad("--covariates", "a number of cluster-level covariates of 0 or more", f"{g}")
    if r.r2_level2 and g == 0:
        raise _bad("--covariates", "at least 1 cluster-level covariate when --r2-level2 is "
                   "above 0 (each costs a degree of freedom)", "0")
    if r.clusters is not None and r.clusters < max(4, g + 3):
        need = max(4, g + 3)
        why = "2 per arm" if need == 4 else f"J − {g} covariates − 2 ≥ 1"
        raise _bad("--clusters", f"at least {need} clusters ({why})", f"{r.clusters}")
    r1, r2 = r.r2_level1 or 0.0, r.r2_level2 or 0.0
    kw = {"r2_level1": r1, "r2_level2": r2, "covariates": g}
    out.update(design="cluster", cluster_size=r.cluster_size, icc=r.icc, r2_level1=r1,
               r2_level2=r2, covariates=g,
               method="Bloom's MDES for a two-level cluster-randomised trial with covariates "
               "(PowerUp! CRA2_2, Dong & Maynard 2013), t on J − g − 2 df")
    cov = (f", covariates explaining {r1:.0%} of individual and {r2:.0%} of cluster variance "
           f"({g} cluster-level)" if r1 or r2 or g else "")
    design = f"clusters of {r.cluster_size:g}, ICC {r.icc:g}{cov}, half treated; {settings}"
    if r.clusters is not None:
        d = stats.cluster_mdes(r.clusters, r.cluster_size, r.icc, r.alpha, r.power, **kw)
        out.update(mdes=d, clusters=r.clusters)
        return (f"With {r.clusters} clusters ({design}), the minimum detectable effect size is "
                f"{d:.3f} SD (Bloom 2006).")
    assert r.target is not None
    j = stats.clusters_for_mdes(r.target, r.cluster_size, r.icc, r.alpha, r.power, **kw)
    per_group = math.ceil(j // 2 * r.cluster_size)
    out.update(mdes=r.target, clusters=j, clusters_per_group=j // 2, n_per_group=per_group,
               mdes_achieved=stats.cluster_mdes(j, r.cluster_size, r.icc, r.alpha, r.power,
                                                **kw))
    return (f"To detect {r.target:g} SD ({design}) you need {j} clusters in all: "
            f"{j // 2} per group, about {per_group:,} people per group (Bloom 2006).")


# -- next steps: the sample a future evaluation needs, by outcome kind and design ----------

def planning_inputs(o: Any) -> dict[str, Any]:
    """What the power advice needs from an analysed outcome (an ``OutcomeResult``)."""
    t, c = o.groups.get("treatment"), o.groups.get("control")
    out: dict[str, Any] = {"kind": o.kind, "p_treatment": None, "p_control": None,
                           "icc": None, "clusters": None, "n_total": None}
    if o.kind == "binary" and t is not None and c is not None and t.events is not None \
            and c.events is not None and t.n and c.n:
        out.update(p_treatment=t.events / t.n, p_control=c.events / c.n)
    if o.clustering is not None:
        n = (o.n_treatment or 0) + (o.n_control or 0)
        out.update(icc=o.clustering.icc, clusters=o.clustering.clusters, n_total=n or None)
    return out


def sample_advice(inputs: dict[str, Any] | None, effect: float, alpha: float,
                  power: float) -> str | None:
    """The clause "detecting … needs about …" for a binary or clustered outcome, else None.

    Binary outcomes use the observed proportions and Cohen's h (``proportions_n_for``, as
    R's ``pwr.2p.test``); clustered outcomes the ICC and cluster size of the evaluation in
    Bloom's formula (``clusters_for_mdes``) for the observed standardised effect.
    """
    from . import stats

    if not inputs:
        return None
    try:
        if inputs.get("icc") is not None and inputs.get("clusters") and inputs.get("n_total"):
            size = inputs["n_total"] / inputs["clusters"]
            if size < 1:
                return None
            j = stats.clusters_for_mdes(abs(effect), size, inputs["icc"], alpha, power)
            per = math.ceil(j // 2 * size)
            return (f"detecting an effect of the size observed (g = {abs(effect):.2f}) with "
                    f"{power:.0%} power at α = {alpha:g} needs about {j} clusters of "
                    f"{size:.0f} in all ({j // 2} per group, about {per:,} people per group; "
                    f"ICC {inputs['icc']:.2f}, Bloom's minimum detectable effect size)")
        pt, pc = inputs.get("p_treatment"), inputs.get("p_control")
        if inputs.get("kind") == "binary" and pt is not None and pc is not None and pt != pc:
            h = stats.cohens_h(pt, pc)
            n = math.ceil(stats.proportions_n_for(h, alpha, power) - 1e-9)
            return (f"detecting a difference of the size observed ({pt:.0%} against "
                    f"{pc:.0%}, Cohen's h = {abs(h):.2f}) with {power:.0%} power at "
                    f"α = {alpha:g} needs about {n:,} people per group (two proportions)")
    except stats.StatsError:
        return None
    return None
