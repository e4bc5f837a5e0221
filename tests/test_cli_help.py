"""`evidencekit --help` works without loading the heavy libraries (they load inside commands)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from tools.probe import imported_by

HEAVY = ("scipy", "statsmodels", "weasyprint", "pandas", "matplotlib")

def _probe(*arg_lists: list[str]) -> tuple[str, list[str]]:
    return imported_by(list(arg_lists), HEAVY)


def test_help_loads_no_heavy_library() -> None:
    text, modules = _probe(["--help"])
    assert modules == []
    assert text.startswith("Usage: evidencekit [OPTIONS] COMMAND [ARGS]...")
    for command in ("assess", "analyse", "rubric"):
        assert f"\n  {command} " in text


def test_every_command_help_loads_no_heavy_library() -> None:
    from evidencekit.cli import main

    commands = sorted(main.commands)
    assert {"assess", "analyse", "rubric"} <= set(commands)
    text, modules = _probe(*([c, "--help"] for c in commands))
    assert modules == []
    for command in commands:
        assert f"Usage: evidencekit {command} " in text


def test_help_and_version_in_process(cli: Any) -> None:
    import evidencekit

    result = cli("--help")
    assert result.exit_code == 0
    assert "How strong is the evidence behind a social programme" in result.stdout
    version = cli("--version")
    assert version.exit_code == 0
    assert version.stdout.strip() == f"evidencekit, version {evidencekit.__version__}"


@pytest.mark.parametrize("module", ["evidencekit", "evidencekit.cli"])
def test_importing_the_package_is_light(module: str) -> None:
    code = (f"import sys, {module}; "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
