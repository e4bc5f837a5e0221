"""Read a YAML or JSON document safely, remembering the line of every key.

Safety: YAML is *composed* (parsed to a node tree) with PyYAML's safe machinery and converted
to plain Python values by this module; only the standard scalar tags (str, int, float, bool,
null, timestamps, which become text) are accepted, so no object is ever constructed from a
tag. Aliases are followed but the total number of values is capped, which defuses
"billion laughs" documents. Files are size-limited before they are parsed.

Line numbers: every key path (``("evaluations", 0, "outcomes")``) maps to the 1-based line on
which its value starts, so validation messages can say where a problem is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError, Problem

KeyPath = tuple[str | int, ...]

#: Largest document accepted, in bytes. Submissions are descriptions, not data.
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
#: Largest number of values a document may expand to (aliases included).
MAX_VALUES = 200_000

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_NODE_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


def format_path(path: KeyPath) -> str:
    """Render a key path the way a person reads it.

    >>> format_path(("evaluations", 0, "outcomes", 2, "summary"))
    'evaluations[0].outcomes[2].summary'
    >>> format_path(())
    '(top level)'
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out or "(top level)"


@dataclass(frozen=True)
class Document:
    """A parsed document: its plain value and the line of each key path."""

    value: Any
    source: str
    lines: Mapping[KeyPath, int] = field(default_factory=dict)

    def line_of(self, path: KeyPath) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        p = tuple(path)
        while True:
            if p in self.lines:
                return self.lines[p]
            if not p:
                return None
            p = p[:-1]


def describe(value: object) -> str:
    """A short, plain description of a found value, for error messages.

    >>> describe("abc")
    "the text 'abc'"
    >>> describe(3.5)
    'the number 3.5'
    >>> describe(None)
    'nothing (null)'
    """
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (yes/no)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        return "a mapping of keys to values"
    return type(value).__name__


