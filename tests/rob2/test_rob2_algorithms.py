"""Cochrane RoB 2 (rubrics/rob2.yaml) against the truth table written from the 22 August 2019
guidance (tests/rob2/rob2_truth_table.yaml): every combination of answers of every domain,
every combination of domain judgements for the overall verdict, and the rule each judgement
names (issue 17, item 2)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from evidencekit.assessment.conditions import Interpreter, Node
from evidencekit.assessment.engine import _verdict
from evidencekit.assessment.rubric import Rubric, load_rubric
from evidencekit.load.model import Programme, Submission

HERE = Path(__file__).resolve().parent
TABLE: dict[str, Any] = yaml.safe_load((HERE / "rob2_truth_table.yaml").read_text("utf-8"))
JUDGEMENTS = ("Low", "Some concerns", "High")
NOT_JUDGED = TABLE["unmatched"]


@cache
def rubric() -> Rubric:
    return load_rubric("rob2")


def _matches(row: Mapping[str, Any], answers: Mapping[str, str]) -> bool:
    if any(answers[q] not in allowed for q, allowed in (row.get("match") or {}).items()):
        return False
    either = row.get("either")
    return either is None or any(all(answers[q] in allowed for q, allowed in alt.items())
                                 for alt in either)


def expected(table: Mapping[str, Any], answers: Mapping[str, str]) -> str:
    """The judgement of the one row ``answers`` matches (two matching rows are a mistake in
    the table, and fail the test)."""
    hits = [row["judgement"] for row in table["rows"] if _matches(row, answers)]
    assert len(hits) <= 1, (answers, hits)
    return hits[0] if hits else NOT_JUDGED


def expected_d2(answers: Mapping[str, str]) -> str:
    part1 = expected(TABLE["domains"]["d2_part1"], answers)
    part2 = expected(TABLE["domains"]["d2_part2"], answers)
    # "any" is any judgement of that part, or none: High in either part makes the domain
    # High whatever the other part says.
    hits = {row["judgement"] for row in TABLE["d2_combination"]
            if row["part1"] in (part1, "any") and row["part2"] in (part2, "any")}
    assert len(hits) <= 1, (part1, part2, hits)
    return hits.pop() if hits else NOT_JUDGED


def combinations(options: Mapping[str, Sequence[str]]) -> Iterator[dict[str, str]]:
    names = list(options)
    for values in itertools.product(*(options[n] for n in names)):
        yield dict(zip(names, values, strict=True))


def domain_nodes(domain: str) -> tuple[Node, Node, Node]:
    """The rubric's Low, Some concerns and High conditions of a domain: the parts of its
    level-1 "judged" criterion ({any: [d_low, d_some, d_high]})."""
    crit = rubric().criterion(f"rob2.{domain}")
    assert crit is not None and crit.check.op == "any"
    low, some, high = crit.check.args
    return low, some, high


def judge(domain: str, answers: Mapping[str, str], *, explain: bool = False
          ) -> tuple[str, tuple[str, ...]]:
    facts = {"design": "rct", **{f"answer.{q}": a for q, a in answers.items()}}
    ip = Interpreter(dict(rubric().values), lambda e, s: None, explain=explain)
    verdicts = [ip.evaluate(n, facts) for n in domain_nodes(domain)]
    true = [j for j, v in zip(JUDGEMENTS, verdicts, strict=True) if v.value is True]
    assert len(true) <= 1, (domain, answers, true)  # the rules are mutually exclusive
    if not true:
        return NOT_JUDGED, ()
    return true[0], verdicts[JUDGEMENTS.index(true[0])].why


def test_the_truth_table_cites_the_guidance() -> None:
    text = (HERE / "rob2_truth_table.yaml").read_text("utf-8")
    assert "22 August 2019" in text and "Higgins JPT, Savović J, Page MJ, Sterne JAC" in text
    assert "BMJ 2019;366:l4898" in text
    rubric_text = (HERE.parents[1] / "rubrics" / "rob2.yaml").read_text("utf-8")
    assert "22 August 2019" in rubric_text and "BMJ 2019;366:l4898" in rubric_text


def test_the_rubric_takes_the_guidance_response_options() -> None:
    options: dict[str, list[str]] = {}
    for table in TABLE["domains"].values():
        options.update(table["options"])
    got = {q.id: sorted(q.codes) for q in rubric().questions if q.id != "overall"}
    assert got == {q: sorted(v) for q, v in options.items()}


@pytest.mark.parametrize("domain", ["d1", "d3", "d4", "d5"])
def test_every_combination_of_answers(domain: str) -> None:
    table = TABLE["domains"][domain]
    n = 0
    seen: set[str] = set()
    for answers in combinations(table["options"]):
        want = expected(table, answers)
        got, why = judge(domain, answers, explain=True)
        assert got == want, (answers, got, want)
        if got != NOT_JUDGED:
            # traceable: the explanation names the rule that fired and the judgement
            text = " ".join(why)
            assert f"rule D{domain[1]}." in text and (got in text), (answers, text)
        seen.add(got)
        n += 1
    sizes = {"d1": 5 ** 3, "d3": 5 * 5 * 6 * 6, "d4": 5 * 5 * 6 ** 3, "d5": 5 ** 3}
    assert n == sizes[domain]
    assert {"Low", "Some concerns", "High"} <= seen


def test_every_combination_of_answers_domain_2() -> None:
    options = {**TABLE["domains"]["d2_part1"]["options"],
               **TABLE["domains"]["d2_part2"]["options"]}
    n = 0
    counts: dict[str, int] = {}
    for answers in combinations(options):
        want = expected_d2(answers)
        got, _ = judge("d2", answers)
        assert got == want, (answers, got, want)
        counts[got] = counts.get(got, 0) + 1
        n += 1
    assert n == 5 * 5 * 6 * 6 * 6 * 5 * 6  # 162,000
    assert set(counts) == {"Low", "Some concerns", "High", NOT_JUDGED}


def test_domain_2_explanations_name_both_parts_rules() -> None:
    options = {**TABLE["domains"]["d2_part1"]["options"],
               **TABLE["domains"]["d2_part2"]["options"]}
    for i, answers in enumerate(combinations(options)):
        if i % 97:
            continue
        got, why = judge("d2", answers, explain=True)
        assert got == expected_d2(answers)
        if got == NOT_JUDGED:
            continue
        text = " ".join(why)
        assert text.startswith("Domain 2") and got in text
        assert "rule D2." in text


def test_unanswered_questions_leave_a_domain_unjudged_not_judged_wrongly() -> None:
    ip = Interpreter(dict(rubric().values), lambda e, s: None)
    low, some, high = domain_nodes("d1")
    facts = {"design": "rct", "answer.1.2": "Y"}  # 1.1 and 1.3 not answered
    assert [ip.evaluate(n, facts).value for n in (low, some, high)] == [None, None, False]
    facts = {"design": "rct", "answer.1.2": "N"}  # High whatever 1.1 and 1.3 say
    assert ip.evaluate(high, facts).value is True


def test_domain_1_follows_the_guidance_where_encodings_disagree() -> None:
    # (1.1 N, 1.2 Y, 1.3 N): Some concerns in the guidance's flowchart (and CoRATES); the
    # risk-of-bias package rates it High.
    assert judge("d1", {"1.1": "N", "1.2": "Y", "1.3": "N"})[0] == "Some concerns"
    # (1.1 NI, 1.2 Y, 1.3 N): Low in the guidance; Some concerns in risk-of-bias.
    assert judge("d1", {"1.1": "NI", "1.2": "Y", "1.3": "N"})[0] == "Low"
    # (1.1 PN, 1.2 PY, 1.3 Y): Some concerns (not High) in the guidance.
    assert judge("d1", {"1.1": "PN", "1.2": "PY", "1.3": "Y"})[0] == "Some concerns"


# --- overall ---------------------------------------------------------------------------------

#: Answers that give each judgement in each domain (checked against the truth table below).
CANONICAL: dict[str, dict[str, dict[str, str]]] = {
    "d1": {"Low": {"1.1": "Y", "1.2": "Y", "1.3": "N"},
           "Some concerns": {"1.1": "N", "1.2": "Y", "1.3": "N"},
           "High": {"1.1": "Y", "1.2": "N", "1.3": "N"}},
    "d2": {"Low": {"2.1": "N", "2.2": "N", "2.3": "NA", "2.4": "NA", "2.5": "NA", "2.6": "Y",
                   "2.7": "NA"},
           "Some concerns": {"2.1": "N", "2.2": "N", "2.3": "NA", "2.4": "NA", "2.5": "NA",
                             "2.6": "N", "2.7": "N"},
           "High": {"2.1": "Y", "2.2": "Y", "2.3": "Y", "2.4": "Y", "2.5": "N", "2.6": "Y",
                    "2.7": "NA"}},
    "d3": {"Low": {"3.1": "Y", "3.2": "NA", "3.3": "NA", "3.4": "NA"},
           "Some concerns": {"3.1": "N", "3.2": "N", "3.3": "Y", "3.4": "N"},
           "High": {"3.1": "N", "3.2": "N", "3.3": "Y", "3.4": "Y"}},
    "d4": {"Low": {"4.1": "N", "4.2": "N", "4.3": "N", "4.4": "NA", "4.5": "NA"},
           "Some concerns": {"4.1": "N", "4.2": "NI", "4.3": "N", "4.4": "NA", "4.5": "NA"},
           "High": {"4.1": "Y", "4.2": "N", "4.3": "N", "4.4": "NA", "4.5": "NA"}},
    "d5": {"Low": {"5.1": "Y", "5.2": "N", "5.3": "N"},
           "Some concerns": {"5.1": "N", "5.2": "N", "5.3": "N"},
           "High": {"5.1": "Y", "5.2": "Y", "5.3": "N"}},
}


def test_the_canonical_answers_have_their_judgements_in_the_truth_table() -> None:
    for domain, by in CANONICAL.items():
        for judgement, answers in by.items():
            want = (expected_d2(answers) if domain == "d2"
                    else expected(TABLE["domains"][domain], answers))
            assert want == judgement, (domain, answers)


def expected_overall(judgements: Sequence[str], overall: str | None) -> str:
    """The overall judgement by the truth table's `overall` rows."""
    high = judgements.count("High")
    some = judgements.count("Some concerns")
    hits = []
    for row in TABLE["overall"]:
        d = row["domains"]
        ok = {"all Low": high == 0 and some == 0,
              "any High": high > 0,
              "exactly one Some concerns and no High": high == 0 and some == 1,
              "two or more Some concerns and no High": high == 0 and some >= 2}[d]
        if ok and "overall" in row:
            ok = (overall is None) if row["overall"] == "unanswered" else overall in row["overall"]
        if ok:
            hits.append(row["judgement"])
    assert len(hits) == 1, (judgements, overall, hits)
    return hits[0]


