"""The batch's tables: ``scores.csv``, ``scores.xlsx`` and ``errors.csv`` (atomic writes).

The same inputs give byte-identical ``scores.csv`` whatever the worker count or completion
order: rows are ranked with a total order (level, then the lower confidence bound of the
effect, then the application id) and numbers are written with ``repr`` (shortest exact form).
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC
from pathlib import Path
from typing import Any

from ..inert import cell_text, visible
from ..vocabulary import CRITERION_STATUS, LEVEL_STATUS
from .store import atomic_open

BASE_COLUMNS = [
    "rank", "application_id", "programme", "organisation", "level", "validated_level",
    "claimed_level", "overclaim_gap", "claims_awaiting_review", "reporting_flags",
    "level_label", "effect_measure", "effect",
    "effect_ci_low", "effect_ci_high", "effect_source", "effect_causal", "n_analysed",
    "cost_per_participant", "cost_currency", "rubric_id", "rubric_version", "input_sha256",
]
ERROR_COLUMNS = ["application_id", "file", "line", "key", "message"]


#: :func:`ranked`'s rule in words, as the portfolio states it.
RANKING_RULE = ("Ranked by verified level (highest first); within a level, applications whose "
                "headline effect comes from an evaluation that passes the causal test come "
                "before those whose effect does not (marked ✗); then by the lower end of the "
                "headline effect's 95% confidence interval (highest first, applications "
                "without one last); then by application id. The effect never changes a level.")


def ranked(results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Successful results in rank order (best evidence first)."""
    # The rule is RANKING_RULE (rank_key); change both together.
    return sorted((r for r in results if r.get("ok")), key=rank_key)


def level_columns(results: Sequence[dict[str, Any]]) -> list[int]:
    """The levels of the run's rubric(s), each with a ``level:N`` status column."""
    levels: set[int] = set()
    for r in results:
        if r.get("ok"):
            levels.update(int(n) for n, _status in r["row"].get("levels", ()))
    return sorted(levels)


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


def rank_key(r: dict[str, Any]) -> tuple[Any, ...]:
    """Where a successful result goes in the ranking (see :data:`RANKING_RULE`)."""
    row = r["row"]
    low = row.get("effect_ci_low")
    # An effect the assessment found not causal (effect_causal False) is not ordered among
    # causal ones by its size: a before-and-after change would outrank a trial.
    not_causal = row.get("effect") is not None and row.get("effect_causal") is False
    return (-row["level"], not_causal, -(low if low is not None else -math.inf),
            r["application_id"])


def score_rows(results: Sequence[dict[str, Any]], manifest_columns: Sequence[str]
               ) -> tuple[list[str], list[list[Any]]]:
    gates = gate_columns(results)
    levels = level_columns(results)
    extras = extra_columns(results, manifest_columns)
    header = score_header(gates, levels, extras)
    rows = [score_row(rank, r, gates, levels, extras)
            for rank, r in enumerate(ranked(results), start=1)]
    return header, rows


def score_header(gates: Sequence[str], levels: Sequence[int], extras: Sequence[str]
                 ) -> list[str]:
    """The columns of scores.csv: the base ones, each level's and gate's, the manifest's."""
    return (BASE_COLUMNS + [f"level:{n}" for n in levels] + [f"gate:{g}" for g in gates]
            + list(extras))


def score_row(rank: int, r: dict[str, Any], gates: Sequence[str], levels: Sequence[int],
              extras: Sequence[str]) -> list[Any]:
    """One successful result as a row of :func:`score_header`'s columns."""
    row = r["row"]
    values: dict[str, Any] = {**row, "rank": rank, "application_id": r["application_id"],
                              "input_sha256": r["input_sha256"]}
    statuses = dict(row["gates"])
    level_status = {int(n): st for n, st in row.get("levels", ())}
    return ([values.get(c) for c in BASE_COLUMNS]
            + [level_status.get(n, "") for n in levels]
            + [statuses.get(g, "") for g in gates]
            + [r.get("extra", {}).get(c, "") for c in extras])


