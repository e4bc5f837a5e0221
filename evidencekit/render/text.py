"""Terminal rendering of assessments, analyses and rubrics (rich, imported only here)."""

from __future__ import annotations

import sys
from typing import IO, Any

from ..analysis.result import AnalysisResult, EvaluationResult, OutcomeResult
from ..assessment.crosswalk import Crosswalk
from ..assessment.engine import AssessmentResult
from ..assessment.message import Message
from ..assessment.rubric import Rubric
from ..registry import MEASURES
from ..vocabulary import CRITERION_STATUS, LEVEL_STATUS
from .deciding import effect_words, named_test, p_words
from .numbers import ci, num, percent, pval

#: A criterion status's sign, colour and words (:data:`evidencekit.vocabulary.CRITERION_STATUS`).
STATUS = {k: (s.terminal, s.colour, s.words) for k, s in CRITERION_STATUS.items()}


#: The mark of a level's cumulative status (LevelResult.status; words: LEVEL_STATUS).
LEVEL_MARKS = {k: (s.terminal, s.colour) for k, s in LEVEL_STATUS.items()}


def _pad(renderable: Any, indent: int) -> Any:
    from rich.padding import Padding

    return Padding(renderable, (0, 0, 0, indent), expand=False)


def _safe_console(console: Any) -> Any:
    """A rich Console class that shows escape sequences and other controls in the *text* it
    prints (names, reasons, messages from a submission) as ``\\x1b`` etc., so untrusted text
    can never recolour, move the cursor or overwrite the screen; its own styling is kept."""
    from rich.segment import Segment

    from ..inert import terminal_text

    class SafeConsole(console):  # type: ignore[misc]
        def _render_buffer(self, buffer: Any) -> str:
            return str(super()._render_buffer(
                s if s.control else Segment(terminal_text(s.text), s.style, s.control)
                for s in buffer))

    return SafeConsole


class _Output:
    """A rich console writing into a buffer; on exit the text goes to ``file`` with trailing
    spaces removed (rich pads wrapped lines), in colour only on a terminal."""

    def __init__(self, file: IO[str] | None) -> None:
        import io
        import os
        import shutil

        from rich.console import Console

        self.file = file if file is not None else sys.stdout
        tty = self.file.isatty() and "NO_COLOR" not in os.environ
        width = shutil.get_terminal_size((100, 24)).columns if tty else 100
        self.buffer = io.StringIO()
        self.console = _safe_console(Console)(file=self.buffer, width=width, highlight=False,
                                              force_terminal=tty, no_color=not tty,
                                              soft_wrap=False)

    def __enter__(self) -> Any:
        return self.console

    def __exit__(self, *exc: object) -> None:
        text = "\n".join(line.rstrip() for line in self.buffer.getvalue().split("\n"))
        self.file.write(text)
        self.file.flush()


class _Shown:
    """Disclosure control for the terminal (``assess --disclosure-threshold N``): the same
    typed counts the reports hide, hidden the same way; off (everything shown) by default,
    since the text is the applicant's own view of their data."""

    def __init__(self, result: AssessmentResult, threshold: int | None) -> None:
        from ..assessment.engine import evaluation_counts, outcome_counts

        self.threshold = threshold
        counts = {n for e in result.analysis.evaluations for n in evaluation_counts(e)}
        counts |= {n for lv in result.levels for c in lv.criteria
                   for n in c.reason_message().counts()}
        self.applied = threshold is not None and any(n < threshold for n in counts)
        self.hidden_outcomes = {
            (e.id, o.name) for e in result.analysis.evaluations for o in e.outcomes
            if threshold is not None and any(n < threshold for n in outcome_counts(o))}

    def __call__(self, message: Message) -> str:
        return message.render(hide_below=self.threshold, withhold_statistics=self.applied)


