"""``evidencekit round …`` (the funder's and reviewers' terminal commands) and
``evidencekit review ROUND`` (the reviewer view in the browser): thin layers over
:mod:`evidencekit.review.service`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .. import jsontext

_DATABASE = click.option(
    "--database", "database", default=None, metavar="URL",
    envvar="EVIDENCEKIT_REVIEW_DATABASE",
    help="The review store: a postgresql://… URL or a SQLite file (default: "
         "evidencekit-review.sqlite3 in the round folder).")
_REVIEWER = click.option("--reviewer", "reviewer", required=True, metavar="NAME",
                         help="Your name, as the funder set it up.")
_TOKEN = click.option("--token", "token", envvar="EVIDENCEKIT_REVIEW_TOKEN", prompt=True,
                      hide_input=True, metavar="TOKEN",
                      help="Your token (or set EVIDENCEKIT_REVIEW_TOKEN; asked for if not "
                           "given, without echo).")


def _open(round_dir: str, database: str | None) -> Any:
    from .round import open_round

    store, _ = open_round(round_dir, database)
    return store


@click.group("round")
def round_group() -> None:
    """A review round: set it up, record judgements, see its status, export its reviews.

    \b
    Examples:
      evidencekit round setup ROUND round.yaml
      evidencekit round judge ROUND --reviewer "Ada Khan" --application city-year \\
          --criterion nesta.L3.comparison --decision validated --reason "…"
      evidencekit round import ROUND my-judgements.yaml --reviewer "Ada Khan"
      evidencekit round status ROUND
      evidencekit round export ROUND --out reviews.csv
      evidencekit batch ROUND --out results      # scores with the validated level
    """


@round_group.command("setup")
@click.argument("round_dir", metavar="ROUND", type=click.Path(path_type=str))
@click.argument("setup", metavar="SETUP", type=click.Path(path_type=str))
@_DATABASE
def setup_cmd(round_dir: str, setup: str, database: str | None) -> None:
    """Set up ROUND (a folder of submissions or a manifest) for review from SETUP
    (evidencekit/round@1: reviewers, tokens, assignments)."""
    from .round import setup_round

    store, reviewers, plan = setup_round(round_dir, setup, database)
    n = sum(len(v) for v in plan.values())
    click.echo(f"Round {round_dir}: {len(store.applications())} applications, "
               f"{len(reviewers)} reviewers, {n} assignments; review store {store.where}.")
    for r in reviewers:
        if r.generated:
            click.echo(f"  token for {r.name} ({r.role}): {r.token}  (shown once; give it to "
                       "them privately)")


@round_group.command("judge")
@click.argument("round_dir", metavar="ROUND", type=click.Path(path_type=str))
@_REVIEWER
@_TOKEN
@click.option("--application", required=True, help="The application's id.")
@click.option("--criterion", required=True, help="The claimed criterion, e.g. "
                                                 "nesta.L3.comparison.")
@click.option("--decision", required=True, type=click.Choice(["validated", "rejected"]))
@click.option("--reason", default="", help="Why (required for a moderator).")
@_DATABASE
def judge_cmd(round_dir: str, reviewer: str, token: str, application: str, criterion: str,
              decision: str, reason: str, database: str | None) -> None:
    """Record one judgement on a claimed criterion (a moderator's decides a dispute)."""
    from .service import login, record

    store = _open(round_dir, database)
    who = login(store, reviewer, token)
    j = record(store, who, {"application": application, "criterion": criterion,
                            "decision": decision, "reason": reason})
    click.echo(f"Recorded #{j.seq}: {who.name} ({j.role}) {j.decision} {j.criterion} of "
               f"{j.application} (submission {str(j.submission_sha256)[:12]}…).")


@round_group.command("import")
@click.argument("round_dir", metavar="ROUND", type=click.Path(path_type=str))
@click.argument("file", metavar="FILE", type=click.Path(path_type=str))
@_REVIEWER
@_TOKEN
@_DATABASE
def import_cmd(round_dir: str, file: str, reviewer: str, token: str,
               database: str | None) -> None:
    """Record the judgements in FILE (evidencekit/judgements@1), all as --reviewer: every one
    is checked first, then recorded (none is recorded if one is wrong)."""
    from ..errors import InputError
    from ..load.document import parse, read_text
    from .service import login

    store = _open(round_dir, database)
    who = login(store, reviewer, token)
    p = Path(file)
    doc = parse(read_text(p, what="a judgements file"), str(p),
                json_syntax=p.suffix.lower() == ".json")
    from .files import judgements_of

    items = judgements_of(doc, need_application=True)
    problems = [j for j in items if j.reviewer != who.name]
    if problems:
        raise InputError.one(file, f"judgements by {who.name} only",
                             f"one by {problems[0].reviewer!r}", key="judgements.reviewer")
    raw = doc.value["judgements"]
    import hashlib

    from ..jsontext import dumps
    from .service import prepare

    # Every judgement is checked first (each application assessed once), then all are
    # recorded in one transaction: none is recorded if one is wrong.
    claims: dict[str, tuple[frozenset[str], str | None]] = {}
    lines = [doc.line_of(("judgements", i)) for i in range(len(raw))]
    batch = []
    for i, item in enumerate(raw):
        try:
            j = prepare(store, who, dict(item), source=file, line=lines[i], claims=claims)
        except InputError as exc:
            first = exc.problems[0]
            if first.key == "criterion":  # named by its place in the file
                raise InputError.one(file, first.expected, first.found,
                                     key=f"judgements[{i}].criterion", line=lines[i]
                                     ) from exc
            raise
        # The same item imported again (the same file twice) is recorded once: its id is
        # its content as written, not the time it happens to be recorded at.
        digest = hashlib.sha256(dumps([who.name, item], sort_keys=True,
                                      default=str).encode()).hexdigest()
        batch.append((j, f"import:{digest}"))
    store.record_many(batch, source=file, lines=lines)
    click.echo(f"Recorded {len(items)} judgements by {who.name} from {file}.")


@round_group.command("conflict")
@click.argument("round_dir", metavar="ROUND", type=click.Path(path_type=str))
@_REVIEWER
@_TOKEN
@click.option("--application", required=True)
@click.option("--reason", required=True, help="The conflict of interest, in a sentence.")
@_DATABASE
def conflict_cmd(round_dir: str, reviewer: str, token: str, application: str, reason: str,
                 database: str | None) -> None:
    """Declare a conflict of interest: you are excluded from the application."""
    from .service import login

    store = _open(round_dir, database)
    who = login(store, reviewer, token)
    seq = store.declare_conflict(application, who.name, reason)
    click.echo(f"Recorded #{seq}: {who.name} has a conflict of interest with {application} "
               "and is excluded from it.")


@round_group.command("submit")
@click.argument("round_dir", metavar="ROUND", type=click.Path(path_type=str))
@_REVIEWER
@_TOKEN
@click.option("--application", required=True)
@_DATABASE
def submit_cmd(round_dir: str, reviewer: str, token: str, application: str,
               database: str | None) -> None:
    """Mark your review of an application finished (blind review: you then see the others')."""
    from .service import login

    store = _open(round_dir, database)
    who = login(store, reviewer, token)
    store.mark_submitted(application, who.name)
    click.echo(f"{who.name} has submitted the review of {application}.")


@round_group.command("status")
@click.argument("round_dir", metavar="ROUND", type=click.Path(path_type=str))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@_DATABASE
def status_cmd(round_dir: str, fmt: str, database: str | None) -> None:
    """Each application's verified, validated and claimed level and the state of its claims;
    each pair of reviewers' agreement (Cohen's kappa)."""
    from ..inert import terminal_text
    from .service import status

    st = status(_open(round_dir, database))
    if fmt == "json":
        click.echo(jsontext.dumps(st.to_dict(), indent=2, ensure_ascii=False))
        return
    for row in st.applications:
        if "error" in row:
            click.echo(terminal_text(f"{row['application']}: cannot be assessed: "
                                     f"{row['error']}"))
            continue
        click.echo(terminal_text(
            f"{row['application']}: verified {row['level']}, validated "
            f"{row['validated_level']}, claimed {row['claimed_level']}; reviewers: "
            f"{', '.join(row['reviewers']) or 'none assigned'}"))
        for crit, decision in row["claims"].items():
            click.echo(terminal_text(f"    {crit}: {decision}"))
    if st.agreement:
        click.echo("Agreement between reviewers (Cohen's kappa over the claims both judged):")
        for p in st.agreement:
            k = "undefined (one category only)" if p.kappa is None else f"{p.kappa:.2f}"
            click.echo(terminal_text(f"    {p.reviewers[0]} and {p.reviewers[1]}: kappa {k}, "
                                     f"{p.agreed} of {p.items} in agreement"))


@round_group.command("export")
@click.argument("round_dir", metavar="ROUND", type=click.Path(path_type=str))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="reviews.csv, reviews.xlsx, or a judgements file (.yaml/.json); with "
                   "--scores: scores.csv or scores.xlsx.")
