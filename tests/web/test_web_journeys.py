"""Grantee journeys in a real browser (headless Chromium through Playwright), as a charity
worker would go through them: typing a before-and-after survey in, uploading a CSV, coming
back later with a saved file, and the ordinary mistakes of issue 14 — each checked for what the
person sees, with axe-core run on every page at phone (375 px) and laptop (1280 px) widths.

Set ``EVIDENCEKIT_SCREENSHOTS=DIR`` to keep a full-page screenshot of every page visited.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tools.axe import axe_violations, need_axe
from tools.browser import chromium
from web_helpers import (
    PRE_POST_FORM,
    PROGRAMME_FORM,
    Server,
    need_chromium,
    trial_csv,
)

WIDTHS = (375, 1280)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    need_chromium()
    need_axe()
    srv = Server()
    try:
        yield srv
    finally:
        assert srv.stop() == 0


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    # bypass_csp lets axe-core's script into the page (the app's CSP allows no inline
    # script); the app's own pages are unchanged by it.
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  accept_downloads=True, bypass_csp=True)
    context.set_default_timeout(15000)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


def _dom(key: str) -> str:
    return "f-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in key)


def _fill(page: Any, fields: dict[str, str]) -> None:
    for key, value in fields.items():
        if page.locator(f"input[type=radio][name='{key}']").count():
            page.check(f"input[type=radio][name='{key}'][value='{value}']")
        else:
            page.fill(f"#{_dom(key)}", value)


def _start(page: Any, server: Server) -> None:
    page.goto(server.url)
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/programme")


def _programme(page: Any, server: Server) -> None:
    _start(page, server)
    _fill(page, PROGRAMME_FORM)
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/evaluations")


def _saved(page: Any, url_end: str) -> None:
    """Wait until the page's autosave has reached the server."""
    with page.expect_response(lambda r: r.url.endswith(url_end)
                              and r.request.method == "POST" and r.status == 204):
        page.keyboard.press("Tab")


def check_page(page: Any, name: str) -> None:
    """axe-core finds nothing on the page as it is, at 375 and 1280 px; nothing overflows
    sideways; a screenshot of each width is kept when asked for."""
    folder = os.environ.get("EVIDENCEKIT_SCREENSHOTS")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == [], (name, width)
        overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (name, width)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_before_and_after_survey_typed_in(page: Any, server: Server) -> None:
    page.goto(server.url)
    assert page.get_by_role("heading", name="Which framework should I choose?").is_visible()
    check_page(page, "start")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/programme")
    _fill(page, {**PROGRAMME_FORM, "costs.per_participant": "£450", "costs.currency": "GBP"})
    check_page(page, "programme")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/evaluations")
    page.goto(server.url + "programme")  # the currency symbol: accepted, with a warning
    assert "currency symbol was left out" in page.inner_text(".warning-text")
    assert page.input_value("#f-costs-per_participant") == "£450"  # kept as typed
    page.goto(server.url + "evaluations")
    check_page(page, "evaluations-empty")
    page.get_by_role("link", name="Add an evaluation").click()
    page.get_by_role("radio", name="Before and after", exact=True).check()
    _fill(page, {k: v for k, v in PRE_POST_FORM.items() if k != "design"} | {"pre.sd": "0"})
    check_page(page, "evaluation")
    page.get_by_role("button", name="Save this evaluation").click()
    page.wait_for_url("**/evaluations")
    assert "An SD of 0 means every person had exactly the same value" in page.inner_text("main")
    check_page(page, "evaluations")
    page.get_by_role("link", name="Change Reading check 2023").click()
    page.fill("#f-pre-sd", "11.0")
    page.get_by_role("button", name="Save this evaluation").click()
    page.wait_for_url("**/evaluations")
    assert "SD of 0" not in page.inner_text("main")
    page.get_by_role("link", name="Continue to the questions").click()
    check_page(page, "questions")
    page.get_by_role("button", name="See my result").click()
    page.wait_for_url("**/result")
    main = page.inner_text("main")
    # The result leads with the grantee's own numbers, then the level and what lifts it.
    assert main.index("What your evaluations found") < main.index("Verified level") \
        < main.index("What to do to reach level 3")
    assert re.search(r"Reading age \(months\): the average went from 96\.5 before to 104 "
                     r"after, a rise of 7\.50 \(95% CI \d\.\d\d to \d\.\d\d\), among 80 "
                     r"people\.", main)
    assert "A change this large is unlikely to be chance alone (p < 0.001)." in main
    assert "theory_of_change." not in main and "pre_post" not in main  # no YAML keys
    assert "costs.per_participant" not in main
    check_page(page, "result")


