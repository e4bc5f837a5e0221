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
import re
from collections.abc import Sequence
from datetime import UTC
from pathlib import Path
from typing import Any

from ..inert import cell_text
from .store import atomic_write_bytes, atomic_write_text

BASE_COLUMNS = [
    "rank", "application_id", "programme", "organisation", "level", "claimed_level",
    "overclaim_gap", "reporting_flags", "level_label", "effect_measure", "effect",
    "effect_ci_low", "effect_ci_high", "effect_source", "n_analysed", "rubric_id",
    "rubric_version", "input_sha256",
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
    """A CSV cell: numbers we computed in their shortest exact form, any text made inert."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else _non_finite(value)
    if isinstance(value, int):
        return str(value)
    return cell_text(str(value))


def _non_finite(value: float) -> str:
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "\u2212inf")


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
    w.writerow([_cell(h) for h in header])
    for row in rows:
        w.writerow([_cell(v) for v in row])
    atomic_write_text(path, buf.getvalue())


def write_scores_xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    when = _build_time()
    wb.properties.created = when
    wb.properties.modified = when
    wb.properties.creator = "evidencekit"
    ws = wb.create_sheet("scores")
    ws.append([_xlsx_cell(ws, h) for h in header])
    for row in rows:
        ws.append([_xlsx_cell(ws, v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write_bytes(path, _reproducible_zip(buf.getvalue(), when))


def _xlsx_cell(ws: Any, value: Any) -> Any:
    """A cell that can never be a formula: our numbers as numbers, any text as a string."""
    from openpyxl.cell import WriteOnlyCell

    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        text = _cell(value)
    elif isinstance(value, float) and not math.isfinite(value):
        text = _non_finite(value)
    else:
        return value
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"  # openpyxl would store a text starting with "=" as a formula
    return cell


def _build_time() -> Any:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else now, to the second, in UTC."""
    from datetime import datetime

    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    try:
        stamp = datetime.fromtimestamp(int(raw), tz=UTC) if raw else datetime.now(tz=UTC)
    except (ValueError, OverflowError, OSError):
        stamp = datetime.now(tz=UTC)
    return stamp.replace(tzinfo=None, microsecond=0)


def _reproducible_zip(data: bytes, when: Any) -> bytes:
    """The same workbook zipped again with fixed timestamps, so equal inputs give equal bytes."""
    import zipfile

    stamp = max(when.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" with now
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*",
                              rb"\g<1>" + when.strftime("%Y-%m-%dT%H:%M:%SZ").encode(), body)
            dst.writestr(fixed, body)
    return out.getvalue()


def write_errors_csv(path: Path, results: Sequence[dict[str, Any]]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(ERROR_COLUMNS)
    for r in sorted((r for r in results if not r.get("ok")), key=lambda r: r["application_id"]):
        for p in r["problems"]:
            w.writerow([_cell(v) for v in (r["application_id"],
                                           p.get("file") or r.get("path", ""), p.get("line"),
                                           p.get("key") or "", p.get("message", ""))])
    atomic_write_text(path, buf.getvalue())
