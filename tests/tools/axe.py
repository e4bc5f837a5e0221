"""axe-core, the outside accessibility checker, run inside a Playwright page.

``package.json`` pins axe-core; ``make install`` installs it into ``node_modules/`` with npm.
Use from any test that has a Playwright page::

    from tools.axe import axe_violations
    assert axe_violations(page) == []

Each violation is reduced to ``{"id", "impact", "help", "targets"}`` so that a failing
assertion reads as a list of what is wrong and where.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe_version() -> str:
    """The installed axe-core version (from its package.json)."""
    meta = json.loads((AXE.parent / "package.json").read_text(encoding="utf-8"))
    return str(meta["version"])


def need_axe() -> None:
    """Skip (or, under CI, fail) when axe-core has not been installed by ``make install``."""
    if AXE.exists():
        return
    message = f"{AXE} is missing (make install runs 'npm install' for axe-core)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def axe_violations(page: Any, *, rules: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now and return its violations (empty when clean)."""
    need_axe()
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    options = {"resultTypes": ["violations"]}
    if rules:
        options["rules"] = rules
    result = page.evaluate("async (o) => await axe.run(document, o)", options)
    return [
        {"id": v["id"], "impact": v.get("impact"), "help": v["help"],
         "targets": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]