@click.option("--application", default=None, help="Only this application.")
@click.option("--reviewer", default=None,
              help="Only this reviewer's judgements (with --scores: the applications "
                   "assigned to this reviewer).")
@click.option("--scores", is_flag=True,
              help="Each application's verified, validated and claimed level and its claims' "
                   "states (as `round status` shows them), not the judgements.")
@click.option("--min-level", "min_level", type=int, default=None, metavar="N",
              help="With --scores: only applications whose validated level is at least N.")
@click.option("--disputed", is_flag=True,
              help="With --scores: only applications with a disputed claim.")
@click.option("--audit", is_flag=True, help="The whole audit trail (every action), as CSV.")
@_DATABASE
def export_cmd(round_dir: str, out: str, application: str | None, reviewer: str | None,
               scores: bool, min_level: int | None, disputed: bool, audit: bool,
               database: str | None) -> None:
    """Export the round's judgements (filtered), its scores (--scores, filtered), or its whole
    audit trail."""
    from .service import export_rows, write_export

    store = _open(round_dir, database)
    path = Path(out)
    if not scores and (min_level is not None or disputed):
        from .store import ReviewError

        raise ReviewError.one(None, "--min-level and --disputed only with --scores",
                              "them without --scores", key="--scores")
    if scores:
        from .service import score_export, status, write_scores

        header, table = score_export(store, status(store), application=application,
                                     reviewer=reviewer, min_level=min_level,
                                     disputed=disputed)
        write_scores(path, header, table)
        click.echo(f"Wrote {len(table)} of {len(store.applications())} applications' scores "
                   f"to {out}.")
        return
    if audit:
        import csv
        import io

        from ..batch.store import atomic_write_text
        from ..inert import cell_text

        rows = store.audit()
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        cols = list(rows[0]) if rows else ["seq"]
        w.writerow(cols)
        for r in rows:
            w.writerow(["" if r[c] is None else cell_text(str(r[c])) for c in cols])
        atomic_write_text(path, buf.getvalue())
        click.echo(f"Wrote {len(rows)} audit rows to {out}.")
        return
    rows = export_rows(store, application=application, reviewer=reviewer)
    keep = {r["seq"] for r in rows}
    write_export(rows, path, [j for j in store.judgements(application) if j.seq in keep])
    click.echo(f"Wrote {len(rows)} judgements to {out}.")


