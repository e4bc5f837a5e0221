"""`evidencekit self-assess --rubric rob2`: the terminal asks the questions about each
evaluation, accepts the words people type, refuses nonsense in one sentence and offers the
answers the statistics settle, marked as pre-filled (issue 17, item 1)."""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from click.testing import CliRunner

from evidencekit.api import assess
from evidencekit.cli import main

TRIAL = """\
schema: evidencekit/submission@1
programme: {name: Peer support}
evaluations:
  - id: trial
    design: rct
    assigned: {treatment: 596, control: 592}
    answers:
      rob2.1.1: Y
    outcomes:
      - name: Systolic blood pressure (mmHg)
        direction: lower_is_better
        summary:
          treatment: {n: 528, mean: 131.0, sd: 14.8, pre_mean: 137.9, pre_sd: 15.2}
          control:   {n: 537, mean: 134.7, sd: 15.3, pre_mean: 137.4, pre_sd: 15.0}
"""


def _run(tmp_path: Path, typed: list[str]) -> str:
    (tmp_path / "mine.yaml").write_text(TRIAL, encoding="utf-8")
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(main, ["self-assess", "--out", "mine.yaml", "--rubric",
                                           "rob2"], input="\n".join(typed) + "\n" * 120,
                                    catch_exceptions=False)
    finally:
        os.chdir(here)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_terminal_asks_each_evaluation_and_keeps_what_is_typed(tmp_path: Path) -> None:
    out = _run(tmp_path, [
        "6",                                       # the framework's questions
        "",                                        # 1.1: keep Y
        "maybe",                                   # 1.2: refused, asked again
        "probably yes; sealed opaque envelopes",   # 1.2
        "",                                        # 1.3: keep the pre-filled No
        "no information",                          # 2.1
    ])
    assert ("Error: 'maybe' is not an answer to 1.2; answer yes (Y), probably yes (PY), "
            "probably no (PN), no (N), no information (NI).") in " ".join(out.split())
    flat = " ".join(out.split())
    assert ("Pre-filled from the statistics: No — every primary outcome's pretest differs "
            "between the groups by at most 0.05 SD.") in flat
    assert ("Pre-filled from the statistics: No — of those assigned, 10.4% were not analysed "
            "(more than 5%).") in flat
    assert "left to the statistics (pre-filled)" in out
    doc = yaml.safe_load((tmp_path / "mine.yaml").read_text(encoding="utf-8"))
    assert doc["evaluations"][0]["answers"] == {
        "rob2.1.1": "Y", "rob2.1.2": {"answer": "PY", "note": "sealed opaque envelopes"},
        "rob2.2.1": "NI"}
    result = assess(tmp_path / "mine.yaml", rubric="rob2")
    origins = {a.question: a.origin for a in result.answers}
    assert origins["rob2.1.3"] == origins["rob2.3.1"] == "prefilled"
    assert origins["rob2.1.2"] == "given"


def test_a_different_answer_replaces_the_prefilled_one(tmp_path: Path) -> None:
    _run(tmp_path, ["6", "", "Y", "probably yes"])   # 1.3: the statistics say No
    doc = yaml.safe_load((tmp_path / "mine.yaml").read_text(encoding="utf-8"))
    assert doc["evaluations"][0]["answers"]["rob2.1.3"] == "PY"
    result = assess(tmp_path / "mine.yaml", rubric="rob2")
    r13 = next(a for a in result.answers if a.question == "rob2.1.3")
    assert r13.origin == "given" and r13.prefill_differs is not None
