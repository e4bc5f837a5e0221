"""Rubric files: find, load, validate and compile them.

A rubric is data (``rubrics/*.yaml``): levels, criteria, parameters and checks written in the
condition language of :mod:`evidencekit.assessment.conditions`. Mistakes in a rubric are
:class:`~evidencekit.errors.RubricError` problems with file, line and key path — kept apart
from submission errors, because they are the rubric author's to fix, not the applicant's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .. import resources
from ..errors import InputError, Problem, RubricError, UsageError
from ..frozen import freeze_fields
from ..load.document import Document, format_path, parse, read_document, read_text
from ..vocabulary import DEFAULT_RUBRIC
from .advice import ADVICE
from .conditions import Compiler, Node
from .questions import QUESTION_ID, AnswerOption, Prefill, Question

SCHEMA_ID = "evidencekit/rubric@1"


@dataclass(frozen=True)
class Parameter:
    name: str
    default: float | str
    description: str
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    choices: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        freeze_fields(self, "choices")

    def parse(self, text: str | float) -> float | str:
        """Convert and check a value given for this parameter (e.g. from ``--set``)."""
        if self.choices is not None:
            if text not in self.choices:
                raise UsageError.one(None, f"one of {', '.join(self.choices)} for parameter "
                                     f"{self.name!r}", repr(text))
            return str(text)
        try:
            value = float(text)
        except (TypeError, ValueError):
            raise UsageError.one(None, f"a number for parameter {self.name!r}",
                                 repr(text)) from None
        if self.integer:
            if not value.is_integer():
                raise UsageError.one(None, f"a whole number for parameter {self.name!r}",
                                     repr(text))
            value = int(value)
        if ((self.minimum is not None and value < self.minimum)
                or (self.maximum is not None and value > self.maximum)):
            raise UsageError.one(None, f"a value between {self.minimum} and {self.maximum} for "
                                 f"parameter {self.name!r}", repr(text))
        return value


@dataclass(frozen=True)
class Criterion:
    id: str  # full id, prefixed by the rubric id
    title: str
    gate: bool
    question: str
    guidance: str
    check: Node
    help: str | None = None
    example: str | None = None
    met: str | None = None
    not_met: str | None = None


@dataclass(frozen=True)
class Level:
    level: int
    title: str
    statement: str
    criteria: tuple[Criterion, ...]
    #: The framework's own name for the level ("3+", "SMS 4"); crosswalks show it.
    label: str | None = None

    def __post_init__(self) -> None:
        freeze_fields(self, "criteria")


@dataclass(frozen=True)
class Override:
    """A verdict that replaces the ladder's label when its condition is verified (true), such
    as "found not to be effective": applied after the levels, first match wins."""

    label: str
    check: Node
    reason: str
    title: str | None = None


@dataclass(frozen=True)
class Rubric:
    id: str
    title: str
    version: str
    levels: tuple[Level, ...]
    parameters: Mapping[str, Parameter]
    scope: str = "programme"
    description: str | None = None
    sources: tuple[str, ...] = ()
    operationalisation: str | None = None
    level_zero: str = "Not yet level 1"
    path: str | None = None
    sha256: str | None = None
    values: Mapping[str, float | str] = field(default_factory=dict)
    overrides: tuple[Override, ...] = ()
    #: The rubric's definition named ``causal_test``, compiled for one evaluation (None when
    #: the rubric has none): whether the headline effect's evaluation passes it is part of
    #: the assessment (``AssessmentResult.headline_causal``).
    causal_test: Node | None = None
    #: The per-evaluation questions the rubric asks (signalling questions), in file order.
    questions: tuple[Question, ...] = ()

    def __post_init__(self) -> None:
        # Rubrics are cached and shared by every assessment in the process: nothing in one
        # may change after it is built (``with_values`` makes a new one).
        freeze_fields(self, "levels", "parameters", "values", "sources", "overrides",
                      "questions")

    def question(self, full_id: str) -> Question | None:
        return next((q for q in self.questions if q.full_id == full_id), None)

    def label_of(self, n: int) -> str:
        """The label of level ``n``: the level's own ``label``, "Level n" without one, and
        ``level_zero`` for 0."""
        if n == 0:
            return self.level_zero
        return self.levels[n - 1].label or f"Level {n}"

    def with_values(self, overrides: Mapping[str, str | float]) -> Rubric:
        """The same rubric with some parameters set (``--set alpha=0.01``)."""
        values = dict(self.values)
        for name, raw in overrides.items():
            if name not in self.parameters:
                raise UsageError.one(None, "a parameter of rubric " + repr(self.id) + " (" +
                                     ", ".join(self.parameters) + ")", repr(name))
            values[name] = self.parameters[name].parse(raw)
        return Rubric(**{**self.__dict__, "values": values})

    def criterion(self, cid: str) -> Criterion | None:
        for lv in self.levels:
            for c in lv.criteria:
                if c.id == cid:
                    return c
        return None


@cache
def rubric_schema() -> dict[str, Any]:
    """The JSON Schema of rubric files."""
    text = (Path(__file__).parent / "rubric.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def bundled_rubrics() -> dict[str, Path]:
    """Bundled rubric ids and their files, sorted by id."""
    folder = resources.rubrics_dir()
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def resolve_rubric(name_or_path: str | Path) -> Path:
    bundled = bundled_rubrics()
    if isinstance(name_or_path, str) and name_or_path in bundled:
        return bundled[name_or_path]
    p = Path(name_or_path)
    if p.suffix.lower() in (".yaml", ".yml", ".json") or p.exists():
        return p
    raise UsageError.one(None, "a bundled rubric id (" + ", ".join(bundled) + ") or a rubric "
                         "file path", repr(str(name_or_path)))


def load_rubric(name_or_path: str | Path = DEFAULT_RUBRIC) -> Rubric:
    """Load, validate and compile a rubric by bundled id or by path."""
    path = resolve_rubric(name_or_path)
    return _load_cached(str(path.resolve()), path.stat().st_mtime_ns if path.exists() else 0,
                        str(path))


@cache
def _load_cached(resolved: str, _mtime: int, shown: str) -> Rubric:
    try:
        text, digest = read_document(Path(resolved), what="a rubric")
        doc = parse(text, shown, json_syntax=resolved.endswith(".json"))
    except InputError as exc:
        raise RubricError([Problem(shown, p.line, p.key, p.expected, p.found)
                           for p in exc.problems]) from exc
    # Bundled rubrics ship with the package and are validated against the JSON Schema by the
    # test suite; skipping jsonschema for them keeps it (and its imports) off every run.
    bundled = Path(resolved).parent == resources.rubrics_dir().resolve()
    rubric = compile_rubric(doc, check_schema=not bundled)
    return Rubric(**{**rubric.__dict__, "path": shown,
                     "sha256": digest})  # of the file's bytes


def check_rubric(name_or_path: str | Path) -> Rubric:
    """Load a rubric with every check, the JSON Schema included (``rubric validate``)."""
    path = resolve_rubric(name_or_path)
    try:
        text = read_text(path, what="a rubric")
        doc = parse(text, str(path), json_syntax=path.suffix.lower() == ".json")
    except InputError as exc:
        raise RubricError(list(exc.problems)) from exc
    return compile_rubric(doc, check_schema=True)


def validate_document(doc: Document) -> list[Problem]:
    """JSON Schema validation with each error placed on its line."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(rubric_schema())
    problems = []
    for err in sorted(validator.iter_errors(doc.value), key=lambda e: list(map(str, e.path))):
        path = tuple(err.absolute_path)
        expected, found = _explain(err)
        problems.append(Problem(doc.source, doc.line_of(path), format_path(path), expected,
                                found))
    return problems


