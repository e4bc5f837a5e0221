"""A small typed-schema language for validating plain documents with exact messages.

Modelled on mkdocs' config options: each key has a typed option that converts and checks its
value, and every problem is collected (never raised one at a time) with its key path, line,
what was expected and what was found.

The same declarations are the single source of three more things, so no rule is kept twice:
:meth:`Option.json_schema` (the published JSON Schema), :func:`field_list` (the list of
fields a questionnaire or a form can ask for) and :func:`markdown_table` (the documentation's
table of keys). Every number has a range (never unbounded) and every text a length limit.
"""

from __future__ import annotations

import abc
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import MAX_KEPT_PROBLEMS, Problem, quote
from .document import Document, KeyPath, describe, format_path

#: Largest magnitude of any number that has no narrower range of its own.
NUMBER_LIMIT = 1e12
#: Regular expression (JSON Schema dialect) of text without control characters.
TEXT_PATTERN = ("^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f"
                "\\u2028\\u2029\\ufffe\\uffff]*$")


@dataclass
class Context:
    """Collects problems while a document is checked."""

    document: Document
    problems: list[Problem] = field(default_factory=list)
    #: Problems past :data:`MAX_KEPT_PROBLEMS`, counted but not kept.
    omitted: int = 0

    def add(self, path: KeyPath, expected: str, found: str) -> None:
        if len(self.problems) >= MAX_KEPT_PROBLEMS:
            self.omitted += 1
            return
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

    @abc.abstractmethod
    def json_schema(self) -> dict[str, Any]:
        """This option as a JSON Schema (draft 2020-12) fragment."""

    def fail(self, value: Any, path: KeyPath, ctx: Context, expected: str | None = None) -> Any:
        ctx.add(path, expected or self.expected, describe(value))
        raise Invalid


class Text(Option):
    expected = "text"

    def __init__(self, *, max_length: int = 100_000, nonempty: bool = False) -> None:
        self.max_length = max_length
        self.nonempty = nonempty
        if nonempty:
            self.expected = "non-empty text"

    def check(self, value: Any, path: KeyPath, ctx: Context) -> Any:
        if not isinstance(value, str):
            return self.fail(value, path, ctx, "text")
        text = value.strip()
        if self.nonempty and not text:
            return self.fail(value, path, ctx, "non-empty text")
        if len(text) > self.max_length:
            ctx.add(path, f"text of at most {self.max_length:,} characters",
                    f"{len(text):,} characters")
            raise Invalid
        return text

    def json_schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "string", "pattern": TEXT_PATTERN,
                               "maxLength": self.max_length}
        if self.nonempty:
            out = {"allOf": [out, {"pattern": "\\S"}]}
        return out


class Label(Option):
    """A name or code: text, or a whole number written without quotes (``treatment: 1``)."""

    expected = "text or a whole number"

    def __init__(self, *, max_length: int = 500) -> None:
        self.max_length = max_length

    def check(self, value: Any, path: KeyPath, ctx: Context) -> Any:
        if isinstance(value, bool):
            return self.fail(value, path, ctx)
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if not isinstance(value, str) or not value.strip():
            return self.fail(value, path, ctx, "non-empty text or a whole number")
        if len(value.strip()) > self.max_length:
            ctx.add(path, f"text of at most {self.max_length:,} characters",
                    f"{len(value.strip()):,} characters")
            raise Invalid
        return value.strip()

    def json_schema(self) -> dict[str, Any]:
        return {"anyOf": [{"type": "string", "pattern": TEXT_PATTERN, "minLength": 1,
                           "maxLength": self.max_length}, {"type": "integer"}]}


def _fmt(x: float) -> str:
    """A bound as a person reads it.

    >>> _fmt(1e9), _fmt(0.5), _fmt(1e12), _fmt(-1e12), _fmt(1e-12), _fmt(1200)
    ('1,000,000,000', '0.5', '10^12', '-10^12', '10^-12', '1200')
    """
    if x != 0 and (abs(x) >= 1e10 or abs(x) < 1e-4):
        exp = round(math.log10(abs(x)))
        if math.isclose(abs(x), 10.0 ** exp):
            return ("-" if x < 0 else "") + f"10^{exp}"
    if float(x).is_integer():
        return f"{int(x):,}" if abs(x) >= 10_000 else str(int(x))
    return str(x)


