"""Benchmark: `evidencekit analyse` on a large row-level cluster trial, against two baselines.

Generates a cluster-randomised trial (columns id, arm, pre, post, school; 5,000,000 rows in
2,000 schools by default) as CSV and as Parquet in a temporary folder, writes a submission
with a pretest and a cluster column, and times, each in a fresh process (median of
``--repeat`` runs, files warm in the page cache; ours and the floor alternate run by run):

- ours:  ``python -m evidencekit analyse SUBMISSION --format json`` end to end (ANCOVA,
  CR2 cluster-robust test with Satterthwaite df, ICC, g, g_ancova, g_did, baseline);
- floor: pyarrow reading the four columns used and computing the two group means;
- naive: pandas reading the file, scipy's t-test, statsmodels OLS for the ANCOVA and a
  statsmodels cluster-robust (CR1) fit — what a user would otherwise write;
- fixed: the same ``evidencekit analyse`` command on a 1,000-row file (interpreter start-up,
  imports, submission and output: the cost that does not grow with the data).

It prints ours/floor and ours/naive per format, the fixed cost, and the peak memory the
analysis adds (resident set size, in a subprocess) against the in-memory (Arrow) size of
the four columns used. Targets (issue 15): within 1.3× of the floor and faster than naive
on both formats; peak memory under 2× the columns. Timings are printed, never asserted.

    python benchmarks/analysis.py              # 5,000,000 rows (about 1.5 minutes)
    python benchmarks/analysis.py --rows 200000 --repeat 1
    python benchmarks/analysis.py --big 50000000   # the streaming guard: peak <= 600 MB
    python benchmarks/analysis.py --dask-parts 8 --repeat 3   # one process vs a Dask cluster
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COLUMNS = ["arm", "pre", "post", "school"]

FLOOR = """
import sys
import pyarrow.compute as pc
path = sys.argv[1]
cols = ["arm", "pre", "post", "school"]
if path.endswith(".csv"):
    import pyarrow.csv as pacsv
    t = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(include_columns=cols))
else:
    import pyarrow.parquet as pq
    t = pq.read_table(path, columns=cols)
m = pc.equal(t["arm"], "treatment")
print(pc.mean(pc.filter(t["post"], m)).as_py(), pc.mean(pc.filter(t["post"], pc.invert(m))).as_py())
"""

NAIVE = """
import json, sys
import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
path = sys.argv[1]
cols = ["arm", "pre", "post", "school"]
if path.endswith(".csv"):
    d = pd.read_csv(path, usecols=cols)
else:
    d = pd.read_parquet(path, columns=cols)
d = d.dropna()
treat = (d["arm"] == "treatment").to_numpy(dtype=float)
post = d["post"].to_numpy()
tt = stats.ttest_ind(post[treat == 1], post[treat == 0])
X = sm.add_constant(np.column_stack([treat, d["pre"].to_numpy()]))
ols = sm.OLS(post, X).fit()
robust = sm.OLS(post, X).fit(cov_type="cluster", cov_kwds={"groups": d["school"].to_numpy()})
print(json.dumps({"t_p": float(tt.pvalue), "b": float(ols.params[1]), "se": float(ols.bse[1]),
                  "se_cluster": float(robust.bse[1]), "p_cluster": float(robust.pvalues[1])}))
"""

IMPORTS = ("import evidencekit.cli, evidencekit.api, evidencekit.analysis.rows, pyarrow.csv, "
           "pyarrow.parquet")

# Peak resident memory from /proc/self/status: VmRSS just before the analysis (imports done)
# and VmHWM after it. (ru_maxrss is not used: Linux carries it over from the parent process
# across fork and exec.)
MEMORY = """
import json, sys
import evidencekit.api as api
import evidencekit.analysis.rows, pyarrow.csv, pyarrow.parquet, pyarrow.compute
def status(key):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
before = status("VmRSS")
api.analyse(sys.argv[1])
print(json.dumps({"before": before, "peak": status("VmHWM")}))
"""


def generate(rows: int, schools: int, folder: Path, seed: int = 2024) -> dict[str, float]:
    """Write trial.csv and trial.parquet; return the Arrow size of the columns used.

    Run in a child process (``--generate-into``), so that the benchmark process itself stays
    small while it times the others."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    school = rng.integers(0, schools, rows)
    treated_school = rng.permutation(schools) < schools // 2
    treated = treated_school[school]
    u = rng.normal(0.0, 3.0, schools)[school]
    pre = 50 + u + rng.normal(0.0, 9.0, rows)
    post = 8 + 0.85 * pre + 2.0 * treated + 0.8 * u + rng.normal(0.0, 7.0, rows)
    table = pa.table({
        "id": np.arange(1, rows + 1),
        "arm": np.where(treated, "treatment", "control"),
        "pre": np.round(pre, 2),
        "post": np.round(post, 2),
        "school": school,
    })
    pacsv.write_csv(table, folder / "trial.csv")
    pq.write_table(table, folder / "trial.parquet")
    small = table.slice(0, 1000)  # for the fixed cost: the same command on 1,000 rows
    pacsv.write_csv(small, folder / "small.csv")
    pq.write_table(small, folder / "small.parquet")
    return {"columns_bytes": float(table.select(COLUMNS).nbytes)}


