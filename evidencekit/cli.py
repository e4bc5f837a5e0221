"""The command line: a thin layer over :mod:`evidencekit.api`.

Exit codes (SPEC §4): 0 done; 2 bad input (plain sentences on stderr naming file, line or key,
what was expected and what was found); 1 internal error. ``--debug`` shows tracebacks.
Heavy libraries are imported inside commands, so ``evidencekit --help`` answers at once.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any, TypeVar

import click

from . import __version__, jsontext
from .vocabulary import DEFAULT_RUBRIC

_DASK_HELP = ("Reduce the files of a multi-file outcome on an existing Dask cluster (one task "
              "per file; the workers must see the files at the same paths).")

F = TypeVar("F", bound=Callable[..., Any])


class _Group(click.Group):
    """Turns every expected failure into plain sentences and an exit code."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # --debug is accepted anywhere on the line, before or after the command.
        if "--debug" in args:
            ctx.meta["evidencekit.debug"] = True
            args = [a for a in args if a != "--debug"]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted; every file written so far is complete.", err=True)
            ctx.exit(130)
        except Exception as exc:  # the one place errors become exit codes
            if ctx.meta.get("evidencekit.debug"):
                raise
            from .errors import InputError, sanitise, shown_sentences

            if isinstance(exc, OSError):  # a full disk or a read-only folder, not a bug
                from .batch.store import unwritable, write_error

                if write_error(exc):
                    exc = unwritable(exc.filename, exc)
                    # the writers it interrupted (openpyxl's) complain again as they are
                    # collected at exit; the one sentence below says it all
                    sys.unraisablehook = lambda _: None
            if isinstance(exc, InputError):
                for line in shown_sentences(exc.problems,
                                            omitted=getattr(exc, "omitted", 0)):
                    click.echo(line, err=True)
                ctx.exit(2)
            click.echo(f"evidencekit: internal error ({type(exc).__name__}: "
                       f"{sanitise(str(exc), 200)}). "
                       "Run again with --debug for the traceback, and please report it.",
                       err=True)
            ctx.exit(1)


def _parse_sets(values: Sequence[str]) -> dict[str, str]:
    from .load.parameters import parse_sets

    return parse_sets(values)


def _json(data: Any) -> str:
    """JSON for programs: never NaN or Infinity (a number that is not finite is null)."""
    return jsontext.dumps(data, indent=2, ensure_ascii=False)


def _common(f: F) -> F:
    f = click.option("--rubric", "rubric", default=DEFAULT_RUBRIC, show_default=True,
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
@click.option("--rubric", "rubric", default=DEFAULT_RUBRIC, show_default=True,
              help="Bundled rubric id, path to a rubric file, or 'all' for every bundled "
                   "rubric's verdict side by side (a crosswalk).")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
              help="Override a rubric parameter, e.g. --set alpha=0.01 (repeatable; with "
                   "--rubric all, it applies to every rubric that has the parameter).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output for people (text) or programs (json).")
@click.option("--pdf", "pdf", metavar="PATH", default=None,
              help="Also write the report as a tagged PDF to PATH.")
@click.option("--html", "html", metavar="PATH", default=None,
              help="Also write the report as one self-contained HTML file to PATH.")
@click.option("--template-dir", "template_dir", metavar="DIR", default=None,
              help="Your report templates, stylesheet and assets, used before the bundled ones.")
@click.option("--deterministic", is_flag=True,
              help="Reproducible report bytes: no generation time unless SOURCE_DATE_EPOCH.")
@click.option("--disclosure-threshold", "threshold", type=int, default=None,
              metavar="N", help="Counts below N appear in reports as '<N' (default 10); "
                                "given, the text output hides them the same way.")
@click.option("--judgements", "judgements", metavar="FILE", default=None,
              help="Reviewers' judgements (evidencekit/judgements@1): adds the validated "
                   "level (verified criteria plus the claims reviewers validated).")
