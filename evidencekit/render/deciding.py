"""Words for an outcome's deciding test (:class:`evidencekit.analysis.result.DecidingTest`).

The analysis decides which test, statistic, p and interval decide an outcome; the terminal,
the reports and the web page all put it into words here, so the three say the same thing.
Nothing is decided here: every function only formats the object it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..registry import MEASURES
from ..registry import test_label as label_of_test
from .numbers import ci, num, pval

if TYPE_CHECKING:  # pragma: no cover
    from ..analysis.result import DecidingTest

Number = Callable[[float | None, int], str]
Interval = Callable[[Sequence[float] | None, int], str]


def effect_words(d: DecidingTest | None, number: Number = num, interval: Interval = ci) -> str:
    """The deciding estimate with its interval, e.g. "g = 0.20 [-0.04, 0.43]"; "—" if none.

    >>> from evidencekit.analysis.result import DecidingTest
    >>> d = DecidingTest("cr2", "t", 1.83, 13.96, 0.0885, 0.0885, None, 0.05, False, True,
    ...                  "ancova_hedges_g", 0.1975, 0.1086, (-0.0355, 0.4305), "cr2_satterthwaite")
    >>> effect_words(d)
    'g_ANCOVA = 0.20 [-0.04, 0.43]'
    >>> effect_words(None)
    '—'
    """
    if d is None or d.measure is None or d.estimate is None:
        return "—"
    text = f"{MEASURES[d.measure].symbol} = {number(d.estimate, 2)}"
    return text + (f" {interval(d.ci, 2)}" if d.ci is not None else "")


def statistic_words(d: DecidingTest | None, number: Number = num) -> str:
    """The test statistic with its degrees of freedom, e.g. "t(13.96) = 1.83"; "" if none.

    >>> from evidencekit.analysis.result import DecidingTest
    >>> d = DecidingTest("welch_t", "t", 2.104, 37.25, 0.04, 0.04, None, 0.05, True, None,
    ...                  "hedges_g", 0.3, 0.1, (0.1, 0.5), "normal")
    >>> statistic_words(d)
    't(37.25) = 2.10'
    """
    if d is None or d.statistic is None or d.value is None:
        return ""
    df = ""
    if d.df is not None:
        whole = abs(d.df - round(d.df)) < 1e-9
        df = f"({round(d.df)})" if whole else f"({number(d.df, 2)})"
        if d.statistic == "F":
            df = f"(1, {df[1:-1]})"
    return f"{d.statistic}{df} = {number(d.value, 2)}"


def clustering_words(d: DecidingTest | None) -> str:
    """Whether the deciding test allows for clustering, in words; "" when nothing clusters.

    >>> from evidencekit.analysis.result import DecidingTest
    >>> d = DecidingTest(None, None, None, None, None, None, None, 0.05, None, False,
    ...                  "hedges_g", 0.3, 0.1, None, None)
    >>> clustering_words(d)
    'no valid test that allows for clustering'
    """
    if d is None or d.accounts_for_clustering is None:
        return ""
    if d.accounts_for_clustering:
        return "allows for clustering"
    return ("no valid test that allows for clustering" if d.test is None
            else "does not allow for clustering")


def named_test(d: DecidingTest | None, number: Number = num) -> str:
    """The deciding test named in full: label, statistic and clustering, e.g.
    "Cluster-robust t-test (CR2), t(13.96) = 1.83, allows for clustering".

    >>> named_test(None)
    'no test'
    """
    if d is None or d.test is None:
        words = clustering_words(d)
        return "no test" + (f" ({words})" if words else "")
    parts = [label_of_test(d.test)]
    for extra in (statistic_words(d, number), clustering_words(d)):
        if extra:
            parts.append(extra)
    return ", ".join(parts)


def p_words(d: DecidingTest | None) -> str:
    """The deciding p as journals print it ("—" when there is no test)."""
    return pval(d.p if d is not None else None)
