"""Benchmark the portfolio report of a round (issue 13 item 5, issue 15 item 2).

Target: for 2,000 applications, the portfolio PDF within 1.5× the time WeasyPrint alone needs
to lay out the same HTML. Both are measured in the same run, so the ratio carries over to a
faster or slower (or busier) machine.

* **ours**: what the batch does for ``portfolio.pdf`` — build the portfolio context from the
  round's results (ranking, over-claimers, amounts, costs, causal marks, the SVG charts and
  their alt text), the Jinja2 HTML for print, and the PDF through
  :func:`evidencekit.report.pdf.html_to_pdf` (fetcher, bundled fonts, PDF/UA-1, the /Scope
  finisher).
* **WeasyPrint alone**: the same printable HTML, the same fonts, fetcher and PDF/UA-1 option,
  handed straight to WeasyPrint: ``HTML.render`` (parse and layout) and ``write_pdf``
  (drawing, tagging, fonts), no finisher.

The target is read strictly: ours (context, HTML, layout *and* writing the PDF) against
WeasyPrint's layout alone (``HTML(...).render()``, parsing and layout, without drawing or
writing). The ratio against WeasyPrint's whole job (layout + write) is printed too. The HTML
copy of the portfolio (``portfolio.html``) is timed on its own line; it is not part of the PDF.

Both clocks are printed: the processor time of this process (``time.process_time``), which
is what the work needs, and the wall-clock time, which on a machine shared with other jobs
also counts the time spent waiting for a core. The target is judged on processor time; the
wall-clock ratio is shown beside it (each repeat pairs ours with the baseline run right after
it, so a change of load between repeats stays out of the ratio).

The round is the 12 bundled examples scored once (real results from
:func:`evidencekit.batch.task.score`), repeated with new ids, names, themes, amounts and
shifted effects up to ``--apps``; the documents show the top 200 rows, as the batch does.

    python benchmarks/portfolio.py               # 2,000 applications, 3 repeats
    python benchmarks/portfolio.py --apps 460 --repeats 1
"""

from __future__ import annotations

import argparse
import copy
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from evidencekit.batch.inputs import discover  # noqa: E402
from evidencekit.batch.outputs import ranked  # noqa: E402
from evidencekit.batch.task import TaskSpec, score  # noqa: E402
from evidencekit.report import html as report_html  # noqa: E402
from evidencekit.report.assets import BASE_URL, FONTS_CSS_URL, AssetResolver  # noqa: E402
from evidencekit.report.pdf import PDF_VARIANT, fetcher, html_to_pdf  # noqa: E402
from evidencekit.report.portfolio import build_portfolio  # noqa: E402

THEMES = ("Education", "Health and care", "Communities", "Employment", "Justice",
          "Young people", "Older people")
TARGET = 1.5


def synthetic_round(n: int, seed: int = 13) -> list[dict[str, Any]]:
    """``n`` results: the examples' real results, repeated with new ids and varied numbers."""
    apps, _columns = discover(REPO / "examples" / "round.csv")
    spec = TaskSpec(rubric="nesta")
    base = [score(a, spec) for a in apps]
    assert all(r["ok"] for r in base), [r.get("problems") for r in base if not r["ok"]]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        r = copy.deepcopy(base[i % len(base)])
        r["application_id"] = f"app-{i:05d}"
        row = r["row"]
        row["programme"] = f"{row['programme']} (round entry {i + 1})"
        if row.get("effect") is not None:
            shift = rng.uniform(-0.1, 0.1)
            row["effect"] += shift
            if row.get("effect_ci_low") is not None:
                row["effect_ci_low"] += shift
                row["effect_ci_high"] += shift
        r["extra"] = {"theme": rng.choice(THEMES),
                      "amount_requested": str(rng.randrange(20, 400) * 1000),
                      "currency": "GBP"}
        out.append(r)
    return out


class Clock:
    """Processor and wall-clock seconds since it was made (:meth:`lap`: both, as a pair)."""

    def __init__(self) -> None:
        self.cpu, self.wall = time.process_time(), time.perf_counter()

    def lap(self) -> tuple[float, float]:
        return time.process_time() - self.cpu, time.perf_counter() - self.wall


