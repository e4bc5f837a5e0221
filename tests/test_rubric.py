"""Rubric files, the condition language and the engine (SPEC §2, issue 2 point 3)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from evidencekit import stats
from evidencekit.api import assess
from evidencekit.assessment.advice import ADVICE
from evidencekit.assessment.conditions import Compiler, Interpreter
from evidencekit.assessment.rubric import bundled_rubrics, load_rubric, rubric_schema
from evidencekit.errors import InputError, RubricError, SubmissionError

TESTS = Path(__file__).resolve().parent
EXAMPLES = TESTS.parent / "examples"
TINY = TESTS / "fixtures" / "tiny_rubric.yaml"


# --- bundled rubrics -----------------------------------------------------------------------

def test_the_rubric_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(rubric_schema())


@pytest.mark.parametrize("rubric_id", sorted(bundled_rubrics()))
def test_bundled_rubric_validates_and_compiles(rubric_id: str) -> None:
    path = bundled_rubrics()[rubric_id]
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(rubric_schema()).validate(raw)
    rubric = load_rubric(rubric_id)
    assert rubric.id == raw["id"] == rubric_id
    assert [lv.level for lv in rubric.levels] == list(range(1, len(rubric.levels) + 1))
    for lv in rubric.levels:
        for c in lv.criteria:
            assert c.id.startswith(rubric_id + ".")
            assert c.question.strip().endswith("?"), c.id
            assert c.guidance.strip(), c.id


def test_nesta_is_bundled_and_encodes_spec_section_2() -> None:
    assert "nesta" in bundled_rubrics()
    nesta = load_rubric("nesta")
    gates = {lv.level: sorted(c.id for c in lv.criteria if c.gate) for lv in nesta.levels}
    assert gates == {
        1: sorted(f"nesta.L1.{x}" for x in ("problem", "activities", "outcomes", "rationale")),
        2: ["nesta.L2.outcome_data", "nesta.L2.positive_change"],
        3: ["nesta.L3.comparison"],
        4: sorted(f"nesta.L4.{x}" for x in ("replication", "independent", "consistent",
                                            "costs")),
        5: sorted(f"nesta.L5.{x}" for x in ("systems", "delivered_by_others", "multi_site")),
    }
    defaults = {k: p.default for k, p in nesta.parameters.items()}
    assert defaults["alpha"] == 0.05
    assert defaults["min_per_group"] == 20
    assert defaults["baseline_satisfied"] == 0.05
    assert defaults["baseline_adjustable"] == 0.25
    assert defaults["attrition_boundary"] == "cautious"
    assert nesta.parameters["attrition_boundary"].choices == ("cautious", "optimistic")


def test_rubric_commands(cli: Any) -> None:
    listed = cli("rubric", "list")
    assert listed.exit_code == 0
    assert listed.stdout.split() == sorted(bundled_rubrics())
    shown = cli("rubric", "show", "nesta")
    assert shown.exit_code == 0
    for c in ("nesta.L1.problem", "nesta.L3.comparison", "nesta.L5.multi_site"):
        assert c in shown.stdout
    as_json = json.loads(cli("rubric", "show", "nesta", "--format", "json").stdout)
    assert as_json["id"] == "nesta" and len(as_json["levels"]) == 5
    schema = cli("rubric", "schema")
    assert schema.exit_code == 0 and json.loads(schema.stdout) == rubric_schema()
    valid = cli("rubric", "validate", bundled_rubrics()["nesta"])
    assert valid.exit_code == 0
    assert "valid rubric 'nesta'" in valid.stdout and "(5 levels, 14 criteria)" in valid.stdout


# --- rubric mistakes -----------------------------------------------------------------------

BASE = """\
schema: evidencekit/rubric@1
id: mini
title: Mini
version: "1"
parameters:
  k:
    default: 2
    minimum: 1
    integer: true
    description: Trials needed.
definitions:
  trial:
    eq: [design, rct]
levels:
  - level: 1
    title: One
    statement: First.
    criteria:
      - id: named
        title: Named
        question: Named?
        guidance: Name it.
        check: {present: programme.name}
  - level: 2
    title: Two
    statement: Second.
    criteria:
      - id: trials
        title: Trials
        question: Trials?
        guidance: Run trials.
        check:
          count: {in: evaluations, where: {ref: trial}, at_least: $k}
