"""Each outcome's deciding test is decided once, in the analysis (``OutcomeResult.deciding``),
is in the JSON, and is what every renderer shows: a renderer given a deciding test that
differs from the outcome's other fields shows the deciding test's values."""

from __future__ import annotations

import html as htmllib
import io
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import evidencekit
from evidencekit.analysis.result import CLUSTER_TESTS, DecidingTest
from evidencekit.registry import TESTS
from evidencekit.render.text import print_analysis
from evidencekit.report import render_html

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
THEORY = {"problem": "p", "activities": ["a"], "outcomes": ["o"], "rationale": "r"}
KEYS = {"test", "statistic", "value", "df", "p_value", "p_value_adjusted", "adjustment",
        "alpha", "significant", "accounts_for_clustering", "measure", "estimate", "se", "ci",
        "ci_method"}


def _outcomes(r: evidencekit.AssessmentResult) -> list[Any]:
    return [o for e in r.analysis.evaluations for o in e.outcomes]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_outcome_carries_its_deciding_test_in_the_json(path: Path) -> None:
    r = evidencekit.assess(path)
    d = json.loads(json.dumps(r.to_dict()))
    for e in d["analysis"]["evaluations"]:
        for o in e["outcomes"]:
            dt = o["deciding"]
            if o["problems"] or (o["test"] is None and o["headline"] is None
                                 and not o["effects"]):
                continue
            assert dt is not None and set(dt) == KEYS, (path.name, o["name"])
            assert dt["test"] == o["test"] and dt["p_value"] == o["p_value"]
            assert dt["significant"] == o["significant"]
            assert dt["test"] is None or dt["test"] in TESTS
            if dt["test"] is not None:
                assert dt["p_value_adjusted"] == o["p_value_adjusted"]
            if o["headline"] is not None:
                assert (dt["measure"], dt["estimate"], dt["ci"]) == (
                    o["headline"]["measure"], o["headline"]["estimate"], o["headline"]["ci"])
            if dt["test"] in CLUSTER_TESTS:
                assert dt["accounts_for_clustering"] is True
            if e["design"] not in ("cluster_rct",) and o["clustering"] is None:
                assert dt["accounts_for_clustering"] in (None, True)
    h = d["headline"]
    if h is not None:
        assert h["deciding"] is not None and h["deciding"]["estimate"] == h["estimate"]
        assert h["deciding"]["p_value_adjusted"] == h["p_value"]


def test_story_friends_deciding_test_names_the_cluster_robust_t() -> None:
    r = evidencekit.assess(EXAMPLES[0].parent / "story-friends-cluster-trial.yaml")
    (o,) = _outcomes(r)
    d = o.deciding
    assert d is not None and d.test == "cr2" and d.statistic == "t"
    assert d.df is not None and 5 < d.df < 20  # Satterthwaite df from 16 clusters
    assert d.accounts_for_clustering is True and d.significant is False
    assert d.value is not None and d.estimate is not None and d.ci is not None
    assert d.ci[0] < 0 < d.ci[1]  # the interval of the verdict: includes no effect
    buf = io.StringIO()
    print_analysis(r.analysis, buf)
    text = " ".join(buf.getvalue().split())
    assert f"t({d.df:.2f}) = {d.value:.2f}" in text and "allows for clustering" in text
    page = " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", render_html(r))).split())
    assert f"t({d.df:.2f}) = {d.value:.2f}" in page


def test_published_cluster_adjusted_test_counts_as_allowing_for_clustering() -> None:
    ev = {"id": "e", "design": "cluster_rct", "clusters": {"treatment": 12, "control": 12},
          "outcomes": [{"name": "Score", "reported": {
              "t": 2.5, "n_treatment": 150, "n_control": 150, "cluster_adjusted": True}}]}
    doc = {"programme": {"name": "P"}, "theory_of_change": THEORY, "evaluations": [ev]}
    (o,) = _outcomes(evidencekit.assess(doc))
    d = o.deciding
    assert d is not None and d.test == "reported_t" and d.statistic == "t" and d.value == 2.5
    assert d.df == 298 and d.accounts_for_clustering is True


def test_a_cluster_design_without_cluster_counts_has_no_test_and_no_interval() -> None:
    ev = {"id": "e", "design": "cluster_rct", "outcomes": [{"name": "Score", "summary": {
        "treatment": {"n": 200, "mean": 53.0, "sd": 10.0},
        "control": {"n": 200, "mean": 50.0, "sd": 10.0}}}]}
    doc = {"programme": {"name": "P"}, "theory_of_change": THEORY, "evaluations": [ev]}
    r = evidencekit.assess(doc)
    (o,) = _outcomes(r)
    d = o.deciding
    assert d is not None and d.test is None and d.p_value is None and d.significant is None
    assert d.accounts_for_clustering is False
    # No interval that ignores the clustering the verdict needs, anywhere.
    assert d.ci is None and o.headline is not None and o.headline.ci is None
    assert r.headline is None or r.headline.ci is None


def _forged(r: evidencekit.AssessmentResult) -> evidencekit.AssessmentResult:
    """The same assessment with the first outcome's deciding test replaced by one whose
    every value differs from the outcome's other fields."""
    e0 = r.analysis.evaluations[0]
    o0 = e0.outcomes[0]
    assert o0.deciding is not None
    forged = DecidingTest("welch_t", "t", 7.77, 123.0, 0.0123, 0.0456, "benjamini_hochberg",
                          0.05, True, None, "hedges_g", 4.44, 0.5, (3.33, 5.55), "normal")
    o = replace(o0, deciding=forged)
    e = replace(e0, outcomes=(o, *e0.outcomes[1:]))
    analysis = replace(r.analysis, evaluations=(e, *r.analysis.evaluations[1:]))
    return replace(r, analysis=analysis)


def test_renderers_show_the_deciding_test_not_their_own_choice() -> None:
    ev = {"id": "e", "design": "rct", "outcomes": [{"name": "Score", "summary": {
        "treatment": {"n": 60, "mean": 52.0, "sd": 10.0},
        "control": {"n": 60, "mean": 50.0, "sd": 10.0}}}]}
    doc = {"programme": {"name": "P"}, "theory_of_change": THEORY, "evaluations": [ev]}
    r = _forged(evidencekit.assess(doc))
    buf = io.StringIO()
    print_analysis(r.analysis, buf)
    text = " ".join(buf.getvalue().split())
    assert "g = 4.44 [3.33, 5.55], p 0.046 (Welch's t-test, t(123) = 7.77)" in text, text
    assert "(Benjamini–Hochberg adjusted)" in text
    page = " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", render_html(r))).split())
    assert "g = 4.44 [3.33, 5.55]" in page and "t(123) = 7.77" in page
    assert "0.012 (adjusted 0.046)" in page
    from evidencekit.web.findings import outcome_sentences

    words = " ".join(outcome_sentences(r.analysis.evaluations[0].outcomes[0]))
    assert "p = 0.046" in words, words
