"""``evidencekit self-assess``: the questionnaire of :mod:`evidencekit.questionnaire`, asked in
the terminal with click prompts.

Every answer is checked by the same :meth:`~evidencekit.questionnaire.Field.parse` as the web
form and asked again, with the reason, when it cannot be used; a choice is taken by its number
or its words. Each answer is saved as it is given: the submission file (``--out``) is rewritten
after every answer that belongs in it — and only when the whole file passes the same checks as
``evidencekit assess`` — and a small progress file beside it (``.NAME.progress.json``) keeps
where the person is and an evaluation still being typed. Running the same command again shows
the parts with what is in them and carries on where the person left off; any earlier part can
be reviewed and changed, and an evaluation changed or removed, without touching the rest.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from . import jsontext
from . import questionnaire as q

SEPARATOR = ";"
#: The parts, in order: the programme's sections, the evaluations, the framework's questions.
PARTS: tuple[tuple[str, str], ...] = (
    *((s.id, s.title) for s in q.PROGRAMME_SECTIONS),
    ("evaluations", "Evaluations"),
    ("questions", "The framework's questions"),
)
PART_IDS = tuple(p for p, _ in PARTS)


def width() -> int:
    """The width to wrap at: the terminal's, at most 100 columns."""
    return max(40, min(shutil.get_terminal_size((100, 24)).columns, 100) - 1)


def _wrap(text: str, indent: str = "") -> str:
    return "\n".join(textwrap.wrap(text, width(), initial_indent=indent,
                                   subsequent_indent=indent, break_long_words=False,
                                   break_on_hyphens=False)) or indent


def _bad(message: str) -> click.BadParameter:
    """A refused answer, its message wrapped to fit after click's "Error: "."""
    return click.BadParameter(textwrap.fill(message, width() - 8, break_long_words=False,
                                            break_on_hyphens=False))


def _note(text: str) -> None:
    if text:
        click.echo(click.style(_wrap(text, "  "), dim=True))


def _heading(title: str, intro: str = "") -> None:
    click.echo()
    click.echo(click.style(title, bold=True))
    click.echo(click.style("─" * min(len(title), 60), bold=True))
    if intro:
        click.echo(_wrap(intro))


def prompt(label: str, *, default: str = "", show_default: bool = True,
           value_proc: Callable[[str], Any] | None = None, **kwargs: Any) -> Any:
    """``click.prompt`` with the label wrapped between words at the terminal's width: every
    line but the last is printed first, so no word is broken."""
    room = width() - (len(default) + 5 if default and show_default else 2)
    lines = textwrap.wrap(label, max(room, 20), break_long_words=False,
                          break_on_hyphens=False) or [label]
    for line in lines[:-1]:
        click.echo(line)
    return click.prompt(lines[-1], default=default, show_default=show_default,
                        value_proc=value_proc, **kwargs)


def confirm(label: str, default: bool = False) -> bool:
    """A yes/no question answered ``y``/``yes`` or ``n``/``no`` (Enter: the default)."""
    def check(raw: str) -> bool:
        low = raw.strip().casefold()
        if low in q.YES:
            return True
        if low in q.NO:
            return False
        raise _bad("Answer yes or no.")

    answer: bool = prompt(f"{label} (yes / no)", default="yes" if default else "no",
                          value_proc=check)
    return answer


