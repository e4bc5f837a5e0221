"""Vector charts for reports, as hand-built SVG: fast, dependency-free and byte-for-byte stable.

Every chart carries ``<title>`` (its alternative text, which WeasyPrint copies into the PDF's
``/Alt`` for the tagged figure) and ``<desc>``; the report puts the same numbers in a table
beside it. The alternative text states the data, not only what the chart is: each chart
function appends the numbers it draws to the title it is given (:func:`alt_text`), so a reader
who cannot see the chart hears what a reader who can would see. Geometry comes from the
unrounded floats; every number *printed* inside a chart is a display string made by the report
context, so the chart and its table cannot disagree.
Text that came from a submission is escaped here, and only here, with :func:`_esc`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from ..vocabulary import CRITERION_STATUS

FONT = "'EvidenceKit Sans', 'DejaVu Sans', Verdana, sans-serif"
INK = "#1a1a1a"
MUTED = "#555555"
ACCENT = "#0b4f6c"
VERIFIED = "#1b6e3a"
CLAIMED_FILL = "#fbe7c2"
VALIDATED_FILL = "#9fd1ae"  # a review round's validated level (lighter than verified)
CLAIMED_EDGE = "#8a5a00"
EMPTY_FILL = "#f1f1f1"
EMPTY_EDGE = "#8c8c8c"


def _esc(text: str) -> str:
    """Escape text for SVG element content and double-quoted attributes."""
    return escape(text, {'"': "&quot;"})


def _f(x: float) -> str:
    """A coordinate with one decimal, no '-0.0' (stable bytes)."""
    text = f"{x:.1f}"
    return "0.0" if text == "-0.0" else text


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


#: Alternative text lists at most this many rows of a chart, then says how many more there are.
ALT_ROWS = 20


def alt_text(title: str, items: Sequence[str], *, more: str = "the table beside the chart",
             closing: str = "") -> str:
    """A chart's alternative text: its title, then the data it shows, item by item.

    >>> alt_text("Applications by level.", ["level 0: 1", "level 1: 2"])
    'Applications by level. Data: level 0: 1; level 1: 2.'
    >>> alt_text("T", [f"row {i}" for i in range(22)]).endswith("; and 2 more in the table "
    ...                                                        "beside the chart.")
    True
    >>> alt_text("Counts", [], closing="every cell 0")
    'Counts. Data: every cell 0.'

    """
    head = title.rstrip()
    shown = list(items[:ALT_ROWS])
    rest = len(items) - len(shown)
    parts = shown + ([f"and {rest} more in {more}"] if rest > 0 else []) + (
        [closing] if closing else [])
    if not parts:
        return head
    sep = " " if head.endswith((".", ":")) else ". "
    return f"{head}{sep}Data: " + "; ".join(parts) + "."


def wrap(text: str, limit: int, lines: int) -> list[str]:
    """Text broken at spaces into at most ``lines`` lines of about ``limit`` characters; only
    the last line is shortened with "…", and only when the whole text does not fit.

    >>> wrap("Randomised trial of peer support, Cambridgeshire (2011-2013)", 34, 3)
    ['Randomised trial of peer support,', 'Cambridgeshire (2011-2013)']
    >>> wrap("a" * 50, 20, 2)
    ['aaaaaaaaaaaaaaaaaaaa', 'aaaaaaaaaaaaaaaaaaa…']
    """
    out: list[str] = []
    rest = text.split()
    while rest and len(out) < lines:
        line = rest.pop(0)
        if len(line) > limit:  # one long word: cut it, the remainder goes on the next line
            rest.insert(0, line[limit:])
            line = line[:limit]
        while rest and len(line) + 1 + len(rest[0]) <= limit:
            line += " " + rest.pop(0)
        out.append(line)
    if rest:
        out[-1] = _clip(out[-1] + " " + " ".join(rest), limit)
    return out


def _open(width: float, height: float, ident: str, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{ident}" '
        f'viewBox="0 0 {_f(width)} {_f(height)}" width="{_f(width)}" height="{_f(height)}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'font-family="{FONT}" font-size="11">',
        f'<title id="{ident}-title">{_esc(title)}</title>',
        f'<desc id="{ident}-desc">{_esc(desc)}</desc>',
    ]


@dataclass(frozen=True, slots=True)
class Step:
    """One level of the ladder: its number, short title, status and the framework's own name
    for it ("3+", "SMS 4"; empty to show the number)."""

    level: int
    title: str
    status: str  # "verified" | "claimed" | "not_met"
    label: str = ""


def level_ladder(steps: Sequence[Step], *, title: str, desc: str,
                 ident: str = "ladder") -> str:
    """A staircase of the rubric's levels: filled when verified, tinted when only claimed.

    Status is shown by fill, by edge style, by a mark on the step and by a word under it,
    never by colour alone. Level titles are in the table beside the chart.
    """
    n = max(len(steps), 1)
    width, height, base_y, top_pad = 640.0, 78.0, 60.0, 4.0
    gap = 8.0
    step_w = (width - gap * (n - 1)) / n
    unit = (base_y - top_pad) / n
    words = {k: s.label.lower() for k, s in CRITERION_STATUS.items()}  # the registry's
    alt = alt_text(title, [f"{s.label or f'level {s.level}'}: {words.get(s.status, s.status)}"
                           for s in steps])
    out = _open(width, height, ident, alt, desc)
    for i, s in enumerate(steps):
        x = i * (step_w + gap)
        h = unit * (i + 1)
        y = base_y - h
        if s.status == "verified":
            fill, edge, dash, label_fill = VERIFIED, VERIFIED, "", "#ffffff"
        elif s.status == "validated":  # a reviewer accepted the claim: filled, dashed edge
            fill, edge, label_fill = VERIFIED, CLAIMED_EDGE, "#ffffff"
            dash = ' stroke-dasharray="5 3"'
        elif s.status == "claimed":
            fill, edge, label_fill = CLAIMED_FILL, CLAIMED_EDGE, INK
            dash = ' stroke-dasharray="5 3"'
        else:
            fill, edge, dash, label_fill = EMPTY_FILL, EMPTY_EDGE, "", INK
        out.append(f'<rect x="{_f(x + 0.75)}" y="{_f(y)}" width="{_f(step_w - 1.5)}" '
                   f'height="{_f(h)}" rx="2" fill="{fill}" stroke="{edge}" '
                   f'stroke-width="1.5"{dash}/>')
        mark = {"verified": "✓ ", "validated": "✓ ", "claimed": "? "}.get(s.status, "")
        out.append(f'<text x="{_f(x + step_w / 2)}" y="{_f(base_y - 3)}" text-anchor="middle" '
                   f'font-size="10" font-weight="bold" fill="{label_fill}">'
                   f'{_esc(mark)}{_esc(s.label or str(s.level))}</text>')
        name = _esc(s.label) if s.label else f"Level {s.level}"
        out.append(f'<text x="{_f(x + step_w / 2)}" y="{_f(base_y + 13)}" '
                   f'text-anchor="middle" font-size="10" fill="{INK}">'
                   f'{name}: {_esc(words.get(s.status, s.status))}</text>')
    out.append(f'<line x1="0" y1="{_f(base_y)}" x2="{_f(width)}" y2="{_f(base_y)}" '
               f'stroke="{INK}" stroke-width="1"/>')
    out.append("</svg>")
    return "\n".join(out)


@dataclass(frozen=True, slots=True)
class ForestRow:
    """One line of a forest plot, oriented so that positive is favourable."""

    label: str
    group: str
    estimate: float
    low: float | None
    high: float | None
    text: str  # the estimate and CI as printed, e.g. "0.41 [0.14, 0.69]"
    primary: bool = True
    pooled: bool = False


def _ticks(lo: float, hi: float) -> list[float]:
    span = hi - lo
    raw = span / 5
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step) * step
    ticks = []
    t = first
    while t <= hi + 1e-9:
        ticks.append(round(t, 10))
        t += step
    return ticks


def _tick_text(t: float) -> str:
    text = f"{t:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "0") else text.replace("-", "−")


#: A forest plot's width in SVG units (it is scaled to the text width when printed).
FOREST_WIDTH = 660.0


def _forest_label(r: ForestRow) -> tuple[list[str], list[str]]:
    # Names are wrapped, never cut short, so that rows of one study stay told apart: the
    # outcome in up to 3 lines of 11 px type, the evaluation in up to 3 lines of 9 px.
    return wrap(r.label, 36, 3), (wrap(r.group, 44, 3) if r.group else [])


def _forest_row_height(name_lines: Sequence[str], group_lines: Sequence[str]) -> float:
    return max(28.0, 13.0 * len(name_lines) + 11.0 * len(group_lines) + 6.0)


def forest_height(rows: Sequence[ForestRow]) -> float:
    """The height of :func:`forest_plot`'s SVG for these rows (in SVG units, as its width
    :data:`FOREST_WIDTH`), so that a caller can keep a chart to what fits on a page.

    >>> one = ForestRow("Outcome", "Trial", 0.4, 0.1, 0.7, "0.40 [0.10, 0.70]")
    >>> forest_height([one]), forest_height([one, one])
    (108.0, 138.0)
    """
    body = sum(_forest_row_height(*_forest_label(r)) for r in rows)
    return 22.0 + body + sum(28.0 for r in rows if r.pooled) + 56.0


def forest_plot(rows: Sequence[ForestRow], *, title: str, desc: str, axis_label: str,
                ident: str = "forest", label_heading: str = "Outcome") -> str:
    """Effects with their CIs on one axis; the pooled estimate is a diamond at the bottom.

    Effects are drawn so that right of zero is favourable for every outcome. Whiskers beyond
    the axis end in an arrow; rows without a CI show the point alone.
    """
    width = FOREST_WIDTH
    label_w, text_w = 236.0, 156.0
    plot_x0, plot_x1 = label_w + 10, width - text_w - 8
    labels = [_forest_label(r) for r in rows]
    heights = [_forest_row_height(a, b) for a, b in labels]
    top = 22.0
    rules = sum(28.0 for r in rows if r.pooled)  # space for the rule above the pooled row
    height = forest_height(rows)
    values = [v for r in rows for v in (r.estimate, r.low, r.high) if v is not None]
    lo = min([0.0, *values])
    hi = max([0.0, *values])
    pad = max((hi - lo) * 0.08, 0.05)
    lo, hi = lo - pad, hi + pad
    # Keep the axis readable when one CI is enormous.
    lo, hi = max(lo, -3.0), min(hi, 3.0)

    def x_of(v: float) -> float:
        v = min(max(v, lo), hi)
        return plot_x0 + (v - lo) / (hi - lo) * (plot_x1 - plot_x0)

    alt = alt_text(title, [f"{r.label}" + (f" ({r.group})" if r.group else "") + f": {r.text}"
                           for r in rows])
    out = _open(width, height, ident, alt, desc)
    out.append(f'<text x="0" y="13" font-weight="bold" fill="{INK}">{_esc(label_heading)}</text>')
    out.append(f'<text x="{_f(width)}" y="13" text-anchor="end" font-weight="bold" '
               f'fill="{INK}">Effect [95% CI]</text>')
    axis_y = top + sum(heights) + rules + 4
    for t in _ticks(lo, hi):
        x = x_of(t)
        out.append(f'<line x1="{_f(x)}" y1="{_f(top - 4)}" x2="{_f(x)}" y2="{_f(axis_y)}" '
                   f'stroke="#e3e3e3" stroke-width="0.8"/>')
        out.append(f'<text x="{_f(x)}" y="{_f(axis_y + 13)}" text-anchor="middle" '
                   f'font-size="9.5" fill="{MUTED}">{_tick_text(t)}</text>')
    zero = x_of(0.0)
    out.append(f'<line x1="{_f(zero)}" y1="{_f(top - 6)}" x2="{_f(zero)}" y2="{_f(axis_y)}" '
               f'stroke="{INK}" stroke-width="1"/>')
    out.append(f'<line x1="{_f(plot_x0)}" y1="{_f(axis_y)}" x2="{_f(plot_x1)}" '
               f'y2="{_f(axis_y)}" stroke="{INK}" stroke-width="1"/>')
    out.append(f'<text x="{_f(zero - 6)}" y="{_f(axis_y + 28)}" text-anchor="end" '
               f'font-size="9.5" fill="{MUTED}">← favours comparison</text>')
    out.append(f'<text x="{_f(zero + 6)}" y="{_f(axis_y + 28)}" font-size="9.5" '
               f'fill="{MUTED}">favours programme →</text>')
    out.append(f'<text x="{_f((plot_x0 + plot_x1) / 2)}" y="{_f(axis_y + 41)}" '
               f'text-anchor="middle" font-size="9.5" fill="{MUTED}">{_esc(axis_label)}</text>')
    y = top
    for r, row_h, (name_lines, group_lines) in zip(rows, heights, labels, strict=True):
        if r.pooled:
            out.append(f'<line x1="0" y1="{_f(y + 4)}" x2="{_f(width)}" y2="{_f(y + 4)}" '
                       f'stroke="{EMPTY_EDGE}" stroke-width="0.8"/>')
            y += 28.0
        cy = y + row_h / 2
        weight = ' font-weight="bold"' if r.pooled else ""
        ty = cy - (13.0 * len(name_lines) + 11.0 * len(group_lines)) / 2 + 10.0
        for line in name_lines:
            out.append(f'<text x="0" y="{_f(ty)}"{weight} fill="{INK}">{_esc(line)}</text>')
            ty += 13.0
        for line in group_lines:
            out.append(f'<text x="0" y="{_f(ty - 1)}" font-size="9" fill="{MUTED}">'
                       f'{_esc(line)}</text>')
            ty += 11.0
        out.append(f'<text x="{_f(width)}" y="{_f(cy + 4)}" text-anchor="end"{weight} '
                   f'fill="{INK}">{_esc(r.text)}</text>')
        if r.low is not None and r.high is not None:
            x_lo, x_hi = x_of(r.low), x_of(r.high)
            if r.pooled:
                out.append(f'<polygon points="{_f(x_lo)},{_f(cy)} {_f(x_of(r.estimate))},'
                           f'{_f(cy - 6)} {_f(x_hi)},{_f(cy)} {_f(x_of(r.estimate))},'
                           f'{_f(cy + 6)}" fill="{ACCENT}" stroke="{ACCENT}"/>')
                y += row_h
                continue
            out.append(f'<line x1="{_f(x_lo)}" y1="{_f(cy)}" x2="{_f(x_hi)}" y2="{_f(cy)}" '
                       f'stroke="{ACCENT}" stroke-width="1.6"/>')
            for end, clipped, sign in ((x_lo, r.low < lo, -1), (x_hi, r.high > hi, 1)):
                if clipped:
                    out.append(f'<polygon points="{_f(end + sign * 5)},{_f(cy)} {_f(end)},'
                               f'{_f(cy - 3.5)} {_f(end)},{_f(cy + 3.5)}" fill="{ACCENT}"/>')
                else:
                    out.append(f'<line x1="{_f(end)}" y1="{_f(cy - 4)}" x2="{_f(end)}" '
                               f'y2="{_f(cy + 4)}" stroke="{ACCENT}" stroke-width="1.6"/>')
        fill = ACCENT if r.primary else "#ffffff"
        out.append(f'<rect x="{_f(x_of(r.estimate) - 4.5)}" y="{_f(cy - 4.5)}" width="9" '
                   f'height="9" fill="{fill}" stroke="{ACCENT}" stroke-width="1.6"/>')
        y += row_h
    out.append("</svg>")
    return "\n".join(out)


def grouped_bars(categories: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], *,
                 title: str, desc: str, axis_label: str, ident: str = "bars") -> str:
    """Counts per category as side-by-side bars, one colour and one pattern per series.

    Each bar carries its count as a number, so the chart reads without colour; the same
    counts are in a table beside it.
    """
    width, height = 640.0, 220.0
    left, right, top, bottom = 36.0, 12.0, 28.0, 44.0
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([1, *(v for _, values in series for v in values)])
    n_cat, n_ser = max(len(categories), 1), max(len(series), 1)
    slot = plot_w / n_cat
    bar_w = min(28.0, (slot - 10) / n_ser)
    fills = [(VERIFIED, ""), (CLAIMED_FILL, ' stroke-dasharray="4 2"')]
    edges = [VERIFIED, CLAIMED_EDGE]
    if n_ser == 3:  # verified, validated (a review round: a lighter green, dotted), claimed
        fills.insert(1, (VALIDATED_FILL, ' stroke-dasharray="1.5 1.5"'))
        edges.insert(1, VERIFIED)
    alt = alt_text(title, [
        f"{axis_label} {label}: " + ", ".join(
            f"{values[c] if c < len(values) else 0} {name}" for name, values in series)
        for c, label in enumerate(categories)])
    out = _open(width, height, ident, alt, desc)
    base = top + plot_h
    out.append(f'<line x1="{_f(left)}" y1="{_f(base)}" x2="{_f(width - right)}" '
               f'y2="{_f(base)}" stroke="{INK}" stroke-width="1"/>')
    for s, (name, _values) in enumerate(series):
        fill, dash = fills[s % len(fills)]
        x = left + s * 150
        out.append(f'<rect x="{_f(x)}" y="6" width="12" height="10" fill="{fill}" '
                   f'stroke="{edges[s % len(edges)]}"{dash}/>')
        out.append(f'<text x="{_f(x + 16)}" y="15" fill="{INK}">{_esc(name)}</text>')
    for c, label in enumerate(categories):
        cx = left + slot * c + slot / 2
        group_w = bar_w * n_ser
        for s, (_name, values) in enumerate(series):
            v = values[c] if c < len(values) else 0
            h = plot_h * v / peak
            x = cx - group_w / 2 + s * bar_w
            fill, dash = fills[s % len(fills)]
            edge = edges[s % len(edges)]
            out.append(f'<rect x="{_f(x + 1)}" y="{_f(base - h)}" width="{_f(bar_w - 2)}" '
                       f'height="{_f(h)}" fill="{fill}" stroke="{edge}"{dash}/>')
            out.append(f'<text x="{_f(x + bar_w / 2)}" y="{_f(base - h - 3)}" '
                       f'text-anchor="middle" font-size="9.5" fill="{INK}">{v}</text>')
        out.append(f'<text x="{_f(cx)}" y="{_f(base + 14)}" text-anchor="middle" '
                   f'fill="{INK}">{_esc(label)}</text>')
    out.append(f'<text x="{_f(left + plot_w / 2)}" y="{_f(height - 8)}" text-anchor="middle" '
               f'font-size="9.5" fill="{MUTED}">{_esc(axis_label)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def count_grid(rows: Sequence[str], columns: Sequence[str], counts: Sequence[Sequence[int]],
               *, title: str, desc: str, row_label: str, column_label: str,
               highlight_diagonal: bool = False, ident: str = "grid") -> str:
    """A table of counts drawn as shaded cells (darker = more), each with its number.

    With ``highlight_diagonal`` the cells where row and column agree are outlined (used for
    verified against claimed level: off the diagonal is over- or under-claiming).
    """
    label_w, cell_w, cell_h, top = 170.0, 56.0, 24.0, 40.0
    width = label_w + cell_w * max(len(columns), 1) + 8
    height = top + cell_h * max(len(rows), 1) + 26
    peak = max([1, *(v for row in counts for v in row)])
    items = []
    for i, row in enumerate(rows):
        cells = [f"{v} at {column_label} {columns[j]}" for j, v in
                 enumerate(counts[i] if i < len(counts) else ()) if v and j < len(columns)]
        if cells:
            items.append(f"{row_label} {row}: " + ", ".join(cells))
    alt = alt_text(title, items, closing="every other cell 0" if items else "every cell 0")
    out = _open(width, height, ident, alt, desc)
    out.append(f'<text x="{_f(label_w + cell_w * len(columns) / 2)}" y="12" '
               f'text-anchor="middle" font-size="9.5" fill="{MUTED}">'
               f'{_esc(column_label)}</text>')
    out.append(f'<text x="0" y="{_f(top - 6)}" font-size="9.5" fill="{MUTED}">'
               f'{_esc(row_label)}</text>')
    for j, col in enumerate(columns):
        out.append(f'<text x="{_f(label_w + cell_w * j + cell_w / 2)}" y="{_f(top - 6)}" '
                   f'text-anchor="middle" font-weight="bold" fill="{INK}">{_esc(col)}</text>')
    for i, row in enumerate(rows):
        y = top + cell_h * i
        out.append(f'<text x="0" y="{_f(y + cell_h / 2 + 4)}" fill="{INK}">'
                   f'{_esc(_clip(row, 30))}</text>')
        for j in range(len(columns)):
            v = counts[i][j] if i < len(counts) and j < len(counts[i]) else 0
            share = v / peak
            # From near-white to the accent colour; numbers switch to white on dark cells.
            shade = int(245 - 170 * share)
            fill = f"#{shade:02x}{min(255, shade + 8):02x}{min(255, shade + 14):02x}" if v \
                else "#ffffff"
            ink = "#ffffff" if share > 0.55 else INK
            x = label_w + cell_w * j
            diag = highlight_diagonal and row == columns[j]
            stroke = f'stroke="{INK}" stroke-width="1.6"' if diag else \
                'stroke="#c8c8c8" stroke-width="0.8"'
            out.append(f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(cell_w)}" '
                       f'height="{_f(cell_h)}" fill="{fill}" {stroke}/>')
            out.append(f'<text x="{_f(x + cell_w / 2)}" y="{_f(y + cell_h / 2 + 4)}" '
                       f'text-anchor="middle" fill="{ink}">{v if v else "·"}</text>')
    out.append("</svg>")
    return "\n".join(out)