@click.option("--reviewers-required", "reviewers_required", type=click.IntRange(1, 10),
              default=1, show_default=True,
              help="With --judgements: agreeing reviewers a claim needs to count.")
@click.option("--application", "application", default=None, metavar="ID",
              help="With --judgements from a round's export: the application's id.")
@click.option("--dask-scheduler", "dask_scheduler", default=None, metavar="ADDRESS",
              help=_DASK_HELP)
def assess(submission: str, rubric: str, sets: tuple[str, ...], fmt: str, pdf: str | None,
           html: str | None, template_dir: str | None, deterministic: bool,
           threshold: int | None, judgements: str | None = None,
           reviewers_required: int = 1, application: str | None = None,
           dask_scheduler: str | None = None) -> None:
    """Assess SUBMISSION: verified and claimed level, reasons and next steps.

    With --pdf and/or --html, the report for commissioners is written too. With
    --rubric all, every bundled framework's verdict is shown side by side (and the report
    adds them as a crosswalk section). With --dask-scheduler, the files of a multi-file
    outcome are reduced on a Dask cluster (the verdict and report are the same).
    """
    with _cluster(dask_scheduler):
        _assess(submission, rubric, sets, fmt, pdf, html, template_dir, deterministic,
                threshold, judgements, reviewers_required, application)


def _cluster(address: str | None) -> AbstractContextManager[None]:
    """Reduce multi-file outcomes on the Dask cluster at ``address`` (None: here)."""
    if address is None:
        from contextlib import nullcontext

        return nullcontext()
    from .analysis.parts import on_dask

    return on_dask(address)


def _assess(submission: str, rubric: str, sets: tuple[str, ...], fmt: str, pdf: str | None,
            html: str | None, template_dir: str | None, deterministic: bool,
            threshold: int | None, judgements: str | None, reviewers_required: int,
            application: str | None) -> None:
    from .api import ALL_RUBRICS
    from .api import assess as run

    text_threshold = threshold
    report_options = template_dir is not None or deterministic
    threshold = 10 if threshold is None else threshold
    if report_options and pdf is None and html is None:
        from .errors import UsageError

        raise UsageError.one(None, "--pdf PATH or --html PATH with the report options",
                             "report options without a report to write")
    if judgements is not None and rubric == ALL_RUBRICS:
        from .errors import UsageError

        raise UsageError.one(None, "--judgements with one rubric (judgements name its "
                             "criteria)", "--judgements with --rubric all")
    if rubric == ALL_RUBRICS:
        from .api import crosswalk

        if pdf is not None or html is not None:
            from .report import write_crosswalk_reports

            cw = write_crosswalk_reports(submission, parameters=_parse_sets(sets), pdf=pdf,
                                         html=html, template_dir=template_dir,
                                         disclosure_threshold=threshold,
                                         deterministic=deterministic)
        else:
            cw = crosswalk(submission, parameters=_parse_sets(sets))
        if fmt == "json":
            click.echo(_json(cw.to_dict()))
        else:
            from .render.text import print_crosswalk

            print_crosswalk(cw)
        return
    if pdf is not None or html is not None:
        from .report import write_reports

        result = write_reports(submission, rubric=rubric, parameters=_parse_sets(sets),
                               pdf=pdf, html=html, template_dir=template_dir,
                               disclosure_threshold=threshold, deterministic=deterministic,
                               judgements=judgements, reviewers_required=reviewers_required,
                               application=application)
    else:
        result = run(submission, rubric=rubric, parameters=_parse_sets(sets),
                     judgements=judgements, reviewers_required=reviewers_required,
                     application=application)
    if fmt == "json":
        click.echo(_json(result.to_dict()))
    else:
        from .render.text import print_assessment

        print_assessment(result, disclosure_threshold=text_threshold)


@main.command()
@click.argument("submission", type=click.Path(path_type=str))
@_common
@click.option("--dask-scheduler", "dask_scheduler", default=None, metavar="ADDRESS",
              help=_DASK_HELP)