def _explain(err: Any) -> tuple[str, str]:
    from ..load.document import describe

    v = err.validator
    if v == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        return f"the required key {missing!r}", "it missing"
    if v == "additionalProperties":
        extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
        return ("one of the keys " + ", ".join(err.schema.get("properties", {})),
                "the unknown key " + ", ".join(map(repr, extra)))
    if v == "type":
        return f"a value of type {err.validator_value}", describe(err.instance)
    if v == "enum":
        return "one of " + ", ".join(map(str, err.validator_value)), describe(err.instance)
    if v == "const":
        return repr(err.validator_value), describe(err.instance)
    if v == "pattern":
        return f"text matching {err.validator_value}", describe(err.instance)
    if v == "minLength":
        n = err.validator_value
        return ("non-empty text" if n == 1 else f"text of at least {n} characters",
                describe(err.instance))
    if v == "minItems":
        return f"a list of at least {err.validator_value} item(s)", describe(err.instance)
    if v == "minimum":
        return f"a number of at least {err.validator_value}", describe(err.instance)
    return err.message, describe(err.instance)


def compile_rubric(doc: Document, *, check_schema: bool = True) -> Rubric:
    if isinstance(doc.value, dict) and "levels" not in doc.value and (
            "programme" in doc.value or "evaluations" in doc.value):
        raise RubricError([Problem(doc.source, None, None,
                                   "a rubric (schema: evidencekit/rubric@1, with levels)",
                                   "a submission; assess it with: evidencekit assess FILE")])
    problems = validate_document(doc) if check_schema else []
    if problems:
        raise RubricError(problems)
    raw = doc.value
    params: dict[str, Parameter] = {}
    for name, p in (raw.get("parameters") or {}).items():
        params[name] = Parameter(name, p["default"], p["description"], p.get("minimum"),
                                 p.get("maximum"), bool(p.get("integer", False)),
                                 tuple(p["choices"]) if "choices" in p else None)
        try:
            params[name].parse(p["default"])
        except UsageError as exc:
            problems.append(Problem(doc.source, doc.line_of(("parameters", name, "default")),
                                    f"parameters.{name}.default", exc.problems[0].expected,
                                    exc.problems[0].found))
    question_ids = [q["id"] for q in raw.get("questions") or () if isinstance(q.get("id"), str)]
    compiler = Compiler(raw.get("definitions") or {}, params, list(ADVICE), source=doc.source,
                        line_of=doc.line_of, questions=question_ids)
    scope = raw.get("scope", "programme")
    top_scope = "programme" if scope == "programme" else "evaluation"
    # Definitions are compiled where they are used, in the scope of use; an unused one is
    # still compiled once, in the scope it names (or the top scope), so its mistakes show.
    for name in raw.get("definitions") or {}:
        trials: list[tuple[int, int, str]] = []  # (problems, order tried, scope)
        for order, sc in enumerate(("programme", "evaluation", "outcome")):
            trial = Compiler(raw["definitions"], params, list(ADVICE), source=doc.source,
                             line_of=doc.line_of, questions=question_ids, hints=False)
            trial.compile({"ref": name}, ("definitions", name), sc)
            trials.append((len(trial.problems), order, sc))
            if not trial.problems:
                break
        else:
            # Report it in the scope where it comes closest to compiling: its real mistakes,
            # not those of a scope it was never meant for (compiled again, with hints).
            closest = min(trials)[2]
            shown = Compiler(raw["definitions"], params, list(ADVICE), source=doc.source,
                             line_of=doc.line_of, questions=question_ids)
            shown.compile({"ref": name}, ("definitions", name), closest)
            problems.extend(shown.problems)
    levels = []
    seen: set[str] = set()
    prefix = raw["id"]
    for i, lv in enumerate(raw["levels"]):
        if lv["level"] != i + 1:
            problems.append(Problem(doc.source, doc.line_of(("levels", i, "level")),
                                    f"levels[{i}].level", f"level {i + 1} (levels are numbered "
                                    "1, 2, 3 ... in order)", str(lv["level"])))
        criteria = []
        for j, c in enumerate(lv["criteria"]):
            path = ("levels", i, "criteria", j)
            full = f"{prefix}.{c['id']}"
            if full in seen:
                problems.append(Problem(doc.source, doc.line_of((*path, "id")),
                                        format_path((*path, "id")), "a unique criterion id",
                                        repr(c["id"])))
            seen.add(full)
            node = compiler.compile(c["check"], (*path, "check"), top_scope)
            criteria.append(Criterion(full, c["title"], c.get("gate", True), c["question"],
                                      c["guidance"], node, c.get("help"), c.get("example"),
                                      c.get("met"), c.get("not_met")))
        levels.append(Level(lv["level"], lv["title"], lv["statement"], tuple(criteria),
                            lv.get("label")))
    labels: dict[str, tuple[str | int, ...]] = {}
    if "level_zero" in raw:
        labels[raw["level_zero"]] = ("level_zero",)
    for i, lv in enumerate(raw["levels"]):
        if "label" in lv:
            _unique_label(doc, labels, lv["label"], ("levels", i, "label"), problems)
    overrides = []
    for i, ov in enumerate(raw.get("overrides") or ()):
        where: tuple[str | int, ...] = ("overrides", i)
        _unique_label(doc, labels, ov["label"], (*where, "label"), problems)
        node = compiler.compile(ov["when"], (*where, "when"), top_scope)
        overrides.append(Override(ov["label"], node, ov["reason"], ov.get("title")))
    questions = _questions(raw, doc, compiler, problems)
    causal = (compiler.compile({"ref": "causal_test"}, ("definitions", "causal_test"),
                               "evaluation")
              if "causal_test" in (raw.get("definitions") or {}) else None)
    problems.extend(compiler.problems)
    if problems:
        # A definition's mistake is found where it is declared and again where it is used;
        # each is reported once, in file order.
        unique = list(dict.fromkeys(problems))
        raise RubricError(sorted(unique, key=lambda p: p.line if p.line is not None else 0))
    return Rubric(
        id=raw["id"], title=raw["title"], version=str(raw["version"]), levels=tuple(levels),
        parameters=params, scope=scope, description=raw.get("description"),
        sources=tuple(raw.get("sources") or ()), operationalisation=raw.get("operationalisation"),
        level_zero=raw.get("level_zero", "Not yet level 1"),
        values={k: p.default for k, p in params.items()}, overrides=tuple(overrides),
        causal_test=causal, questions=questions,
    )


