"""Load a submission (SPEC §1) from a file or a dict, with every problem reported together."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem, SubmissionError, quote
from .definition import (
    MAX_OUTCOMES,
    REPORTED_STATISTICS,
    SCHEMA_ID,
    SUBMISSION,
)
from .document import Document, KeyPath, describe, format_path, parse, plain_value, read_document
from .model import (
    COMPARISON_IDENTIFICATIONS,
    TWO_GROUP_DESIGNS,
    Answer,
    BinaryGroup,
    Claim,
    ContinuousGroup,
    Costs,
    DataSource,
    Evaluation,
    Group,
    OneGroupSummary,
    Outcome,
    Programme,
    Reported,
    Scaling,
    Submission,
    TheoryOfChange,
    TwoGroupSummary,
)
from .schema import Context, Invalid

_submission = SUBMISSION


def load_submission(source: str | Path | Mapping[str, Any], *,
                    base_dir: str | Path | None = None) -> Submission:
    """Load and validate a submission from a path or an already-parsed mapping.

    Raises :class:`SubmissionError` listing every problem, each with file, line and key path.
    """
    if isinstance(source, Mapping):
        try:  # the same rules as a file: text keys, plain values, finite numbers, limits
            value = plain_value(source, "<submission>")
        except InputError as exc:
            raise SubmissionError(exc.problems, omitted=exc.omitted) from exc
        doc = Document(value, "<submission>")
        digest = None
        base = Path(base_dir) if base_dir is not None else None
    elif isinstance(source, str | Path):
        path = Path(source)
        try:
            # the SHA-256 of the file's bytes, as ``sha256sum`` and the reports show it
            text, digest = read_document(path)
            doc = parse(text, str(path), json_syntax=path.suffix.lower() == ".json")
        except InputError as exc:
            raise SubmissionError(exc.problems, omitted=exc.omitted) from exc
        base = Path(base_dir) if base_dir is not None else path.resolve().parent
    else:
        found = (describe(source) if source is None or isinstance(source, int | float | list)
                 else f"a Python {type(source).__name__} object")
        raise SubmissionError.one(None, "a submission: a file path, a mapping or a Submission",
                                  found)
    return build_submission(doc, base_dir=base, sha256=digest)


def build_submission(doc: Document, *, base_dir: Path | None = None,
                     sha256: str | None = None) -> Submission:
    ctx = Context(doc)
    if not isinstance(doc.value, dict):
        ctx.add((), "a submission (a mapping with at least 'programme')", describe(doc.value))
        raise SubmissionError(ctx.problems)
    try:
        data = _submission.check(doc.value, (), ctx)
    except Invalid:
        data = None
    if data is None:
        raise SubmissionError(_in_file_order(ctx.problems), omitted=ctx.omitted)
    builder = _Builder(ctx, base_dir)
    sub = builder.submission(data, sha256)
    if not ctx.problems and any(e.answers for e in sub.evaluations):
        ctx.problems.extend(bundled_answer_problems(sub))
    if ctx.problems:
        raise SubmissionError(_in_file_order(ctx.problems), omitted=ctx.omitted)
    return sub


def bundled_answer_problems(sub: Submission) -> list[Problem]:
    """The submission's answers to the bundled rubrics' questions that name no question or
    mean none of its answers (answers to other rubrics are checked when those are applied)."""
    from ..assessment.questions import answer_problems
    from ..assessment.rubric import bundled_rubrics, load_rubric

    bundled = bundled_rubrics()
    prefixes = {k.split(".", 1)[0] for e in sub.evaluations for k in e.answers}
    problems: list[Problem] = []
    for rid in sorted(prefixes & set(bundled)):
        problems.extend(answer_problems(sub, load_rubric(rid)))
    return problems


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    """Problems sorted by line (stable, so those on one line keep the order found)."""
    return sorted(problems, key=lambda p: p.line if p.line is not None else 0)


class _Builder:
    """Turns the checked plain data into the typed model, checking cross-field rules."""

    def __init__(self, ctx: Context, base_dir: Path | None) -> None:
        self.ctx = ctx
        self.base_dir = base_dir

    def submission(self, d: dict[str, Any], sha256: str | None) -> Submission:
        p = d["programme"] or {"name": "?", "organisation": None, "theme": None, "summary": None}
        programme = Programme(p["name"], p["organisation"], p["theme"], p["summary"])
        toc_d = d["theory_of_change"] or {}
        toc = TheoryOfChange(
            problem=toc_d.get("problem") or None,
            activities=tuple(x for x in toc_d.get("activities") or () if x),
            outcomes=tuple(x for x in toc_d.get("outcomes") or () if x),
            rationale=toc_d.get("rationale") or None,
            references=tuple(x for x in toc_d.get("references") or () if x),
            evaluation_plan=toc_d.get("evaluation_plan") or None,
        )
        evaluations = []
        seen: dict[str, int] = {}
        total = sum(len(e["outcomes"] or ()) for e in d["evaluations"] or () if e is not None)
        if total > MAX_OUTCOMES:
            self.ctx.add(("evaluations",), f"at most {MAX_OUTCOMES} outcomes in all the "
                         "evaluations together", f"{total:,}")
        for i, e in enumerate(d["evaluations"] or ()):
            if e is None:
                continue
            path: KeyPath = ("evaluations", i)
            if e["id"] in seen:
                self.ctx.add((*path, "id"), "a unique evaluation id",
                             f"{quote(e['id'], 40)}, already used by "
                             f"evaluations[{seen[e['id']]}]")
            seen.setdefault(e["id"], i)
            ev = self.evaluation(e, path, programme.organisation)
            if ev is not None:
                evaluations.append(ev)
        costs = None
        if d["costs"] is not None:
            c = d["costs"]
            costs = Costs(c["per_participant"], c["currency"] or "GBP",
                          c["comparator_per_participant"])
        s = d["scaling"] or {}
        scaling = Scaling(s.get("manual"), s.get("training"), s.get("fidelity_monitoring"),
                          s.get("sites"), s.get("delivered_by_others"))
        claims = {k: Claim(v["answer"], v["note"]) for k, v in (d["claims"] or {}).items()}
        lines = {k: line for k in claims
                 if (line := self.ctx.document.line_of(("claims", k))) is not None}
        return Submission(programme, toc, tuple(evaluations), costs, scaling, claims,
                          source=self.ctx.document.source, base_dir=self.base_dir,
                          sha256=sha256, claim_lines=lines)

    def evaluation(self, e: dict[str, Any], path: KeyPath,
                   organisation: str | None) -> Evaluation | None:
        design = e["design"]
        raw_outcomes = e["outcomes"]
        if design != "none" and not raw_outcomes:
            self.ctx.add((*path, "outcomes"), f"at least one outcome for design {design!r}",
                         "none")
        if design == "none" and raw_outcomes:
            self.ctx.add((*path, "outcomes"),
                         "no outcomes for design 'none' (use 'post_only' for measurements "
                         "without a comparison)", describe(raw_outcomes))
        assigned = (e["assigned"]["treatment"], e["assigned"]["control"]) if e["assigned"] else None
        clusters = (e["clusters"]["treatment"], e["clusters"]["control"]) if e["clusters"] else None
        if assigned is not None and design not in TWO_GROUP_DESIGNS:
            self.ctx.add((*path, "assigned"), "assigned counts only for a two-group design "
                         "(comparison_group, rct, cluster_rct)", f"design {design!r}")
        identification = e["identification"]
        if identification is not None:
            if design == "none":
                self.ctx.add((*path, "identification"), "no identification method for design "
                             "'none' (there is no evaluation to identify an effect)",
                             repr(identification))
            elif identification == "randomisation" and design not in ("rct", "cluster_rct"):
                self.ctx.add((*path, "identification"), "randomisation only with design rct "
                             "or cluster_rct", f"it with design {design!r}")
            elif (identification in COMPARISON_IDENTIFICATIONS
                  and design not in TWO_GROUP_DESIGNS):
                self.ctx.add((*path, "identification"), "none or controls for design "
                             f"{design!r} ({identification} needs a comparison group)",
                             repr(identification))
        answers = {k: Answer(v["answer"], v["note"], v["long_form"])
                   for k, v in (e["answers"] or {}).items() if v is not None}
        answer_lines = {k: line for k in answers
                        if (line := self.ctx.document.line_of((*path, "answers", k)))
                        is not None}
        outcomes = []
        for j, o in enumerate(raw_outcomes or ()):
            if o is None:
                continue
            out = self.outcome(o, (*path, "outcomes", j), design, assigned)
            if out is not None:
                outcomes.append(out)
        return Evaluation(
            id=e["id"], design=design, outcomes=tuple(outcomes), title=e["title"],
            independent=e["independent"], delivered_by=e["delivered_by"] or organisation,
            site=e["site"] or None, year=e["year"], assigned=assigned, clusters=clusters,
            icc=e["icc"], identification=identification,
            comparison_justified=e["comparison_justified"], real_world=e["real_world"],
            path=path, answers=answers, answer_lines=answer_lines,
        )

    def outcome(self, o: dict[str, Any], path: KeyPath, design: str,
                assigned: tuple[int, int] | None) -> Outcome | None:
        given = [k for k in ("data", "summary", "reported") if o[k] is not None]
        if len(given) != 1:
            self.ctx.add(path, "exactly one of 'data', 'summary' or 'reported'",
                         " and ".join(repr(k) for k in given) if given else "none of them")
            return None
        kind = o["kind"]
        for extra in ("columns", "sheet", "covariates"):
            if o[extra] is not None and given[0] != "data":
                self.ctx.add((*path, extra), f"'{extra}' only with 'data'",
                             f"it beside {given[0]!r}")
        source: Any
        if given[0] == "summary":
            source = self.summary(o["summary"], (*path, "summary"), design, kind, assigned)
        elif given[0] == "reported":
            source = self.reported(o["reported"], (*path, "reported"), design, kind, assigned)
        else:
            source = self.data(o, path, design)
        if source is None:
            return None
        return Outcome(name=o["name"], source=source, kind=kind, primary=o["primary"],
                       direction=o["direction"], domain=o["domain"],
                       self_reported=o["self_reported"],
                       follow_up_months=o["follow_up_months"], path=path,
                       scale_items=int(o["scale"]["items"]) if o["scale"] else None,
                       units=o["units"])

    def group(self, g: dict[str, Any], path: KeyPath, kind: str,
              min_n: int = 2) -> Group | None:
        ok = True
        needed: tuple[str, ...]
        unwanted: tuple[str, ...]
        if kind == "binary":
            needed, unwanted = ("n", "events"), ("mean", "sd", "pre_mean", "pre_sd")
        else:
            needed, unwanted = ("n", "mean", "sd"), ("events", "pre_events")
        for k in needed:
            if g[k] is None:
                self.ctx.add((*path, k), f"the key {k!r} for a {kind} outcome", "it missing")
                ok = False
        for k in unwanted:
            if g[k] is not None:
                self.ctx.add((*path, k), f"no {k!r} for a {kind} outcome"
                             + (" (set kind: binary)" if k == "events" else ""),
                             f"{k}: {g[k]}")
                ok = False
        if not ok:
            return None
        n = g["n"]
        if kind == "binary":
            for k in ("events", "pre_events"):
                if g[k] is not None and g[k] > n:
                    self.ctx.add((*path, k), f"at most n = {n} {k.replace('_', ' ')}",
                                 f"{g[k]}")
                    ok = False
            return BinaryGroup(n, g["events"], g["pre_events"]) if ok else None
        if (g["pre_mean"] is None) != (g["pre_sd"] is None):
            missing = "pre_sd" if g["pre_sd"] is None else "pre_mean"
            self.ctx.add((*path, missing), "pre_mean and pre_sd together", f"{missing} missing")
            return None
        return ContinuousGroup(n, g["mean"], g["sd"], g["pre_mean"], g["pre_sd"])

    def summary(self, s: dict[str, Any], path: KeyPath, design: str, kind: str,
                assigned: tuple[int, int] | None) -> Any:
        two = design in TWO_GROUP_DESIGNS
        wanted = ("treatment", "control") if two else (("pre", "post") if design == "pre_post"
                                                         else ("post",))
        shape = {
            ("treatment", "control"): "a two-group summary {treatment: ..., control: ...}",
            ("pre", "post"): "a pre-post summary {pre: ..., post: ..., correlation: r}",
            ("post",): "a post-only summary {post: ...}",
        }[wanted]
        present = [k for k in ("treatment", "control", "pre", "post") if s[k] is not None]
        if sorted(present) != sorted(wanted):
            self.ctx.add(path, f"{shape} for design {design!r}",
                         "the keys " + ", ".join(present) if present else "no groups")
            return None
        groups = {k: self.group(s[k], (*path, k), kind) for k in wanted}
        if any(g is None for g in groups.values()):
            return None
        if two:
            if assigned is not None:
                for side, a in zip(("treatment", "control"), assigned, strict=True):
                    if groups[side].n > a:  # type: ignore[union-attr]
                        self.ctx.add((*path, side, "n"),
                                     f"at most the {a} assigned to {side}",
                                     f"{groups[side].n} analysed")  # type: ignore[union-attr]
            return TwoGroupSummary(groups["treatment"], groups["control"],  # type: ignore[arg-type]
                                   s["correlation"])
        if design == "post_only" and s["correlation"] is not None:
            self.ctx.add((*path, "correlation"), "no correlation for a post-only summary",
                         describe(s["correlation"]))
            return None
        return OneGroupSummary(groups["post"], groups.get("pre"),  # type: ignore[arg-type]
                               s["correlation"])

    def reported(self, r: dict[str, Any], path: KeyPath, design: str,
                 kind: str, assigned: tuple[int, int] | None = None) -> Reported | None:
        stats = [k for k in REPORTED_STATISTICS if r[k] is not None]
        if len(stats) != 1:
            self.ctx.add(path, "exactly one published statistic (" +
                         ", ".join(REPORTED_STATISTICS) + ")",
                         ", ".join(stats) if stats else "none")
            return None
        stat = stats[0]
        value = float(r[stat])
        if design not in TWO_GROUP_DESIGNS:
            self.ctx.add(path, "a published effect only for a two-group design "
                         "(comparison_group, rct, cluster_rct)", f"design {design!r}")
            return None
        needs: dict[str, tuple[str, ...]] = {
            "t": ("n_treatment", "n_control"), "z": ("n_treatment", "n_control"),
            "p": ("sign", "n_treatment", "n_control"), "f": ("sign", "n_treatment", "n_control"),
            "hedges_g": ("se",), "mean_difference": ("ci",), "odds_ratio": ("ci",),
        }
        ok = True
        for k in needs[stat]:
            if r[k] is None:
                self.ctx.add((*path, k), f"{k!r} with a published {stat!r}", "it missing")
                ok = False
        if stat == "p" and not 0 < value <= 1:
            self.ctx.add((*path, "p"), "a p-value above 0 and at most 1", describe(value))
            ok = False
        if stat == "f" and value < 0:
            self.ctx.add((*path, "f"), "an F statistic of 0 or more", describe(value))
            ok = False
        if stat == "odds_ratio" and value <= 0:
            self.ctx.add((*path, "odds_ratio"), "an odds ratio above 0", describe(value))
            ok = False
        for extra, allowed in (("p_value", ("t", "z", "f")), ("df", ("t", "f"))):
            if r[extra] is not None and stat not in allowed:
                self.ctx.add((*path, extra), f"{extra!r} only beside "
                             + " or ".join(repr(a) for a in allowed), f"it beside {stat!r}")
                ok = False
        if r["sign"] is not None and r["sign"] == 0:
            self.ctx.add((*path, "sign"), "sign 1 (treatment ahead) or -1 (control ahead)", "0")
            ok = False
        ci = tuple(r["ci"]) if r["ci"] is not None else None
        if ci is not None:
            lo, hi = ci
            if lo >= hi:
                self.ctx.add((*path, "ci"), "a confidence interval [lower, upper] with "
                             "lower below upper", f"[{lo}, {hi}]")
                ok = False
            elif stat in ("mean_difference", "odds_ratio") and not lo <= value <= hi:
                self.ctx.add((*path, "ci"), f"an interval containing the estimate {value}",
                             f"[{lo}, {hi}]")
                ok = False
            elif stat == "odds_ratio" and lo <= 0:
                self.ctx.add((*path, "ci"), "odds-ratio limits above 0", f"[{lo}, {hi}]")
                ok = False
        if assigned is not None:
            for side, a in zip(("treatment", "control"), assigned, strict=True):
                n = r[f"n_{side}"]
                if n is not None and n > a:
                    self.ctx.add((*path, f"n_{side}"), f"at most the {a} assigned to {side}",
                                 f"{n} analysed")
                    ok = False
        if stat == "odds_ratio" and kind != "binary":
            self.ctx.add(path, "kind: binary with a published odds ratio", f"kind: {kind}")
            ok = False
        if not ok:
            return None
        return Reported(stat, value, r["n_treatment"], r["n_control"],  # type: ignore[arg-type]
                        r["sign"], r["se"], ci, r["sd"], bool(r["adjusted"]),
                        r["cluster_adjusted"], r["p_value"], r["df"])

    def data(self, o: dict[str, Any], path: KeyPath, design: str) -> DataSource | None:
        rels = o["data"]  # a list: suffix and inside-the-folder rules: definition.DataPaths
        p = Path(rels[0])
        columns = o["columns"]
        if not columns:
            self.ctx.add((*path, "columns"), "a column mapping (for example outcome: score, "
                         "group: arm, treatment: tutored)", "it missing")
            return None
        if design in TWO_GROUP_DESIGNS:
            needed: tuple[str, ...] = ("outcome", "group", "treatment")
        elif design == "pre_post":
            needed = ("pre", "post")
        else:
            needed = ("outcome",)
        for k in needed:
            if k not in columns:
                self.ctx.add((*path, "columns", k), f"the column role {k!r} for design "
                             f"{design!r}", "it missing")
                return None
        base = self.base_dir
        full = (base / p) if base is not None else p
        parts = (tuple((base / r) if base is not None else Path(r) for r in rels)
                 if len(rels) > 1 else ())
        return DataSource(full, dict(columns), o["sheet"], tuple(o["covariates"] or ()),
                          root=base if base is not None else Path.cwd(), parts=parts)


__all__ = ["SCHEMA_ID", "build_submission", "format_path", "load_submission"]


def check_submission_object(sub: Submission) -> None:
    """Check a :class:`Submission` built by hand (not by the loader) by its type hints:
    every field of the type it declares, every number finite and of sensible size, every text
    valid. Raises :class:`SubmissionError` naming the field, so a hand-made object cannot
    reach the statistics with a NaN mean or a text where a number belongs."""
    import dataclasses
    import math
    import typing

    from .document import number_problem, text_problem

    problems: list[Problem] = []
    hints_cache: dict[type, dict[str, Any]] = {}

    def hints(cls: type) -> dict[str, Any]:
        if cls not in hints_cache:
            hints_cache[cls] = typing.get_type_hints(cls)
        return hints_cache[cls]

    def bad(path: str, expected: str, value: object) -> None:
        if len(problems) < 100:
            problems.append(Problem(sub.source if isinstance(sub.source, str) else None, None,
                                    path, expected, f"{describe(value)} "
                                    f"({type(value).__name__})"))

    def matches(value: Any, hint: Any, path: str, depth: int = 0) -> bool:
        if depth > 20:
            return False
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if hint is Any:
            return True
        if hint is type(None):
            return value is None
        if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            return _check_union(value, args, path, depth)
        if origin is typing.Literal:
            return value in args
        if hint is bool:
            return isinstance(value, bool)
        if hint is int:
            if isinstance(value, bool) or not isinstance(value, int):
                return False
            if number_problem(value):
                bad(path, "a whole number that fits", value)
            return True
        if hint is float:
            if isinstance(value, bool) or not isinstance(value, int | float):
                return False
            if isinstance(value, float) and not math.isfinite(value):
                bad(path, "a finite number", value)
            elif number_problem(value) or abs(value) > 1e15:
                bad(path, "a number of sensible size (at most 10^15)", value)
            return True
        if hint is str:
            if not isinstance(value, str):
                return False
            if (why := text_problem(value)) is not None:
                problems.append(Problem(None, None, path, "text without control characters",
                                        why))
            return True
        if hint is Path:
            return isinstance(value, Path)
        if origin is tuple:
            if not isinstance(value, tuple):
                return False
            if len(args) == 2 and args[1] is Ellipsis:
                return all(matches(v, args[0], f"{path}[{i}]", depth + 1)
                           for i, v in enumerate(value))
            return len(value) == len(args) and all(
                matches(v, a, f"{path}[{i}]", depth + 1)
                for i, (v, a) in enumerate(zip(value, args, strict=True)))
        if origin in (Mapping, dict, typing.Mapping) or hint in (Mapping, dict):
            if not isinstance(value, Mapping):
                return False
            kt, vt = args if len(args) == 2 else (Any, Any)
            return all(matches(k, kt, path, depth + 1)
                       and matches(v, vt, f"{path}.{k}", depth + 1) for k, v in value.items())
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            if not isinstance(value, hint):
                return False
            visit(value, path, depth + 1)
            return True
        return isinstance(value, hint) if isinstance(hint, type) else True

    def _check_union(value: Any, args: tuple[Any, ...], path: str, depth: int) -> bool:
        for a in args:
            if isinstance(a, type) and dataclasses.is_dataclass(a) and isinstance(value, a):
                visit(value, path, depth + 1)
                return True
        return any(matches(value, a, path, depth + 1) for a in args
                   if not (isinstance(a, type) and dataclasses.is_dataclass(a)))

    def visit(obj: Any, path: str, depth: int = 0) -> None:
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            where = f"{path}.{f.name}" if path else f.name
            if f.name == "path":
                continue
            if not matches(value, hints(type(obj))[f.name], where, depth):
                hint = hints(type(obj))[f.name]
                name = getattr(hint, "__name__", None) or str(hint).replace("typing.", "")
                bad(where, f"a value of type {name}", value)

    if not isinstance(sub, Submission):
        raise SubmissionError.one(None, "a Submission", type(sub).__name__)
    try:
        visit(sub, "")
    except RecursionError:  # pragma: no cover - depth is capped above
        problems.append(Problem(None, None, None, "a Submission nested sensibly", "deeper"))
    if problems:
        raise SubmissionError(problems)
