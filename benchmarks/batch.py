"""Benchmark ``evidencekit batch`` on synthetic applications (issue 5).

Generates N applications (default 2,000: mixed designs, about 10% with row-level data, 1%
malformed) and prints, each as a ratio against a baseline measured in the same run:

* scoring throughput without reports, against the time to parse the same files with
  PyYAML's C loader (the floor: no tool can score a file faster than it can read it);
* report throughput with 1 and 2 workers (the 1-worker run is the baseline of the speedup);
* peak memory (max RSS of any process) while rendering many PDFs.

    python benchmarks/batch.py                 # full run
    python benchmarks/batch.py --apps 300 --pdfs 40 --memory-pdfs 100   # quick run

Timings are printed, never asserted: they live here, not in the tests.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import yaml


def _two_group(rng: random.Random) -> str:
    n1, n2 = rng.randint(25, 400), rng.randint(25, 400)
    m2 = rng.uniform(40, 60)
    m1 = m2 + rng.uniform(-2, 6)
    sd = rng.uniform(8, 12)
    pre = rng.uniform(40, 60)
    sd_c = sd * rng.uniform(0.9, 1.1)
    pre_c = pre + rng.uniform(-1, 1)
    return (f"summary:\n"
            f"  treatment: {{n: {n1}, mean: {m1:.2f}, sd: {sd:.2f}, pre_mean: {pre:.2f}, "
            f"pre_sd: {sd:.2f}}}\n"
            f"  control: {{n: {n2}, mean: {m2:.2f}, sd: {sd_c:.2f}, pre_mean: {pre_c:.2f}, "
            f"pre_sd: {sd:.2f}}}\n")


def _binary(rng: random.Random) -> str:
    n1, n2 = rng.randint(40, 300), rng.randint(40, 300)
    p2 = rng.uniform(0.2, 0.5)
    p1 = min(0.95, p2 + rng.uniform(-0.05, 0.2))
    return (f"kind: binary\nsummary: {{treatment: {{n: {n1}, events: {int(n1 * p1)}}}, "
            f"control: {{n: {n2}, events: {int(n2 * p2)}}}}}\n")


def _reported(rng: random.Random) -> str:
    return (f"reported: {{t: {rng.uniform(-1, 4):.2f}, n_treatment: {rng.randint(30, 200)}, "
            f"n_control: {rng.randint(30, 200)}}}\n")


def _prepost(rng: random.Random) -> str:
    n = rng.randint(20, 300)
    m = rng.uniform(10, 20)
    return (f"summary: {{pre: {{n: {n}, mean: {m:.2f}, sd: 4.0}}, post: {{n: {n}, "
            f"mean: {m + rng.uniform(-0.5, 2):.2f}, sd: 4.2}}, correlation: 0.6}}\n")


def _data(rng: random.Random, folder: Path) -> str:
    rows = ["arm,pre,post"]
    for _ in range(rng.randint(60, 240)):
        arm = rng.choice(["tutored", "control"])
        pre = rng.gauss(50, 10)
        post = pre * 0.6 + rng.gauss(22 if arm == "tutored" else 20, 8)
        rows.append(f"{arm},{pre:.2f},{post:.2f}")
    (folder / "outcomes.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return ("data: outcomes.csv\ncolumns: {outcome: post, group: arm, treatment: tutored, "
            "pretest: pre}\n")


def make_applications(root: Path, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    for i in range(n):
        folder = root / f"app-{i:05d}"
        folder.mkdir(parents=True)
        if i % 100 == 99:  # 1% malformed
            (folder / "submission.yaml").write_text("programme: {name: [unclosed\n")
            continue
        kind = rng.random()
        design, assigned = "rct", ""
        if kind < 0.10:
            outcome, design = _data(rng, folder), "rct"
        elif kind < 0.40:
            outcome = _two_group(rng)
            design = rng.choice(["rct", "comparison_group"])
        elif kind < 0.60:
            outcome = _binary(rng)
        elif kind < 0.75:
            outcome, design = _prepost(rng), "pre_post"
        elif kind < 0.86:
            outcome = _reported(rng)
        else:
            outcome = ""
        if design == "rct" and outcome and kind >= 0.10:
            assigned = "    assigned: {treatment: 420, control: 420}\n"
        body = textwrap.indent(outcome, "        ").lstrip()
        evaluations = (f"evaluations:\n  - id: eval-{i}\n    design: {design}\n"
                       f"    site: Site {rng.randint(1, 5)}\n    independent: "
                       f"{str(rng.random() < 0.3).lower()}\n{assigned}    outcomes:\n"
                       f"      - name: Main outcome\n        {body}"
                       if outcome else "")
        text = (f"schema: evidencekit/submission@1\nprogramme:\n  name: Programme {i}\n"
                f"  organisation: Org {i % 50}\n  theme: theme-{i % 7}\ntheory_of_change:\n"
                f"  problem: A need.\n  activities: [Weekly sessions]\n  outcomes: [Better]\n"
                f"  rationale: Because.\ncosts: {{per_participant: {rng.randint(100, 2000)}}}\n"
                f"{evaluations}")
        (folder / "submission.yaml").write_text(text, encoding="utf-8")


def parse_floor(root: Path) -> float:
    files = sorted(root.rglob("*.yaml"))
    start = time.perf_counter()
    for f in files:
        with contextlib.suppress(yaml.YAMLError):
            yaml.load(f.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return time.perf_counter() - start


def run(cmd: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 3):
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return elapsed, usage.ru_maxrss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--apps", type=int, default=2000)
    ap.add_argument("--pdfs", type=int, default=60, help="reports for the 1 vs 2 worker runs")
    ap.add_argument("--memory-pdfs", type=int, default=500)
    args = ap.parse_args()
    exe = [sys.executable, "-m", "evidencekit"]
    tmp = Path(tempfile.mkdtemp(prefix="ek-bench-"))
    try:
        apps = tmp / "apps"
        make_applications(apps, args.apps)
        floor = parse_floor(apps)
        print(f"applications: {args.apps} (about 10% row-level, 1% malformed)")
        print(f"baseline  parse with PyYAML CSafeLoader: {floor:.2f} s "
              f"({args.apps / floor:.0f} files/s)")
        workers = str(os.cpu_count() or 2)
        t, _ = run([*exe, "batch", str(apps), "--out", str(tmp / "out-scores"), "--workers",
                    workers, "--no-portfolio"])
        print(f"scoring   evidencekit batch (no reports, {workers} workers, end to end incl. "
              f"start-up and scores.csv/xlsx): {t:.2f} s ({args.apps / t:.0f} applications/s; "
              f"target >= 200/s); {t / floor:.2f}x the parse floor (target <= 3x)")
        tp, _ = run([*exe, "batch", str(apps), "--out", str(tmp / "out-portfolio"), "--workers",
                     workers])
        print(f"          with the portfolio report (HTML + PDF): {tp:.2f} s "
              f"({args.apps / tp:.0f} applications/s)")
        subset = tmp / "subset"
        subset.mkdir()
        for d in sorted(apps.iterdir())[: args.pdfs]:
            shutil.copytree(d, subset / d.name)
        t1, _ = run([*exe, "batch", str(subset), "--out", str(tmp / "r1"), "--pdf",
                     "--workers", "1"])
        t2, _ = run([*exe, "batch", str(subset), "--out", str(tmp / "r2"), "--pdf",
                     "--workers", "2"])
        print(f"reports   {args.pdfs} PDFs: 1 worker {t1:.2f} s ({args.pdfs / t1:.1f}/s, "
              f"baseline), 2 workers {t2:.2f} s ({args.pdfs / t2:.1f}/s): speedup "
              f"{t1 / t2:.2f}x (target >= 1.7x)")
        mem = tmp / "memory"
        mem.mkdir()
        dirs = sorted(apps.iterdir())
        for i in range(args.memory_pdfs):
            shutil.copytree(dirs[i % len(dirs)], mem / f"m{i:05d}")
        t3, peak_kb = run([*exe, "batch", str(mem), "--out", str(tmp / "rm"), "--pdf",
                           "--workers", "2"])
        print(f"memory    {args.memory_pdfs} PDFs in {t3:.1f} s: peak RSS of any process "
              f"{peak_kb / 1024:.0f} MB (target <= 600 MB)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
