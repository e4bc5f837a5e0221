"""The portfolio report of a batch: one document for the whole round of applications.

Built from the batch's per-application results (plain dicts, see
:mod:`evidencekit.batch.task`) into one frozen context, then rendered with the same Jinja
environment, stylesheet, fonts and locked-down PDF fetcher as the per-application reports.
Page one is for a funding panel: how many applications, who over-claims (by name), the
ranking rule, and the ranked table with the funder's own columns from the batch manifest
(amount requested, theme), each application's cost per participant beside its levels, and a
visible mark on every effect whose evaluation does not pass the rubric's causal test. The
charts follow: the distribution of verified and claimed levels, levels by theme, verified
against claimed level, and the effects of every application with causal evidence. Every chart
has its numbers in a table beside it and in its alternative text.

Nothing is decided here: ranks and the rule come from :func:`evidencekit.batch.outputs.ranked`,
over-claiming from the row's ``overclaim_gap``, the causal mark from the assessment's
``headline_causal`` (row ``effect_causal``); this module only formats them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from .. import __version__
from ..batch.outputs import RANKING_RULE
from ..render.numbers import ci as ci_text
from ..render.numbers import num
from . import charts
from .provenance import generation_time
from .views import Chart, ReportOptions
from .words import money, n2

#: The document shows the leading applications; every application is in scores.csv/xlsx.
MAX_TABLE_ROWS = 200
#: The effects table shows the applications with causal evidence among this many leading ones.
MAX_CHART_ROWS = 40
#: Over-claimers named on page one (the rest are marked in the ranked table).
MAX_NAMED_OVERCLAIMERS = 12

#: Manifest columns read as the amount an application requests (compared after lower-casing
#: and dropping spaces, hyphens and underscores; 360Giving's ``amountAppliedFor`` included).
AMOUNT_COLUMNS = ("amountrequested", "requestedamount", "amountappliedfor", "amount",
                  "grantrequested", "request")
#: The manifest column giving the amount's currency (ISO 4217 code), if any.
CURRENCY_COLUMNS = ("currency", "amountcurrency")


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
    amount: str = "—"
    cost: str = "—"
    #: Why the effect is not causal evidence ("" when it is, or when there is no effect).
    caution: str = ""
    #: The verified level plus the claims reviewers validated (a review round).
    validated_level: int = 0


@dataclass(frozen=True, slots=True)
class OverclaimRow:
    rank: int
    application_id: str
    programme: str
    level: int
    claimed_level: int


@dataclass(frozen=True, slots=True)
class CountRow:
    label: str
    counts: tuple[int, ...]
    #: Each count's shade in a shaded table (0 for an empty cell, 1–5 darker with more).
    shades: tuple[int, ...] = ()
    #: The column whose cell is on the outlined diagonal (claimed = verified), if any.
    diagonal: int | None = None


#: Shades of a count table, by :func:`shade`: 0 (empty) then 1–5, light to dark. The ink
#: turns white from shade 4 on; every pair has a contrast of at least 4.5:1 (WCAG 1.4.3).
SHADE_STEPS = 5


def shade(count: int, peak: int) -> int:
    """The shade of a count in a table whose largest count is ``peak``: 0 for none, else
    1 to :data:`SHADE_STEPS`, in equal steps of the share of the peak.

    >>> [shade(v, 10) for v in (0, 1, 2, 3, 5, 8, 10)]
    [0, 1, 1, 2, 3, 4, 5]
    """
    if count <= 0:
        return 0
    return max(1, math.ceil(SHADE_STEPS * count / max(peak, 1)))


def _shaded(label: str, counts: Sequence[int], peak: int,
            diagonal: int | None = None) -> CountRow:
    return CountRow(label, tuple(counts), tuple(shade(v, peak) for v in counts), diagonal)


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
    #: Shaded count tables (a table is the chart: its cells are shaded by count).
    theme_rows: tuple[CountRow, ...]
    claim_rows: tuple[CountRow, ...]
    effects: EffectsTable | None
    ranked: tuple[RankedRow, ...]
    ranked_total: int
    failures: tuple[FailedRow, ...]
    ranking_rule: str = ""
    overclaimers: tuple[OverclaimRow, ...] = ()
    #: The manifest's amount column as the funder named it ("" when the round has none).
    amount_heading: str = ""
    #: How many shown effects carry the causal mark.
    cautioned: int = 0
    #: How many over-claimers page one names.
    overclaim_named: int = MAX_NAMED_OVERCLAIMERS
    #: A review round: the validated level is shown beside the verified and claimed ones.
    reviewed: bool = False
    #: Applications whose validated level is above the verified one; claims not yet decided.
    validated_up: int = 0
    awaiting: int = 0
    #: The effects table draws on this many leading applications.
    effects_window: int = MAX_CHART_ROWS


def _theme(result: dict[str, Any]) -> str:
    """The funder's theme from the manifest, else the submission's own."""
    extra = result.get("extra") or {}
    theme = extra.get("theme") or result["row"].get("theme")
    return str(theme) if theme else "(no theme)"


def _squash(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def amount_column(columns: Sequence[str]) -> str | None:
    """The manifest column holding the amount requested, if the round has one.

    >>> amount_column(["theme", "Amount requested"]), amount_column(["amountAppliedFor"])
    ('Amount requested', 'amountAppliedFor')
    >>> amount_column(["theme"]) is None
    True
    """
    by_name = {_squash(c): c for c in columns}
    return next((by_name[a] for a in AMOUNT_COLUMNS if a in by_name), None)


def _amount(result: dict[str, Any], column: str | None) -> str:
    """The amount requested as the manifest gives it: a number is shown with thousands
    separators (and the currency when the manifest names one); other text as written.

    >>> _amount({"extra": {"amount": "25000", "currency": "GBP"}}, "amount")
    '£25,000'
    >>> _amount({"extra": {"amount": "about 5k"}}, "amount"), _amount({"extra": {}}, None)
    ('about 5k', '—')
    """
    extra = result.get("extra") or {}
    raw = str(extra.get(column, "") if column else "").strip()
    if not raw:
        return "—"
    by_name = {_squash(c): c for c in extra}
    currency = next((str(extra[by_name[c]]).strip() for c in CURRENCY_COLUMNS
                     if c in by_name and str(extra[by_name[c]]).strip()), "")
    digits = raw.replace(",", "").replace("£", "").replace("$", "").replace("€", "").strip()
    try:
        value = float(digits)
    except ValueError:
        return raw
    if not math.isfinite(value):
        return raw
    return money(value, currency) if currency else num(value, 0 if abs(value) >= 10 else 2)


def _cost(row: dict[str, Any]) -> str:
    value = row.get("cost_per_participant")
    return "—" if value is None else money(float(value), str(row.get("cost_currency") or ""))


def caution(row: dict[str, Any]) -> str:
    """Words for an effect whose evaluation does not pass the causal test ("" otherwise).

    The decision is the assessment's (``effect_causal``); only the wording is made here.

    >>> caution({"effect": 0.3, "effect_causal": False, "effect_design": "pre_post"})
    'before and after only: not causal'
    >>> caution({"effect": 0.3, "effect_causal": False, "effect_design": "rct"})
    'fails the causal test'
    >>> caution({"effect": 0.3, "effect_causal": True}), caution({"effect": None})
    ('', '')
    """
    if row.get("effect") is None or row.get("effect_causal") is not False:
        return ""
    if row.get("effect_design") == "pre_post":
        return "before and after only: not causal"
    return "fails the causal test"


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
    series = [("verified at this level", [verified[n] for n in levels]),
              *([("validated at this level", [validated[n] for n in levels])]
                if reviewed else []),
              ("claiming this level", [claimed[n] for n in levels])]
    levels_svg = charts.grouped_bars(
        categories, series,
        title="Applications by evidence level",
        desc="For each level, how many applications are verified at it and how many claim it.",
        axis_label="level", ident="portfolio-levels")
    themes = sorted({_theme(r) for r in ok})
    by_theme = Counter((_theme(r), r["row"]["level"]) for r in ok)
    theme_peak = max([1, *by_theme.values()])
    theme_rows = tuple(_shaded(t, [by_theme[(t, n)] for n in levels], theme_peak)
                       for t in themes)
    pairs = Counter((r["row"]["claimed_level"], r["row"]["level"]) for r in ok)
    pair_peak = max([1, *pairs.values()])
    claim_rows = tuple(_shaded(str(c), [pairs[(c, v)] for v in levels], pair_peak,
                               levels.index(c))
                       for c in reversed(levels))
    effects = _effects_table(ok[:MAX_CHART_ROWS])
    column = amount_column(list({c: None for r in ok for c in (r.get("extra") or {})}))
    ranked_rows = tuple(_ranked_row(i, r, column)
                        for i, r in enumerate(ok[:MAX_TABLE_ROWS], start=1))
    overclaimers = tuple(
        OverclaimRow(i, r["application_id"], str(r["row"].get("programme") or ""),
                     int(r["row"]["level"]), int(r["row"]["claimed_level"]))
        for i, r in enumerate(ok, start=1) if r["row"]["overclaim_gap"] > 0)
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
        theme_rows=theme_rows,
        claim_rows=claim_rows,
        effects=effects, ranked=ranked_rows, ranked_total=len(ok), failures=failures[:200],
        reviewed=reviewed,
        validated_up=sum(1 for r in ok if r["row"].get("validated_level", r["row"]["level"])
                         > r["row"]["level"]),
        awaiting=sum(int(r["row"].get("claims_awaiting_review") or 0) for r in ok),
        ranking_rule=RANKING_RULE, overclaimers=overclaimers,
        amount_heading=_heading(column) if column else "",
        cautioned=sum(1 for row in ranked_rows if row.caution),
    )


def _heading(column: str) -> str:
    """The amount column's heading: "Amount requested" for the usual names, otherwise the
    funder's own column name.

    >>> _heading("amount_requested"), _heading("amountAppliedFor"), _heading("request_gbp")
    ('Amount requested', 'Amount requested', 'Request gbp')
    """
    if _squash(column) in ("amountrequested", "requestedamount", "amountappliedfor", "amount"):
        return "Amount requested"
    words = column.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def _ranked_row(rank: int, r: dict[str, Any], amount: str | None = None) -> RankedRow:
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
                     _amount(r, amount), _cost(row), caution(row),
                     int(row.get("validated_level", row["level"])))


@dataclass(frozen=True, slots=True)
class EffectRow:
    """One application in the effects table: its name, rank and level, the effect as printed
    and where its interval and point sit on the table's common scale (percent of the bar)."""

    programme: str
    meta: str
    text: str
    low: float | None  # percent of the bar's width
    high: float | None
    point: float
    clipped_low: bool = False
    clipped_high: bool = False


