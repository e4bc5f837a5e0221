"""Reading one cell: missing values, numbers, yes/no values and labels, the same in every
format; and quoting a value in a message (never more than a short, escaped excerpt).

Conventions (SPEC §1 ``data:``):

- Missing values: empty cells and ``NULL_TOKENS`` (NA, N/A, NaN, NULL, ., - ...).
- Numbers: decimal point, optional exponent; infinity is an error.
- Yes/no values (``binary`` columns): 1/0, true/false, yes/no in any case.
- Group and cluster labels are text, trimmed; 1.0 in a numeric column reads as "1".
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["BINARY_FALSE", "BINARY_TRUE", "NULL_TOKENS", "excerpt"]

NULL_TOKENS: tuple[str, ...] = ("", "NA", "N/A", "n/a", "na", "NaN", "nan", "NULL", "null",
                                "None", "none", "#N/A", ".", "-")
BINARY_TRUE: frozenset[str] = frozenset({"1", "true", "yes"})
BINARY_FALSE: frozenset[str] = frozenset({"0", "false", "no"})
NULL_SET = frozenset(NULL_TOKENS)
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NAN = frozenset({"nan", "+nan", "-nan"})
DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def and_list(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def excerpt(value: Any, limit: int = 40) -> str:
    r"""A value quoted for a message: at most ``limit`` characters of it (cut with "..."),
    control and other unprintable characters escaped by ``repr``.

    >>> excerpt("x" * 100)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'"
    >>> excerpt("a\x1b[2Jb")
    "'a\\x1b[2Jb'"
    """
    text = value if isinstance(value, str) else str(value)
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def quote_list(items: Sequence[str], limit: int = 12) -> str:
    shown = [excerpt(x) for x in items[:limit]]
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(shown) + more


def label(value: Any) -> str | None:
    """A group or cluster label as text (None when missing)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    text = str(value).strip()
    return None if text in NULL_SET else text


def number(token: str) -> float | None:
    """Parse a cell as a number; NaN when missing; None when it is not a finite number."""
    text = token.strip()
    if text in NULL_SET or text.lower() in _NAN:
        return math.nan
    if _NUMBER.fullmatch(text):
        return float(text)
    return None


def binary(token: Any) -> float | None:
    """0/1 from a yes/no cell; NaN when missing; None when not recognised."""
    if token is None:
        return math.nan
    if isinstance(token, bool):
        return 1.0 if token else 0.0
    if isinstance(token, int | float):
        if isinstance(token, float) and math.isnan(token):
            return math.nan
        return float(token) if token in (0, 1) else None
    text = str(token).strip()
    if text in NULL_SET:
        return math.nan
    low = text.lower()
    if low in BINARY_TRUE:
        return 1.0
    if low in BINARY_FALSE:
        return 0.0
    num = number(text)
    return num if num is not None and (num in (0.0, 1.0) or math.isnan(num)) else None


def number_or_binary(token: Any) -> float | None:
    if token is None:
        return math.nan
    if isinstance(token, bool):
        return 1.0 if token else 0.0
    if isinstance(token, int | float):
        return float(token) if math.isfinite(token) or math.isnan(token) else None
    text = str(token).strip()
    low = text.lower()
    if low in BINARY_TRUE:
        return 1.0
    if low in BINARY_FALSE:
        return 0.0
    return number(text)


def cell_number(value: Any) -> float | None:
    """A number from an Excel cell value (None when it is text, a date or infinite)."""
    if value is None:
        return math.nan
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) or math.isnan(value) else None
    if isinstance(value, str):
        return number(value)
    return None


PARSERS: dict[str, Callable[[Any], float | None]] = {
    "number": cell_number,
    "binary": binary,
    "number_or_binary": number_or_binary,
}
EXPECTED = {
    "number": "a number",
    "binary": "a yes/no value (0/1, true/false or yes/no)",
    "number_or_binary": "a number or a yes/no value",
}
def nan_if_none(v: float | None) -> float:
    return math.nan if v is None else v
def describe(value: Any) -> str:
    if isinstance(value, str):
        if not value.strip():
            return "a blank value (spaces only)"
        return excerpt(value)
    if isinstance(value, float) and math.isinf(value):
        return "infinity" if value > 0 else "minus infinity"
    if hasattr(value, "isoformat"):
        return f"a date ({value.isoformat()})"
    return repr(value)
