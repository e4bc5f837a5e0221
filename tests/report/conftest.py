"""Fixtures for the report tests (helpers live in report_helpers.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from report_helpers import EXAMPLES, Rendered, poppler_runner, render


@pytest.fixture(scope="session")
def access(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """The Access Project's report (two evaluations, clustering, value for money)."""
    return render("access-project", tmp_path_factory.mktemp("access"))


@pytest.fixture(scope="session")
def poppler() -> Callable[..., str]:
    """Run a poppler tool on a file and return its standard output."""
    return poppler_runner()


@pytest.fixture(scope="session")
def every_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every bundled example scored as one batch: an HTML and a PDF report for each, and the
    portfolio of the round (``reports/*.html``, ``reports/*.pdf``, ``portfolio.*``)."""
    from evidencekit.batch.runner import BatchOptions, run_batch

    out = tmp_path_factory.mktemp("examples")
    run_batch(EXAMPLES, out, BatchOptions(pdf=True, html=True, workers=2, progress=False))
    return out


@pytest.fixture(scope="session")
def funders_round(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The examples as a funder's round: ``examples/round.csv`` gives each application the
    funder's theme and amount requested. Scores and the portfolio only (no reports)."""
    from evidencekit.batch.runner import BatchOptions, run_batch

    out = tmp_path_factory.mktemp("round")
    run_batch(EXAMPLES / "round.csv", out, BatchOptions(workers=2, progress=False))
    return out
