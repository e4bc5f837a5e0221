"""GRADE certainty (evidencekit.analysis.grade, rubrics/grade.yaml): the formulas against R
(tests/reference/grade.R), each domain's rule as a truth table written from the GRADE
sources, the certainty arithmetic over every combination of domain judgements, and the
rubric's levels on real submissions."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from evidencekit import stats
from evidencekit.analysis.grade import (
    MAX_DOWNGRADE,
    Domain,
    Grade,
    GradeSettings,
    imprecision,
    inconsistency,
    weighted_rule,
)
from evidencekit.api import assess
from evidencekit.assessment.conditions import Interpreter
from evidencekit.assessment.rubric import load_rubric

REFERENCE = Path(__file__).resolve().parent.parent / "reference"
GOLDEN = json.loads((REFERENCE / "grade.json").read_text(encoding="utf-8"))
KEYS = tuple(MAX_DOWNGRADE)


# --- formulas against R -------------------------------------------------------------------

@pytest.mark.parametrize("row", GOLDEN["ois"]["rows"], ids=lambda r: f"d{r['delta']}")
def test_optimal_information_size_matches_pwr(row: dict[str, float]) -> None:
    ois = stats.optimal_information_size(row["delta"], row["alpha"], row["power"])
    assert ois == pytest.approx(row["ois_exact"], rel=1e-8)
    assert ois == pytest.approx(row["ois_pwr"], rel=1e-6)  # pwr's uniroot tolerance


@pytest.mark.parametrize("row", GOLDEN["effective_n"]["rows"], ids=lambda r: str(r["n"]))
def test_effective_sample_size_matches_r(row: dict[str, float]) -> None:
    got = stats.effective_sample_size(row["n"], int(row["clusters"]), row["icc"])
    assert got == pytest.approx(row["n_eff"], rel=1e-12)


@pytest.mark.parametrize("key", ["weights", "weights3"])
def test_random_effects_weights_match_metafor(key: str) -> None:
    g = GOLDEN[key]
    got = stats.random_effects_weights(g["se"], g["tau2"])
    assert got == pytest.approx(g["share"], rel=1e-9)
    assert sum(got) == pytest.approx(1.0)


def test_the_pool_grade_reads_matches_metafor() -> None:
    g = GOLDEN["weights3"]
    p = stats.pool([0.41, 0.30, 0.05], g["se"], method="DL", test="adhoc")
    assert p.tau2 == pytest.approx(g["tau2"], rel=1e-9)
    assert p.i2_percent == pytest.approx(g["i2"], rel=1e-9)
    assert p.ci_random == pytest.approx(tuple(g["ci"]), rel=1e-8)
    assert p.pi == pytest.approx(tuple(g["pi"]), rel=1e-8)
    # I² 65% (serious band) and a prediction interval across 0: inconsistency is serious.
    d = inconsistency(SimpleNamespace(k=3, i2=p.i2_percent, prediction_interval=p.pi),
                      GradeSettings())
    assert d.downgrade == 1


@pytest.mark.parametrize("bad", [
    lambda: stats.optimal_information_size(0.0),
    lambda: stats.effective_sample_size(100, clusters=0, icc=0.1),
    lambda: stats.effective_sample_size(100, clusters=10, icc=1.5),
    lambda: stats.random_effects_weights([], 0.0),
    lambda: stats.random_effects_weights([0.1, 0.0], 0.0),
    lambda: stats.random_effects_weights([0.1], -0.1),
])
def test_formulas_refuse_impossible_input(bad: Callable[[], object]) -> None:
    with pytest.raises(stats.StatsError):
        bad()


# --- domain rules as truth tables ---------------------------------------------------------

def _weighted_by_hand(levels: tuple[int | None, ...], weights: tuple[float, ...]) -> int | None:
    """Cochrane Handbook 5.1 Table 12.2.d read as the toolkit does, worked by enumerating
    every way the unjudged evaluations could be judged (not the function's shortcut)."""
    outcomes = set()
    unknown = [i for i, j in enumerate(levels) if j is None]
    for fill in itertools.product((0, 1, 2), repeat=len(unknown)):
        js = list(levels)
        for i, v in zip(unknown, fill, strict=True):
            js[i] = v
        very = sum(w for j, w in zip(js, weights, strict=True) if j == 2)
        some = sum(w for j, w in zip(js, weights, strict=True) if j is not None and j >= 1)
        outcomes.add(2 if very > 0.5 else 1 if some > 0.5 else 0)
    return outcomes.pop() if len(outcomes) == 1 else None


@pytest.mark.parametrize("weights", [(0.5, 0.5), (0.6, 0.4), (0.2, 0.3, 0.5),
                                     (0.45, 0.1, 0.45), (1.0,)])
def test_weighted_rule_every_combination(weights: tuple[float, ...]) -> None:
    for levels in itertools.product((0, 1, 2, None), repeat=len(weights)):
        assert weighted_rule(levels, weights) == _weighted_by_hand(levels, weights), levels


# (lower, upper, effective n, expected) with the defaults: threshold 0, OIS 786.8 (0.2 SD).
IMPRECISION = [
    ((0.10, 0.50), 900.0, 0),    # interval on one side, enough participants
    ((0.10, 0.50), 700.0, 1),    # fewer than the OIS (GRADE 6)
    ((-0.10, 0.50), 900.0, 1),   # the interval crosses the threshold (GRADE 6, 34)
    ((-0.10, 0.50), 700.0, 2),   # both
    ((-0.50, -0.10), 900.0, 0),  # wholly below the threshold is precise too
    ((0.00, 0.50), 900.0, 0),    # touching the threshold is not crossing it
    ((-0.10, 0.50), None, 1),    # numbers analysed unknown, interval crosses
    ((0.10, 0.50), None, None),  # numbers analysed unknown, interval clear: not judged
]


@pytest.mark.parametrize(("ci", "n", "expected"), IMPRECISION)
def test_imprecision_truth_table(ci: tuple[float, float], n: float | None,
                                 expected: int | None) -> None:
    ois = stats.optimal_information_size(0.2)
    assert imprecision(ci, n, ois, GradeSettings()).downgrade == expected


def test_imprecision_follows_the_threshold_parameter() -> None:
    ois = stats.optimal_information_size(0.2)
    assert imprecision((0.10, 0.50), 900.0, ois, GradeSettings(threshold=0.2)).downgrade == 1
    assert imprecision((0.10, 0.50), 900.0, ois, GradeSettings(threshold=0.05)).downgrade == 0


# (k, I², prediction interval, expected)
INCONSISTENCY = [
    (1, 0.0, None, 0),
    (3, 49.9, (-0.5, 1.0), 0),
    (3, 50.0, (-0.5, 1.0), 1),
    (3, 74.9, (-0.5, 1.0), 1),
    (3, 75.0, (-0.5, 1.0), 2),
    (3, 90.0, (0.1, 1.0), 0),    # large I² but every setting's effect above the threshold
    (3, 90.0, (-1.0, -0.1), 0),  # ... or every one below it
    (2, 60.0, None, 1),          # no prediction interval: I² alone
    (2, 80.0, None, 2),
]


@pytest.mark.parametrize(("k", "i2", "pi", "expected"), INCONSISTENCY)
def test_inconsistency_truth_table(k: int, i2: float, pi: tuple[float, float] | None,
                                   expected: int) -> None:
    pooled = SimpleNamespace(k=k, i2=i2, prediction_interval=pi)
    assert inconsistency(pooled, GradeSettings()).downgrade == expected


# --- the certainty over every combination of judgements -----------------------------------

def _grade(start: int, downs: tuple[int | None, ...]) -> Grade:
    domains = tuple(Domain(k, d, "", "computed") for k, d in zip(KEYS, downs, strict=True))
    return Grade(start, "", domains, 2, ("a", "b"), 0.3, (0.1, 0.5), 500.0, 786.8)


def _combinations() -> list[tuple[int, tuple[int | None, ...]]]:
    choices = [(*range(MAX_DOWNGRADE[k] + 1), None) for k in KEYS]
    return [(start, downs) for start in (4, 2) for downs in itertools.product(*choices)]


def test_certainty_every_combination() -> None:
    """GRADE: start High (4) for randomised and Low (2) for other evidence, one level down for
    each serious and two for each very serious concern, never below Very low (Handbook 5;
    Balshem 2011). With a domain not judged the certainty is every value its completions
    give, and is decided only when they all agree."""
    n = 0
    for start, downs in _combinations():
        unknown = [i for i, d in enumerate(downs) if d is None]
        values = set()
        for fill in itertools.product(*[range(MAX_DOWNGRADE[KEYS[i]] + 1) for i in unknown]):
            ds = list(downs)
            for i, v in zip(unknown, fill, strict=True):
                ds[i] = v
            values.add(max(1, start - sum(d for d in ds if d is not None)))
        g = _grade(start, downs)
        assert (g.worst, g.best) == (min(values), max(values)), (start, downs)
        assert g.certainty == (values.pop() if len(values) == 1 else None)
        n += 1
    assert n == 2 * 4 * 4 * 4 * 4 * 3


def test_rubric_levels_follow_the_certainty_range() -> None:
    """Each level L's gate is verified when even the worst case reaches L, refuted when the
    best case does not, and unknown (so it can be claimed) in between."""
    rubric = load_rubric("grade")
    seen = set()
    for start, downs in _combinations():
        # A fresh interpreter each time: its memo is keyed by the facts' identity.
        interp = Interpreter(dict(rubric.values), lambda e, s: None)
        g = _grade(start, downs)
        facts = {"grade.best": g.best, "grade.worst": g.worst, "grade.certainty": g.certainty,
                 "grade.label": g.label}
        for lv in rubric.levels[1:]:
            gate = next(c for c in lv.criteria if c.gate)
            got = interp.evaluate(gate.check, facts).value
            expected = True if g.worst >= lv.level else (False if g.best < lv.level else None)
            assert got is expected, (lv.level, g.worst, g.best)
            seen.add(got)
    assert seen == {True, False, None}


# --- the rubric on submissions --------------------------------------------------------------

def _trial(make_rct: Callable[..., dict[str, Any]], eid: str, site: str, diff: float,
           n: int = 100, design: str = "rct") -> dict[str, Any]:
    ev = make_rct(eid, site=site, treatment=(n, 50.0 + diff, 10.0), control=(n, 50.0, 10.0),
                  assigned=(n + 2, n + 2))
    ev["design"] = design
    return ev


def _domains(result: Any) -> dict[str, str]:
    return {c.id.split(".")[-1]: c.reason for c in result.levels[0].criteria}


def test_randomised_consistent_precise_evidence_is_moderate_to_high(
        make_submission: Callable[..., dict[str, Any]],
        make_rct: Callable[..., dict[str, Any]]) -> None:
    sub = make_submission(_trial(make_rct, "a", "Leeds", 3.0, 300),
                          _trial(make_rct, "b", "York", 3.5, 300),
                          _trial(make_rct, "c", "Hull", 3.2, 300))
    r = assess(sub, rubric="grade")
    d = _domains(r)
    assert "Starts at High" in d["pooled"]
    assert d["inconsistency"].startswith("Not serious")
    assert d["imprecision"].startswith("Not serious"), d["imprecision"]
    assert "1800 participants" in d["imprecision"]
    # risk of bias (no RoB 2 answers), indirectness and publication bias are not judged: the
    # certainty is a range, Very low verified, and High claimable.
    assert r.label == "Very low" and r.claimed_label == "Very low"
    statuses = {lv.level: lv.status for lv in r.levels}
    assert statuses == {1: "reached", 2: "not_reached", 3: "not_reached", 4: "not_reached"}
    assert [c.status for c in r.levels[3].criteria] == ["not_met"]
    claimed = assess({**sub, "claims": {"grade.L2.certainty": {"answer": True},
                                        "grade.L3.certainty": {"answer": True},
                                        "grade.L4.certainty": {"answer": True}}},
                     rubric="grade")
    assert claimed.claimed_label == "High"


def test_small_non_randomised_evidence_is_very_low(
        make_submission: Callable[..., dict[str, Any]],
        make_rct: Callable[..., dict[str, Any]]) -> None:
    ev = _trial(make_rct, "a", "Leeds", 1.0, 60, design="comparison_group")
    for side in ("treatment", "control"):
        ev["outcomes"][0]["summary"][side]["pre_mean"] = 40.0
        ev["outcomes"][0]["summary"][side]["pre_sd"] = 10.0
    r = assess(make_submission(ev), rubric="grade")
    d = _domains(r)
    assert "Starts at Low" in d["pooled"]
    assert "Imprecision: Very serious" in d["imprecision"], d["imprecision"]
    assert d["inconsistency"].startswith("Not serious: one evaluation")
    assert r.label == "Very low"
    # Low start, two levels down: no claim can lift it (the gates are refuted).
    claimed = assess({**make_submission(ev), "claims": {"grade.L2.certainty": {"answer": True}}},
                     rubric="grade")
    assert claimed.claimed_label == "Very low"


def test_nothing_pooled_is_not_rated(make_submission: Callable[..., dict[str, Any]]) -> None:
    one_group = {"id": "pp", "design": "pre_post", "outcomes": [{
        "name": "Score", "summary": {"post": {"n": 50, "mean": 12.0, "sd": 3.0},
                                     "pre": {"n": 50, "mean": 10.0, "sd": 3.0}}}]}
    r = assess(make_submission(one_group), rubric="grade")
    assert r.level == 0 and r.label == "Not rated (no pooled evidence)"


def test_grade_parameters_change_the_verdict(make_submission: Callable[..., dict[str, Any]],
                                             make_rct: Callable[..., dict[str, Any]]) -> None:
    sub = make_submission(_trial(make_rct, "a", "Leeds", 3.0, 300),
                          _trial(make_rct, "b", "York", 3.5, 300),
                          _trial(make_rct, "c", "Hull", 3.2, 300))
    assert _domains(assess(sub, rubric="grade"))["imprecision"].startswith("Not serious")
    r = assess(sub, rubric="grade", parameters={"grade_ois_effect": 0.1})
    assert "Imprecision: Serious" in _domains(r)["imprecision"], _domains(r)["imprecision"]


def test_other_rubrics_have_no_grade_facts(make_submission: Callable[..., dict[str, Any]],
                                           make_rct: Callable[..., dict[str, Any]]) -> None:
    from evidencekit.api import analyse
    from evidencekit.assessment.facts import add_grade_facts, programme_facts
    from evidencekit.load.submission import load_submission

    sub = load_submission(make_submission(_trial(make_rct, "a", "Leeds", 3.0)))
    facts = programme_facts(sub, analyse(sub))
    add_grade_facts(facts, sub, analyse(sub), {"alpha": 0.05})
    assert not any(k.startswith("grade.") for k in facts)


@pytest.mark.parametrize(("setting", "words"), [
    ("grade_i2_serious=150", "grade_i2_serious"),
    ("grade_threshold=big", "grade_threshold"),
])
def test_bad_parameter_is_one_sentence(cli: Callable[..., Any], setting: str,
                                       words: str) -> None:
    result = cli("assess", Path(__file__).parents[2] / "examples" / "goodgym.yaml",
                 "--rubric", "grade", "--set", setting)
    assert result.exit_code == 2
    assert words in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_rubric_cites_the_handbook_sections() -> None:
    raw = yaml.safe_load((Path(__file__).parents[2] / "rubrics" / "grade.yaml")
                         .read_text(encoding="utf-8"))
    text = " ".join(raw["sources"])
    for section in ("5.1", "5.2.1", "5.2.2", "5.2.3", "5.2.4", "5.2.5"):
        assert section in text
    for part in ("guidelines: 4", "guidelines: 5", "guidelines 6", "guidelines: 7",
                 "guidelines: 8"):
        assert part in text
    assert "operationalisation" in raw


def _three_trials(make_submission: Callable[..., dict[str, Any]],
                  make_rct: Callable[..., dict[str, Any]],
                  answers: tuple[str | None, ...] = (None, None, None)) -> dict[str, Any]:
    evs = [_trial(make_rct, eid, site, diff, 300)
           for eid, site, diff in (("a", "Leeds", 3.0), ("b", "York", 3.5), ("c", "Hull", 3.2))]
    for ev, answer in zip(evs, answers, strict=True):
        if answer is not None:
            ev["answers"] = {"grade.indirectness": answer}
    return make_submission(*evs)


@pytest.mark.parametrize(("answers", "expected"), [
    ((None, None, None), "Not judged"),
    (("not serious", "Serious", "not_serious"), "Not serious"),
    (("serious", "serious", None), "Serious"),            # two thirds of the weight serious
    (("very serious", "very_serious", "serious"), "Very serious"),
    (("serious", None, None), "Not judged"),               # the rest could go either way
])
def test_indirectness_answers_per_evaluation(make_submission: Callable[..., dict[str, Any]],
                                             make_rct: Callable[..., dict[str, Any]],
                                             answers: tuple[str | None, ...],
                                             expected: str) -> None:
    r = assess(_three_trials(make_submission, make_rct, answers), rubric="grade")
    reason = _domains(r)["indirectness"]
    assert reason.removeprefix("Indirectness: ").startswith(expected), reason
    given = [a for a in r.answers if a.question == "grade.indirectness"]
    assert len(given) == sum(a is not None for a in answers)
    assert all(a.origin == "given" for a in given)


def test_indirectness_lowers_the_best_case(make_submission: Callable[..., dict[str, Any]],
                                           make_rct: Callable[..., dict[str, Any]]) -> None:
    sub = _three_trials(make_submission, make_rct, ("very serious",) * 3)
    sub["claims"] = {f"grade.L{n}.certainty": {"answer": True} for n in (2, 3, 4)}
    r = assess(sub, rubric="grade")
    # High start, two levels down for indirectness; risk of bias and publication bias not
    # judged: Very low to Low, so Low can be claimed and Moderate cannot.
    assert r.label == "Very low" and r.claimed_label == "Low"


def test_a_bad_indirectness_answer_is_one_sentence(
        cli: Callable[..., Any], write: Callable[[str, str], Path],
        make_submission: Callable[..., dict[str, Any]],
        make_rct: Callable[..., dict[str, Any]]) -> None:
    path = write("sub.yaml", yaml.safe_dump(
        _three_trials(make_submission, make_rct, ("somewhat", None, None)), sort_keys=False))
    result = cli("assess", path, "--rubric", "grade")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "grade.indirectness" in lines[0] and "somewhat" in lines[0]
    assert "line" in lines[0] and "Traceback" not in result.stderr


# --- risk of bias from the RoB 2 rubric's verdicts ------------------------------------------

HOME_START = Path(__file__).parents[2] / "examples" / "home-start.yaml"


def _home_start(**changes: dict[str, str | None]) -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(HOME_START.read_text(encoding="utf-8"))
    for ev in doc["evaluations"]:
        for key, value in changes.get(ev["id"], {}).items():
            if value is None:
                ev["answers"].pop(key, None)
            else:
                ev["answers"][key] = value
    return doc


def test_risk_of_bias_reads_the_rob2_verdicts() -> None:
    # Leeds (49% of the pool) and Bristol (19%) Low, Sheffield (33%) Some concerns.
    r = assess(_home_start(), rubric="grade")
    rob = _domains(r)["risk_of_bias"]
    assert rob.startswith("Not serious"), rob
    assert "leeds-rct-2016 49% low" in rob and "sheffield-rct-2019 33% some concerns" in rob
    assert (r.label, r.claimed_label) == ("Moderate", "High")  # publication bias: claimed


def test_a_high_risk_trial_with_most_of_the_weight_rates_down() -> None:
    # Allocation not concealed at Leeds: RoB 2 domain 1 High, so Leeds is High (49%); with
    # Sheffield's Some concerns (33%), 82% of the weight is at some concerns or worse.
    r = assess(_home_start(**{"leeds-rct-2016": {"rob2.1.2": "N"}}), rubric="grade")
    rob = _domains(r)["risk_of_bias"]
    assert "Risk of bias: Serious" in rob and "leeds-rct-2016 49% high" in rob, rob
    assert (r.label, r.claimed_label) == ("Low", "Low")  # the High claim needs Moderate first


def test_a_missing_rob2_verdict_that_matters_leaves_the_domain_unjudged() -> None:
    r = assess(_home_start(**{"leeds-rct-2016": {"rob2.1.2": "N"},
                              "sheffield-rct-2019": {"rob2.overall": None}}), rubric="grade")
    rob = _domains(r)["risk_of_bias"]
    assert "Not judged" in rob and "sheffield-rct-2019 33% not judged" in rob, rob
    assert r.label == "Very low"


@pytest.mark.parametrize("rubric", ["all", "grade"])
def test_the_readme_shows_real_output_for_home_start(cli: Callable[..., Any],
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     rubric: str) -> None:
    """The README's home-start blocks are the command's output, lines elided as '…' only."""
    repo = Path(__file__).parents[2]
    readme = (repo / "README.md").read_text(encoding="utf-8")
    command = f"$ evidencekit assess examples/home-start.yaml --rubric {rubric}\n"
    start = readme.index(command) + len(command)
    shown = readme[start:readme.index("```", start)].splitlines()
    monkeypatch.chdir(repo)
    out = cli("assess", "examples/home-start.yaml", "--rubric", rubric)
    assert out.exit_code == 0
    real = out.stdout.splitlines()
    at = 0
    for line in shown:
        if line == "…":
            continue
        assert line in real[at:], line
        at = real.index(line, at) + 1
    assert len([ln for ln in shown if ln != "…"]) >= 10
