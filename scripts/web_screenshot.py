"""Regenerate the README's pictures of the self-assessment web app's result page.

Starts ``evidencekit serve`` on a free port, goes through the journey a grantee would in
headless Chromium (Debian's, through Playwright) — a theory of change, a before-and-after
survey typed in and a randomised trial uploaded as a CSV file — and saves the top of the
result page at laptop width (docs/web-app.png) and at phone width (docs/web-app-phone.png).

    .venv/bin/python scripts/web_screenshot.py        (or: make web-screenshot)
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"

PROGRAMME = {
    "programme.name": "Reading Buddies",
    "programme.organisation": "Northside Literacy Trust",
    "theory_of_change.problem": "Many children leave primary school reading below the "
                                "expected level.",
    "theory_of_change.activities": "Volunteers read with each child twice a week",
    "theory_of_change.outcomes": "Better reading",
    "theory_of_change.rationale": "Regular reading practice improves fluency.",
}
SURVEY = {
    "title": "Reading check 2023", "design": "pre_post", "site": "Northside",
    "outcome.name": "Reading age (months)", "pre.n": "80", "pre.mean": "96.5",
    "pre.sd": "11.0", "post.n": "80", "post.mean": "104.0", "post.sd": "10.5",
    "correlation": "0.6",
}
TRIAL = {"title": "School trial 2024", "design": "rct", "site": "Eastbrook",
         "assigned.treatment": "64", "assigned.control": "64",
         "outcome.name": "Reading score (0-100)", "source": "data"}


def trial_csv(path: Path) -> Path:
    """An invented randomised trial: 60 tutored pupils and 60 controls, one row each."""
    rng = random.Random(7)
    lines = ["pupil,arm,score"]
    for i in range(120):
        arm = "tutored" if i % 2 == 0 else "control"
        lines.append(f"{i + 1},{arm},{50 + (6 if arm == 'tutored' else 0) + rng.gauss(0, 10):.1f}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def fill(page: object, fields: dict[str, str]) -> None:
    for key, value in fields.items():
        radio = f"input[type=radio][name='{key}'][value='{value}']"
        if page.locator(radio).count():  # type: ignore[attr-defined]
            page.check(radio)  # type: ignore[attr-defined]
        else:
            dom = "f-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in key)
            page.fill(f"#{dom}", value)  # type: ignore[attr-defined]


def main() -> int:
    from playwright.sync_api import sync_playwright

    server = subprocess.Popen([sys.executable, "-m", "evidencekit", "serve", "--port", "0"],
                              stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    found = re.search(r"http://127\.0\.0\.1:\d+/", server.stdout.readline())
    if not found:
        server.kill()
        print("web_screenshot: the app did not start", file=sys.stderr)
        return 1
    url = found.group(0)
    try:
        with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM,
                                        args=["--headless", "--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url)
            page.get_by_role("button", name="Start").click()
            fill(page, PROGRAMME)
            page.get_by_role("button", name="Save and continue").click()
            page.goto(url + "evaluations/new")
            fill(page, SURVEY)
            page.get_by_role("button", name="Save this evaluation").click()
            page.wait_for_url("**/evaluations")
            page.goto(url + "evaluations/new")
            fill(page, TRIAL)
            page.set_input_files("#f-upload", str(trial_csv(Path(tmp) / "trial.csv")))
            page.get_by_role("button", name="Save this evaluation").click()
            page.wait_for_url("**/columns")
            page.select_option("#f-columns-outcome", "score")
            page.select_option("#f-columns-group", "arm")
            page.get_by_role("button", name="Continue").click()
            page.get_by_role("radio", name="tutored").check()
            page.get_by_role("button", name="Save the columns").click()
            page.wait_for_url("**/evaluations")
            page.goto(url + "result")
            for width, height, name in ((1280, 1500, "web-app.png"),
                                        (375, 1900, "web-app-phone.png")):
                page.set_viewport_size({"width": width, "height": height})
                out = REPO / "docs" / name
                page.screenshot(path=str(out), clip={"x": 0, "y": 0, "width": width,
                                                     "height": height})
                print(f"Wrote {out.relative_to(REPO)} ({width}x{height})")
            browser.close()
    finally:
        server.send_signal(2)
        server.wait(timeout=20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
