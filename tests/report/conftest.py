"""Fixtures for the report tests (helpers live in report_helpers.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from report_helpers import Rendered, poppler_runner, render


@pytest.fixture(scope="session")
def access(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """The Access Project's report (two evaluations, clustering, value for money)."""
    return render("access-project", tmp_path_factory.mktemp("access"))


@pytest.fixture(scope="session")
def poppler() -> Callable[..., str]:
    """Run a poppler tool on a file and return its standard output."""
    return poppler_runner()