def _questions(raw: Mapping[str, Any], doc: Document, compiler: Compiler,
               problems: list[Problem]) -> tuple[Question, ...]:
    """The rubric's ``questions``, their answers from ``answer_sets``, and their conditions
    (``asked_when`` and each ``prefill`` rule's ``when``) compiled in the evaluation scope."""
    def bad(path: tuple[str | int, ...], expected: str, found: str) -> None:
        problems.append(Problem(doc.source, doc.line_of(path), format_path(path), expected,
                                found))

    sets: dict[str, tuple[AnswerOption, ...]] = {}
    for name, options in (raw.get("answer_sets") or {}).items():
        seen_codes: set[str] = set()
        opts = []
        for k, o in enumerate(options):
            if o["code"] in seen_codes:
                bad(("answer_sets", name, k, "code"), "a code no other answer of the set uses",
                    repr(o["code"]))
            seen_codes.add(o["code"])
            opts.append(AnswerOption(o["code"], o["label"], tuple(o.get("words") or ())))
        sets[name] = tuple(opts)
    out: list[Question] = []
    seen: set[str] = set()
    for i, q in enumerate(raw.get("questions") or ()):
        path: tuple[str | int, ...] = ("questions", i)
        qid = q["id"]
        if not QUESTION_ID.fullmatch(qid):
            bad((*path, "id"), "a question id of letters, digits, '_' and dots (such as "
                "'1.2')", repr(qid))
        if qid in seen:
            bad((*path, "id"), "a unique question id", repr(qid))
        seen.add(qid)
        options = sets.get(q["answers"])
        if options is None:
            bad((*path, "answers"), "the name of an answer set (" +
                (", ".join(sets) or "the rubric declares none under answer_sets") + ")",
                repr(q["answers"]))
            continue
        if "allow" in q:
            codes = [o.code for o in options]
            for k, code in enumerate(q["allow"]):
                if code not in codes:
                    bad((*path, "allow", k), f"an answer of set {q['answers']!r} (" +
                        ", ".join(codes) + ")", repr(code))
            options = tuple(o for o in options if o.code in q["allow"])
        asked = (compiler.compile(q["asked_when"], (*path, "asked_when"), "evaluation")
                 if "asked_when" in q else None)
        rules = []
        for k, rule in enumerate(q.get("prefill") or ()):
            rpath = (*path, "prefill", k)
            if rule["answer"] not in [o.code for o in options]:
                bad((*rpath, "answer"), "one of the question's answers (" +
                    ", ".join(o.code for o in options) + ")", repr(rule["answer"]))
            rules.append(Prefill(rule["answer"],
                                 compiler.compile(rule["when"], (*rpath, "when"), "evaluation"),
                                 rule["because"], format_path(rpath)))
        out.append(Question(qid, f"{raw['id']}.{qid}", q["text"], options, q.get("group"),
                            q.get("help"), asked, tuple(rules)))
    return tuple(out)


def _unique_label(doc: Document, seen: dict[str, tuple[str | int, ...]], label: str,
                  path: tuple[str | int, ...], problems: list[Problem]) -> None:
    """Labels name verdicts in crosswalks, so two verdicts must not share one."""
    if label in seen:
        problems.append(Problem(doc.source, doc.line_of(path), format_path(path),
                                "a label no other level or override uses",
                                f"{label!r}, already the label of {format_path(seen[label])}"))
    else:
        seen[label] = path