def ask(f: q.Field, current: str, values: dict[str, str] | None = None) -> str:
    """Ask one field until the answer can be used; returns the answer as the form keeps it
    (a choice's value, "yes"/"no"/"" for yes-no, lines joined by newlines, other text as
    typed). ``values`` are the other answers (they decide which choices fit)."""
    if f.help:
        _note(f.help)
    if f.example:
        _note(f"For example: {f.example}")
    label = f.label
    shown = current
    if f.kind == "lines":
        label += f" (separate several with '{SEPARATOR}')"
        shown = current.replace("\n", f"{SEPARATOR} ")
    options = f.options(values)
    if f.kind == "choice":
        for n, c in enumerate(options, 1):
            click.echo(_wrap(f"{n}. {c.label}" + (f" — {c.explain}" if c.explain else ""),
                             "  "))
        label += f" (1-{len(options)}, or its words)"
        picked = current or q.default_answer(f.key)
        shown = next((str(n) for n, c in enumerate(options, 1) if c.value == picked), "")
    if f.kind == "yes_no":
        label += " (yes / no / not sure)"
        shown = current or "not sure"
    elif not f.required and f.kind != "choice":
        label += " (optional" + ("; - to clear" if current else "") + ")"

    def check(raw: str) -> str:
        text = raw.strip()
        if text == "-" and f.kind != "yes_no":
            text = ""
        try:
            if f.kind == "choice":
                if not text and not f.required:
                    return ""
                value: Any = f.choose(text, values) if text else f.parse(text)
            else:
                value = f.parse(text, separator=SEPARATOR)
        except q.AnswerError as exc:
            raise _bad(str(exc)) from None
        if f.kind == "lines":
            return "\n".join(value) if isinstance(value, list) else ""
        if f.kind == "yes_no":
            return "" if value is None else ("yes" if value else "no")
        if f.kind in ("choice", "currency"):
            return "" if value is None else str(value)
        return text

    answer: str = prompt(label, default=shown, show_default=bool(shown), value_proc=check)
    if f.kind in ("choice", "currency") and answer and answer != current:
        click.echo(click.style(f"  → {f.show_choice(answer)}", dim=True))
    for warning in f.warnings(answer):
        click.echo(_wrap(f"Check: {warning}", "  "))
    return answer


def load_existing(path: Path, rubric: str) -> q.Answers:
    from .load.document import parse, read_text

    doc = parse(read_text(path), str(path), json_syntax=path.suffix.lower() == ".json")
    if not isinstance(doc.value, dict):
        from .errors import SubmissionError

        raise SubmissionError.one(str(path), "a submission (a mapping with at least "
                                  "'programme')", "something else")
    return q.from_submission(doc.value, rubric)


# -- progress ----------------------------------------------------------------------------------


@dataclass
class Progress:
    """Where the person is, kept beside the submission file between runs."""

    done: list[str] = field(default_factory=list)
    part: str = PART_IDS[0]
    #: The last field answered in ``part`` (carrying on starts after it).
    key: str = ""
    #: An evaluation being typed, and the position it will take (None: a new one).
    draft: dict[str, str] | None = None
    draft_index: int | None = None
    #: SHA-256 of the submission file as last written (a file changed since is re-read).
    sha256: str = ""

    def next_part(self) -> str:
        """The part to carry on with: the one being answered, else the first not done."""
        if self.part not in self.done:
            return self.part
        return next((p for p in PART_IDS if p not in self.done), "finish")


def progress_path(out: Path) -> Path:
    return out.with_name(f".{out.name}.progress.json")


def read_progress(out: Path) -> Progress:
    """The saved progress of ``out`` (a fresh one when there is none or it does not fit)."""
    try:
        raw = json.loads(progress_path(out).read_text(encoding="utf-8"))
        p = Progress(done=[d for d in raw.get("done", []) if d in PART_IDS],
                     part=raw.get("part") if raw.get("part") in PART_IDS else PART_IDS[0],
                     key=str(raw.get("key") or ""),
                     draft={str(k): str(v) for k, v in raw["draft"].items()}
                     if isinstance(raw.get("draft"), dict) else None,
                     draft_index=raw.get("draft_index") if isinstance(
                         raw.get("draft_index"), int) else None,
                     sha256=str(raw.get("sha256") or ""))
    except (OSError, ValueError, AttributeError, TypeError):
        return Progress(part="")  # none: the parts with answers count as done (see run)
    return p


def progress_from_answers(answers: q.Answers) -> Progress:
    """Progress for a file written elsewhere (the web app, by hand): every part with an
    answer counts as done, and carrying on starts at the first part without one."""
    done = [s.id for s in q.PROGRAMME_SECTIONS
            if any(answers.values.get(f.key) for f in s.fields)]
    if answers.evaluations or answers.kept:
        done.append("evaluations")
    if any(k.startswith("claims.") and v for k, v in answers.values.items()):
        done.append("questions")
    first = next((p for p in PART_IDS if p not in done), PART_IDS[-1])
    return Progress(done=done, part=first)


