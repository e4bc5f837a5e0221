"""Checks of what applicants report: statcheck, GRIM, GRIMMER and CI centring.

Each check recomputes a published number from the others and says whether they can all be
true at the precision they were reported with. Reported numbers arrive as floats, so the
precision is the number of decimals of the shortest repr (a trailing zero written in the
submission, as in 2.20, is not seen; that makes every check more lenient, never stricter).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from . import _validate as check
from ._errors import StatsError
from ._special import special

__all__ = [
    "CentreCheck",
    "GrimCheck",
    "PCheck",
    "ci_centre_check",
    "decimals",
    "grim",
    "grimmer",
    "recompute_p",
    "statcheck",
]


def decimals(x: float) -> int:
    """Decimals shown in the shortest representation of ``x`` (0 for whole numbers).

    >>> decimals(5.19), decimals(0.03), decimals(12.0), decimals(1e-05)
    (2, 2, 0, 5)
    """
    exp = Decimal(repr(float(x))).normalize().as_tuple().exponent
    return max(0, -int(exp))


def recompute_p(test: str, value: float, df1: float | None = None,
                df2: float | None = None) -> float:
    """Two-sided p of a t (df1), z, F (df1, df2) or χ² (df1) statistic.

    Formulas: t: 2·P(T_ν > |t|); z: 2·Φ(−|z|); F: P(F_{df1,df2} > F); χ²: P(χ²_df > x).

    Reference: statcheck (Epskamp & Nuijten), which recomputes p the same way.

    >>> round(recompute_p("t", 1.0, 100), 4), round(recompute_p("F", 1.203, 2, 56), 4)
    (0.3197, 0.3079)
    """
    x = check.finite("statistic", value)
    if test == "z":
        return float(2 * special.ndtr(-abs(x)))
    if df1 is None or not df1 > 0:
        raise StatsError(f"a {test} statistic needs degrees of freedom above 0")
    if test == "t":
        return float(2 * special.stdtr(df1, -abs(x)))
    if test == "chi2":
        if x < 0:
            raise StatsError("a χ² statistic cannot be negative")
        return float(special.chdtrc(df1, x))
    if test == "F":
        if df2 is None or not df2 > 0 or x < 0:
            raise StatsError("an F statistic needs two df above 0 and a value of 0 or more")
        return float(special.fdtrc(df1, df2, x))
    raise StatsError(f"test must be t, z, F or chi2, but it is {test!r}")


@dataclass(frozen=True, slots=True)
class PCheck:
    """statcheck's verdict on one result: ``consistent`` false is an error; ``gross`` an
    error that changes the decision at α (Nuijten et al.'s "decision error")."""

    test: str
    statistic: float
    df1: float | None
    df2: float | None
    reported_p: float
    comparison: str
    recomputed_p: float
    p_range: tuple[float, float]
    consistent: bool
    gross: bool


def statcheck(test: str, value: float, reported_p: float, df1: float | None = None,
              df2: float | None = None, *, comparison: str = "=", alpha: float = 0.05,
              statistic_decimals: int | None = None,
              p_decimals: int | None = None) -> PCheck:
    """Is a reported p consistent with its test statistic and df, as statcheck decides?

    Method (Nuijten, Hartgerink, van Assen, Epskamp & Wicherts 2016, Behav. Res. Methods
    48:1205–1226; R package statcheck): the statistic, reported to k decimals, may lie
    anywhere in value ± 0.5·10⁻ᵏ; the p-values at the ends of that range, rounded to the
    reported p's decimals, bound the consistent p's. "=": an error when the reported p is
    outside [low, high]; "<": when even the smallest possible p is not below it; ">": when
    even the largest is not above it. A gross (decision) error is an error in which the
    reported p and the recomputed p fall on different sides of α.

    statcheck's documented example: "t(100) = 1, p < 0.001" is a gross error (p = 0.32);
    statcheck's own test cases ("t(28) = 2.20, p = .03" an error, "… p = .06" a decision
    error, "Z = -2.42, p = 0.016" consistent, …) are pinned with R's p-values in
    tests/stats/test_stats_consistency_published.py (tests/reference/consistency.R).

    >>> r = statcheck("t", 1, 0.001, 100, comparison="<")
    >>> r.consistent, r.gross, round(r.recomputed_p, 4)
    (False, True, 0.3197)
    >>> statcheck("t", 2.2, 0.04, 28).consistent   # p = 0.036 at t = 2.2; 2.15..2.25 allowed
    True
    >>> statcheck("t", 2.20, 0.03, 28, statistic_decimals=2).consistent  # as printed: 2.20
    False
    """
    if comparison not in ("=", "<", ">"):
        raise StatsError(f"comparison must be '=', '<' or '>', but it is {comparison!r}")
    p_rep = check.unit("reported_p", reported_p)
    x = check.finite("statistic", value)
    k = decimals(x) if statistic_decimals is None else statistic_decimals
    half = 0.5 * 10.0**-k
    lo_stat, hi_stat = abs(x) - half, abs(x) + half
    lo_stat = max(0.0, lo_stat)
    p = recompute_p(test, x, df1, df2)
    p_small = recompute_p(test, hi_stat, df1, df2)
    p_large = recompute_p(test, lo_stat, df1, df2)
    d = decimals(p_rep) if p_decimals is None else p_decimals
    low, high = round(p_small, d), round(p_large, d)
    if comparison == "=":
        consistent = low - 1e-12 <= p_rep <= high + 1e-12
        reported_sig = p_rep <= alpha
    elif comparison == "<":
        consistent = p_small < p_rep
        reported_sig = p_rep <= alpha
    else:
        consistent = p_large > p_rep
        reported_sig = p_rep < alpha  # "p > .05" claims non-significance
    gross = (not consistent) and (reported_sig != (p <= alpha))
    return PCheck(test, x, df1, df2, p_rep, comparison, p, (p_small, p_large), consistent,
                  gross)


@dataclass(frozen=True, slots=True)
class GrimCheck:
    """``consistent`` false: no set of integer responses gives the reported value(s)."""

    consistent: bool
    n: int
    items: int
    nearest: tuple[float, ...]   # the closest possible values at the reported precision
    applicable: bool             # False when n·items ≥ 10^decimals (every mean is possible)


def grim(mean: float, n: int, items: int = 1, mean_decimals: int | None = None) -> GrimCheck:
    """GRIM: can a mean of n integer-valued scores (or of k-item means) round to ``mean``?

    Method (Brown & Heathers 2016, Soc. Psychol. Personal. Sci. 8(4):363–369): the total of
    n responses on an integer scale with k items is an integer multiple of 1/(n·k) when
    expressed as a mean, so the mean is consistent when some integer T has T/(n·k) within
    half a unit of the last reported decimal of the mean.

    The paper's example: a mean of 5.19 from 28 participants is impossible
    (145/28 = 5.179, 146/28 = 5.214).

    >>> r = grim(5.19, 28)
    >>> r.consistent, r.nearest
    (False, (5.18, 5.21))
    >>> grim(5.18, 28).consistent
    True
    """
    m = check.finite("mean", mean)
    size = check.count("n", n, 1)
    k = check.count("items", items, 1)
    d = decimals(m) if mean_decimals is None else mean_decimals
    half = 0.5 * 10.0**-d
    units = size * k
    applicable = units < 10**d
    lo_total = math.ceil((m - half) * units - 1e-9)
    hi_total = math.floor((m + half) * units + 1e-9)
    consistent = lo_total <= hi_total
    below = math.floor(m * units + 1e-9)
    candidates = sorted({round(below / units, d), round((below + 1) / units, d)})
    nearest = tuple(c for c in candidates if c != m) if not consistent else (m,)
    return GrimCheck(consistent, size, k, nearest, applicable)


def grimmer(mean: float, sd: float, n: int, items: int = 1, mean_decimals: int | None = None,
            sd_decimals: int | None = None) -> GrimCheck:
    """GRIMMER: can n integer-valued scores have this mean and (n − 1) SD?

    Method (Anaya 2016, "The GRIMMER test", PeerJ Preprints 4:e2400; in closed form
    Allard 2018, "Analytic-GRIMMER"): working with person totals x_i = k·score (integers),
    a total T that passes GRIM and a sum of squares Q = Σx_i² = (n − 1)·(k·SD)² + T²/n must
    both be integers, and Q ≡ T (mod 2) because x² ≡ x (mod 2). The SD is consistent when
    some such Q lies within the rounding range of the reported SD. ``nearest`` holds the
    closest consistent SDs at the reported precision. Necessary, not sufficient: a
    consistent SD may still be impossible for a bounded scale.

    Published examples, pinned in tests/stats/test_stats_consistency_published.py:
    rsprite2's (5.21, SD 1.60, n = 28 consistent; 3.44, SD 2.47, n = 18 not), scrutiny's
    vignette (7.3, SD 2.51, n = 12: not) and INSPECT-SR check 4.8 (Apgar 9.93, SD 0.18,
    n = 30: not).

    >>> grimmer(3.5, 1.87, 6).consistent     # 1..6 once each: mean 3.5, SD 1.8708
    True
    >>> grimmer(3.5, 1.88, 6).consistent
    False
    >>> grimmer(3.44, 2.47, 18).consistent, grimmer(5.21, 1.60, 28, sd_decimals=2).consistent
    (False, True)
    """
    g = grim(mean, n, items, mean_decimals)
    s = check.standard_deviation("sd", sd)
    if not g.consistent:
        return g
    size, k = g.n, g.items
    if size < 2:
        raise StatsError("an SD needs n of at least 2")
    m = check.finite("mean", mean)
    dm = decimals(m) if mean_decimals is None else mean_decimals
    ds = decimals(s) if sd_decimals is None else sd_decimals
    hm, hs = 0.5 * 10.0**-dm, 0.5 * 10.0**-ds
    totals = range(math.ceil((m - hm) * size * k - 1e-9),
                   math.floor((m + hm) * size * k + 1e-9) + 1)
    s_lo, s_hi = max(0.0, (s - hs) * k), (s + hs) * k
    found: list[float] = []
    for t in totals:
        base = t * t / size
        q_lo = math.ceil((size - 1) * s_lo**2 + base - 1e-7)
        q_hi = math.floor((size - 1) * s_hi**2 + base + 1e-7)
        for q in range(q_lo, q_hi + 1):
            if (q - t) % 2 == 0:
                return GrimCheck(True, size, k, (s,), g.applicable)
        # nearest consistent SDs for the message
        centre = (size - 1) * (s * k) ** 2 + base
        for q in (math.floor(centre), math.floor(centre) - 1, math.ceil(centre),
                  math.ceil(centre) + 1):
            if (q - t) % 2 == 0 and q >= base:
                found.append(round(math.sqrt((q - base) / (size - 1)) / k, ds))
    near = tuple(sorted(set(found), key=lambda v: abs(v - s))[:2])
    return GrimCheck(False, size, k, tuple(sorted(near)), True)


@dataclass(frozen=True, slots=True)
class CentreCheck:
    """Is an interval centred on its estimate on the scale it should be (linear or log)?"""

    scale: str
    estimate: float
    centre: float                       # the interval's centre on ``scale``, back-transformed
    centred: bool
    centred_on_other_scale: bool         # e.g. an OR interval symmetric on the ratio scale


def _range_overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] <= b[1] + 1e-12 and b[0] <= a[1] + 1e-12


