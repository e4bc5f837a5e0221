"""Every view of one assessment says the same thing about the facts a panel acts on: whether
the headline effect is causal evidence, where the programme sits on value for money, and its
cost. The views are the JSON (``assess --format json``), the report's page one and value
section, scores.csv and scores.xlsx, and the portfolio's ranked table. Each fact is decided
once (the assessment: ``headline_causal``; ``analysis/value.py``: the position); a view that
words it differently from the decision is a bug, and these tests compare them.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from report_helpers import EXAMPLES

from evidencekit.api import assess
from evidencekit.cli import main
from evidencekit.report import build_context

NAMES = [p.stem for p in sorted(EXAMPLES.glob("*.yaml"))]
with (EXAMPLES / "round.csv").open(encoding="utf-8", newline="") as _f:
    #: The applications of the funder's round (the ``funders_round`` fixture's batch).
    ROUND = [row["application_id"] for row in csv.DictReader(_f)]
MORE = "achieves more"


@pytest.fixture(scope="module")
def scores(funders_round: Path) -> dict[str, dict[str, str]]:
    with (funders_round / "scores.csv").open(encoding="utf-8", newline="") as f:
        return {r["application_id"]: r for r in csv.DictReader(f)}


def _json(name: str) -> dict[str, Any]:
    out = CliRunner().invoke(main, ["assess", str(EXAMPLES / f"{name}.yaml"), "--format",
                                    "json"])
    assert out.exit_code == 0, out.output
    data: dict[str, Any] = json.loads(out.output)
    return data


@pytest.mark.parametrize("name", ROUND)
def test_causal_mark_and_cost_agree_in_json_scores_and_portfolio(
        name: str, scores: dict[str, dict[str, str]], funders_round: Path) -> None:
    r = assess(EXAMPLES / f"{name}.yaml")
    data = _json(name)
    assert data["headline_causal"] is r.headline_causal
    row = scores[name]
    assert row["effect_causal"] == ("" if r.headline_causal is None
                                    else str(r.headline_causal).lower())
    v = r.value_for_money
    assert row["cost_per_participant"] == ("" if v is None else repr(v.cost_per_participant))
    assert row["cost_currency"] == ("" if v is None else v.currency)
    html = (funders_round / "portfolio.html").read_text(encoding="utf-8")
    cells = re.search(r"<tr[^>]*>\s*<th scope=\"row\">" + row["rank"] + r"</th>(.*?)</tr>",
                      html, re.S)
    assert cells is not None and name in cells.group(1)
    marked = "✗" in cells.group(1)
    # The portfolio marks exactly the effects the assessment found not causal.
    assert marked == (r.headline_causal is False and r.headline is not None), name


@pytest.mark.parametrize("name", NAMES)
def test_value_for_money_says_one_thing_everywhere(name: str) -> None:
    r = assess(EXAMPLES / f"{name}.yaml")
    data = _json(name)
    v = r.value_for_money
    ctx = build_context(r)
    so_what = ctx.so_what
    if v is None:
        assert data["value_for_money"] is None and ctx.value is None
        assert MORE not in so_what
        return
    jv = data["value_for_money"]
    assert jv["position"] == v.position
    assert jv["pooled_includes_no_effect"] is v.pooled_includes_no_effect
    assert ctx.value is not None
    # Page one claims "achieves more" only for the position that says so, and only when the
    # assessment found the effect causal (or the rubric has no causal test).
    assert (MORE in so_what) == (v.position == "dominant" and not r.headline.cautions
                                 if r.headline is not None else False), so_what
    if MORE in so_what:
        assert r.headline_causal is not False
        assert "dominant" in ctx.value.summary and "dominant" in (ctx.value.position or "")
    if v.position == "not_causal":
        assert MORE not in so_what and "causal test" in ctx.value.summary
    # When the pooled interval includes no effect, the claim names what it rests on, and
    # the summary gives the pooled interval.
    if v.pooled_includes_no_effect:
        assert "in its strongest evaluation" in so_what
        assert "Pooled across" in ctx.value.summary and "includes no effect" in ctx.value.summary


@pytest.mark.parametrize("name", NAMES)
def test_page_one_explains_a_pooled_interval_that_includes_no_effect(name: str) -> None:
    r = assess(EXAMPLES / f"{name}.yaml")
    pooled = r.analysis.pooled
    lines = build_context(r).headline
    pooled_line = next((x for x in lines if x.startswith("Pooled across")), None)
    if pooled is None or pooled.k < 2:
        assert pooled_line is None
        return
    assert pooled_line is not None
    wide = pooled.ci_random[0] <= 0 <= pooled.ci_random[1]
    assert ("includes no effect." in pooled_line) == wide


def test_access_project_before_and_after() -> None:
    """Before: "it costs less than the comparator and achieves more" beside a pooled interval
    of −0.41 to 1.18 with nothing to reconcile them. After: the claim says it rests on the
    strongest evaluation (whose interval excludes no effect, and which passes the causal
    test), and page one says why the pooled interval of two evaluations is so wide."""
    r = assess(EXAMPLES / "access-project.yaml")
    v = r.value_for_money
    assert v is not None and v.position == "dominant" and v.pooled_includes_no_effect
    assert r.headline_causal is True
    ctx = build_context(r)
    assert ctx.so_what.endswith("it costs less than the comparator and achieves more in its "
                                "strongest evaluation.")
    assert "(95% CI 0.14 to 0.69, in the favourable direction)" in ctx.value.summary  # type: ignore[union-attr]
    pooled_line = ctx.headline[0]
    assert "95% CI −0.41 to 1.18" in pooled_line
    assert ("With only 2 evaluations (a t on 1 degree of freedom) this interval is very wide "
            "and includes no effect.") in pooled_line


def test_an_effect_that_is_not_causal_is_not_called_more_effective() -> None:
    """A cheaper programme whose only evaluation is a comparison whose groups differed at
    baseline (it fails the causal test) but shows a significant favourable effect: not
    "dominant", and no cost per unit."""
    from test_report_value import _trial

    doc = _trial(per_participant=400, comparator_per_participant=600)
    ev = doc["evaluations"][0]
    ev["design"] = "comparison_group"
    ev.pop("assigned")
    # Pretest means 6 points (0.6 SD) apart: baseline equivalence is not satisfied.
    summary = ev["outcomes"][0]["summary"]
    summary["treatment"].update(mean=62.0, pre_mean=30.0, pre_sd=10.0)
    summary["control"].update(pre_mean=24.0, pre_sd=10.0)
    r = assess(doc)
    assert r.headline_causal is False
    v = r.value_for_money
    assert v is not None and v.position == "not_causal"
    assert v.per_unit is not None and v.per_unit.ratio == "not_causal"
    assert v.per_unit.estimate is None
    ctx = build_context(r)
    assert MORE not in ctx.so_what
    assert ctx.value is not None and "does not pass the causal test" in ctx.value.summary
    # The same programme with a randomised trial passes and is dominant.
    assert assess(_trial(per_participant=400, comparator_per_participant=600)
                  ).value_for_money.position == "dominant"  # type: ignore[union-attr]