@dataclass
class Run:
    """One ``self-assess`` run: the answers, where they go, and how far they are."""

    out: Path
    rubric_arg: str
    rubric: Any
    answers: q.Answers
    progress: Progress

    @property
    def folder(self) -> Path:
        return self.out.resolve().parent

    def save(self) -> None:
        """Write the submission (when it passes the checks) and the progress file."""
        from .report import write_atomic

        doc = q.to_submission(self.answers)
        header = ["Written by evidencekit self-assess.",
                  f"Continue answering with: evidencekit self-assess --out {self.out.name} "
                  f"--rubric {self.rubric_arg}",
                  f"Assess it with: evidencekit assess {self.out.name} --rubric "
                  f"{self.rubric_arg}"]
        body = q.to_yaml(doc, header=header).encode("utf-8")
        problems = q.submission_problems(doc, self.folder)
        if problems:  # never write a file that `assess` would refuse
            click.echo(_wrap("Not saved yet: " + problems[0], "  "))
        else:
            write_atomic(self.out, body)
            self.progress.sha256 = hashlib.sha256(body).hexdigest()
        p = self.progress
        state = {"version": 1, "done": p.done, "part": p.part, "key": p.key,
                 "draft": p.draft, "draft_index": p.draft_index, "sha256": p.sha256}
        write_atomic(progress_path(self.out), jsontext.dumps(state, indent=1).encode("utf-8"))

    def answered(self, part: str, key: str) -> None:
        self.progress.part, self.progress.key = part, key
        self.save()

    def finished(self, part: str) -> None:
        if part not in self.progress.done:
            self.progress.done.append(part)
        later = PART_IDS[PART_IDS.index(part) + 1:]
        self.progress.part = next((p for p in later if p not in self.progress.done),
                                  later[0] if later else part)
        self.progress.key = ""
        self.save()

    def summary(self, part: str) -> str:
        """What a part holds, in a few words (for the list of parts)."""
        a = self.answers
        if part == "evaluations":
            n = len(a.evaluations) + len(a.kept)
            text = f"{n} evaluation{'s' if n != 1 else ''}" if n else "none yet"
            return text + ("; one being typed" if self.progress.draft is not None else "")
        if part == "questions":
            keys = [q.claim_keys(c.id)[0] for g in q.questions_for(self.rubric)
                    for c in g.questions]
            yes = sum(1 for k in keys if a.values.get(k))
            return f"{yes} of {len(keys)} answered yes or no"
        section = next(s for s in q.PROGRAMME_SECTIONS if s.id == part)
        given = sum(1 for f in section.fields if a.values.get(f.key))
        return f"{given} of {len(section.fields)} answered"


def _after(items: list[str], key: str) -> Iterator[str]:
    """``items`` after ``key`` (all of them when ``key`` is not among them)."""
    yield from items[items.index(key) + 1:] if key in items else items


# -- the parts ---------------------------------------------------------------------------------


def ask_section(run: Run, section: q.Section, resume: str = "") -> None:
    _heading(section.title, section.intro)
    values = run.answers.values
    keys = [f.key for f in section.fields]
    for key in _after(keys, resume):
        f = q.PROGRAMME_FIELDS[key]
        if f.applies(values):
            values[f.key] = ask(f, values.get(f.key, ""))
            run.answered(section.id, f.key)


def _evaluation_keys(ev: dict[str, str]) -> list[str]:
    return [f.key for s in q.EVALUATION_SECTIONS if s.applies(ev) for f in s.fields
            if f.applies(ev)]


def ask_evaluation(run: Run, ev: dict[str, str], resume: str = "") -> dict[str, str]:
    """Ask (or carry on asking) one evaluation, saving the draft after every answer."""
    out = dict(ev)
    skipping = bool(resume) and resume in [*_evaluation_keys(out), "data"]
    heading = ""

    def keep(key: str) -> None:
        run.progress.draft = dict(out)
        run.answered("evaluations", key)

    # The sections depend on earlier answers, so the next field is looked up each time.
    asked: set[tuple[str, str]] = set()
    while True:
        nxt = None
        for section in q.EVALUATION_SECTIONS:
            if not section.applies(out):
                continue
            for f in section.fields:
                if f.applies(out) and (section.id, f.key) not in asked:
                    nxt = (section, f)
                    break
            if nxt:
                break
        if nxt is None:
            break
        section, f = nxt
        asked.add((section.id, f.key))
        if skipping:  # carrying on: these were answered in an earlier run
            if f.key == resume or (resume == "data" and f.key == "source"):
                skipping = False
                if resume == "source" and out.get("source") == "data":
                    ask_data(run, out)
                    keep("data")
            continue
        if section.id != heading:
            heading = section.id
            _heading(section.title, section.intro)
        out[f.key] = ask(f, out.get(f.key, ""), out)
        keep(f.key)
        if f.key == "source" and out.get("source") == "data":
            ask_data(run, out)
            keep("data")
    if out.get("source") != "data":
        for k in [k for k in out if k == "data" or k.startswith("columns.")]:
            del out[k]
    return out


