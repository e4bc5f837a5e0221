"""The ladder and the level table speak the framework's own level names ("3+", "SMS 4")."""

from __future__ import annotations

from pathlib import Path

import evidencekit
from evidencekit.report import render_html

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_framework_labels_appear_on_the_ladder_and_in_the_table() -> None:
    result = evidencekit.assess(EXAMPLES / "goodgym.yaml", rubric="eif")
    assert [lv.label for lv in result.levels] == ["2", "2+", "3", "3+", "4"]
    html = render_html(result, deterministic=True)
    assert "✓ 3+</text>" in html and "3+: verified</text>" in html
    assert '<th scope="row">2+</th>' in html
    assert "rated 3+" in html


def test_nesta_keeps_level_numbers() -> None:
    result = evidencekit.assess(EXAMPLES / "goodgym.yaml")
    assert all(lv.label == "" for lv in result.levels)
    html = render_html(result, deterministic=True)
    assert "Level 3: verified</text>" in html
