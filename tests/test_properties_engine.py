"""Property tests of the assessment engine over random valid submissions.

Invariants (SPEC §2): assessing never raises; 0 ≤ level ≤ claimed_level ≤ number of levels;
a claim only ever fills gaps, so adding one never changes the verified level and never lowers
the claimed level; and the result is strict JSON (no NaN or infinity leaks into output).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidencekit.api import assess
from evidencekit.assessment.rubric import load_rubric

NESTA = load_rubric("nesta")
CRITERIA = [c.id for lv in NESTA.levels for c in lv.criteria]
TWO_GROUP = ("comparison_group", "rct", "cluster_rct")

real = st.floats(min_value=-500, max_value=500, allow_nan=False, allow_infinity=False)
positive_sd = st.floats(min_value=0.01, max_value=80, allow_nan=False, allow_infinity=False)
# SDs are 0 or at least 0.01: subnormal SDs such as 1e-300 reach corners of the statistics
# (division by an underflowed variance) that no submission written by a person reaches.
sd = st.one_of(st.just(0.0), positive_sd)
n = st.integers(min_value=2, max_value=400)


@st.composite
def continuous_group(draw: Any, pretest: bool) -> dict[str, Any]:
    g = {"n": draw(n), "mean": draw(real), "sd": draw(sd)}
    if pretest:
        g.update(pre_mean=draw(real), pre_sd=draw(sd))
    return g


@st.composite
def binary_group(draw: Any, pretest: bool) -> dict[str, Any]:
    size = draw(n)
    g = {"n": size, "events": draw(st.integers(0, size))}
    if pretest:
        g["pre_events"] = draw(st.integers(0, size))
    return g


@st.composite
def reported(draw: Any, kind: str) -> dict[str, Any]:
    stats = ["t", "z", "p", "f", "hedges_g", "mean_difference"]
    if kind == "binary":
        stats.append("odds_ratio")
    stat = draw(st.sampled_from(stats))
    r: dict[str, Any] = {}
    if draw(st.booleans()) or stat in ("t", "z", "p", "f"):
        r.update(n_treatment=draw(n), n_control=draw(n))
    if stat in ("t", "z"):
        r[stat] = draw(st.floats(-15, 15))
    elif stat == "p":
        r.update(p=draw(st.floats(1e-12, 1)), sign=draw(st.sampled_from([1, -1])))
    elif stat == "f":
        r.update(f=draw(st.floats(0, 200)), sign=draw(st.sampled_from([1, -1])))
    elif stat == "hedges_g":
        r.update(hedges_g=draw(st.floats(-3, 3)), se=draw(st.floats(0.01, 2)))
    elif stat == "mean_difference":
        est = draw(real)
        lo, hi = est - draw(st.floats(0.01, 50)), est + draw(st.floats(0.01, 50))
        r.update(mean_difference=est, ci=[lo, hi])
        if draw(st.booleans()):
            r["sd"] = draw(positive_sd)
    else:
        est = draw(st.floats(0.05, 20))
        r.update(odds_ratio=est, ci=[est / draw(st.floats(1.01, 5)),
                                     est * draw(st.floats(1.01, 5))])
    r["adjusted"] = draw(st.booleans())
    if draw(st.booleans()):
        r["cluster_adjusted"] = draw(st.booleans())
    return r


@st.composite
def outcome(draw: Any, design: str, index: int) -> dict[str, Any]:
    kind = draw(st.sampled_from(["continuous", "binary"]))
    o: dict[str, Any] = {"name": f"Outcome {index}", "kind": kind,
                         "primary": draw(st.booleans()) if index else True,
                         "direction": draw(st.sampled_from(["higher_is_better",
                                                            "lower_is_better"])),
                         "domain": draw(st.sampled_from([None, "achievement", "health"]))}
    group = continuous_group if kind == "continuous" else binary_group
    if design in TWO_GROUP and draw(st.integers(0, 3)) == 0:
        o["reported"] = draw(reported(kind))
    elif design in TWO_GROUP:
        pretest = draw(st.booleans())
        o["summary"] = {"treatment": draw(group(pretest)), "control": draw(group(pretest))}
        if kind == "continuous" and pretest and draw(st.booleans()):
            o["summary"]["correlation"] = draw(st.floats(-1, 1))
    elif design == "pre_post":
        o["summary"] = {"pre": draw(group(False)), "post": draw(group(False))}
        if kind == "continuous" and draw(st.booleans()):
            o["summary"]["correlation"] = draw(st.floats(-1, 1))
    else:
        o["summary"] = {"post": draw(group(False))}
    return {k: v for k, v in o.items() if v is not None}


def _analysed(o: dict[str, Any]) -> tuple[int, int] | None:
    if "summary" in o:
        return o["summary"]["treatment"]["n"], o["summary"]["control"]["n"]
    r = o["reported"]
    if "n_treatment" in r:
        return r["n_treatment"], r["n_control"]
    return None


@st.composite
def evaluation(draw: Any, index: int) -> dict[str, Any]:
    design = draw(st.sampled_from(["none", "post_only", "pre_post", *TWO_GROUP, *TWO_GROUP]))
    e: dict[str, Any] = {"id": f"e{index}", "design": design,
                         "independent": draw(st.booleans()),
                         "site": draw(st.sampled_from([None, "Leeds", "York", "leeds ", "Hull"])),
                         "delivered_by": draw(st.sampled_from([None, "Org", "Council"]))}
    if design != "none":
        e["outcomes"] = [draw(outcome(design, j)) for j in range(draw(st.integers(1, 3)))]
    if design in TWO_GROUP and draw(st.booleans()):
        counts = [_analysed(o) for o in e["outcomes"]]
        known = [c for c in counts if c is not None] or [(2, 2)]
        e["assigned"] = {"treatment": max(c[0] for c in known) + draw(st.integers(0, 60)),
                         "control": max(c[1] for c in known) + draw(st.integers(0, 60))}
    if design == "cluster_rct" and draw(st.booleans()):
        e["clusters"] = {"treatment": draw(st.integers(1, 30)),
                         "control": draw(st.integers(1, 30))}
        if draw(st.booleans()):
            e["icc"] = draw(st.floats(0, 0.6))
    return {k: v for k, v in e.items() if v is not None}


@st.composite
def submissions(draw: Any) -> dict[str, Any]:
    toc_keys = draw(st.sets(st.sampled_from(["problem", "activities", "outcomes", "rationale",
                                             "references"])))
    toc = {k: (["x"] if k in ("activities", "outcomes", "references") else "x")
           for k in toc_keys}
    doc: dict[str, Any] = {
        "programme": {"name": "P", "organisation": draw(st.sampled_from([None, "Org"]))},
        "theory_of_change": toc,
        "evaluations": [draw(evaluation(i)) for i in range(draw(st.integers(0, 4)))],
    }
    if draw(st.booleans()):
        doc["costs"] = {"per_participant": draw(st.floats(0, 5000))}
    if draw(st.booleans()):
        doc["scaling"] = {k: draw(st.booleans()) for k in
                          draw(st.sets(st.sampled_from(["manual", "training",
                                                        "fidelity_monitoring",
                                                        "delivered_by_others"])))}
        doc["scaling"]["sites"] = draw(st.integers(0, 10))
    claimed = draw(st.sets(st.sampled_from(CRITERIA)))
    doc["claims"] = {c: {"answer": draw(st.booleans())} for c in sorted(claimed)}
    doc["programme"] = {k: v for k, v in doc["programme"].items() if v is not None}
    return doc


@settings(deadline=None, max_examples=60,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(submissions(), st.sampled_from(CRITERIA), st.booleans())
def test_assess_invariants(doc: dict[str, Any], extra_claim: str, answer: bool) -> None:
    result = assess(doc)
    assert 0 <= result.level <= result.claimed_level <= len(NESTA.levels)
    json.dumps(result.to_dict(), allow_nan=False)  # strict JSON: raises on NaN or infinity

    if extra_claim in doc["claims"]:
        return
    more = copy.deepcopy(doc)
    more["claims"][extra_claim] = {"answer": answer}
    after = assess(more)
    assert after.level == result.level
    assert after.claimed_level >= result.claimed_level
    if not answer:
        assert after.claimed_level == result.claimed_level


@settings(deadline=None, max_examples=30,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(submissions())
def test_claiming_everything_bounds_the_claimed_level(doc: dict[str, Any]) -> None:
    """Answering yes to every criterion gives the highest claimed level evidence allows."""
    result = assess(doc)
    doc["claims"] = {c: {"answer": True} for c in CRITERIA}
    everything = assess(doc)
    assert everything.level == result.level
    assert everything.claimed_level >= result.claimed_level
    for lv in everything.levels:
        for c in lv.criteria:
            assert c.status != "claimed" or not any(
                c.id == v.id and v.status == "verified" for w in result.levels
                for v in w.criteria)


@settings(deadline=None, max_examples=30,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(submissions())
def test_statuses_do_not_depend_on_explanations(doc: dict[str, Any]) -> None:
    """Batch scoring skips explanations; it must reach the same statuses and levels."""
    from evidencekit.analysis import analyse_submission
    from evidencekit.assessment.engine import analysis_options, assess_submission
    from evidencekit.load import load_submission

    sub = load_submission(doc)
    analysis = analyse_submission(sub, analysis_options(NESTA))
    full = assess_submission(sub, NESTA, analysis)
    quick = assess_submission(sub, NESTA, analysis, explain=False)
    assert (quick.level, quick.claimed_level) == (full.level, full.claimed_level)
    assert [(c.id, c.status) for lv in quick.levels for c in lv.criteria] == [
        (c.id, c.status) for lv in full.levels for c in lv.criteria]
