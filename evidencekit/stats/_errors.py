"""The one exception the statistics layer raises for impossible or meaningless input."""

from __future__ import annotations

__all__ = ["StatsError"]


class StatsError(ValueError):
    """Input outside a statistic's domain.

    The message is one plain sentence naming what was expected and what was found,
    e.g. "both groups have zero standard deviation, so a standardised effect cannot be
    computed".
    """
