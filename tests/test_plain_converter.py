"""The loader's quick conversion of a YAML node tree (``document._plain``) gives the value
``document._Converter`` gives, and gives up exactly where ``_Converter`` reports a problem
(then ``parse`` reports ``_Converter``'s problems, word for word); the lines a parsed
document finds later (``_Lines``) are ``_Converter``'s. Random documents mix every kind of
scalar, tag, key, alias, merge key and nesting the rules look at, with the limits made small
so that the count and depth boundaries are crossed too."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidencekit.errors import InputError
from evidencekit.load import document
from evidencekit.load.document import _Converter, _Loader, _plain, _Unusual, parse

# Values the rules accept, and values each rule refuses (drawn less often, so that most
# documents of some size still convert).
SCALARS = [
    "a", "text with spaces", "''", '""', "~", "null", "Null", "NULL", "true", "False",
    "TRUE", "yes", "off", "12", "-0", "+7", "007", "1e3", "1.5", "-.5", "5.", "0x1F", "0o17",
    "1_000", "'1:20'", "2001-12-14", "9" * 40, "+" + "9" * 40, "-" + "9" * 40, "1" + "0" * 150,
    "!!int 12", "!!int '+3'", "!!float 1", "!!str 12", "!!bool true", "!!null ''",
    "!!timestamp 2001-12-14", '"tab\\there"', '"\\U0001F600"', '"é"', '"\\xa0"',
    '"line\\nbreak"', "'<<'", "'='",
]
ODD_SCALARS = [
    "nUll", ".inf", "-.Inf", ".nan", "9" * 41, "-" + "9" * 41, "1" + "0" * 170 + ".5",
    "1e400", "-1e400", "!!int 0x1F", "!!float abc", "!!float .inf", "!!bool yes", "!!null x",
    "!!binary aGVsbG8=", "!custom x", "!!merge x", '"\\x07"', '"\\u2028"', '"\\uFFFE"',
    '"\\uFDD0"', '"\\x85"', "<<",
]
KEYS = ["a", "b", "c", "d", "e", "1", "true", "~", "''", "é", '"\\U0001F600"', "!!int 3",
        "'<<'"]
ODD_KEYS = ["a", "<<", '"\\x07"', '"\\u2028"', "!!binary aGk=", "!x k", "[x]"]
CONTAINER_TAGS = ["", "!!map ", "!!seq "]
ODD_CONTAINER_TAGS = ["!!set ", "!!omap ", "!x "]


def _pick(data: st.DataObject, usual: list[str], odd: list[str]) -> str:
    return data.draw(st.sampled_from(odd if data.draw(st.integers(0, 15)) == 0 else usual))


def _render(data: st.DataObject, depth: int, anchors: list[str], indent: str) -> str:
    """YAML text of one value: a scalar, an alias, or a (flow) mapping or list."""
    choice = data.draw(st.integers(0, 9 if depth < 36 else 5))
    if choice <= 3:
        return _pick(data, SCALARS, ODD_SCALARS)
    if choice == 4 and anchors:
        return "*" + data.draw(st.sampled_from(anchors))
    if choice == 5:
        text = _pick(data, SCALARS, ODD_SCALARS)
        name = f"s{len(anchors)}"
        anchors.append(name)
        return f"&{name} {text}"
    tag = _pick(data, CONTAINER_TAGS, ODD_CONTAINER_TAGS)
    size = data.draw(st.integers(0, 3))
    items = []
    mapping = choice >= 8
    for _ in range(size):
        value = _render(data, depth + 1, anchors, indent + "  ")
        if mapping:
            key = _pick(data, KEYS, ODD_KEYS)
            if key == "<<" and anchors and data.draw(st.booleans()):
                value = "*" + data.draw(st.sampled_from(anchors))
            items.append(f"{key}: {value}")
        else:
            items.append(value)
    anchor = ""
    if data.draw(st.booleans()):
        anchor = f"&c{len(anchors)} "
        anchors.append(f"c{len(anchors)}")
    joiner = ",\n" + indent + "  "  # one item a line, so lines differ from item to item
    body = joiner.join(items)
    return (f"{anchor}{tag}{{{body}}}" if mapping else f"{anchor}{tag}[{body}]")


def _same(a: Any, b: Any) -> bool:
    """Equal values of the same types all the way down (1, 1.0 and True are told apart)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return repr(a) == repr(b)


def _check(text: str) -> None:
    try:
        node = yaml.compose(text, Loader=_Loader)
    except (yaml.YAMLError, RecursionError):
        return  # not YAML: parse's own handling, untouched by the quick path
    if node is None:
        return
    reference = _Converter("doc.yaml")
    expected = reference.convert(node, ())
    try:
        value = _plain(node)
    except _Unusual:
        assert reference.problems, "gave up on a document without a problem"
        with pytest.raises(InputError) as caught:
            parse(text, "doc.yaml")
        assert str(caught.value) == str(InputError(reference.problems))
        return
    assert not reference.problems, reference.problems
    assert _same(value, expected), (value, expected)
    doc = parse(text, "doc.yaml")
    assert _same(doc.value, expected)
    assert dict(doc.lines) == reference.lines
    for path in reference.lines:
        assert doc.line_of(path) == reference.lines[path]
        assert doc.line_of((*path, "no such key")) == reference.lines[path]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_quick_conversion_matches_the_converter(data: st.DataObject) -> None:
    anchors: list[str] = []
    _check("top: " + _render(data, 0, anchors, "") + "\n")
    _check(_render(data, 0, anchors, ""))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.integers(1, 12), st.integers(1, 5))
def test_quick_conversion_matches_at_the_limits(data: st.DataObject, values: int,
                                                depth: int) -> None:
    anchors: list[str] = []
    text = _render(data, 0, anchors, "")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(document, "MAX_VALUES", values)
        mp.setattr(document, "MAX_DEPTH", depth)
        _check(text)


@pytest.mark.parametrize("text", [
    "a: 1\nb: [x, 2.5, true, ~]\nc: {d: e}\n",
    "a: 1\na: 2\n",                       # a repeated key
    "a: &x [1, 2]\nb: *x\n",              # an alias
    "base: &b {k: 1}\nm: {<<: *b}\n",     # a merge key
    "a: !!binary aGVsbG8=\n",             # a tag that is not allowed
    "a: " + "[" * 40 + "]" * 40 + "\n",   # nested too deep
    "just text\n",
])
def test_quick_conversion_matches_on_examples(text: str) -> None:
    _check(text)


@pytest.mark.parametrize("size", range(1, 7))
@pytest.mark.parametrize("shape", ["[{}]", "{{k: [{}]}}", "[[{}], a]"])
def test_quick_conversion_matches_on_either_side_of_the_limits(shape: str, size: int) -> None:
    """A document of one value fewer, exactly as many, or one more than the limits allow
    (values counted with aliases; nesting counted from the top)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(document, "MAX_VALUES", 5)
        mp.setattr(document, "MAX_DEPTH", 3)
        _check(shape.format(", ".join(f"v{i}" for i in range(size))))
        _check("a: &x [1, 2]\nb: " + shape.format(", ".join(["*x"] * size)))
        _check("[" * size + "]" * size)
        _check("[" * size + "x" + "]" * size)
