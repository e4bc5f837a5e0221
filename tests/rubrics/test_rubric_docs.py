"""docs/rubrics.md and the README cannot drift from the code: the facts table is generated,
the worked example is a valid rubric giving the output shown, the mistakes shown are the
messages `rubric validate` prints, and the README's crosswalk is the real output."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from evidencekit.assessment.advice import ADVICE
from evidencekit.assessment.conditions import OPERATORS, WORDING
from evidencekit.assessment.facts import FACTS, vocabulary_markdown
from evidencekit.assessment.rubric import bundled_rubrics, rubric_schema

REPO = Path(__file__).resolve().parents[2]
GUIDE = (REPO / "docs" / "rubrics.md").read_text(encoding="utf-8")
README = (REPO / "README.md").read_text(encoding="utf-8")


def _between(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


def _console(text: str, command: str) -> list[str]:
    """The lines a ```console block shows after ``$ command``, up to the next prompt."""
    block = text.split(f"$ {command}\n", 1)[1]
    lines = []
    for line in block.splitlines():
        if line.startswith("$ ") or line == "```":
            break
        lines.append(line)
    return lines


def test_the_facts_table_is_generated_from_facts_py(cli: Any) -> None:
    table = _between(GUIDE, "<!-- facts:start -->\n", "<!-- facts:end -->")
    assert table == vocabulary_markdown()
    assert cli("rubric", "facts").stdout == vocabulary_markdown()
    for scope, facts in FACTS.items():
        for fact in facts:
            assert f"| `{fact}` |" in table, (scope, fact)


def test_the_guide_covers_the_whole_language() -> None:
    for word in (*OPERATORS, *WORDING, *ADVICE):
        assert f"`{word}`" in GUIDE, word
    for key in rubric_schema()["properties"]:
        assert f"| `{key}` |" in GUIDE, key
    for key in rubric_schema()["$defs"]["criterion"]["properties"]:
        assert f"`{key}`" in GUIDE, key
    for key in ("open", "closed", "unknown", "evidencekit rubric schema",
                "evidencekit rubric validate", "scope: evaluation", "per_evaluation"):
        assert key in GUIDE, key
    for rubric_id in bundled_rubrics():
        assert f"`{rubric_id}`" in GUIDE, rubric_id


@pytest.fixture
def worked_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    text = _between(GUIDE, "<!-- worked-example:start -->\n```yaml\n",
                    "```\n<!-- worked-example:end -->")
    path = tmp_path / "local_fund.yaml"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "examples").symlink_to(REPO / "examples")
    monkeypatch.chdir(tmp_path)
    return path


def test_the_worked_example_gives_the_output_shown(cli: Any, worked_example: Path) -> None:
    validate = cli("rubric", "validate", "local_fund.yaml")
    assert validate.exit_code == 0, validate.stderr
    assert validate.stdout.splitlines() == _console(GUIDE, "evidencekit rubric validate "
                                                           "local_fund.yaml")
    shown = _console(GUIDE, "evidencekit assess examples/goodgym.yaml --rubric local_fund.yaml")
    assert shown[-1] == "..."
    out = cli("assess", "examples/goodgym.yaml", "--rubric", "local_fund.yaml")
    assert out.exit_code == 0, out.stderr
    assert out.stdout.splitlines()[:len(shown) - 1] == shown[:-1]


#: The slips the guide's "Mistakes" section makes in the worked example.
SLIPS = [(r"theory_of_change\.problem$", "theory_of_change.problm"),
         (r"\$alpha\]$", "$alpah]"),
         (r"where: \{ref: controlled\}, at_least: 2", "where: {ref: controled}, at_least: 2"),
         (r"^  - label: Paused$", "  - label: Gold")]


def test_the_mistakes_shown_are_what_validate_prints(cli: Any, worked_example: Path) -> None:
    text = worked_example.read_text(encoding="utf-8")
    for pattern, replacement in SLIPS:
        text, n = re.subn(pattern, replacement, text, flags=re.MULTILINE)
        assert n >= 1, pattern
    Path("broken.yaml").write_text(text, encoding="utf-8")
    out = cli("rubric", "validate", "broken.yaml")
    assert out.exit_code == 2 and out.stdout == ""
    assert out.stderr.splitlines() == _console(GUIDE, "evidencekit rubric validate "
                                                      "broken.yaml")


def test_the_readme_shows_the_real_crosswalk(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    shown = _console(README, "evidencekit assess examples/goodgym.yaml --rubric all")
    out = cli("assess", "examples/goodgym.yaml", "--rubric", "all")
    assert out.exit_code == 0
    assert out.stdout.splitlines() == shown
    assert "docs/rubrics.md" in README


def test_the_readme_documents_the_new_submission_keys() -> None:
    section = README.split("## The submission format (in brief)", 1)[1].split("\n## ", 1)[0]
    assert "Additions to SPEC §1" in section
    for key in ("identification:", "comparison_justified:", "real_world:",
                "follow_up_months:", "evaluation_plan:", "regression_discontinuity"):
        assert key in section, key