def write_scores_csv(path: Path, header: list[str], rows: Iterable[list[Any]]) -> None:
    """scores.csv, written row by row as ``rows`` gives them (nothing held in memory)."""
    with atomic_open(path, "w", encoding="utf-8", newline="") as f:
        put = _csv_rows(f)
        put(header)
        for row in rows:
            put(row)


def _csv_rows(f: Any) -> Callable[[Sequence[Any]], Any]:
    """scores.csv's row writer on the text file ``f``: each cell as :func:`_cell` gives it."""
    w = csv.writer(f, lineterminator="\n")
    put = w.writerow

    # A cell the csv module writes as _cell would (an int, a finite float: their str, which
    # for a float is its repr; None: empty) is handed to it as it is, a str goes straight to
    # cell_text, anything else the long way: the same bytes, without a call per number.
    def row_writer(row: Sequence[Any]) -> Any:
        return put([cell_text(v) if (cls := v.__class__) is str
                    else v if cls is int or v is None or (cls is float and v - v == 0.0)
                    else _cell(v) for v in row])

    return row_writer


class _Feeding(Exception):
    """An error of the rows, or of writing them to scores.csv, raised while the spreadsheet
    writer reads them (:func:`write_scores_tables`): carried past that writer, so it is not
    taken for the spreadsheet's own, and raised again where scores.csv is written."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


def write_scores_tables(csv_path: Path, xlsx_path: Path, header: list[str],
                        rows: Iterable[list[Any]], gate_titles: dict[str, str] | None = None,
                        rubric_counts: dict[str, int] | None = None) -> None:
    """scores.csv and scores.xlsx from one pass over ``rows``: each row is written to
    scores.csv as the spreadsheet writer takes it, so a row read back from the journal is
    read and built once, not once per file. Each file has exactly the bytes
    :func:`write_scores_csv` and :func:`write_scores_xlsx` give it.

    If the spreadsheet cannot be written, scores.csv is still completed (the rest of the
    rows go straight to it) and the spreadsheet's error is raised; if the rows or scores.csv
    fail, neither file is replaced and that error is raised as scores.csv's."""
    source = iter(rows)
    failed: Exception | None = None
    with atomic_open(csv_path, "w", encoding="utf-8", newline="") as f:
        put = _csv_rows(f)
        put(header)

        def through() -> Iterator[list[Any]]:
            while True:
                try:
                    row = next(source, None)
                    if row is None:
                        return
                    put(row)
                except Exception as exc:
                    raise _Feeding(exc) from exc
                yield row

        upstream: BaseException | None = None
        try:
            write_scores_xlsx(xlsx_path, header, through(), gate_titles, rubric_counts)
        except _Feeding as feeding:
            upstream = feeding.error
        except Exception as exc:  # the spreadsheet's own: scores.csv still gets every row
            failed = exc
        if upstream is not None:  # raised here, as it was: scores.csv is not replaced
            raise upstream
        for row in source:  # what the spreadsheet did not take
            put(row)
    if failed is not None:
        raise failed