class Number(Option):
    """A finite number in a range. Without bounds of its own a number lies within
    ±:data:`NUMBER_LIMIT`; a whole number (``integer``) must also be written as one."""

    def __init__(
        self, *, integer: bool = False, minimum: float | None = None,
        maximum: float | None = None, exclusive_minimum: float | None = None,
        what: str | None = None,
    ) -> None:
        self.integer = integer
        self.exclusive_minimum = exclusive_minimum
        if minimum is None and exclusive_minimum is None:
            minimum = -NUMBER_LIMIT
        self.minimum = minimum
        self.maximum = maximum if maximum is not None else NUMBER_LIMIT
        noun = "a whole number" if integer else "a number"
        self.what = what or noun
        self.expected = f"{self.what} {self.range_text()}"

    def range_text(self) -> str:
        """The range in words.

        >>> Number(minimum=0, maximum=1).range_text()
        'from 0 to 1'
        >>> Number(exclusive_minimum=0, maximum=1).range_text()
        'above 0 and at most 1'
        """
        if self.exclusive_minimum is not None:
            return f"above {_fmt(self.exclusive_minimum)} and at most {_fmt(self.maximum)}"
        assert self.minimum is not None
        return f"from {_fmt(self.minimum)} to {_fmt(self.maximum)}"

    def check(self, value: Any, path: KeyPath, ctx: Context) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return self.fail(value, path, ctx)
        if isinstance(value, float) and not math.isfinite(value):
            return self.fail(value, path, ctx)
        if self.integer:
            if isinstance(value, float) and not value.is_integer():
                return self.fail(value, path, ctx)
            value = int(value)
        if (
            (self.minimum is not None and value < self.minimum)
            or (self.exclusive_minimum is not None and value <= self.exclusive_minimum)
            or value > self.maximum
        ):
            return self.fail(value, path, ctx)
        # A measured quantity is a float even when written without a decimal point, so that
        # results derived from it are floats too (numbers are unrounded floats).
        if self.integer:
            return value
        return float(value)

    def json_schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "integer" if self.integer else "number",
                               "maximum": self.maximum}
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.exclusive_minimum is not None:
            out["exclusiveMinimum"] = self.exclusive_minimum
        return out


class Flag(Option):
    expected = "true or false"

    def check(self, value: Any, path: KeyPath, ctx: Context) -> Any:
        if not isinstance(value, bool):
            return self.fail(value, path, ctx)
        return value

    def json_schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


class Choice(Option):
    def __init__(self, choices: Sequence[str]) -> None:
        self.choices = tuple(choices)
        self.expected = "one of " + ", ".join(self.choices)

    def check(self, value: Any, path: KeyPath, ctx: Context) -> Any:
        if not isinstance(value, str) or value not in self.choices:
            return self.fail(value, path, ctx)
        return value

    def json_schema(self) -> dict[str, Any]:
        return {"enum": list(self.choices)}


class ListOf(Option):
    """A list of items of one option. A list that is not ``tolerant`` is invalid as a whole
    when one of its items is; a tolerant one keeps None in the place of an invalid item so
    later messages still name the right index (evaluations, outcomes)."""

    def __init__(self, item: Option, *, min_items: int = 0, max_items: int = 1_000,
                 allow_single: bool = False, tolerant: bool = False) -> None:
        self.item = item
        self.min_items = min_items
        self.max_items = max_items
        self.allow_single = allow_single
        self.tolerant = tolerant
        self.expected = f"a list of {item.expected}"

    def check(self, value: Any, path: KeyPath, ctx: Context) -> Any:
        if self.allow_single and not isinstance(value, list | dict) and value is not None:
            value = [value]
        if not isinstance(value, list):
            return self.fail(value, path, ctx)
        if len(value) < self.min_items:
            ctx.add(path, f"a list of {self.min_items} item(s)" if self.min_items ==
                    self.max_items else f"a list of at least {self.min_items} item(s)",
                    describe(value))
            raise Invalid
        if len(value) > self.max_items:
            ctx.add(path, f"a list of {self.max_items} item(s)" if self.min_items ==
                    self.max_items else f"a list of at most {self.max_items:,} items",
                    describe(value))
            raise Invalid
        out: list[Any] = []
        bad = False
        for i, item in enumerate(value):
            try:
                out.append(self.item.check(item, (*path, i), ctx))
            except Invalid:
                bad = True
                out.append(None)  # keep positions, so later messages name the right index
        if bad and not self.tolerant:
            raise Invalid
        return out

    def json_schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "array", "items": self.item.json_schema(),
                               "maxItems": self.max_items}
        if self.min_items:
            out["minItems"] = self.min_items
        if self.allow_single:
            return {"anyOf": [self.item.json_schema(), out]}
        return out


