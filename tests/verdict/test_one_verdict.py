"""The assessment decides once: cumulative level status, the one headline rule, labelled
statistics; every surface shows those decisions."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import evidencekit
from evidencekit.analysis.evaluation import deciding_test
from evidencekit.analysis.headline import choose_headline, evaluation_headline
from evidencekit.analysis.result import (
    AnalysisOptions,
    AnalysisResult,
    EvaluationResult,
    Headline,
    OutcomeResult,
)
from evidencekit.batch.task import summarise
from evidencekit.render.text import print_assessment
from evidencekit.report import render_html

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
THEORY = {"problem": "p", "activities": ["a"], "outcomes": ["o"], "rationale": "r"}


def _rct(eid: str, n: int, independent: bool, diff: float) -> dict[str, Any]:
    return {"id": eid, "design": "rct", "site": eid, "independent": independent,
            "assigned": {"treatment": n, "control": n},
            "outcomes": [{"name": f"Score {eid}", "summary": {
                "treatment": {"n": n, "mean": 50.0 + diff, "sd": 10.0},
                "control": {"n": n, "mean": 50.0, "sd": 10.0}}}]}


def _text(result: evidencekit.AssessmentResult) -> str:
    import io

    buf = io.StringIO()
    print_assessment(result, buf)
    return buf.getvalue()


def test_dementia_friends_level_two_is_not_ticked() -> None:
    result = evidencekit.assess(EXAMPLES / "dementia-friends.yaml")
    assert result.level == 0
    l2 = result.levels[1]
    assert l2.own_gates_met and l2.status == "not_reached"
    text = _text(result)
    assert not re.search(r"✔ Level 2", text)
    assert re.search(r"· Level 2 .*not reached: its own criteria are shown", text)
    assert [lv.status for lv in result.levels] == ["not_reached"] * 5
    level = result.to_dict()["levels"][1]
    assert level["status"] == "not_reached" and level["own_gates_met"] is True


def test_statuses_are_cumulative_everywhere() -> None:
    result = evidencekit.assess(EXAMPLES / "goodgym.yaml")
    assert [lv.status for lv in result.levels] == [
        "reached", "reached", "reached", "claimed_only", "not_reached"]
    text = _text(result)
    assert re.search(r"\? Level 4", text) and re.search(r"✔ Level 3", text)
    assert re.search(r"· Level 5", text)


def test_two_rcts_one_headline_on_every_surface() -> None:
    # An in-house trial of 400 and an independent one of 60: the rule prefers independence.
    doc = {"schema": "evidencekit/submission@1", "programme": {"name": "Two trials"},
           "theory_of_change": THEORY, "costs": {"per_participant": 500.0},
           "evaluations": [_rct("inhouse", 200, False, 4.0), _rct("independent", 30, True, 6.0)]}
    result = evidencekit.assess(doc)
    h = result.headline
    assert h is not None and h.evaluation == "independent" and h.n_analysed == 60
    assert result.to_dict()["headline"]["source"] == "independent: Score independent"
    row = summarise(result)
    assert row["effect_source"] == h.source and row["effect"] == h.favourable_estimate
    assert result.value_for_money is not None and result.value_for_money.per_unit is not None
    assert result.value_for_money.per_unit.evaluation == "independent"
    html = render_html(result, deterministic=True)
    page_one = html.split("Score independent", 1)
    assert len(page_one) == 2, "the report's headline names another outcome"
    assert f"{h.symbol} = {h.estimate:.2f}" in _text(result)


def _outcome(name: str, p: float | None, n: int = 100) -> OutcomeResult:
    o = OutcomeResult(name, "continuous", True, "higher_is_better", None, "rct", "reported",
                      p_value=p, test="normal_z" if p is not None else None,
                      headline=Headline("hedges_g", 0.3, 0.1, (0.1, 0.5)),
                      n_treatment=n, n_control=n)
    return replace(o, deciding=deciding_test(o, 0.05))


def _analysis(*evaluations: EvaluationResult) -> AnalysisResult:
    return AnalysisResult("p", None, evaluations, AnalysisOptions.default())


def test_a_p_of_exactly_zero_is_the_smallest() -> None:
    e = EvaluationResult("e", "rct", None, True, None, None, None,
                         (_outcome("half", 0.5), _outcome("zero", 0.0), _outcome("none", None)))
    assert evaluation_headline(e).name == "zero"  # type: ignore[union-attr]
    a = EvaluationResult("a", "rct", None, True, None, None, None, (_outcome("a", 0.3),))
    b = EvaluationResult("b", "rct", None, True, None, None, None, (_outcome("b", 0.0),))
    headline = choose_headline(_analysis(a, b))
    assert headline is not None and headline.evaluation == "b"


def test_rule_order_design_then_independence_then_size() -> None:
    big = EvaluationResult("big", "comparison_group", None, True, None, None, None,
                           (_outcome("x", 0.001, 900),))
    small = EvaluationResult("small", "rct", None, False, None, None, None,
                             (_outcome("y", 0.2, 20),))
    assert choose_headline(_analysis(big, small)).evaluation == "small"  # type: ignore[union-attr]
    c = EvaluationResult("c", "rct", None, False, None, None, None, (_outcome("z", 0.2, 500),))
    d = EvaluationResult("d", "rct", None, False, None, None, None, (_outcome("w", 0.01, 50),))
    assert choose_headline(_analysis(c, d)).evaluation == "c"  # type: ignore[union-attr]


def test_story_friends_other_statistics_are_labelled() -> None:
    result = evidencekit.assess(EXAMPLES / "story-friends-cluster-trial.yaml")
    h = result.headline
    assert h is not None and h.test == "cr2" and h.p_value is not None and h.p_value > 0.05
    text = re.sub(r"<[^>]+>", " ", render_html(result, deterministic=True))
    text = " ".join(text.split())
    for label in ("ANCOVA-adjusted difference (b)", "Difference-in-differences g (g_DiD)"):
        i = text.index(label)
        shown = text[i:i + 120]
        assert "ignoring clustering" in shown, shown
