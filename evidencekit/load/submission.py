"""Load a submission (SPEC §1) from a file or a dict, with every problem reported together."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem, SubmissionError
from .document import Document, KeyPath, describe, format_path, parse, read_text
from .model import (
    COMPARISON_IDENTIFICATIONS,
    DESIGNS,
    IDENTIFICATIONS,
    TWO_GROUP_DESIGNS,
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
from .schema import (
    Choice,
    Context,
    Fields,
    Flag,
    Invalid,
    Key,
    Label,
    ListOf,
    MapOf,
    Number,
    Text,
)

SCHEMA_ID = "evidencekit/submission@1"
DATA_SUFFIXES = (".csv", ".xlsx", ".parquet")
REPORTED_STATISTICS = ("t", "z", "p", "f", "hedges_g", "mean_difference", "odds_ratio")
COLUMN_ROLES = ("outcome", "group", "treatment", "pretest", "cluster", "pre", "post", "id")

_count = Number(integer=True, minimum=0, what="a whole number of people (0 or more)")
_n = Number(integer=True, minimum=2, what="a whole number of people, at least 2")
_sd = Number(minimum=0, what="a standard deviation (a number, 0 or more)")
_mean = Number(what="a number (the mean)")
_r = Number(minimum=-1, maximum=1, what="a correlation between -1 and 1")
_text = Text()
_name = Text(nonempty=True, max_length=500)

_GROUP_KEYS = {"n": _n, "mean": _mean, "sd": _sd, "pre_mean": _mean, "pre_sd": _sd,
               "events": _count, "pre_events": _count}
_group = Fields(_GROUP_KEYS, name="a group summary (n with mean and sd, or n with events)")
_pair = Fields({"treatment": Key(_count, required=True), "control": Key(_count, required=True)},
               name="counts for treatment and control")
_columns = MapOf(Label(), key_pattern=lambda k: k in COLUMN_ROLES,
                 key_expected="a column role (" + ", ".join(COLUMN_ROLES) + ")")
_ci = ListOf(Number(), min_items=2, max_items=2)
_reported = Fields(
    {
        **{k: Number() for k in REPORTED_STATISTICS},
        "n_treatment": _n, "n_control": _n, "sign": Number(integer=True, minimum=-1, maximum=1),
        "se": Number(exclusive_minimum=0, what="a standard error above 0"),
        "ci": _ci, "sd": Number(exclusive_minimum=0, what="a standard deviation above 0"),
        "adjusted": Flag(), "cluster_adjusted": Flag(),
    },
    name="a published effect",
)

_outcome = Fields(
    {
        "name": Key(_name, required=True),
        "kind": Key(Choice(["continuous", "binary"]), default="continuous"),
        "primary": Key(Flag(), default=True),
        "direction": Key(Choice(["higher_is_better", "lower_is_better"]),
                         default="higher_is_better"),
        "domain": _text,
        "self_reported": Key(Flag(), default=False),
        "follow_up_months": Number(minimum=0, maximum=1200,
                                   what="a number of months from 0 to 1200"),
        "summary": Fields({"treatment": _group, "control": _group, "pre": _group,
                           "post": _group, "correlation": _r}, name="a summary"),
        "data": Text(nonempty=True),
        "columns": _columns,
        "sheet": Text(nonempty=True),
        "covariates": ListOf(Text(nonempty=True)),
        "reported": _reported,
    },
    name="an outcome",
)

_evaluation = Fields(
    {
        "id": Key(Text(nonempty=True, max_length=200), required=True),
        "title": _text,
        "design": Key(Choice(DESIGNS), required=True),
        "independent": Key(Flag(), default=False),
        "delivered_by": _text,
        "site": _text,
        "year": Number(integer=True, minimum=1900, maximum=2100),
        "assigned": _pair,
        "icc": Number(minimum=0, maximum=1, what="an intraclass correlation between 0 and 1"),
        "clusters": Fields({"treatment": Key(Number(integer=True, minimum=1), required=True),
                            "control": Key(Number(integer=True, minimum=1), required=True)},
                           name="cluster counts for treatment and control"),
        "identification": Choice(IDENTIFICATIONS),
        "comparison_justified": Flag(),
        "real_world": Flag(),
        "outcomes": ListOf(_outcome),
    },
    name="an evaluation",
)

_submission = Fields(
    {
        "schema": Choice([SCHEMA_ID]),
        "programme": Key(Fields({"name": Key(_name, required=True), "organisation": _text,
                                 "theme": _text, "summary": _text}, name="a programme"),
                         required=True),
        "theory_of_change": Fields(
            {"problem": _text, "activities": ListOf(_text, allow_single=True),
             "outcomes": ListOf(_text, allow_single=True), "rationale": _text,
             "references": ListOf(_text, allow_single=True), "evaluation_plan": _text},
            name="a theory of change"),
        "evaluations": ListOf(_evaluation),
        "costs": Fields({"per_participant": Number(minimum=0), "currency": Text(nonempty=True),
                         "comparator_per_participant": Number(minimum=0)}, name="costs"),
        "scaling": Fields({"manual": Flag(), "training": Flag(), "fidelity_monitoring": Flag(),
                           "sites": Number(integer=True, minimum=0),
                           "delivered_by_others": Flag()}, name="scaling"),
        "claims": MapOf(
            Fields({"answer": Key(Flag(), required=True), "note": _text}, name="a claim"),
            key_pattern=lambda k: bool(re.fullmatch(r"[a-z0-9_]+(\.[A-Za-z0-9_]+)+", k)),
            key_expected="a criterion id such as 'nesta.L3.comparison'"),
    },
    name="a submission (a mapping with at least 'programme')",
    tolerant=True,
)


def load_submission(source: str | Path | Mapping[str, Any], *,
                    base_dir: str | Path | None = None) -> Submission:
    """Load and validate a submission from a path or an already-parsed mapping.

    Raises :class:`SubmissionError` listing every problem, each with file, line and key path.
    """
    if isinstance(source, Mapping):
        doc = Document(dict(source), "<submission>")
        digest = None
        base = Path(base_dir) if base_dir is not None else None
    else:
        path = Path(source)
        try:
            text = read_text(path)
            doc = parse(text, str(path), json_syntax=path.suffix.lower() == ".json")
        except InputError as exc:
            raise SubmissionError(exc.problems) from exc
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        base = Path(base_dir) if base_dir is not None else path.resolve().parent
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
        raise SubmissionError(_in_file_order(ctx.problems))
    builder = _Builder(ctx, base_dir)
    sub = builder.submission(data, sha256)
    if ctx.problems:
        raise SubmissionError(_in_file_order(ctx.problems))
    return sub


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
        for i, e in enumerate(d["evaluations"] or ()):
            if e is None:
                continue
            path: KeyPath = ("evaluations", i)
            if e["id"] in seen:
                self.ctx.add((*path, "id"), "a unique evaluation id",
                             f"{e['id']!r}, already used by evaluations[{seen[e['id']]}]")
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
            path=path,
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
                       follow_up_months=o["follow_up_months"], path=path)

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
                        r["cluster_adjusted"])

    def data(self, o: dict[str, Any], path: KeyPath, design: str) -> DataSource | None:
        rel = o["data"]
        p = Path(rel)
        if p.suffix.lower() not in DATA_SUFFIXES:
            self.ctx.add((*path, "data"), "a .csv, .xlsx or .parquet file", f"{rel!r}")
            return None
        if p.is_absolute() or ".." in p.parts:
            self.ctx.add((*path, "data"),
                         "a path inside the submission's folder", f"{rel!r}")
            return None
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
        full = (self.base_dir / p) if self.base_dir is not None else p
        return DataSource(full, dict(columns), o["sheet"], tuple(o["covariates"] or ()),
                          root=self.base_dir if self.base_dir is not None else Path.cwd())


__all__ = ["SCHEMA_ID", "build_submission", "format_path", "load_submission"]