@dataclass(frozen=True)
class Key:
    option: Option
    required: bool = False
    default: Any = None
    #: One line for the documentation's table and a questionnaire's help.
    doc: str = ""


@dataclass(frozen=True)
class OneOf:
    """Exactly one of these keys must be given (``data``, ``summary`` or ``reported``)."""

    keys: tuple[str, ...]
    expected: str

    def found(self, given: Sequence[str]) -> str:
        return " and ".join(repr(k) for k in given) if given else "none of them"


class Fields(Option):
    """A mapping with a fixed set of keys; unknown keys are errors (a typo must never pass)."""

    def __init__(self, keys: Mapping[str, Key | Option], *, name: str = "a mapping",
                 tolerant: bool = False, one_of: Sequence[OneOf] = ()) -> None:
        self.keys = {k: v if isinstance(v, Key) else Key(v) for k, v in keys.items()}
        self.expected = name
        #: A tolerant mapping keeps its valid keys when others are invalid (the invalid ones
        #: become None), so later checks can still run and report everything together.
        self.tolerant = tolerant
        self.one_of = tuple(one_of)

    def check(self, value: Any, path: KeyPath, ctx: Context) -> Any:
        if not isinstance(value, dict):
            return self.fail(value, path, ctx)
        out: dict[str, Any] = {}
        ok = True
        bad: set[str] = set()
        for key, raw in value.items():
            if key not in self.keys:
                if len(ctx.problems) >= MAX_KEPT_PROBLEMS:
                    ctx.omitted += 1
                    ok = False
                    continue
                ctx.add((*path, key), "one of the keys " + ", ".join(self.keys),
                        f"the unknown key {quote(key, 40)}" + _suggest(key, self.keys))
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
                out[key] = None
            else:
                out[key] = spec.default
        for group in self.one_of:
            given = [k for k in group.keys if value.get(k) is not None]
            if len(given) != 1:
                ctx.add(path, group.expected, group.found(given))
                ok = False
        if not ok and not self.tolerant:
            raise Invalid
        return out

    def json_schema(self) -> dict[str, Any]:
        props: dict[str, Any] = {}
        for k, spec in self.keys.items():
            sub = spec.option.json_schema()
            if not spec.required:  # an optional key may be left empty (null)
                sub = {"anyOf": [sub, {"type": "null"}]}
            if spec.doc:
                sub = {**sub, "description": spec.doc}
            if spec.default is not None:
                sub = {**sub, "default": spec.default}
            props[k] = sub
        out: dict[str, Any] = {"type": "object", "properties": props,
                               "additionalProperties": False}
        required = [k for k, spec in self.keys.items() if spec.required]
        if required:
            out["required"] = required
        if self.one_of:
            out["allOf"] = [{"oneOf": [{"required": [k], "properties": {
                o: {"type": "null"} for o in g.keys if o != k}} for k in g.keys]}
                for g in self.one_of]
        return out