def print_assessment(result: AssessmentResult, file: IO[str] | None = None, *,
                     disclosure_threshold: int | None = None) -> None:
    from rich.text import Text

    show = _Shown(result, disclosure_threshold)
    with _Output(file) as con:
        con.print(Text(result.programme, style="bold"), Text(f"  ({result.organisation})")
                  if result.organisation else "")
        con.print(f"{result.rubric_title} (rubric {result.rubric_id}, version "
                  f"{result.rubric_version})", style="dim")
        con.print()
        con.print(Text.assemble(("Verified level: ", "bold"),
                                (f"{result.level}", "bold green" if result.level else "bold red"),
                                f" — {result.level_title(result.level)}"
                                + _own_label(result.label, result.level,
                                             result.level_title(result.level))))
        if result.review is not None:
            vl = result.validated
            con.print(Text.assemble(("Validated level:", "bold"), (f" {vl}", "bold cyan"),
                                    f" — {result.level_title(vl)}"
                                    + _own_label(result.validated_label, vl,
                                                 result.level_title(vl))
                                    + "  (verified, plus the claims reviewers validated)"))
        gap = result.claimed_level - result.level
        con.print(Text.assemble(("Claimed level:  ", "bold"), (f"{result.claimed_level}", "bold"),
                                f" — {result.level_title(result.claimed_level)}"
                                + _own_label(result.claimed_label, result.claimed_level,
                                             result.level_title(result.claimed_level))
                                + (f"  ({gap} above what the evidence verifies)" if gap else "")))
        h = result.headline
        if h is not None and (h.evaluation, h.outcome) in show.hidden_outcomes:
            con.print(Text.assemble(("Headline effect: ", "bold"),
                                    f"withheld: a count is below {disclosure_threshold}  "
                                    f"({h.source})"))
        elif h is not None:
            con.print(Text.assemble(("Headline effect: ", "bold"),
                                    f"{h.symbol} = {num(h.estimate)} {ci(h.ci)}".rstrip(" —")
                                    + (f", p {pval(h.p_value)}" if h.p_value is not None
                                       else "") + f"  ({h.source})"))
        if result.override is not None:
            con.print(Text.assemble(("Rated:          ", "bold"),
                                    (result.override.label, "bold red"),
                                    f" — {result.override.title or result.override.label}"))
            con.print(_pad(Text(result.override.reason), 16))
        if result.scope == "evaluation":
            con.print()
            con.print("Each evaluation is rated on its own; the best rating is the verdict.",
                      style="dim")
            for v in result.per_evaluation:
                best = "  ◀ best, shown below" if v.id == result.evaluation else ""
                con.print(_pad(Text.assemble((v.id, "bold"), f"  {v.label}",
                                             (f" (level {v.level})", "dim"),
                                             (best, "bold green")), 2))
            if not result.per_evaluation:
                con.print(_pad(Text("No evaluation is given."), 2))
        con.print()
        for lv in reversed(result.levels):
            # The mark is the level's cumulative status, decided by the assessment; that its
            # own gates hold is said separately, never as a tick.
            mark = LEVEL_MARKS[lv.status]
            here = "  ◀ verified" if lv.level == result.level else ""
            own = ""
            if lv.status == "not_reached" and (lv.own_gates_met or lv.own_gates_claimed):
                own = (f"  (not reached: its own criteria are "
                       f"{'shown' if lv.own_gates_met else 'claimed'}, but a level below is "
                       "not)")
            elif lv.status == "claimed_only" and lv.own_gates_met:
                own = "  (claimed: its own criteria are shown, a level below is only claimed)"
            con.print(Text.assemble((f" {mark[0]} ", mark[1]), (f"Level {lv.level}", "bold"),
                                    f"  {lv.title}", (here, "bold green"), (own, "dim")))
            for c in lv.criteria:
                sym, colour, word = STATUS[c.status]
                gate = "" if c.gate else " (not a gate)"
                con.print(_pad(Text.assemble((f"{sym} ", colour), (c.id, "bold"),
                                                (f" [{word}]{gate}", colour)), 6))
                con.print(_pad(Text(show(c.reason_message())), 8))
        if result.answers:
            con.print()
            con.print("Answers the checks used", style="bold")
            for line in answer_lines(result.answers):
                con.print(_pad(Text("• " + line), 2))
        if result.quality_notes:
            con.print()
            con.print("Quality notes", style="bold")
            for m in result.quality_note_messages or tuple(
                    Message.parse(n) for n in result.quality_notes):
                con.print(_pad(Text("• " + show(m)), 2))
        if result.problems:
            con.print()
            con.print("Problems", style="bold red")
            for p in result.problems:
                con.print(_pad(Text("• " + str(p["message"])), 2))
        con.print()
        con.print("Next steps", style="bold")
        for m in result.next_step_messages or tuple(
                Message.parse(t) for t in result.next_steps):
            con.print(_pad(Text("• " + show(m)), 2))


def answer_lines(answers: Any) -> list[str]:
    """One line per answer an assessment used: given (with its note) or pre-filled from the
    statistics (with the rule and why)."""
    out = []
    for a in answers:
        head = f"{a.evaluation}, {a.question}: {a.label} ({a.answer})"
        if a.origin == "prefilled":
            head += f" — pre-filled from the statistics: {a.because} ({a.rule})"
        elif a.note:
            head += f" — {a.note}"
        if a.prefill_differs:
            head += f"; you answered this, but {a.prefill_differs}"
        out.append(head)
    return out