def generate_big(rows: int, schools: int, path: Path, seed: int = 2024) -> None:
    """Write a ``rows``-row trial CSV a million rows at a time (the generator stays small)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    treated_school = rng.permutation(schools) < schools // 2
    effect = rng.normal(0.0, 3.0, schools)
    step = 1_000_000
    writer = None
    for start in range(0, rows, step):
        n = min(step, rows - start)
        school = rng.integers(0, schools, n)
        treated = treated_school[school]
        u = effect[school]
        pre = 50 + u + rng.normal(0.0, 9.0, n)
        post = 8 + 0.85 * pre + 2.0 * treated + 0.8 * u + rng.normal(0.0, 7.0, n)
        table = pa.table({"id": np.arange(start + 1, start + n + 1),
                          "arm": np.where(treated, "treatment", "control"),
                          "pre": np.round(pre, 2), "post": np.round(post, 2),
                          "school": school})
        if writer is None:
            writer = pacsv.CSVWriter(str(path), table.schema)
        writer.write_table(table)
    if writer is not None:
        writer.close()


#: Runs ``evidencekit analyse`` in this process and prints its peak resident memory (VmHWM,
#: the whole process: interpreter, imports and analysis) on stderr's last line.
PEAK = """
import sys
import evidencekit.cli as cli
try:
    code = cli.main(["analyse", sys.argv[1], "--format", "json"], prog_name="evidencekit",
                    standalone_mode=False)
finally:
    with open("/proc/self/status") as fh:
        peak = next(int(l.split()[1]) for l in fh if l.startswith("VmHWM:"))
    print(f"peak {peak / 1024:.0f}", file=sys.stderr)
