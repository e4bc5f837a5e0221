"""Errors as data.

Every problem evidencekit finds in something a person wrote — a submission, a rubric, a data
file — is a :class:`Problem`: where it is (file, line, key path), what was expected and what
was found. Problems are collected, never raised one at a time, so a person sees all of them at
once. Code that must stop raises an :class:`InputError` carrying the problems; the CLI turns it
into plain sentences on stderr and exit code 2.

Three families are kept apart (as pandera keeps schema errors apart from data errors):
``SubmissionError`` (the submission file), ``RubricError`` (a rubric definition) and
``DataError`` (a row-level data file named by a submission).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

#: Longest excerpt of any value (text, key, file name) a message quotes.
MAX_EXCERPT = 80
#: Longest single part (file, key path, expected, found) of a problem's sentence.
MAX_PART = 300
#: Problems shown by the CLI (and in an error's text); the rest are counted.
MAX_SHOWN_PROBLEMS = 20
#: Problems kept in an error at most (one input can have 100,000 unknown keys).
MAX_KEPT_PROBLEMS = 1000


def _escape_char(ch: str) -> str:
    code = ord(ch)
    if ch == "\n":
        return "\\n"
    if ch == "\t":
        return "\\t"
    if ch == "\r":
        return "\\r"
    return f"\\x{code:02x}" if code < 0x100 else (f"\\u{code:04x}" if code < 0x10000
                                                   else f"\\U{code:08x}")


def _unsafe(ch: str) -> bool:
    """A character that must not reach a terminal, a file or a spreadsheet as it is: C0/C1
    controls and DEL, lone surrogates, line/paragraph separators and non-characters."""
    code = ord(ch)
    return (code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF
            or code in (0x2028, 0x2029) or (code & 0xFFFE) == 0xFFFE
            or 0xFDD0 <= code <= 0xFDEF)


def sanitise(text: str, limit: int = MAX_EXCERPT) -> str:
    """A short, printable excerpt of untrusted text: unsafe characters escaped (``\\x07``),
    at most ``limit`` characters kept, the rest counted.

    >>> sanitise("bell\\a and \\x1b[31m")
    'bell\\\\x07 and \\\\x1b[31m'
    >>> sanitise("x" * 100, limit=10)
    'xxxxxxxxxx... (100 characters)'
    """
    shown = text[:limit]
    out = "".join(_escape_char(c) if _unsafe(c) else c for c in shown)
    if len(text) > limit:
        out += f"... ({len(text):,} characters)"
    return out


def quote(text: object, limit: int = MAX_EXCERPT) -> str:
    """``repr``-style quoting of a sanitised excerpt.

    >>> print(quote("it's"))
    "it's"
    >>> quote("abc")
    "'abc'"
    """
    body = sanitise(str(text), limit)
    return repr(body).replace("\\\\", "\\")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can.

    >>> Problem("a.yaml", 4, "programme.name", "text", "a number (3)").sentence()
    'a.yaml, line 4, programme.name: expected text, found a number (3).'
    """

    file: str | None
    line: int | None
    key: str | None
    expected: str
    found: str

    def __post_init__(self) -> None:
        # The one place every message passes through: no part can be huge or carry control
        # characters, whatever a caller put in it.
        for name in ("file", "key", "expected", "found"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, sanitise(str(value), MAX_PART))
        if self.line is not None and not isinstance(self.line, int):
            object.__setattr__(self, "line", None)

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.key:
            parts.append(self.key)
        return ", ".join(parts)

    def sentence(self) -> str:
        where = self.location()
        body = f"expected {self.expected}, found {self.found}"
        text = f"{where}: {body}" if where else body[0].upper() + body[1:]
        return text if text.endswith(".") else text + "."

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "key": self.key,
            "expected": self.expected,
            "found": self.found,
            "message": self.sentence(),
        }


class EvidenceKitError(Exception):
    """Base class of every error evidencekit raises on purpose."""

    exit_code: ClassVar[int] = 1


class InputError(EvidenceKitError):
    """Something a person supplied is wrong; carries every problem found."""

    exit_code: ClassVar[int] = 2
    kind: ClassVar[str] = "input"

    def __init__(self, problems: Iterable[Problem], *, omitted: int = 0) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        #: Problems found but not kept (past :data:`MAX_KEPT_PROBLEMS`), counted only.
        self.omitted = omitted
        if not self.problems:
            raise ValueError("an InputError needs at least one problem")
        super().__init__("\n".join(shown_sentences(self.problems, omitted=omitted)))

    def __reduce__(self) -> tuple[object, ...]:
        # Pickled whole (a Dask worker's error reaches the client as the same problems).
        return (_rebuild, (type(self), self.problems, self.omitted))

    @classmethod
    def one(
        cls, file: str | None, expected: str, found: str, *, line: int | None = None,
        key: str | None = None,
    ) -> InputError:
        return cls([Problem(file, line, key, expected, found)])


def _rebuild(cls: type[InputError], problems: tuple[Problem, ...], omitted: int
             ) -> InputError:
    return cls(problems, omitted=omitted)


def shown_sentences(problems: Iterable[Problem], limit: int = MAX_SHOWN_PROBLEMS, *,
                    omitted: int = 0) -> list[str]:
    """The sentences of at most ``limit`` problems, then "… and N more problems."

    >>> shown_sentences([Problem(None, None, None, "x", str(i)) for i in range(3)], limit=2)
    ['Expected x, found 0.', 'Expected x, found 1.', '… and 1 more problem.']
    """
    out: list[str] = []
    extra = omitted
    for p in problems:
        if len(out) < limit:
            out.append(p.sentence())
        else:
            extra += 1
    if extra:
        out.append(f"… and {extra:,} more problem{'s' if extra != 1 else ''}.")
    return out


class SubmissionError(InputError):
    """The submission file is malformed or describes something impossible."""

    kind = "submission"


class RubricError(InputError):
    """A rubric definition is malformed (a mistake by the rubric's author, not the applicant)."""

    kind = "rubric"


class DataError(InputError):
    """A row-level data file named by a submission cannot be used."""

    kind = "data"


class UsageError(InputError):
    """A command-line option or API argument is wrong."""

    kind = "usage"