def test_ladder_is_legible_on_a_small_phone(page: Any, server: Server) -> None:
    _programme(page, server)
    page.goto(server.url + "result")
    page.set_viewport_size({"width": 320, "height": 700})
    sizes = page.eval_on_selector_all(
        "ol.ladder li span", "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))")
    assert sizes and min(sizes) >= 14  # CSS pixels: body text size, not a shrunken drawing
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
    assert axe_violations(page) == []


def test_the_evaluation_page_autosaves_and_without_saving_discards(page: Any,
                                                                   server: Server) -> None:
    _programme(page, server)
    page.goto(server.url + "evaluations/new")
    page.get_by_role("radio", name="Before and after", exact=True).check()
    _fill(page, {"title": "Typed, not saved", "site": "Leeds", "pre.n": "40"})
    _saved(page, "/evaluations/new")
    page.reload()  # a reload keeps every answer, text included
    assert page.input_value("#f-title") == "Typed, not saved"
    assert page.input_value("#f-site") == "Leeds"
    assert page.input_value("#f-pre-n") == "40"
    assert page.is_checked("input[name=design][value=pre_post]")
    assert "not saved yet" in page.inner_text(".notice")
    page.goto(server.url + "evaluations")  # visible on the list, apart from saved ones
    assert page.get_by_role("heading", name="Not saved yet: Typed, not saved").is_visible()
    check_page(page, "evaluations-draft")
    page.goto(server.url + "evaluations/new")
    page.get_by_role("button", name="Back to the list without saving").click()
    page.wait_for_url("**/evaluations")
    assert "Typed, not saved" not in page.inner_text("main")
    page.goto(server.url + "evaluations/new")
    assert page.input_value("#f-title") == ""


def test_mistakes_never_become_evaluations(page: Any, server: Server, tmp_path: Path) -> None:
    _programme(page, server)
    page.goto(server.url + "evaluations/new")
    _fill(page, {"title": "Survey", "design": "pre_post", "outcome.name": "Score",
                 "pre.n": "eighty"})
    page.get_by_role("button", name="Save this evaluation").click()
    assert page.locator("#error-summary").is_visible()
    check_page(page, "evaluation-errors")
    for name, content in (("notes.txt", b"score\n1\n"), ("old.xls", b"\xd0\xcf\x11\xe0")):
        (tmp_path / name).write_bytes(content)
        _fill(page, {"design": "post_only", "source": "data"})
        page.set_input_files("#f-upload", str(tmp_path / name))
        page.get_by_role("button", name="Save this evaluation").click()
        assert page.locator("#f-upload-error").is_visible()
    page.goto(server.url + "evaluations")
    assert page.locator("ul.evaluations li").count() == 0
    assert "Wrong type" not in page.inner_text("main")
    page.goto(server.url + "result")
    assert page.get_by_role("heading", name="Almost there").count() == 0
    assert page.inner_text("#verified-level") == "1"


def test_a_randomised_trial_is_offered_only_fitting_methods(page: Any,
                                                            server: Server) -> None:
    _programme(page, server)
    page.goto(server.url + "evaluations/new")

    def offered() -> list[str]:
        return [v for v in ("none", "controls", "matching", "difference_in_differences",
                            "instrumental_variables", "regression_discontinuity",
                            "randomisation")
                if page.locator(f"input[name=identification][value={v}]").is_visible()]

    page.get_by_role("radio", name="Randomised controlled trial (RCT)").check()
    assert offered() == ["controls", "randomisation"]
    page.get_by_role("radio", name="Comparison group", exact=True).check()
    assert "instrumental_variables" in offered() and "randomisation" not in offered()


def test_a_csv_upload_and_a_wrong_group_column(page: Any, server: Server,
                                               tmp_path: Path) -> None:
    csv = trial_csv(tmp_path / "trial.csv")
    _programme(page, server)
    page.goto(server.url + "evaluations/new")
    _fill(page, {"title": "School trial", "design": "rct", "outcome.name": "Reading score",
                 "assigned.treatment": "60", "assigned.control": "60", "source": "data"})
    page.set_input_files("#f-upload", str(csv))
    page.get_by_role("button", name="Save this evaluation").click()
    page.wait_for_url("**/evaluations/new/columns")
    page.select_option("#f-columns-outcome", "score")
    page.select_option("#f-columns-group", "pupil")  # the wrong column: 120 values
    page.get_by_role("button", name="Continue").click()
    text = page.inner_text("main")
    assert "The column 'pupil' has 120 different values; choose the column that says who " \
        "took part" in text
    assert page.locator("input[name='columns.treatment']").count() == 0
    check_page(page, "columns-wrong-group")
    page.select_option("#f-columns-group", "arm")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("radio", name="tutored").check()
    check_page(page, "columns")
    page.get_by_role("button", name="Save the columns").click()
    page.wait_for_url("**/evaluations")
    page.goto(server.url + "result")
    assert page.inner_text("#verified-level") == "3"
    found = page.inner_text("section.findings")
    assert re.search(r"Reading score: at the end the programme group averaged \d+\.\d \(60 "
                     r"people\) and the comparison group \d+\.\d \(60 people\), \d\.\d\d "
                     r"higher \(95% CI", found)