"""
OPERATORS = ("all, any, not, ref, present, eq, ne, lt, le, gt, ge, in, some, every, count, "
             "distinct, pooled, pass, fail, unknown, advice, label")
C0 = "levels[0].criteria[0]"
C1 = "levels[1].criteria[0]"

MISTAKES: list[tuple[str, list[tuple[str, str]], list[str]]] = [
    ("unknown-operator", [("{present: programme.name}", "{presnt: programme.name}")],
     [f"line 23, {C0}.check: expected one of the keys {OPERATORS}, found the unknown key "
      "'presnt'."]),
    ("unknown-nested-operator",
     [("where: {ref: trial}", "where: {all: [{ref: trial}, {equals: [id, x]}]}")],
     [f"line 33, {C1}.check.count.where.all[1]: expected one of the keys {OPERATORS}, found "
      "the unknown key 'equals'."]),
    ("two-operators",
     [("{present: programme.name}", "{present: programme.name, eq: [programme.name, x]}")],
     [f"line 23, {C0}.check: expected exactly one operator, found present, eq."]),
    ("unknown-fact", [("programme.name}", "programme.nmae}")],
     [f"line 23, {C0}.check.present: expected a fact of the programme scope, found "
      "'programme.nmae' (did you mean 'programme.name'?)."]),
    ("fact-of-another-scope", [("{present: programme.name}", "{present: design}")],
     [f"line 23, {C0}.check.present: expected a fact of the programme scope, found "
      "'design'."]),
    ("unknown-parameter", [("$k}", "$x}")],
     [f"line 33, {C1}.check.count.at_least: expected a declared parameter ($k), found "
      "'$x'."]),
    ("unknown-ref", [("{ref: trial}", "{ref: trail}")],
     [f"line 33, {C1}.check.count.where.ref: expected the name of a definition (trial), "
      "found 'trail'."]),
    ("cyclic-ref", [("    eq: [design, rct]", "    ref: trial")],
     ["line 13, definitions.trial.ref: expected definitions that do not refer to themselves, "
      "found trial -> trial."]),
    ("unknown-collection", [("in: evaluations", "in: evalutions")],
     [f"line 33, {C1}.check.count.in: expected a collection in this scope (evaluations), "
      "found 'evalutions'."]),
    ("unknown-advice", [("    eq: [design, rct]", "    eq: [design, rct]\n    advice: magic")],
     ["line 14, definitions.trial.advice: expected one of power, baseline, attrition, "
      "sample_size, design, found 'magic'."]),
    ("duplicate-criterion-id", [("id: trials", "id: named")],
     [f"line 28, {C1}.id: expected a unique criterion id, found 'named'."]),
    ("levels-out-of-order", [("  - level: 2", "  - level: 3")],
     ["line 24, levels[1].level: expected level 2 (levels are numbered 1, 2, 3 ... in order), "
      "found 3."]),
    ("bad-parameter-default", [("default: 2", "default: 2.5")],
     ["line 7, parameters.k.default: expected a whole number for parameter 'k', found 2.5."]),
    ("text-parameter-default", [("default: 2", "default: two")],
     ["line 7, parameters.k.default: expected a number for parameter 'k', found 'two'."]),
    ("missing-required-key", [("        question: Trials?\n", "")],
     [f"line 28, {C1}: expected the required key 'question', found it missing."]),
    ("yaml-syntax", [("title: Mini", "title: [Mini")],
     ["line 4: expected valid YAML, found no ',' or ']' where one was needed."]),
]


def test_the_base_rubric_of_the_mistakes_is_valid(cli: Any, write: Any) -> None:
    path = write("mini.yaml", BASE)
    result = cli("rubric", "validate", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{path}: valid rubric 'mini' version 1 (2 levels, 2 criteria).\n"


@pytest.mark.parametrize(("edits", "expected"),
                         [pytest.param(m[1], m[2], id=m[0]) for m in MISTAKES])
def test_rubric_validate_names_file_line_and_key(cli: Any, write: Any, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  edits: list[tuple[str, str]],
                                                  expected: list[str]) -> None:
    text = BASE
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    write("mini.yaml", text)
    monkeypatch.chdir(tmp_path)
    result = cli("rubric", "validate", "mini.yaml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [f"mini.yaml, {line}" for line in expected]


def test_all_rubric_mistakes_are_reported_together(cli: Any, write: Any, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    text = BASE
    for old, new in [("programme.name}", "programme.nmae}"), ("$k}", "$x}"),
                     ("id: trials", "id: named"), ("  - level: 2", "  - level: 3")]:
        text = text.replace(old, new)
    write("mini.yaml", text)
    monkeypatch.chdir(tmp_path)
    result = cli("rubric", "validate", "mini.yaml")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 4
    assert all(line.startswith("mini.yaml, line ") for line in lines)


def test_rubric_errors_are_not_submission_errors(write: Any) -> None:
    assert issubclass(RubricError, InputError) and issubclass(SubmissionError, InputError)
    assert not issubclass(RubricError, SubmissionError)
    assert not issubclass(SubmissionError, RubricError)
    bad_rubric = write("mini.yaml", BASE.replace("$k}", "$x}"))
    with pytest.raises(RubricError) as info:
        load_rubric(bad_rubric)
    assert not isinstance(info.value, SubmissionError)
    assert info.value.kind == "rubric"
    broken_yaml = write("broken.yaml", BASE.replace("title: Mini", "title: [Mini"))
    with pytest.raises(RubricError):
        load_rubric(broken_yaml)
    with pytest.raises(RubricError):
        assess(EXAMPLES / "goodgym.yaml", rubric=bad_rubric)
    bad_submission = write("sub.yaml", "programme: {nme: X}\n")
    with pytest.raises(SubmissionError) as sub_info:
        assess(bad_submission)
    assert not isinstance(sub_info.value, RubricError)
    assert sub_info.value.kind == "submission"


# --- the condition language ----------------------------------------------------------------

def _mean_pool(estimates: list[float], ses: list[float]) -> float | None:
    """Inverse-variance mean: enough to test the language, which takes the pool as given."""
    weights = [1 / s**2 for s in ses]
    return sum(w * e for w, e in zip(weights, estimates, strict=True)) / sum(weights)


def truth(condition: Mapping[str, Any], facts: Mapping[str, Any], *, scope: str = "programme",
          params: Mapping[str, Any] | None = None,
          definitions: Mapping[str, Any] | None = None) -> bool | None:
    params = dict(params or {})
    compiler = Compiler(definitions or {}, params, list(ADVICE))
    node = compiler.compile(dict(condition), ("check",), scope)
    assert compiler.problems == []
    # A fresh interpreter per evaluation: it memoises by object identity.
    return Interpreter(params, _mean_pool).evaluate(node, facts).value


T, F, U = True, False, None
ORDER = {F: 0, U: 1, T: 2}  # Kleene: false < unknown < true


def _kleene_and(values: Sequence[bool | None]) -> bool | None:
    return min(values, key=lambda v: ORDER[v])


def _kleene_or(values: Sequence[bool | None]) -> bool | None:
    return max(values, key=lambda v: ORDER[v])


LEAVES = [{"eq": ["scaling.manual", True]}, {"eq": ["scaling.training", True]}]


def _facts(a: bool | None, b: bool | None) -> dict[str, Any]:
    # eq: [fact, true] is true, false or unknown as the fact is true, false or absent.
    return {"scaling.manual": a, "scaling.training": b}


@pytest.mark.parametrize(("a", "b"), list(itertools.product([T, F, U], repeat=2)))
def test_kleene_all_any_not(a: bool | None, b: bool | None) -> None:
    facts = _facts(a, b)
    assert truth(LEAVES[0], facts) is a
    assert truth({"all": LEAVES}, facts) is _kleene_and([a, b])
    assert truth({"any": LEAVES}, facts) is _kleene_or([a, b])
    assert truth({"not": LEAVES[0]}, facts) is (None if a is None else not a)
    assert truth({"not": {"all": LEAVES}}, facts) is truth({"any": [{"not": LEAVES[0]},
                                                                    {"not": LEAVES[1]}]}, facts)


def test_comparisons_present_and_in() -> None:
    facts = {"costs.per_participant": 320.0, "theory_of_change.activities": [],
             "programme.theme": "health", "scaling.sites": None}
    assert truth({"ge": ["costs.per_participant", 300]}, facts) is T
    assert truth({"lt": ["costs.per_participant", 300]}, facts) is F
    assert truth({"ge": ["scaling.sites", 3]}, facts) is U
    assert truth({"present": "costs.per_participant"}, facts) is T
    assert truth({"present": "theory_of_change.activities"}, facts) is F
    assert truth({"present": "theory_of_change.problem"}, facts) is U
    assert truth({"in": ["programme.theme", ["health", "care"]]}, facts) is T
    assert truth({"in": ["programme.theme", ["work"]]}, facts) is F
    assert truth({"ne": ["programme.theme", "work"]}, facts) is T
    assert truth({"gt": ["programme.theme", 3]}, facts) is F  # text is not above a number


def test_parameters_are_resolved() -> None:
    facts = {"costs.per_participant": 320.0}
    cond = {"le": ["costs.per_participant", "$budget"]}
    assert truth(cond, facts, params={"budget": 500}) is T
    assert truth(cond, facts, params={"budget": 100}) is F


def ev(eid: str, *, design: str = "rct", site: str | None = "A", independent: bool | None = False,
       outcomes: Sequence[Mapping[str, Any]] = (), **facts: Any) -> dict[str, Any]:
    return {"id": eid, "design": design, "site": site, "independent": independent,
            "outcomes": list(outcomes), **facts}


RCT = {"eq": ["design", "rct"]}


def test_some_over_open_evaluations_is_never_false() -> None:
    some = {"some": {"in": "evaluations", "where": RCT}}
    assert truth(some, {"evaluations": []}) is U
    assert truth(some, {"evaluations": [ev("a", design="pre_post")]}) is U
    assert truth(some, {"evaluations": [ev("a", design="pre_post"), ev("b")]}) is T
    # ... and so "no evaluation shows harm" cannot be shown by a submission: not(some) is
    # unknown, never true.
    assert truth({"not": some}, {"evaluations": [ev("a", design="pre_post")]}) is U


def test_some_over_closed_outcomes_can_be_false() -> None:
    some = {"some": {"in": "outcomes", "where": {"eq": ["significant", True]}}}
    assert truth(some, {"outcomes": [{"significant": False}, {"significant": False}]},
                 scope="evaluation") is F
    assert truth(some, {"outcomes": [{"significant": False}, {"significant": None}]},
                 scope="evaluation") is U
    assert truth(some, {"outcomes": [{"significant": False}, {"significant": True}]},
                 scope="evaluation") is T


def test_every_is_refuted_by_a_counterexample() -> None:
    every = {"every": {"in": "evaluations", "where": {"eq": ["independent", True]}}}
    assert truth(every, {"evaluations": [ev("a", independent=True), ev("b")]}) is F
    assert truth(every, {"evaluations": [ev("a", independent=True),
                                         ev("b", independent=None)]}) is U
    assert truth(every, {"evaluations": [ev("b", independent=None),
                                         ev("c", independent=False)]}) is F
    assert truth(every, {"evaluations": [ev("a", independent=True)]}) is T


def test_count_with_a_parameter_threshold() -> None:
    count = {"count": {"in": "evaluations", "where": RCT, "at_least": "$n"}}
    two = {"evaluations": [ev("a"), ev("b"), ev("c", design="pre_post")]}
    assert truth(count, two, params={"n": 2}) is T
    assert truth(count, two, params={"n": 3}) is U  # open: a third may exist
    closed = {"count": {"in": "outcomes", "where": {"eq": ["primary", True]},
                        "at_least": "$n"}}
    outcomes = {"outcomes": [{"primary": True}, {"primary": False}]}
    assert truth(closed, outcomes, scope="evaluation", params={"n": 1}) is T
    assert truth(closed, outcomes, scope="evaluation", params={"n": 2}) is F
    maybe = {"outcomes": [{"primary": True}, {"primary": None}]}
    assert truth(closed, maybe, scope="evaluation", params={"n": 2}) is U


def test_distinct_counts_distinct_keys_of_passing_items() -> None:
    distinct = {"distinct": {"in": "evaluations", "where": RCT, "key": "site",
                             "at_least": "$sites"}}
    same_site = {"evaluations": [ev("a", site="leeds"), ev("b", site="leeds")]}
    two_sites = {"evaluations": [ev("a", site="leeds"), ev("b", site="york"),
                                 ev("c", site="hull", design="pre_post")]}
    assert truth(distinct, same_site, params={"sites": 2}) is U
    assert truth(distinct, two_sites, params={"sites": 2}) is T
    assert truth(distinct, two_sites, params={"sites": 3}) is U
    closed = {"distinct": {"in": "outcomes", "where": {"eq": ["primary", True]},
                           "key": "domain", "at_least": 2}}
    assert truth(closed, {"outcomes": [{"primary": True, "domain": "a"},
                                       {"primary": True, "domain": "a"},
                                       {"primary": False, "domain": "b"}]},
                 scope="evaluation") is F
    assert truth(closed, {"outcomes": [{"primary": True, "domain": "a"},
                                       {"primary": None, "domain": "b"}]},
                 scope="evaluation") is U
    assert truth(closed, {"outcomes": [{"primary": True, "domain": "a"},
                                       {"primary": True, "domain": "b"}]},
                 scope="evaluation") is T


def test_pooled_effect_of_passing_items() -> None:
    pooled = {"pooled": {"in": "evaluations", "where": RCT}}
    good = {"evaluations": [ev("a", effect=0.3, effect_se=0.1),
                            ev("b", effect=-0.1, effect_se=0.2),
                            ev("c", design="pre_post", effect=-5.0, effect_se=0.01)]}
    assert truth(pooled, good) is T  # the pre-post evaluation does not pass, so is not pooled
    bad = {"evaluations": [ev("a", effect=-0.3, effect_se=0.1),
                           ev("b", effect=0.1, effect_se=0.2)]}
    assert truth(pooled, bad) is F
    assert truth(pooled, {"evaluations": [ev("c", design="pre_post")]}) is U


def test_refs_reuse_definitions_in_the_scope_of_use() -> None:
    definitions = {"trial": RCT, "indep_trial": {"all": [{"ref": "trial"},
                                                         {"eq": ["independent", True]}]}}
    cond = {"count": {"in": "evaluations", "where": {"ref": "indep_trial"}, "at_least": 1}}
    facts = {"evaluations": [ev("a"), ev("b", independent=True)]}
    assert truth(cond, facts, definitions=definitions) is T


def test_conditions_are_data_never_code() -> None:
    """Facts are looked up by name, templates cannot reach attributes; nothing is eval'd."""
    compiler = Compiler({}, {}, list(ADVICE))
    compiler.compile({"eq": ["__import__('os').system('true')", 1]}, ("check",), "programme")
    assert len(compiler.problems) == 1
    assert compiler.problems[0].expected == "a fact of the programme scope"
    node = Compiler({}, {}, list(ADVICE)).compile(
        {"present": "programme.name", "fail": "{programme.name.__class__} {0} [{programme.name}]"},
        ("check",), "programme")
    verdict = Interpreter({}, _mean_pool).evaluate(node, {"programme.name": ""})
    assert verdict.value is False
    # Explanations carry typed values (message markers) until rendered.
    from evidencekit.assessment.message import plain

    assert tuple(plain(w) for w in verdict.why) == ("{programme.name.__class__} {0} []",)


