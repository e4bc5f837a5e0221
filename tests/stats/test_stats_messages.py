"""Every argument check of the two-group, binary, attrition and interval functions, exactly.

The messages name the argument and the bound, so a test that pins the whole sentence at the
boundary (the first value refused, beside the last value accepted) fails when a name, a
bound or a comparison is changed (mutation testing, issue #11 item 7).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from evidencekit.stats import (
    StatsError,
    ancova_g_se,
    attrition,
    attrition_verdict,
    cox_index,
    cox_index_from_counts,
    difference_in_differences,
    fisher_exact,
    hedges_j,
    newcombe_interval,
    number_needed,
    smd_se,
    two_group_binary,
    two_group_continuous,
    wilson_interval,
)
from evidencekit.stats._inference import t_critical, z_critical

TG = (20, 5.0, 1.0, 20, 4.0, 1.0)

CASES: list[tuple[str, Callable[..., Any], tuple[Any, ...], dict[str, Any], str]] = [
    ("binary n_t", two_group_binary, (0, 0, 5, 1), {}, "n_t must be at least 1, but it is 0"),
    ("binary n_c", two_group_binary, (5, 1, 0, 0), {}, "n_c must be at least 1, but it is 0"),
    ("binary events_t", two_group_binary, (5, -1, 5, 1), {},
     "events_t must be at least 0, but it is -1"),
    ("binary events_c", two_group_binary, (5, 1, 5, -1), {},
     "events_c must be at least 0, but it is -1"),
    ("binary events > n t", two_group_binary, (5, 6, 5, 1), {},
     "the treatment group has 6 events but only 5 participants; events cannot exceed n"),
    ("binary events > n c", two_group_binary, (5, 1, 5, 6), {},
     "the control group has 6 events but only 5 participants; events cannot exceed n"),
    ("binary level", two_group_binary, (5, 1, 5, 1), {"level": 1.0},
     "level must lie strictly between 0 and 1, but it is 1.0"),
    ("cox p_t", cox_index, (0.0, 0.5), {},
     "p_t must lie strictly between 0 and 1 for a finite log odds, but it is 0.0; use "
     "cox_index_from_counts to apply the 0.5 cell correction"),
    ("cox p_c", cox_index, (0.5, 1.0), {},
     "p_c must lie strictly between 0 and 1 for a finite log odds, but it is 1.0; use "
     "cox_index_from_counts to apply the 0.5 cell correction"),
    ("cox counts", cox_index_from_counts, (0, 0, 5, 1), {}, "n_t must be at least 1, but it is 0"),
    ("fisher a", fisher_exact, (-1, 1, 1, 1), {}, "a must be at least 0, but it is -1"),
    ("fisher b", fisher_exact, (1, -1, 1, 1), {}, "b must be at least 0, but it is -1"),
    ("fisher c", fisher_exact, (1, 1, -1, 1), {}, "c must be at least 0, but it is -1"),
    ("fisher d", fisher_exact, (1, 1, 1, -1), {}, "d must be at least 0, but it is -1"),
    ("wilson n", wilson_interval, (0, 0), {}, "n must be at least 1, but it is 0"),
    ("wilson events", wilson_interval, (-1, 5), {}, "events must be at least 0, but it is -1"),
    ("wilson events > n", wilson_interval, (6, 5), {}, "events (6) cannot exceed n (5)"),
    ("wilson level", wilson_interval, (1, 5), {"level": 0.0},
     "level must lie strictly between 0 and 1, but it is 0.0"),
    ("newcombe", newcombe_interval, (1, 0, 1, 5), {}, "n must be at least 1, but it is 0"),
    ("nn sign", number_needed, (0.1, (0.0, 0.2), 2), {}, "sign must be 1 or -1, but it is 2"),
    ("nn rd", number_needed, (float("nan"), (0.0, 0.2), 1), {},
     "rd must be a finite number, but it is nan"),
    ("smd n_t", two_group_continuous, (1, 5.0, 1.0, 20, 4.0, 1.0), {},
     "n_t must be at least 2, but it is 1"),
    ("smd n_c", two_group_continuous, (20, 5.0, 1.0, 1, 4.0, 1.0), {},
     "n_c must be at least 2, but it is 1"),
    ("smd mean_t", two_group_continuous, (20, float("inf"), 1.0, 20, 4.0, 1.0), {},
     "mean_t must be a finite number, but it is inf"),
    ("smd mean_c", two_group_continuous, (20, 5.0, 1.0, 20, float("nan"), 1.0), {},
     "mean_c must be a finite number, but it is nan"),
    ("smd sd_t", two_group_continuous, (20, 5.0, -1.0, 20, 4.0, 1.0), {},
     "sd_t is a standard deviation and cannot be negative, but it is -1.0"),
    ("smd sd_c", two_group_continuous, (20, 5.0, 1.0, 20, 4.0, -1.0), {},
     "sd_c is a standard deviation and cannot be negative, but it is -1.0"),
    ("smd level", two_group_continuous, TG, {"level": 1.5},
     "level must lie strictly between 0 and 1, but it is 1.5"),
    ("smd zero sd", two_group_continuous, (20, 5.0, 0.0, 20, 4.0, 0.0), {},
     "both groups have zero standard deviation, so a standardised effect cannot be computed"),
    ("hedges_j", hedges_j, (1.0,), {},
     "the correction J(m) needs degrees of freedom m above 1, but m is 1.0"),
    ("hedges_j nan", hedges_j, (float("nan"),), {},
     "the degrees of freedom m must be a finite number, but it is nan"),
    ("smd_se g", smd_se, (float("inf"), 10, 10), {}, "g must be a finite number, but it is inf"),
    ("smd_se n_t", smd_se, (0.5, 0, 10), {}, "n_t must be at least 1, but it is 0"),
    ("smd_se n_c", smd_se, (0.5, 10, 0), {}, "n_c must be at least 1, but it is 0"),
    ("ancova g", ancova_g_se, (float("nan"), 1.0, 1.0, 5, 5), {},
     "g must be a finite number, but it is nan"),
    ("ancova se_b", ancova_g_se, (0.1, 0.0, 1.0, 5, 5), {},
     "se_b must be greater than zero, but it is 0.0"),
    ("ancova s_pooled", ancova_g_se, (0.1, 1.0, 0.0, 5, 5), {},
     "s_pooled must be greater than zero, but it is 0.0"),
    ("ancova n_t", ancova_g_se, (0.1, 1.0, 1.0, 1, 5), {}, "n_t must be at least 2, but it is 1"),
    ("ancova n_c", ancova_g_se, (0.1, 1.0, 1.0, 5, 1), {}, "n_c must be at least 2, but it is 1"),
    ("verdict overall", attrition_verdict, (1.5, 0.0), {},
     "overall attrition must lie in [0, 1], but it is 1.5"),
    ("verdict differential", attrition_verdict, (0.1, -0.1), {},
     "differential attrition must lie in [0, 1], but it is -0.1"),
    ("verdict boundary", attrition_verdict, (0.1, 0.01, "pessimistic"), {},
     "boundary must be 'cautious' or 'optimistic', but it is 'pessimistic'"),
    ("attrition assigned_t", attrition, (0, 10, 0, 5), {},
     "assigned_t must be at least 1, but it is 0"),
    ("attrition assigned_c", attrition, (10, 0, 5, 0), {},
     "assigned_c must be at least 1, but it is 0"),
    ("attrition analysed_t", attrition, (10, 10, -1, 5), {},
     "analysed_t must be at least 0, but it is -1"),
    ("attrition analysed_c", attrition, (10, 10, 5, -1), {},
     "analysed_c must be at least 0, but it is -1"),
    ("attrition t > assigned", attrition, (10, 10, 11, 5), {},
     "the treatment group has 11 analysed but only 10 assigned; analysed cannot exceed assigned"),
    ("attrition c > assigned", attrition, (10, 10, 5, 11), {},
     "the control group has 11 analysed but only 10 assigned; analysed cannot exceed assigned"),
    ("z level", z_critical, (0.0,), {}, "level must lie strictly between 0 and 1, but it is 0.0"),
    ("t level", t_critical, (1.0, 10.0), {},
     "level must lie strictly between 0 and 1, but it is 1.0"),
]


@pytest.mark.parametrize(("fn", "args", "kwargs", "message"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_argument_checks_say_exactly_what_is_wrong(fn: Callable[..., Any], args: tuple[Any, ...],
                                                   kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(StatsError, match="^" + re.escape(message) + "$"):
        fn(*args, **kwargs)


def test_the_last_accepted_values() -> None:
    two_group_binary(1, 0, 1, 1)
    two_group_binary(5, 5, 5, 0)  # events = n is allowed
    wilson_interval(5, 5)
    fisher_exact(0, 0, 0, 1)
    two_group_continuous(2, 5.0, 1.0, 2, 4.0, 1.0)
    two_group_continuous(20, 5.0, 0.0, 20, 4.0, 1.0)  # one SD of zero is allowed
    hedges_j(1.0000001)
    smd_se(0.0, 1, 1)
    ancova_g_se(0.0, 1e-9, 1e-9, 2, 2)
    attrition(1, 1, 1, 1)
    attrition(1, 1, 0, 0)
    assert attrition_verdict(1.0, 1.0) == "high"
    assert attrition_verdict(0.0, 0.0) == "low"


def test_did_checks() -> None:
    pre = two_group_continuous(*TG)
    post = two_group_continuous(*TG)
    with pytest.raises(StatsError, match=re.escape(
            "r is a correlation and must lie in [-1, 1], but it is 1.5")):
        difference_in_differences(pre, post, 1.5)
    with pytest.raises(StatsError, match=re.escape(
            "the difference-in-differences has zero variance (r = 1 and no change in g), so "
            "it cannot be tested")):
        difference_in_differences(pre, post, 1.0)
    with pytest.raises(StatsError, match=r"^level must lie strictly between 0 and 1"):
        difference_in_differences(pre, post, 0.5, level=1.0)
    assert difference_in_differences(pre, post, -1.0).r == -1.0
