"""Benchmark: the largest submission the limits accept, assessed with a PDF report.

The loader caps a submission at 100 evaluations, 50 outcomes per evaluation and 200 outcomes
in all (``evidencekit/load/definition.py``), so the cost of any accepted submission's report
is bounded. This writes the largest such submission (100 RCTs with 2 outcomes each, every
outcome with a pretest) and times ``evidencekit assess SUBMISSION --pdf OUT`` in a fresh
process, printing wall time, peak resident memory and the PDF's pages. It also times the
refusal of a 2,500-evaluation submission (once accepted: 264 s, 4.2 GB, 1,203 pages).
Timings are printed, never asserted.

    python benchmarks/largest_submission.py
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def write(path: Path, evaluations: int, outcomes: int) -> None:
    out = ["programme: {name: Largest accepted}\n",
           "theory_of_change: {problem: p, activities: [a], outcomes: [o], rationale: r}\n",
           "evaluations:\n"]
    for i in range(evaluations):
        out.append(f"  - id: e{i}\n    design: rct\n    independent: true\n    site: s{i}\n"
                   "    assigned: {treatment: 120, control: 120}\n    outcomes:\n")
        for j in range(outcomes):
            out.append(f"      - name: Outcome {j} of evaluation {i}\n        summary:\n"
                       f"          treatment: {{n: 100, mean: {5 + j * 0.1 + i * 0.01:.2f}, "
                       "sd: 2, pre_mean: 4, pre_sd: 2}\n"
                       "          control: {n: 100, mean: 4.5, sd: 2, pre_mean: 4, pre_sd: 2}\n")
    path.write_text("".join(out), encoding="utf-8")


def run(args: list[str]) -> tuple[float, float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "evidencekit", *args], capture_output=True,
                          text=True, check=False)
    elapsed = time.perf_counter() - t0
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    return elapsed, peak, proc.returncode


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        largest = folder / "largest.yaml"
        write(largest, 100, 2)
        pdf = folder / "largest.pdf"
        elapsed, peak, code = run(["assess", str(largest), "--pdf", str(pdf)])
        pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                               check=False).stdout
        n_pages = next((ln.split()[-1] for ln in pages.splitlines()
                        if ln.startswith("Pages:")), "?")
        print(f"largest accepted ({largest.stat().st_size:,} bytes, 100 evaluations, "
              f"200 outcomes): exit {code}, {elapsed:.1f} s, peak {peak:.0f} MB, "
              f"{n_pages} pages")
        big = folder / "big.yaml"
        write(big, 2500, 1)
        elapsed, _, code = run(["assess", str(big), "--pdf", str(folder / "big.pdf")])
        print(f"2,500 evaluations ({big.stat().st_size:,} bytes): exit {code} (refused), "
              f"{elapsed:.1f} s")


if __name__ == "__main__":
    main()