def analyse(submission: str, rubric: str, sets: tuple[str, ...], fmt: str,
            dask_scheduler: str | None) -> None:
    """Show the statistics behind the verdict for SUBMISSION."""
    from .api import analyse as run

    with _cluster(dask_scheduler):
        result = run(submission, rubric=rubric, parameters=_parse_sets(sets))
    if fmt == "json":
        click.echo(_json(result.to_dict()))
    else:
        from .render.text import print_analysis

        print_analysis(result)


@main.command()
@click.argument("source", metavar="INPUT", type=click.Path(path_type=str))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=str),
              help="Folder for scores.csv, scores.xlsx, errors.csv, reports/ and the portfolio.")
@click.option("--rubric", "rubric", default=DEFAULT_RUBRIC, show_default=True,
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
@click.option("--chunk-size", "chunk_size", type=click.IntRange(min=1), default=None,
              metavar="N", help="Applications per task (default: chosen from the round's "
              "size; up to 500 on a Dask cluster).")
@click.option("--portfolio/--no-portfolio", default=True, show_default=True,
              help="Write portfolio.html and portfolio.pdf for the whole round.")
def batch(source: str, out: str, rubric: str, sets: tuple[str, ...], pdf: bool, html: bool,
          workers: int | None, resume: bool, dask_scheduler: str | None,
          chunk_size: int | None, portfolio: bool) -> None:
    """Score every application in INPUT (a folder of submissions or a CSV/XLSX manifest).

    Exit code 0 when every application was scored, 3 when some could not be (they are
    listed in errors.csv; the others are still scored), 2 when INPUT itself is unusable.
    """
    from .batch import BatchOptions, run_batch

    opts = BatchOptions(rubric=rubric, parameters=_parse_sets(sets), workers=workers, pdf=pdf,
                        html=html, resume=resume, dask_scheduler=dask_scheduler,
                        chunk_size=chunk_size, portfolio=portfolio)
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
    from .assessment.rubric import bundled_rubrics

    for rid in bundled_rubrics():
        click.echo(rid)


@rubric.command("show")
@click.argument("rubric_id")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def rubric_show(rubric_id: str, fmt: str) -> None:
    """Print a rubric as a readable outline."""
    from .assessment.rubric import load_rubric

    r = load_rubric(rubric_id)
    if fmt == "json":
        click.echo(jsontext.dumps({
            "id": r.id, "title": r.title, "version": r.version, "scope": r.scope,
            "level_zero": r.level_zero,
            "parameters": {k: p.default for k, p in r.parameters.items()},
            "overrides": [{"label": o.label, "title": o.title, "reason": o.reason}
                          for o in r.overrides],
            "levels": [{"level": lv.level, "label": r.label_of(lv.level), "title": lv.title,
                        "statement": lv.statement,
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
    from .assessment.rubric import check_rubric

    r = check_rubric(path)
    n = sum(len(lv.criteria) for lv in r.levels)
    click.echo(f"{path}: valid rubric {r.id!r} version {r.version} "
               f"({len(r.levels)} levels, {n} criteria).")


@rubric.command("facts")
def rubric_facts() -> None:
    """Print the facts a rubric check may name, by scope, as Markdown tables."""
    from .assessment.facts import vocabulary_markdown

    click.echo(vocabulary_markdown(), nl=False)


@rubric.command("schema")
def rubric_schema() -> None:
    """Print the JSON Schema of rubric files."""
    from .assessment.rubric import rubric_schema as schema

    click.echo(jsontext.dumps(schema(), indent=2))


@main.group()
def schema() -> None:
    """Print the published schemas of evidencekit's input formats."""


@schema.command("submission")
@click.option("--format", "fmt", type=click.Choice(["json", "markdown"]), default="json",
              show_default=True,
              help="The JSON Schema (json), or the documentation's table of keys (markdown).")
def schema_submission(fmt: str) -> None:
    """Print the JSON Schema of submission files (or their table of keys).

    Both come from the one declaration of the format the validator uses.
    """
    from .load.definition import submission_json_schema, submission_keys_markdown

    if fmt == "markdown":
        click.echo(submission_keys_markdown(), nl=False)
    else:
        click.echo(jsontext.dumps(submission_json_schema(), indent=2, ensure_ascii=False))


@schema.command("rubric")
def schema_rubric() -> None:
    """Print the JSON Schema of rubric files (the same as `evidencekit rubric schema`)."""
    from .assessment.rubric import rubric_schema as rubric_json_schema

    click.echo(jsontext.dumps(rubric_json_schema(), indent=2))


@main.command()
@click.option("--n-per-group", "n_per_group", type=int, default=None, metavar="N",
              help="People per group: print the minimum detectable effect size (MDES), or with "
                   "--p-control/--p-treatment the power.")
@click.option("--mdes", "target", type=float, default=None, metavar="D",
              help="Effect size to detect: print the people (or clusters, or pairs) needed.")
@click.option("--clusters", type=int, default=None, metavar="J",
              help="Cluster trial: clusters in both arms together.")
@click.option("--cluster-size", "cluster_size", type=float, default=None, metavar="n",
              help="Cluster trial: people per cluster (average).")
@click.option("--icc", type=float, default=None, metavar="ρ",
              help="Cluster trial: intraclass correlation (0.20 is typical for attainment).")
@click.option("--r2-level1", "r2_level1", type=float, default=None, metavar="R²",
              help="Cluster trial: share of the individual-level variance explained by "
                   "covariates (e.g. a pretest).")
@click.option("--r2-level2", "r2_level2", type=float, default=None, metavar="R²",
              help="Cluster trial: share of the cluster-level variance explained by "
                   "cluster-level covariates.")
@click.option("--covariates", type=int, default=None, metavar="G",
              help="Cluster trial: number of cluster-level covariates (each costs a degree "
                   "of freedom).")
@click.option("--pairs", type=int, default=None, metavar="N",
              help="Paired (pre-post) design: number of pairs; print the MDES (d_z).")
@click.option("--paired", is_flag=True,
              help="Paired (pre-post) design with --mdes: print the pairs needed.")
@click.option("--p-control", "p_control", type=float, default=None, metavar="P",
              help="Binary outcome: proportion with the outcome in the control group.")
@click.option("--p-treatment", "p_treatment", type=float, default=None, metavar="P",
              help="Binary outcome: proportion expected in the treatment group.")
@click.option("--n-treatment", "n_treatment", type=int, default=None, metavar="N",
              help="Binary outcome, unequal groups: people treated.")
@click.option("--n-control", "n_control", type=int, default=None, metavar="N",
              help="Binary outcome, unequal groups: controls.")
@click.option("--alpha", type=float, default=0.05, show_default=True,
              help="Two-sided significance level.")
@click.option("--power", "power_", type=float, default=0.80, show_default=True,
              help="Power (1 − β).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output for people (text) or programs (json).")
def power(n_per_group: int | None, target: float | None, clusters: int | None,
          cluster_size: float | None, icc: float | None, r2_level1: float | None,
          r2_level2: float | None, covariates: int | None, pairs: int | None, paired: bool,
          p_control: float | None, p_treatment: float | None, n_treatment: int | None,
          n_control: int | None, alpha: float, power_: float, fmt: str) -> None:
    """Plan a study: the MDES for a sample, or the sample for an MDES (SPEC 3.11).

    \b
    Examples:
      evidencekit power --n-per-group 100
      evidencekit power --mdes 0.3
      evidencekit power --pairs 40
      evidencekit power --paired --mdes 0.3
      evidencekit power --p-control 0.30 --p-treatment 0.40
      evidencekit power --p-control 0.30 --p-treatment 0.40 --n-treatment 200 --n-control 150
      evidencekit power --clusters 40 --cluster-size 25 --icc 0.2
      evidencekit power --clusters 40 --cluster-size 25 --icc 0.2 --r2-level1 0.5 \\
          --r2-level2 0.5 --covariates 1
      evidencekit power --mdes 0.25 --cluster-size 25 --icc 0.2 --format json
    """
    from .planning import PowerRequest, plan

    text, out = plan(PowerRequest(
        n_per_group=n_per_group, target=target, clusters=clusters, cluster_size=cluster_size,
        icc=icc, alpha=alpha, power=power_, pairs=pairs, paired=paired, p_control=p_control,
        p_treatment=p_treatment, n_treatment=n_treatment, n_control=n_control,
        r2_level1=r2_level1, r2_level2=r2_level2, covariates=covariates))
    if fmt == "json":
        click.echo(_json(out))
    else:
        click.echo(text)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but 127.0.0.1/localhost lets other "
                   "computers reach the app and the data entered in it.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port to listen on (0: a free port).")
@click.option("--max-upload-mb", "max_upload_mb", type=click.FloatRange(min=0, min_open=True),
              default=50, show_default=True, help="Largest outcome file accepted, in MB.")
@click.option("--session-timeout", "timeout", type=click.IntRange(min=1), default=120,
              show_default=True, metavar="MINUTES",
              help="Delete a session's answers and uploads after this long without use.")
@click.option("--allowed-host", "allowed_host", multiple=True, metavar="NAME",
              help="Another Host name the app answers to (repeatable); the Host check stays "
                   "on whatever --host is.")
def serve(host: str, port: int, max_upload_mb: float, timeout: int,
          allowed_host: tuple[str, ...]) -> None:
    """Start the self-assessment web app for grantees, on this computer.

    Open the address it prints in a browser. Press Ctrl+C to stop; every session's answers
    and uploaded files are then deleted.
    """
    import sys

    from .web import bind
    from .web import serve as run
    from .web.app import WebConfig, allowed_hosts_for, loopback

    if not loopback(host):
        click.echo(f"Warning: listening on {host}, so other computers on the network can "
                   "open this app and see the answers and files entered in it. Use "
                   "--host 127.0.0.1 unless you mean that.", err=True)
    try:
        sock = bind(host, port)
    except OSError as exc:
        from .errors import UsageError

        raise UsageError.one(None, "a host and port this computer can listen on",
                             f"{host}:{port} ({exc.strerror or exc})") from None
    config = WebConfig(max_upload_bytes=int(max_upload_mb * (1 << 20)),
                       session_timeout_seconds=timeout * 60.0,
                       allowed_hosts=(*(allowed_hosts_for(host) or ()), *allowed_host))

    def announce(url: str) -> None:
        click.echo(f"evidencekit self-assessment is running at {url}", nl=True)
        click.echo("Open it in your browser. Press Ctrl+C to stop (answers and uploads are "
                   "then deleted).")
        sys.stdout.flush()

    run(sock, config, announce)
    click.echo("Stopped. Every session's answers and uploaded files have been deleted.")


@main.command("self-assess")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="The submission file to write (YAML); if it exists, carry on from it.")
@click.option("--rubric", "rubric", default=DEFAULT_RUBRIC, show_default=True,
              help="Bundled rubric id or path to a rubric file.")
def self_assess(out: str, rubric: str) -> None:
    """Answer the self-assessment questions in the terminal; writes OUT and assesses it.

    \b
    Example:
      evidencekit self-assess --out my-programme.yaml
    """
    from pathlib import Path

    from .api import assess
    from .self_assess import run, show_in_plain_words

    run(Path(out), rubric, assess=assess, show=show_in_plain_words)


from .review.cli import review_command, round_group  # noqa: E402  (the review round; light)

main.add_command(round_group)
main.add_command(review_command)


if __name__ == "__main__":  # pragma: no cover
    main()