LABELS = {"Low": "Low", "Some concerns": "Some concerns", "High": "High",
          "Not assessed": "Not assessed"}


def test_every_combination_of_domain_judgements_gives_the_overall_judgement() -> None:
    r = rubric()
    sub = Submission(Programme("RoB 2 test"))
    n = 0
    for judgements in itertools.product(JUDGEMENTS, repeat=5):
        for overall in (None, "Y", "PY", "PN", "N"):
            answers: dict[str, str] = {}
            for domain, j in zip(CANONICAL, judgements, strict=True):
                answers.update(CANONICAL[domain][j])
            if overall is not None:
                answers["overall"] = overall
            facts = {"id": "t", "title": None, "design": "rct", "outcomes": [],
                     **{f"answer.{q}": a for q, a in answers.items()}}
            ip = Interpreter(dict(r.values), lambda e, s: None, explain=False)
            v = _verdict(r, ip, facts, sub, dict(r.values), False)
            want = expected_overall(judgements, overall)
            assert v.label == LABELS[want], (judgements, overall, v.label, want)
            n += 1
    assert n == 3 ** 5 * 5


def test_a_design_that_is_not_randomised_is_not_assessed() -> None:
    r = rubric()
    answers = {q: a for d in CANONICAL.values() for q, a in d["Low"].items()}
    for design, label in (("rct", "Low"), ("cluster_rct", "Low"), ("comparison_group",
                                                                    "Not assessed")):
        facts = {"id": "t", "title": None, "design": design, "outcomes": [],
                 **{f"answer.{q}": a for q, a in answers.items()}}
        ip = Interpreter(dict(r.values), lambda e, s: None, explain=True)
        v = _verdict(r, ip, facts, Submission(Programme("x")), dict(r.values), True)
        assert v.label == label, design
