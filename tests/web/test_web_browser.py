"""End-to-end: a real `evidencekit serve` process driven by headless Chromium (Playwright).

Debian's chromium is used through its executable path (``scripts/system-deps.sh`` installs
it); Playwright's own browser download is never used. Without chromium or Playwright these
tests skip, saying why — except under CI, where that is a failure.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from tools.browser import chromium
from web_helpers import (
    PRE_POST_FORM,
    PROGRAMME_FORM,
    Server,
    need_chromium,
    trial_csv,
)

import evidencekit


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    need_chromium()
    srv = Server("--max-upload-mb", "1")
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
    """A fresh browser context (its own cookies: a new session) at laptop width."""
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  accept_downloads=True)
    context.set_default_timeout(15000)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


def _fill(page: Any, fields: dict[str, str]) -> None:
    for key, value in fields.items():
        dom = "f-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in key)
        if page.locator(f"input[type=radio][name='{key}']").count():
            page.check(f"input[type=radio][name='{key}'][value='{value}']")
        else:
            page.fill(f"#{dom}", value)


def _labelled(page: Any) -> list[str]:
    """Visible form controls without a label (none expected)."""
    missing: list[str] = page.evaluate("""() => [...document.querySelectorAll(
        'input:not([type=hidden]), select, textarea')]
        .filter(e => e.offsetParent !== null)
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
        .map(e => e.name || e.id)""")
    return missing


CONTRAST = """() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = c => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || c[3] > 0) { return c.slice(0, 3); }
    }
    return [255, 255, 255];
  };
  const low = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('svg') || el.offsetParent === null) { continue; }
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) { continue; }
    const fg = lum(rgb(getComputedStyle(el).color).slice(0, 3));
    const bg = lum(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 4.5) {
      low.push(el.tagName + ' ' + el.textContent.trim().slice(0, 30) + ' ' + ratio.toFixed(2));
    }
  }
  return low;
}"""


def _low_contrast(page: Any) -> list[str]:
    """Visible text below WCAG AA contrast (4.5:1) against its background."""
    low: list[str] = page.evaluate(CONTRAST)
    return low


def _overflow(page: Any) -> int:
    width: int = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    return width


def _start(page: Any, server: Server) -> None:
    page.goto(server.url)
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/programme")


def test_serve_prints_its_loopback_address(server: Server) -> None:
    assert server.banner.startswith("evidencekit self-assessment is running at "
                                    "http://127.0.0.1:")
    assert "Warning" not in server.banner


def test_level_two_programme(page: Any, server: Server) -> None:
    _start(page, server)
    assert _labelled(page) == []
    _fill(page, PROGRAMME_FORM)
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/evaluations")
    page.reload()
    page.goto(server.url + "programme")
    assert page.input_value("#f-programme-name") == "Reading Buddies"  # survives a reload
    page.goto(server.url + "evaluations")
    page.get_by_role("link", name="Add an evaluation").click()
    page.get_by_role("radio", name="Before and after", exact=True).check()
    assert page.locator("#s-two_groups").is_hidden()  # only the chosen design's fields
    assert page.locator("#s-before_after").is_visible()
    assert _labelled(page) == []
    _fill(page, {k: v for k, v in PRE_POST_FORM.items() if k != "design"})
    page.get_by_role("button", name="Save this evaluation").click()
    page.wait_for_url("**/evaluations")
    assert page.get_by_role("heading", name="Reading check 2023").is_visible()
    page.get_by_role("link", name="Continue to the questions").click()
    assert page.get_by_text("Already shown by what you entered").first.is_visible()
    assert _labelled(page) == []
    page.get_by_role("button", name="See my result").click()
    page.wait_for_url("**/result")
    assert page.inner_text("#verified-level") == "2"
    assert page.inner_text("#claimed-level") == "2"
    assert page.get_by_role("heading", name="What to do to reach level 3").is_visible()
    rungs = page.locator("ol.ladder li").all_inner_texts()
    assert [r.split()[-1] for r in rungs] == ["reached"] * 3 + ["verified"] * 2
    assert "a rise of 7.50 (95% CI" in page.inner_text("section.findings")


def test_typed_answers_survive_a_reload_before_saving(page: Any, server: Server) -> None:
    _start(page, server)
    page.fill("#f-programme-name", "Typed, not saved")
    page.fill("#f-theory_of_change-problem", "A problem")
    with page.expect_response(lambda r: r.url.endswith("/programme")
                              and r.request.method == "POST"):
        page.keyboard.press("Tab")  # autosave runs shortly after typing stops
    page.reload()
    assert page.input_value("#f-programme-name") == "Typed, not saved"
    assert page.input_value("#f-theory_of_change-problem") == "A problem"


def test_upload_a_randomised_trial_reach_level_three_and_download(page: Any, server: Server,
                                                                  tmp_path: Path) -> None:
    csv = trial_csv(tmp_path / "trial.csv")
    _start(page, server)
    _fill(page, PROGRAMME_FORM)
    page.get_by_role("button", name="Save and continue").click()
    page.goto(server.url + "evaluations/new")
    _fill(page, {"title": "School trial 2023", "design": "rct", "site": "Northside",
                 "assigned.treatment": "60", "assigned.control": "60",
                 "outcome.name": "Reading score (0-100)", "source": "data"})
    page.set_input_files("#f-upload", str(csv))
    page.get_by_role("button", name="Save this evaluation").click()
    page.wait_for_url("**/evaluations/new/columns")
    assert _labelled(page) == []
    page.select_option("#f-columns-outcome", "score")
    page.select_option("#f-columns-group", "arm")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("radio", name="tutored").check()
    page.get_by_role("button", name="Save the columns").click()
    page.wait_for_url("**/evaluations")
    page.goto(server.url + "result")
    assert page.inner_text("#verified-level") == "3"

    with page.expect_download() as pdf_info:
        page.get_by_role("link", name="The report as a PDF").click()
    pdf = Path(pdf_info.value.path()).read_bytes()
    assert pdf_info.value.suggested_filename == "reading-buddies-report.pdf"
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-1024:]

    with page.expect_download() as yaml_info:
        page.get_by_role("link", name="Your answers as a submission file (YAML)").click()
    saved = tmp_path / "again" / "reading-buddies.yaml"
    saved.parent.mkdir()
    shutil.copy(yaml_info.value.path(), saved)
    doc = yaml.safe_load(saved.read_text(encoding="utf-8"))
    rel = doc["evaluations"][0]["outcomes"][0]["data"]
    (saved.parent / rel).parent.mkdir(parents=True)
    shutil.copy(csv, saved.parent / rel)  # the file keeps its name in data/
    assert evidencekit.assess(saved).level == 3  # the CLI's assessment agrees


def test_too_large_upload_shows_the_message(browser: Any, server: Server,
                                            tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"score\n" + b"12345\n" * 260_000)  # about 1.5 MB; the limit is 1 MB
    for script in (False, True):
        context = browser.new_context(java_script_enabled=script)
        try:
            page = context.new_page()
            _start(page, server) if script else page.goto(server.url)
            page.goto(server.url + "evaluations/new")
            _fill(page, {"title": "Big", "design": "post_only", "outcome.name": "Score",
                         "source": "data"})
            page.set_input_files("#f-upload", str(big))
            if script:  # checked in the page before anything is sent
                message = page.locator("#f-upload-client")
                assert message.is_visible()
                assert "larger than the 1 MB limit" in message.inner_text()
                assert page.eval_on_selector("#f-upload", "e => e.files.length") == 0
            else:  # checked by the server, which answers with the form and the message
                with page.expect_response(lambda r: r.request.method == "POST") as info:
                    page.get_by_role("button", name="Save this evaluation").click()
                assert info.value.status == 413
                assert "The file is larger than the 1 MB limit" in \
                    page.inner_text("#f-upload-error")
                assert page.input_value("#f-title") == "Big"
        finally:
            context.close()


def test_malformed_upload_shows_a_message(page: Any, server: Server, tmp_path: Path) -> None:
    bad = tmp_path / "results.xlsx"
    bad.write_bytes(b"this is not a workbook")
    _start(page, server)
    page.goto(server.url + "evaluations/new")
    _fill(page, {"title": "Survey", "design": "post_only", "outcome.name": "Score",
                 "source": "data"})
    page.set_input_files("#f-upload", str(bad))
    page.get_by_role("button", name="Save this evaluation").click()
    assert "is not an Excel .xlsx workbook" in page.inner_text("#f-upload-error")
    assert page.locator("#error-summary").is_visible()


def test_forged_csrf_token_is_rejected(page: Any, server: Server) -> None:
    _start(page, server)
    page.fill("#f-programme-name", "Should not be saved")
    page.eval_on_selector("form[action='/programme'] input[name=csrf]",
                          "e => e.value = 'forged'")
    page.eval_on_selector("form[action='/programme']", "f => f.removeAttribute('data-autosave')")
    with page.expect_response(lambda r: r.request.method == "POST") as info:
        page.get_by_role("button", name="Save and continue").click()
    assert info.value.status == 403
    assert page.get_by_role("heading", name="This form could not be accepted").is_visible()
    page.goto(server.url + "programme")
    assert page.input_value("#f-programme-name") == ""


@pytest.mark.parametrize("path", ["download/..%2F..%2F..%2Fetc%2Fpasswd",
                                  "download/%2e%2e/%2e%2e/etc/passwd",
                                  "download/report.pdf/..%2F..%2Fsecret"])
def test_download_path_traversal_is_refused(page: Any, server: Server, path: str) -> None:
    _start(page, server)
    response = page.goto(server.url + path)
    assert response.status == 404
    assert "root:" not in page.content()
    assert page.get_by_role("heading", name="No such download").is_visible() or \
        page.get_by_role("heading", name="Page not found").is_visible()


def test_keyboard_only_and_phone_width(page: Any, server: Server) -> None:
    page.goto(server.url)
    # Tab through the start page: every control is reached, focus is visible, Enter submits.
    seen = []
    for _ in range(20):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("document.activeElement.id || "
                                  "document.activeElement.textContent.trim()"))
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none", seen[-1]
        if seen[-1] == "Start":
            break
    assert "rubric-nesta" in seen and seen[-1] == "Start"
    page.keyboard.press("Enter")
    page.wait_for_url("**/programme")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent") == "Skip to the main content"
    page.keyboard.press("Enter")  # to the main content: the next Tab is its first field
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-programme-name"
    page.keyboard.type("Typed with the keyboard")
    for url in ("", "programme", "evaluations", "evaluations/new", "questions", "result"):
        for width in (375, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(server.url + url)
            assert _overflow(page) <= 0, (url, width)
            assert _labelled(page) == [], url
            assert _low_contrast(page) == [], url
