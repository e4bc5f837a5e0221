"""`evidencekit self-assess`: the questionnaire in the terminal (click prompts)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner, Result
from web_helpers import REPO, TINY_RUBRIC, trial_csv

import evidencekit
from evidencekit.cli import main

PADDING = "\n" * 80  # Enter for every remaining question ("not sure", or keep the default)

PROGRAMME = [
    "Reading Buddies", "Northside Trust", "", "",                       # programme
    "Children leave school reading badly", "Read together; Family events",
    "Better reading", "Practice helps", "", "",                          # theory of change
]


def _run(tmp_path: Path, answers: list[str], *args: str) -> Result:
    """Run the command in ``tmp_path`` (where mine.yaml and data/ are) with typed answers."""
    import os

    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        return CliRunner().invoke(main, ["self-assess", "--out", "mine.yaml", *args],
                                  input="\n".join(answers) + "\n" + PADDING,
                                  catch_exceptions=False)
    finally:
        os.chdir(here)


def test_asks_checks_writes_and_assesses(tmp_path: Path) -> None:
    answers = [*PROGRAMME,
               "abc", "320", "GBP", "",                 # costs: 'abc' is asked again
               "maybe", "yes", "", "", "8", "",         # scaling: 'maybe' is asked again
               "",                                      # no evaluation
               "yes", "Trial report due in May"]        # tiny.trials: claimed
    result = _run(tmp_path, answers, "--rubric", str(TINY_RUBRIC))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Error: Enter a number, such as 12.5" in out
    assert "Error: Answer yes or no" in out
    assert "✓ Do you know the cost per participant?" in out  # shown by the answers: not asked
    assert "Verified level: 1 — Costed" in out
    assert "Claimed level:  2 — Tested" in out
    doc = yaml.safe_load((tmp_path / "mine.yaml").read_text(encoding="utf-8"))
    assert doc["programme"] == {"name": "Reading Buddies", "organisation": "Northside Trust"}
    assert doc["theory_of_change"]["activities"] == ["Read together", "Family events"]
    assert doc["costs"] == {"per_participant": 320, "currency": "GBP"}
    assert doc["scaling"] == {"manual": True, "sites": 8}
    assert doc["claims"] == {"tiny.trials": {"answer": True, "note": "Trial report due in May"}}
    text = (tmp_path / "mine.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Written by evidencekit self-assess.")


def test_resumes_from_an_existing_file(tmp_path: Path) -> None:
    example = REPO / "examples" / "goodgym.yaml"
    shutil.copy(example, tmp_path / "mine.yaml")
    before = evidencekit.assess(example)
    result = _run(tmp_path, [])  # Enter everywhere: keep every answer
    assert result.exit_code == 0, result.output
    assert "Carrying on from mine.yaml" in result.output
    assert "Your answers so far" in result.output  # the parts, then Enter: finish
    assert "Programme name [GoodGym coach visits]" not in result.output
    after = evidencekit.assess(tmp_path / "mine.yaml")
    assert (after.level, after.claimed_level) == (before.level, before.claimed_level)
    old = yaml.safe_load(example.read_text(encoding="utf-8"))
    new = yaml.safe_load((tmp_path / "mine.yaml").read_text(encoding="utf-8"))
    assert new["evaluations"] == old["evaluations"]
    assert new["claims"] == old["claims"]
    assert new["programme"] == old["programme"]


def test_changing_an_answer_on_resume(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(
        "programme: {name: Old name, organisation: Trust}\n"
        "theory_of_change: {problem: A problem}\n", encoding="utf-8")
    result = _run(tmp_path, ["1", "New name", "-"])  # part 1: rename; clear the organisation
    assert result.exit_code == 0, result.output
    doc = yaml.safe_load((tmp_path / "mine.yaml").read_text(encoding="utf-8"))
    assert doc["programme"] == {"name": "New name"}
    assert doc["theory_of_change"] == {"problem": "A problem"}


def test_a_trial_from_a_data_file_reaches_level_three(tmp_path: Path) -> None:
    trial_csv(tmp_path / "data" / "trial.csv")
    answers = [*PROGRAMME, "", "", "", "", "", "", "", "",      # no costs or scaling
               "a",                                             # add an evaluation
               "School trial", "9", "4", "Northside", "2023", "yes", "",  # 9: re-asked
               "", "", "",                                      # method, fair, real world
               "60", "60",                                      # assigned
               "Reading score", "", "", "", "2",                # outcome; a data file
               "../trial.csv", "data/trial.csv",                # outside: re-asked
               "score", "arm", "tutored", "", "",               # columns
               ""]                                              # no more evaluations
    result = _run(tmp_path, answers)
    assert result.exit_code == 0, result.output
    assert "Error: Choose one of" in result.output
    assert "Error: Give a .csv, .xlsx or .parquet file inside" in result.output
    assert "Verified level: 3" in result.output
    doc = yaml.safe_load((tmp_path / "mine.yaml").read_text(encoding="utf-8"))
    ev = doc["evaluations"][0]
    assert ev["design"] == "rct" and ev["independent"] is True
    assert ev["outcomes"][0]["data"] == "data/trial.csv"
    assert ev["outcomes"][0]["columns"] == {"outcome": "score", "group": "arm",
                                            "treatment": "tutored"}


def test_a_file_that_is_not_a_submission_is_a_plain_error(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text("programme: [unclosed\n", encoding="utf-8")
    result = _run(tmp_path, [])
    assert result.exit_code == 2
    assert "mine.yaml" in result.stderr and "Traceback" not in result.output
# appended to tests/web/test_web_self_assess.py


def test_the_summary_at_the_end_names_questions_not_keys(tmp_path: Path) -> None:
    """The grantee never saw the file: the terminal summary speaks of the questions."""
    from evidencekit import assess
    from evidencekit.self_assess import show_in_plain_words

    result = assess(REPO / "examples" / "goodgym.yaml")
    runner = CliRunner()
    import click

    @click.command()
    def shown() -> None:
        show_in_plain_words(result)

    out = " ".join(runner.invoke(shown).output.split())
    assert "Verified level: 3" in out
    assert "costs.per_participant" not in out
    assert "the question “Cost per participant”" in out
