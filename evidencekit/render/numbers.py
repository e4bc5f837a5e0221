"""Number formatting for people. Rounding happens here, and only here."""

from __future__ import annotations

import math
from collections.abc import Sequence


def num(x: float | int | None, digits: int = 2) -> str:
    """A number with fixed decimals; '—' when absent.

    >>> num(0.27912), num(None), num(3), num(float("inf"))
    ('0.28', '—', '3', '∞')
    """
    if x is None:
        return "—"
    if isinstance(x, int) and not isinstance(x, bool):
        return f"{x:,}"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if math.isnan(x):
        return "—"
    text = f"{x:,.{digits}f}"
    if text.startswith("-") and not text.strip("-0.,"):
        return text[1:]  # no "-0.00"
    return text


def pval(p: float | None) -> str:
    """A p-value as journals print it.

    >>> pval(0.0004), pval(0.0123), pval(0.2), pval(None)
    ('< 0.001', '0.012', '0.20', '—')
    """
    if p is None:
        return "—"
    if p < 0.001:
        return "< 0.001"
    if p < 0.01:
        return f"{p:.3f}"
    return f"{p:.2f}" if p >= 0.1 else f"{p:.3f}"


def ci(interval: Sequence[float] | None, digits: int = 2) -> str:
    """A confidence interval.

    >>> ci((0.0864, 0.4721))
    '[0.09, 0.47]'
    """
    if interval is None:
        return "—"
    return f"[{num(interval[0], digits)}, {num(interval[1], digits)}]"


def percent(x: float | None, digits: int = 0) -> str:
    """A proportion as a percentage.

    >>> percent(0.1234), percent(0.1234, 1)
    ('12%', '12.3%')
    """
    if x is None:
        return "—"
    return f"{100 * x:.{digits}f}%"
