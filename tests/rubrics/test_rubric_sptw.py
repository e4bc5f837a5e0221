"""Social Programs That Work's Top Tier and Near Top Tier (rubrics/sptw.yaml), as truth
tables written from SPTW's published ratings: every element of the Top Tier standard in one
trial (Near Top Tier), replicated at another site or in one multi-site trial (Top Tier)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from rubric_helpers import comparison, status, submission, trial

from evidencekit.api import assess

NONE = "Not rated (below Near Top Tier)"
NEAR = "Near Top Tier"
TOP = "Top Tier"
ANSWERS = {"well_conducted": "Y", "important_outcome": "Y", "sizable": "Y", "sustained": "Y",
           "multi_site": "N"}


def qualifying(eid: str = "trial", site: str = "Leeds", *, real_world: bool | None = True,
               **answers: str | None) -> dict[str, Any]:
    """A randomised trial meeting every element of the Top Tier standard unless told."""
    ev = trial(eid, site=site)
    if real_world is not None:
        ev["real_world"] = real_world
    given = {**ANSWERS, **answers}
    ev["answers"] = {f"sptw.{k}": v for k, v in given.items() if v is not None}
    return ev


def high_attrition() -> dict[str, Any]:
    ev = qualifying()
    ev["outcomes"][0]["summary"]["treatment"]["n"] = 73
    ev["outcomes"][0]["summary"]["control"]["n"] = 67
    ev["assigned"] = {"treatment": 100, "control": 100}
    return ev


def not_significant() -> dict[str, Any]:
    ev = qualifying()
    ev["outcomes"][0]["summary"]["treatment"]["mean"] = 50.2
    return ev


def secondary_only() -> dict[str, Any]:
    ev = qualifying()
    ev["outcomes"][0]["primary"] = False
    return ev


def not_randomised() -> dict[str, Any]:
    ev = comparison()
    ev["real_world"] = True
    ev["answers"] = {"sptw.sizable": "Y"}   # the trial questions are not asked of it
    return ev


# (why, evaluation, verdict on its own): each element of the standard taken away in turn.
ELEMENTS = [
    ("every element", qualifying(), "verified"),
    ("not randomised", not_randomised(), "not_met"),
    ("not in typical community settings", qualifying(real_world=False), "not_met"),
    ("community setting not stated", qualifying(real_world=None), "unknown"),
    ("high attrition", high_attrition(), "not_met"),
    ("no significant effect", not_significant(), "not_met"),
    ("the effect is on a secondary outcome only", secondary_only(), "not_met"),
    ("not otherwise well conducted", qualifying(well_conducted="N"), "not_met"),
    ("an intermediate outcome", qualifying(important_outcome="N"), "not_met"),
    ("not sizable", qualifying(sizable="N"), "not_met"),
    ("not sustained", qualifying(sustained="N"), "not_met"),
    ("well conducted not answered", qualifying(well_conducted=None), "unknown"),
    ("importance not answered", qualifying(important_outcome=None), "unknown"),
    ("size not answered", qualifying(sizable=None), "unknown"),
    ("sustained not answered", qualifying(sustained=None), "unknown"),
]


@pytest.mark.parametrize(("why", "ev", "verdict"), ELEMENTS, ids=[e[0] for e in ELEMENTS])
def test_each_element_of_the_standard(why: str, ev: dict[str, Any], verdict: str) -> None:
    result = assess(submission(ev), rubric="sptw")
    got = status(result, "sptw.L1.trial")
    assert got == ("verified" if verdict == "verified" else "not_met"), why
    assert result.label == (NEAR if verdict == "verified" else NONE), why
    # Unknown (an element not answered) can be claimed; every evaluation is open, so a
    # claim also stands beside refuted trials (a trial not in the submission), but it never
    # makes a level verified.
    claimed = assess(submission(ev, claims={"sptw.L1.trial": {"answer": True}}), rubric="sptw")
    assert claimed.level == (1 if verdict == "verified" else 0)
    assert claimed.claimed_level == 1


REPLICATION = [
    ("two qualifying trials at different sites",
     [qualifying("a", "Leeds"), qualifying("b", "York")], TOP),
    ("two qualifying trials at the same site",
     [qualifying("a", "Leeds"), qualifying("b", "Leeds")], NEAR),
    ("one qualifying multi-site trial", [qualifying(multi_site="Y")], TOP),
    ("one qualifying single-site trial", [qualifying()], NEAR),
    ("a second trial at another site that does not qualify",
     [qualifying("a", "Leeds"), qualifying("b", "York", sizable="N")], NEAR),
    ("a multi-site trial that does not qualify", [qualifying(multi_site="Y", sizable="N")],
     NONE),
]


@pytest.mark.parametrize(("why", "evs", "label"), REPLICATION, ids=[r[0] for r in REPLICATION])
def test_replication(why: str, evs: list[dict[str, Any]], label: str) -> None:
    assert assess(submission(*copy.deepcopy(evs)), rubric="sptw").label == label, why


def test_sustained_is_prefilled_from_a_year_of_follow_up() -> None:
    ev = qualifying(sustained=None)
    ev["outcomes"][0]["follow_up_months"] = 12
    result = assess(submission(ev), rubric="sptw")
    assert result.label == NEAR
    record = next(a for a in result.answers if a.question == "sptw.sustained")
    assert (record.origin, record.answer) == ("prefilled", "Y")
    # A given answer stands over the pre-fill, and the record says the statistics differ.
    ev["answers"]["sptw.sustained"] = "N"
    result = assess(submission(ev), rubric="sptw")
    assert result.label == NONE
    record = next(a for a in result.answers if a.question == "sptw.sustained")
    assert record.origin == "given" and record.prefill_differs