# --- the engine ----------------------------------------------------------------------------

def _status(result: Any, cid: str) -> str:
    for lv in result.levels:
        for c in lv.criteria:
            if c.id == cid:
                return str(c.status)
    raise KeyError(cid)


def _reason(result: Any, cid: str) -> str:
    for lv in result.levels:
        for c in lv.criteria:
            if c.id == cid:
                return str(c.reason)
    raise KeyError(cid)


def _example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    return data


def test_claimed_verified_and_not_met() -> None:
    result = assess(EXAMPLES / "city-year.yaml")
    assert _status(result, "nesta.L2.positive_change") == "verified"
    assert _status(result, "nesta.L3.comparison") == "claimed"
    assert _status(result, "nesta.L4.costs") == "not_met"
    assert (result.level, result.claimed_level) == (2, 3)
    assert "you answered yes" in _reason(result, "nesta.L3.comparison")


def test_a_claim_cannot_override_refuting_evidence() -> None:
    doc = _example("shared-lives.yaml")
    assert assess(doc).level == 5
    doc["scaling"]["manual"] = False
    doc["claims"] = {"nesta.L5.systems": {"answer": True, "note": "We have one really"}}
    result = assess(doc)
    assert _status(result, "nesta.L5.systems") == "not_met"
    assert "outweighed by the evidence" in _reason(result, "nesta.L5.systems")
    assert (result.level, result.claimed_level) == (4, 4)


