"""Every bundled example: its pinned level, and the SPEC §4 JSON of `assess` and `analyse`."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from evidencekit import stats
from evidencekit.api import analyse, assess

TESTS = Path(__file__).resolve().parent
EXAMPLES = TESTS.parent / "examples"
EXPECTED: dict[str, dict[str, Any]] = yaml.safe_load(
    (TESTS / "expected_levels.yaml").read_text(encoding="utf-8"))
NAMES = sorted(EXPECTED)

#: The criteria of SPEC §2, prefixed by the rubric id as output must show them.
NESTA_CRITERIA = {
    "nesta.L1.problem", "nesta.L1.activities", "nesta.L1.outcomes", "nesta.L1.rationale",
    "nesta.L2.outcome_data", "nesta.L2.positive_change",
    "nesta.L3.comparison",
    "nesta.L4.replication", "nesta.L4.independent", "nesta.L4.consistent", "nesta.L4.costs",
    "nesta.L5.systems", "nesta.L5.delivered_by_others", "nesta.L5.multi_site",
}
STATUSES = {"verified", "claimed", "not_met"}


def _json(cli: Any, *args: Any) -> dict[str, Any]:
    result = cli(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _is_float(x: Any) -> bool:
    return type(x) is float and math.isfinite(x)


def _is_count(x: Any) -> bool:
    return type(x) is int


# --- levels --------------------------------------------------------------------------------

def test_every_example_is_pinned_and_together_they_span_levels_0_to_5() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("*.yaml")) == NAMES
    assert len(NAMES) >= 8
    assert {EXPECTED[n]["level"] for n in NAMES} == set(range(6))


@pytest.mark.parametrize("name", NAMES)
def test_example_level_via_python_api(name: str) -> None:
    result = assess(EXAMPLES / name)
    expected = EXPECTED[name]
    assert (result.level, result.claimed_level) == (expected["level"],
                                                     expected["claimed_level"])
    # The level is the run of leading levels whose gates are all verified (SPEC §2).
    met = [all(c.status == "verified" for c in lv.criteria if c.gate) for lv in result.levels]
    assert result.level == [*met, False].index(False)
    claimed = [all(c.status != "not_met" for c in lv.criteria if c.gate)
               for lv in result.levels]
    assert result.claimed_level == [*claimed, False].index(False)
    assert result.problems == ()


@pytest.mark.parametrize("name", NAMES)
def test_example_level_via_cli_json(cli: Any, name: str) -> None:
    data = _json(cli, "assess", EXAMPLES / name)
    expected = EXPECTED[name]
    assert (data["level"], data["claimed_level"]) == (expected["level"],
                                                      expected["claimed_level"])


def test_python_api_accepts_a_dict_and_a_path_string() -> None:
    text = (EXAMPLES / "goodgym.yaml").read_text(encoding="utf-8")
    from_dict = assess(yaml.safe_load(text))
    from_str = assess(str(EXAMPLES / "goodgym.yaml"))
    assert (from_dict.level, from_dict.claimed_level) == (from_str.level, from_str.claimed_level)
    assert from_dict.to_dict()["levels"] == from_str.to_dict()["levels"]


def test_top_level_functions_stay_callable_after_use() -> None:
    """`evidencekit.assess(...)` and `evidencekit.analyse(...)` are the documented API (issue 2).

    The package has subpackages of the same names; importing them must not replace the
    functions on the package.
    """
    import evidencekit

    first = evidencekit.assess(EXAMPLES / "code-club.yaml")
    assert callable(evidencekit.assess), "evidencekit.assess became the subpackage"
    second = evidencekit.assess(EXAMPLES / "code-club.yaml")
    assert first.level == second.level == 1
    assert callable(evidencekit.analyse), "evidencekit.analyse became the subpackage"
    assert evidencekit.analyse(EXAMPLES / "code-club.yaml").programme == "Code Club"


# --- assess --format json: SPEC §4 ---------------------------------------------------------

@pytest.fixture(scope="module")
def assess_json() -> dict[str, dict[str, Any]]:
    from click.testing import CliRunner

    from evidencekit.cli import main

    runner = CliRunner()
    out = {}
    for name in NAMES:
        r = runner.invoke(main, ["assess", str(EXAMPLES / name), "--format", "json"])
        assert r.exit_code == 0, r.stderr
        out[name] = json.loads(r.stdout)
    return out


@pytest.fixture(scope="module")
def analyse_json() -> dict[str, dict[str, Any]]:
    from click.testing import CliRunner

    from evidencekit.cli import main

    runner = CliRunner()
    out = {}
    for name in NAMES:
        r = runner.invoke(main, ["analyse", str(EXAMPLES / name), "--format", "json"])
        assert r.exit_code == 0, r.stderr
        out[name] = json.loads(r.stdout)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_assess_json_has_the_spec_shape(assess_json: dict[str, Any], name: str) -> None:
    data = assess_json[name]
    for key in ("rubric", "programme", "level", "claimed_level", "levels", "next_steps",
                "analysis"):
        assert key in data, key
    assert data["rubric"]["id"] == "nesta"
    assert isinstance(data["rubric"]["version"], str) and data["rubric"]["version"]
    assert isinstance(data["programme"], str) and data["programme"]
    assert _is_count(data["level"]) and _is_count(data["claimed_level"])
    assert 0 <= data["level"] <= data["claimed_level"] <= 5
    assert [lv["level"] for lv in data["levels"]] == [1, 2, 3, 4, 5]
    ids = []
    for lv in data["levels"]:
        for key in ("level", "title", "met", "criteria"):
            assert key in lv, key
        assert isinstance(lv["title"], str) and lv["title"]
        assert isinstance(lv["met"], bool)
        for c in lv["criteria"]:
            for key in ("id", "gate", "status", "reason"):
                assert key in c, key
            assert c["id"].startswith("nesta.")
            assert isinstance(c["gate"], bool)
            assert c["status"] in STATUSES
            assert isinstance(c["reason"], str) and c["reason"].strip()
            ids.append(c["id"])
        assert lv["met"] == all(c["status"] == "verified" for c in lv["criteria"] if c["gate"])
        assert all(c["id"].startswith(f"nesta.L{lv['level']}.") for c in lv["criteria"])
    assert len(ids) == len(set(ids))
    assert set(ids) == NESTA_CRITERIA
    met = [lv["met"] for lv in data["levels"]]
    assert data["level"] == [*met, False].index(False)
    assert isinstance(data["next_steps"], list) and data["next_steps"]
    assert all(isinstance(s, str) and s.strip() for s in data["next_steps"])


@pytest.mark.parametrize("name", NAMES)
def test_assess_json_embeds_the_analyse_object(assess_json: dict[str, Any],
                                               analyse_json: dict[str, Any], name: str) -> None:
    assert assess_json[name]["analysis"] == analyse_json[name]


@pytest.mark.parametrize("name", NAMES)
def test_json_equals_the_python_result_exactly(assess_json: dict[str, Any], name: str) -> None:
    """No rounding on the way out: the JSON round-trips to the API's own numbers."""
    assert assess_json[name] == json.loads(json.dumps(assess(EXAMPLES / name).to_dict()))


