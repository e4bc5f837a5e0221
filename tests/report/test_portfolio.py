"""The portfolio as a funding panel uses it: the ranked table on page one or two, over-claimers
named, the funder's own columns (amount requested, theme) and cost beside the level, effects
whose evaluation fails the causal test marked, the ranking rule stated, and chart alt text that
states the data. Each decision is checked against the assessment that made it, not against
the portfolio's own output."""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from report_helpers import EXAMPLES, pdf_text

from evidencekit.batch.outputs import RANKING_RULE


def _assessments() -> dict[str, Any]:
    """Every example assessed through the public API, by application id."""
    from evidencekit import api

    return {p.stem: api.assess(p) for p in sorted(EXAMPLES.glob("*.yaml"))}


@pytest.fixture(scope="module")
def assessed() -> dict[str, Any]:
    return _assessments()


@pytest.fixture(scope="module")
def manifest() -> dict[str, dict[str, str]]:
    with (EXAMPLES / "round.csv").open(encoding="utf-8", newline="") as f:
        return {r["application_id"]: r for r in csv.DictReader(f)}


class _Rows(HTMLParser):
    """The ranked table's body rows as lists of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.headers: list[str] = []
        self._in_table = False
        self._cell: list[str] | None = None
        self._head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and "ranked" in (dict(attrs).get("class") or ""):
            self._in_table = True
        elif self._in_table and tag == "thead":
            self._head = True
        elif self._in_table and tag == "tr" and not self._head:
            self.rows.append([])
        elif self._in_table and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_table = False
        elif tag == "thead":
            self._head = False
        elif tag in ("td", "th") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            (self.headers if self._head else self.rows[-1]).append(text)
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _key(row: list[str], assessed: dict[str, Any]) -> str:
    """The application id in a row's Application cell ("Programme" + "id · organisation")."""
    return next(k for k in assessed if f"{k} ·" in row[1] or row[1].endswith(k))


def ranked_table(html: str) -> tuple[list[str], list[list[str]]]:
    parser = _Rows()
    parser.feed(html)
    return parser.headers, parser.rows


def test_ranked_table_is_on_page_one_or_two(funders_round: Path, every_example: Path,
                                            poppler: Callable[..., str]) -> None:
    for out in (funders_round, every_example):
        pages = [pdf_text(poppler, out / "portfolio.pdf", n) for n in (1, 2)]
        assert any("Ranked applications" in p for p in pages), out
        first_rank = pages[0] + pages[1]
        assert re.search(r"Rank\s", first_rank)


def test_over_claimers_are_named_on_page_one(funders_round: Path, assessed: dict[str, Any],
                                             poppler: Callable[..., str]) -> None:
    page_one = " ".join(pdf_text(poppler, funders_round / "portfolio.pdf", 1).split())
    named = page_one.split("Applications that over-claim", 1)[1].split("How the table", 1)[0]
    over = {k: r for k, r in assessed.items() if r.claimed_level > r.level}
    assert len(over) == 2  # GoodGym and City Year (tests/expected_levels.yaml)
    for key, r in over.items():
        assert f"{r.programme} ({key}" in named
        assert f"claims level {r.claimed_level}, verified level {r.level}" in named
    for key in assessed:
        if key not in over:
            assert f"({key}," not in named


def test_funders_columns_and_cost_sit_beside_the_level(funders_round: Path,
                                                       assessed: dict[str, Any],
                                                       manifest: dict[str, dict[str, str]]
                                                       ) -> None:
    html = (funders_round / "portfolio.html").read_text(encoding="utf-8")
    headers, rows = ranked_table(html)
    assert headers == ["Rank", "Application", "Theme", "Amount requested", "Verified",
                       "Claimed", "Cost per participant", "Effect [95% CI]"]
    assert len(rows) == 12
    for row in rows:
        key = _key(row, assessed)
        r, m = assessed[key], manifest[key]
        assert row[2] == m["theme"]  # the funder's theme, not the submission's
        assert row[3] == f"£{int(m['amount_requested']):,}"
        assert row[4] == str(r.level)
        assert row[5].startswith(str(r.claimed_level))
        assert ("(+" in row[5]) == (r.claimed_level > r.level)
        vfm = r.value_for_money
        assert row[6] == (f"£{vfm.cost_per_participant:,.0f}" if vfm is not None else "—")