def _own_label(label: str, level: int, title: str) -> str:
    """The rubric's own name for a level in brackets, unless it is just "Level N" or the
    level's title already says it."""
    return f"  [{label}]" if label and label not in (f"Level {level}", title) else ""


def print_crosswalk(crosswalk: Crosswalk, file: IO[str] | None = None) -> None:
    """Every framework's verdict side by side: one row per rubric, then what the rubric ids
    stand for and how each evaluation fared under the evaluation-scope rubrics."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    def bullets(items: list[str]) -> Any:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column()
        for item in items:
            grid.add_row("•", item)
        return _pad(grid, 2)

    with _Output(file) as con:
        con.print(Text(crosswalk.programme, style="bold"),
                  Text(f"  ({crosswalk.organisation})") if crosswalk.organisation else "")
        con.print("Crosswalk: the verdict of each evidence framework", style="dim")
        con.print()
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
        table.add_column("framework", no_wrap=True)
        table.add_column("level", justify="right", no_wrap=True)
        table.add_column("label")
        table.add_column("claimed")
        table.add_column("evaluation rated", no_wrap=True)
        for e in crosswalk.entries:
            claimed = "—" if e.claimed_level == e.level else e.claimed_label
            where = (e.evaluation or "none assessed") if e.scope == "evaluation" else "(programme)"
            table.add_row(e.rubric_id, f"{e.level}/{e.max_level}", e.label, claimed, where)
        con.print(table)
        con.print()
        con.print("Frameworks", style="bold")
        con.print(bullets([f"{e.rubric_id}: {e.rubric_title}, version {e.rubric_version}"
                           + (" (rates each evaluation; the best rating is shown)"
                              if e.scope == "evaluation" else "")
                           for e in crosswalk.entries]))
        notes = []
        for e in crosswalk.entries:
            if e.override is not None:
                notes.append(f"{e.rubric_id}: {e.override.label} — {e.override.reason}")
            if e.scope == "evaluation" and len(e.per_evaluation) > 1:
                each = "; ".join(f"{i} {label}" for i, _, label in e.per_evaluation)
                notes.append(f"{e.rubric_id}, each evaluation: {each}")
        if notes:
            con.print("Notes", style="bold")
            con.print(bullets(notes))
        if crosswalk.problems:
            con.print("Problems", style="bold red")
            con.print(bullets([str(p["message"]) for p in crosswalk.problems]))
        con.print()
        con.print("Details: evidencekit assess FILE --rubric ID", style="dim")


def headline_effect(o: OutcomeResult) -> str:
    """The outcome's deciding estimate and interval (its DecidingTest), e.g. "g = 0.20 [...]"."""
    return effect_words(o.deciding)


def print_analysis(result: AnalysisResult, file: IO[str] | None = None) -> None:
    from rich.text import Text

    with _Output(file) as con:
        con.print(Text(result.programme, style="bold"))
        for e in result.evaluations:
            con.print()
            con.print(Text.assemble((f"{e.id}", "bold"), f"  {_eval_line(e)}"))
            if not e.outcomes:
                con.print(_pad(Text("No outcomes (design: none).", style="dim"), 2))
            for o in e.outcomes:
                con.print(_pad(Text.assemble((o.name, "bold"),
                                                ("" if o.primary else "  (secondary)", "dim")), 2))
                for line in _outcome_lines(o):
                    con.print(_pad(Text(line), 4))
            for note in e.notes:
                con.print(_pad(Text("• " + note.text, style="dim"), 2))
        if result.pooled is not None and result.pooled.k > 1:
            pl = result.pooled
            con.print()
            con.print(Text.assemble(("Pooled across evaluations ", "bold"),
                                    f"({pl.method_label}; positive = favourable): "
                                    f"{num(pl.random)} {ci(pl.ci_random)}, p {pval(pl.p_value)}; "
                                    + (f"prediction interval {ci(pl.prediction_interval)}; "
                                       if pl.prediction_interval else "")
                                    + f"I² = {num(pl.i2, 0)}%, τ² = {num(pl.tau2, 3)}"
                                    + (f" {ci(pl.tau2_ci, 3)}" if pl.tau2_ci else "")
                                    + f", k = {pl.k}; fixed effect {num(pl.fixed)} "
                                    f"{ci(pl.ci_fixed)}"))
            for pool_note in pl.notes:
                con.print(_pad(Text("• " + pool_note, style="dim"), 2))