CONTINUOUS_TWO_GROUP = {"mean_difference", "cohens_d", "hedges_g", "glass_delta"}
BINARY_TWO_GROUP = {"risk_difference", "risk_ratio", "odds_ratio", "log_odds_ratio",
                    "cox_index", "nnt"}
PRE_POST = {"mean_change", "d_z", "d_av"}
OUTCOME_KEYS = ("name", "kind", "primary", "direction", "groups", "effects", "baseline",
                "favourable", "significant", "p_value", "test")


def _check_effect(name: str, effect: dict[str, Any]) -> None:
    assert "estimate" in effect, name
    for key in ("estimate", "se", "p_value", "p_value_welch"):
        if effect.get(key) is not None:
            assert _is_float(effect[key]), (name, key, effect[key])
    if effect.get("ci") is not None:
        lo, hi = effect["ci"]
        assert _is_float(lo) and _is_float(hi) and lo <= hi, (name, effect["ci"])


def _check_outcome(evaluation: dict[str, Any], o: dict[str, Any]) -> None:
    for key in OUTCOME_KEYS:
        assert key in o, key
    assert o["kind"] in ("continuous", "binary")
    assert o["direction"] in ("higher_is_better", "lower_is_better")
    for name, effect in o["effects"].items():
        _check_effect(name, effect)
    for group in o["groups"].values():
        assert _is_count(group["n"])
        if o["kind"] == "binary":
            assert _is_count(group["events"])
        else:
            assert _is_float(group["mean"]) and _is_float(group["sd"])
    if o["p_value"] is not None:
        assert _is_float(o["p_value"]) and 0 < o["p_value"] <= 1
        assert isinstance(o["significant"], bool)
    design = evaluation["design"]
    two_group = design in ("comparison_group", "rct", "cluster_rct")
    if o["source"] == "summary" and two_group:
        assert set(o["groups"]) == {"treatment", "control"}
        wanted = CONTINUOUS_TWO_GROUP if o["kind"] == "continuous" else BINARY_TWO_GROUP
        assert wanted <= set(o["effects"]), sorted(o["effects"])
        if o["kind"] == "continuous":
            assert "p_value_welch" in o["effects"]["mean_difference"]
            for key in ("se", "ci"):
                assert o["effects"]["hedges_g"][key] is not None
    if design == "pre_post" and o["kind"] == "continuous":
        assert set(o["effects"]) >= PRE_POST
    if o["baseline"] is not None:
        assert _is_float(o["baseline"]["hedges_g"])
        assert o["baseline"]["verdict"] in ("satisfied", "adjustment_required", "not_satisfied")
    if design == "cluster_rct":
        assert o["clustering"] is not None
        assert {"icc", "clusters", "method"} <= set(o["clustering"])
        assert _is_float(o["clustering"]["icc"]) and _is_count(o["clustering"]["clusters"])
        assert isinstance(o["clustering"]["method"], str) and o["clustering"]["method"]


