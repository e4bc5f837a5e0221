"""Helpers for the row-level data tests: submissions over copies of the reference data."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from evidencekit.cli import main

REFERENCE = Path(__file__).resolve().parent.parent / "reference"


def copy_reference(folder: Path, *names: str) -> None:
    for name in names:
        shutil.copy(REFERENCE / name, folder / name)


def write_submission(folder: Path, evaluations: list[dict[str, Any]],
                     name: str = "submission.yaml") -> Path:
    doc = {"schema": "evidencekit/submission@1", "programme": {"name": "Row-level test"},
           "evaluations": evaluations}
    path = folder / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def outcome_spec(data: str, columns: Mapping[str, str], **extra: Any) -> dict[str, Any]:
    return {"name": extra.pop("name", "Outcome"), "data": data, "columns": dict(columns),
            **extra}


def evaluation(eid: str, design: str, *outcomes: dict[str, Any], **extra: Any
               ) -> dict[str, Any]:
    return {"id": eid, "design": design, **extra, "outcomes": list(outcomes)}


class Cli:
    """Runs the command line in-process; returns (exit code, stdout, stderr)."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str) -> tuple[int, str, str]:
        result = self.runner.invoke(main, list(args))
        return result.exit_code, result.stdout, result.stderr