def _outcome_lines(o: OutcomeResult) -> list[str]:
    lines = []
    groups = []
    for name, g in o.groups.items():
        if g.events is not None:
            groups.append(f"{name}: {g.events} of {g.n} ({percent(g.events / g.n)})")
        else:
            groups.append(f"{name}: n = {g.n}, mean {num(g.mean)} (SD {num(g.sd)})")
    if not groups and o.n_treatment is not None:
        groups.append(f"analysed: {o.n_treatment} treatment, {o.n_control} control")
    if groups:
        lines.append("; ".join(groups))
    if o.problems:
        lines.append("Cannot be analysed: " + o.problems[0].found)
        return lines
    d = o.deciding
    effect = effect_words(d)
    if d is not None:
        test = f", p {p_words(d)} ({named_test(d)})" if d.test else ""
        bh = " (Benjamini–Hochberg adjusted)" if d.adjusted else ""
        lines.append(f"effect {effect}{test}{bh}")
    verdict = ("favourable" if o.favourable else "unfavourable" if o.favourable is False
               else "direction unknown")
    if d is not None and d.significant is not None:
        verdict += ", significant" if d.significant else ", not significant"
    extras = [verdict]
    if o.baseline is not None:
        extras.append(f"baseline {o.baseline.verdict.replace('_', ' ')} "
                      f"({MEASURES[o.baseline.measure].symbol} = {num(o.baseline.effect)})")
    if o.attrition is not None:
        extras.append(f"attrition {o.attrition.verdict}")
    if o.clustering is not None:
        extras.append(f"ICC {num(o.clustering.icc)} ({o.clustering.icc_source}), "
                      f"{o.clustering.clusters} clusters")
    if o.improvement_index is not None:
        extras.append(f"improvement index {num(o.improvement_index, 1)}")
    if o.eef_months is not None:
        extras.append(f"≈ {o.eef_months} months' progress (EEF)")
    lines.append("; ".join(extras))
    return lines


def _eval_line(e: EvaluationResult) -> str:
    bits = [e.design.replace("_", " ")]
    if e.site:
        bits.append(e.site)
    if e.year:
        bits.append(str(e.year))
    bits.append("independent" if e.independent else "not independent")
    if e.attrition is not None:
        a = e.attrition
        bits.append(f"attrition {percent(a.overall)} overall, {num(a.differential * 100, 1)} "
                    f"pts differential: {a.verdict} ({a.boundary})")
    return " · ".join(bits)


def print_rubric(rubric: Rubric, file: IO[str] | None = None) -> None:
    from rich.text import Text

    with _Output(file) as con:
        con.print(Text(f"{rubric.title}", style="bold"),
                  f"  id {rubric.id}, version {rubric.version}")
        if rubric.description:
            con.print(rubric.description)
        if rubric.scope == "evaluation":
            con.print("Scope: each evaluation is rated on its own; the best rating is the "
                      "verdict.")
        if rubric.operationalisation:
            con.print("How the checks read the framework:", style="bold")
            con.print(_pad(rubric.operationalisation.strip(), 2))
        if rubric.sources:
            con.print("Sources:", style="bold")
            for s in rubric.sources:
                con.print(_pad("• " + s, 2))
        if rubric.parameters:
            con.print("Parameters:", style="bold")
            for p in rubric.parameters.values():
                con.print(_pad(f"• {p.name} = {rubric.values.get(p.name, p.default)}  "
                                  f"{p.description}", 2))
        if rubric.questions:
            con.print("Questions asked of each evaluation (answer them under "
                      "evaluations[].answers):", style="bold")
            group = None
            for q in rubric.questions:
                if q.group and q.group != group:
                    group = q.group
                    con.print(_pad(Text(q.group, style="bold"), 2))
                answers = " / ".join(q.codes)
                con.print(_pad(f"• {q.full_id}  {q.text}  [{answers}]"
                               + ("  (pre-filled from the statistics when they settle it)"
                                  if q.prefill else ""), 4))
        con.print()
        con.print(Text(f"Level 0: {rubric.level_zero}", style="bold"))
        for lv in rubric.levels:
            con.print()
            label = f"  [{lv.label}]" if lv.label and lv.label != lv.title else ""
            con.print(Text(f"Level {lv.level}: {lv.title}{label}", style="bold"))
            con.print(_pad(lv.statement.strip(), 2))
            for c in lv.criteria:
                gate = "gate" if c.gate else "not a gate"
                con.print(_pad(Text.assemble((c.id, "bold"), f" ({gate}) — {c.title}"), 2))
                con.print(_pad(Text("Q: " + c.question.strip()), 4))
                con.print(_pad(Text("How: " + c.guidance.strip(), style="dim"), 4))
        for ov in rubric.overrides:
            con.print()
            con.print(Text(f"Override {ov.label}: {ov.title or ov.label}", style="bold"))
            con.print(_pad(Text("Applied after the levels when its condition is verified: "
                                + ov.reason.strip()), 2))