def test_a_claim_stands_in_for_missing_evidence() -> None:
    doc = _example("shared-lives.yaml")
    del doc["scaling"]["manual"]
    assert (assess(doc).level, assess(doc).claimed_level) == (4, 4)
    doc["claims"] = {"nesta.L5.systems": {"answer": True}}
    result = assess(doc)
    assert _status(result, "nesta.L5.systems") == "claimed"
    assert (result.level, result.claimed_level) == (4, 5)
    doc["claims"] = {"nesta.L5.systems": {"answer": False}}
    assert assess(doc).claimed_level == 4  # answering no claims nothing


def test_a_claim_on_a_verified_criterion_changes_nothing() -> None:
    doc = _example("goodgym.yaml")
    before = assess(doc)
    doc.setdefault("claims", {})["nesta.L3.comparison"] = {"answer": False}
    after = assess(doc)
    assert _status(after, "nesta.L3.comparison") == "verified"
    assert (after.level, after.claimed_level) == (before.level, before.claimed_level)


def test_levels_are_cumulative(make_submission: Any, make_rct: Any) -> None:
    doc = make_submission(make_rct(treatment=(100, 55.0, 10.0)))
    assert assess(doc).level == 3
    del doc["theory_of_change"]["rationale"]
    result = assess(doc)
    assert [lv.met for lv in result.levels][:3] == [False, True, True]
    assert (result.level, result.claimed_level) == (0, 0)


