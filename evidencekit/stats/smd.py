"""Standardised mean differences for two independent groups (SPEC 3.2–3.4)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import _validate as check
from ._errors import StatsError
from ._inference import normal_ci, normal_p, student_ci, student_p
from ._special import special

__all__ = [
    "DiffInDiff",
    "TwoGroupContinuous",
    "ancova_g_se",
    "difference_in_differences",
    "hedges_j",
    "smd_se",
    "two_group_continuous",
]


@dataclass(frozen=True, slots=True)
class TwoGroupContinuous:
    """Two-group comparison of a continuous outcome; differences are treatment − control."""

    n_t: int
    n_c: int
    mean_t: float
    mean_c: float
    sd_t: float
    sd_c: float
    mean_difference: float
    s_pooled: float
    df: int
    se: float
    t: float
    p_value: float
    ci: tuple[float, float]
    se_welch: float
    df_welch: float
    t_welch: float
    p_value_welch: float
    ci_welch: tuple[float, float]
    d: float
    j: float
    g: float
    se_g: float
    ci_g: tuple[float, float]
    glass_delta: float | None
    level: float


@dataclass(frozen=True, slots=True)
class DiffInDiff:
    """Difference-in-differences effect g_post − g_pre with its normal-theory test."""

    g_pre: float
    g_post: float
    g_did: float
    r: float
    r_assumed: bool
    se: float
    ci: tuple[float, float]
    z: float
    p_value: float
    level: float


def hedges_j(m: float) -> float:
    """Exact small-sample correction factor J(m) for Hedges' g.

    Formula: J(m) = Γ(m/2) / (√(m/2) · Γ((m−1)/2)), computed on the log scale with lnΓ;
    m is the degrees of freedom, n_t + n_c − 2 for two groups, and must exceed 1.

    Reference: Hedges (1981), J. Educ. Stat. 6(2):107–128; identical to metafor's
    ``.cmicalc`` used by ``escalc(measure="SMD")`` and to effectsize's ``hedges_g``.

    >>> round(hedges_j(38), 6)
    0.98011
    """
    mf = check.finite("the degrees of freedom m", m)
    if mf <= 1:
        raise StatsError(f"the correction J(m) needs degrees of freedom m above 1, but m is {mf!r}")
    log_j = special.gammaln(mf / 2) - 0.5 * math.log(mf / 2) - special.gammaln((mf - 1) / 2)
    return math.exp(log_j)


def smd_se(g: float, n_t: int, n_c: int) -> float:
    """Large-sample standard error of a standardised mean difference.

    Formula: SE(g) = √((n_t + n_c)/(n_t·n_c) + g²/(2(n_t + n_c))).

    Reference: Hedges & Olkin (1985), ch. 5, with g in place of δ; metafor's default
    ``escalc(measure="SMD", vtype="LS")`` variance; SPEC 3.2.

    >>> round(smd_se(0.5, 20, 20), 6)
    0.321131
    """
    gf = check.finite("g", g)
    nt, nc = check.count("n_t", n_t, 1), check.count("n_c", n_c, 1)
    return math.sqrt((nt + nc) / (nt * nc) + gf * gf / (2 * (nt + nc)))


def ancova_g_se(g: float, se_b: float, s_pooled: float, n_t: int, n_c: int) -> float:
    """Standard error of g_ANCOVA = J·b/S_pooled, with the g²/(2N) term of SPEC 3.2.

    Formula: SE(g_ANCOVA) = √((J·SE(b)/S_pooled)² + g²/(2(n_t + n_c))), J = J(n_t+n_c−2),
    b the ANCOVA's adjusted difference with its model (or cluster-robust) SE, S_pooled the
    unadjusted pooled SD of the outcome.

    Reference: Borenstein (2009), "Effect sizes for continuous data", in Cooper, Hedges &
    Valentine (eds.), The Handbook of Research Synthesis and Meta-Analysis, 2nd ed., ch. 12,
    Table 12.3 (ANCOVA): d = b/S_within, V_d = (n_t + n_c)/(n_t·n_c) × (1 − R²) + d²/(2N),
    g = J·d, V_g = J² × V_d.

    Since J²·d² = g², this is Borenstein's V_g with his large-sample value of Var(b)/S²,
    (1/n_t + 1/n_c) × (1 − R²), replaced by the fitted model's SE(b)²/S², which also carries
    the residual df and any covariate imbalance (for one covariate Var(b) is
    S² × (1 − R²) × (N − 2)/(N − 3) × (1/n_t + 1/n_c + imbalance), the imbalance being
    (x̄_t − x̄_c)² over the within-group sum of squares of the covariate). Using the study's
    SE of the regression coefficient is the approach of the Supplement to the WWC Procedures
    Handbook 4.1 (2020); its equation numbers are not checked here. Golden values:
    ancova_se.R in tests/reference (lm, clubSandwich CR2, Table 12.3 coded in R). Without a
    pretest (SE(b) = S·√(1/n_t + 1/n_c)) it is ``smd_se`` up to the factor J² on the first
    term.

    >>> round(ancova_g_se(0.40, 1.2, 8.0, 13, 13), 6)  # N = 26: the g² term is 0.0031
    0.155486
    """
    gf = check.finite("g", g)
    se = check.positive("se_b", se_b)
    sp = check.positive("s_pooled", s_pooled)
    nt, nc = check.count("n_t", n_t, 2), check.count("n_c", n_c, 2)
    j = hedges_j(nt + nc - 2)
    return math.sqrt((j * se / sp) ** 2 + gf * gf / (2 * (nt + nc)))


def two_group_continuous(
    n_t: int,
    mean_t: float,
    sd_t: float,
    n_c: int,
    mean_c: float,
    sd_c: float,
    *,
    level: float = 0.95,
) -> TwoGroupContinuous:
    """Mean difference, Student and Welch tests, Cohen's d, Hedges' g and Glass's Δ.

    Formulas (treatment − control):
    S_pooled = √(((n_t−1)s_t² + (n_c−1)s_c²)/(n_t+n_c−2)); SE = S_pooled·√(1/n_t + 1/n_c);
    t = (M_t − M_c)/SE on n_t+n_c−2 df, two-sided p, CI = difference ± t_crit·SE;
    Welch: SE_W = √(s_t²/n_t + s_c²/n_c), df_W = SE_W⁴/((s_t²/n_t)²/(n_t−1) + (s_c²/n_c)²/(n_c−1)),
    t_W = (M_t − M_c)/SE_W, two-sided p on df_W, CI = difference ± t_crit(df_W)·SE_W — the
    test that decides significance (SPEC 3.3); the Student fields are reported beside it;
    d = (M_t − M_c)/S_pooled; g = J(n_t+n_c−2)·d; SE(g) per ``smd_se``; CI(g) = g ± z·SE(g);
    Glass's Δ = (M_t − M_c)/s_c (None when s_c = 0).

    Reference: R ``t.test(var.equal = TRUE)`` and ``t.test()`` (Welch); metafor
    ``escalc(measure = "SMD")`` for g and its variance; WWC Procedures Handbook 4.1 (2020).

    >>> r = two_group_continuous(212, 54.1, 10.2, 205, 51.3, 9.8)
    >>> round(r.g, 4), round(r.se_g, 4), round(r.p_value, 4)
    (0.2793, 0.0984, 0.0045)
    >>> w = two_group_continuous(20, 62.0, 30.0, 500, 54.0, 5.0)  # SPEC 3.3's example
    >>> round(w.p_value, 8), round(w.p_value_welch, 4), round(w.df_welch, 2)
    (4.36e-06, 0.2479, 19.04)
    """
    nt, nc = check.count("n_t", n_t, 2), check.count("n_c", n_c, 2)
    mt, mc = check.finite("mean_t", mean_t), check.finite("mean_c", mean_c)
    st, sc = check.standard_deviation("sd_t", sd_t), check.standard_deviation("sd_c", sd_c)
    check.open_unit("level", level)
    df = nt + nc - 2
    s_pooled = math.sqrt(((nt - 1) * st**2 + (nc - 1) * sc**2) / df)
    if s_pooled == 0:
        raise StatsError(
            "both groups have zero standard deviation, so a standardised effect cannot be computed"
        )
    diff = mt - mc
    se = s_pooled * math.sqrt(1 / nt + 1 / nc)
    vt, vc = st**2 / nt, sc**2 / nc
    se_welch = math.sqrt(vt + vc)
    if not (se > 0 and se_welch > 0 and math.isfinite(diff / se)):
        raise StatsError(
            "the standard deviations are too small relative to the means for a test to be "
            f"computed (SDs {st!r} and {sc!r})"
        )
    t = diff / se
    df_welch = (vt + vc) ** 2 / (vt**2 / (nt - 1) + vc**2 / (nc - 1))
    t_welch = diff / se_welch
    d = diff / s_pooled
    j = hedges_j(df)
    g = j * d
    se_g = smd_se(g, nt, nc)
    return TwoGroupContinuous(
        n_t=nt,
        n_c=nc,
        mean_t=mt,
        mean_c=mc,
        sd_t=st,
        sd_c=sc,
        mean_difference=diff,
        s_pooled=s_pooled,
        df=df,
        se=se,
        t=t,
        p_value=student_p(t, df),
        ci=student_ci(diff, se, df, level),
        se_welch=se_welch,
        df_welch=df_welch,
        t_welch=t_welch,
        p_value_welch=student_p(t_welch, df_welch),
        ci_welch=student_ci(diff, se_welch, df_welch, level),
        d=d,
        j=j,
        g=g,
        se_g=se_g,
        ci_g=normal_ci(g, se_g, level),
        glass_delta=diff / sc if sc > 0 else None,
        level=level,
    )


def difference_in_differences(
    pre: TwoGroupContinuous,
    post: TwoGroupContinuous,
    r: float | None = None,
    *,
    level: float = 0.95,
) -> DiffInDiff:
    """Difference-in-differences effect size from pretest and posttest summaries.

    Formulas: g_did = g_post − g_pre;
    Var(g_did) = 2(1 − r)(1/n_t + 1/n_c) + g_did²/(2(n_t + n_c)) with the posttest n's;
    r = 0.5 when no pre-post correlation is given (``r_assumed``); z = g_did/SE;
    p = 2·Φ(−|z|); CI = g_did ± z_crit·SE.

    Reference: WWC Procedures Handbook 4.1 (2020), difference-in-differences
    adjustment; SPEC 3.4.

    >>> pre = two_group_continuous(100, 50.0, 10.0, 100, 49.0, 10.0)
    >>> post = two_group_continuous(100, 56.0, 10.0, 100, 51.0, 10.0)
    >>> res = difference_in_differences(pre, post)
    >>> round(res.g_did, 4), round(res.se, 4), res.r_assumed
    (0.3985, 0.1429, True)
    """
    rf = 0.5 if r is None else check.correlation("r", r)
    check.open_unit("level", level)
    g_did = post.g - pre.g
    n_t, n_c = post.n_t, post.n_c
    var = 2 * (1 - rf) * (1 / n_t + 1 / n_c) + g_did**2 / (2 * (n_t + n_c))
    if var == 0:
        raise StatsError(
            "the difference-in-differences has zero variance (r = 1 and no change in g), "
            "so it cannot be tested"
        )
    se = math.sqrt(var)
    z = g_did / se
    return DiffInDiff(
        g_pre=pre.g,
        g_post=post.g,
        g_did=g_did,
        r=rf,
        r_assumed=r is None,
        se=se,
        ci=normal_ci(g_did, se, level),
        z=z,
        p_value=normal_p(z),
        level=level,
    )
