"""Read a YAML or JSON document safely, remembering the line of every key.

Safety: YAML is *composed* (parsed to a node tree) with PyYAML's safe machinery and converted
to plain Python values by this module; only the standard scalar tags (str, int, float, bool,
null, timestamps, which become text) are accepted, so no object is ever constructed from a
tag. Aliases are followed but the total number of values is capped, which defuses
"billion laughs" documents. Files are size-limited before they are parsed.

YAML rules: plain scalars are resolved by the **YAML 1.2 core schema** (not PyYAML's YAML
1.1 rules), restricted to decimal numbers: ``1e-3`` and ``1.64e0`` are numbers; ``1:20``,
``0x1F``, ``0o17``, ``1_000``, ``yes``/``no``/``on``/``off`` and dates are text;
``true``/``false`` (any case form of the core schema) are yes/no; ``~``, ``null`` and an empty
value are nothing. ``.inf`` and ``.nan`` are refused (every number must be finite).

Limits (the same for YAML, JSON and mappings given to the Python API): :data:`MAX_DOCUMENT_BYTES`,
:data:`MAX_VALUES`, :data:`MAX_DEPTH`, :data:`MAX_NUMBER_CHARS`; every text is valid Unicode
without control characters (tab and line breaks allowed), lone surrogates or non-characters.

Line numbers: every key path (``("evaluations", 0, "outcomes")``) maps to the 1-based line on
which its value starts, so validation messages can say where a problem is. A document with
nothing to report is converted without them (``_plain``) and finds them only when a line is
first asked for (``_Lines``: the text is composed again); a document with a problem is
converted by ``_Converter``, which records them as it goes and words every message.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml

from ..errors import InputError, Problem, quote, sanitise

KeyPath = tuple[str | int, ...]

#: Largest document accepted, in bytes. Submissions are descriptions, not data.
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
#: Largest number of values a document may expand to (aliases included).
MAX_VALUES = 200_000
#: Deepest nesting of mappings and lists (a submission needs 7).
MAX_DEPTH = 32
#: Longest number literal, in characters (a whole number of at most this many digits).
MAX_NUMBER_CHARS = 40

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _CoreLoader(_Base):  # type: ignore[misc]
    """PyYAML's safe loader with the YAML 1.2 core schema's scalar rules (decimal only)."""

    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {}


_INT_RE = re.compile(r"[-+]?[0-9]+")
_FLOAT_RE = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_NONFINITE_RE = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
_CORE = [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^[-+]?[0-9]+$", list("-+0123456789")),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
     r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", list("-+.0123456789")),
]
for _tag, _pattern, _first in _CORE:
    _CoreLoader.add_implicit_resolver(_tag, re.compile(_pattern), _first)

_IMPLICIT: dict[Any, list[tuple[str, re.Pattern[str]]]] = _CoreLoader.yaml_implicit_resolvers
_DEFAULT_TAGS = {yaml.ScalarNode: "tag:yaml.org,2002:str",
                 yaml.SequenceNode: "tag:yaml.org,2002:seq",
                 yaml.MappingNode: "tag:yaml.org,2002:map"}
assert None not in _IMPLICIT and not _CoreLoader.yaml_path_resolvers


def _resolve(self: Any, kind: Any, value: Any, implicit: tuple[bool, bool]) -> str | None:
    """PyYAML's ``BaseResolver.resolve`` for this loader (no wildcard or path resolvers),
    without its per-call list building: the C composer calls it for every node."""
    if kind is yaml.ScalarNode and implicit[0]:
        for tag, regexp in _IMPLICIT.get(value[:1], ()):
            if regexp.match(value):
                return tag
    return _DEFAULT_TAGS.get(kind)


_CoreLoader.resolve = _resolve
_Loader: Any = _CoreLoader


class _CoreDumper(yaml.SafeDumper):
    """PyYAML's safe dumper that also quotes every text the YAML 1.2 core schema would read
    as something else (``1e3``, ``1.64e0``), so what is written reads back as written, by
    this reader and by YAML 1.1 readers alike."""


for _tag, _pattern, _first in _CORE:
    _CoreDumper.add_implicit_resolver(_tag, re.compile(_pattern), _first)


def dump_yaml(data: Any, **options: Any) -> str:
    """YAML text for ``data`` that this module reads back unchanged.

    >>> print(dump_yaml({"name": "1e3", "n": 5, "ratio": "1:20"}, sort_keys=False), end="")
    name: '1e3'
    n: 5
    ratio: '1:20'
    """
    text: str = yaml.dump(data, Dumper=_CoreDumper, **options)
    return text
_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_NODE_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


#: A character outside the ranges ``text_problem`` accepts at a glance (tab, CR, LF,
#: printable ASCII, U+00A0-U+2027, U+202A-U+D7FF).
_NOT_PLAIN = re.compile("[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff]")


def text_problem(text: str) -> str | None:
    """Why ``text`` is not acceptable text, or None. Tab, CR and LF are allowed.

    >>> text_problem("Café ☕") is None
    True
    >>> text_problem("bell" + chr(7))
    'the control character U+0007 at position 5'
    >>> text_problem(chr(0xD800))
    'a lone surrogate U+D800 (not valid Unicode) at position 1'
    """
    # Most text is plain: one regular-expression scan (in C) finds the first character the
    # loop below would look at twice; only from there on is it read character by character.
    first = _NOT_PLAIN.search(text)
    if first is None:
        return None
    for i, ch in enumerate(text[first.start():], first.start()):
        code = ord(ch)
        if 0x20 <= code < 0x7F or 0x9F < code < 0x2028 or 0x2029 < code < 0xD800:
            continue
        if ch in "\t\n\r":
            continue
        if code < 0x20 or 0x7F <= code <= 0x9F:
            return f"the control character U+{code:04X} at position {i + 1}"
        if 0xD800 <= code <= 0xDFFF:
            return f"a lone surrogate U+{code:04X} (not valid Unicode) at position {i + 1}"
        if code in (0x2028, 0x2029):
            return f"the line separator U+{code:04X} at position {i + 1}"
        if (code & 0xFFFE) == 0xFFFE or 0xFDD0 <= code <= 0xFDEF:
            return f"the non-character U+{code:04X} at position {i + 1}"
    return None


def number_problem(value: object) -> str | None:
    """Why a parsed number is unusable (not finite, or too long a whole number), or None.

    >>> number_problem(float("nan"))
    'nan, not a finite number'
    >>> number_problem(10 ** 50)
    'a whole number of 51 digits'
    >>> number_problem(3) is None
    True
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value}, not a finite number"
    if isinstance(value, int) and (value >= 10 ** MAX_NUMBER_CHARS
                                   or value <= -10 ** MAX_NUMBER_CHARS):
        digits = len(str(abs(value))) if abs(value) < 10 ** 4000 else "thousands of"
        return f"a whole number of {digits} digits"
    return None


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
            out += ("." if out else "") + (part if len(part) <= 60 else sanitise(part, 40))
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
    """A short, plain description of a found value, for error messages (values are quoted
    only as a short excerpt with control characters escaped).

    >>> describe("abc")
    "the text 'abc'"
    >>> describe(3.5)
    'the number 3.5'
    >>> describe(None)
    'nothing (null)'
    >>> describe(10 ** 60)
    'a whole number of 61 digits'
    """
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (yes/no)"
    if isinstance(value, int):
        problem = number_problem(value)
        return problem if problem else f"the number {value}"
    if isinstance(value, float):
        return f"the number {value:.6g}" if abs(value) >= 1e15 else f"the number {value}"
    if isinstance(value, str):
        return f"the text {quote(value, 40)}"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        return "a mapping of keys to values"
    return sanitise(type(value).__name__)


