"""A small typed-schema language for validating plain documents with exact messages.

Modelled on mkdocs' config options: each key has a typed option that converts and checks its
value, and every problem is collected (never raised one at a time) with its key path, line,
what was expected and what was found. Used for submissions; the same pieces are available to
any other document format the toolkit reads.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import Problem
from .document import Document, KeyPath, describe, format_path


@dataclass
class Context:
    """Collects problems while a document is checked."""

    document: Document
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: KeyPath, expected: str, found: str) -> None:
        self.problems.append(
            Problem(self.document.source, self.document.line_of(path), format_path(path),
                    expected, found)
        )


class Invalid(Exception):
    """Raised inside an option after it has recorded its problem; the value is dropped."""


class Option(abc.ABC):
    expected: str = "a value"

    @abc.abstractmethod
    def check(self, value: Any, path: KeyPath, ctx: Context) -> Any:
        """Return the converted value, or record a problem and raise :class:`Invalid`."""

    def fail(self, value: Any, path: KeyPath, ctx: Context, expected: str | None = None) -> Any:
        ctx.add(path, expected or self.expected, describe(value))
        raise Invalid


class Text(Option):
    expected = "text"

    def __init__(self, *, max_length: int = 100_000, nonempty: bool = False) -> None:
        self.max_length = max_length
        self.nonempty = nonempty

    def check(self, value: Any, path: KeyPath, ctx: Context) -> Any:
        if not isinstance(value, str):
            return self.fail(value, path, ctx)
        text = value.strip()
        if self.nonempty and not text:
            return self.fail(value, path, ctx, "non-empty text")
        if len(text) > self.max_length:
            ctx.add(path, f"text of at most {self.max_length:,} characters",
                    f"{len(text):,} characters")
            raise Invalid
        return text


class Label(Option):
    """A name or code: text, or a whole number written without quotes (``treatment: 1``)."""

    expected = "text or a whole number"

    def check(self, value: Any, path: KeyPath, ctx: Context) -> Any:
        if isinstance(value, bool):
            return self.fail(value, path, ctx)
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if not isinstance(value, str) or not value.strip():
            return self.fail(value, path, ctx, "non-empty text or a whole number")
        return value.strip()


class Number(Option):
    def __init__(
        self, *, integer: bool = False, minimum: float | None = None,
        maximum: float | None = None, exclusive_minimum: float | None = None,
        what: str | None = None,
    ) -> None:
        self.integer = integer
        self.minimum = minimum
        self.maximum = maximum
        self.exclusive_minimum = exclusive_minimum
        noun = "a whole number" if integer else "a number"
        bounds = []
        if minimum is not None:
            bounds.append(f"at least {_fmt(minimum)}")
        if exclusive_minimum is not None:
            bounds.append(f"above {_fmt(exclusive_minimum)}")
        if maximum is not None:
            bounds.append(f"at most {_fmt(maximum)}")
        self.expected = what or (noun + (" " + " and ".join(bounds) if bounds else ""))

    def check(self, value: Any, path: KeyPath, ctx: Context) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return self.fail(value, path, ctx)
        if self.integer:
            if isinstance(value, float) and not value.is_integer():
                return self.fail(value, path, ctx)
            value = int(value)
        if (
            (self.minimum is not None and value < self.minimum)
            or (self.exclusive_minimum is not None and value <= self.exclusive_minimum)
            or (self.maximum is not None and value > self.maximum)
        ):
            return self.fail(value, path, ctx)
        # A measured quantity is a float even when written without a decimal point, so that
        # results derived from it are floats too (SPEC §4: numbers are unrounded floats).
        if self.integer:
            return value
        try:
            return float(value)
        except OverflowError:  # an integer beyond the range of floats
            return self.fail(value, path, ctx)


class Flag(Option):
    expected = "true or false"

    def check(self, value: Any, path: KeyPath, ctx: Context) -> Any:
        if not isinstance(value, bool):
            return self.fail(value, path, ctx)
        return value


class Choice(Option):
    def __init__(self, choices: Sequence[str]) -> None:
        self.choices = tuple(choices)
        self.expected = "one of " + ", ".join(self.choices)

    def check(self, value: Any, path: KeyPath, ctx: Context) -> Any:
        if not isinstance(value, str) or value not in self.choices:
            return self.fail(value, path, ctx)
        return value


class ListOf(Option):
    def __init__(self, item: Option, *, min_items: int = 0, max_items: int = 10_000,
                 allow_single: bool = False) -> None:
        self.item = item
        self.min_items = min_items
        self.max_items = max_items
        self.allow_single = allow_single
        self.expected = f"a list of {item.expected}"

    def check(self, value: Any, path: KeyPath, ctx: Context) -> Any:
        if self.allow_single and not isinstance(value, list | dict) and value is not None:
            value = [value]
        if not isinstance(value, list):
            return self.fail(value, path, ctx)
        if len(value) < self.min_items:
            ctx.add(path, f"a list of at least {self.min_items} item(s)", describe(value))
            raise Invalid
        if len(value) > self.max_items:
            ctx.add(path, f"a list of at most {self.max_items} items", describe(value))
            raise Invalid
        out: list[Any] = []
        for i, item in enumerate(value):
            try:
                out.append(self.item.check(item, (*path, i), ctx))
            except Invalid:
                out.append(None)  # keep positions, so later messages name the right index
        return out


@dataclass(frozen=True)
class Key:
    option: Option
    required: bool = False
    default: Any = None


class Fields(Option):
    """A mapping with a fixed set of keys; unknown keys are errors (a typo must never pass)."""

    def __init__(self, keys: Mapping[str, Key | Option], *, name: str = "a mapping",
                 tolerant: bool = False) -> None:
        self.keys = {k: v if isinstance(v, Key) else Key(v) for k, v in keys.items()}
        self.expected = name
        #: A tolerant mapping keeps its valid keys when others are invalid (the invalid ones
        #: become None), so later checks can still run and report everything together.
        self.tolerant = tolerant

    def check(self, value: Any, path: KeyPath, ctx: Context) -> Any:
        if not isinstance(value, dict):
            return self.fail(value, path, ctx)
        out: dict[str, Any] = {}
        ok = True
        bad: set[str] = set()
        for key, raw in value.items():
            if key not in self.keys:
                ctx.add((*path, key), "one of the keys " + ", ".join(self.keys),
                        f"the unknown key {key!r}" + _suggest(key, self.keys))
                ok = False
                continue
            if raw is None and not self.keys[key].required:
                out[key] = self.keys[key].default
                continue
            try:
                out[key] = self.keys[key].option.check(raw, (*path, key), ctx)
            except Invalid:
                ok = False
                bad.add(key)
        for key, spec in self.keys.items():
            if key in out or key in bad:
                out.setdefault(key, None)
                continue
            if spec.required:
                ctx.add((*path, key), f"the required key {key!r} ({spec.option.expected})",
                        "it missing")
                ok = False
            else:
                out[key] = spec.default
        if not ok and not self.tolerant:
            raise Invalid
        return out


class MapOf(Option):
    """A mapping from free keys to values of one option (e.g. claims by criterion id)."""

    def __init__(self, value: Option, *, key_pattern: Callable[[str], bool] | None = None,
                 key_expected: str = "a key") -> None:
        self.value = value
        self.key_pattern = key_pattern
        self.key_expected = key_expected
        self.expected = f"a mapping of {key_expected} to {value.expected}"

    def check(self, value: Any, path: KeyPath, ctx: Context) -> Any:
        if not isinstance(value, dict):
            return self.fail(value, path, ctx)
        out = {}
        for key, raw in value.items():
            if self.key_pattern is not None and not self.key_pattern(key):
                ctx.add((*path, key), self.key_expected, f"the key {key!r}")
                continue
            try:
                out[key] = self.value.check(raw, (*path, key), ctx)
            except Invalid:
                continue
        return out


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _suggest(key: str, known: Mapping[str, object]) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""