@click.command("review")
@click.argument("round_dir", metavar="ROUND", type=click.Path(path_type=str))
@_DATABASE
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but 127.0.0.1/localhost lets other "
                   "computers reach the reviewer view.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port to listen on (0: a free port).")
@click.option("--allowed-host", "allowed_host", multiple=True, metavar="NAME",
              help="Another Host name the view answers to (repeatable).")
def review_command(round_dir: str, database: str | None, host: str, port: int,
                   allowed_host: tuple[str, ...]) -> None:
    """Start the reviewer view of ROUND in the browser (set it up first with
    `evidencekit round setup`). Reviewers sign in with their name and token and see only
    the applications assigned to them. Press Ctrl+C to stop; nothing recorded is lost."""
    import sys

    from ..web import bind
    from ..web.app import allowed_hosts_for, loopback
    from ..web.review_app import serve_review

    store = _open(round_dir, database)
    if not loopback(host):
        click.echo(f"Warning: listening on {host}, so other computers on the network can "
                   "open the reviewer view (reviewers still need their tokens). Use "
                   "--host 127.0.0.1 unless you mean that.", err=True)
    try:
        sock = bind(host, port)
    except OSError as exc:
        from ..errors import UsageError

        raise UsageError.one(None, "a host and port this computer can listen on",
                             f"{host}:{port} ({exc.strerror or exc})") from None

    def announce(url: str) -> None:
        click.echo(f"evidencekit review of {round_dir} is running at {url}")
        click.echo("Reviewers sign in with their name and token. Press Ctrl+C to stop.")
        sys.stdout.flush()

    serve_review(sock, store, Path(round_dir).name,
                 (*(allowed_hosts_for(host) or ()), *allowed_host), announce)
    click.echo("Stopped. Every judgement recorded is in the round's review store.")
