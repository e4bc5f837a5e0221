"""Reproducible bytes: --deterministic or SOURCE_DATE_EPOCH gives the same PDF every time."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from report_helpers import EXAMPLES, REPO, pdf_text, squash

from evidencekit.api import assess
from evidencekit.errors import UsageError
from evidencekit.report import build_context, render_html, render_pdf
from evidencekit.report.context import ReportOptions, generation_time

SCRIPT = """
import sys
from evidencekit.api import assess
from evidencekit.report import render_pdf
sys.stdout.buffer.write(render_pdf(assess(sys.argv[1]), deterministic=True))
"""


def test_two_renders_give_identical_bytes(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    result = assess(EXAMPLES / "goodgym.yaml")
    first = render_pdf(result, deterministic=True)
    second = render_pdf(result, tmp_path / "again.pdf", deterministic=True)
    assert first == second == (tmp_path / "again.pdf").read_bytes()
    assert render_html(result, deterministic=True) == render_html(result, deterministic=True)
    # ... and the same bytes from a fresh interpreter with another hash seed.
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PYTHONHASHSEED"] = "12345"
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(EXAMPLES / "goodgym.yaml")],
                          cwd=REPO, env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == first


def test_deterministic_records_no_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    ctx = build_context(assess(EXAMPLES / "code-club.yaml"),
                        options=ReportOptions(deterministic=True))
    assert ctx.generated is None and ctx.generated_iso is None
    assert any("not recorded" in p.value for p in ctx.provenance if p.item == "Generated")
    clock = build_context(assess(EXAMPLES / "code-club.yaml"))
    assert clock.generated_iso is not None


def test_source_date_epoch_sets_the_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         poppler: Callable[..., str]) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    result = assess(EXAMPLES / "code-club.yaml")
    first = render_pdf(result, tmp_path / "a.pdf")
    assert render_pdf(result) == first
    info = poppler("pdfinfo", "-isodates", tmp_path / "a.pdf")
    assert "2023-11-14T22:13:20" in info
    text = squash(pdf_text(poppler, tmp_path / "a.pdf"))
    assert "2023-11-14 22:13:20 UTC (from SOURCE_DATE_EPOCH)" in text
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(UsageError, match="SOURCE_DATE_EPOCH"):
        generation_time(ReportOptions())
