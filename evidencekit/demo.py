"""``make demo``: assess every bundled example and write the results under ``out/``.

For each ``examples/*.yaml`` it writes ``out/<name>.assessment.json`` (SPEC §4),
``out/<name>.txt`` (what ``evidencekit assess`` prints), and the commissioner's report as
``out/<name>.html`` and ``out/<name>.pdf``; then it scores all the examples together as a
funder would (``out/batch/``) and prints a one-line summary per example. A file that cannot
be assessed is reported and the others still run.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from . import jsontext


def run(examples: Path, out: Path) -> int:
    from .api import assess
    from .assessment.rubric import load_rubric
    from .errors import InputError
    from .load import load_submission
    from .render.text import print_assessment
    from .report import render_html, render_pdf
    from .vocabulary import DEFAULT_RUBRIC

    out.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in examples.glob("*.yaml"))
    failures = 0
    width = max((len(p.stem) for p in files), default=10)
    print(f"{'example':<{width}}  level  claimed  programme")
    rubric = load_rubric(DEFAULT_RUBRIC)
    for path in files:
        try:
            submission = load_submission(path)
            result = assess(submission, rubric=rubric)
        except InputError as exc:
            failures += 1
            print(f"{path.stem:<{width}}  error: {exc.problems[0].sentence()}")
            continue
        (out / f"{path.stem}.assessment.json").write_text(
            jsontext.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        buf = io.StringIO()
        print_assessment(result, file=buf)
        (out / f"{path.stem}.txt").write_text(buf.getvalue(), encoding="utf-8")
        (out / f"{path.stem}.html").write_text(
            render_html(result, submission=submission, rubric=rubric), encoding="utf-8")
        render_pdf(result, out / f"{path.stem}.pdf", submission=submission, rubric=rubric)
        print(f"{path.stem:<{width}}  {result.level:^5}  {result.claimed_level:^7}  "
              f"{result.programme}")
    print(f"\nWrote {len(files) - failures} assessments and reports to {out}/")
    from .batch import BatchOptions, run_batch

    summary = run_batch(examples, out / "batch", BatchOptions(progress=False))
    print(f"Batch: scored {summary.scored} of {summary.total} examples into {out}/batch/ "
          f"({', '.join(summary.files)}).")
    return 1 if failures or summary.failed else 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    examples = Path(args[0]) if args else Path("examples")
    out = Path(args[1]) if len(args) > 1 else Path("out")
    return run(examples, out)


if __name__ == "__main__":
    raise SystemExit(main())
