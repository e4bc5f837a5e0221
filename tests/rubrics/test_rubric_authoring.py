"""Rubric-file features for frameworks beyond Nesta: labels, overrides and evaluation scope,
and how `evidencekit rubric validate` reports mistakes in them (file, line, key)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from rubric_helpers import pre_post, submission, trial

from evidencekit.api import assess
from evidencekit.assessment.rubric import bundled_rubrics, load_rubric

FRAMEWORKS = ("nesta", "project_oracle", "eif", "maryland_sms", "wwc")

MINI = """\
schema: evidencekit/rubric@1
id: mini
title: Mini
version: "1"
scope: evaluation
level_zero: Unrated
levels:
  - level: 1
    label: Measured
    title: Measured change
    statement: It measures change.
    criteria:
      - id: change
        title: Change measured
        question: Does it measure change?
        guidance: Measure before and after.
        check: {in: [design, [pre_post, comparison_group, rct, cluster_rct]]}
        met: "It measures change ({design})."
  - level: 2
    title: Randomised
    statement: It is randomised.
    criteria:
      - id: randomised
        title: Randomised
        question: Is it randomised?
        guidance: Randomise.
        check: {in: [design, [rct, cluster_rct]]}
overrides:
  - label: Harmful
    title: Found to do harm
    when:
      some:
        in: outcomes
        where:
          all:
            - eq: [favourable, false]
            - eq: [significant, true]
    reason: "A significant harmful effect in {id}."
"""


@pytest.mark.parametrize("rubric_id", FRAMEWORKS)
def test_every_framework_is_bundled_and_validates(cli: Any, rubric_id: str) -> None:
    assert rubric_id in bundled_rubrics()
    out = cli("rubric", "validate", bundled_rubrics()[rubric_id])
    assert out.exit_code == 0, out.stderr
    assert f"valid rubric {rubric_id!r}" in out.stdout
    rubric = load_rubric(rubric_id)
    assert rubric.sources, "a framework rubric cites its sources"
    assert rubric.operationalisation, "and says where the checks are the toolkit's own reading"


def test_rubric_list_prints_one_id_per_line(cli: Any) -> None:
    out = cli("rubric", "list")
    assert out.exit_code == 0
    ids = out.stdout.splitlines()
    assert set(FRAMEWORKS) <= set(ids)
    assert ids == sorted(ids) and all(i.strip() == i and " " not in i for i in ids)


def test_framework_rubrics_cite_sources_in_the_file() -> None:
    for rubric_id in FRAMEWORKS[1:]:
        text = bundled_rubrics()[rubric_id].read_text(encoding="utf-8")
        assert text.startswith("#"), rubric_id  # a comment saying what the file follows
        assert "operationalisation" in text, rubric_id


def test_labels_overrides_and_evaluation_scope_in_a_small_rubric(write: Any) -> None:
    path = write("mini.yaml", MINI)
    rubric = load_rubric(path)
    assert rubric.scope == "evaluation"
    assert [rubric.label_of(n) for n in range(3)] == ["Unrated", "Measured", "Level 2"]
    harmful = trial("harm", difference=-5.0)
    result = assess(submission(pre_post("pp"), harmful, trial("ok")), rubric=path)
    verdicts = [(v.id, v.level, v.label) for v in result.per_evaluation]
    assert verdicts == [("pp", 1, "Measured"), ("harm", 2, "Harmful"), ("ok", 2, "Level 2")]
    harm = result.per_evaluation[1]
    assert harm.override is not None
    assert harm.override.reason == "A significant harmful effect in harm."
    # The best is by level (then claimed level, then order), not by label.
    assert (result.level, result.evaluation, result.label) == (2, "harm", "Harmful")
    met = next(c.reason for c in result.per_evaluation[0].levels[0].criteria)
    assert met == "It measures change (pre_post)."


def _validate(cli: Any, write: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
              text: str) -> list[str]:
    write("mini.yaml", text)
    monkeypatch.chdir(tmp_path)
    out = cli("rubric", "validate", "mini.yaml")
    assert out.exit_code == 2
    assert out.stdout == "" and "Traceback" not in out.stderr
    lines: list[str] = out.stderr.splitlines()
    return lines


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("  - label: Harmful", "  - label: Measured",
     ["mini.yaml, line 29, overrides[0].label: expected a label no other level or override "
      "uses, found 'Measured', already the label of levels[0].label."]),
    ("level_zero: Unrated", "level_zero: Measured",
     ["mini.yaml, line 9, levels[0].label: expected a label no other level or override uses, "
      "found 'Measured', already the label of level_zero."]),
    ("            - eq: [favourable, false]", "            - eq: [favorable, false]",
     ["mini.yaml, line 36, overrides[0].when.some.where.all[0].eq[0]: expected a fact of the "
      "outcome scope, found 'favorable' (did you mean 'favourable'?)."]),
    ("    reason: \"A significant harmful effect in {id}.\"\n", "",
     ["mini.yaml, line 29, overrides[0]: expected the required key 'reason', found it "
      "missing."]),
    ("    label: Measured\n", "    label: \"\"\n",
     ["mini.yaml, line 9, levels[0].label: expected non-empty text, found the text ''."]),
    ("scope: evaluation", "scope: evaluations",
     ["mini.yaml, line 5, scope: expected one of programme, evaluation, found the text "
      "'evaluations'."]),
    ("        check: {in: [design, [rct, cluster_rct]]}",
     "        check: {present: programme.name}",
     ["mini.yaml, line 27, levels[1].criteria[0].check.present: expected a fact of the "
      "evaluation scope, found 'programme.name'."]),
])
def test_rubric_validate_reports_label_override_and_scope_mistakes(
        cli: Any, write: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        old: str, new: str, expected: list[str]) -> None:
    assert old in MINI
    assert _validate(cli, write, tmp_path, monkeypatch, MINI.replace(old, new)) == expected


def test_rubric_show_gives_labels_scope_and_overrides(cli: Any) -> None:
    shown = cli("rubric", "show", "eif")
    assert shown.exit_code == 0
    assert "Level 0: NL2" in shown.stdout
    assert "Level 4: Replicated evidence from rigorous evaluations  [3+]" in shown.stdout
    assert "Override NE:" in shown.stdout
    data = json.loads(cli("rubric", "show", "maryland_sms", "--format", "json").stdout)
    assert data["scope"] == "evaluation"
    assert [lv["label"] for lv in data["levels"]] == [f"SMS {n}" for n in range(1, 6)]
    eif = json.loads(cli("rubric", "show", "eif", "--format", "json").stdout)
    assert [o["label"] for o in eif["overrides"]] == ["NE"]


def test_the_schema_documents_labels_overrides_and_scope(cli: Any) -> None:
    schema = json.loads(cli("rubric", "schema").stdout)
    assert "overrides" in schema["properties"]
    assert "label" in schema["$defs"]["level"]["properties"]
    assert schema["properties"]["scope"]["enum"] == ["programme", "evaluation"]
    for rubric_id in FRAMEWORKS:
        raw = yaml.safe_load(bundled_rubrics()[rubric_id].read_text(encoding="utf-8"))
        assert raw["id"] == rubric_id