class MapOf(Option):
    """A mapping from free keys to values of one option (e.g. claims by criterion id)."""

    def __init__(self, value: Option, *, key_regex: str | None = None,
                 key_choices: Sequence[str] | None = None, key_expected: str = "a key",
                 max_items: int = 1_000) -> None:
        self.value = value
        self.key_regex = key_regex
        self.key_choices = tuple(key_choices) if key_choices is not None else None
        self.key_expected = key_expected
        self.max_items = max_items
        self.expected = f"a mapping of {key_expected} to {value.expected}"

    def _key_ok(self, key: str) -> bool:
        if self.key_choices is not None and key not in self.key_choices:
            return False
        return self.key_regex is None or re.fullmatch(self.key_regex, key) is not None

    def check(self, value: Any, path: KeyPath, ctx: Context) -> Any:
        if not isinstance(value, dict):
            return self.fail(value, path, ctx)
        if len(value) > self.max_items:
            ctx.add(path, f"at most {self.max_items:,} entries", f"{len(value):,}")
            raise Invalid
        out = {}
        for key, raw in value.items():
            if not self._key_ok(key):
                ctx.add((*path, key), self.key_expected, f"the key {quote(key, 40)}")
                continue
            try:
                out[key] = self.value.check(raw, (*path, key), ctx)
            except Invalid:
                continue
        return out

    def json_schema(self) -> dict[str, Any]:
        names: dict[str, Any] = {}
        if self.key_choices is not None:
            names["enum"] = list(self.key_choices)
        if self.key_regex is not None:
            names["pattern"] = f"^(?:{self.key_regex})$"
        out: dict[str, Any] = {"type": "object", "additionalProperties": self.value.json_schema(),
                               "maxProperties": self.max_items}
        if names:
            out["propertyNames"] = names
        return out


# --- Derived views of a declaration: the field list and the documentation's table ---------

@dataclass(frozen=True)
class FieldInfo:
    """One key of a document, as a questionnaire, a form or the documentation sees it.

    ``path`` uses ``[]`` for "each item of a list" and ``*`` for "any key of a mapping"
    (``evaluations[].outcomes[].summary.treatment.n``)."""

    path: str
    kind: str  # text, label, number, whole number, yes/no, choice, list, mapping
    expected: str
    required: bool = False
    default: Any = None
    doc: str = ""
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None


def _kind(option: Option) -> str:
    if isinstance(option, Number):
        return "whole number" if option.integer else "number"
    return {Text: "text", Label: "text or whole number", Flag: "yes/no", Choice: "choice",
            ListOf: "list", Fields: "mapping", MapOf: "mapping"}.get(type(option), "value")


def field_list(option: Option, prefix: str = "") -> list[FieldInfo]:
    """Every key under ``option``, depth first, in declaration order."""
    out: list[FieldInfo] = []

    def visit(opt: Option, path: str, key: Key | None) -> None:
        if path:
            minimum = maximum = max_length = None
            if isinstance(opt, Number):
                minimum = opt.minimum if opt.minimum is not None else opt.exclusive_minimum
                maximum = opt.maximum
            if isinstance(opt, Text | Label):
                max_length = opt.max_length
            expected = opt.expected
            if isinstance(opt, ListOf):
                size = (f"{opt.max_items}" if opt.min_items == opt.max_items
                        else f"at most {opt.max_items:,}")
                expected = f"a list of {size} items, each {opt.item.expected}"
                if opt.allow_single:
                    expected += " (or one item alone)"
            out.append(FieldInfo(
                path=path, kind=_kind(opt), expected=expected,
                required=bool(key and key.required),
                default=key.default if key else None, doc=key.doc if key else "",
                choices=opt.choices if isinstance(opt, Choice) else None,
                minimum=minimum, maximum=maximum, max_length=max_length))
        if isinstance(opt, Fields):
            for k, spec in opt.keys.items():
                visit(spec.option, f"{path}.{k}" if path else k, spec)
        elif isinstance(opt, ListOf) and isinstance(opt.item, Fields | MapOf):
            for k, spec in (opt.item.keys.items() if isinstance(opt.item, Fields) else ()):
                visit(spec.option, f"{path}[].{k}", spec)
            if isinstance(opt.item, MapOf):
                visit(opt.item.value, f"{path}[].*", None)
        elif isinstance(opt, MapOf):
            visit(opt.value, f"{path}.*", None)

    visit(option, prefix, None)
    return out


def markdown_table(fields: Sequence[FieldInfo]) -> str:
    """The fields as a Markdown table: key, what it takes, required or default, meaning."""
    rows = ["| Key | Takes | Required / default | Meaning |", "|---|---|---|---|"]
    for f in fields:
        need = "required" if f.required else (
            f"default `{str(f.default).lower() if isinstance(f.default, bool) else f.default}`"
            if f.default is not None else "")
        takes = f.expected
        if f.max_length is not None and f.kind == "text":
            takes += f" (at most {f.max_length:,} characters)"
        cells = [f"`{f.path}`", takes, need, f.doc]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows) + "\n"


def _suggest(key: str, known: Mapping[str, object]) -> str:
    import difflib

    if len(key) > 100:
        return ""
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""
