"""The web questionnaire asks a rubric's questions about each evaluation (signalling
questions): answers are saved to the submission, nonsense is refused in one sentence, and an
answer the figures settle is shown pre-filled (issue 17, item 1)."""

from __future__ import annotations

import re
from typing import Any

import yaml
from web_helpers import PROGRAMME_FORM, Client

#: A randomised trial typed into the form: 9 of 120 assigned are missing (7.5%).
TRIAL = {"title": "School trial", "design": "rct", "site": "Northside",
         "assigned.treatment": "60", "assigned.control": "60",
         "outcome.name": "Reading score", "outcome.kind": "continuous",
         "outcome.direction": "higher_is_better", "source": "summary",
         "treatment.n": "56", "treatment.mean": "54.1", "treatment.sd": "9.8",
         "control.n": "55", "control.mean": "50.2", "control.sd": "10.1"}


def _rob2_with_a_trial(client: Client) -> Any:
    client.post("/start", {"rubric": "rob2"})
    client.get("/programme")
    client.post("/programme", dict(PROGRAMME_FORM))
    s = client.session()
    s.answers.evaluations.append(dict(TRIAL))
    return s


def test_the_questions_page_asks_each_evaluation_and_marks_prefilled(client: Client) -> None:
    _rob2_with_a_trial(client)
    page = client.get("/questions").text
    assert "Questions about each evaluation" in page
    assert "<h3>School trial</h3>" in page
    assert "1.2 Was the allocation sequence concealed until participants" in page
    # 3.1 is settled by the assigned and analysed numbers: 7.5% missing, so No.
    found = re.search(r'Pre-filled</span> From your figures: No — of those assigned, 7.5% '
                      r'were not analysed \(more than 5%\)', page)
    assert found, page
    assert "Keep the pre-filled answer (No)" in page


def test_answers_are_saved_and_nonsense_refused(client: Client) -> None:
    _rob2_with_a_trial(client)
    client.get("/questions")
    response = client.post("/questions", {"sq:0:rob2.1.2": "maybe",
                                          "sq:0:rob2.1.1": "Y",
                                          "sqn:0:rob2.1.1": "computer-generated list"})
    assert response.status_code == 400
    assert ("&#39;maybe&#39; is not an answer to 1.2; answer yes (Y), probably yes (PY), "
            "probably no (PN), no (N), no information (NI).") in response.text
    ok = client.post("/questions", {"sq:0:rob2.1.2": "PY", "sq:0:rob2.3.1": ""})
    assert ok.status_code == 303
    shown = client.get("/result").text  # 3.1 is used as pre-filled, and says why
    assert re.search(r"rob2\.3\.1: No <span class=\"badge\">Pre-filled</span> of those "
                     r"assigned, 7\.5% were not analysed", shown), shown
    doc = yaml.safe_load(client.get("/download/submission.yaml").text)
    answers = doc["evaluations"][0]["answers"]
    assert answers == {"rob2.1.1": {"answer": "Y", "note": "computer-generated list"},
                       "rob2.1.2": "PY"}  # 3.1 left to the figures: not written
    page = client.get("/questions").text
    assert re.search(r'name="sq:0:rob2.1.2" value="PY" checked', page)


def test_the_result_uses_the_answers(client: Client) -> None:
    _rob2_with_a_trial(client)
    client.get("/questions")
    form = {f"sq:0:rob2.{k}": v for k, v in {
        "1.1": "Y", "1.2": "Y", "1.3": "N", "2.1": "N", "2.2": "N", "2.3": "NA", "2.4": "NA",
        "2.5": "NA", "2.6": "Y", "2.7": "NA", "3.1": "Y", "3.2": "NA", "3.3": "NA", "3.4": "NA",
        "4.1": "N", "4.2": "N", "4.3": "N", "4.4": "NA", "4.5": "NA", "5.1": "Y", "5.2": "N",
        "5.3": "N"}.items()}
    assert client.post("/questions", form).status_code == 303
    result = client.get("/result").text
    assert re.search(r'id="verified-level">3<', result)  # Low risk of bias
    assert "Answers about each evaluation" in result
    assert "rob2.1.2: Yes" in result
    form["sq:0:rob2.5.2"] = "PY"  # selected from several measurements: domain 5 High
    assert client.post("/questions", form).status_code == 303
    assert re.search(r'id="verified-level">1<', client.get("/result").text)
