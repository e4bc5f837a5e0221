"""Terminal rendering of assessments, analyses and rubrics (rich, imported only here)."""

from __future__ import annotations

from typing import IO, Any

from ..analyse.result import AnalysisResult, EvaluationResult, OutcomeResult
from ..assess.engine import AssessmentResult
from ..assess.rubric import Rubric
from ..registry import MEASURES, test_label
from .numbers import ci, num, percent, pval

STATUS = {
    "verified": ("✔", "green", "verified"),
    "claimed": ("?", "yellow", "claimed"),
    "not_met": ("✘", "red", "not met"),
}


def _console(file: IO[str] | None, width: int | None = None) -> Any:
    from rich.console import Console

    return Console(file=file, width=width, highlight=False, soft_wrap=False)


def print_assessment(result: AssessmentResult, file: IO[str] | None = None) -> None:
    from rich.padding import Padding
    from rich.text import Text

    con = _console(file)
    con.print(Text(result.programme, style="bold"), Text(f"  ({result.organisation})")
              if result.organisation else "")
    con.print(f"{result.rubric_title} (rubric {result.rubric_id}, version "
              f"{result.rubric_version})", style="dim")
    con.print()
    con.print(Text.assemble(("Verified level: ", "bold"),
                            (f"{result.level}", "bold green" if result.level else "bold red"),
                            f" — {result.level_title(result.level)}"))
    gap = result.claimed_level - result.level
    con.print(Text.assemble(("Claimed level:  ", "bold"), (f"{result.claimed_level}", "bold"),
                            f" — {result.level_title(result.claimed_level)}"
                            + (f"  ({gap} above what the evidence verifies)" if gap else "")))
    con.print()
    for lv in reversed(result.levels):
        mark = ("✔", "green") if lv.met else (("?", "yellow") if lv.claimed else ("·", "dim"))
        here = "  ◀ verified" if lv.level == result.level else ""
        con.print(Text.assemble((f" {mark[0]} ", mark[1]), (f"Level {lv.level}", "bold"),
                                f"  {lv.title}", (here, "bold green")))
        for c in lv.criteria:
            sym, colour, word = STATUS[c.status]
            gate = "" if c.gate else " (not a gate)"
            con.print(Padding(Text.assemble((f"{sym} ", colour), (c.id, "bold"),
                                            (f" [{word}]{gate}", colour)), (0, 0, 0, 6), expand=False))
            con.print(Padding(Text(c.reason), (0, 0, 0, 8), expand=False))
    if result.quality_notes:
        con.print()
        con.print("Quality notes", style="bold")
        for n in result.quality_notes:
            con.print(Padding(Text("• " + n), (0, 0, 0, 2), expand=False))
    if result.problems:
        con.print()
        con.print("Problems", style="bold red")
        for p in result.problems:
            con.print(Padding(Text("• " + str(p["message"])), (0, 0, 0, 2), expand=False))
    con.print()
    con.print("Next steps", style="bold")
    for s in result.next_steps:
        con.print(Padding(Text("• " + s), (0, 0, 0, 2), expand=False))


def headline_effect(o: OutcomeResult) -> str:
    h = o.headline
    if h is None:
        e = o.effects.get("mean_change") or o.effects.get("change_in_proportion") \
            or o.effects.get("mean_difference")
        if e is None or e.estimate is None:
            return "—"
        key = next(k for k, v in o.effects.items() if v is e)
        return f"{MEASURES[key].symbol} = {num(e.estimate)} {ci(e.ci)}".rstrip(" —")
    return f"{MEASURES[h.measure].symbol} = {num(h.estimate)} {ci(h.ci)}".rstrip(" —")


def _group_text(o: OutcomeResult) -> str:
    parts = []
    for name, g in o.groups.items():
        if g.events is not None:
            parts.append(f"{name[0].upper()}: {g.events}/{g.n}")
        else:
            parts.append(f"{name[0].upper()}: n={g.n} M={num(g.mean)} SD={num(g.sd)}")
    return "\n".join(parts) or (f"n = {o.n_treatment} / {o.n_control}"
                                if o.n_treatment else "—")


def print_analysis(result: AnalysisResult, file: IO[str] | None = None) -> None:
    from rich.table import Table
    from rich.text import Text

    con = _console(file)
    con.print(Text(result.programme, style="bold"))
    for e in result.evaluations:
        con.print()
        con.print(Text.assemble((f"{e.id}", "bold"), f"  {_eval_line(e)}"))
        if not e.outcomes:
            con.print("  (no outcomes)", style="dim")
            continue
        table = Table(show_lines=False, pad_edge=False, box=None, header_style="bold")
        for col in ("Outcome", "Groups", "Effect [95% CI]", "p", "Test", "Baseline",
                    "Verdict"):
            table.add_column(col, overflow="fold")
        for o in e.outcomes:
            verdict = ("favourable" if o.favourable else "unfavourable"
                       if o.favourable is False else "—")
            if o.significant is not None:
                verdict += ", significant" if o.significant else ", not significant"
            base = f"{o.baseline.verdict.replace('_', ' ')} ({num(o.baseline.effect)})" \
                if o.baseline else "—"
            name = o.name + ("" if o.primary else " (secondary)")
            p = pval(o.p_value_adjusted if o.p_value_adjusted is not None else o.p_value)
            if o.problems:
                verdict = o.problems[0].found
            table.add_row(name, _group_text(o), headline_effect(o), p,
                          test_label(o.test), base, verdict)
        con.print(table)
        for note in e.notes:
            con.print(Text("  • " + note.text, style="dim"))
    if result.pooled is not None and result.pooled.k > 1:
        pl = result.pooled
        con.print()
        con.print(Text.assemble(("Pooled (random effects, DerSimonian–Laird): ", "bold"),
                                f"{num(pl.random)} {ci(pl.ci_random)}, p {pval(pl.p_value)}, "
                                f"I² = {num(pl.i2, 0)}%, τ² = {num(pl.tau2, 3)}, k = {pl.k}"))


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
    from rich.padding import Padding
    from rich.text import Text

    con = _console(file)
    con.print(Text(f"{rubric.title}", style="bold"), f"  id {rubric.id}, version {rubric.version}")
    if rubric.description:
        con.print(rubric.description)
    if rubric.sources:
        con.print("Sources:", style="bold")
        for s in rubric.sources:
            con.print(Padding("• " + s, (0, 0, 0, 2), expand=False))
    if rubric.parameters:
        con.print("Parameters:", style="bold")
        for p in rubric.parameters.values():
            con.print(Padding(f"• {p.name} = {rubric.values.get(p.name, p.default)}  "
                              f"{p.description}", (0, 0, 0, 2), expand=False))
    for lv in rubric.levels:
        con.print()
        con.print(Text(f"Level {lv.level}: {lv.title}", style="bold"))
        con.print(Padding(lv.statement.strip(), (0, 0, 0, 2), expand=False))
        for c in lv.criteria:
            gate = "gate" if c.gate else "not a gate"
            con.print(Padding(Text.assemble((c.id, "bold"), f" ({gate}) — {c.title}"),
                              (0, 0, 0, 2), expand=False))
            con.print(Padding(Text("Q: " + c.question.strip()), (0, 0, 0, 4), expand=False))
            con.print(Padding(Text("How: " + c.guidance.strip(), style="dim"), (0, 0, 0, 4), expand=False))
