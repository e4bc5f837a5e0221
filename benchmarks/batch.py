"""Benchmark ``evidencekit batch`` on synthetic applications (issues 5 and 15).

Generates N applications (default 2,000: mixed designs, about 10% with row-level data, 1%
malformed) and prints, each as a ratio against a baseline measured in the same run (every
figure over ``--repeat`` runs as min / median / max; each ratio is taken pair by pair, the
baseline run next to the measured one, so a machine whose speed drifts still gives a fair
ratio):

* scoring without reports (2 workers, end to end: start-up, scoring, scores.csv/xlsx)
  against the time PyYAML's C loader takes to parse the same files in a fresh process (the
  floor: no tool can score a file faster than it can read it); target <= 3x;
* report throughput with 1 and 2 workers (the 1-worker run is the baseline of the speedup);
* peak memory (max RSS of any process) while rendering many PDFs;
* ``--cluster 10000,100000``: the same scoring on a local Dask cluster (``dask scheduler``
  and two ``dask worker`` processes on loopback, started here) against the local 2-worker
  run of the same applications, with the peak memory of the coordinating process.

    python benchmarks/batch.py                 # full run
    python benchmarks/batch.py --apps 300 --pdfs 40 --memory-pdfs 100   # quick run
    python benchmarks/batch.py --apps 2000 --pdfs 0 --repeat 5          # the parse-floor ratio
    python benchmarks/batch.py --apps 0 --pdfs 0 --cluster 10000,100000

Timings are printed, never asserted: they live here, not in the tests.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path


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


FLOOR = """
import contextlib, sys, yaml
from pathlib import Path
for f in sorted(Path(sys.argv[1]).rglob("*.yaml")):
    with contextlib.suppress(yaml.YAMLError):
        yaml.load(f.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
"""


def _hwm(pid: int) -> int:
    """A process's own peak RSS so far (VmHWM, KiB; 0 where /proc has none)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


CPU: list[float] = []  # CPU seconds (user + system, the process and its waited-for children)


def run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall seconds and the peak RSS (KiB) of that one process: its own VmHWM, polled while
    it runs (``ru_maxrss`` of a finished child counts its worker processes too), or
    ``ru_maxrss`` where there is no /proc."""
    import threading

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert proc.stderr is not None
    peak = [0]
    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.05):
            peak[0] = max(peak[0], _hwm(proc.pid))

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    watcher.join()
    elapsed = time.perf_counter() - start
    CPU.append(usage.ru_utime + usage.ru_stime)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 3):
        sys.stderr.write(err.decode(errors="replace"))
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}")
    return elapsed, peak[0] or usage.ru_maxrss


def _children() -> dict[int, list[int]]:
    """Parent pid → its children's pids, from /proc/*/stat (empty where there is no /proc)."""
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc") if os.path.isdir("/proc") else ():
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def run_tree(cmd: list[str]) -> tuple[float, int, int, int]:
    """Wall seconds, the coordinating process's peak RSS, the largest peak RSS of any process
    of its tree (workers and the forkserver included: VmHWM of each, polled every 0.1 s
    while it lives) and how many processes were seen, for one run."""
    import threading

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    peaks: dict[int, int] = {}
    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.1):
            tree, todo = _children(), [proc.pid]
            while todo:
                pid = todo.pop()
                peaks[pid] = max(peaks.get(pid, 0), _hwm(pid))
                todo.extend(tree.get(pid, []))

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    err = proc.stderr.read()
    proc.wait()
    done.set()
    watcher.join()
    if proc.returncode not in (0, 3):
        sys.stderr.write(err.decode(errors="replace"))
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}")
    return (time.perf_counter() - start, peaks.get(proc.pid, 0), max(peaks.values(), default=0),
            len(peaks))


def spread(values: list[float], fmt: str = ".2f") -> str:
    return (f"median {statistics.median(values):{fmt}} (min {min(values):{fmt}}, "
            f"max {max(values):{fmt}}, n={len(values)})")


def scoring(exe: list[str], apps: Path, tmp: Path, n: int, repeat: int) -> None:
    floors, ours, ratios, cpu, starts, start_cpu = [], [], [], [], [], []
    workers = "2"
    one = tmp / "one-application"  # start-up: the same command on a single application
    shutil.copytree(sorted(apps.iterdir())[0], one / "app-00000")
    for i in range(repeat):
        f, _ = run([sys.executable, "-c", FLOOR, str(apps)])
        t, _ = run([*exe, "batch", str(apps), "--out", str(tmp / f"out-scores-{i}"),
                    "--workers", workers, "--no-portfolio"])
        cpu.append(CPU[-1])
        s, _ = run([*exe, "batch", str(one), "--out", str(tmp / f"out-one-{i}"),
                    "--workers", workers, "--no-portfolio"])
        starts.append(s)
        start_cpu.append(CPU[-1])
        floors.append(f)
        ours.append(t)
        ratios.append(t / f)
    print(f"baseline  parse with PyYAML CSafeLoader (fresh process): {spread(floors)} s")
    print(f"scoring   evidencekit batch (no reports, {workers} workers, end to end incl. "
          f"start-up and scores.csv/xlsx): {spread(ours)} s, "
          f"{n / statistics.median(ours):.0f} applications/s")
    rest = [t - s for t, s in zip(ours, starts, strict=True)]
    print(f"          CPU (all processes): {spread(cpu)} s; start-up alone (the same command "
          f"on one application): {spread(starts)} s wall, {spread(start_cpu)} s CPU; the rest "
          f"(scoring and writing {n} rows): {spread(rest)} s")
    verdict = "met" if statistics.median(ratios) <= 3 else "NOT met"
    print(f"          ratio to the parse floor: {spread(ratios)}x (target <= 3x: {verdict})")