#: scores.xlsx: each column's heading, what it means, its number format and its width.
COLUMNS: dict[str, tuple[str, str, str | None, int]] = {
    "rank": ("Rank", "Position in the round. " + RANKING_RULE, "0", 7),
    "application_id": ("Application", "The application's id: its file or folder name, or the "
                       "manifest's application_id.", None, 22),
    "programme": ("Programme", "The programme's name, as the applicant wrote it.", None, 32),
    "organisation": ("Organisation", "Who runs the programme, as the applicant wrote it.", None,
                     24),
    "level": ("Verified level", "The evidence level evidencekit verified from the evidence.",
              "0", 9),
    "validated_level": ("Validated level", "The verified level plus the claims the round's "
                        "reviewers validated (equal to the verified level when nothing was "
                        "validated).", "0", 9),
    "claimed_level": ("Claimed level", "The level the applicant claims.", "0", 9),
    "claims_awaiting_review": ("Claims awaiting review", "Claimed criteria the reviewers "
                               "have not yet decided (none judged, too few reviewers, a "
                               "disagreement awaiting the moderator, or only judgements on an "
                               "earlier version); empty when the round has no review.", "0",
                               10),
    "overclaim_gap": ("Over-claim (levels)", "Claimed minus verified level; above 0 means the "
                      "application claims more than its evidence shows.", "0", 10),
    "reporting_flags": ("Reporting flags", "Reporting problems the assessment found in the "
                        "submission, if any.", None, 24),
    "level_label": ("What the level means", "The rubric's wording of the verified level.", None,
                    30),
    "effect_measure": ("Effect measure", "The effect size reported, in the favourable "
                       "direction (positive means the programme helped).", None, 30),
    "effect": ("Effect", "The headline effect size (shown to 2 decimals; the cell keeps full "
               "precision).", "0.00", 9),
    "effect_ci_low": ("95% CI from", "Lower end of the effect's 95% confidence interval.",
                      "0.00", 9),
    "effect_ci_high": ("95% CI to", "Upper end of the effect's 95% confidence interval.",
                       "0.00", 9),
    "effect_source": ("Effect from", "The evaluation and outcome (or the pooled evaluations) "
                      "the effect comes from.", None, 30),
    "effect_causal": ("Effect passes the causal test", "Whether the evaluation the effect "
                      "comes from passes the rubric's causal test: Yes; No (the effect is not "
                      "evidence that the programme caused the change; the portfolio marks it "
                      "✗); empty when the rubric has no causal test or there is no effect.",
                      None, 12),
    "n_analysed": ("People analysed", "How many people the effect is based on.", "#,##0", 10),
    "cost_per_participant": ("Cost per participant", "The programme's cost per participant, "
                             "as the applicant gave it (empty when not given).", "#,##0.00",
                             12),
    "cost_currency": ("Currency", "The currency of the cost per participant (ISO 4217).",
                      None, 9),
    "rubric_id": ("Rubric", "The standard of evidence applied.", None, 12),
    "rubric_version": ("Rubric version", "The version of that rubric.", None, 10),
    "claims_disputed": ("Claims disputed", "Claims on which the round's reviewers disagree "
                        "(awaiting the moderator).", "0", 10),
    "reviewers": ("Reviewers", "The reviewers assigned to the application in the round.",
                  None, 24),
    "error": ("Cannot be assessed", "Why the application cannot be assessed, if it cannot.",
              None, 30),
    "input_sha256": ("Submission SHA-256", "SHA-256 of the submission file, as in the "
                     "report's provenance table (sha256sum gives the same).", None, 20),
}
#: Criterion and level statuses in the registry's words (evidencekit.vocabulary).
STATUS_WORDS = {k: s.label for k, s in CRITERION_STATUS.items()}
LEVEL_STATUS_WORDS = {k: s.label for k, s in LEVEL_STATUS.items()}


def _measure_words(text: str) -> str:
    """``did_hedges_g (favourable direction)`` → ``Difference-in-differences g (...)``."""
    from ..registry import MEASURES

    key, sep, rest = text.partition(" ")
    return MEASURES[key].label + sep + rest if key in MEASURES else text


