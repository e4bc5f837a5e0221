"""Every status the assessment can emit has its words in every view, from one registry entry
(evidencekit.vocabulary.CRITERION_STATUS / LEVEL_STATUS): the terminal, the web result page,
the report (HTML; the PDF is the same template), scores.csv/xlsx and the ladder chart.

The results below between them hold every criterion status (verified, validated, claimed,
not met) and every level status (reached, validated only, claimed only, not reached), so a
view whose own map lacked one fails here, not in front of a reviewer (issue #16).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import evidencekit
from evidencekit.assessment.engine import CRITERION_STATUSES, LEVEL_STATUSES
from evidencekit.review.model import Judgement
from evidencekit.vocabulary import CRITERION_STATUS, LEVEL_STATUS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CITY_YEAR = EXAMPLES / "city-year.yaml"  # verified 2, claimed 3 (nesta.L3.comparison)


@pytest.fixture(scope="module")
def results() -> list[Any]:
    validated = Judgement("city-year", "nesta.L3.comparison", "validated", "Ada Khan",
                          "The comparison in the annual report holds.",
                          "2026-12-02T01:00:00Z", None)
    return [evidencekit.assess(CITY_YEAR), evidencekit.assess(CITY_YEAR,
                                                              judgements=[validated])]


def test_the_engine_emits_exactly_the_registry_statuses() -> None:
    assert CRITERION_STATUSES == tuple(CRITERION_STATUS) == (
        "verified", "validated", "claimed", "not_met")
    assert LEVEL_STATUSES == tuple(LEVEL_STATUS) == (
        "reached", "validated_only", "claimed_only", "not_reached")
    for s in (*CRITERION_STATUS.values(), *LEVEL_STATUS.values()):
        assert s.label and s.words and s.terminal and s.colour
        assert s.criterion in CRITERION_STATUS


def test_the_results_hold_every_status(results: list[Any]) -> None:
    crit = {c.status for r in results for lv in r.levels for c in lv.criteria}
    levels = {lv.status for r in results for lv in r.levels}
    assert crit == set(CRITERION_STATUS) and levels == set(LEVEL_STATUS)


def test_terminal(results: list[Any]) -> None:
    from evidencekit.render.text import print_assessment

    for r in results:
        out = io.StringIO()
        print_assessment(r, out)
        text = out.getvalue()
        for lv in r.levels:
            for c in lv.criteria:
                assert f"{c.id} [{CRITERION_STATUS[c.status].words}]" in text, c.id


def test_web_result_page(results: list[Any]) -> None:
    from evidencekit.web.app import WebApp, WebConfig, result_parts

    web = WebApp(WebConfig())
    for r in results:
        ladder, missing, found = result_parts(r)
        page = web.env.get_template("result.html.j2").render(
            csrf="x", step="result", notice=None, answers=None, error_items=[],
            out=SimpleNamespace(result=r, problems=[], doc={}), ladder=ladder,
            missing=missing, files=[], findings=found)
        summaries = dict(re.findall(r"<summary>Level (\d+): .*? — ([^<]+)</summary>", page))
        for lv in r.levels:
            assert summaries[str(lv.level)] == LEVEL_STATUS[lv.status].words
        shown = re.findall(r'<span class="status status-(\w+)">([^<]+)</span>',
                           page.split('id="all"')[1])
        want = [c.status for lv in reversed(r.levels) for c in lv.criteria]
        assert [k for k, _ in shown] == want
        assert all(w == f"{CRITERION_STATUS[k].mark} {CRITERION_STATUS[k].words}"
                   for k, w in shown)
        if r.review is not None:
            assert f'id="validated-level">{r.validated}<' in page


def test_report_page_one_and_levels(results: list[Any]) -> None:
    from evidencekit.report import render_html

    for r in results:
        html = render_html(r, deterministic=True)
        rows = re.findall(r'<span class="badge (\w+)">([^<]+)</span>', html)
        level_rows = rows[:len(r.levels)]  # page one's table, highest level first
        assert [k for k, _ in level_rows] == [LEVEL_STATUS[lv.status].criterion
                                             for lv in reversed(r.levels)]
        assert all(label == CRITERION_STATUS[k].label for k, label in rows)
        if r.review is not None:  # page one shows the validated level beside the others
            assert re.search(r"Validated level</p>\s*<p class=\"level-number\">"
                             rf"{r.validated}<", html)
            assert f"with the claims reviewers validated, level {r.validated}" in html
        else:
            assert "Validated level" not in html


def test_ladder_chart_words() -> None:
    from evidencekit.report.charts import Step, level_ladder

    steps = [Step(i + 1, "a level", s, f"L{i + 1}") for i, s in enumerate(CRITERION_STATUS)]
    svg = level_ladder(steps, title="t", desc="d")
    for i, s in enumerate(CRITERION_STATUS.values()):
        assert f"L{i + 1}: {s.label.lower()}" in svg


def test_scores_words() -> None:
    from evidencekit.batch.outputs import LEVEL_STATUS_WORDS, STATUS_WORDS
    from evidencekit.report.plain import CODES

    assert {k: s.label for k, s in CRITERION_STATUS.items()} == STATUS_WORDS
    assert {k: s.label for k, s in LEVEL_STATUS.items()} == LEVEL_STATUS_WORDS
    for k in (*CRITERION_STATUS, *LEVEL_STATUS):
        if "_" in k:
            assert k in CODES
