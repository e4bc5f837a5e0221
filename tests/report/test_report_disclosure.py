"""Statistical disclosure control: small counts shown as "<N", what reveals them withheld."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from report_helpers import FIXED_TIME, pdf_text, squash

from evidencekit.report import build_context, render_html, render_pdf
from evidencekit.report.context import ReportOptions

THEORY = {"problem": "p", "activities": ["a"], "outcomes": ["o"], "rationale": "r"}


def _pilot() -> dict[str, Any]:
    return {
        "schema": "evidencekit/submission@1",
        "programme": {"name": "Tiny pilot", "organisation": "Small Org"},
        "theory_of_change": THEORY,
        "evaluations": [{
            "id": "pilot", "design": "rct", "site": "Leeds",
            "assigned": {"treatment": 50, "control": 50},
            "outcomes": [
                {"name": "Wellbeing score", "summary": {
                    "treatment": {"n": 8, "mean": 30.1, "sd": 5.2, "pre_mean": 25.0,
                                  "pre_sd": 5.0},
                    "control": {"n": 12, "mean": 26.3, "sd": 5.0, "pre_mean": 25.1,
                                "pre_sd": 5.1}}},
                {"name": "In work", "kind": "binary", "summary": {
                    "treatment": {"n": 40, "events": 3}, "control": {"n": 45, "events": 12}}},
            ]}],
        "costs": {"per_participant": 500},
    }


@pytest.fixture(scope="module")
def pilot() -> Any:
    from evidencekit.api import assess

    return assess(_pilot())


def test_small_counts_are_shown_as_below_threshold(pilot: Any) -> None:
    ctx = build_context(pilot)
    ev = ctx.evaluations[0]
    wellbeing, work = ev.outcomes
    assert [g.n for g in wellbeing.groups] == ["<10", "12"]
    assert all(g.summary == "withheld" for g in wellbeing.groups)
    assert wellbeing.effect == "withheld" and wellbeing.p == "withheld"
    assert wellbeing.details == ()
    # 3 events of 40: the events are a small count, so the proportions and effects go too.
    assert [g.n for g in work.groups] == ["40", "45"]
    assert [g.summary for g in work.groups] == ["withheld", "withheld"]
    assert work.withheld and work.effect == "withheld"
    # Attrition rates with the counts shown would reveal the small analysed count.
    attrition = next(f.value for f in ev.facts if f.label == "Attrition")
    assert "rates withheld" in attrition and "%" not in attrition
    analysed = next(f.value for f in ev.facts if f.label == "Analysed")
    assert analysed == "<10 programme, 12 control"
    assert ctx.disclosure.applied
    assert ctx.forest is None and any("left out" in n for n in ctx.forest_notes)
    assert any("withheld" in c for c in ctx.caveats)


def test_engine_text_is_masked(pilot: Any) -> None:
    ctx = build_context(pilot)
    texts = [*ctx.quality_notes, *ctx.next_steps,
             *(c.reason for lv in ctx.assessment for c in lv.criteria),
             *(a for lv in ctx.assessment for c in lv.criteria for a in c.advice)]
    blob = " ".join(texts)
    # The engine wrote "only 8 analysed in the smaller group", "Small sample (8 in the
    # smaller group)", "With 8 per group ...", "(the smaller group had 8)".
    raw = " ".join(pilot.quality_notes) + " ".join(pilot.next_steps)
    assert "8 in the smaller group" in raw
    assert not re.search(r"\b8 (analysed|in the smaller group|per group)", blob)
    assert "had 8" not in blob and "analysed 8" not in blob
    assert "<10 in the smaller group" in blob
    # Statistics quoted in the reasons would let a reader solve for the count.
    assert "p = 0.119" not in blob and "g = 0.72" not in blob and "g ≥ 1.51" not in blob
    assert "needs p ≤ 0.05" in blob  # thresholds are not data


def test_threshold_is_configurable(pilot: Any) -> None:
    ctx = build_context(pilot, options=ReportOptions(disclosure_threshold=3))
    wellbeing, work = ctx.evaluations[0].outcomes
    assert [g.n for g in wellbeing.groups] == ["8", "12"]
    assert wellbeing.effect.startswith("g = ")
    assert [g.summary for g in work.groups] == ["3 of 40 (8%)", "12 of 45 (27%)"]
    assert not ctx.disclosure.applied
    with pytest.raises(Exception, match="disclosure-threshold"):
        ReportOptions(disclosure_threshold=0)


def test_no_row_level_data_in_reports(tmp_path: Path, poppler: Callable[..., str]) -> None:
    import random

    from evidencekit.api import _rubric, _submission, assess

    rng = random.Random(7)
    rows = ["id,arm,score,pre"]
    secrets = []
    for i in range(60):
        arm = "p" if i % 2 else "c"
        pre = 50 + rng.gauss(0, 8)
        score = pre + (4 if arm == "p" else 0) + rng.gauss(0, 5)
        rows.append(f"{i},{arm},{score:.4f},{pre:.4f}")
        secrets += [f"{score:.4f}", f"{pre:.4f}", f"{score:.2f}", f"{pre:.2f}"]
    (tmp_path / "rows.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    doc = {"schema": "evidencekit/submission@1",
           "programme": {"name": "Row data programme"}, "theory_of_change": THEORY,
           "evaluations": [{"id": "trial", "design": "rct", "outcomes": [{
               "name": "Score", "data": "rows.csv",
               "columns": {"outcome": "score", "group": "arm", "treatment": "p",
                           "pretest": "pre"}}]}]}
    (tmp_path / "sub.yaml").write_text(__import__("yaml").safe_dump(doc), encoding="utf-8")
    sub = _submission(tmp_path / "sub.yaml")
    rub = _rubric("nesta", None)
    result = assess(sub, rubric=rub)
    html = render_html(result, submission=sub, rubric=rub, generated_at=FIXED_TIME)
    render_pdf(result, tmp_path / "r.pdf", submission=sub, rubric=rub,
               generated_at=FIXED_TIME)
    text = squash(pdf_text(poppler, tmp_path / "r.pdf"))
    group_means = {f"{g.mean:.2f}" for e in result.analysis.evaluations for o in e.outcomes
                   for g in o.groups.values() if g.mean is not None}
    leaked = [s for s in secrets if (s in html or s in text) and s not in group_means]
    assert leaked == []
    # The data file is named and hashed, never shown.
    import hashlib

    digest = hashlib.sha256((tmp_path / "rows.csv").read_bytes()).hexdigest()
    assert digest in html and "rows.csv" in html


def test_small_counts_never_reach_the_pdf(pilot: Any, tmp_path: Path,
                                          poppler: Callable[..., str]) -> None:
    render_pdf(pilot, tmp_path / "p.pdf", generated_at=FIXED_TIME)
    text = squash(pdf_text(poppler, tmp_path / "p.pdf"))
    assert "<10" in text
    for revealing in ("30.10", "26.30", "3 of 40", "(8%)", "0.72", "8 in the smaller group",
                      "had 8", "With 8 per group"):
        assert revealing not in text, revealing
