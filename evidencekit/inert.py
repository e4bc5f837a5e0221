"""Untrusted text made inert where it is shown outside a web page: spreadsheet cells
(scores.csv, scores.xlsx, errors.csv) and the terminal.

Spreadsheet cells follow OWASP's CSV-injection guidance: a text that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return (also after leading spaces) gets a single quote in
front, so no spreadsheet program reads it as a formula. Text that is exactly a decimal number
(``-500``, ``-0.52``) cannot be a formula and is left as it is. Numbers that evidencekit computed
are written as numbers by the writers, never through this function.

Characters that XML 1.0 cannot hold (C0 controls other than tab, newline and carriage return;
lone surrogates; U+FFFE, U+FFFF) and the C1 controls are replaced by a visible escape such as
``\\x07`` or ``\\uffff``: never dropped silently, never fatal.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: What makes a spreadsheet program read a cell as a formula (OWASP), and the full-width forms.
FORMULA_START = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# The terminal also must not see tab/newline tricks inside one value, nor bidi overrides.
_TERMINAL_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u2028\u2029\u202a-\u202e"
    "\u2066-\u2069]")


def _escape(m: re.Match[str]) -> str:
    c = ord(m.group(0))
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def visible(text: str) -> str:
    r"""``text`` with every character XML cannot hold (and C1 controls) shown as an escape.

    >>> visible("a\abell\uffff")
    'a\\x07bell\\uffff'
    """
    return _UNSAFE.sub(_escape, text)


def cell_text(text: str) -> str:
    r"""A spreadsheet cell's text that no spreadsheet program runs as a formula.

    A round's tables repeat a few short texts in every row (statuses, level wordings,
    measures, currencies): those short texts are answered from a bounded cache (at most
    :data:`_CACHED` texts of at most :data:`_SHORT` characters, so memory stays bounded
    whatever the round holds).

    >>> cell_text('=HYPERLINK("http://x")')
    '\'=HYPERLINK("http://x")'
    >>> cell_text("\t=1+1"), cell_text("  @SUM(1)"), cell_text("-2+3")
    ("'\t=1+1", "'  @SUM(1)", "'-2+3")
    >>> cell_text("-0.52"), cell_text("GoodGym"), cell_text("x\x1by")
    ('-0.52', 'GoodGym', 'x\\x1by')
    """
    if len(text) <= _SHORT:
        return _short_cell_text(text)
    return _cell_text(text)


def _cell_text(text: str) -> str:
    text = visible(text)
    if not text:
        return text
    stripped = text.lstrip(" \u00a0")
    if (text[0] in FORMULA_START or (stripped and stripped[0] in FORMULA_START)) \
            and not _NUMBER.match(text):
        return "'" + text
    return text


#: The longest text :func:`cell_text` keeps in its cache, and how many texts it keeps.
_SHORT, _CACHED = 80, 4096
_short_cell_text = lru_cache(maxsize=_CACHED)(_cell_text)


def terminal_text(text: str) -> str:
    r"""``text`` safe to print on a terminal: no escape sequences, line tricks or bidi overrides.

    >>> terminal_text("\x1b[31mRED\x1b[0m\r\u202eevil")
    '\\x1b[31mRED\\x1b[0m\\x0d\\u202eevil'
    """
    return _TERMINAL_UNSAFE.sub(_escape, text)


_COMMENT_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ufeff]")


def comment_text(text: str) -> str:
    r"""``text`` safe inside one YAML ``#`` comment line: every character YAML 1.1 or 1.2
    reads as a line break (``\n``, ``\r``, U+0085, U+2028, U+2029), every control and
    bidi override shown as an escape.

    >>> comment_text("data.csv\u2028costs: 1\x85scaling: yes")
    'data.csv\\u2028costs: 1\\x85scaling: yes'
    """
    return _COMMENT_UNSAFE.sub(_escape, text)
