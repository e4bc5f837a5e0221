"""The submission keys the framework rubrics read (additions to SPEC §1, all optional): each
is loaded and becomes a fact, and each bad value is one plain sentence naming the file, the
line and the key, with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rubric_helpers import submission, trial

from evidencekit.analysis import analyse_submission
from evidencekit.assessment.facts import programme_facts
from evidencekit.load import load_submission

TOP = "programme: {name: X}\n"
SUMMARY = ("        summary:\n"
           "          treatment: {n: 30, mean: 5.1, sd: 2}\n"
           "          control: {n: 30, mean: 4.2, sd: 2}\n")


def evaluation(design: str, extra: str = "", outcome_extra: str = "") -> str:
    return (TOP + "evaluations:\n  - id: a\n    design: " + design + "\n" + extra
            + "    outcomes:\n      - name: Score\n" + outcome_extra + SUMMARY)


IDENTIFICATIONS = ("none, controls, matching, difference_in_differences, "
                   "instrumental_variables, regression_discontinuity, randomisation")

CASES: list[tuple[str, str, str]] = [
    ("identification-unknown",
     evaluation("comparison_group", "    identification: magic\n"),
     f"bad.yaml, line 5, evaluations[0].identification: expected one of {IDENTIFICATIONS}, "
     "found the text 'magic'."),
    ("identification-randomisation-without-randomised-design",
     evaluation("comparison_group", "    identification: randomisation\n"),
     "bad.yaml, line 5, evaluations[0].identification: expected randomisation only with "
     "design rct or cluster_rct, found it with design 'comparison_group'."),
    ("identification-needing-a-comparison-group",
     TOP + "evaluations:\n  - id: a\n    design: pre_post\n    identification: matching\n"
     "    outcomes:\n      - name: Score\n        summary: {pre: {n: 30, mean: 5, sd: 2}, "
     "post: {n: 30, mean: 6, sd: 2}}\n",
     "bad.yaml, line 5, evaluations[0].identification: expected none or controls for design "
     "'pre_post' (matching needs a comparison group), found 'matching'."),
    ("identification-without-an-evaluation",
     TOP + "evaluations:\n  - id: a\n    design: none\n    identification: controls\n",
     "bad.yaml, line 5, evaluations[0].identification: expected no identification method for "
     "design 'none' (there is no evaluation to identify an effect), found 'controls'."),
    ("comparison-justified-text",
     evaluation("comparison_group", "    comparison_justified: \"yes\"\n"),
     "bad.yaml, line 5, evaluations[0].comparison_justified: expected true or false, found "
     "the text 'yes'."),
    ("real-world-number",
     evaluation("rct", "    real_world: 1\n"),
     "bad.yaml, line 5, evaluations[0].real_world: expected true or false, found the number 1."),
    ("follow-up-negative",
     evaluation("rct", outcome_extra="        follow_up_months: -3\n"),
     "bad.yaml, line 7, evaluations[0].outcomes[0].follow_up_months: expected a number of "
     "months from 0 to 1200, found the number -3."),
    ("follow-up-text",
     evaluation("rct", outcome_extra="        follow_up_months: a year\n"),
     "bad.yaml, line 7, evaluations[0].outcomes[0].follow_up_months: expected a number of "
     "months from 0 to 1200, found the text 'a year'."),
    ("evaluation-plan-list",
     TOP + "theory_of_change:\n  evaluation_plan: [survey, trial]\n",
     "bad.yaml, line 3, theory_of_change.evaluation_plan: expected text, found a list of 2 "
     "items."),
    ("misspelt-new-key",
     evaluation("rct", "    identifcation: randomisation\n"),
     "bad.yaml, line 5, evaluations[0].identifcation: expected one of the keys id, title, "
     "design, independent, delivered_by, site, year, assigned, icc, clusters, identification, "
     "comparison_justified, real_world, answers, outcomes, found the unknown key "
     "'identifcation' (did you mean 'identification'?)."),
]


@pytest.mark.parametrize(("content", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_value_is_one_plain_sentence(cli: Any, write: Any, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch, content: str,
                                         expected: str) -> None:
    write("bad.yaml", content)
    monkeypatch.chdir(tmp_path)
    for command in ("assess", "analyse"):
        out = cli(command, "bad.yaml")
        assert out.exit_code == 2, out.stdout
        assert out.stdout == "" and "Traceback" not in out.stderr
        assert out.stderr.splitlines() == [expected]


def test_the_new_keys_load_and_become_facts() -> None:
    doc = submission(
        trial("a", design="comparison_group", assigned=None, pre=(50.0, 50.0),
              identification="matching", comparison_justified=True, real_world=True,
              outcome={"follow_up_months": 18}),
        trial("b", identification="randomisation"),
        theory_of_change={"evaluation_plan": "A matched comparison, then a trial."})
    sub = load_submission(doc)
    a = sub.evaluations[0]
    assert (a.identification, a.comparison_justified, a.real_world) == ("matching", True, True)
    assert a.outcomes[0].follow_up_months == 18.0
    assert sub.theory_of_change.evaluation_plan == "A matched comparison, then a trial."
    facts = programme_facts(sub, analyse_submission(sub))
    assert facts["theory_of_change.evaluation_plan"] == "A matched comparison, then a trial."
    ev_a, ev_b = facts["evaluations"]
    assert (ev_a["identification"], ev_a["comparison_justified"], ev_a["real_world"]) == (
        "matching", True, True)
    assert ev_a["outcomes"][0]["follow_up_months"] == 18.0
    assert (ev_b["identification"], ev_b["comparison_justified"], ev_b["real_world"]) == (
        "randomisation", None, None)
    assert ev_b["outcomes"][0]["follow_up_months"] is None


def test_every_bundled_example_still_loads(cli: Any) -> None:
    examples = Path(__file__).resolve().parents[2] / "examples"
    for path in sorted(examples.glob("*.yaml")):
        out = cli("assess", path, "--format", "json")
        assert out.exit_code == 0, (path.name, out.stderr)
        assert json.loads(out.stdout)["rubric"]["id"] == "nesta"
