"""One declarative submission model (issue 10, item 7): the validator, the published JSON
Schema, the field list for questionnaires and the documentation's table all come from
``evidencekit/load/definition.py``; these tests hold them together."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from evidencekit.errors import InputError
from evidencekit.load.definition import (
    SUBMISSION,
    submission_fields,
    submission_json_schema,
    submission_keys_markdown,
)
from evidencekit.load.document import parse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "hostile"))
from test_hostile_submissions import CASES  # noqa: E402

VALIDATOR = jsonschema.Draft202012Validator(submission_json_schema())
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir()
                  if p.suffix in (".yaml", ".yml", ".json"))
#: Refused only by rules across keys, which a JSON Schema states in its description alone.
CROSS_KEY_ONLY = {"outcomes-201-in-all"}


def _value(path: Path) -> Any:
    return parse(path.read_text(encoding="utf-8"), str(path),
                 json_syntax=path.suffix == ".json").value


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(submission_json_schema())


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_the_schema_accepts_every_bundled_example(example: Path) -> None:
    errors = [e.message[:200] for e in VALIDATOR.iter_errors(_value(example))]
    assert errors == []


def _parsed_hostile() -> list[tuple[str, Any]]:
    out = []
    for case_id, name, content in CASES:
        if isinstance(content, bytes) or case_id in CROSS_KEY_ONLY:
            continue
        try:
            out.append((case_id, parse(content, name, json_syntax=name.endswith(".json")).value))
        except InputError:
            continue  # refused while reading: there is no document for a schema to check
    return out


HOSTILE = _parsed_hostile()


def test_enough_hostile_documents_reach_the_schema() -> None:
    assert len(HOSTILE) >= 30


@pytest.mark.parametrize(("case_id", "value"), HOSTILE, ids=[c for c, _ in HOSTILE])
def test_the_schema_rejects_what_the_validator_rejects(case_id: str, value: Any) -> None:
    from evidencekit.errors import SubmissionError
    from evidencekit.load import load_submission

    with pytest.raises(SubmissionError):
        load_submission(value)
    assert not VALIDATOR.is_valid(value), case_id


@pytest.mark.parametrize("value", [
    {"programme": {"name": "bell\x07"}}, {"programme": {"name": "a\u2028b"}},
    {"programme": {"name": "X"}, "costs": {"per_participant": 1e300}},
    {"programme": {"name": "X"}, "scaling": {"sites": 10 ** 50}},
])
def test_schema_and_validator_agree_on_values_no_file_can_hold(value: Any) -> None:
    from evidencekit.errors import SubmissionError
    from evidencekit.load import load_submission

    with pytest.raises(SubmissionError):
        load_submission(value)
    assert not VALIDATOR.is_valid(value)


def test_every_declared_key_is_in_the_schema_and_the_field_list() -> None:
    paths = {f.path for f in submission_fields()}
    assert "evaluations[].outcomes[].reported.hedges_g" in paths
    assert "claims.*.answer" in paths
    props = submission_json_schema()["properties"]
    assert list(props) == list(SUBMISSION.keys)
    for f in submission_fields():
        if f.kind in ("number", "whole number"):
            assert f.minimum is not None and f.maximum is not None, f.path  # never unbounded
        assert f.doc or f.path.endswith(".*"), f.path


def test_the_documentation_table_is_current() -> None:
    doc = (ROOT / "docs" / "submission-keys.md").read_text(encoding="utf-8")
    assert doc == submission_keys_markdown(), (
        "docs/submission-keys.md is out of date: run "
        "`evidencekit schema submission --format markdown > docs/submission-keys.md`")


def test_cli_prints_the_schema_and_keeps_the_rubric_schema(cli: Any) -> None:
    result = cli("schema", "submission")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == submission_json_schema()
    rubric = cli("rubric", "schema")
    assert rubric.exit_code == 0 and json.loads(rubric.stdout)["type"] == "object"
    assert json.loads(cli("schema", "rubric").stdout) == json.loads(rubric.stdout)
    md = cli("schema", "submission", "--format", "markdown")
    assert md.stdout == submission_keys_markdown()
