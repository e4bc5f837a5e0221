"""The portfolio report of a batch: one document for the whole round of applications.

Built from the batch's per-application results (plain dicts, see
:mod:`evidencekit.batch.task`) into one frozen context, then rendered with the same Jinja
environment, stylesheet, fonts and locked-down PDF fetcher as the per-application reports.
It shows the distribution of verified and claimed levels, levels by theme, verified against
claimed level (over-claiming), the effects of every application with causal evidence on one
chart, and the ranked table. Every chart has its numbers in a table beside it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from .. import __version__
from ..render.numbers import ci as ci_text
from ..render.numbers import num
from . import charts
from .context import Chart, ReportOptions, generation_time

#: The document shows the leading applications; every application is in scores.csv/xlsx.
MAX_TABLE_ROWS = 200
MAX_CHART_ROWS = 40


@dataclass(frozen=True, slots=True)
class RankedRow:
    rank: int
    application_id: str
    programme: str
    organisation: str
    theme: str
    level: int
    claimed_level: int
    gap: int
    effect: str
    n: str
    #: The verified level plus the claims reviewers validated (a review round).
    validated_level: int = 0


@dataclass(frozen=True, slots=True)
class CountRow:
    label: str
    counts: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class FailedRow:
    application_id: str
    message: str


@dataclass(frozen=True)
class PortfolioContext:
    title: str
    language: str
    version: str
    generated: str | None
    generated_iso: str | None
    rubric: str
    total: int
    scored: int
    failed: int
    overclaiming: int
    level_numbers: tuple[int, ...]
    levels_chart: Chart
    level_rows: tuple[CountRow, ...]
    theme_chart: Chart
    theme_rows: tuple[CountRow, ...]
    claim_chart: Chart
    claim_rows: tuple[CountRow, ...]
    effects_chart: Chart | None
    ranked: tuple[RankedRow, ...]
    ranked_total: int
    failures: tuple[FailedRow, ...]
    #: A review round: the validated level is shown beside the verified and claimed ones.
    reviewed: bool = False
    #: Applications whose validated level is above the verified one; claims not yet decided.
    validated_up: int = 0
    awaiting: int = 0


def _theme(result: dict[str, Any]) -> str:
    extra = result.get("extra") or {}
    theme = extra.get("theme") or result["row"].get("theme")
    return str(theme) if theme else "(no theme)"


def build_portfolio(results: Sequence[dict[str, Any]], ranked: Sequence[dict[str, Any]], *,
                    options: ReportOptions | None = None) -> PortfolioContext:
    """The portfolio context from the batch's results (``ranked``: successes in rank order)."""
    opts = options or ReportOptions()
    when, _source = generation_time(opts)
    ok = list(ranked)
    top = max([5, *(r["row"]["claimed_level"] for r in ok)])
    levels = tuple(range(top + 1))
    verified = Counter(r["row"]["level"] for r in ok)
    claimed = Counter(r["row"]["claimed_level"] for r in ok)
    reviewed = any(r["row"].get("claims_awaiting_review") is not None for r in ok)
    validated = Counter(r["row"].get("validated_level", r["row"]["level"]) for r in ok)
    level_rows = tuple(CountRow(str(n), (verified[n], claimed[n], validated[n])
                                if reviewed else (verified[n], claimed[n])) for n in levels)
    categories = [str(n) for n in levels]
    series = [("verified level", [verified[n] for n in levels]),
              *([("validated level", [validated[n] for n in levels])] if reviewed else []),
              ("claimed level", [claimed[n] for n in levels])]
    levels_svg = charts.grouped_bars(
        categories, series,
        title="Applications by evidence level",
        desc="For each level, how many applications are verified at it and how many claim it.",
        axis_label="level", ident="portfolio-levels")
    themes = sorted({_theme(r) for r in ok})
    by_theme = Counter((_theme(r), r["row"]["level"]) for r in ok)
    theme_rows = tuple(CountRow(t, tuple(by_theme[(t, n)] for n in levels)) for t in themes)
    theme_svg = charts.count_grid(
        themes or ["(none)"], categories, [list(r.counts) for r in theme_rows] or [[0]],
        title="Verified level by theme",
        desc="Number of applications in each theme at each verified level.",
        row_label="theme", column_label="verified level", ident="portfolio-themes")
    pairs = Counter((r["row"]["claimed_level"], r["row"]["level"]) for r in ok)
    claim_rows = tuple(CountRow(str(c), tuple(pairs[(c, v)] for v in levels))
                       for c in reversed(levels))
    claim_svg = charts.count_grid(
        [r.label for r in claim_rows], categories, [list(r.counts) for r in claim_rows],
        title="Claimed against verified level",
        desc="Applications by claimed level (rows) and verified level (columns); cells on "
             "the outlined diagonal claim what they show, cells to their left over-claim.",
        row_label="claimed level", column_label="verified level", highlight_diagonal=True,
        ident="portfolio-claims")
    effects = _effects_chart(ok[:MAX_CHART_ROWS])
    ranked_rows = tuple(_ranked_row(i, r) for i, r in enumerate(ok[:MAX_TABLE_ROWS], start=1))
    failures = tuple(FailedRow(r["application_id"], r["problems"][0]["message"]
                               if r.get("problems") else "could not be assessed")
                     for r in sorted(results, key=lambda r: r["application_id"])
                     if not r.get("ok"))
    rubric = (f"{ok[0]['row']['rubric_id']} {ok[0]['row']['rubric_version']}" if ok else "—")
    return PortfolioContext(
        title="Portfolio of applications", language="en-GB", version=__version__,
        generated=(when.strftime("%d %B %Y, %H:%M UTC").lstrip("0") if when else None),
        generated_iso=(when.strftime("%Y-%m-%dT%H:%M:%SZ") if when else None),
        rubric=rubric, total=len(results), scored=len(ok), failed=len(failures),
        overclaiming=sum(1 for r in ok if r["row"]["overclaim_gap"] > 0),
        level_numbers=levels,
        levels_chart=Chart(Markup(levels_svg), "Applications by verified and claimed level",
                           "The same counts are in the table beside the chart."),
        level_rows=level_rows,
        theme_chart=Chart(Markup(theme_svg), "Verified level by theme",
                          "Darker cells hold more applications."),
        theme_rows=theme_rows,
        claim_chart=Chart(Markup(claim_svg), "Claimed against verified level",
                          "Cells left of the outlined diagonal over-claim."),
        claim_rows=claim_rows,
        effects_chart=effects, ranked=ranked_rows, ranked_total=len(ok), failures=failures[:200],
        reviewed=reviewed,
        validated_up=sum(1 for r in ok
                         if r["row"].get("validated_level", r["row"]["level"]) > r["row"]["level"]),
        awaiting=sum(int(r["row"].get("claims_awaiting_review") or 0) for r in ok),
    )


