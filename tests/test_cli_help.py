"""`evidencekit --help` works without loading the heavy libraries (they load inside commands)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

HEAVY = ("scipy", "statsmodels", "weasyprint", "pandas", "matplotlib")

#: Runs each argument list through main() in one fresh process, then prints the heavy
#: modules that were imported, as a JSON list on the last line.
PROBE = """
import json, sys
import evidencekit.cli
for args in json.loads(sys.argv[1]):
    try:
        evidencekit.cli.main(args, prog_name="evidencekit", standalone_mode=False)
    except SystemExit as exc:
        assert not exc.code, (args, exc.code)
heavy = tuple(json.loads(sys.argv[2]))
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in heavy)))
"""


def _probe(*arg_lists: list[str]) -> tuple[str, list[str]]:
    proc = subprocess.run([sys.executable, "-c", PROBE, json.dumps(arg_lists),
                           json.dumps(HEAVY)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    *text, last = proc.stdout.rstrip("\n").split("\n")
    modules: list[str] = json.loads(last)
    return "\n".join(text), modules


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