def write_scores_xlsx(path: Path, header: list[str], rows: Iterable[list[Any]],
                      gate_titles: dict[str, str] | None = None,
                      rubric_counts: dict[str, int] | None = None) -> None:
    """scores.xlsx as a working spreadsheet: frozen header, filters, widths, number formats
    (full precision kept), human headings and words, a "Columns" sheet explaining each
    column, and one sheet per rubric when a round used several. ``rubric_counts`` (rows per
    rubric id), when given and naming one rubric, lets the rows stream straight from
    ``rows`` (a round scored with one rubric never holds its rows in memory).

    Written row by row by :mod:`.xlsx` (nothing held in memory, no temporary files): every
    text cell is a string (a text starting with ``=`` stays text, and is made inert too),
    our numbers are numbers, and the workbook's dates are fixed, so equal inputs give equal
    bytes."""
    from .xlsx import Sheet, write_workbook

    titles = gate_titles or {}

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
    widths = [COLUMNS[c][3] if c in COLUMNS else (14 if c.startswith("gate:") else 16)
              for c in header]
    formats = [COLUMNS[c][2] if c in COLUMNS else None for c in header]
    words = [STATUS_WORDS if c.startswith("gate:") else LEVEL_STATUS_WORDS
             if c.startswith("level:") else None for c in header]
    measure_at = header.index("effect_measure") if "effect_measure" in header else -1
    causal_at = header.index("effect_causal") if "effect_causal" in header else -1
    top = [_cell(heading(code)) for code in header]

    def slow(i: int, v: Any) -> Any:
        if i == causal_at and isinstance(v, bool):
            v = "Yes" if v else "No"
        if isinstance(v, str):
            if words[i] is not None:
                v = words[i].get(v, v)  # type: ignore[union-attr]
            elif i == measure_at:
                v = _measure_words(v)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return _cell(v)
        if isinstance(v, float) and not math.isfinite(v):
            return _non_finite(v)
        return v

    def cells(group: Iterable[list[Any]]) -> Iterator[list[Any]]:
        yield top
        for row in group:
            out: list[Any] = list(row)
            for i, v in enumerate(row):
                if v is None:
                    continue
                cls = v.__class__
                if cls is str:
                    table = words[i]
                    if table is not None:
                        v = table.get(v, v)
                    elif i == measure_at:
                        v = _measure_words(v)
                    out[i] = cell_text(v)
                elif cls is bool:
                    out[i] = ("Yes" if v else "No") if i == causal_at else str(v).lower()
                elif cls is float:
                    if not math.isfinite(v):
                        out[i] = _non_finite(v)
                elif cls is not int:  # another type (a subclass, a date...): the long way
                    out[i] = slow(i, v)
            yield out

    sheets = []
    for rid, (count, group) in groups.items():
        name = "Scores" if len(groups) == 1 else f"Scores {visible(rid)}"[:31]
        for bad in "[]:*?/\\":
            name = name.replace(bad, "_")
        sheets.append(Sheet(name, widths, formats, cells(group), count, freeze_columns=2,
                            autofilter=True, bold_header=True))
    info = [[_cell(t) for t in ("Column", "In scores.csv", "What it means")]]
    for code in header:
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
        info.append([_cell(t) for t in (heading(code), code, meaning)])
    sheets.append(Sheet("Columns", [26, 20, 90], [None] * 3, info, len(header)))
    with atomic_open(path, "wb") as handle:
        write_workbook(handle, sheets, created=_build_time(), author="evidencekit")


def gate_titles(results: Sequence[dict[str, Any]]) -> dict[str, str]:
    titles: dict[str, str] = {}
    for r in results:
        if r.get("ok"):
            for gid, title in r["row"].get("gate_titles", ()):
                titles.setdefault(gid, title)
    return titles


def _build_time() -> Any:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else now, to the second, in UTC."""
    from datetime import datetime

    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    try:
        stamp = datetime.fromtimestamp(int(raw), tz=UTC) if raw else datetime.now(tz=UTC)
    except (ValueError, OverflowError, OSError):
        stamp = datetime.now(tz=UTC)
    return stamp.replace(tzinfo=None, microsecond=0)


def write_errors_csv(path: Path, results: Iterable[dict[str, Any]], *,
                     in_order: bool = False) -> None:
    """errors.csv: every problem of every result not scored, by application id
    (``in_order``: ``results`` already come in that order and stream through)."""
    failed = (r for r in results if not r.get("ok"))
    with atomic_open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(ERROR_COLUMNS)
        for r in (failed if in_order else sorted(failed, key=lambda r: r["application_id"])):
            for p in r["problems"]:
                w.writerow([_cell(v) for v in (r["application_id"],
                                               p.get("file") or r.get("path", ""),
                                               p.get("line"), p.get("key") or "",
                                               p.get("message", ""))])
