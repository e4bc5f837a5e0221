"""Value for money: the figures, their JSON form and how the report words them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from report_helpers import EXAMPLES

from evidencekit.analysis.value import value_for_money
from evidencekit.api import assess
from evidencekit.cli import main
from evidencekit.load.model import Costs
from evidencekit.report import build_context

THEORY = {"problem": "p", "activities": ["a"], "outcomes": ["o"], "rationale": "r"}


def _trial(kind: str = "continuous", **costs: Any) -> dict[str, Any]:
    if kind == "binary":
        summary = {"treatment": {"n": 200, "events": 120}, "control": {"n": 200, "events": 90}}
    else:
        summary = {"treatment": {"n": 150, "mean": 55.0, "sd": 10.0},
                   "control": {"n": 150, "mean": 52.0, "sd": 10.0}}
    doc: dict[str, Any] = {
        "schema": "evidencekit/submission@1", "programme": {"name": "P"},
        "theory_of_change": THEORY,
        "evaluations": [{"id": "t", "design": "rct", "assigned": {"treatment": 210,
                                                                   "control": 210},
                         "outcomes": [{"name": "O", "kind": kind, "summary": summary}]}]}
    if costs:
        doc["costs"] = costs
    return doc


def test_continuous_cost_per_tenth_of_a_standard_deviation() -> None:
    r = assess(_trial(per_participant=800, comparator_per_participant=500))
    v = r.value_for_money
    assert v is not None and v.basis == "net" and v.net_cost == 300
    pu = v.per_unit
    assert pu is not None and pu.per == "0.1_sd" and pu.measure == "hedges_g"
    g = r.analysis.evaluations[0].outcomes[0].headline
    assert g is not None and g.ci is not None
    assert pu.estimate == pytest.approx(300 * 0.1 / g.estimate)
    assert pu.low == pytest.approx(30 / g.ci[1]) and pu.high == pytest.approx(30 / g.ci[0])
    assert v.position == "trade_off"


def test_binary_cost_per_additional_positive_outcome_is_net_cost_times_nnt() -> None:
    r = assess(_trial("binary", per_participant=1000, comparator_per_participant=400))
    v = r.value_for_money
    assert v is not None and v.per_unit is not None
    pu = v.per_unit
    rd = 120 / 200 - 90 / 200
    assert pu.per == "additional_positive_outcome"
    assert pu.nnt == pytest.approx(1 / rd)
    assert pu.estimate == pytest.approx(600 * (1 / rd))
    rd_ci = r.analysis.evaluations[0].outcomes[0].effects["risk_difference"].ci
    assert rd_ci is not None
    assert pu.low == pytest.approx(600 / rd_ci[1]) and pu.high == pytest.approx(600 / rd_ci[0])
    assert pu.nnt_ci == pytest.approx((1 / rd_ci[1], 1 / rd_ci[0]))


def test_no_comparator_uses_the_gross_cost_and_says_so() -> None:
    r = assess(_trial(per_participant=250))
    v = r.value_for_money
    assert v is not None and v.basis == "gross" and v.net_cost == 250
    assert "comparator" in v.notes[0]
    ctx = build_context(r)
    assert ctx.value is not None and ctx.value.comparator == "not given"
    assert "no comparator cost" in ctx.value.summary


def test_no_costs_no_value_for_money() -> None:
    r = assess(_trial())
    assert r.value_for_money is None
    assert r.to_dict()["value_for_money"] is None
    assert value_for_money(None, r.analysis) is None
    assert value_for_money(Costs(None, "GBP", 100.0), r.analysis) is None


def test_interval_including_no_effect_is_unbounded() -> None:
    doc = _trial(per_participant=900, comparator_per_participant=600)
    doc["evaluations"][0]["outcomes"][0]["summary"]["treatment"]["mean"] = 53.0
    r = assess(doc)
    pu = r.value_for_money.per_unit  # type: ignore[union-attr]
    assert pu is not None and pu.effect_ci is not None and pu.effect_ci[0] < 0
    # A range across a sign change of the effect means nothing (Briggs & Fenwick 2002).
    assert pu.low is None and pu.high is None and not pu.bounded and pu.ratio == "unbounded"
    assert pu.estimate == pytest.approx(300 * 0.1 / pu.effect)
    assert r.value_for_money.position == "no_effect"  # type: ignore[union-attr]
    ctx = build_context(r)
    assert ctx.value is not None and ctx.value.per_unit_range is None
    assert "no upper limit and no range is given" in ctx.value.summary


def test_cheaper_and_more_effective_is_dominant_and_gives_no_ratio() -> None:
    """Shared Lives costs £26,000 less than residential care and improves wellbeing: the
    message is "dominant", not "£6,341 saved per 0.1 SD, range £3,946 to £16,141 saved"."""
    r = assess(EXAMPLES / "shared-lives.yaml")
    v = r.value_for_money
    assert v is not None and v.position == "dominant" and v.net_cost < 0
    pu = v.per_unit
    assert pu is not None and pu.ratio == "cheaper"
    assert pu.estimate is None and pu.low is None and pu.high is None
    ctx = build_context(r)
    assert ctx.value is not None and ctx.value.per_unit_range is None
    assert "dominant: cheaper and more effective" in ctx.value.summary
    assert "saved" not in ctx.value.summary and "saved" not in (ctx.value.per_unit or "")


def test_cheaper_with_an_uncertain_effect_gives_no_ratio() -> None:
    doc = _trial(per_participant=400, comparator_per_participant=600)
    doc["evaluations"][0]["outcomes"][0]["summary"]["treatment"]["mean"] = 53.0
    r = assess(doc)
    v = r.value_for_money
    assert v is not None and v.position == "no_effect"
    assert v.per_unit is not None and v.per_unit.ratio == "cheaper"
    assert v.per_unit.estimate is None
    ctx = build_context(r)
    assert ctx.value is not None and "may be no better" in ctx.value.summary


def test_strongest_evaluation_is_used_not_the_most_flattering() -> None:
    r = assess(EXAMPLES / "shared-lives.yaml")
    pu = r.value_for_money.per_unit  # type: ignore[union-attr]
    # Two randomised trials; the independent one is preferred over the larger effect.
    assert pu is not None and pu.evaluation == "south-east-intermediate-care-rct"


def test_json_has_value_for_money() -> None:
    out = CliRunner().invoke(main, ["assess", str(EXAMPLES / "access-project.yaml"),
                                    "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    v = data["value_for_money"]
    assert v["currency"] == "GBP" and v["net_cost_per_participant"] == -450.0
    assert v["basis"] == "net" and v["position"] == "dominant"
    cpu = v["cost_per_unit"]
    assert cpu["per"] == "0.1_sd" and cpu["evaluation"] == "birmingham-cluster-rct-2016"
    # Cheaper and more effective: no ratio (a negative ICER has no meaning).
    assert cpu["ratio"] == "cheaper" and cpu["estimate"] is None
    assert cpu["range"] == [None, None] and cpu["bounded"] is False
    # Numbers are unrounded floats in JSON (rounding happens only when rendering).
    assert cpu["effect"] != round(cpu["effect"], 2)
