"""Fixtures for the row-level data tests (golden values in tests/reference/rows.json)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rows_helpers import REFERENCE, Cli


@pytest.fixture(scope="session")
def rows_golden() -> dict[str, Any]:
    """Values printed by tests/reference/rows.R (R 4.2, clubSandwich, metafor, pwr)."""
    with (REFERENCE / "rows.json").open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@pytest.fixture()
def cli() -> Cli:
    return Cli()


@pytest.fixture()
def analyse_json(cli: Cli) -> Callable[[Path], dict[str, Any]]:
    def run(path: Path) -> dict[str, Any]:
        code, out, err = cli("analyse", str(path), "--format", "json")
        assert code == 0, err
        data: dict[str, Any] = json.loads(out)
        return data

    return run
