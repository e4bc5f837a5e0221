"""Mutation testing of evidencekit/stats/ with mutmut, one module at a time.

    python scripts/mutation.py [--budget SECONDS] [--children N] [--workdir DIR] [MODULE ...]

(``make mutation``; ``make mutation MODULES="power pooling"`` for some.) For each module
(default: every module of evidencekit/stats/) the working tree is copied to
WORKDIR/MODULE (default: the system's temporary folder), ``[tool.mutmut] only_mutate`` is set
to that one file, and ``mutmut run`` runs with at most SECONDS (default 1200) of wall-clock
time and N (default 2) children, niced. mutmut runs for each mutant only the tests that
reach the mutated function (the selection is ``[tool.mutmut]`` in pyproject.toml).

Prints one line per module: mutants, killed (a test failed), timeout (counted as detected),
survived, no tests, not checked (budget ran out), and the kill rate = detected / checked.
Writes the same as JSON to WORKDIR/mutation.json, and the surviving mutants' diffs to
WORKDIR/MODULE.survivors.txt. Slow (minutes per module), so it is not part of ``make test``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATS = ROOT / "evidencekit" / "stats"
DETECTED = ("killed", "timeout", "segfault", "caught by type check")


def modules() -> list[str]:
    return sorted(p.stem for p in STATS.glob("*.py") if p.stem != "__init__")


def copy_tree(dest: Path) -> None:
    """The working tree as git sees it (tracked and untracked, not ignored files)."""
    if dest.exists():
        shutil.rmtree(dest)
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         cwd=ROOT, check=True, capture_output=True).stdout
    for name in out.decode().split("\0"):
        src = ROOT / name
        if not name or not src.is_file():
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)


def only(dest: Path, module: str) -> None:
    path = dest / "pyproject.toml"
    text = path.read_text()
    line = f'only_mutate = ["evidencekit/stats/{module}.py"]'
    new, n = re.subn(r"^only_mutate = .*$", line, text, count=1, flags=re.M)
    if n != 1:
        raise SystemExit("pyproject.toml has no [tool.mutmut] only_mutate line to set")
    path.write_text(new)


def run(dest: Path, children: int, budget: float) -> bool:
    """mutmut run in ``dest``; False when the budget ran out."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    log = (dest / "mutmut.log").open("w")
    proc = subprocess.Popen(["nice", "-n", "10", sys.executable, "-m", "mutmut", "run",
                             "--max-children", str(children)],
                            cwd=dest, stdout=log, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)
    try:
        proc.wait(timeout=budget)
        return True
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        return False
    finally:
        log.close()


def results(dest: Path) -> dict[str, str]:
    out = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"],
                         cwd=dest, capture_output=True, text=True).stdout
    found: dict[str, str] = {}
    for line in out.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name:
            found[name] = status.strip()
    return found


def survivor_diffs(dest: Path, module: str, names: list[str]) -> str:
    """``mutmut show`` for each survivor, for a person deciding whether it is equivalent."""
    chunks = []
    for name in names:
        shown = subprocess.run([sys.executable, "-m", "mutmut", "show", name], cwd=dest,
                               capture_output=True, text=True).stdout
        chunks.append(f"# {name}\n{shown.strip()}\n")
    return "\n".join(chunks)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("modules", nargs="*", help="modules of evidencekit/stats (default: all)")
    ap.add_argument("--budget", type=float, default=1200.0, help="seconds per module")
    ap.add_argument("--children", type=int, default=2)
    ap.add_argument("--workdir", type=Path,
                    default=Path(tempfile.gettempdir()) / "evidencekit-mutation")
    args = ap.parse_args(argv)
    known = modules()
    chosen = args.modules or known
    unknown = [m for m in chosen if m not in known]
    if unknown:
        print(f"not a module of evidencekit/stats: {', '.join(unknown)} "
              f"(expected one of {', '.join(known)})", file=sys.stderr)
        return 2
    args.workdir.mkdir(parents=True, exist_ok=True)
    report_path = args.workdir / "mutation.json"
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    for module in chosen:
        dest = args.workdir / module
        start = time.monotonic()
        copy_tree(dest)
        only(dest, module)
        finished = run(dest, args.children, args.budget)
        found = {k: v for k, v in results(dest).items()
                 if k.startswith(f"evidencekit.stats.{module}.")}
        counts: dict[str, int] = {}
        for status in found.values():
            counts[status] = counts.get(status, 0) + 1
        detected = sum(counts.get(s, 0) for s in DETECTED)
        unchecked = counts.get("not checked", 0)
        checked = len(found) - unchecked
        survivors = sorted(k for k, v in found.items() if v in ("survived", "no tests"))
        (args.workdir / f"{module}.survivors.txt").write_text(
            survivor_diffs(dest, module, survivors))
        rate = detected / checked if checked else None
        report[module] = {"mutants": len(found), "detected": detected, "checked": checked,
                          "counts": counts, "kill_rate": rate, "finished": finished,
                          "seconds": round(time.monotonic() - start)}
        report_path.write_text(json.dumps(report, indent=2, sort_keys=True))
        failed = "failed to collect stats" in (dest / "mutmut.log").read_text(errors="replace")
        report[module]["tests_failed"] = failed
        report_path.write_text(json.dumps(report, indent=2, sort_keys=True))
        shown = "n/a" if rate is None else f"{100 * rate:.1f}%"
        if failed:
            shown += f"  (the unmutated tests failed: see {dest / 'mutmut.log'})"
        print(f"{module:14} mutants {len(found):4}  killed {counts.get('killed', 0):4}  "
              f"timeout {counts.get('timeout', 0):3}  survived {counts.get('survived', 0):3}  "
              f"no tests {counts.get('no tests', 0):3}  not checked {unchecked:4}  "
              f"kill rate {shown}{'' if finished else '  (budget ran out)'}", flush=True)
    total_checked = sum(r["checked"] for r in report.values())
    total_detected = sum(r["detected"] for r in report.values())
    if total_checked:
        print(f"{'all':14} {total_detected}/{total_checked} = "
              f"{100 * total_detected / total_checked:.1f}% (modules in {report_path})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
