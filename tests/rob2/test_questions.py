"""Per-evaluation questions (signalling questions): the rubric declaration, the submission key,
the loader's and compiler's messages, pre-filled answers and checks that name answers
(issue 17, item 1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from evidencekit.api import assess
from evidencekit.assessment.rubric import check_rubric, load_rubric
from evidencekit.errors import RubricError, SubmissionError
from evidencekit.load.submission import load_submission

HERE = Path(__file__).resolve().parent
QUIZ = HERE / "questions_rubric.yaml"


def submission(answers: dict[str, Any] | None = None, *, assigned: tuple[int, int] = (100, 100),
               design: str = "rct") -> dict[str, Any]:
    ev: dict[str, Any] = {
        "id": "trial", "design": design,
        "outcomes": [{"name": "Score", "summary": {
            "treatment": {"n": 98, "mean": 10, "sd": 2},
            "control": {"n": 97, "mean": 9, "sd": 2}}}]}
    if design in ("rct", "comparison_group"):
        ev["assigned"] = {"treatment": assigned[0], "control": assigned[1]}
    if answers is not None:
        ev["answers"] = answers
    return {"schema": "evidencekit/submission@1", "programme": {"name": "Test"},
            "evaluations": [ev]}


def write(tmp_path: Path, doc: dict[str, Any]) -> Path:
    p = tmp_path / "sub.yaml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return p


def test_rubric_declares_questions_with_their_answer_sets() -> None:
    rubric = load_rubric(QUIZ)
    assert [q.full_id for q in rubric.questions] == ["quiz.complete", "quiz.concealed"]
    complete = rubric.questions[0]
    assert complete.codes == ("Y", "PY", "PN", "N", "NI")  # `allow` leaves NA out
    assert complete.group == "Missing data"
    assert [r.rule for r in complete.prefill] == ["questions[0].prefill[0]",
                                                  "questions[0].prefill[1]"]


@pytest.mark.parametrize("typed, code", [
    ("Y", "Y"), ("yes", "Y"), ("PROBABLY YES", "PY"), ("probably-not", "PN"), ("likely", "PY"),
    ("no information", "NI"), ("not reported", "NI"), ("No", "N"), ("ni", "NI"),
])
def test_answers_accept_the_words_a_person_types(typed: str, code: str) -> None:
    q = load_rubric(QUIZ).questions[1]
    assert q.normalise(typed) == code


@pytest.mark.parametrize("typed", ["maybe", "yes!!! no", "not applicable", "", "2"])
def test_answers_refuse_what_means_none_of_them(typed: str) -> None:
    q = load_rubric(QUIZ).questions[1]  # NA is not allowed for this question
    assert q.normalise(typed) is None
    sentence = q.refusal(typed)
    assert sentence.endswith(".") and sentence.count(".") >= 1 and "\n" not in sentence


def test_a_check_names_an_answer_and_its_record_says_where_it_came_from(tmp_path: Path) -> None:
    r = assess(write(tmp_path, submission({"quiz.concealed": {"answer": "probably yes",
                                                               "note": "sealed envelopes"}})),
               rubric=str(QUIZ))
    assert r.level == 1
    records = {a.question: a for a in r.answers}
    concealed = records["quiz.concealed"]
    assert (concealed.answer, concealed.origin, concealed.note) == ("PY", "given",
                                                                   "sealed envelopes")
    complete = records["quiz.complete"]  # 5 of 200 missing: 2.5%
    assert (complete.answer, complete.origin, complete.rule) == ("Y", "prefilled",
                                                                "questions[0].prefill[0]")
    assert complete.because == "attrition is 2.5% of those randomised (at most 5%)"
    out = json.loads(json.dumps(r.to_dict()))
    assert {a["question"]: a["origin"] for a in out["answers"]} == {
        "quiz.complete": "prefilled", "quiz.concealed": "given"}
    reason = r.levels[0].criteria[0].reason
    assert "concealed (answer PY)" in reason


def test_prefill_follows_the_statistics(tmp_path: Path) -> None:
    r = assess(write(tmp_path, submission({"quiz.concealed": "Y"}, assigned=(130, 130))),
               rubric=str(QUIZ))
    complete = next(a for a in r.answers if a.question == "quiz.complete")
    assert complete.answer == "N" and complete.rule == "questions[0].prefill[1]"
    assert r.level == 0  # complete data is a gate


def test_a_given_answer_stands_and_a_disagreeing_statistic_is_recorded(tmp_path: Path) -> None:
    r = assess(write(tmp_path, submission({"quiz.concealed": "Y", "quiz.complete": "N"})),
               rubric=str(QUIZ))
    complete = next(a for a in r.answers if a.question == "quiz.complete")
    assert (complete.answer, complete.origin) == ("N", "given")
    assert complete.prefill_differs is not None and "give Y" in complete.prefill_differs
    assert r.level == 0


def test_unanswered_questions_are_unknown(tmp_path: Path) -> None:
    r = assess(write(tmp_path, submission()), rubric=str(QUIZ))
    assert [a.question for a in r.answers] == ["quiz.complete"]
    assert r.level == 0 and r.levels[0].criteria[0].status == "not_met"
    assert "the answer to concealed is not given" in r.levels[0].criteria[0].reason.casefold()


def test_a_question_not_asked_of_a_design_is_not_answered(tmp_path: Path) -> None:
    doc = submission({"quiz.concealed": "Y", "quiz.complete": "Y"}, design="comparison_group")
    r = assess(write(tmp_path, doc), rubric=str(QUIZ))
    assert [a.question for a in r.answers] == ["quiz.concealed"]  # asked only of trials


@pytest.mark.parametrize("answers, expected", [
    ({"quiz.concealed": "maybe"},
     "sub.yaml, line 22, evaluations[0].answers.quiz.concealed: expected one of Y (yes), "
     "PY (probably yes), PN (probably no), N (no), NI (no information), found 'maybe'."),
    ({"quiz.concaled": "Y"},
     "sub.yaml, line 22, evaluations[0].answers.quiz.concaled: expected a question of rubric "
     "'quiz' (quiz.complete, quiz.concealed), found 'quiz.concaled' (did you mean "
     "'quiz.concealed'?)."),
    ({"quiz.concealed": {"answer": "Y", "nte": "x"}},
     "sub.yaml, line 24, evaluations[0].answers.quiz.concealed.nte: expected one of the keys "
     "answer, note, found the unknown key 'nte' (did you mean 'note'?)."),
    ({"Quiz": "Y"},
     "sub.yaml, line 22, evaluations[0].answers.Quiz: expected a question id such as "
     "'rob2.1.2' (the rubric's id, then the question's), found the key 'Quiz'."),
    ({"quiz.concealed": 3},
     "sub.yaml, line 22, evaluations[0].answers.quiz.concealed: expected an answer (such as "
     "PY) or {answer: ..., note: ...}, found the number 3."),
])
def test_bad_answers_are_one_plain_sentence(tmp_path: Path, answers: dict[str, Any],
                                            expected: str) -> None:
    path = write(tmp_path, submission(answers))
    with pytest.raises(SubmissionError) as info:
        assess(path, rubric=str(QUIZ))
    got = [p.sentence() for p in info.value.problems]
    assert [g.replace(str(tmp_path) + "/", "") for g in got] == [expected]


def test_answers_to_a_bundled_rubric_are_checked_when_loaded(tmp_path: Path) -> None:
    path = write(tmp_path, submission({"nesta.foo": "Y"}))
    with pytest.raises(SubmissionError) as info:
        load_submission(path)
    assert info.value.problems[0].expected == (
        "no answers for rubric 'nesta' (it asks no per-evaluation questions)")


def test_answers_to_another_rubric_are_left_for_it(tmp_path: Path) -> None:
    sub = load_submission(write(tmp_path, submission({"quiz.concealed": "maybe"})))
    assert sub.evaluations[0].answers["quiz.concealed"].answer == "maybe"


def _rubric_with(tmp_path: Path, edit: Any) -> Path:
    raw = yaml.safe_load(QUIZ.read_text(encoding="utf-8"))
    edit(raw)
    p = tmp_path / "r.yaml"
    p.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return p


@pytest.mark.parametrize("edit, key, expected", [
    (lambda r: r["definitions"]["fine"]["all"][1].update({"in": ["answer.concaled", ["Y"]]}),
     "definitions.fine.all[1].in[0]", "the answer to a question the rubric declares"),
    (lambda r: r["levels"][0]["criteria"][0].update({"check": {"eq": ["answer.complete", "Y"]}})
     or r.update({"scope": "programme"}),
     "levels[0].criteria[0].check.eq[0]", "a fact of the programme scope (answers to"),
    (lambda r: r["questions"][0].update({"answers": "yesno"}),
     "questions[0].answers", "the name of an answer set (yn)"),
    (lambda r: r["questions"][0].update({"allow": ["Y", "MAYBE"]}),
     "questions[0].allow[1]", "an answer of set 'yn'"),
    (lambda r: r["questions"][0]["prefill"][0].update({"answer": "NA"}),
     "questions[0].prefill[0].answer", "one of the question's answers (Y, PY, PN, N, NI)"),
    (lambda r: r["questions"][1].update({"id": "complete"}),
     "questions[1].id", "a unique question id"),
    (lambda r: r["questions"][0]["prefill"][0].update({"when": {"le": ["attrition.overal", 1]}}),
     "questions[0].prefill[0].when.le[0]", "a fact of the evaluation scope"),
])
def test_rubric_mistakes_in_questions_are_reported(tmp_path: Path, edit: Any, key: str,
                                                   expected: str) -> None:
    with pytest.raises(RubricError) as info:
        check_rubric(_rubric_with(tmp_path, edit))
    keys = [(p.key, p.expected) for p in info.value.problems]
    assert any(k == key and e.startswith(expected) for k, e in keys), keys


def test_a_question_id_must_be_text_in_the_schema(tmp_path: Path) -> None:
    with pytest.raises(RubricError) as info:
        check_rubric(_rubric_with(tmp_path, lambda r: r["questions"][0].update({"id": 3.1})))
    assert info.value.problems[0].key == "questions[0].id"
