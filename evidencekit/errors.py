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

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("an InputError needs at least one problem")
        super().__init__("\n".join(p.sentence() for p in self.problems))

    @classmethod
    def one(
        cls, file: str | None, expected: str, found: str, *, line: int | None = None,
        key: str | None = None,
    ) -> InputError:
        return cls([Problem(file, line, key, expected, found)])


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
