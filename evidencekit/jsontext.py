"""The one way evidencekit writes JSON: strict, never ``NaN`` or ``Infinity``.

Python's :mod:`json` writes ``NaN``, ``Infinity`` and ``-Infinity`` by default, which no JSON
parser other than Python's accepts (RFC 8259 has no such numbers). Every JSON evidencekit
writes — ``--format json``, the batch's stored results, the demo's files, the terminal
questionnaire's progress, the schemas — goes through :func:`dumps`, which writes a number that
is not finite as ``null`` (the same "no value" every reader of our JSON already handles) and
then serialises with ``allow_nan=False``, so a non-finite number can never slip through.
``tests/hostile/test_hostile_files.py`` checks that no module calls :func:`json.dump` or
:func:`json.dumps` directly.
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["dumps", "finite"]


def finite(value: Any) -> Any:
    """``value`` with every float that is not finite replaced by None (in dicts, lists and
    tuples, at any depth).

    >>> finite({"a": float("nan"), "b": [1.5, float("-inf")], "c": "NaN"})
    {'a': None, 'b': [1.5, None], 'c': 'NaN'}
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def dumps(value: Any, **options: Any) -> str:
    """Strict JSON text of ``value`` (see the module docstring); ``options`` are
    :func:`json.dumps`'s (``indent``, ``sort_keys``, ``ensure_ascii``...).

    >>> dumps({"estimate": float("inf"), "n": 3})
    '{"estimate": null, "n": 3}'
    """
    try:  # as a rule nothing is out of range: one pass, no copy
        return json.dumps(value, allow_nan=False, **options)
    except ValueError:  # a NaN or an infinity somewhere: the same text with null for each
        return json.dumps(finite(value), allow_nan=False, **options)
