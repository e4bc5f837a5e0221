"""The YAML loader's own ``resolve`` (called by the C composer for every node) gives the tag
PyYAML's ``BaseResolver.resolve`` gives for the same loader, for every kind of scalar."""

from __future__ import annotations

import yaml
from yaml.resolver import BaseResolver

from evidencekit.load.document import _Loader, parse

SCALARS = ["", "~", "null", "Null", "NULL", "nUll", "true", "True", "TRUE", "tRue", "false",
           "False", "FALSE", "yes", "no", "on", "off", "0", "-0", "+12", "007", "1_000",
           "0x1F", "0o17", "1:20", "1e3", "1.64e0", "-.5", ".5", "5.", "+1.5E-3", ".inf",
           "-.Inf", ".nan", ".NaN", "2024-01-02", "<<", "=", "a", "text with spaces", "é",
           "-", "+", ".", "1.2.3", "12abc", "n", "t", "f", "~x"]


def test_resolve_matches_pyyaml_for_every_kind_of_node() -> None:
    loader = _Loader("a: 1")
    try:
        assert type(loader).resolve is not BaseResolver.resolve
        for kind in (yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode):
            for implicit in ((True, False), (False, True), (False, False), (True, True)):
                for value in (SCALARS if kind is yaml.ScalarNode else [None]):
                    assert loader.resolve(kind, value, implicit) == \
                        BaseResolver.resolve(loader, kind, value, implicit), (kind, value)
    finally:
        loader.dispose()


def test_core_schema_values_through_the_composer() -> None:
    doc = parse("a: ~\nb: TRUE\nc: no\nd: 1e3\ne: '1e3'\nf: 0x1F\ng: -12\nh: ''\n"
                "i: [1.5, null]\n", "t.yaml")
    assert doc.value == {"a": None, "b": True, "c": "no", "d": 1e3, "e": "1e3", "f": "0x1F",
                         "g": -12, "h": "", "i": [1.5, None]}
