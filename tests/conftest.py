"""Shared fixtures for the tests at the top of tests/: the CLI, small submissions, files.

Helpers are offered as fixtures (not imported from this module): tests/stats has its own
conftest.py, and both are plain modules named ``conftest``.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
EXAMPLES = REPO / "examples"
FIXTURES = TESTS / "fixtures"

#: A theory of change that meets every level-1 criterion of the nesta rubric.
THEORY = {
    "problem": "Too few pupils from low-income homes reach university.",
    "activities": ["Weekly tutoring by trained volunteers"],
    "outcomes": ["Higher grades"],
    "rationale": "Tutoring raises attainment in several trials.",
}


def submission(*evaluations: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A level-1 submission with the given evaluations (deep-copied) and top-level keys."""
    doc: dict[str, Any] = {
        "schema": "evidencekit/submission@1",
        "programme": {"name": "Test programme", "organisation": "Test charity"},
        "theory_of_change": copy.deepcopy(THEORY),
        "evaluations": [copy.deepcopy(e) for e in evaluations],
    }
    doc.update(copy.deepcopy(extra))
    return doc


def rct(eid: str = "trial", *, site: str = "Leeds", independent: bool = False,
        treatment: tuple[int, float, float] = (100, 55.0, 10.0),
        control: tuple[int, float, float] = (100, 50.0, 10.0),
        assigned: tuple[int, int] | None = (105, 105), **extra: Any) -> dict[str, Any]:
    """A randomised evaluation with one primary continuous outcome given as summaries."""
    ev: dict[str, Any] = {
        "id": eid, "design": "rct", "site": site, "independent": independent,
        "outcomes": [{
            "name": "Test score",
            "summary": {
                "treatment": dict(zip(("n", "mean", "sd"), treatment, strict=True)),
                "control": dict(zip(("n", "mean", "sd"), control, strict=True)),
            },
        }],
    }
    if assigned is not None:
        ev["assigned"] = {"treatment": assigned[0], "control": assigned[1]}
    ev.update(extra)
    return ev


def run_subprocess(args: Sequence[str], cwd: Path | None = None,
                   env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m evidencekit ARGS`` in a real process (as a user would)."""
    return subprocess.run([sys.executable, "-m", "evidencekit", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})}, check=False)


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Invoke ``evidencekit`` in-process; stdout and stderr are kept apart."""
    from evidencekit.cli import main

    runner = CliRunner()

    def invoke(*args: str | os.PathLike[str]) -> Result:
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """Write a file under tmp_path and return its path."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def make_submission() -> Callable[..., dict[str, Any]]:
    """``make_submission(*evaluations, **top_level_keys)``: a level-1 submission dict."""
    return submission


@pytest.fixture
def make_rct() -> Callable[..., dict[str, Any]]:
    """``make_rct(id, site=..., treatment=(n, mean, sd), control=..., assigned=...)``."""
    return rct


@pytest.fixture
def subprocess_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``python -m evidencekit`` in a real process."""
    return run_subprocess