def _ranked_row(rank: int, r: dict[str, Any]) -> RankedRow:
    row = r["row"]
    effect = "—"
    if row.get("effect") is not None:
        interval = ((row["effect_ci_low"], row["effect_ci_high"])
                    if row.get("effect_ci_low") is not None else None)
        effect = f"{num(row['effect'])} {ci_text(interval)}".replace(" —", "")
    n = num(row["n_analysed"]) if row.get("n_analysed") is not None else "—"
    return RankedRow(rank, r["application_id"], str(row.get("programme") or ""),
                     str(row.get("organisation") or ""), _theme(r), int(row["level"]),
                     int(row["claimed_level"]), int(row["overclaim_gap"]), effect, n,
                     int(row.get("validated_level", row["level"])))


def _effects_chart(ok: Sequence[dict[str, Any]]) -> Chart | None:
    rows = []
    for r in ok:
        row = r["row"]
        if row["level"] < 3 or row.get("effect") is None:
            continue
        low, high = row.get("effect_ci_low"), row.get("effect_ci_high")
        interval = (low, high) if low is not None and high is not None else None
        rows.append(charts.ForestRow(
            label=str(row.get("programme") or r["application_id"]),
            group=f"{r['application_id']} · level {row['level']}",
            estimate=float(row["effect"]), low=low, high=high,
            text=f"{num(row['effect'])} {ci_text(interval)}".replace(" —", "")))
    if not rows:
        return None
    svg = charts.forest_plot(
        rows, title="Effects of the applications with causal evidence",
        desc="Standardised effect (favourable direction) with its 95% confidence interval for "
             "every application verified at level 3 or above, in rank order.",
        axis_label="standardised effect (g or Cox index), positive = favourable",
        ident="portfolio-effects", label_heading="Application")
    return Chart(Markup(svg), "Effects of the applications with causal evidence",
                 "Pooled across evaluations where an application has several.")


def render_portfolio(context: PortfolioContext, *, pdf: bool) -> tuple[str, bytes | None]:
    """The portfolio as HTML, and as PDF bytes when ``pdf``."""
    from . import html
    from .assets import AssetResolver

    resolver = AssetResolver.for_template_dir(None)
    document = html.render(context, resolver=resolver, medium="html",
                           template_name="portfolio.html.j2")
    data = None
    if pdf:
        from .pdf import html_to_pdf

        printable = html.render(context, resolver=resolver, medium="pdf",
                                template_name="portfolio.html.j2")
        data = html_to_pdf(printable, resolver)
    return document, data
