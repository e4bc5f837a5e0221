"""Run CLI commands in one fresh process and report which libraries they imported."""

from __future__ import annotations

import json
import subprocess
import sys

#: Runs each argument list through main() in one fresh process, then prints the imported
#: modules whose top-level package is one of those asked for, as a JSON list on the last line.
PROBE = """
import json, sys
import evidencekit.cli
for args in json.loads(sys.argv[1]):
    try:
        evidencekit.cli.main(args, prog_name="evidencekit", standalone_mode=False)
    except SystemExit as exc:
        assert not exc.code, (args, exc.code)
wanted = tuple(json.loads(sys.argv[2]))
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in wanted)))
"""


def imported_by(arg_lists: list[list[str]], packages: tuple[str, ...]) -> tuple[str, list[str]]:
    """What the commands printed, and the modules of ``packages`` they imported."""
    proc = subprocess.run([sys.executable, "-c", PROBE, json.dumps(arg_lists),
                           json.dumps(packages)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    *text, last = proc.stdout.rstrip("\n").split("\n")
    modules: list[str] = json.loads(last)
    return "\n".join(text), modules
