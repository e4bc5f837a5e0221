"""The reviewer view in a real browser (headless Chromium through Playwright), as a reviewer
goes through it: a wrong token first, then signing in, reading an application of the bundled
examples, recording judgements with reasons in words, reloading, a moderator deciding a
disagreement — with axe-core run on every page at phone (375 px) and laptop (1280 px) widths
(issue #16, item 2).

Set ``EVIDENCEKIT_SCREENSHOTS=DIR`` to keep a full-page screenshot of every page visited.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tools.axe import axe_violations, need_axe
from tools.browser import chromium, need_chromium

from evidencekit.review.store import ReviewStore

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
WIDTHS = (375, 1280)
TOKENS = {"Ada Khan": "ada-secret-token-1", "Ben Ode": "ben-secret-token-1",
          "Cy Moderator": "cy-secret-token-1"}
SETUP = """schema: evidencekit/round@1
reviewers_required: 2
blind: true
reviewers:
  - {name: Ada Khan, token: ada-secret-token-1}
  - {name: Ben Ode, token: ben-secret-token-1}
  - {name: Cy Moderator, role: moderator, token: cy-secret-token-1}
assignments:
  "*": [Ada Khan, Ben Ode]
"""
# City Year: verified 2, claims level 3 (a comparison group); GoodGym: verified 3, claims 4
# (costs). Both have statistics tables to show.
CITY_YEAR_CLAIM = "nesta.L3.comparison"
GOODGYM_CLAIM = "nesta.L4.costs"


class ReviewServer:
    """``evidencekit review ROUND`` in a real process on loopback."""

    def __init__(self, round_dir: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "evidencekit", "review", str(round_dir), "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+/", line)
        if not found:
            self.stop()
            raise AssertionError(f"no address printed: {line!r}")
        self.url = found.group(0)

    def stop(self, sig: int = signal.SIGINT) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:  # pragma: no cover
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture(scope="module")
def round_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need_chromium()
    need_axe()
    tmp = tmp_path_factory.mktemp("review-browser")
    r = tmp / "round"
    r.mkdir()
    for name in ("city-year.yaml", "goodgym.yaml"):
        shutil.copy(EXAMPLES / name, r / name)
    (tmp / "setup.yaml").write_text(SETUP, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "evidencekit", "round", "setup", str(r),
                           str(tmp / "setup.yaml")], capture_output=True, text=True,
                          timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    return r


@pytest.fixture(scope="module")
def server(round_dir: Path) -> Iterator[ReviewServer]:
    srv = ReviewServer(round_dir)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def browser(server: ReviewServer) -> Iterator[Any]:
    with chromium() as b:
        yield b


def new_page(browser: Any) -> Any:
    # bypass_csp lets axe-core's script into the page (the app's CSP allows no inline
    # script); the app's own pages are unchanged by it.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.set_default_timeout(30000)
    return context.new_page()


def check_page(page: Any, name: str) -> None:
    """axe-core finds nothing on the page as it is, at 375 and 1280 px; nothing overflows
    sideways; a screenshot of each width is kept when asked for."""
    folder = os.environ.get("EVIDENCEKIT_SCREENSHOTS")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == [], (name, width)
        overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (name, width, overflow)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"review-{name}-{width}.png"),
                            full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def sign_in(page: Any, server: ReviewServer, name: str, token: str | None = None) -> None:
    page.goto(server.url)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Your token").fill(token or TOKENS[name])
    page.get_by_role("button", name="Sign in").click()


def claim_section(page: Any, criterion: str) -> Any:
    return page.locator(f"section#c-{criterion.replace('.', '-')}")


def judge(page: Any, criterion: str, decision: str, reason: str) -> None:
    """Choose a decision and type a reason in one claim's form, then record it."""
    section = claim_section(page, criterion)
    label = "Validated: the claim holds" if decision == "validated" else "Rejected: it does not"
    section.get_by_label(label).check()
    section.get_by_label(re.compile("reason", re.I)).fill(reason)
    section.get_by_role("button", name="Record").click()
    page.wait_for_load_state()