@pytest.mark.parametrize("name", NAMES)
def test_analyse_json_has_the_spec_shape(analyse_json: dict[str, Any], name: str) -> None:
    data = analyse_json[name]
    assert isinstance(data["programme"], str)
    assert isinstance(data["evaluations"], list) and data["evaluations"]
    for e in data["evaluations"]:
        for key in ("id", "design", "attrition", "outcomes"):
            assert key in e, key
        if e["attrition"] is not None:
            a = e["attrition"]
            assert _is_float(a["overall"]) and _is_float(a["differential"])
            assert a["boundary"] == "cautious"
            assert a["verdict"] in ("low", "high")
        for o in e["outcomes"]:
            _check_outcome(e, o)


def test_every_outcome_shape_is_covered_by_the_examples(analyse_json: dict[str, Any]) -> None:
    """The shape test above is only as good as the variety it sees."""
    seen: set[tuple[Any, ...]] = set()
    for data in analyse_json.values():
        for e in data["evaluations"]:
            seen.add(("attrition", e["attrition"] is not None))
            for o in e["outcomes"]:
                seen.add((e["design"], o["kind"], o["source"]))
                seen.add(("baseline", o["baseline"] is not None))
    for wanted in [("rct", "continuous", "summary"), ("comparison_group", "binary", "summary"),
                   ("cluster_rct", "continuous", "summary"), ("pre_post", "continuous", "summary"),
                   ("rct", "continuous", "reported"), ("rct", "binary", "reported"),
                   ("attrition", True), ("attrition", False), ("baseline", True),
                   ("baseline", False)]:
        assert wanted in seen, wanted


def _outcome(data: dict[str, Any], evaluation_id: str, index: int = 0) -> dict[str, Any]:
    e = next(e for e in data["evaluations"] if e["id"] == evaluation_id)
    o: dict[str, Any] = e["outcomes"][index]
    return o


