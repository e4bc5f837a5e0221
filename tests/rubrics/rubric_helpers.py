"""Small submissions for the framework rubrics' boundary tests (imported by the tests in
tests/rubrics/; the name is unique so it cannot clash with other test folders' helpers).

Every builder returns a plain dict, deep-copied, so a test can change one key and compare the
level just below a boundary with the level just at it.
"""

from __future__ import annotations

import copy
from typing import Any

from evidencekit.api import assess

#: A theory of change that meets every model criterion (problem, activities, outcomes,
#: rationale); no evaluation plan.
THEORY = {
    "problem": "Too few young people from low-income homes stay in education.",
    "activities": ["Weekly mentoring by trained volunteers"],
    "outcomes": ["Higher attendance"],
    "rationale": "Mentoring raises attendance in several trials.",
}


def submission(*evaluations: dict[str, Any], **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "schema": "evidencekit/submission@1",
        "programme": {"name": "Test programme", "organisation": "Test charity"},
        "theory_of_change": copy.deepcopy(THEORY),
        "evaluations": [copy.deepcopy(e) for e in evaluations],
    }
    for key, value in copy.deepcopy(extra).items():
        if key == "theory_of_change":
            doc["theory_of_change"].update(value)
        else:
            doc[key] = value
    return doc


def _outcome(treatment: tuple[int, float, float], control: tuple[int, float, float],
             pre: tuple[float, float] | None, **extra: Any) -> dict[str, Any]:
    groups = {}
    for side, (n, mean, sd), pre_mean in (("treatment", treatment, pre[0] if pre else None),
                                          ("control", control, pre[1] if pre else None)):
        g: dict[str, Any] = {"n": n, "mean": mean, "sd": sd}
        if pre_mean is not None:
            g.update(pre_mean=pre_mean, pre_sd=sd)
        groups[side] = g
    return {"name": "Attendance (%)", "summary": groups, **extra}


def trial(eid: str = "trial", *, site: str = "Leeds", independent: bool = False,
          n: int = 100, difference: float = 5.0, sd: float = 10.0,
          assigned: tuple[int, int] | None = (105, 105), design: str = "rct",
          pre: tuple[float, float] | None = None, outcome: dict[str, Any] | None = None,
          **extra: Any) -> dict[str, Any]:
    """A two-group evaluation with one primary outcome given as summaries. The defaults are a
    randomised trial, 100 analysed per group of 105 randomised (low attrition), and a
    difference of 0.5 SD (p < 0.001). ``pre`` gives pretest means (treatment, control)."""
    ev: dict[str, Any] = {
        "id": eid, "design": design, "site": site, "independent": independent,
        "outcomes": [_outcome((n, 50.0 + difference, sd), (n, 50.0, sd), pre,
                              **(outcome or {}))],
    }
    if assigned is not None and design != "comparison_group":
        ev["assigned"] = {"treatment": assigned[0], "control": assigned[1]}
    ev.update(extra)
    return ev


def null_trial(eid: str = "null-trial", **kw: Any) -> dict[str, Any]:
    """A well-run randomised trial that found nothing (difference 0.02 SD, p ≈ 0.9)."""
    return trial(eid, difference=0.2, **kw)


def comparison(eid: str = "qed", *, pre: tuple[float, float] | None = (50.0, 50.0),
               **kw: Any) -> dict[str, Any]:
    """A comparison-group evaluation; by default its groups are equal at baseline."""
    return trial(eid, design="comparison_group", pre=pre, assigned=None, **kw)


def pre_post(eid: str = "before-after", *, n: int = 40, change: float = 5.0,
             **extra: Any) -> dict[str, Any]:
    """One group measured before and after (correlation 0.5; change 0.5 SD is p < 0.01)."""
    ev: dict[str, Any] = {
        "id": eid, "design": "pre_post", "site": "Leeds",
        "outcomes": [{"name": "Attendance (%)", "summary": {
            "pre": {"n": n, "mean": 50.0, "sd": 10.0},
            "post": {"n": n, "mean": 50.0 + change, "sd": 10.0}, "correlation": 0.5}}],
    }
    ev.update(extra)
    return ev


def post_only(eid: str = "survey") -> dict[str, Any]:
    return {"id": eid, "design": "post_only", "outcomes": [
        {"name": "Satisfied", "kind": "binary", "summary": {"post": {"n": 50, "events": 40}}}]}


def rated(doc: dict[str, Any], rubric: str, **parameters: Any) -> tuple[int, int, str]:
    """(level, claimed_level, label) of ``doc`` under ``rubric``."""
    result = assess(doc, rubric=rubric, parameters=parameters or None)
    return result.level, result.claimed_level, result.label


def status(result: Any, cid: str) -> str:
    for lv in result.levels:
        for c in lv.criteria:
            if c.id == cid:
                return str(c.status)
    raise KeyError(cid)