def read_text(path: Path, *, what: str = "a submission",
              max_bytes: int = MAX_DOCUMENT_BYTES) -> str:
    """Read a text file, turning every way it can be unusable into one plain problem."""
    name = str(path)
    if not path.exists():
        raise InputError.one(name, f"{what} file", "no such file")
    if path.is_dir():
        raise InputError.one(name, f"{what} file", "a folder")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError.one(
            name, f"{what} of at most {max_bytes // (1024 * 1024)} MB ({max_bytes:,} bytes)",
            f"{size:,} bytes",
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError.one(name, f"a readable {what} file", exc.strerror or str(exc)) from exc
    return decode_text(raw, name, what=what)


def decode_text(raw: bytes, name: str, *, what: str = "a submission") -> str:
    if not raw.strip():
        raise InputError.one(name, f"{what} (YAML or JSON)", "an empty file")
    if b"\x00" in raw[:8192]:
        raise InputError.one(name, f"{what} as UTF-8 text (YAML or JSON)", "binary data")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.one(
            name,
            "UTF-8 text",
            f"a byte that is not UTF-8 (0x{raw[exc.start]:02x} at byte {exc.start})",
        ) from exc


def parse(text: str, source: str, *, json_syntax: bool = False) -> Document:
    """Parse YAML (or strict JSON when ``json_syntax``) into a :class:`Document`."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_DOCUMENT_BYTES:
        raise InputError.one(source, "a document of at most 5 MB", "a larger one")
    if json_syntax:
        return _parse_json(text, source)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = _yaml_found((exc.problem or exc.context or "a syntax error").strip())
        if mark is not None and _char_at(text, mark.line, mark.column) == "\t":
            problem = "a tab character (YAML is indented with spaces)"
        raise InputError([Problem(source, line, None, "valid YAML", problem)]) from exc
    except yaml.YAMLError as exc:
        raise InputError.one(source, "valid YAML", str(exc).splitlines()[0]) from exc
    if node is None:
        raise InputError.one(source, "a YAML mapping", "an empty document")
    converter = _Converter(source)
    value = converter.convert(node, ())
    if converter.problems:
        raise InputError(converter.problems)
    return Document(value, source, converter.lines)


def _char_at(text: str, line: int, column: int) -> str | None:
    lines = text.splitlines()
    if 0 <= line < len(lines) and 0 <= column < len(lines[line]):
        return lines[line][column]
    return None


def _yaml_found(problem: str) -> str:
    """Reword a YAML parser's problem so it reads after "found".

    >>> _yaml_found("found character that cannot start any token")
    'character that cannot start any token'
    >>> _yaml_found("did not find expected ',' or ']'")
    "no ',' or ']' where one was needed"
    """
    for lead in ("but found ", "found "):
        if problem.startswith(lead):
            return problem[len(lead):]
    if problem.startswith("did not find expected "):
        return f"no {problem[len('did not find expected '):]} where one was needed"
    return problem


def _parse_json(text: str, source: str) -> Document:
    def bad_constant(name: str) -> float:
        raise ValueError(name)

    def finite(literal: str) -> float:
        value = float(literal)
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(literal)
        return value

    repeated: list[str] = []

    def mapping(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, item in pairs:
            if key in out:
                repeated.append(key)
            out[key] = item
        return out

    try:
        value = json.loads(text, parse_constant=bad_constant, parse_float=finite,
                           object_pairs_hook=mapping)
    except json.JSONDecodeError as exc:
        raise InputError.one(source, "valid JSON", exc.msg.lower(), line=exc.lineno) from exc
    except ValueError as exc:
        raise InputError.one(source, "a finite number", str(exc)) from exc
    lines: Mapping[KeyPath, int] = {}
    located: list[Problem] = []
    try:  # JSON is (almost always) YAML: reuse the composer purely to learn lines
        node = yaml.compose(text, Loader=_Loader)
        if node is not None:
            conv = _Converter(source)
            conv.convert(node, ())
            lines = conv.lines
            located = [p for p in conv.problems if p.expected == "each key once"]
    except yaml.YAMLError:
        pass
    if repeated:  # json.loads keeps the last of a repeated key; a typo must not pass silently
        raise InputError(located or [Problem(source, None, None, "each key once",
                                             f"the key {k!r} repeated") for k in repeated])
    return Document(value, source, lines)


class _Converter:
    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: dict[KeyPath, int] = {}
        self.problems: list[Problem] = []
        self.count = 0
        self._scalar = yaml.constructor.SafeConstructor()

    def _problem(self, node: yaml.Node, path: KeyPath, expected: str, found: str) -> None:
        self.problems.append(
            Problem(self.source, node.start_mark.line + 1, format_path(path) if path else None,
                    expected, found)
        )

    def convert(self, node: yaml.Node, path: KeyPath) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            if self.count == MAX_VALUES + 1:
                self._problem(node, path, f"at most {MAX_VALUES} values",
                              "more (a document that expands through aliases?)")
            return None
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _NODE_TAGS:
            self._problem(node, path, "a plain mapping or list",
                          f"the YAML tag {node.tag!r}, which is not allowed")
            return None
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self._problem(key_node, path, "plain keys", "a YAML merge key ('<<')")
                    continue
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _SCALAR_TAGS:
                    self._problem(key_node, path, "a plain key", "a complex key")
                    continue
                key = str(key_node.value)
                if key == "<<":
                    self._problem(key_node, path, "plain keys", "a YAML merge key ('<<')")
                    continue
                if key in out:
                    self._problem(key_node, (*path, key), "each key once", "this key repeated")
                    continue
                self.lines[(*path, key)] = key_node.start_mark.line + 1
                out[key] = self.convert(value_node, (*path, key))
                self.lines[(*path, key)] = key_node.start_mark.line + 1
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        if node.tag not in _SCALAR_TAGS:
            self._problem(node, path, "a plain value (text, number, yes/no)",
                          f"the YAML tag {node.tag!r}, which is not allowed")
            return None
        try:
            value = self._scalar.construct_object(node, deep=True)
        except (yaml.constructor.ConstructorError, ValueError):
            return str(node.value)
        if node.tag == "tag:yaml.org,2002:timestamp":
            return str(node.value)
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            self._problem(node, path, "a finite number", f"{node.value!r}")
            return None
        return value


def load_document(path: str | Path) -> Document:
    """Load a YAML or JSON file (chosen by extension; ``.json`` is strict JSON)."""
    p = Path(path)
    text = read_text(p)
    return parse(text, str(p), json_syntax=p.suffix.lower() == ".json")