def ask_data(run: Run, ev: dict[str, str]) -> None:
    """The data file (inside the submission's folder) and which column holds what."""
    from .web.uploads import columns, describe_problem, group_labels

    folder = run.folder
    _heading("The data file", "A CSV, Excel (.xlsx) or Parquet file with one row per person, "
             f"in the folder of your submission file ({folder}) or a folder inside it.")

    def check_path(raw: str) -> str:
        text = raw.strip()
        path = q.safe_relative(text, folder)
        if path is None:
            raise _bad("Give a .csv, .xlsx or .parquet file inside "
                                     f"{folder}, as a path relative to it (such as "
                                     f"{q.DATA_FOLDER}/outcomes.csv).")
        if not path.is_file():
            raise _bad(f"There is no file {text!r} in {folder}.")
        try:
            columns(path)
        except Exception as exc:
            raise _bad(" ".join(describe_problem(exc, text))) from None
        return text

    current = ev.get("data", "")
    ev["data"] = prompt("Data file", default=current or "", show_default=bool(current),
                        value_proc=check_path)
    path = folder / ev["data"]
    cols = columns(path)
    names = [c.name for c in cols]
    click.echo(_wrap("Columns: " + ", ".join(
        c.name + (f" (e.g. {', '.join(c.examples[:3])})" if c.examples else "")
        for c in cols)))
    for role, label, help_text, needed in q.column_roles(ev.get("design", "")):
        _note(help_text)
        choices = names if needed else ["-", *names]
        while True:
            current = ev.get(f"columns.{role}", "")
            picked = prompt(f"Column for: {label}", type=click.Choice(choices),
                            default=current or ("" if needed else "-"),
                            show_default=bool(current) or not needed,
                            show_choices=len(names) <= 12)
            ev[f"columns.{role}"] = "" if picked == "-" else picked
            if role != "group" or ev.get("design") not in q.TWO_GROUP:
                break
            labels = [lab for lab, _ in group_labels(path, picked)]
            if len(labels) == 2:
                t = ev.get("columns.treatment", "")
                ev["columns.treatment"] = prompt(
                    "Which value marks people who took part in the programme?",
                    type=click.Choice(labels), default=t if t in labels else "",
                    show_default=t in labels)
                break
            click.echo(_wrap(group_column_message(picked, labels), "  "))
            ev.pop(f"columns.{role}", None)


def group_column_message(column: str, labels: list[str]) -> str:
    """What to say when a chosen group column does not have exactly two values."""
    if len(labels) < 2:
        return (f"The column {column!r} has only {len(labels)} value"
                f"{'' if len(labels) == 1 else 's'}; choose the column that says who took part "
                "and who was in the comparison group.")
    return (f"The column {column!r} has {len(labels):,} different values; choose the column "
            "that says who took part (it has two values, such as 'programme' and 'control').")


def evaluation_name(ev: dict[str, Any]) -> str:
    design = q.EVALUATION_FIELDS["design"].show_choice(str(ev.get("design", "")))
    bits = [b for b in (design, ev.get("site"), ev.get("outcome.name")) if b]
    return f"'{ev.get('title') or ev.get('id') or 'Evaluation'}'" + (
        f" ({' · '.join(str(b) for b in bits)})" if bits else "")


