"""``evidencekit self-assess``: the questionnaire of :mod:`evidencekit.questionnaire`, asked in
the terminal with click prompts.

Every answer has a default (the answer already in the file when resuming), is checked by the
same :meth:`~evidencekit.questionnaire.Field.parse` as the web form and asked again when it
cannot be used. The file is written after each part, so stopping (Ctrl+C) loses at most the
part being answered; running the same command again resumes from the file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import questionnaire as q

SEPARATOR = ";"


def _note(text: str) -> None:
    if text:
        click.echo(click.style("  " + text, dim=True))


def _heading(title: str, intro: str = "") -> None:
    click.echo()
    click.echo(click.style(title, bold=True))
    click.echo(click.style("─" * min(len(title), 60), bold=True))
    if intro:
        click.echo(click.wrap_text(intro, width=88))


def ask(f: q.Field, current: str) -> str:
    """Ask one field until the answer can be used; returns the answer as typed."""
    if f.help:
        _note(f.help)
    if f.example:
        _note(f"For example: {f.example}")
    label = f.label
    if f.kind == "lines":
        label += f" (separate several with '{SEPARATOR}')"
    if f.kind == "choice":
        for n, c in enumerate(f.choices, 1):
            click.echo(f"  {n}. {c.label}" + (click.style(f" — {c.explain}", dim=True)
                                              if c.explain else ""))
        label += f" (1-{len(f.choices)})"
        numbers = {c.value: str(n) for n, c in enumerate(f.choices, 1)}
        current = numbers.get(current or q.default_answer(f.key), current)
    if f.kind == "yes_no":
        label += " (yes / no / Enter if not sure)" if not current else " (yes / no / ? not sure)"
    if not f.required and f.kind not in ("yes_no", "choice"):
        label += " (optional" + ("; - to clear" if current else "") + ")"
    if f.kind == "lines":
        current = current.replace("\n", f"{SEPARATOR} ")

    def check(raw: str) -> str:
        text = raw.strip()
        if text == "-" and f.kind != "yes_no":
            text = ""
        if f.kind == "choice" and text.isdigit() and 1 <= int(text) <= len(f.choices):
            text = f.choices[int(text) - 1].value
        try:
            value = f.parse(text, separator=SEPARATOR)
        except q.AnswerError as exc:
            raise click.BadParameter(str(exc)) from None
        if f.kind == "lines":
            return "\n".join(value) if isinstance(value, list) else ""
        if f.kind == "yes_no":
            return "" if value is None else ("yes" if value else "no")
        return text

    answer: str = click.prompt(label, default=current or "", show_default=bool(current),
                               value_proc=check)
    return answer


def ask_section(section: q.Section, values: dict[str, str]) -> None:
    _heading(section.title, section.intro)
    for f in section.fields:
        if f.applies(values):
            values[f.key] = ask(f, values.get(f.key, ""))


def ask_evaluation(ev: dict[str, str], folder: Path) -> dict[str, str]:
    out = dict(ev)
    for section in q.EVALUATION_SECTIONS:
        if not section.applies(out):
            continue
        _heading(section.title, section.intro)
        for f in section.fields:
            if f.applies(out):
                out[f.key] = ask(f, out.get(f.key, ""))
            if f.key == "source" and out.get("source") == "data":
                ask_data(out, folder)
    if out.get("source") != "data":
        for k in [k for k in out if k == "data" or k.startswith("columns.")]:
            del out[k]
    return out


def ask_data(ev: dict[str, str], folder: Path) -> None:
    """The data file (inside the submission's folder) and which column holds what."""
    from .web.uploads import columns, describe_problem, group_labels

    _heading("The data file", "A CSV, Excel (.xlsx) or Parquet file with one row per person, "
             f"in the folder of your submission file ({folder}) or a folder inside it.")

    def check_path(raw: str) -> str:
        text = raw.strip()
        path = q.safe_relative(text, folder)
        if path is None:
            raise click.BadParameter("Give a .csv, .xlsx or .parquet file inside "
                                     f"{folder}, as a path relative to it (such as "
                                     f"{q.DATA_FOLDER}/outcomes.csv).")
        if not path.is_file():
            raise click.BadParameter(f"There is no file {text!r} in {folder}.")
        try:
            columns(path)
        except Exception as exc:
            raise click.BadParameter(" ".join(describe_problem(exc, text))) from None
        return text

    current = ev.get("data", "")
    ev["data"] = click.prompt("Data file", default=current or "", show_default=bool(current),
                              value_proc=check_path)
    path = folder / ev["data"]
    cols = columns(path)
    names = [c.name for c in cols]
    click.echo("Columns: " + ", ".join(
        f"{c.name}" + (click.style(f" (e.g. {', '.join(c.examples[:3])})", dim=True)
                       if c.examples else "") for c in cols))
    for role, label, help_text, needed in q.column_roles(ev.get("design", "")):
        _note(help_text)
        current = ev.get(f"columns.{role}", "")
        choices = names if needed else ["-", *names]
        picked = click.prompt(f"Column for: {label}", type=click.Choice(choices),
                              default=current or (None if needed else "-"),
                              show_choices=len(names) <= 12)
        ev[f"columns.{role}"] = "" if picked == "-" else picked
        if role == "group" and ev.get("design") in q.TWO_GROUP:
            labels = [lab for lab, _ in group_labels(path, picked)]
            if len(labels) != 2:
                raise click.UsageError(f"The group column {picked!r} of {ev['data']} has "
                                       f"{len(labels)} values ({', '.join(labels[:8])}); it "
                                       "needs exactly two: fix the file and run again.")
            t = ev.get("columns.treatment", "")
            ev["columns.treatment"] = click.prompt(
                "Which value marks people who took part in the programme?",
                type=click.Choice(labels), default=t if t in labels else None)


def load_existing(path: Path, rubric: str) -> q.Answers:
    from .load.document import parse, read_text

    doc = parse(read_text(path), str(path), json_syntax=path.suffix.lower() == ".json")
    if not isinstance(doc.value, dict):
        from .errors import SubmissionError

        raise SubmissionError.one(str(path), "a submission (a mapping with at least "
                                  "'programme')", "something else")
    return q.from_submission(doc.value, rubric)


def save(answers: q.Answers, path: Path, rubric: str) -> None:
    """Write the answers as a submission file (atomically), with how to go on in comments."""
    from .report import write_atomic

    doc = q.to_submission(answers)
    header = ["Written by evidencekit self-assess.",
              f"Continue answering with: evidencekit self-assess --out {path.name} "
              f"--rubric {rubric}",
              f"Assess it with: evidencekit assess {path.name} --rubric {rubric}"]
    write_atomic(path, q.to_yaml(doc, header=header).encode("utf-8"))


def run(out: Path, rubric_arg: str, *, assess: Callable[..., Any]) -> Any:
    """Ask everything, writing ``out`` after each part; returns the assessment.

    ``rubric_arg`` is the ``--rubric`` value (a bundled id or a path), repeated in the file's
    comments so that the commands there work as written."""
    from .assessment.rubric import load_rubric

    rubric = load_rubric(rubric_arg)
    folder = out.resolve().parent
    if out.exists():
        answers = load_existing(out, rubric.id)
        click.echo(f"Carrying on from {out}: press Enter to keep the answer shown in "
                   "[brackets]; type - to clear an optional one.")
    else:
        answers = q.Answers(rubric=rubric.id)
        click.echo(f"Answers go to {out}, which is written after each part: stop any time "
                   "with Ctrl+C and run the same command to carry on.")
    click.echo(f"Framework: {rubric.title}. Only the programme name is needed; the more you "
               "give, the more can be checked.")

    for section in q.PROGRAMME_SECTIONS:
        ask_section(section, answers.values)
        save(answers, out, rubric_arg)

    _heading("Evaluations", "An evaluation is any time you measured the programme's outcomes: "
             "a survey before and after, a comparison group, or a trial.")
    kept = []
    for e in answers.kept:
        name = e.get("title") or e.get("id")
        if click.confirm(f"Keep the evaluation '{name}' as it is in the file?", default=True):
            kept.append(e)
    answers.kept = kept
    evaluations = []
    for ev in answers.evaluations:
        name = ev.get("title") or "an evaluation"
        if not click.confirm(f"Keep the evaluation '{name}'?", default=True):
            continue
        if click.confirm(f"Change the answers about '{name}'?", default=False):
            ev = ask_evaluation(ev, folder)
        evaluations.append(ev)
    answers.evaluations = evaluations
    save(answers, out, rubric_arg)
    while click.confirm("Add " + ("another" if answers.evaluations or answers.kept else "an")
                        + " evaluation?", default=False):
        answers.evaluations.append(ask_evaluation({}, folder))
        save(answers, out, rubric_arg)

    shown: dict[str, str] = {}
    try:
        without = q.Answers(answers.rubric, {k: v for k, v in answers.values.items()
                                             if not k.startswith("claims.")},
                            answers.evaluations, answers.kept, answers.extra)
        from .load import load_submission

        shown = q.shown_by_evidence(assess(load_submission(q.to_submission(without),
                                                           base_dir=folder), rubric=rubric))
    except Exception:  # the final assessment reports any problem in full
        shown = {}
    _heading(f"Questions from the {rubric.title}",
             "Answer what your evidence does not already show. Say yes only if you could back "
             "it up: the result keeps what the evidence shows (verified) apart from what you "
             "say (claimed).")
    for group in q.questions_for(rubric):
        click.echo()
        click.echo(click.style(f"Level {group.level}: {group.title}", bold=True))
        for question in group.questions:
            a_key, n_key = q.claim_keys(question.id)
            if question.id in shown:
                click.echo(f"  ✓ {question.question}")
                _note(f"Already shown: {shown[question.id]}")
                continue
            f = q.Field(a_key, question.question, "yes_no", help=question.help,
                        example=question.example)
            answers.values[a_key] = ask(f, answers.values.get(a_key, ""))
            if answers.values[a_key]:
                note = q.Field(n_key, "Tell us more: where is the evidence, or when will it be "
                               "ready?", "long_text")
                answers.values[n_key] = ask(note, answers.values.get(n_key, ""))
        save(answers, out, rubric_arg)
    click.echo()
    click.echo(f"Wrote {out}.")
    click.echo()
    return assess(out, rubric=rubric)