def ci_centre_check(estimate: float, lower: float, upper: float,
                    scale: str = "linear") -> CentreCheck:
    """Does a reported 95% CI sit symmetrically about its estimate on the right scale?

    A Wald interval for a difference is estimate ± z·SE; for an odds or risk ratio it is
    exp(ln estimate ± z·SE), symmetric on the log scale. With every number rounded to its
    reported decimals (± half a unit), the check asks whether some values within rounding
    make the centre equal the estimate: for ``linear`` (lower + upper)/2, for ``log``
    √(lower·upper). An interval that fails on the log scale but is centred on the ratio
    scale was probably computed without the log transformation.

    Reference: Altman & Bland (2011), BMJ 343:d2090 (how to obtain the SE and p from a CI,
    which assumes exactly this symmetry).

    >>> ci_centre_check(1.85, 1.20, 2.85, "log").centred          # √(1.2·2.85) = 1.849
    True
    >>> c = ci_centre_check(2.5, 1.5, 3.5, "log")
    >>> c.centred, c.centred_on_other_scale, round(c.centre, 3)
    (False, True, 2.291)
    """
    e, lo, hi = (check.finite(k, v) for k, v in (("estimate", estimate), ("lower", lower),
                                                  ("upper", upper)))
    if scale not in ("linear", "log"):
        raise StatsError(f"scale must be 'linear' or 'log', but it is {scale!r}")
    he, hl, hu = (0.5 * 10.0**-decimals(v) for v in (e, lo, hi))

    def linear_ok() -> bool:
        return _range_overlap((e - he, e + he), ((lo - hl + hi - hu) / 2, (lo + hl + hi + hu) / 2))

    def log_ok() -> bool:
        if min(e - he, lo - hl) <= 0:
            return True  # too close to 0 to judge at this precision
        return _range_overlap((math.log(e - he), math.log(e + he)),
                              ((math.log(lo - hl) + math.log(hi - hu)) / 2,
                               (math.log(lo + hl) + math.log(hi + hu)) / 2))

    if scale == "log":
        if e <= 0 or lo <= 0 or hi <= 0:
            raise StatsError("a ratio and its interval must be above 0")
        centred = log_ok()
        return CentreCheck("log", e, math.sqrt(lo * hi), centred,
                           (not centred) and linear_ok())
    centred = linear_ok()
    return CentreCheck("linear", e, (lo + hi) / 2, centred, False)