def ask_evaluations(run: Run, resume: str = "") -> None:
    _heading("Evaluations", "An evaluation is any time you measured the programme's outcomes: "
             "a survey before and after, a comparison group, or a trial.")
    a, p = run.answers, run.progress
    if p.draft is not None:
        name = evaluation_name(p.draft) if p.draft.get("title") else "a new evaluation"
        if confirm(f"You were in the middle of {name}. Carry on with it?", default=True):
            ev = ask_evaluation(run, p.draft, resume)
            commit(run, ev, p.draft_index)
        else:
            p.draft, p.draft_index = None, None
            run.save()
    while True:
        listed = [*a.evaluations, *a.kept]
        if listed:
            click.echo()
            click.echo("Your evaluations:")
            for n, ev in enumerate(a.evaluations, 1):
                click.echo(_wrap(f"{n}. {evaluation_name(ev)}", "  "))
            for n, e in enumerate(a.kept, len(a.evaluations) + 1):
                click.echo(_wrap(f"{n}. {evaluation_name(e)} — kept as it is in the file "
                                 "(these questions cannot show all of it)", "  "))
        label = ("Type a to add an evaluation" + (", or the number of one to change or "
                 "remove it" if listed else "") + "; press Enter when done")

        def check(raw: str, n: int = len(listed)) -> str:
            text = raw.strip().casefold()
            if text in ("", "a", "add") or (text.isdigit() and 1 <= int(text) <= n):
                return text
            raise _bad("Type a, " + (f"a number from 1 to {n}, " if n else "")
                                     + "or press Enter.")

        pick = prompt(label, default="", show_default=False, value_proc=check)
        if pick == "":
            break
        if pick in ("a", "add"):
            p.draft, p.draft_index = {}, None
            commit(run, ask_evaluation(run, {}), None)
            continue
        i = int(pick) - 1
        if i >= len(a.evaluations):
            e = a.kept[i - len(a.evaluations)]
            if confirm(f"Remove {evaluation_name(e)} from the file?"):
                a.kept.pop(i - len(a.evaluations))
                run.save()
            continue
        ev = a.evaluations[i]
        action = prompt(f"{evaluation_name(ev)}: c to change its answers, r to remove it, "
                        "Enter to keep it as it is", default="", show_default=False,
                        type=click.Choice(["", "c", "r"]), show_choices=False)
        if action == "c":
            p.draft, p.draft_index = dict(ev), i
            commit(run, ask_evaluation(run, ev), i)
        elif action == "r" and confirm(f"Remove {evaluation_name(ev)}? Its answers are "
                                       "deleted from the file."):
            a.evaluations.pop(i)
            run.save()


def commit(run: Run, ev: dict[str, str], index: int | None) -> None:
    """Put a finished evaluation into the answers; problems found across its answers are
    asked again before it is saved."""
    while True:
        problems = q.evaluation_problems(ev)
        if not problems:
            break
        click.echo("Some answers of this evaluation need changing:")
        for key, message in problems.items():
            f = q.EVALUATION_FIELDS.get(key)
            click.echo(_wrap(f"{f.label if f else key}: {message}", "  "))
            if f is not None:
                ev[key] = ask(f, ev.get(key, ""), ev)
            elif key == "data" or key.startswith("columns."):
                ask_data(run, ev)
                break
    a = run.answers
    if index is None or index >= len(a.evaluations):
        a.evaluations.append(ev)
    else:
        a.evaluations[index] = ev
    run.progress.draft, run.progress.draft_index = None, None
    run.save()


def signalling_key(slot: int, full_id: str) -> str:
    """The progress key of an evaluation's answer to a per-evaluation question."""
    return f"answers/{slot}/{full_id}"


def ask_signalling(run: Run, resume: str = "") -> None:
    """The rubric's questions about each evaluation (signalling questions): each answered
    with its code or its words, optionally "; a note"; an answer the statistics settle is
    offered, marked as pre-filled, and kept by pressing Enter (it is then left to the
    statistics, so the file records it as pre-filled, not as typed)."""
    a, rubric = run.answers, run.rubric
    plan = q.signalling_plan(a, rubric, run.folder)
    keys = [signalling_key(i, asked.id) for i, (_, qs) in enumerate(plan) for asked in qs]
    if not keys:
        return
    todo = set(_after(keys, resume)) if resume in keys else set(keys)
    _heading(f"Questions about each evaluation ({rubric.title})",
             "Answer yes, probably yes, probably no, no or no information (or the short "
             "codes Y, PY, PN, N, NI; NA where a question does not apply). Add a note after a "
             "semicolon: \"probably yes; sealed envelopes\". Press Enter to leave a question "
             "for later.")
    slots = q.evaluation_slots(a)
    for i, (name, asked_list) in enumerate(plan):
        if not any(signalling_key(i, x.id) in todo for x in asked_list):
            continue
        click.echo()
        click.echo(click.style(name, bold=True))
        group = None
        for asked in asked_list:
            key = signalling_key(i, asked.id)
            if key not in todo:
                continue
            question = asked.question
            if question.group and question.group != group:
                group = question.group
                click.echo(click.style(_wrap(question.group, "  "), underline=True))
            current, note = q.signalling_answer(slots[i], asked.id)
            if question.help:
                _note(question.help)
            prefill = asked.prefill
            if prefill is not None:
                code, _, because = prefill
                label = question.option(code).label
                _note(f"Pre-filled from the statistics: {label} — {because}. Press Enter to "
                      "keep it, or type another answer.")
            words = " / ".join(o.label.casefold() for o in question.options)
            shown = current + (f"; {note}" if current and note else "")
            default = shown or (question.option(prefill[0]).label.casefold() + " (pre-filled)"
                                if prefill is not None else "")

            def check(raw: str, qn: Any = question, default: str = default,
                      prefill: Any = prefill) -> tuple[str, str]:
                text = raw.strip()
                if not text or text == "-" or (prefill is not None and text == default):
                    return "", ""
                try:
                    return q.parse_signalling(qn, text)
                except q.AnswerError as exc:
                    raise _bad(str(exc)) from None

            code_note: tuple[str, str] = prompt(
                f"{question.id} {question.text} ({words})", default=default,
                show_default=bool(default), value_proc=check)
            q.set_signalling_answer(slots[i], asked.id, *code_note)
            if code_note[0]:
                click.echo(click.style(f"  → {question.option(code_note[0]).label}", dim=True))
            elif prefill is not None:
                click.echo(click.style("  → left to the statistics (pre-filled)", dim=True))
            run.answered("questions", key)


