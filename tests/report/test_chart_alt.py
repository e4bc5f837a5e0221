"""Chart alternative text states the data (issue 13 item 4): the SVG title — which WeasyPrint
copies into the tagged PDF figure's /Alt — lists what the chart draws, not only its title."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from report_helpers import Rendered

from evidencekit.report import build_context, charts

SVG = "{http://www.w3.org/2000/svg}"


def _title(svg: str) -> str:
    title = ET.fromstring(svg).find(f"{SVG}title")
    assert title is not None and title.text
    return title.text


def test_report_charts_say_what_they_draw(access: Rendered) -> None:
    ctx = build_context(access.result)
    assert ctx.forest is not None
    forest = _title(str(ctx.forest.svg))
    for row in ctx.forest_rows:
        assert row.ci in forest and row.effect.split("= ")[-1] in forest
    ladder = _title(str(ctx.ladder.svg))
    for lv in access.result.levels:
        word = "verified" if lv.level <= access.result.level else "not met"
        assert f"level {lv.level}: {word}" in ladder


def test_long_charts_say_how_many_rows_are_left_out() -> None:
    rows = [charts.ForestRow(f"Outcome {i}", "", 0.1 * i, 0.0, 0.2 * i, f"{0.1 * i:.2f}")
            for i in range(1, 26)]
    alt = _title(charts.forest_plot(rows, title="Effects.", desc="d", axis_label="a"))
    assert "Outcome 20" in alt and "Outcome 21" not in alt
    assert alt.endswith("and 5 more in the table beside the chart.")


def test_count_grids_name_the_non_empty_cells() -> None:
    alt = _title(charts.count_grid(["A", "B"], ["0", "1"], [[0, 3], [0, 0]], title="Grid",
                                   desc="d", row_label="theme", column_label="level"))
    assert alt == "Grid. Data: theme A: 3 at level 1; every other cell 0."
