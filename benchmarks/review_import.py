"""Benchmark ``evidencekit round import`` (issue #16): recording a reviewer's judgements file.

A round of the bundled examples is set up in a temporary folder with one reviewer assigned
to every application; a judgements file holds ``--judgements`` judgements spread over the
applications' claims; the import is timed in-process (median of ``--repeats``; each repeat
imports a file whose reasons differ, so nothing is skipped as already recorded).

The baseline, measured in the same run, is assessing every application of the round once
(what any import must do at least once to know each application's claims), so the printed
ratio carries over to faster or slower machines: an import that re-assessed an application
for every judgement grows with the file; one that assesses each application once stays near
1 whatever the file's length.

    python benchmarks/review_import.py                     # 200 judgements, 3 repeats
    python benchmarks/review_import.py --judgements 1000 --repeats 1
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from click.testing import CliRunner  # noqa: E402

import evidencekit  # noqa: E402
from evidencekit.cli import main  # noqa: E402

SETUP = """schema: evidencekit/round@1
reviewers:
  - {name: Ada Khan, token: ada-secret-token-1}
assignments:
  "*": [Ada Khan]
"""


def build(tmp: Path) -> tuple[Path, dict[str, list[str]]]:
    r = tmp / "round"
    shutil.copytree(REPO / "examples", r)
    (r / "round.csv").unlink()  # a manifest of the same folder: the YAML files are the round
    (tmp / "setup.yaml").write_text(SETUP, encoding="utf-8")
    out = CliRunner().invoke(main, ["round", "setup", str(r), str(tmp / "setup.yaml")])
    assert out.exit_code == 0, out.output
    claims: dict[str, list[str]] = {}
    for p in sorted(r.glob("*.yaml")):
        res = evidencekit.assess(p)
        ids = [c.id for lv in res.levels for c in lv.criteria if c.status == "claimed"]
        if ids:
            claims[p.stem] = ids
    return r, claims


def judgements_file(path: Path, claims: dict[str, list[str]], n: int, tag: str) -> None:
    pairs = [(a, c) for a, ids in claims.items() for c in ids]
    lines = ["schema: evidencekit/judgements@1", "judgements:"]
    for i in range(n):
        a, c = pairs[i % len(pairs)]
        lines += [f"  - application: {a}", f"    criterion: {c}",
                  f"    decision: {'validated' if i % 3 else 'rejected'}",
                  "    reviewer: Ada Khan", f"    reason: Checked ({tag} {i})."]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main_() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--judgements", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        r, claims = build(tmp)
        base = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            for a in claims:
                evidencekit.assess(r / f"{a}.yaml")
            base.append(time.perf_counter() - start)
        times = []
        for k in range(args.repeats):
            f = tmp / f"j{k}.yaml"
            judgements_file(f, claims, args.judgements, f"run {k}")
            start = time.perf_counter()
            out = CliRunner().invoke(main, ["round", "import", str(r), str(f), "--reviewer",
                                            "Ada Khan", "--token", "ada-secret-token-1"])
            times.append(time.perf_counter() - start)
            assert out.exit_code == 0, out.output
        b, t_ = statistics.median(base), statistics.median(times)
        print(f"applications with claims: {len(claims)}; judgements per file: "
              f"{args.judgements}")
        print(f"baseline (assess each application once): {b:.2f} s")
        print(f"round import: {t_:.2f} s ({1000 * t_ / args.judgements:.1f} ms per judgement)"
              f" = {t_ / b:.1f}x baseline")


if __name__ == "__main__":
    main_()
