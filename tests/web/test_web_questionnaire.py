"""The questionnaire model shared by the web app and the terminal (evidencekit.questionnaire)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from web_helpers import PRE_POST_FORM, PROGRAMME_FORM, REPO, TINY_RUBRIC

import evidencekit
from evidencekit import questionnaire as q
from evidencekit.assessment.rubric import load_rubric


def test_questions_come_from_the_rubric_file() -> None:
    for source in ("nesta", TINY_RUBRIC):
        rubric = load_rubric(source)
        groups = q.questions_for(rubric)
        assert [g.level for g in groups] == [lv.level for lv in rubric.levels]
        for g, lv in zip(groups, rubric.levels, strict=True):
            assert g.title == lv.title
            assert [x.id for x in g.questions] == [c.id for c in lv.criteria]
            for x, c in zip(g.questions, lv.criteria, strict=True):
                assert x.question == c.question.strip()
                assert x.help == (c.help or "").strip()
                assert x.example == (c.example or "").strip()


@pytest.mark.parametrize(("kind", "raw", "value"), [
    ("count", " 1,200 ", 1200), ("number", "12,345.5", 12345.5), ("count", "", None),
    ("number", "£320", 320),
    ("number", "12.5", 12.5), ("number", "-3", -3), ("correlation", "0.6", 0.6),
    ("yes_no", "Yes", True), ("yes_no", "n", False), ("yes_no", "not sure", None),
    ("lines", "a\n\n b \r\nc", ["a", "b", "c"]), ("year", "2023", 2023),
    ("text", "  padded  ", "padded"),
])
def test_answers_parse(kind: Any, raw: str, value: Any) -> None:
    assert q.Field("k", "Label", kind).parse(raw) == value


@pytest.mark.parametrize(("field", "raw", "message"), [
    (q.Field("k", "People", "count"), "12.5", "Enter a whole number"),
    (q.Field("k", "People", "count", minimum=2), "1", "at least 2"),
    (q.Field("k", "Mean", "number"), "12,5", "use a full stop for decimals"),
    (q.Field("k", "Mean", "number"), "1,234,5", "Enter a number"),
    (q.Field("k", "Mean", "number"), "about ten", "Enter a number"),
    (q.Field("k", "Mean", "number"), "inf", "Enter a number"),
    (q.Field("k", "r", "correlation"), "1.5", "between -1 and 1"),
    (q.Field("k", "Year", "year"), "1800", "between 1900 and 2100"),
    (q.Field("k", "Manual", "yes_no"), "perhaps", "Answer yes or no"),
    (q.Field("k", "Name", required=True), "  ", "Name is needed."),
    (q.Field("k", "Design", "choice", choices=q.DESIGN_CHOICES), "survey", "Choose one of"),
])
def test_unusable_answers_get_plain_messages(field: q.Field, raw: str, message: str) -> None:
    with pytest.raises(q.AnswerError, match=message):
        field.parse(raw)


def test_lines_in_the_terminal_use_semicolons() -> None:
    f = q.PROGRAMME_FIELDS["theory_of_change.activities"]
    assert f.parse("Clubs; Training ;", separator=";") == ["Clubs", "Training"]


def test_answers_become_a_valid_submission() -> None:
    answers = q.Answers(values={**PROGRAMME_FORM, "costs.per_participant": "320",
                                "scaling.manual": "yes",
                                "claims.nesta.L3.comparison.answer": "yes",
                                "claims.nesta.L3.comparison.note": "Trial report due 2025",
                                "claims.nesta.L4.costs.answer": "no",
                                "claims.nesta.L5.systems.answer": ""},
                        evaluations=[dict(PRE_POST_FORM)])
    doc = q.to_submission(answers)
    assert list(doc)[:2] == ["schema", "programme"]
    assert doc["theory_of_change"]["activities"] == [
        "Volunteers read with each child twice a week", "Termly reading events for families"]
    ev = doc["evaluations"][0]
    assert ev["id"] == "reading-check-2023"
    assert ev["outcomes"][0]["summary"] == {
        "pre": {"n": 80, "mean": 96.5, "sd": 11}, "post": {"n": 80, "mean": 104, "sd": 10.5},
        "correlation": 0.6}
    assert doc["claims"] == {
        "nesta.L3.comparison": {"answer": True, "note": "Trial report due 2025"},
        "nesta.L4.costs": {"answer": False}}
    result = evidencekit.assess(doc)
    assert (result.level, result.claimed_level) == (2, 3)


def test_only_the_fields_of_the_chosen_design_are_written() -> None:
    ev = {**PRE_POST_FORM, "design": "rct", "treatment.n": "50", "treatment.mean": "10",
          "treatment.sd": "2", "control.n": "50", "control.mean": "9", "control.sd": "2",
          "assigned.treatment": "55", "assigned.control": "55", "clusters.treatment": "4"}
    out = q.evaluation_to_dict(ev, "trial")
    assert set(out["outcomes"][0]["summary"]) == {"treatment", "control"}
    assert out["assigned"] == {"treatment": 55, "control": 55}
    assert "clusters" not in out
    problems = q.evaluation_problems({**ev, "treatment.n": ""})
    assert problems == {"treatment.n": "Programme group: people analysed is needed."}


def test_evaluation_checks_across_fields() -> None:
    binary = {"title": "Jobs", "design": "comparison_group", "outcome.name": "In work",
              "outcome.kind": "binary", "treatment.n": "40", "treatment.events": "41",
              "control.n": "40", "control.events": "20"}
    assert q.evaluation_problems(binary) == {
        "treatment.events": "This cannot be more than the people analysed."}
    half_pretest = {**PRE_POST_FORM, "design": "rct", "treatment.n": "50",
                    "treatment.mean": "10", "treatment.sd": "2", "control.n": "50",
                    "control.mean": "9", "control.sd": "2", "treatment.pre_mean": "8"}
    assert "treatment.pre_sd" in q.evaluation_problems(half_pretest)
    data = {"title": "Trial", "design": "rct", "outcome.name": "Score", "source": "data"}
    assert q.evaluation_problems(data) == {
        "data": "Choose the data file with one row per person."}
    mapped = {**data, "data": "data/t.csv", "columns.outcome": "score", "columns.group": "arm"}
    assert set(q.evaluation_problems(mapped)) == {"columns.treatment"}


def test_to_submission_refuses_unusable_answers() -> None:
    with pytest.raises(q.AnswerError, match="Programme name is needed"):
        q.to_submission(q.Answers())


def test_a_submission_comes_back_as_the_same_answers() -> None:
    answers = q.Answers(values={**PROGRAMME_FORM, "costs.per_participant": "320",
                                "scaling.manual": "yes", "scaling.sites": "3",
                                "claims.nesta.L3.comparison.answer": "no"},
                        evaluations=[{**PRE_POST_FORM}])
    doc = q.to_submission(answers)
    back = q.from_submission(yaml.safe_load(q.to_yaml(doc)))
    assert back.kept == [] and back.extra == {}
    assert q.to_submission(back) == doc
    assert back.values["theory_of_change.activities"] == \
        PROGRAMME_FORM["theory_of_change.activities"]


@pytest.mark.parametrize("example", sorted(p.stem for p in (REPO / "examples").glob("*.yaml")))
def test_every_example_survives_the_questionnaire(example: str) -> None:
    """What the form cannot show is kept as it was: the assessment does not change."""
    path = REPO / "examples" / f"{example}.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    answers = q.from_submission(copy.deepcopy(doc))
    again = q.to_submission(answers)
    before = evidencekit.assess(path)
    from evidencekit.load import load_submission

    after = evidencekit.assess(load_submission(again, base_dir=path.parent))
    assert (after.level, after.claimed_level) == (before.level, before.claimed_level)
    assert len(again.get("evaluations", [])) == len(doc.get("evaluations") or [])


def test_unknown_parts_of_a_file_are_kept() -> None:
    doc = {"schema": q.SCHEMA, "programme": {"name": "P", "theme": "t"},
           "evaluations": [{"id": "pub", "design": "rct", "outcomes": [
               {"name": "Score", "reported": {"t": 2.5, "n_treatment": 50, "n_control": 50}}]}],
           "claims": {"other.L1.x": {"answer": True}}}
    answers = q.from_submission(doc)
    assert answers.kept == doc["evaluations"] and answers.evaluations == []
    assert q.to_submission(answers) == doc


@pytest.mark.parametrize("path", ["../x.csv", "/etc/x.csv", "data/../../x.csv", "data/x.txt",
                                  "", "data/.."])
def test_safe_relative_refuses_paths_out_of_the_folder(tmp_path: Path, path: str) -> None:
    assert q.safe_relative(path, tmp_path) is None


def test_safe_relative_accepts_files_inside(tmp_path: Path) -> None:
    assert q.safe_relative("data/x.csv", tmp_path) == (tmp_path / "data" / "x.csv").resolve()


def test_framework_fields_round_trip_through_the_form() -> None:
    """The evaluation keys the other frameworks read (issue 7) are asked and kept."""
    from evidencekit.questionnaire import evaluation_from_dict, evaluation_to_dict

    evaluation = {
        "id": "london", "title": "Matched comparison", "design": "comparison_group",
        "identification": "difference_in_differences", "comparison_justified": True,
        "real_world": True,
        "outcomes": [{"name": "Attendance", "follow_up_months": 12,
                      "summary": {"treatment": {"n": 80, "mean": 91.0, "sd": 6.0},
                                  "control": {"n": 85, "mean": 88.0, "sd": 6.5}}}],
    }
    answers = evaluation_from_dict(evaluation)
    assert answers is not None
    assert answers["identification"] == "difference_in_differences"
    back = evaluation_to_dict(answers, "london")
    assert back["identification"] == "difference_in_differences"
    assert back["comparison_justified"] is True and back["real_world"] is True
    assert back["outcomes"][0]["follow_up_months"] == 12


# -- issue 14: no path writes an invalid submission; several outcomes round-trip ------------

def _random_answer(rng: Any, f: Any) -> str:
    import random as _random  # noqa: F401  (rng is a random.Random)

    kind = f.kind
    if kind == "choice":
        options = [*(c.value for c in f.choices), *(c.label for c in f.choices),
                   *(str(n) for n in range(1, len(f.choices) + 1)), "", "nonsense"]
        return str(rng.choice(options))
    if kind == "yes_no":
        return str(rng.choice(["yes", "no", "", "y", "not sure", "maybe"]))
    if kind in ("count", "year"):
        return str(rng.choice(["", "0", "1", "2", "40", "2023", "1,200", "-3", "twelve"]))
    if kind in ("number", "correlation"):
        return str(rng.choice(["", "0", "0.5", "12.5", "£450", "45%", "-1", "2", "x"]))
    if kind == "currency":
        return str(rng.choice(["", "GBP", "pounds", "gbp", "££", "EURO"]))
    return str(rng.choice(["", "Some text", "Two\nlines", "x" * 10]))


def test_no_answers_make_a_submission_that_fails_validation(tmp_path: Path) -> None:
    """300 random sets of answers (by number, by words, wrong ones, several outcomes): when
    the questionnaire finds no problem, the loader accepts the submission it writes."""
    import random

    from evidencekit import questionnaire as q

    rng = random.Random(14)
    accepted = 0
    for _ in range(300):
        values = {f.key: _random_answer(rng, f) for f in q.PROGRAMME_FIELDS.values()}
        values["programme.name"] = rng.choice(["Reading Buddies", "", "Club"])
        evaluations = []
        for _ in range(rng.randint(0, 2)):
            ev = {f.key: _random_answer(rng, f) for f in q.EVALUATION_FIELDS.values()}
            ev["source"] = "summary"
            more = rng.randint(0, 2)
            if more:
                ev[q.MORE_COUNT] = str(more)
                for m in range(1, more + 1):
                    for f in q.EVALUATION_FIELDS.values():
                        ev[q.more_prefix(m) + f.key] = _random_answer(rng, f)
            if rng.random() < 0.5:  # often a complete, sensible one
                ev.update({"title": "Survey", "design": rng.choice(["1", "before and after",
                                                                    "pre_post"]),
                           "outcome.name": "Score", "outcome.kind": "continuous",
                           "pre.n": "40", "pre.mean": "10", "pre.sd": "2", "post.n": "40",
                           "post.mean": "12", "post.sd": "2", "correlation": ""})
            evaluations.append(ev)
        answers = q.Answers(values=values, evaluations=evaluations)
        prog, evs = q.problems_of(answers)
        if prog or evs:
            continue
        accepted += 1
        doc = q.to_submission(answers)
        assert q.submission_problems(doc, tmp_path) == [], doc
    assert accepted >= 10  # the test sees accepted sets, not only refusals


def test_several_outcomes_resume_into_the_form() -> None:
    from evidencekit import questionnaire as q

    doc = {"schema": q.SCHEMA, "programme": {"name": "P"}, "evaluations": [{
        "id": "s", "title": "S", "design": "pre_post", "outcomes": [
            {"name": "A", "summary": {"pre": {"n": 40, "mean": 1, "sd": 1},
                                      "post": {"n": 40, "mean": 2, "sd": 1}}},
            {"name": "B", "kind": "binary", "primary": False,
             "summary": {"pre": {"n": 40, "events": 10}, "post": {"n": 40, "events": 20}}}]}]}
    answers = q.from_submission(doc)
    assert answers.kept == []  # shown in the form, not kept aside
    [ev] = answers.evaluations
    assert ev[q.MORE_COUNT] == "1" and ev["more1.outcome.name"] == "B"
    assert q.to_submission(answers)["evaluations"] == doc["evaluations"]


def test_a_choice_by_number_or_words_and_nothing_else() -> None:
    from evidencekit import questionnaire as q

    design = q.EVALUATION_FIELDS["design"]
    assert [design.choose(t) for t in ("1", "Before and after", "before & after", "RCT",
                                       "randomised controlled trial", "cluster")] == \
        ["pre_post", "pre_post", "pre_post", "rct", "rct", "cluster_rct"]
    with pytest.raises(q.AnswerError, match=r"Choose one of: 1 Before and after; 2 After"):
        design.choose("6")
    ident = q.EVALUATION_FIELDS["identification"]
    rct = {"design": "rct"}
    assert [c.value for c in ident.options(rct)] == ["controls", "randomisation"]
    with pytest.raises(q.AnswerError):
        ident.choose("instrumental variables", rct)
    assert q.evaluation_problems({"title": "T", "design": "rct", "outcome.name": "X",
                                  "identification": "regression_discontinuity",
                                  "treatment.n": "40", "treatment.mean": "1",
                                  "treatment.sd": "1", "control.n": "40",
                                  "control.mean": "1", "control.sd": "1"}) == {
        "identification": "That does not fit a randomised controlled trial (rct): choose one "
                          "of With control variables; Randomisation."}
    currency = q.PROGRAMME_FIELDS["costs.currency"]
    assert currency.parse("pounds") == "GBP"
    with pytest.raises(q.AnswerError, match="three-letter currency code"):
        currency.parse("quid")


def test_the_field_catalogue_is_data_checked_against_the_submission_model() -> None:
    """Every question of evidencekit/questionnaire.yaml has its place in the declarative
    submission model, which gives its kind, range and allowed values (#10 item 9)."""
    from evidencekit import questionnaire as q
    from evidencekit.load.definition import submission_fields

    model = {f.path: f for f in submission_fields()}
    fields = [*((f, True) for f in q.PROGRAMME_FIELDS.values()),
              *((f, False) for f in q.EVALUATION_FIELDS.values())]
    for f, programme in fields:
        path = q.model_path(f.key, programme=programme)
        if path is None:
            assert f.key == "source"  # the one form-only question: numbers or a data file
            continue
        info = model[path]
        if f.kind in ("number", "count", "year", "correlation"):
            assert (f.minimum, f.maximum) == (info.minimum, info.maximum), f.key
        if f.kind == "choice":
            assert {c.value for c in f.choices} <= set(info.choices or ()), f.key
    n = q.EVALUATION_FIELDS["treatment.n"]
    assert (n.kind, n.minimum) == ("count", 2)
    with pytest.raises(q.AnswerError, match="at most 1,000,000,000"):
        n.parse("2000000000")  # the model's range, not one kept in the questionnaire


def test_a_catalogue_question_outside_the_model_is_refused(tmp_path: Path,
                                                           monkeypatch: Any) -> None:
    from evidencekit import questionnaire as q

    broken = q.CATALOGUE.read_text(encoding="utf-8").replace(
        "key: programme.theme", "key: programme.colour", 1)
    (tmp_path / "questionnaire.yaml").write_text(broken, encoding="utf-8")
    monkeypatch.setattr(q, "CATALOGUE", tmp_path / "questionnaire.yaml")
    with pytest.raises(ValueError, match=r"'programme\.colour' has no place in the "
                                         r"submission model"):
        q._load_catalogue()


def test_what_the_result_page_says_names_no_submission_key() -> None:
    """The actions, reasons and notes of every example under every bundled framework, as the
    web result page shows them, name the questions on the pages, never a YAML key."""
    import re

    from evidencekit import questionnaire as q
    from evidencekit.assessment.rubric import bundled_rubrics

    keys = re.compile(r"\b(?:theory_of_change|costs|scaling|programme)\.[a-z_]+"
                      r"|\b(?:pre_post|post_only|comparison_group|cluster_rct|"
                      r"follow_up_months)\b")
    seen = 0
    for example in sorted((REPO / "examples").glob("*.yaml")):
        for rubric in bundled_rubrics():
            result = evidencekit.assess(example, rubric=rubric)
            texts = [*result.next_steps, *result.quality_notes,
                     *(c.reason for lv in result.levels for c in lv.criteria)]
            seen += sum(1 for t in texts if keys.search(t))
            for text in texts:
                assert not keys.search(q.plain_words(text)), text
    assert seen > 0  # the assessment's own sentences do use keys: the test can fail