def cluster(exe: list[str], root: Path, sizes: list[int], repeat: int) -> None:
    from _cluster import local_cluster

    with local_cluster(root) as (address, env):
        for n in sizes:
            apps = root / f"apps-{n}"
            make_applications(apps, n)
            local, dask_t, ratios, peaks_local, peaks = [], [], [], [], []
            for i in range(repeat):
                t1, m1 = run([*exe, "batch", str(apps), "--out", str(root / f"l-{n}-{i}"),
                              "--workers", "2", "--no-portfolio"])
                t2, m2 = run([*exe, "batch", str(apps), "--out", str(root / f"d-{n}-{i}"),
                              "--dask-scheduler", address, "--no-portfolio"], env=env)
                local.append(n / t1)
                dask_t.append(n / t2)
                ratios.append(t2 / t1)
                peaks_local.append(m1 / 1024)
                peaks.append(m2 / 1024)
            print(f"cluster   {n:,} applications: local 2 workers {spread(local, '.0f')} "
                  f"applications/s (baseline); local Dask cluster (2 workers) "
                  f"{spread(dask_t, '.0f')} applications/s; time ratio cluster/local "
                  f"{spread(ratios)}x")
            print(f"          peak RSS of the coordinating process: local "
                  f"{spread(peaks_local, '.0f')} MB, Dask {spread(peaks, '.0f')} MB")
            shutil.rmtree(apps, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--apps", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pdfs", type=int, default=60,
                    help="reports for the 1 vs 2 worker runs (0: no PDF is rendered at all: "
                         "no portfolio, no memory run)")
    ap.add_argument("--memory-pdfs", type=int, default=500,
                    help="reports for the memory run (0, or --pdfs 0, skips it)")
    ap.add_argument("--cluster", default="", help="sizes for the Dask runs, e.g. 10000,100000")
    args = ap.parse_args()
    exe = [sys.executable, "-m", "evidencekit"]
    tmp = Path(tempfile.mkdtemp(prefix="ek-bench-"))
    try:
        apps = tmp / "apps"
        if args.apps:
            make_applications(apps, args.apps)
            print(f"applications: {args.apps} (about 10% row-level, 1% malformed); "
                  f"{os.cpu_count()} cores")
            scoring(exe, apps, tmp, args.apps, args.repeat)
        if args.apps and args.pdfs:  # --pdfs 0: nothing is rendered at all
            tp, _ = run([*exe, "batch", str(apps), "--out", str(tmp / "out-portfolio"),
                         "--workers", "2"])
            print(f"          with the portfolio report (HTML + PDF): {tp:.2f} s "
                  f"({args.apps / tp:.0f} applications/s)")
        if args.pdfs and args.apps:
            subset = tmp / "subset"
            subset.mkdir()
            for d in sorted(apps.iterdir())[: args.pdfs]:
                shutil.copytree(d, subset / d.name)
            one, two, speedups = [], [], []
            for i in range(args.repeat):  # pair by pair: 1 worker, then 2 workers
                t1, _ = run([*exe, "batch", str(subset), "--out", str(tmp / f"r1-{i}"), "--pdf",
                             "--workers", "1", "--no-portfolio"])
                t2, _ = run([*exe, "batch", str(subset), "--out", str(tmp / f"r2-{i}"), "--pdf",
                             "--workers", "2", "--no-portfolio"])
                one.append(t1)
                two.append(t2)
                speedups.append(t1 / t2)
            verdict = "met" if statistics.median(speedups) >= 1.8 else "NOT met"
            print(f"reports   {args.pdfs} PDFs: 1 worker {spread(one)} s (baseline), 2 workers "
                  f"{spread(two)} s ({args.pdfs / statistics.median(two):.1f}/s): speedup "
                  f"{spread(speedups)}x (target >= 1.8x: {verdict})")
        if args.memory_pdfs and args.apps and args.pdfs:
            mem = tmp / "memory"
            mem.mkdir()
            dirs = sorted(apps.iterdir())
            for i in range(args.memory_pdfs):
                shutil.copytree(dirs[i % len(dirs)], mem / f"m{i:05d}")
            t3, own_kb, peak_kb, seen = run_tree([*exe, "batch", str(mem), "--out",
                                                  str(tmp / "rm"), "--pdf", "--workers", "2",
                                                  "--no-portfolio"])
            print(f"memory    {args.memory_pdfs} PDFs in {t3:.1f} s (2 workers): peak RSS of "
                  f"any one process {peak_kb / 1024:.0f} MB ({seen} processes: coordinator "
                  f"{own_kb / 1024:.0f} MB, workers recycled every 40 reports; target <= "
                  f"600 MB per process: {'met' if peak_kb <= 600 * 1024 else 'NOT met'})")
        if args.cluster:
            cluster(exe, tmp, [int(x) for x in args.cluster.split(",")], args.repeat)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