def test_a_round_without_amounts_has_no_amount_column(every_example: Path) -> None:
    headers, rows = ranked_table((every_example / "portfolio.html").read_text(encoding="utf-8"))
    assert "Amount requested" not in headers
    assert len(rows) == len(list(EXAMPLES.glob("*.yaml")))  # every example, one row each
    assert headers[2] == "Theme" and rows[0][2] == "adult social care"  # the submission's


def test_effects_that_fail_the_causal_test_are_marked(funders_round: Path,
                                                      assessed: dict[str, Any]) -> None:
    html = (funders_round / "portfolio.html").read_text(encoding="utf-8")
    _headers, rows = ranked_table(html)
    marked = set()
    for row in rows:
        key = _key(row, assessed)
        if "✗" in row[7]:
            marked.add(key)
    # The decision is the assessment's: its headline's evaluation does not pass the rubric's
    # causal test. The examples' README names these five.
    expected = {k for k, r in assessed.items()
                if r.headline is not None and r.headline_causal is False}
    assert expected == {"user-voice", "kings-college-hospital-volunteers", "city-year",
                        "dementia-friends", "story-friends-cluster-trial"}
    assert marked == expected
    assert "<strong>5</strong> show an effect whose evaluation does not pass the causal test" \
        in html
    assert "✗ before and after only: not causal" in html and "✗ fails the causal test" in html


def test_the_ranking_rule_is_stated_and_followed(funders_round: Path) -> None:
    html = (funders_round / "portfolio.html").read_text(encoding="utf-8")
    assert RANKING_RULE.replace("'", "&#39;") in html
    with (funders_round / "scores.csv").open(encoding="utf-8", newline="") as f:
        scores = list(csv.DictReader(f))
    _headers, rows = ranked_table(html)
    assert [r[0] for r in rows] == [s["rank"] for s in scores]
    assert all(s["application_id"] in r[1] for s, r in zip(scores, rows, strict=True))


def test_chart_alt_text_states_the_data(funders_round: Path) -> None:
    """Each chart's alternative text (the SVG title, which becomes the PDF figure's /Alt)
    gives the numbers drawn, not only the chart's title."""
    import pikepdf

    html = (funders_round / "portfolio.html").read_text(encoding="utf-8")
    titles = dict(re.findall(r'<title id="(portfolio-[a-z]+)-title">([^<]*)</title>', html))
    # The count grids are shaded tables and the effects a table with drawn intervals: their
    # numbers are the tables' own, so the levels chart is the one figure left.
    assert set(titles) == {"portfolio-levels"}
    levels = titles["portfolio-levels"]
    # "level 2: 4 verified at this level, 3 claiming this level": the table's counts.
    with (funders_round / "scores.csv").open(encoding="utf-8", newline="") as f:
        scores = list(csv.DictReader(f))
    for n in range(6):
        verified = sum(1 for s in scores if s["level"] == str(n))
        claimed = sum(1 for s in scores if s["claimed_level"] == str(n))
        assert (f"level {n}: {verified} verified at this level, {claimed} claiming this level"
                in levels)
    effects = html.split('<table class="effects">', 1)[1].split("</table>", 1)[0]
    for s in scores:
        if int(s["level"]) >= 3 and s["effect_causal"] != "false":
            assert f"{float(s['effect']):.2f} [{float(s['effect_ci_low']):.2f}" in effects
    with pikepdf.open(funders_round / "portfolio.pdf") as pdf:
        alts = [str(o.get("/Alt")) for o in pdf.objects
                if isinstance(o, pikepdf.Dictionary) and o.get("/S") == "/Figure"]
    assert len(alts) == 1 and all("Data: " in a for a in alts)
    assert any(a.startswith("Applications by evidence level. Data: level 0:") for a in alts)


def test_count_tables_are_shaded_by_count_and_outline_the_diagonal(funders_round: Path
                                                                   ) -> None:
    """Claimed against verified level, and verified level by theme, are one shaded table each
    (darker = more; the claimed = verified diagonal outlined), with the counts of scores.csv."""
    from evidencekit.report.portfolio import shade

    html = (funders_round / "portfolio.html").read_text(encoding="utf-8")
    with (funders_round / "scores.csv").open(encoding="utf-8", newline="") as f:
        scores = list(csv.DictReader(f))
    tables = re.findall(r'<table class="counts shaded">(.*?)</table>', html, re.S)
    assert len(tables) == 2
    pairs = Counter((int(s["claimed_level"]), int(s["level"])) for s in scores)
    peak = max(pairs.values())
    cells = re.findall(r'<tr><th scope="row">(\d)</th>(.*?)</tr>', tables[0])
    assert [int(c) for c, _ in cells] == list(range(5, -1, -1))
    for claimed, row in cells:
        found = re.findall(r'<td class="num s(\d)( diagonal)?">(\d+)</td>', row)
        assert [int(n) for _s, _d, n in found] == [pairs[(int(claimed), v)] for v in range(6)]
        assert [int(s) for s, _d, _n in found] == [shade(int(n), peak) for _s, _d, n in found]
        assert [v for v, (_s, d, _n) in enumerate(found) if d] == [int(claimed)]
    assert "Communities" in tables[1] or "Education" in tables[1]