def ours(results: list[dict[str, Any]], resolver: AssetResolver
         ) -> tuple[tuple[float, float], str, bytes]:
    """The batch's path to portfolio.pdf: context, printable HTML, PDF."""
    clock = Clock()
    context = build_portfolio(results, ranked(results))
    printable = report_html.render(context, resolver=resolver, medium="pdf",
                                   template_name="portfolio.html.j2")
    pdf = html_to_pdf(printable, resolver)
    return clock.lap(), printable, pdf


def html_copy(results: list[dict[str, Any]], resolver: AssetResolver) -> float:
    t0 = time.perf_counter()
    context = build_portfolio(results, ranked(results))
    report_html.render(context, resolver=resolver, medium="html",
                       template_name="portfolio.html.j2")
    return time.perf_counter() - t0


def weasyprint_alone(printable: str, resolver: AssetResolver
                     ) -> tuple[tuple[float, float], tuple[float, float], int]:
    """WeasyPrint on the same HTML with the same fonts, fetcher and PDF variant:
    (layout (cpu, wall) seconds, layout + write (cpu, wall) seconds, pages)."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    fetch = fetcher(resolver)
    clock = Clock()
    font_config = FontConfiguration()
    fonts = weasyprint.CSS(url=FONTS_CSS_URL, url_fetcher=fetch, font_config=font_config)
    document = weasyprint.HTML(string=printable, base_url=BASE_URL, url_fetcher=fetch).render(
        font_config=font_config, stylesheets=[fonts], pdf_variant=PDF_VARIANT)
    layout = clock.lap()
    document.write_pdf(pdf_variant=PDF_VARIANT, pdf_identifier=False)
    return layout, clock.lap(), len(document.pages)


def _line(name: str, runs: list[float]) -> str:
    return (f"  {name:38s}{statistics.median(runs):7.3f} s  (runs: "
            + ", ".join(f"{x:.3f}" for x in runs) + ")")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    t0 = time.perf_counter()
    results = synthetic_round(args.apps)
    print(f"round of {args.apps} applications (12 examples scored, repeated) in "
          f"{time.perf_counter() - t0:.2f} s")
    resolver = AssetResolver.for_template_dir(None)
    # Per clock (0: processor, 1: wall): ours, WeasyPrint's layout, WeasyPrint's whole job.
    ours_t: tuple[list[float], list[float]] = ([], [])
    layout_t: tuple[list[float], list[float]] = ([], [])
    whole_t: tuple[list[float], list[float]] = ([], [])
    html_t = []
    pages = 0
    # One untimed run of each first: importing WeasyPrint and loading the fonts happen once
    # per process and would otherwise count against whichever runs first.
    _seconds, printable, _pdf = ours(results, resolver)
    weasyprint_alone(printable, resolver)
    for _ in range(args.repeats):
        seconds, printable, pdf = ours(results, resolver)
        assert pdf.startswith(b"%PDF-")
        layout, whole, pages = weasyprint_alone(printable, resolver)
        for k in (0, 1):
            ours_t[k].append(seconds[k])
            layout_t[k].append(layout[k])
            whole_t[k].append(whole[k])
        t = time.perf_counter()
        html_copy(results, resolver)
        html_t.append(time.perf_counter() - t)
    print(f"portfolio.pdf, {pages} pages, median of {args.repeats}:")
    for k, clock in ((0, "processor time"), (1, "wall clock")):
        print(f" {clock}:")
        print(_line("ours (context + HTML + PDF):", ours_t[k]))
        print(_line("WeasyPrint alone, layout + write:", whole_t[k]))
        print(_line("WeasyPrint alone, layout (render):", layout_t[k]))
        for name, base in (("WeasyPrint (layout + write)", whole_t[k]),
                           ("WeasyPrint layout only", layout_t[k])):
            ratios = [a / b for a, b in zip(ours_t[k], base, strict=True)]
            ratio = statistics.median(ratios)
            verdict = ("met" if ratio <= TARGET else "NOT met") if k == 0 else \
                ("within" if ratio <= TARGET else "beyond") + " it on this clock"
            print(f"  ratio ours / {name}: median {ratio:.2f}× (runs {min(ratios):.2f}–"
                  f"{max(ratios):.2f}×; target ≤ {TARGET}×: {verdict})")
    print(f"  portfolio.html (context + HTML), separately: {statistics.median(html_t):.3f} s")


if __name__ == "__main__":
    main()