def ask_questions(run: Run, assess: Callable[..., Any], resume: str = "") -> None:
    a, rubric = run.answers, run.rubric
    if rubric.questions and (not resume or resume.startswith("answers/")):
        ask_signalling(run, resume)
        resume = ""
    shown: dict[str, str] = {}
    try:
        without = q.Answers(a.rubric, {k: v for k, v in a.values.items()
                                       if not k.startswith("claims.")},
                            a.evaluations, a.kept, a.extra)
        from .load import load_submission

        shown = q.shown_by_evidence(assess(load_submission(q.to_submission(without),
                                                           base_dir=run.folder),
                                           rubric=rubric))
    except Exception:  # the final assessment reports any problem in full
        shown = {}
    _heading(f"Questions from the {rubric.title}",
             "Answer what your evidence does not already show. Say yes only if you could back "
             "it up: the result keeps what the evidence shows (verified) apart from what you "
             "say (claimed).")
    ids = [c.id for g in q.questions_for(rubric) for c in g.questions]
    todo = set(_after(ids, resume))
    for group in q.questions_for(rubric):
        if not any(c.id in todo for c in group.questions):
            continue
        click.echo()
        click.echo(click.style(f"Level {group.level}: {group.title}", bold=True))
        for question in group.questions:
            if question.id not in todo:
                continue
            a_key, n_key = q.claim_keys(question.id)
            if question.id in shown:
                click.echo(_wrap(f"✓ {question.question}", "  "))
                _note(f"Already shown: {shown[question.id]}")
                continue
            f = q.Field(a_key, question.question, "yes_no", help=question.help,
                        example=question.example)
            a.values[a_key] = ask(f, a.values.get(a_key, ""))
            if a.values[a_key]:
                note = q.Field(n_key, "Tell us more: where is the evidence, or when will it be "
                               "ready?", "long_text")
                a.values[n_key] = ask(note, a.values.get(n_key, ""))
            run.answered("questions", question.id)


def run_part(run: Run, part: str, assess: Callable[..., Any], resume: str = "") -> None:
    if part == "evaluations":
        ask_evaluations(run, resume)
    elif part == "questions":
        ask_questions(run, assess, resume)
    else:
        ask_section(run, next(s for s in q.PROGRAMME_SECTIONS if s.id == part), resume)
    run.finished(part)


def choose_part(run: Run) -> str:
    """The list of parts with what they hold; returns the part chosen (or ``finish``)."""
    nxt = run.progress.next_part()
    _heading("Your answers so far")
    for n, (pid, title) in enumerate(PARTS, 1):
        mark = "✓" if pid in run.progress.done else " "
        click.echo(_wrap(f"{mark} {n}. {title} — {run.summary(pid)}", "  "))
    click.echo(f"    {len(PARTS) + 1}. Finish: see the result")
    default = str(PART_IDS.index(nxt) + 1) if nxt in PART_IDS else str(len(PARTS) + 1)
    where = ("where you left off" if nxt in PART_IDS else "everything is answered")
    choice = prompt(f"Which part? (1-{len(PARTS) + 1}; Enter: {default}, {where})",
                    default=default, show_default=False,
                    type=click.IntRange(1, len(PARTS) + 1))
    return PART_IDS[choice - 1] if choice <= len(PARTS) else "finish"