def test_the_effects_table_draws_every_interval_on_one_scale() -> None:
    """The effects of the leading 40 applications with causal evidence are a table (it
    flows over pages; the SVG chart it replaces ran past the footer at 2,000 applications),
    and each row's drawn interval and point sit where its numbers say on the common scale."""
    from evidencekit.report.portfolio import MAX_CHART_ROWS, build_portfolio

    def result(i: int) -> dict[str, Any]:
        est = 0.1 + 0.01 * i
        row = {"programme": f"Programme {i}", "organisation": "", "level": 4,
               "claimed_level": 4, "overclaim_gap": 0, "effect": est,
               "effect_ci_low": est - 0.2, "effect_ci_high": est + 0.2, "n_analysed": 100,
               "rubric_id": "nesta", "rubric_version": "1", "effect_causal": True,
               "effect_design": "rct"}
        return {"application_id": f"a{i:03d}", "ok": True, "row": row, "extra": {}}

    results = [result(i) for i in range(60)]
    context = build_portfolio(results, results)
    assert context.effects is not None
    rows = context.effects.rows
    assert len(rows) == MAX_CHART_ROWS
    lo, hi = (float(x.replace("−", "-")) for x in context.effects.scale.split(" to "))
    for i, row in enumerate(rows):
        est = 0.1 + 0.01 * i
        assert row.low is not None and row.high is not None
        assert 0 <= row.low < row.point < row.high <= 100
        assert row.point == pytest.approx(100 * (est - lo) / (hi - lo), abs=0.6)
        assert f"table.effects tr.e{i} .pt {{ left: {row.point}%; }}" in context.effects.css
    assert context.effects.zero == pytest.approx(100 * (0 - lo) / (hi - lo), abs=0.6)


def test_the_effects_chart_leaves_out_effects_that_are_not_causal() -> None:
    """A level-3 programme whose headline comes from an evaluation that fails the causal test
    (another evaluation passes it) is not drawn among "applications with causal evidence"."""
    from evidencekit.report.portfolio import build_portfolio

    def result(aid: str, causal: bool) -> dict[str, Any]:
        row = {"programme": aid.title(), "organisation": "", "level": 3, "claimed_level": 3,
               "overclaim_gap": 0, "effect": 0.3, "effect_ci_low": 0.1, "effect_ci_high": 0.5,
               "n_analysed": 100, "rubric_id": "nesta", "rubric_version": "1",
               "effect_causal": causal, "effect_design": "rct", "theme": "t"}
        return {"application_id": aid, "ok": True, "row": row, "extra": {}}

    results = [result("passes", True), result("fails", False)]
    context = build_portfolio(results, results)
    assert context.effects is not None
    assert [e.programme for e in context.effects.rows] == ["Passes"]
    assert [r.caution for r in context.ranked] == ["", "fails the causal test"]


def test_the_funders_portfolio_fits_every_screen_and_passes_axe(funders_round: Path) -> None:
    """The portfolio with the funder's extra column, from 320 to 1280 px: no horizontal
    overflow, no word broken for want of width, and axe-core finds nothing."""
    from layout_helpers import chromium, overflow_problems
    from tools.axe import axe_version, axe_violations

    doc = funders_round / "portfolio.html"
    found: dict[str, Any] = {}
    with chromium() as browser:
        for width in (320, 375, 768, 1280):
            context = browser.new_context(viewport={"width": width, "height": 900})
            page = context.new_page()
            try:
                page.goto(doc.as_uri())
                problems = overflow_problems(page)
                if problems:
                    found[f"layout at {width}px"] = problems[:5]
                if width in (375, 1280):
                    violations = axe_violations(page)
                    if violations:
                        found[f"axe-core {axe_version()} at {width}px"] = violations
            finally:
                context.close()
    assert found == {}
