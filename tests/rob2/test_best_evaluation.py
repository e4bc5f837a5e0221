"""Which evaluation an evaluation-scope rubric names as rated (the crosswalk's "evaluation
rated"): on a tie, one the rubric applies to (RoB 2 asks its questions only of randomised
trials); when it applies to none and none reached a level, no evaluation is named — not the
first listed. JSON, terminal and report read the same decided value."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from click.testing import Result

from evidencekit.api import assess

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "goodgym.yaml"


def goodgym(tmp_path: Path, keep: Callable[[dict[str, Any]], bool]) -> Path:
    doc = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    doc["evaluations"] = [e for e in doc["evaluations"] if keep(e)]
    out = tmp_path / "goodgym.yaml"
    out.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return out


def rob2_row(cli: Callable[..., Result], path: Path) -> tuple[Any, str]:
    doc = json.loads(cli("assess", path, "--rubric", "all", "--format", "json").stdout)
    entry = next(e for e in doc["crosswalk"] if e["rubric"] == "rob2")
    text = cli("assess", path, "--rubric", "all").stdout
    line = next(ln for ln in text.splitlines() if ln.startswith("rob2 "))
    return entry["evaluation"], line


def test_a_tie_names_the_evaluation_the_rubric_applies_to(cli: Callable[..., Result]) -> None:
    # Both evaluations are "Not assessed" (no answers); the comparison-group study is listed
    # first, but RoB 2 applies only to the randomised trial.
    doc = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert [e["design"] for e in doc["evaluations"]] == ["comparison_group", "rct"]
    rated, line = rob2_row(cli, EXAMPLE)
    assert rated == "independent-rct-2016"
    assert line.split()[-1] == "independent-rct-2016"
    result = assess(EXAMPLE, rubric="rob2")
    assert result.level == 0 and result.evaluation == "independent-rct-2016"


def test_no_evaluation_is_named_when_the_rubric_applies_to_none(
        tmp_path: Path, cli: Callable[..., Result]) -> None:
    path = goodgym(tmp_path, lambda e: e["design"] != "rct")
    rated, line = rob2_row(cli, path)
    assert rated is None
    assert line.split()[-2:] == ["none", "assessed"]
    assert "london-waiting-list-2014" not in line
    assert assess(path, rubric="rob2").evaluation is None
    # A rubric without per-evaluation questions still names its best-rated evaluation.
    assert assess(path, rubric="wwc").evaluation == "london-waiting-list-2014"
