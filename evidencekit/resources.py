"""Where the bundled rubrics and report templates are, installed or in a source checkout.

In a wheel they ship inside the package (``evidencekit/_bundled/``); in a checkout they stay at
the top level of the repository (``rubrics/``, ``report_templates/``).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    for candidate in (_PACKAGE / "_bundled" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"evidencekit is installed without its {name}/ folder")


def rubrics_dir() -> Path:
    return _find("rubrics")


def templates_dir() -> Path:
    return _find("report_templates")