def test_coming_back_with_a_saved_file(browser: Any, page: Any, server: Server,
                                       tmp_path: Path) -> None:
    _programme(page, server)
    page.goto(server.url + "evaluations/new")
    _fill(page, PRE_POST_FORM)
    page.get_by_role("button", name="Save this evaluation").click()
    page.wait_for_url("**/evaluations")
    page.goto(server.url + "result")
    with page.expect_download() as info:
        page.get_by_role("link", name="Your answers as a submission file (YAML)").click()
    saved = tmp_path / "reading-buddies.yaml"
    shutil.copy(info.value.path(), saved)
    # Another day, another browser: a new session, carried on from the file.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    try:
        later = context.new_page()
        later.goto(server.url)
        (tmp_path / "junk.yaml").write_text("just: [a list\n", encoding="utf-8")
        later.set_input_files("#f-saved", str(tmp_path / "junk.yaml"))
        later.get_by_role("button", name="Carry on from this file").click()
        assert "could not be read as a submission" in later.inner_text("#f-saved-error")
        check_page(later, "start-bad-file")
        later.set_input_files("#f-saved", str(saved))
        later.get_by_role("button", name="Carry on from this file").click()
        later.wait_for_url("**/programme")
        assert "Your answers from reading-buddies.yaml are back" in later.inner_text(".notice")
        assert later.input_value("#f-programme-name") == "Reading Buddies"
        later.goto(server.url + "evaluations")
        assert later.get_by_role("heading", name="Reading check 2023").is_visible()
        later.goto(server.url + "result")
        assert later.inner_text("#verified-level") == "2"
    finally:
        context.close()


def test_several_outcomes_in_one_evaluation(page: Any, server: Server) -> None:
    _programme(page, server)
    page.goto(server.url + "evaluations/new")
    _fill(page, PRE_POST_FORM)
    page.get_by_role("button", name="Add another outcome to this evaluation").click()
    page.wait_for_url("**/evaluations/new#outcome-2")
    assert page.input_value("#f-title") == "Reading check 2023"  # nothing typed is lost
    assert page.get_by_role("heading", name="Outcome 2").is_visible()
    _fill(page, {"more1.outcome.name": "Enjoys reading", "more1.outcome.kind": "binary",
                 "more1.pre.n": "80", "more1.pre.events": "30", "more1.post.n": "80",
                 "more1.post.events": "52", "more1.primary": "no"})
    assert page.locator("#f-more1-pre-mean").is_hidden()  # a yes/no outcome: counts only
    check_page(page, "evaluation-two-outcomes")
    page.get_by_role("button", name="Save this evaluation").click()
    page.wait_for_url("**/evaluations")
    page.goto(server.url + "result")
    found = page.inner_text("section.findings")
    assert "Enjoys reading (a secondary outcome): 38% before and 65% after (52 of 80), a " \
        "change of +28 percentage points" in found
    page.goto(server.url + "evaluations/0")
    page.get_by_role("button", name="Remove outcome 2").click()
    page.get_by_role("button", name="Save this evaluation").click()
    page.wait_for_url("**/evaluations")
    page.goto(server.url + "result")
    assert "Enjoys reading" not in page.inner_text("section.findings")


def test_deleting_everything_asks_first(page: Any, server: Server) -> None:
    _programme(page, server)
    page.get_by_role("link", name="Finish and delete my answers").click()
    page.wait_for_url("**/end")
    text = page.inner_text("main")
    assert "Delete your answers?" in text and "“Reading Buddies”" in text
    assert "0 saved evaluations" in text
    check_page(page, "end")
    page.get_by_role("link", name="No, keep my answers").click()
    page.goto(server.url + "programme")
    assert page.input_value("#f-programme-name") == "Reading Buddies"  # nothing deleted
    page.get_by_role("link", name="Finish and delete my answers").click()
    page.get_by_role("button", name="Yes, delete everything").click()
    assert page.get_by_role("heading", name="Your answers have been deleted").is_visible()
    check_page(page, "deleted")
    page.go_back()  # back: says so, rather than "Programme name is needed"
    assert page.get_by_role("heading", name="There is nothing to delete").is_visible()
    assert "Programme name is needed" not in page.inner_text("main")


