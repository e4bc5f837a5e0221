"""Benchmark the report renderer (issue 4) on the bundled examples.

For every ``examples/*.yaml`` it renders the PDF report several times and prints the median
time of each stage:

* ours: building the report context (including the SVG charts) and the Jinja2 HTML;
* WeasyPrint: parsing the HTML and CSS, layout (``HTML.render``), and writing the PDF
  (drawing, tagging, font subsetting).

The targets of issues 4 and 15, printed with their verdicts (never asserted — timings live
here, not in the tests):

* the share of the time spent outside WeasyPrint (in our code): target ≤ 20% (issue 4),
  ≤ 25% (issue 15);
* the time per report (context + HTML + PDF) for a typical report of at most 8 pages:
  target < 1.5 s on this 2-core machine (issue 4);
* the median time per report over all the bundled examples, on one core: target ≤ 0.8 s
  (issue 15), with its spread over the examples and the CPU time beside the wall time.

Every time is also printed as a ratio against a baseline measured in the same run,
``weasyprint-minimal``: WeasyPrint rendering a one-page document with the same bundled fonts,
fetcher and PDF/UA options, so the ratios carry over to faster or slower machines.

    python benchmarks/report.py              # 3 repeats per example
    python benchmarks/report.py --repeats 5 --example access-project
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from evidencekit.api import _rubric, _submission, assess  # noqa: E402
from evidencekit.report import build_context  # noqa: E402
from evidencekit.report import html as report_html  # noqa: E402
from evidencekit.report.assets import AssetResolver  # noqa: E402
from evidencekit.report.context import ReportOptions  # noqa: E402
from evidencekit.report.pdf import FetchLog, Timings, html_to_pdf  # noqa: E402

MINIMAL = """<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">
<title>Baseline</title><style>html { font-family: "EvidenceKit Sans"; font-size: 9pt }</style>
</head><body><h1>Baseline</h1><p>One page of text in the bundled font, rendered with the
same fetcher and PDF/UA-1 options as a report.</p></body></html>"""


@dataclass
class Stages:
    context: float
    template: float
    parse: float
    layout: float
    write: float
    cpu: float
    pages: int

    @property
    def ours(self) -> float:
        return self.context + self.template

    @property
    def weasyprint(self) -> float:
        return self.parse + self.layout + self.write

    @property
    def total(self) -> float:
        return self.ours + self.weasyprint


def _median(values: list[float]) -> float:
    return statistics.median(values)


def baseline(repeats: int) -> float:
    resolver = AssetResolver.for_template_dir(None)
    html_to_pdf(MINIMAL, resolver)  # warm-up: imports, fontconfig
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        html_to_pdf(MINIMAL, resolver)
        times.append(time.perf_counter() - t)
    return _median(times)


def measure(path: Path, repeats: int) -> tuple[Stages, float]:
    t = time.perf_counter()
    sub = _submission(str(path))
    rub = _rubric("nesta", None)
    result = assess(sub, rubric=rub)
    assess_time = time.perf_counter() - t
    resolver = AssetResolver.for_template_dir(None)
    options = ReportOptions(deterministic=True)
    runs: list[Stages] = []
    for _ in range(repeats):
        c0 = time.process_time()
        t0 = time.perf_counter()
        context = build_context(result, submission=sub, rubric=rub, options=options)
        t1 = time.perf_counter()
        document = report_html.render(context, resolver=resolver, medium="pdf")
        t2 = time.perf_counter()
        timings = Timings()
        html_to_pdf(document, resolver, log=FetchLog(), timings=timings)
        runs.append(Stages(t1 - t0, t2 - t1, timings.parse, timings.layout, timings.write,
                           time.process_time() - c0, timings.pages))
    med = Stages(*(_median([getattr(r, f) for r in runs]) for f in
                   ("context", "template", "parse", "layout", "write", "cpu")), runs[0].pages)
    return med, assess_time


def _subsetter() -> str:
    try:
        from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

        if harfbuzz_subset and harfbuzz.hb_version_atleast(4, 1, 0):
            return "HarfBuzz"
    except Exception:
        pass
    return "fontTools (slower; install libharfbuzz-subset0)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--example", action="append", default=None,
                        help="Only this example (file stem); repeatable.")
    args = parser.parse_args(argv)
    files = sorted((REPO / "examples").glob("*.yaml"))
    if args.example:
        files = [f for f in files if f.stem in args.example]
    base = baseline(max(args.repeats, 3))
    print(f"baseline weasyprint-minimal (1 page, same fonts and options): {base:.3f} s")
    print(f"font subsetting: {_subsetter()}; repeats per example: {args.repeats} (medians)")
    print()
    head = (f"{'example':36s} {'pages':>5s} {'ours':>6s} {'parse':>6s} {'layout':>6s} "
            f"{'write':>6s} {'total':>6s} {'×base':>6s} {'ours%':>6s}")
    print(head)
    print("-" * len(head))
    rows: list[tuple[str, Stages]] = []
    for f in files:
        st, _ = measure(f, args.repeats)
        rows.append((f.stem, st))
        print(f"{f.stem:36s} {st.pages:5d} {st.ours:6.3f} {st.parse:6.3f} {st.layout:6.3f} "
              f"{st.write:6.3f} {st.total:6.3f} {st.total / base:6.1f} "
              f"{100 * st.ours / st.total:5.1f}%")
    print()
    total = sum(s.total for _, s in rows)
    ours = sum(s.ours for _, s in rows)
    share = 100 * ours / total
    typical = [s for _, s in rows if s.pages <= 8]
    worst_typical = max((s.total for s in typical), default=float("nan"))
    median_typical = _median([s.total for s in typical]) if typical else float("nan")
    print(f"time outside WeasyPrint (context, charts, templates): {share:.1f}% of all "
          f"rendering (target ≤ 20%: {'met' if share <= 20 else 'NOT met'})")
    wp = {k: sum(getattr(s, k) for _, s in rows) / total * 100
          for k in ("parse", "layout", "write")}
    print(f"inside WeasyPrint: parse {wp['parse']:.1f}%, layout {wp['layout']:.1f}%, "
          f"PDF writing {wp['write']:.1f}%")
    print(f"typical reports (≤ 8 pages, {len(typical)} of {len(rows)}): median "
          f"{median_typical:.2f} s ({median_typical / base:.1f}× baseline), slowest "
          f"{worst_typical:.2f} s ({worst_typical / base:.1f}× baseline); target < 1.5 s: "
          f"{'met' if worst_typical < 1.5 else 'NOT met'}")
    totals = sorted(s.total for _, s in rows)
    median_all = _median(totals)
    cpu_all = _median([s.cpu for _, s in rows])
    print(f"all {len(rows)} bundled examples: median {median_all:.2f} s per report (min "
          f"{totals[0]:.2f}, max {totals[-1]:.2f}; {median_all / base:.1f}× baseline), CPU "
          f"median {cpu_all:.2f} s; target ≤ 0.8 s: {'met' if median_all <= 0.8 else 'NOT met'}"
          f"; outside WeasyPrint {share:.1f}% (target ≤ 25%: "
          f"{'met' if share <= 25 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
