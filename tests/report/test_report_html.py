"""The HTML report: semantic, accessible, self-contained; the charts and their tables agree."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from report_helpers import EXAMPLES, REPO, Rendered

from evidencekit.api import assess
from evidencekit.report import build_context, charts, render_html

SVG = "{http://www.w3.org/2000/svg}"


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.th_without_scope = 0
        self.html_lang: str | None = None
        self.svgs = 0
        self.svg_roles: list[str | None] = []
        self.external: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "th" and a.get("scope") not in ("col", "row"):
            self.th_without_scope += 1
        if tag == "svg":
            self.svgs += 1
            self.svg_roles.append(a.get("role"))
        for key in ("src", "href"):
            value = a.get(key)
            if value and not value.startswith(("data:", "#")):
                self.external.append(value)
        if a.get("id"):
            self.ids.append(a["id"] or "")


@pytest.mark.parametrize("example", sorted(p.stem for p in EXAMPLES.glob("*.yaml")))
def test_every_example_renders_accessible_html(example: str) -> None:
    html = render_html(assess(EXAMPLES / f"{example}.yaml"), deterministic=True)
    outline = _Outline()
    outline.feed(html)
    assert outline.html_lang == "en-GB"
    assert outline.headings[0] == 1 and outline.headings.count(1) == 1
    for before, after in zip(outline.headings, outline.headings[1:], strict=False):
        assert after <= before + 1, f"heading level jumps from h{before} to h{after}"
    assert outline.th_without_scope == 0
    assert outline.svgs >= 1 and set(outline.svg_roles) == {"img"}
    assert outline.external == []  # self-contained: no file, no network
    assert len(outline.ids) == len(set(outline.ids)), "duplicate ids"
    assert "<title>Evidence report: " in html


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_text_colours_have_sufficient_contrast() -> None:
    css = (REPO / "report_templates" / "report.css").read_text(encoding="utf-8")
    var = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", css))
    pairs = [("ink", "#ffffff"), ("muted", "#ffffff"), ("accent", "#ffffff"),
             ("muted", var["faint"]), ("verified", var["verified-bg"]),
             ("claimed", var["claimed-bg"]), ("notmet", var["notmet-bg"]),
             ("ink", var["faint"])]
    for fg, bg in pairs:
        ratio = _contrast(var[fg], bg)
        assert ratio >= 4.5, f"{fg} on {bg}: {ratio:.2f}"
    assert _contrast("#ffffff", charts.VERIFIED) >= 4.5  # numbers on verified steps
    assert _contrast(charts.MUTED, "#ffffff") >= 4.5


def test_charts_are_well_formed_and_labelled(access: Rendered) -> None:
    ctx = build_context(access.result)
    for chart in (ctx.ladder, ctx.forest):
        assert chart is not None
        root = ET.fromstring(str(chart.svg))
        assert root.tag == f"{SVG}svg" and root.get("role") == "img"
        title = root.find(f"{SVG}title")
        desc = root.find(f"{SVG}desc")
        # The alternative text is the chart's title followed by the data it draws.
        assert title is not None and title.text and title.text.startswith(chart.alt)
        assert " Data: " in title.text
        assert desc is not None and desc.text
    # The forest plot shows the same numbers as the table beside it.
    forest = ET.fromstring(str(ctx.forest.svg))  # type: ignore[union-attr]
    texts = " ".join(t.text or "" for t in forest.iter(f"{SVG}text"))
    for row in ctx.forest_rows:
        assert row.ci in texts
        assert row.effect.split("= ")[-1] in texts
    assert forest.find(f"{SVG}polygon") is not None  # the pooled diamond
    assert len(ctx.forest_rows) == 5 and ctx.forest_rows[-1].role == "pooled"


def test_chart_text_is_escaped() -> None:
    svg = charts.forest_plot(
        [charts.ForestRow('<script>"x"</script>', "a & b", 0.2, 0.1, 0.3, "0.20 [0.10, 0.30]")],
        title="t <b>", desc="d & e", axis_label="axis")
    root = ET.fromstring(svg)  # would raise on unescaped markup
    assert root.find(f"{SVG}script") is None
    assert "&lt;script&gt;" in svg and "a &amp; b" in svg
    assert charts.forest_plot([charts.ForestRow("x", "", 0.1, None, None, "0.10")],
                              title="t", desc="d", axis_label="a").count("<line") >= 2


def test_ladder_marks_status_without_colour_alone() -> None:
    steps = [charts.Step(1, "One", "verified"), charts.Step(2, "Two", "claimed"),
             charts.Step(3, "Three", "not_met")]
    svg = charts.level_ladder(steps, title="t", desc="d")
    assert "Level 1: verified" in svg and "Level 2: claimed only" in svg
    assert "Level 3: not met" in svg and "stroke-dasharray" in svg
    assert svg == charts.level_ladder(steps, title="t", desc="d")  # stable bytes


def test_level_zero_shows_no_level_as_verified(tmp_path: Path) -> None:
    ctx = build_context(assess(EXAMPLES / "dementia-friends.yaml"))
    assert ctx.level == 0
    assert all(lv.status == "not_met" for lv in ctx.levels)
    two = next(lv for lv in ctx.levels if lv.number == 2)
    assert two.verdict.startswith("Not reached")  # its own criteria are met; level 1 is not


def test_methods_appendix_covers_every_test_used() -> None:
    from evidencekit.report.methods import methods_used

    covers = {  # test key -> words that must appear in some method's title
        "student_t": "Student", "difference_in_differences": "Difference-in-differences",
        "ancova": "ANCOVA", "paired_t": "Paired t-test", "log_odds_ratio_z": "odds ratio",
        "wwc_cluster_corrected": "WWC correction", "reported_t": "t statistic",
        "reported_z": "t statistic", "reported_p": "p-value", "reported_f": "F(1",
        "normal_z": "standard error", "cr2": "CR2", "logistic": "Logistic",
        "mcnemar": "McNemar", "welch_t": "Welch", "fisher_exact": "Fisher",
    }
    for path in sorted(EXAMPLES.glob("*.yaml")):
        result = assess(path)
        methods = methods_used(result.analysis, has_value=True)
        titles = " | ".join(m.title for m in methods)
        assert all(m.formula and m.reference for m in methods)
        for e in result.analysis.evaluations:
            for o in e.outcomes:
                if o.test is not None:
                    assert covers[o.test] in titles, (path.name, o.test)