#: A randomised trial typed into the form: 9 of 120 assigned are missing (7.5%), so RoB 2's
#: question 3.1 is pre-filled (No) from the figures.
ROB2_TRIAL = {"title": "School trial", "design": "rct", "site": "Northside",
              "assigned.treatment": "60", "assigned.control": "60",
              "outcome.name": "Reading score", "source": "summary",
              "treatment.n": "56", "treatment.mean": "54.1", "treatment.sd": "9.8",
              "control.n": "55", "control.mean": "50.2", "control.sd": "10.1"}


def _question(page: Any, number: str) -> Any:
    """The fieldset of one RoB 2 signalling question, found by its legend as a person reads it."""
    return page.get_by_role("group", name=re.compile(r"^" + re.escape(number) + r" "))


def test_a_randomised_trial_answers_the_rob2_questions(page: Any, server: Server) -> None:
    page.goto(server.url)
    page.get_by_role("radio", name="Cochrane risk of bias (RoB 2)").check()
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/programme")
    _fill(page, PROGRAMME_FORM)
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/evaluations")
    page.get_by_role("link", name="Add an evaluation").click()
    _fill(page, ROB2_TRIAL)
    page.get_by_role("button", name="Save this evaluation").click()
    page.wait_for_url("**/evaluations")
    page.get_by_role("link", name="Continue to the questions").click()
    page.wait_for_url("**/questions")
    assert page.get_by_role("heading", name="Questions about each evaluation").is_visible()
    assert page.get_by_role("heading", name="School trial").is_visible()
    # 3.1 is settled by the figures: marked as pre-filled, with why, and kept unless changed.
    q31 = _question(page, "3.1")
    assert "Pre-filled From your figures: No — of those assigned, 7.5% were not analysed" \
        in q31.inner_text()
    assert q31.get_by_role("radio", name="Keep the pre-filled answer (No)").is_checked()
    assert "7.5% were not analysed" in page.evaluate(  # read out with the question
        "id => document.getElementById(id).getAttribute('aria-describedby').split(' ')"
        ".map(d => document.getElementById(d).textContent).join(' ')", "f-sq-0-rob2-3-1")
    check_page(page, "rob2-questions")
    # Answers chosen by their words, then kept over a reload (saved as they are chosen).
    _question(page, "1.1").get_by_role("radio", name="No information").check()
    with page.expect_response(lambda r: r.url.endswith("/questions")
                              and r.request.method == "POST" and r.status == 204):
        _question(page, "1.2").get_by_role("radio", name="Probably yes").check()
    page.reload()
    assert _question(page, "1.1").get_by_role("radio", name="No information").is_checked()
    assert _question(page, "1.2").get_by_role("radio", name="Probably yes").is_checked()
    # A mistake: an answer that means none of them ("maybe", as an old or edited form would
    # send) is refused in one sentence beside its question, and the question says so.
    page.eval_on_selector("input[name='sq:0:rob2.2.1'][value='Y']",
                          "el => { el.value = 'maybe'; el.checked = true; }")
    page.get_by_role("button", name="See my result").click()
    error = page.locator("#f-sq-0-rob2-2-1-error")
    assert " ".join(error.text_content().split()) == (
        "Error: 'maybe' is not an answer to 2.1; answer yes (Y), probably yes (PY), "
        "probably no (PN), no (N), no information (NI).")
    described = _question(page, "2.1").get_attribute("aria-describedby").split()
    assert "f-sq-0-rob2-2-1-error" in described
    assert _question(page, "1.2").get_by_role("radio", name="Probably yes").is_checked()
    check_page(page, "rob2-questions-error")
    _question(page, "2.1").get_by_role("radio", name="No", exact=True).check()
    page.get_by_role("button", name="See my result").click()
    page.wait_for_url("**/result")
    answers = page.inner_text("main")
    assert "Answers about each evaluation" in answers
    for line in ("rob2.1.1: No information", "rob2.1.2: Probably yes", "rob2.2.1: No",
                 "rob2.3.1: No Pre-filled of those assigned, 7.5% were not analysed"):
        assert line in answers, line
    check_page(page, "rob2-result")