def test_set_alpha_lowers_the_level_of_an_example(cli: Any) -> None:
    def levels(*options: str) -> tuple[int, int]:
        result = cli("assess", EXAMPLES / "goodgym.yaml", "--format", "json", *options)
        assert result.exit_code == 0, result.stderr
        data = json.loads(result.stdout)
        return data["level"], data["claimed_level"]

    assert levels() == (3, 4)
    assert levels("--set", "alpha=0.0001") == (2, 2)
    data = json.loads(cli("assess", EXAMPLES / "goodgym.yaml", "--format", "json",
                          "--set", "alpha=0.0001").stdout)
    assert data["rubric"]["parameters"]["alpha"] == 0.0001


def _high_attrition_trial(make_submission: Any, make_rct: Any) -> dict[str, Any]:
    # WWC: 30% overall and 6 points differential is high under the cautious boundary and low
    # under the optimistic one (issue 2 point 5).
    doc: dict[str, Any] = make_submission(make_rct(treatment=(73, 56.0, 10.0),
                                                   control=(67, 50.0, 10.0), assigned=(100, 100)))
    return doc


def test_set_attrition_boundary_changes_the_verdict(cli: Any, write: Any, make_submission: Any,
                                                    make_rct: Any) -> None:
    path = write("trial.json", json.dumps(_high_attrition_trial(make_submission, make_rct)))
    out = {}
    for boundary in ("cautious", "optimistic"):
        result = cli("assess", path, "--format", "json", "--set",
                     f"attrition_boundary={boundary}")
        assert result.exit_code == 0, result.stderr
        out[boundary] = json.loads(result.stdout)
    for boundary, verdict, level in (("cautious", "high", 2), ("optimistic", "low", 3)):
        attrition = out[boundary]["analysis"]["evaluations"][0]["attrition"]
        assert attrition["overall"] == pytest.approx(0.30)
        assert attrition["differential"] == pytest.approx(0.06)
        assert (attrition["boundary"], attrition["verdict"]) == (boundary, verdict)
        assert out[boundary]["level"] == level
    steps = " ".join(out["cautious"]["next_steps"])
    assert "attrition is high under the cautious WWC boundary" in steps


