"""``portfolio.html`` and ``portfolio.pdf``: the whole round in one document (atomic writes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .outputs import ranked
from .store import atomic_write_bytes, atomic_write_text


def write_portfolio(out: Path, results: list[dict[str, Any]], *, pdf: bool = True,
                    html: bool = True) -> list[str]:
    from ..report.portfolio import build_portfolio, render_portfolio

    context = build_portfolio(results, ranked(results))
    document, data = render_portfolio(context, pdf=pdf)
    files = []
    if html:
        atomic_write_text(out / "portfolio.html", document)
        files.append("portfolio.html")
    if data is not None:
        atomic_write_bytes(out / "portfolio.pdf", data)
        files.append("portfolio.pdf")
    return files
