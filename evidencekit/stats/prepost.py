"""One-group pre-post change: paired t-test, d_z and d_av (SPEC 3.5)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import _validate as check
from ._errors import StatsError
from ._inference import student_ci, student_p
from ._validate import FloatArrayLike

__all__ = ["ASSUMED_PRE_POST_R", "PrePost", "pre_post_rows", "pre_post_summary"]

ASSUMED_PRE_POST_R = 0.5
"""Pre-post correlation used when none is given (SPEC 3.5; WWC Handbook 4.1)."""


@dataclass(frozen=True, slots=True)
class PrePost:
    """Change post − pre in one group.

    ``r`` is None only for row data where the pre or post values are all equal, so the
    correlation is undefined (the change statistics are still exact).
    """

    n: int
    mean_change: float
    sd_change: float
    r: float | None
    r_assumed: bool
    se: float
    t: float
    df: int
    p_value: float
    ci: tuple[float, float]
    d_z: float
    d_av: float
    level: float


def _paired(
    n: int,
    mean_change: float,
    sd_change: float,
    sd_pre: float,
    sd_post: float,
    r: float | None,
    r_assumed: bool,
    level: float,
) -> PrePost:
    if sd_change == 0:
        raise StatsError(
            "every participant changed by the same amount (SD of change is zero), "
            "so the change cannot be tested or standardised"
        )
    se = sd_change / math.sqrt(n)
    t = mean_change / se
    df = n - 1
    return PrePost(
        n=n,
        mean_change=mean_change,
        sd_change=sd_change,
        r=r,
        r_assumed=r_assumed,
        se=se,
        t=t,
        df=df,
        p_value=student_p(t, df),
        ci=student_ci(mean_change, se, df, level),
        d_z=mean_change / sd_change,
        d_av=mean_change / math.sqrt((sd_pre**2 + sd_post**2) / 2),
        level=level,
    )


def pre_post_summary(
    n: int,
    mean_pre: float,
    sd_pre: float,
    mean_post: float,
    sd_post: float,
    r: float | None = None,
    *,
    level: float = 0.95,
) -> PrePost:
    """Paired t-test and standardised change from pre and post summaries.

    Formulas: change = M_post − M_pre; SD_change = √(s_pre² + s_post² − 2r·s_pre·s_post)
    with r = 0.5 when not given (``r_assumed``); SE = SD_change/√n; t = change/SE on n − 1
    df, two-sided p; CI = change ± t_crit·SE; d_z = change/SD_change;
    d_av = change/√((s_pre² + s_post²)/2).

    Reference: R ``t.test(post, pre, paired = TRUE)``; Lakens (2013), Front. Psychol.
    4:863 (d_z, d_av); SPEC 3.5.

    >>> res = pre_post_summary(30, 50.0, 10.0, 55.0, 12.0, r=0.6)
    >>> round(res.sd_change, 4), round(res.t, 4), round(res.d_av, 4)
    (10.0, 2.7386, 0.4527)
    """
    nn = check.count("n", n, 2)
    check.finite("mean_pre", mean_pre)
    check.finite("mean_post", mean_post)
    s_pre = check.standard_deviation("sd_pre", sd_pre)
    s_post = check.standard_deviation("sd_post", sd_post)
    rf = ASSUMED_PRE_POST_R if r is None else check.correlation("r", r)
    check.open_unit("level", level)
    var_change = s_pre**2 + s_post**2 - 2 * rf * s_pre * s_post
    sd_change = math.sqrt(max(var_change, 0.0))
    return _paired(nn, mean_post - mean_pre, sd_change, s_pre, s_post, rf, r is None, level)


def pre_post_rows(
    pre: FloatArrayLike,
    post: FloatArrayLike,
    *,
    level: float = 0.95,
) -> PrePost:
    """Paired t-test and standardised change from paired rows (SDs with ddof = 1).

    Formulas as in ``pre_post_summary``, with the change statistics taken directly from the
    differences post − pre and r the Pearson correlation of the rows.

    Reference: R ``t.test(post, pre, paired = TRUE)``; Lakens (2013); SPEC 3.5.

    >>> res = pre_post_rows([10, 12, 9, 14, 11], [12, 15, 9, 17, 13])
    >>> round(res.mean_change, 4), round(res.p_value, 4), round(res.r, 4)
    (2.0, 0.0217, 0.977)
    """
    x = check.finite_array("pre", pre, 2)
    y = check.finite_array("post", post, 2)
    if x.size != y.size:
        raise StatsError(
            f"pre and post must pair up row by row, but pre has {x.size} values and "
            f"post has {y.size}"
        )
    check.open_unit("level", level)
    change = y - x
    s_pre, s_post = float(np.std(x, ddof=1)), float(np.std(y, ddof=1))
    r = float(np.corrcoef(x, y)[0, 1]) if s_pre > 0 and s_post > 0 else None
    return _paired(
        int(x.size),
        float(np.mean(change)),
        float(np.std(change, ddof=1)),
        s_pre,
        s_post,
        r,
        False,
        level,
    )
