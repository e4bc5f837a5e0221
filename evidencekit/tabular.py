"""Results as tables: rows of plain values, a pandas DataFrame (pandas optional) and the
HTML a Jupyter notebook shows.

``result.to_frame()`` needs pandas (``pip install evidencekit[frame]``); without it the call
says so in one sentence. ``result.rows()`` gives the same rows as plain dicts, with no extra
dependency. ``_repr_html_`` escapes every value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from .errors import UsageError


def to_frame(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> Any:
    """A pandas DataFrame of ``rows`` with ``columns`` in order."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - depends on the environment
        raise UsageError.one(None, "pandas installed for to_frame() (pip install "
                             "'evidencekit[frame]'); rows() gives the same rows without it",
                             "no pandas") from None
    return pd.DataFrame([dict(r) for r in rows], columns=list(columns))


def html_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str],
               caption: str = "") -> str:
    """A small HTML table (every value escaped) for notebooks.

    >>> t = html_table([{"a": "<b>", "b": None}], ["a", "b"], "T & U")
    >>> "<caption>T &amp; U</caption>" in t, "<td>&lt;b&gt;</td><td></td>" in t
    (True, True)
    """
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(_cell(r.get(c)))}</td>" for c in columns)
                   + "</tr>" for r in rows)
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)