def test_unknown_claim_ids_are_reported_as_problems(cli: Any, write: Any,
                                                   make_submission: Any) -> None:
    doc = make_submission(claims={"nesta.L3.comparisn": {"answer": True}})
    result = assess(doc)
    assert result.unknown_claims == ("nesta.L3.comparisn",)
    (problem,) = result.problems
    assert problem["key"] == "claims.nesta.L3.comparisn"
    assert problem["expected"] == "a criterion of rubric 'nesta'"
    assert result.claimed_level == result.level == 1
    path = write("claims.json", json.dumps(doc))
    text = cli("assess", path)
    assert text.exit_code == 0
    assert "nesta.L3.comparisn" in text.stdout
    data = json.loads(cli("assess", path, "--format", "json").stdout)
    assert [p["key"] for p in data["problems"]] == ["claims.nesta.L3.comparisn"]


# --- a second rubric, in YAML only ---------------------------------------------------------

def _tiny_submission(make_submission: Any, make_rct: Any) -> dict[str, Any]:
    # One trial with 0.05 < p < 0.1: significant for the tiny rubric's alpha, not for 0.05.
    doc: dict[str, Any] = make_submission(make_rct(treatment=(60, 52.5, 8.0),
                                                   control=(60, 50.0, 8.0), assigned=(60, 60)),
                                          costs={"per_participant": 120})
    return doc