@dataclass(frozen=True, slots=True)
class EffectsTable:
    """The effects of the leading applications with causal evidence, as a table whose last
    column draws each interval on one scale (HTML and CSS: its numbers are the table's own)."""

    rows: tuple[EffectRow, ...]
    scale: str  # e.g. "−0.20 to 0.80"
    zero: float  # where no effect sits, percent of the bar
    #: The bars' positions as CSS rules (numbers only), for the document's own stylesheet.
    css: Markup


def _pct(v: float, lo: float, hi: float) -> float:
    return round(100.0 * (min(max(v, lo), hi) - lo) / (hi - lo), 1)


def _effects_table(ok: Sequence[dict[str, Any]]) -> EffectsTable | None:
    """The effects of the applications with causal evidence among ``ok`` (in rank order)."""
    picked = []
    for rank, r in enumerate(ok, start=1):
        row = r["row"]
        # Level 3 and above, and not an effect the assessment found not causal (a programme
        # can pass on one evaluation while its headline comes from another that fails).
        if row["level"] < 3 or row.get("effect") is None or caution(row):
            continue
        picked.append((rank, r))
    if not picked:
        return None
    values = [float(v) for _rank, r in picked
              for v in (r["row"]["effect"], r["row"].get("effect_ci_low"),
                        r["row"].get("effect_ci_high")) if v is not None]
    lo, hi = min([0.0, *values]), max([0.0, *values])
    pad = max((hi - lo) * 0.08, 0.05)
    # Keep the scale readable when one interval is enormous (its bar ends in an arrow).
    lo, hi = max(lo - pad, -3.0), min(hi + pad, 3.0)
    rows, css = [], []
    for i, (rank, r) in enumerate(picked):
        row = r["row"]
        low, high = row.get("effect_ci_low"), row.get("effect_ci_high")
        interval = (low, high) if low is not None and high is not None else None
        er = EffectRow(
            programme=str(row.get("programme") or r["application_id"]),
            meta=f"{r['application_id']} · rank {rank} · level {row['level']}",
            text=f"{num(row['effect'])} {ci_text(interval)}".replace(" —", ""),
            low=_pct(low, lo, hi) if interval else None,
            high=_pct(high, lo, hi) if interval else None,
            point=_pct(float(row["effect"]), lo, hi),
            clipped_low=bool(interval and low < lo), clipped_high=bool(interval and high > hi))
        rows.append(er)
        if er.low is not None and er.high is not None:
            css.append(f"table.effects tr.e{i} .ci {{ left: {er.low}%; "
                       f"width: {round(er.high - er.low, 1)}%; }}")
        css.append(f"table.effects tr.e{i} .pt {{ left: {er.point}%; }}")
    zero = _pct(0.0, lo, hi)
    css.append(f"table.effects .zero {{ left: {zero}%; }}")
    scale = f"{n2(lo)} to {n2(hi)}"
    return EffectsTable(tuple(rows), scale, zero, Markup("\n".join(css)))


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
