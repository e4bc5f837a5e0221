"""Where a scored application's time goes (issue 15, item 1): each stage of
``evidencekit.batch.task.score`` per kind of application, in one process, against the time
PyYAML's C loader takes to parse the same file, measured in the same run.

Generates the synthetic round of ``benchmarks/batch.py`` (``--apps``, default 2,000), warms
the scoring stages as a batch worker does (``task.warm``), then times, per application and
``--repeat`` times (the fastest pass is kept: it is the least disturbed by other work):

* parse: ``yaml.load(text, Loader=yaml.CSafeLoader)`` of the file's text (the baseline);
* load: ``load_submission`` (reading, parsing, checking and building the submission);
* analyse: ``analyse_submission`` as a batch without reports calls it (effect sizes, tests,
  intervals, row-level data read; not the supplementary effects no decision reads);
* assess: ``assess_submission`` (the rubric's conditions, the verdict);
* score: the whole of ``task.score`` (the three above, the resume key, the scores row).

It prints milliseconds per application for each kind and over the round, and each stage as
a ratio to the parse baseline; then the first pass alone (each application scored once, as a
worker scores it; the table keeps the fastest pass). Timings are printed, never asserted.

    python benchmarks/batch_stages.py
    python benchmarks/batch_stages.py --apps 500 --repeat 5
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

STAGES = ("parse", "load", "analyse", "assess", "score")
KINDS = (("data:", "row-level file"), ("kind: binary", "binary summary"),
         ("reported:", "reported statistics"), ("pre:", "pre/post summary"),
         ("summary:", "two-group summary"), ("evaluations:", "other"))


def kind(text: str) -> str:
    """The kind of a synthetic application, from its text (the first marker it has)."""
    for marker, name in KINDS:
        if marker in text:
            return name
    return "no evaluation" if "programme:" in text and "[unclosed" not in text else "malformed"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--apps", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    import yaml
    from batch import make_applications

    from evidencekit.analysis import analyse_submission
    from evidencekit.assessment.engine import analysis_options, assess_submission
    from evidencekit.assessment.rubric import resolve_rubric
    from evidencekit.batch.inputs import Application
    from evidencekit.batch.task import TaskSpec, _options, _rubric, score, warm
    from evidencekit.errors import InputError
    from evidencekit.load import load_submission
    from evidencekit.vocabulary import DEFAULT_RUBRIC

    spec = TaskSpec(str(resolve_rubric(DEFAULT_RUBRIC).resolve()))
    warm(spec)
    rubric, options = _rubric(spec), _options(spec, analysis_options)
    with tempfile.TemporaryDirectory() as tmp:
        make_applications(Path(tmp), args.apps)
        paths = sorted(Path(tmp).glob("*/submission.yaml"))
        texts = {p: p.read_text(encoding="utf-8") for p in paths}
        kinds = {p: kind(t) for p, t in texts.items()}
        best: dict[tuple[str, str], float] = {}
        first: dict[tuple[str, str], float] = {}
        for _ in range(args.repeat):
            spent: dict[tuple[str, str], float] = defaultdict(float)
            for p in paths:
                k = kinds[p]
                t0 = time.perf_counter()
                with contextlib.suppress(yaml.YAMLError):
                    yaml.load(texts[p], Loader=yaml.CSafeLoader)
                t1 = time.perf_counter()
                try:
                    sub = load_submission(p)
                except InputError:
                    sub = None
                t2 = time.perf_counter()
                if sub is not None:
                    # as a batch without reports analyses it (no supplementary effects)
                    analysis = analyse_submission(sub, options, supplementary=False)
                    t3 = time.perf_counter()
                    assess_submission(sub, rubric, analysis, explain=False)
                    t4 = time.perf_counter()
                else:
                    t3 = t4 = t2
                score(Application(id=p.parent.name, path=p), spec)
                t5 = time.perf_counter()
                for stage, s in zip(STAGES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4),
                                    strict=True):
                    spent[k, stage] += s
                    spent["all", stage] += s
            for key, s in spent.items():
                best[key] = min(best.get(key, s), s)
            first = first or dict(spent)  # the first pass: each application seen once
        counts = Counter(kinds.values())
        counts["all"] = len(paths)
        print(f"applications: {len(paths)}; per application, ms (fastest of {args.repeat} "
              f"passes); ratio = stage / parse (PyYAML CSafeLoader, same run)")
        print(f"{'kind':22s} {'n':>5s} " + " ".join(f"{s:>8s}" for s in STAGES)
              + "  score/parse")
        for k in [*sorted(c for c in counts if c != "all"), "all"]:
            ms = [best.get((k, s), 0.0) / counts[k] * 1e3 for s in STAGES]
            ratio = ms[4] / ms[0] if ms[0] else float("nan")
            print(f"{k:22s} {counts[k]:5d} " + " ".join(f"{m:8.3f}" for m in ms)
                  + f"  {ratio:10.2f}x")
        n = len(paths)
        once, parse = first["all", "score"] / n * 1e3, first["all", "parse"] / n * 1e3
        print(f"first pass alone (each application scored once, not the fastest of "
              f"{args.repeat}): score {once:.3f} ms, parse {parse:.3f} ms per application, "
              f"{once / parse:.2f}x")


if __name__ == "__main__":
    main()