def test_the_tiny_submission_is_between_the_two_alphas() -> None:
    p = stats.two_group_continuous(60, 52.5, 8.0, 60, 50.0, 8.0).p_value
    assert 0.05 < p < 0.1


def test_a_second_rubric_needs_only_a_yaml_file(cli: Any, write: Any, make_submission: Any,
                                                make_rct: Any) -> None:
    valid = cli("rubric", "validate", TINY)
    assert valid.exit_code == 0, valid.stderr
    doc = _tiny_submission(make_submission, make_rct)
    result = assess(doc, rubric=TINY)
    assert (result.rubric_id, result.level, result.claimed_level) == ("tiny", 2, 2)
    ids = [c.id for lv in result.levels for c in lv.criteria]
    assert ids == ["tiny.costed", "tiny.trials", "tiny.note"]
    # Its own parameters, and --set for them; the analysis follows its alpha too.
    stricter = assess(doc, rubric=TINY, parameters={"alpha": 0.05})
    assert stricter.level == 1
    assert stricter.analysis.evaluations[0].outcomes[0].significant is False
    assert result.analysis.evaluations[0].outcomes[0].significant is True
    assert assess(doc, rubric=TINY, parameters={"min_trials": 2}).level == 1
    # Its own claims and its own label for level 0.
    del doc["costs"]
    doc["claims"] = {"tiny.costed": {"answer": True}}
    claimed = assess(doc, rubric=TINY)
    assert (claimed.level, claimed.claimed_level) == (0, 2)
    assert claimed.level_title(0) == "Not yet costed"
    path = write("tiny-sub.json", json.dumps(doc))
    out = cli("assess", path, "--rubric", TINY, "--format", "json", "--set", "alpha=0.2")
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["rubric"]["id"] == "tiny"
    assert (data["level"], data["claimed_level"]) == (0, 2)
    assert {c["id"] for lv in data["levels"] for c in lv["criteria"]} == {
        "tiny.costed", "tiny.trials", "tiny.note"}
    shown = cli("rubric", "show", TINY)
    assert shown.exit_code == 0 and "tiny.trials" in shown.stdout


def test_a_non_gating_criterion_does_not_hold_a_level_back(make_submission: Any,
                                                           make_rct: Any) -> None:
    rubric = load_rubric(TINY)
    (note,) = [c for lv in rubric.levels for c in lv.criteria if not c.gate]
    assert note.id == "tiny.note"
    doc = _tiny_submission(make_submission, make_rct)
    doc["claims"] = {"tiny.note": {"answer": False}}
    assert assess(doc, rubric=TINY).level == 2