def read_text(path: Path, *, what: str = "a submission",
              max_bytes: int = MAX_DOCUMENT_BYTES) -> str:
    """Read a text file, turning every way it can be unusable into one plain problem."""
    return decode_text(read_bytes(path, what=what, max_bytes=max_bytes), str(path), what=what)


def read_document(path: Path, *, what: str = "a submission",
                  max_bytes: int = MAX_DOCUMENT_BYTES) -> tuple[str, str]:
    """The file's text and the SHA-256 of its bytes (what ``sha256sum`` prints, a UTF-8
    byte-order mark included), from one read, so the hash is of the text that was parsed."""
    import hashlib

    raw = read_bytes(path, what=what, max_bytes=max_bytes)
    return decode_text(raw, str(path), what=what), hashlib.sha256(raw).hexdigest()


def read_bytes(path: Path, *, what: str = "a submission",
               max_bytes: int = MAX_DOCUMENT_BYTES) -> bytes:
    """A regular file's bytes, at most ``max_bytes`` of them, or one plain problem.

    The file is opened without blocking and checked on the open descriptor, so a named pipe
    (which would wait for ever), a device (``/dev/zero`` never ends) or a socket is refused
    by name before anything is read; the size is checked on the descriptor and again while
    reading, so a file that grows while it is read is refused rather than read without end.
    A symbolic link given by the user is followed (it is the user's own choice of file).

    >>> read_bytes(Path("/dev/zero"))
    Traceback (most recent call last):
    ...
    evidencekit.errors.InputError: /dev/zero: expected a submission file, found a device.
    """
    import errno
    import os
    import stat

    name = str(path)
    flags = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
             | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputError.one(name, f"{what} file", "no such file") from None
    except OSError as exc:
        if exc.errno == errno.EISDIR:
            raise InputError.one(name, f"{what} file", "a folder") from None
        if exc.errno in (errno.ENXIO, errno.ENODEV):  # a socket, or a device with no driver
            raise InputError.one(name, f"{what} file", "a socket or a device") from None
        raise InputError.one(name, f"a readable {what} file",
                             sanitise(exc.strerror or type(exc).__name__)) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            from .data.files import file_kind

            raise InputError.one(name, f"{what} file", file_kind(st.st_mode))

        def too_big() -> InputError:  # built only when raised (most files are small)
            return InputError.one(
                name, f"{what} of at most {max_bytes // (1024 * 1024)} MB ({max_bytes:,} bytes)",
                f"{st.st_size:,} bytes" if st.st_size > max_bytes else
                "a file that grew past that while it was being read")

        if st.st_size > max_bytes:
            raise too_big()
        chunks: list[bytes] = []
        size = 0
        while chunk := os.read(fd, min(1 << 20, max_bytes + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                raise too_big()
        return b"".join(chunks)
    except OSError as exc:
        raise InputError.one(name, f"a readable {what} file",
                             sanitise(exc.strerror or type(exc).__name__)) from None
    finally:
        os.close(fd)


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
    if len(text) > MAX_DOCUMENT_BYTES or len(text.encode("utf-8", "surrogatepass")) > \
            MAX_DOCUMENT_BYTES:
        raise InputError.one(source, "a document of at most 5 MB", "a larger one")
    if json_syntax:
        return _parse_json(text, source)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = _yaml_found((exc.problem or exc.context or "a syntax error").strip())
        if "maximum nesting depth" in problem:
            problem = f"values nested more than {MAX_DEPTH} deep"
        if mark is not None and _char_at(text, mark.line, mark.column) == "\t":
            problem = "a tab character (YAML is indented with spaces)"
        raise InputError([Problem(source, line, None, "valid YAML", problem)]) from exc
    except yaml.YAMLError as exc:
        raise InputError.one(source, "valid YAML", str(exc).splitlines()[0]) from exc
    except RecursionError as exc:
        raise InputError.one(source, f"values nested at most {MAX_DEPTH} deep",
                             "a deeper document") from exc
    if node is None:
        raise InputError.one(source, "a YAML mapping", "an empty document")
    try:  # the common case: a document with nothing to report, its lines found if asked
        return Document(_plain(node), source, _Lines(text, source))
    except _Unusual:
        pass
    converter = _Converter(source)  # says what is wrong, and where
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


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in JSON text (strings ignored), found
    without recursion so that any depth can be measured.

    >>> json_depth('{"a": [[1], "]]]"]}')
    3
    """
    depth = deepest = 0
    for m in re.finditer(r"[\[\]{}]", _JSON_STRING.sub("", text)):
        if m.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _parse_json(text: str, source: str) -> Document:
    if (depth := json_depth(text)) > MAX_DEPTH:
        raise InputError.one(source, f"values nested at most {MAX_DEPTH} deep",
                             f"values nested {depth:,} deep")

    def bad_constant(name: str) -> float:
        raise ValueError(name)

    def finite(literal: str) -> float:
        value = float(literal)
        if not math.isfinite(value):
            raise ValueError(sanitise(literal, 40))
        return value

    def whole(literal: str) -> int:
        if len(literal.lstrip("-")) > MAX_NUMBER_CHARS:
            raise ValueError(f"a whole number of {len(literal.lstrip('-')):,} digits")
        return int(literal)

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
                           parse_int=whole, object_pairs_hook=mapping)
    except json.JSONDecodeError as exc:
        raise InputError.one(source, "valid JSON", exc.msg.lower(), line=exc.lineno) from exc
    except ValueError as exc:
        raise InputError.one(source, "a finite number", str(exc)) from exc
    except RecursionError as exc:  # pragma: no cover - the depth check comes first
        raise InputError.one(source, f"values nested at most {MAX_DEPTH} deep",
                             "a deeper document") from exc
    lines: Mapping[KeyPath, int] = {}
    located: list[Problem] = []
    try:  # JSON is (almost always) YAML: reuse the composer purely to learn lines
        node = yaml.compose(text, Loader=_Loader)
        if node is not None:
            conv = _Converter(source)
            conv.convert(node, ())
            lines = conv.lines
            located = [p for p in conv.problems if p.expected == "each key once"]
    except (yaml.YAMLError, RecursionError):
        pass
    if repeated:  # json.loads keeps the last of a repeated key; a typo must not pass silently
        raise InputError(located or [Problem(source, None, None, "each key once",
                                             f"the key {quote(k)} repeated")
                                     for k in repeated])
    checked = plain_value(value, source, lines)
    return Document(checked, source, lines)


def plain_value(value: Any, source: str, lines: Mapping[KeyPath, int] | None = None) -> Any:
    """Check a value built outside the YAML reader (parsed JSON, or a mapping given to the
    Python API) by the same rules: only mappings with text keys, lists, text, finite numbers,
    yes/no and nothing; text valid and without control characters; the same depth and size
    limits. Returns a plain copy (tuples become lists); raises :class:`InputError`."""
    problems: list[Problem] = []
    count = 0
    where = lines or {}

    def add(path: KeyPath, expected: str, found: str) -> None:
        if len(problems) < 1000:
            problems.append(Problem(source, _line_in(where, path),
                                    format_path(path) if path else None, expected, found))

    def walk(v: Any, path: KeyPath, depth: int) -> Any:
        nonlocal count
        count += 1
        if count > MAX_VALUES:
            if count == MAX_VALUES + 1:
                add(path, f"at most {MAX_VALUES:,} values", "more")
            return None
        if depth > MAX_DEPTH:
            add(path, f"values nested at most {MAX_DEPTH} deep", "deeper nesting")
            return None
        if v is None or isinstance(v, bool):
            return v
        if isinstance(v, int | float):
            if (problem := number_problem(v)) is not None:
                add(path, "a finite number" if isinstance(v, float) else
                    f"a whole number of at most {MAX_NUMBER_CHARS} digits", problem)
                return None
            return v
        if isinstance(v, str):
            if (problem := text_problem(v)) is not None:
                add(path, "text without control characters", problem)
                return None
            return v
        if isinstance(v, Mapping):
            out: dict[str, Any] = {}
            for k, item in v.items():
                if not isinstance(k, str):
                    add(path, "text keys", f"the key {sanitise(repr(k), 40)} "
                        f"({type(k).__name__})")
                    continue
                if (problem := text_problem(k)) is not None:
                    add(path, "keys without control characters", problem)
                    continue
                out[k] = walk(item, (*path, k), depth + 1)
            return out
        if isinstance(v, list | tuple):
            return [walk(item, (*path, i), depth + 1) for i, item in enumerate(v)]
        add(path, "text, a number, yes/no, a list or a mapping",
            f"a Python {sanitise(type(v).__name__, 40)} object")
        return None

    try:
        result = walk(value, (), 0)
    except RecursionError:  # pragma: no cover - the depth limit comes first
        add((), f"values nested at most {MAX_DEPTH} deep", "a deeper value")
        result = None
    if problems:
        raise InputError(problems)
    return result


def _line_in(lines: Mapping[KeyPath, int], path: KeyPath) -> int | None:
    p = tuple(path)
    while True:
        if p in lines:
            return lines[p]
        if not p:
            return None
        p = p[:-1]


class _Converter:
    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: dict[KeyPath, int] = {}
        self.problems: list[Problem] = []
        self.count = 0

    def _problem(self, node: yaml.Node, path: KeyPath, expected: str, found: str) -> None:
        if len(self.problems) < 1000:
            self.problems.append(
                Problem(self.source, node.start_mark.line + 1,
                        format_path(path) if path else None, expected, found)
            )

    def convert(self, node: yaml.Node, path: KeyPath, depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            if self.count == MAX_VALUES + 1:
                self._problem(node, path, f"at most {MAX_VALUES} values",
                              "more (a document that expands through aliases?)")
            return None
        self.lines.setdefault(path, node.start_mark.line + 1)
        if depth > MAX_DEPTH:
            self._problem(node, path, f"values nested at most {MAX_DEPTH} deep",
                          "deeper nesting")
            return None
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _NODE_TAGS:
            self._problem(node, path, "a plain mapping or list",
                          f"the YAML tag {quote(node.tag)}, which is not allowed")
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
                if (problem := text_problem(key)) is not None:
                    self._problem(key_node, path, "keys without control characters", problem)
                    continue
                if key in out:
                    self._problem(key_node, (*path, key), "each key once", "this key repeated")
                    continue
                self.lines[(*path, key)] = key_node.start_mark.line + 1
                out[key] = self.convert(value_node, (*path, key), depth + 1)
                self.lines[(*path, key)] = key_node.start_mark.line + 1
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*path, i), depth + 1)
                    for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        if node.tag not in _SCALAR_TAGS:
            self._problem(node, path, "a plain value (text, number, yes/no)",
                          f"the YAML tag {quote(node.tag)}, which is not allowed")
            return None
        return self._scalar(node, path)

    def _scalar(self, node: yaml.ScalarNode, path: KeyPath) -> Any:
        """A scalar by the YAML 1.2 core schema, decimal numbers only (see the module doc)."""
        raw = str(node.value)
        tag = node.tag
        if tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"):
            if (problem := text_problem(raw)) is not None:
                self._problem(node, path, "text without control characters", problem)
                return None
            return raw
        if tag == "tag:yaml.org,2002:null":
            if raw in ("", "~", "null", "Null", "NULL"):
                return None
        elif tag == "tag:yaml.org,2002:bool":
            if raw in ("true", "True", "TRUE", "false", "False", "FALSE"):
                return raw.lower() == "true"
        elif tag == "tag:yaml.org,2002:int":
            if _INT_RE.fullmatch(raw):
                if len(raw.lstrip("+-")) > MAX_NUMBER_CHARS:
                    self._problem(node, path,
                                  f"a whole number of at most {MAX_NUMBER_CHARS} digits",
                                  f"a whole number of {len(raw.lstrip('+-')):,} digits")
                    return None
                return int(raw)
        elif tag == "tag:yaml.org,2002:float":
            if _NONFINITE_RE.fullmatch(raw):
                self._problem(node, path, "a finite number", quote(raw, 40))
                return None
            if _FLOAT_RE.fullmatch(raw) or _INT_RE.fullmatch(raw):
                if len(raw) > 4 * MAX_NUMBER_CHARS:
                    self._problem(node, path, "a number written in at most "
                                  f"{4 * MAX_NUMBER_CHARS} characters",
                                  f"one of {len(raw):,} characters")
                    return None
                value = float(raw)
                if not math.isfinite(value):
                    self._problem(node, path, "a finite number", quote(raw, 40))
                    return None
                return value
        # An explicit tag (``!!int 0x1F``) on a value that does not fit it.
        self._problem(node, path, "a value that fits its YAML tag",
                      f"{quote(raw, 40)} tagged {quote(tag, 40)}")
        return None


class _Unusual(Exception):
    """Raised by :func:`_plain` where :class:`_Converter` would report a problem (or on
    anything it does not handle itself); the document is then converted by ``_Converter``."""


_STR = "tag:yaml.org,2002:str"


def _plain(root: yaml.Node) -> Any:
    """The value :class:`_Converter` gives a document it finds no problem in, without the
    key paths and lines it records (see :class:`_Lines`); raises :class:`_Unusual` where it
    would report a problem, so every message still comes from ``_Converter``.
    tests/test_plain_converter.py compares both on random documents."""
    count = 0
    mapping_node, scalar_node = yaml.MappingNode, yaml.ScalarNode
    not_plain, scalar_tags = _NOT_PLAIN.search, _SCALAR_TAGS

    def scalar(node: Any) -> Any:
        raw = node.value
        tag = node.tag
        if tag == _STR or tag == "tag:yaml.org,2002:timestamp":
            if not_plain(raw) is not None and text_problem(raw) is not None:
                raise _Unusual
            return raw
        if tag == "tag:yaml.org,2002:int":
            if _INT_RE.fullmatch(raw) and len(raw.lstrip("+-")) <= MAX_NUMBER_CHARS:
                return int(raw)
        elif tag == "tag:yaml.org,2002:float":
            if (not _NONFINITE_RE.fullmatch(raw) and len(raw) <= 4 * MAX_NUMBER_CHARS
                    and (_FLOAT_RE.fullmatch(raw) or _INT_RE.fullmatch(raw))):
                value = float(raw)
                if math.isfinite(value):
                    return value
        elif tag == "tag:yaml.org,2002:null":
            if raw in ("", "~", "null", "Null", "NULL"):
                return None
        elif tag == "tag:yaml.org,2002:bool" and raw in ("true", "True", "TRUE", "false",
                                                          "False", "FALSE"):
            return raw.lower() == "true"
        raise _Unusual  # another tag, or a value that does not fit its tag

    def container(node: Any, depth: int) -> Any:
        """A mapping or list at ``depth``, its values counted (as ``_Converter`` counts
        them) before they are read."""
        nonlocal count
        if node.tag not in _NODE_TAGS:  # (a list tagged !!map is still a list, as there)
            raise _Unusual
        children = node.value
        count += len(children)
        if count > MAX_VALUES or (children and depth >= MAX_DEPTH):
            raise _Unusual
        if node.__class__ is mapping_node:
            out: dict[str, Any] = {}
            for key_node, value_node in children:
                if key_node.__class__ is not scalar_node or key_node.tag not in scalar_tags:
                    raise _Unusual  # a complex key or a merge key
                key = key_node.value
                if key == "<<" or key in out or (
                        not_plain(key) is not None and text_problem(key) is not None):
                    raise _Unusual
                if value_node.__class__ is not scalar_node:
                    out[key] = container(value_node, depth + 1)
                elif value_node.tag == _STR:  # most values: plain text
                    raw = value_node.value
                    if not_plain(raw) is not None and text_problem(raw) is not None:
                        raise _Unusual
                    out[key] = raw
                else:
                    out[key] = scalar(value_node)
            return out
        items: list[Any] = []
        append = items.append
        for value_node in children:
            if value_node.__class__ is not scalar_node:
                append(container(value_node, depth + 1))
            elif value_node.tag == _STR:
                raw = value_node.value
                if not_plain(raw) is not None and text_problem(raw) is not None:
                    raise _Unusual
                append(raw)
            else:
                append(scalar(value_node))
        return items

    count = 1
    if root.__class__ is scalar_node:
        if root.tag not in scalar_tags:
            raise _Unusual
        return scalar(root)
    return container(root, 0)


class _Lines(Mapping[KeyPath, int]):
    """The line of each key path of a document :func:`_plain` converted, found only when a
    line is first asked for (most documents are read without a problem to locate): the text
    is composed again and :class:`_Converter` records the lines, as it does for a document
    with problems. Only the text is kept, not the node tree (a few objects, not thousands)."""

    def __init__(self, text: str, source: str) -> None:
        self._text = text
        self._source = source
        self._lines: dict[KeyPath, int] | None = None

    def _get(self) -> dict[KeyPath, int]:
        if self._lines is None:  # (two threads may both find them: the same lines)
            converter = _Converter(self._source)
            node = yaml.compose(self._text, Loader=_Loader)
            assert node is not None  # it was not empty the first time
            converter.convert(node, ())
            self._lines = converter.lines
        return self._lines

    def __getitem__(self, path: KeyPath) -> int:
        return self._get()[path]

    def __contains__(self, path: object) -> bool:
        return path in self._get()

    def __iter__(self) -> Iterator[KeyPath]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

    def __repr__(self) -> str:
        return repr(self._get())


def load_document(path: str | Path) -> Document:
    """Load a YAML or JSON file (chosen by extension; ``.json`` is strict JSON)."""
    p = Path(path)
    text = read_text(p)
    return parse(text, str(p), json_syntax=p.suffix.lower() == ".json")
