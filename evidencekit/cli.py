"""The command line: a thin layer over :mod:`evidencekit.api`.

Exit codes (SPEC §4): 0 done; 2 bad input (plain sentences on stderr naming file, line or key,
what was expected and what was found); 1 internal error. ``--debug`` shows tracebacks.
Heavy libraries are imported inside commands, so ``evidencekit --help`` answers at once.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from . import __version__

F = TypeVar("F", bound=Callable[..., Any])


class _Group(click.Group):
    """Turns every expected failure into plain sentences and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except Exception as exc:  # noqa: BLE001 - the one place errors become exit codes
            debug = bool(ctx.params.get("debug")) or "--debug" in sys.argv
            if debug:
                raise
            from .errors import InputError

            if isinstance(exc, InputError):
                for p in exc.problems:
                    click.echo(p.sentence(), err=True)
                ctx.exit(2)
            if isinstance(exc, KeyboardInterrupt):
                ctx.exit(130)
            click.echo(f"evidencekit: internal error ({type(exc).__name__}: {exc}). "
                       "Run again with --debug for the traceback, and please report it.",
                       err=True)
            ctx.exit(1)


def _parse_sets(values: Sequence[str]) -> dict[str, str]:
    from .errors import UsageError

    out = {}
    for v in values:
        if "=" not in v:
            raise UsageError.one(None, "--set NAME=VALUE (for example --set alpha=0.01)",
                                 repr(v))
        k, _, val = v.partition("=")
        out[k.strip()] = val.strip()
    return out


def _common(f: F) -> F:
    f = click.option("--rubric", "rubric", default="nesta", show_default=True,
                     help="Bundled rubric id or path to a rubric file.")(f)
    f = click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
                     help="Override a rubric parameter, e.g. --set alpha=0.01 (repeatable).")(f)
    f = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                     show_default=True, help="Output for people (text) or programs (json).")(f)
    return f


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="evidencekit")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of plain messages.")
def main(debug: bool) -> None:
    """How strong is the evidence behind a social programme, and why.

    \b
    Examples:
      evidencekit assess examples/code-club.yaml
      evidencekit assess my-programme.yaml --format json
      evidencekit analyse examples/diabetes-peer-support.yaml
      evidencekit rubric show nesta
    """


@main.command()
@click.argument("submission", type=click.Path(path_type=str))
@_common
def assess(submission: str, rubric: str, sets: tuple[str, ...], fmt: str) -> None:
    """Assess SUBMISSION: verified and claimed level, reasons and next steps."""
    from .api import assess as run

    result = run(submission, rubric=rubric, parameters=_parse_sets(sets))
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        from .render.text import print_assessment

        print_assessment(result)


@main.command()
@click.argument("submission", type=click.Path(path_type=str))
@_common
def analyse(submission: str, rubric: str, sets: tuple[str, ...], fmt: str) -> None:
    """Show the statistics behind the verdict for SUBMISSION."""
    from .api import analyse as run

    result = run(submission, rubric=rubric, parameters=_parse_sets(sets))
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        from .render.text import print_analysis

        print_analysis(result)


@main.command()
@click.argument("source", metavar="INPUT", type=click.Path(path_type=str))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=str),
              help="Folder for scores.csv, scores.xlsx, errors.csv, reports/ and the portfolio.")
@click.option("--rubric", "rubric", default="nesta", show_default=True,
              help="Bundled rubric id or path to a rubric file.")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
              help="Override a rubric parameter (repeatable).")
@click.option("--pdf", is_flag=True, help="Write a PDF report per application under reports/.")
@click.option("--html", is_flag=True, help="Write an HTML report per application.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: one per core).")
@click.option("--resume", is_flag=True,
              help="Skip applications whose inputs and outputs are unchanged since last run.")
@click.option("--dask-scheduler", "dask_scheduler", default=None, metavar="ADDRESS",
              help="Run the tasks on an existing Dask cluster (needs evidencekit[dask]).")
def batch(source: str, out: str, rubric: str, sets: tuple[str, ...], pdf: bool, html: bool,
          workers: int | None, resume: bool, dask_scheduler: str | None) -> None:
    """Score every application in INPUT (a folder of submissions or a CSV/XLSX manifest).

    Exit code 0 when every application was scored, 3 when some could not be (they are
    listed in errors.csv; the others are still scored), 2 when INPUT itself is unusable.
    """
    from .batch import BatchOptions, run_batch

    opts = BatchOptions(rubric=rubric, parameters=_parse_sets(sets), workers=workers, pdf=pdf,
                        html=html, resume=resume, dask_scheduler=dask_scheduler)
    summary = run_batch(source, out, opts)
    reused = f", {summary.reused} unchanged since the last run" if summary.reused else ""
    click.echo(f"Scored {summary.scored} of {summary.total} applications{reused}; "
               f"{summary.failed} could not be assessed (see errors.csv).", err=True)
    click.echo(f"Wrote {', '.join(summary.files)} to {summary.out}/", err=True)
    raise SystemExit(summary.exit_code)


@main.group()
def rubric() -> None:
    """List, show and validate rubric files."""


@rubric.command("list")
def rubric_list() -> None:
    """Print the bundled rubric ids, one per line."""
    from .assess.rubric import bundled_rubrics

    for rid in bundled_rubrics():
        click.echo(rid)


@rubric.command("show")
@click.argument("rubric_id")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def rubric_show(rubric_id: str, fmt: str) -> None:
    """Print a rubric as a readable outline."""
    from .assess.rubric import load_rubric

    r = load_rubric(rubric_id)
    if fmt == "json":
        click.echo(json.dumps({
            "id": r.id, "title": r.title, "version": r.version, "scope": r.scope,
            "parameters": {k: p.default for k, p in r.parameters.items()},
            "levels": [{"level": lv.level, "title": lv.title, "statement": lv.statement,
                        "criteria": [{"id": c.id, "title": c.title, "gate": c.gate,
                                      "question": c.question, "guidance": c.guidance}
                                     for c in lv.criteria]} for lv in r.levels]},
            indent=2, ensure_ascii=False))
        return
    from .render.text import print_rubric

    print_rubric(r)


@rubric.command("validate")
@click.argument("path", type=click.Path(path_type=str))
def rubric_validate(path: str) -> None:
    """Check a rubric file; every mistake is named with its line."""
    from .assess.rubric import load_rubric

    r = load_rubric(path)
    n = sum(len(lv.criteria) for lv in r.levels)
    click.echo(f"{path}: valid rubric {r.id!r} version {r.version} "
               f"({len(r.levels)} levels, {n} criteria).")


@rubric.command("schema")
def rubric_schema() -> None:
    """Print the JSON Schema of rubric files."""
    from .assess.rubric import rubric_schema as schema

    click.echo(json.dumps(schema(), indent=2))


if __name__ == "__main__":  # pragma: no cover
    main()
