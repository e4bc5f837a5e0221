"""Disclosure control works on typed counts, not on English: a funder's own rubric wording
("only 8 patients were followed up", "8 children", "the smaller arm had 8") cannot leak a
count below the threshold into the HTML report, the PDF report or the text output."""

from __future__ import annotations

import html
import io
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evidencekit
from evidencekit.assessment.message import Count, Message, count, inert, statistic
from evidencekit.assessment.rubric import load_rubric
from evidencekit.render.text import print_assessment
from evidencekit.report import render_html, render_pdf

THEORY = {"problem": "p", "activities": ["a"], "outcomes": ["o"], "rationale": "r"}
THRESHOLD = 10
#: Wordings a rubric author might write around a count of people.
WORDINGS = ["only {n} patients were followed up", "{n} children", "the smaller arm had {n}",
            "we saw {n}", "{n}", "n={n}!", "({n} in all)", "cohort: {n} souls",
            "Just {n}. Too few", "{n} — well below what we need"]
FACTS = ["n_min", "n_treatment", "value"]

RUBRIC = """\
schema: evidencekit/rubric@1
id: funder
title: A funder's own rubric
version: "1"
parameters:
  min_per_group: {{default: 20, minimum: 1, integer: true, description: Minimum per group.}}
levels:
  - level: 1
    title: Enough people
    statement: Enough people were followed up.
    criteria:
      - id: enough
        title: Enough people
        question: Were enough people followed up?
        guidance: Follow up more people.
        check:
          some:
            in: evaluations
            where:
              some:
                in: outcomes
                where:
                  {op}: [{fact}, $min_per_group]
                  fail: {wording!r}
                  pass: {wording!r}
"""


def _submission(small: int, big: int) -> dict[str, Any]:
    return {"schema": "evidencekit/submission@1", "programme": {"name": "Small pilot"},
            "theory_of_change": THEORY,
            "evaluations": [{"id": "pilot", "design": "rct", "site": "Leeds",
                             "outcomes": [{"name": "Wellbeing", "summary": {
                                 "treatment": {"n": small, "mean": 31.0, "sd": 5.0},
                                 "control": {"n": big, "mean": 29.0, "sd": 5.0}}}]}]}


def _leaks(text: str, small: int) -> list[str]:
    flat = " ".join(text.split())
    return [flat[max(0, m.start() - 30):m.end() + 30] for m in
            re.finditer(rf"(?<![\w.,<−-]){small}(?![\w%]|[.,]\d)", flat)]


def _text(result: evidencekit.AssessmentResult) -> str:
    buf = io.StringIO()
    print_assessment(result, buf, disclosure_threshold=THRESHOLD)
    return buf.getvalue()


def _html_text(result: evidencekit.AssessmentResult) -> str:
    page = render_html(result, deterministic=True, disclosure_threshold=THRESHOLD)
    page = re.sub(r"<(style|script|svg)\b.*?</\1>", " ", page, flags=re.S)
    # The methods appendix is fixed text (formulas, glossary, the rubric's parameters, file
    # hashes): its digits are no counts of people.
    page = re.sub(r'<section class="methods".*', " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _assess(tmp: Path, wording: str, fact: str, op: str, small: int) -> Any:
    path = tmp / "funder.yaml"
    text = wording.replace("{n}", "{" + fact + "}")
    path.write_text(RUBRIC.format(op=op, fact="n_min" if fact == "value" else fact,
                                  wording=text), encoding="utf-8")
    result = evidencekit.assess(_submission(small, 60), rubric=path)
    reason = result.levels[0].criteria[0]
    return result, reason


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(wording=st.sampled_from(WORDINGS), fact=st.sampled_from(FACTS),
       op=st.sampled_from(["ge", "le"]), small=st.integers(min_value=6, max_value=9))
def test_no_small_count_in_html_or_text(tmp_path: Path, wording: str, fact: str, op: str,
                                        small: int) -> None:
    result, crit = _assess(tmp_path, wording, fact, op, small)
    if crit.status != "verified":  # a verified criterion's reason names no count here
        # The count is in the reason, typed, whatever the words around it.
        assert small in crit.reason_message().counts(), crit.reason
        assert str(small) in crit.reason  # unmasked in the plain reason
    for name, text in (("text", _text(result)), ("HTML", _html_text(result))):
        leaks = _leaks(text, small)
        assert not leaks, (name, leaks)
        assert f"<{THRESHOLD}" in text, name


@pytest.mark.parametrize("wording", ["only {n} patients were followed up", "{n} children",
                                     "the smaller arm had {n}"])
def test_no_small_count_in_the_pdf(tmp_path: Path, wording: str) -> None:
    result, _ = _assess(tmp_path, wording, "n_min", "ge", 8)
    pdf = tmp_path / "r.pdf"
    render_pdf(result, pdf, deterministic=True, disclosure_threshold=THRESHOLD)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    text = text.split("Methods appendix")[0]  # fixed text after it (formulas, hashes)
    assert not _leaks(text, 8), _leaks(text, 8)
    hidden = wording.replace("{n}", f"<{THRESHOLD}")
    assert hidden in " ".join(text.split())


def test_the_issue_s_sentences_are_masked() -> None:
    for wording in ("only {n} patients were followed up", "{n} children",
                    "the smaller arm had {n}"):
        m = Message.parse(wording.replace("{n}", count(8)))
        assert m.values == (Count(8),)
        assert m.render(hide_below=10) == wording.replace("{n}", "<10")
        assert m.render() == wording.replace("{n}", "8")


def test_untrusted_text_cannot_forge_or_hide_a_value() -> None:
    forged = "\ue0008\ue003 people"
    assert inert(forged) == "8 people"
    assert Message.parse(inert(forged)).values == ()
    assert Message.parse("p = " + statistic(0.04)).render(withhold_statistics=True) == \
        "p = withheld"


def test_bundled_rubric_reasons_keep_their_words() -> None:
    # Typing values changes no sentence of the bundled rubrics.
    result = evidencekit.assess(_submission(8, 60))
    for lv in result.levels:
        for c in lv.criteria:
            assert "\ue000" not in c.reason and "\ue003" not in c.reason
            assert c.reason_message().render() == c.reason
    assert load_rubric("nesta").id == "nesta"