def test_a_reviewer_signs_in_reads_and_judges(browser: Any, server: ReviewServer,
                                             round_dir: Path) -> None:
    page = new_page(browser)
    page.goto(server.url)
    assert page.get_by_role("heading", name="Sign in to review").is_visible()
    check_page(page, "sign-in")
    # A mistake: the token mistyped. One plain sentence, the name kept, nothing recorded.
    sign_in(page, server, "Ada Khan", "ada-secret-token-2")
    assert "That name and token do not match a reviewer of this round" in page.inner_text(
        "[role=alert]")
    check_page(page, "sign-in-wrong-token")
    sign_in(page, server, "Ada Khan")
    page.wait_for_url(server.url)
    main = page.inner_text("main")
    assert "Your applications" in main and "city-year" in main and "goodgym" in main
    check_page(page, "applications")

    page.get_by_role("link", name="city-year").click()
    page.wait_for_url("**/a/city-year")
    main = page.inner_text("main")
    assert "City Year UK" in main
    # The three levels, each in words: verified 2, validated 2 so far, claimed 3.
    assert re.search(r"Verified level\s+2 — You capture data that shows positive change", main)
    assert re.search(r"Claimed level\s+3 — You can demonstrate causality", main)
    # The statistics behind the verdict, with the registry's names (no raw keys).
    stats = page.inner_text("section#statistics")
    assert "hedges_g" not in stats and "mean_change" not in stats and "pre_post" not in stats
    assert "before and after" in stats.lower()
    check_page(page, "application")

    # Reasons in words, and a reload: what was recorded is shown again, nothing is sent twice.
    reason = ("The annual report (p. 12) compares the focus-list pupils with similar pupils "
              "in schools without City Year; I accept it as a comparison group.")
    judge(page, CITY_YEAR_CLAIM, "validated", reason)
    assert "Recorded: validated" in page.inner_text("[role=status]")
    check_page(page, "application-recorded")
    page.reload()
    assert page.locator("[role=status]").count() == 0  # the notice is said once
    mine = claim_section(page, CITY_YEAR_CLAIM).inner_text()
    assert "Your judgement: validated" in mine and "I accept it as a comparison group" in mine
    stored = ReviewStore(str(round_dir / "evidencekit-review.sqlite3")).judgements("city-year")
    assert [(j.reviewer, j.decision, j.reason) for j in stored] == [
        ("Ada Khan", "validated", reason)]

    # A mistake in the conflict-of-interest form: the browser asks for the reason first.
    before = page.url
    page.get_by_role("button", name="Declare a conflict of interest").click()
    assert page.url == before
    assert page.eval_on_selector("#coi", "e => e.validity.valueMissing")
    page.get_by_role("button", name="Submit my review of this application").click()
    page.wait_for_url("**/a/city-year")
    assert "submitted" in page.inner_text("main")
    check_page(page, "application-submitted")

    # An application not assigned, and a form from an ended session: plain pages.
    page.goto(server.url + "a/nobody")
    assert page.get_by_role("heading", name="No such application among yours").is_visible()
    check_page(page, "not-yours")
    page.goto(server.url + "a/goodgym")
    page.context.clear_cookies()
    judge(page, GOODGYM_CLAIM, "rejected", "No costs are given anywhere.")
    assert page.get_by_role("heading", name="This form could not be accepted").is_visible()
    check_page(page, "form-refused")
    assert ReviewStore(str(round_dir / "evidencekit-review.sqlite3")).judgements(
        "goodgym") == []
    page.context.close()


def test_two_reviewers_disagree_and_the_moderator_decides(browser: Any,
                                                          server: ReviewServer) -> None:
    ada, ben, cy = new_page(browser), new_page(browser), new_page(browser)
    sign_in(ada, server, "Ada Khan")
    ada.goto(server.url + "a/goodgym")
    judge(ada, GOODGYM_CLAIM, "validated", "The costing method is credible; I checked it by phone.")
    sign_in(ben, server, "Ben Ode")
    ben.goto(server.url + "a/goodgym")
    # Blind review: Ben does not see Ada's judgement until he submits.
    assert "checked it by phone" not in ben.inner_text("main")
    assert "Blind review" in ben.inner_text("main")
    judge(ben, GOODGYM_CLAIM, "rejected", "A cost 'being worked out' is not a cost.")
    ben.get_by_role("button", name="Submit my review of this application").click()
    ben.wait_for_url("**/a/goodgym")
    assert "checked it by phone" in ben.inner_text("main")  # shown once Ben submits
    check_page(ben, "application-others")

    sign_in(cy, server, "Cy Moderator")
    cy.wait_for_url(server.url)
    assert "disputed" in cy.inner_text("main")
    check_page(cy, "moderator-applications")
    cy.goto(server.url + "a/goodgym")
    section = claim_section(cy, GOODGYM_CLAIM)
    assert "disputed" in section.inner_text()
    check_page(cy, "moderator-application")
    # A moderator must give a reason: the browser will not send the form without one.
    section.get_by_label("Validated: the claim holds").check()
    section.get_by_role("button", name="Record").click()
    assert section.locator("textarea").evaluate("e => e.validity.valueMissing")
    judge(cy, GOODGYM_CLAIM, "validated",
          "The annual report's cost per match is enough for level 4.")
    main = cy.inner_text("main")
    assert re.search(r"Validated level\s+4", main), main[:600]
    for pg in (ada, ben, cy):
        pg.context.close()
