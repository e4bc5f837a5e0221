"""Shared fixtures for the statistics tests: golden values computed in R (tests/reference)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REFERENCE = Path(__file__).resolve().parent.parent / "reference"


def load_golden(name: str) -> dict[str, Any]:
    """The JSON written by tests/reference/<name>.R (see tests/reference/README.md)."""
    with (REFERENCE / f"{name}.json").open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@pytest.fixture(scope="session")
def golden() -> Callable[[str], dict[str, Any]]:
    return load_golden