def run(out: Path, rubric_arg: str, *, assess: Callable[..., Any],
        show: Callable[[Any], None] | None = None) -> Any:
    """Ask everything, saving each answer as it is given; returns the assessment.

    A first run asks the parts in order. A run on an existing file lists the parts and
    carries on where the person left off (Enter), or reviews the part they choose and then
    comes back to the list. At the end the assessment is shown (``show``) and the report
    can be written as a PDF and a web page beside the file. ``rubric_arg`` is the
    ``--rubric`` value (a bundled id or a path), repeated in the file's comments so that the
    commands there work as written."""
    from .assessment.rubric import load_rubric

    rubric = load_rubric(rubric_arg)
    resumed = out.exists()
    if resumed:
        answers = load_existing(out, rubric.id)
        progress = read_progress(out)
        if not progress.part:
            progress = progress_from_answers(answers)
        text = out.read_bytes()
        if progress.sha256 and progress.sha256 != hashlib.sha256(text).hexdigest():
            progress.draft = None  # the file was changed by hand: it is the truth now
        click.echo(_wrap(f"Carrying on from {out}: press Enter to keep the answer shown in "
                         "[brackets]; type - to clear an optional one."))
    else:
        answers = q.Answers(rubric=rubric.id)
        progress = Progress()
        click.echo(_wrap(f"Answers go to {out}, saved after each answer: stop any time with "
                         "Ctrl+C and run the same command to carry on where you left off."))
    click.echo(_wrap(f"Framework: {rubric.title}. Only the programme name is needed; the "
                     "more you give, the more can be checked. A choice can be answered with "
                     "its number or its words."))
    r = Run(out, rubric_arg, rubric, answers, progress)
    if not resumed:
        for part in PART_IDS:
            run_part(r, part, assess)
    else:
        while True:
            nxt = r.progress.next_part()
            part = choose_part(r)
            if part == "finish":
                break
            if part == nxt:  # carry on: the rest of this part, then the parts after it
                run_part(r, part, assess, r.progress.key)
                for later in PART_IDS[PART_IDS.index(part) + 1:]:
                    if later not in r.progress.done:
                        run_part(r, later, assess)
                break
            run_part(r, part, assess)  # a review: back to the list afterwards
    r.save()
    click.echo()
    click.echo(f"Wrote {out}.")
    click.echo()
    result = assess(out, rubric=rubric)
    if show is not None:
        show(result)
        offer_report(r, result)
    return result


def show_in_plain_words(result: Any) -> None:
    """Print the assessment for the grantee who answered the questions: the terminal
    renderer's text with the submission's keys and values replaced by the questions and
    choices they answered (the same :func:`~evidencekit.questionnaire.plain_words` as the web
    result page), so nothing names a YAML key they never saw."""
    import io
    import shutil
    import textwrap

    from .questionnaire import plain_words
    from .render.text import print_assessment

    buf = io.StringIO()
    print_assessment(result, buf)
    width = max(40, min(shutil.get_terminal_size().columns, 100))
    lines = []
    for line in plain_words(buf.getvalue()).splitlines():
        indent = line[:len(line) - len(line.lstrip())]
        lines.append(textwrap.fill(line, width, initial_indent="", subsequent_indent=indent,
                                   break_long_words=False, break_on_hyphens=False)
                     if len(line) > width else line)
    click.echo("\n".join(lines))


def offer_report(run: Run, result: Any) -> None:
    """Offer the commissioner's report (PDF and HTML) beside the submission file."""
    click.echo()
    if not confirm("Write the report as a PDF (and a web page) to send to a funder?"):
        click.echo(_wrap(f"You can write it later with: evidencekit assess {run.out.name} "
                         f"--rubric {run.rubric_arg} --pdf {run.out.with_suffix('.pdf').name}"))
        return
    from .load import load_submission
    from .report import render_html, render_pdf, write_atomic

    submission = load_submission(run.out)
    pdf = run.out.with_suffix(".pdf")
    html = run.out.with_suffix(".html")
    write_atomic(pdf, render_pdf(result, submission=submission, rubric=run.rubric))
    write_atomic(html, render_html(result, submission=submission, rubric=run.rubric)
                 .encode("utf-8"))
    click.echo(f"Wrote {pdf} and {html}.")