def test_absent_quantities_are_null_not_omitted(analyse_json: dict[str, Any]) -> None:
    kings = analyse_json["kings-college-hospital-volunteers.yaml"]
    e = kings["evaluations"][0]
    assert e["design"] == "comparison_group"
    assert "attrition" in e and e["attrition"] is None  # a QED has no assigned counts
    o = e["outcomes"][0]
    assert "baseline" in o and o["baseline"] is None  # no pretest
    assert "clustering" in o and o["clustering"] is None
    d = dict(o["effects"]["cohens_d"])
    assert len(d.pop("ci_noncentral")) == 2  # noncentral-t interval (evidencekit.analysis.es_extra)
    assert d == {"estimate": d["estimate"], "se": None, "ci": None, "p_value": None,
                 "test": None, "ci_method": None}
    survey = analyse_json["city-year.yaml"]["evaluations"][1]
    assert survey["design"] == "post_only"
    for o in survey["outcomes"]:
        for key in ("p_value", "significant", "favourable", "test"):
            assert key in o and o[key] is None, key


def test_numbers_are_the_unrounded_statistics() -> None:
    """The JSON carries exactly what the statistics functions return (SPEC §3.2, §4)."""
    source = yaml.safe_load((EXAMPLES / "kings-college-hospital-volunteers.yaml")
                            .read_text(encoding="utf-8"))
    ev = source["evaluations"][0]
    s = ev["outcomes"][0]["summary"]
    t, c = s["treatment"], s["control"]
    expected = stats.two_group_continuous(t["n"], t["mean"], t["sd"], c["n"], c["mean"], c["sd"])
    o = analyse(EXAMPLES / "kings-college-hospital-volunteers.yaml").to_dict()
    o = json.loads(json.dumps(o))["evaluations"][0]["outcomes"][0]
    assert o["effects"]["hedges_g"]["estimate"] == expected.g
    assert o["effects"]["hedges_g"]["se"] == expected.se_g
    assert o["effects"]["cohens_d"]["estimate"] == expected.d
    # Welch decides (SPEC 3.3, amended 2026-12); Student's p is reported beside it.
    assert o["effects"]["mean_difference"]["p_value"] == expected.p_value_welch
    assert o["effects"]["mean_difference"]["p_value_welch"] == expected.p_value_welch
    assert o["effects"]["mean_difference"]["p_value_student"] == expected.p_value
    assert o["p_value"] == expected.p_value_welch
    # Not rounded to a few places: the estimate has more digits than any rendering shows.
    assert round(o["effects"]["hedges_g"]["estimate"], 6) != o["effects"]["hedges_g"]["estimate"]


def test_whole_numbers_in_a_submission_come_out_as_floats(cli: Any, write: Any,
                                                          make_submission: Any,
                                                          make_rct: Any) -> None:
    """A mean written as `55` is still a measurement: JSON shows 55.0, and so do effects."""
    doc = make_submission(
        make_rct(treatment=(60, 55, 10), control=(60, 50, 10), assigned=None),
        {"id": "pp", "design": "pre_post", "outcomes": [{"name": "Score", "summary": {
            "pre": {"n": 30, "mean": 5, "sd": 2}, "post": {"n": 30, "mean": 7, "sd": 2},
            "correlation": 0.5}}]},
        {"id": "pub", "design": "rct", "outcomes": [{"name": "Published", "reported": {
            "mean_difference": 2, "ci": [1, 3], "sd": 4, "n_treatment": 40,
            "n_control": 40}}]},
    )
    path = write("whole.json", json.dumps(doc))
    data = _json(cli, "analyse", path)
    trial, pp, pub = data["evaluations"]
    assert trial["outcomes"][0]["groups"]["treatment"] == {"n": 60, "mean": 55.0, "sd": 10.0}
    for o in (trial["outcomes"][0], pp["outcomes"][0], pub["outcomes"][0]):
        for name, effect in o["effects"].items():
            _check_effect(name, effect)
    assert pp["outcomes"][0]["effects"]["mean_change"]["estimate"] == 2.0
    assert pub["outcomes"][0]["effects"]["mean_difference"]["ci"] == [1.0, 3.0]
    text = json.dumps(data)
    assert '"mean": 55,' not in text and '"estimate": 2,' not in text