sys.exit(code or 0)
"""


def big(rows: int, schools: int) -> None:
    """The streaming guard of issue 15: a CSV of ``rows`` rows (50,000,000 by default, about
    1.7 GB) analysed in flat memory: peak resident memory of the whole process <= 600 MB."""
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="evidencekit-big-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        generate_big(rows, schools, folder / "trial.csv")
        size = (folder / "trial.csv").stat().st_size
        print(f"{rows:,} rows, {schools:,} schools: CSV of {size / 1e9:.2f} GB written in "
              f"{time.perf_counter() - t0:.0f} s")
        sub = submission(folder, "trial.csv")
        t0 = time.perf_counter()
        proc = subprocess.run([py, "-c", PEAK, str(sub)], capture_output=True, text=True,
                              check=False)
        elapsed = time.perf_counter() - t0
        lines = proc.stderr.strip().splitlines()
        if not lines or not lines[-1].startswith("peak "):
            raise SystemExit(f"evidencekit analyse failed:\n{proc.stderr}")
        peak = float(lines[-1].split()[1])
        verdict = f"target <= 600 MB: {'met' if peak <= 600 else 'NOT met'}"
        if proc.returncode != 0:  # refused (the row limit): memory is still what counts
            print(f"evidencekit analyse: refused in {elapsed:.1f} s (exit {proc.returncode}) "
                  f"with peak resident memory {peak:.0f} MB ({verdict}): {lines[0]}")
            return
        o = json.loads(proc.stdout)["evaluations"][0]["outcomes"][0]
        anc = o["effects"]["ancova"]
        print(f"evidencekit analyse: {elapsed:.1f} s ({rows / elapsed / 1e6:.1f} M rows/s); "
              f"peak resident memory of the whole process {peak:.0f} MB = "
              f"{peak / (size / 1e6):.2f}x the file ({verdict}); ANCOVA b = {anc['estimate']:.6f}, "
              f"CR2 SE {anc['se_cluster_robust']:.5f}, ICC {o['clustering']['icc']:.4f}")


def on_cluster(rows: int, schools: int, parts: int, repeat: int) -> None:
    """Issue 15 item 4: the same Parquet dataset (``parts`` files in a folder) analysed in
    one process and on a local Dask cluster (``--dask-scheduler``, one task per file)."""
    import pyarrow.parquet as pq
    from _cluster import local_cluster

    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="evidencekit-parts-") as tmp:
        folder = Path(tmp)
        subprocess.run([py, __file__, "--rows", str(rows), "--schools", str(schools),
                        "--generate-into", tmp], capture_output=True, text=True, check=True)
        table = pq.read_table(folder / "trial.parquet")
        (folder / "parts").mkdir()
        step = -(-table.num_rows // parts)
        for k in range(parts):
            pq.write_table(table.slice(k * step, step), folder / "parts" / f"part-{k:03d}.parquet")
        del table
        sub = submission(folder, "parts/")
        args = [py, "-m", "evidencekit", "analyse", str(sub), "--format", "json"]
        with local_cluster(folder) as (address, env):
            local, dask_t, out_local, out_dask = [], [], "", ""
            for _ in range(repeat):
                t, out_local = run_once(args)
                local.append(t)
                start = time.perf_counter()
                proc = subprocess.run([*args, "--dask-scheduler", address], capture_output=True,
                                      text=True, check=False, env=env)
                dask_t.append(time.perf_counter() - start)
                if proc.returncode != 0:
                    raise SystemExit(f"the Dask run failed:\n{proc.stderr}")
                out_dask = proc.stdout
        ratios = [d / t for d, t in zip(dask_t, local, strict=True)]
        print(f"{rows:,} rows in {parts} Parquet files: one process median "
              f"{statistics.median(local):.2f} s ({spread(local)}; baseline), local Dask "
              f"cluster (2 workers, one task per file) median {statistics.median(dask_t):.2f} s "
              f"({spread(dask_t)}); ratio cluster/one process median "
              f"{statistics.median(ratios):.2f}x ({spread(ratios)}); JSON "
              f"{'identical' if out_local == out_dask else 'DIFFERENT'}")


def submission(folder: Path, data: str) -> Path:
    path = folder / f"submission-{data.replace('.', '-').strip('/')}.yaml"
    path.write_text(
        "schema: evidencekit/submission@1\n"
        "programme: {name: Benchmark trial}\n"
        "evaluations:\n"
        "  - id: school-trial\n"
        "    design: cluster_rct\n"
        "    outcomes:\n"
        "      - name: Post-test score\n"
        f"        data: {data}\n"
        "        columns: {outcome: post, group: arm, treatment: treatment, pretest: pre,"
        " cluster: school}\n",
        encoding="utf-8",
    )
    return path


def run_once(args: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args[:4])} failed:\n{proc.stderr}")
    return elapsed, proc.stdout


def timed(args: list[str], repeat: int) -> tuple[float, str]:
    times, out = [], ""
    for _ in range(repeat):
        elapsed, out = run_once(args)
        times.append(elapsed)
    return statistics.median(times), out


def paired(ours: list[str], floor: list[str], repeat: int) -> tuple[list[float], list[float],
                                                                   str]:
    """Ours and the floor run alternately, so each ratio compares runs a second apart."""
    mine, base, out = [], [], ""
    for _ in range(repeat):
        t, out = run_once(ours)
        f, _ = run_once(floor)
        mine.append(t)
        base.append(f)
    return mine, base, out


def spread(values: list[float]) -> str:
    return f"{min(values):.2f}–{max(values):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--schools", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=5,
                        help="runs per timing (median; the naive route runs at most 3 times)")
    parser.add_argument("--formats", default="csv,parquet")
    parser.add_argument("--generate-into", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--big", type=int, default=0, metavar="ROWS",
                        help="only the streaming guard: analyse a CSV of ROWS rows (e.g. "
                        "50000000) and print the peak memory against 600 MB")
    parser.add_argument("--dask-parts", type=int, default=0, metavar="N",
                        help="only the cluster run: the rows as N Parquet files, analysed in "
                        "one process and on a local Dask cluster")
    args = parser.parse_args()
    if args.dask_parts:
        on_cluster(args.rows, args.schools, args.dask_parts, args.repeat)
        return
    if args.big:
        big(args.big, args.schools)
        return
    if args.generate_into:
        print(json.dumps(generate(args.rows, args.schools, Path(args.generate_into))))
        return
    py = sys.executable
    # An installed package has its bytecode compiled (pip does it); an editable checkout run
    # with PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module on every start.
    subprocess.run([py, "-m", "compileall", "-q", str(Path(__file__).parents[1] / "evidencekit")],
                   check=True)
    with tempfile.TemporaryDirectory(prefix="evidencekit-bench-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        made = subprocess.run([py, __file__, "--rows", str(args.rows), "--schools",
                               str(args.schools), "--generate-into", tmp],
                              capture_output=True, text=True, check=True)
        sizes = json.loads(made.stdout)
        csv_mb = (folder / "trial.csv").stat().st_size / 1e6
        print(f"{args.rows:,} rows, {args.schools:,} schools: generated in "
              f"{time.perf_counter() - t0:.1f} s; csv {csv_mb:.0f} MB, "
              f"parquet {(folder / 'trial.parquet').stat().st_size / 1e6:.0f} MB; columns used "
              f"in memory (Arrow) {sizes['columns_bytes'] / 1e6:.0f} MB")
        startup, _ = timed([py, "-c", IMPORTS], args.repeat)
        print(f"evidencekit start-up (interpreter + imports, before any data): {startup:.2f} s")
        print()
        header = (f"{'format':8} {'ours':>7} {'floor':>7} {'naive':>7} {'ours/floor':>11} "
                  f"{'(spread)':>11} {'ours/naive':>11} {'fixed':>7} {'(ours-fixed)/floor':>19} "
                  f"{'peak MB':>8} {'peak/cols':>10}")
        print(header)
        results = {}
        for fmt in args.formats.split(","):
            data = folder / f"trial.{fmt}"
            sub = submission(folder, data.name)
            mine, base, out = paired([py, "-m", "evidencekit", "analyse", str(sub), "--format",
                                      "json"], [py, "-c", FLOOR, str(data)], args.repeat)
            ratios = [t / f for t, f in zip(mine, base, strict=True)]
            ours, floor = statistics.median(mine), statistics.median(base)
            fixed, _ = timed([py, "-m", "evidencekit", "analyse",
                              str(submission(folder, f"small.{fmt}")), "--format", "json"],
                             args.repeat)
            naive, naive_out = timed([py, "-c", NAIVE, str(data)], min(args.repeat, 3))
            mem_proc = subprocess.run([py, "-c", MEMORY, str(sub)], capture_output=True,
                                      text=True, check=True)
            mem = json.loads(mem_proc.stdout)
            peak = (mem["peak"] - mem["before"]) / 1e6
            ratio_mem = peak * 1e6 / sizes["columns_bytes"]
            print(f"{fmt:8} {ours:7.2f} {floor:7.2f} {naive:7.2f} "
                  f"{statistics.median(ratios):11.2f} {spread(ratios):>11} "
                  f"{ours / naive:11.2f} {fixed:7.2f} {(ours - fixed) / floor:19.2f} "
                  f"{peak:8.0f} {ratio_mem:10.2f}")
            results[fmt] = (json.loads(out), json.loads(naive_out))
        print()
        for fmt, (ours_json, naive_json) in results.items():
            o = ours_json["evaluations"][0]["outcomes"][0]
            anc = o["effects"]["ancova"]
            print(f"{fmt}: ANCOVA b = {anc['estimate']:.6f} (statsmodels {naive_json['b']:.6f}); "
                  f"SE {anc['se']:.6f} ({naive_json['se']:.6f}); cluster-robust SE CR2 "
                  f"{anc['se_cluster_robust']:.5f} on {anc['df_cluster_robust']:.1f} df "
                  f"(statsmodels CR1 {naive_json['se_cluster']:.5f}); ICC "
                  f"{o['clustering']['icc']:.4f}")
        print()
        print(f"Targets (issue 15): ours/floor <= 1.3 (median of {args.repeat} runs, each ours "
              "run next to a floor run; spread = min-max of those pairs), ours/naive < 1, "
              "peak/cols < 2. 'floor' reads the same four columns; 'fixed' is the same command "
              "on 1,000 rows (start-up, imports, submission, output), so '(ours-fixed)/floor' "
              "compares the work on the data.")


if __name__ == "__main__":
    main()
