"""The batch's tables: ``scores.csv``, ``scores.xlsx`` and ``errors.csv`` (atomic writes).

The same inputs give byte-identical ``scores.csv`` whatever the worker count or completion
order: rows are ranked with a total order (level, then the lower confidence bound of the
effect, then the application id) and numbers are written with ``repr`` (shortest exact form).
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Sequence
from datetime import UTC
from pathlib import Path
from typing import Any

from .store import atomic_open, atomic_write_text

BASE_COLUMNS = [
    "rank", "application_id", "programme", "organisation", "level", "claimed_level",
    "overclaim_gap", "level_label", "effect_measure", "effect", "effect_ci_low",
    "effect_ci_high", "effect_source", "n_analysed", "rubric_id", "rubric_version",
    "input_sha256",
]
ERROR_COLUMNS = ["application_id", "file", "line", "key", "message"]


def ranked(results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Successful results in rank order (best evidence first)."""
    ok = [r for r in results if r.get("ok")]

    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        row = r["row"]
        low = row.get("effect_ci_low")
        return (-row["level"], -(low if low is not None else -math.inf), r["application_id"])

    return sorted(ok, key=key)


def gate_columns(results: Sequence[dict[str, Any]]) -> list[str]:
    cols: dict[str, None] = {}
    for r in results:
        if r.get("ok"):
            for g, _status in r["row"]["gates"]:
                cols.setdefault(g, None)
    return list(cols)


def extra_columns(results: Sequence[dict[str, Any]], manifest_columns: Sequence[str]
                  ) -> list[str]:
    return [c for c in manifest_columns if c not in BASE_COLUMNS]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def score_rows(results: Sequence[dict[str, Any]], manifest_columns: Sequence[str]
               ) -> tuple[list[str], list[list[Any]]]:
    gates = gate_columns(results)
    extras = extra_columns(results, manifest_columns)
    header = BASE_COLUMNS + [f"gate:{g}" for g in gates] + extras
    rows = []
    for rank, r in enumerate(ranked(results), start=1):
        row = r["row"]
        values: dict[str, Any] = {**row, "rank": rank, "application_id": r["application_id"],
                                  "input_sha256": r["input_sha256"]}
        statuses = dict(row["gates"])
        rows.append([values.get(c) for c in BASE_COLUMNS]
                    + [statuses.get(g, "") for g in gates]
                    + [r.get("extra", {}).get(c, "") for c in extras])
    return header, rows


def write_scores_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        w.writerow([_cell(v) for v in row])
    atomic_write_text(path, buf.getvalue())


def write_scores_xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    from datetime import datetime

    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0") or 0)
    when = datetime.fromtimestamp(epoch, tz=UTC).replace(tzinfo=None)
    wb.properties.created = when
    wb.properties.modified = when
    ws = wb.create_sheet("scores")
    ws.append(header)
    for row in rows:
        ws.append(["" if v is None else v for v in row])
    with atomic_open(path, "wb") as f:
        wb.save(f)


def write_errors_csv(path: Path, results: Sequence[dict[str, Any]]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(ERROR_COLUMNS)
    for r in sorted((r for r in results if not r.get("ok")), key=lambda r: r["application_id"]):
        for p in r["problems"]:
            w.writerow([r["application_id"], p.get("file") or r.get("path", ""),
                        _cell(p.get("line")), p.get("key") or "", p.get("message", "")])
    atomic_write_text(path, buf.getvalue())
