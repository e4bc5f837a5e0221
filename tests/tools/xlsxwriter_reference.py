"""The xlsxwriter writer scores.xlsx had before evidencekit.batch.xlsx (kept, unchanged but for
its imports and the atomic file, as the reference tests/batch/test_xlsx_writer.py compares the
new writer's bytes with). Not used by the package; xlsxwriter is a dev dependency."""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from evidencekit.batch.outputs import (
    BASE_COLUMNS,
    COLUMNS,
    LEVEL_STATUS_WORDS,
    STATUS_WORDS,
    _build_time,
    _cell,
    _measure_words,
    _non_finite,
)
from evidencekit.inert import visible


def old_write_scores_xlsx(path: Path, header: list[str], rows: Iterable[list[Any]],
                      gate_titles: dict[str, str] | None = None,
                      rubric_counts: dict[str, int] | None = None) -> None:
    """scores.xlsx as a working spreadsheet: frozen header, filters, widths, number formats
    (full precision kept), human headings and words, a "Columns" sheet explaining each
    column, and one sheet per rubric when a round used several. ``rubric_counts`` (rows per
    rubric id), when given and naming one rubric, lets the rows stream straight from
    ``rows`` (a round scored with one rubric never holds its rows in memory).

    Written by xlsxwriter row by row (``constant_memory``: the rows go to temporary files in
    the output folder, so 100,000 applications do not hold a workbook in memory), with every
    text cell written as a string (``strings_to_formulas`` off: a text starting with ``=``
    stays text) and the workbook's dates fixed, so equal inputs give equal bytes."""
    import xlsxwriter

    titles = gate_titles or {}
    when = _build_time()

    def heading(code: str) -> str:
        if code in COLUMNS:
            return COLUMNS[code][0]
        if code.startswith("gate:"):
            gid = code[5:]
            return "Gate: " + titles.get(gid, gid.replace("_", " "))
        if code.startswith("level:"):
            return f"Level {code[6:]} status"
        if code.startswith("claim:"):
            return "Claim: " + code[6:]
        if code in BASE_COLUMNS:  # a column added without a heading: still readable
            return code.replace("_", " ").capitalize()
        return code  # the funder's own column, as named in the manifest

    rubric_at = header.index("rubric_id")
    groups: dict[str, tuple[int, Iterable[list[Any]]]] = {}
    if rubric_counts is not None and len(rubric_counts) == 1:
        ((rid, count),) = rubric_counts.items()
        groups[rid] = (count, rows)
    else:
        lists: dict[str, list[list[Any]]] = {}
        for row in rows:
            lists.setdefault(str(row[rubric_at] or ""), []).append(row)
        groups = {rid: (len(group), group) for rid, group in lists.items()}
    if not groups:
        groups[""] = (0, [])
    with open(path, "wb") as handle:
        wb = xlsxwriter.Workbook(handle, {
            "constant_memory": True, "tmpdir": str(path.parent), "strings_to_formulas": False,
            "strings_to_numbers": False, "strings_to_urls": False, "nan_inf_to_errors": False})
        wb.set_properties({"created": when, "author": "evidencekit"})
        bold = wb.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        formats = {f: wb.add_format({"num_format": f})
                   for f in {c[2] for c in COLUMNS.values() if c[2] is not None}}
        for rid, (count, group) in groups.items():
            name = "Scores" if len(groups) == 1 else f"Scores {visible(rid)}"[:31]
            for bad in "[]:*?/\\":
                name = name.replace(bad, "_")
            ws = wb.add_worksheet(name)
            ws.freeze_panes(1, 2)
            ws.autofilter(0, 0, count, max(0, len(header) - 1))
            number_formats = []
            for i, code in enumerate(header):
                width = COLUMNS[code][3] if code in COLUMNS else (14 if code.startswith("gate:")
                                                                  else 16)
                ws.set_column(i, i, width)
                fmt = COLUMNS[code][2] if code in COLUMNS else None
                number_formats.append(formats[fmt] if fmt is not None else None)
            for i, code in enumerate(header):
                ws.write_string(0, i, _cell(heading(code)), bold)
            gate_at = {i for i, code in enumerate(header) if code.startswith("gate:")}
            level_at = {i for i, code in enumerate(header) if code.startswith("level:")}
            measure_at = header.index("effect_measure") if "effect_measure" in header else -1
            causal_at = header.index("effect_causal") if "effect_causal" in header else -1
            for r, row in enumerate(group, start=1):
                for i, v in enumerate(row):
                    if v is None:
                        continue
                    if i == causal_at and isinstance(v, bool):
                        v = "Yes" if v else "No"
                    if isinstance(v, str):
                        if i in gate_at:
                            v = STATUS_WORDS.get(v, v)
                        elif i in level_at:
                            v = LEVEL_STATUS_WORDS.get(v, v)
                        elif i == measure_at:
                            v = _measure_words(v)
                    _xlsx_write(ws, r, i, v, number_formats[i])
        info = wb.add_worksheet("Columns")
        info.set_column(0, 0, 26)
        info.set_column(1, 1, 20)
        info.set_column(2, 2, 90)
        info.freeze_panes(1, 0)
        for i, t in enumerate(("Column", "In scores.csv", "What it means")):
            info.write_string(0, i, _cell(t))
        for r, code in enumerate(header, start=1):
            if code in COLUMNS:
                meaning = COLUMNS[code][1]
            elif code.startswith("gate:"):
                meaning = ("A criterion the level depends on: Verified, Validated (a claim the "
                           "round's reviewers accepted), Claimed only (claimed but not shown "
                           "by the evidence) or Not met.")
            elif code.startswith("level:"):
                meaning = ("The level's cumulative status, as the report shows it: Reached "
                           "(it and every level below are verified), Reached with validated "
                           "claims, Claimed only (reached once claims are counted) or Not "
                           "reached.")
            elif code.startswith("claim:"):
                meaning = ("A claimed criterion's state in the review round, as `evidencekit "
                           "round status` shows it: validated, rejected, disputed (awaiting "
                           "the moderator) or pending; empty when the application does not claim "
                           "it.")
            else:
                meaning = "The funder's own column, carried from the manifest."
            for i, t in enumerate((heading(code), code, meaning)):
                info.write_string(r, i, _cell(t))
        wb.close()



def _xlsx_write(ws: Any, row: int, col: int, value: Any, number_format: Any) -> None:
    """A cell that can never be a formula: our numbers as numbers, any text as a string."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        ws.write_string(row, col, _cell(value))
    elif isinstance(value, float) and not math.isfinite(value):
        ws.write_string(row, col, _non_finite(value))
    else:
        ws.write_number(row, col, value, number_format)


