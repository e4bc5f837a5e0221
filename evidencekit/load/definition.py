"""The submission format, declared once (``evidencekit/submission@1``).

Everything about the *shape* of a submission lives here: its keys, what each takes, the range
of every number, the length of every text, the size of every list, and one line of meaning
per key. From this one declaration come

* the validator (:func:`evidencekit.load.submission.load_submission` checks documents with
  :data:`SUBMISSION`, then applies the cross-key rules listed in :data:`CROSS_KEY_RULES`),
* the published JSON Schema (:func:`submission_json_schema`, ``evidencekit schema
  submission``),
* the field list a questionnaire or form can ask for (:func:`submission_fields`), and
* the documentation's table of keys (:func:`submission_keys_markdown`, kept in
  ``docs/submission-keys.md`` and checked by a test).
"""

from __future__ import annotations

from functools import cache
from pathlib import PurePosixPath
from typing import Any

from ..errors import quote
from .document import MAX_DEPTH, MAX_DOCUMENT_BYTES, MAX_NUMBER_CHARS, MAX_VALUES, KeyPath, describe
from .model import DESIGNS, IDENTIFICATIONS
from .schema import (
    Choice,
    Context,
    FieldInfo,
    Fields,
    Flag,
    Invalid,
    Key,
    Label,
    ListOf,
    MapOf,
    Number,
    OneOf,
    Option,
    Text,
    field_list,
    markdown_table,
)

SCHEMA_ID = "evidencekit/submission@1"
DATA_SUFFIXES = (".csv", ".xlsx", ".parquet")
#: Files one outcome may be read from (``data:`` as a list, or a dataset folder's parts).
MAX_DATA_PARTS = 10_000
REPORTED_STATISTICS = ("t", "z", "p", "f", "hedges_g", "mean_difference", "odds_ratio")
COLUMN_ROLES = ("outcome", "group", "treatment", "pretest", "cluster", "pre", "post", "id")

#: Most people in one group, and most counted in anything (assigned, events).
MAX_PEOPLE = 1_000_000_000
#: Most evaluations in one submission, outcomes in one evaluation, and outcomes in all: a
#: report's size and the time to make it grow with these (2,500 evaluations once took 264 s
#: and 4.2 GB as a 1,203-page PDF).
MAX_EVALUATIONS = 100
MAX_OUTCOMES_PER_EVALUATION = 50
MAX_OUTCOMES = 200

class DataPath(Text):
    """A data file's path: relative, inside the submission's folder (no ``..``), ending in
    one of :data:`DATA_SUFFIXES`. (Where the path leads once symlinks are resolved is checked
    when the file is opened.)"""

    def __init__(self) -> None:
        super().__init__(nonempty=True, max_length=1000)

    def check(self, value: Any, path: KeyPath, ctx: Context) -> Any:
        text = super().check(value, path, ctx)
        p = PurePosixPath(text)
        if p.suffix.lower() not in DATA_SUFFIXES and not text.endswith("/"):
            ctx.add(path, "a .csv, .xlsx or .parquet file (or a folder ending in /)",
                    quote(text, 60))
            raise Invalid
        if p.is_absolute() or ".." in p.parts or "\\" in text:
            ctx.add(path, "a path inside the submission's folder", quote(text, 60))
            raise Invalid
        return text

    def json_schema(self) -> dict[str, Any]:
        return {"allOf": [super().json_schema(), {
            "pattern": "^(?!/)(?!.*\\\\)(?!(?:.*/)?\\.\\.(?:/|$))(?:.*\\.(?:[cC][sS][vV]|"
                       "[xX][lL][sS][xX]|[pP][aA][rR][qQ][uU][eE][tT])|.*/)$"}]}


class DataPaths(Option):
    """``data:``: one path (a file, or a folder holding a partitioned Parquet dataset) or a
    list of files of one format read as one outcome (:mod:`evidencekit.load.data.partitions`).
    Always checked into a list of paths."""

    _one = DataPath()
    expected = "a data file path, a dataset folder, or a list of data files"

    def check(self, value: Any, path: KeyPath, ctx: Context) -> Any:
        if isinstance(value, str):
            return [self._one.check(value, path, ctx)]
        if not isinstance(value, list):
            return self._one.check(value, path, ctx)  # its message for what it found
        if not value or len(value) > MAX_DATA_PARTS:
            ctx.add(path, f"a list of 1 to {MAX_DATA_PARTS:,} data files", describe(value))
            raise Invalid
        out = [self._one.check(v, (*path, i), ctx) for i, v in enumerate(value)]
        if len(out) > 1:
            suffixes = {PurePosixPath(t).suffix.lower() for t in out}
            if any(t.endswith("/") for t in out) or suffixes - {".csv", ".parquet"} \
                    or len(suffixes) > 1:
                ctx.add(path, "a list of .csv files or of .parquet files (one format)",
                        quote(", ".join(out), 60))
                raise Invalid
        return out

    def json_schema(self) -> dict[str, Any]:
        one = self._one.json_schema()
        return {"anyOf": [one, {"type": "array", "items": one, "minItems": 1,
                                "maxItems": MAX_DATA_PARTS}]}


class AnswerValue(Option):
    """An answer to a rubric's per-evaluation question: the answer alone (``PY``, "probably
    yes") or ``{answer: ..., note: ...}``. Which answers a question takes is the rubric's (its
    ``answer_sets``); the loader checks them against the bundled rubrics, the assessment
    against the rubric it applies."""

    expected = "an answer (such as PY) or {answer: ..., note: ...}"
    _answer = Text(nonempty=True, max_length=40)
    _fields = Fields({"answer": Key(Text(nonempty=True, max_length=40), required=True,
                                    doc="The answer (a code such as PY, or its words)."),
                      "note": Key(Text(), doc="Why, or where the report says so.")},
                     name="an answer with a note ({answer: ..., note: ...})")

    def check(self, value: Any, path: KeyPath, ctx: Context) -> Any:
        if isinstance(value, dict):
            out = self._fields.check(value, path, ctx)
            return {**out, "long_form": True}
        if isinstance(value, str):
            return {"answer": self._answer.check(value, path, ctx), "note": None,
                    "long_form": False}
        return self.fail(value, path, ctx)

    def json_schema(self) -> dict[str, Any]:
        return {"anyOf": [self._answer.json_schema(), self._fields.json_schema()]}


#: A per-evaluation question's full id: the rubric's id, then the question's ("rob2.1.2").
QUESTION_KEY = r"[a-z][a-z0-9_]*(\.[A-Za-z0-9_]+)+"

_count = Number(integer=True, minimum=0, maximum=MAX_PEOPLE, what="a whole number of people")
_n = Number(integer=True, minimum=2, maximum=MAX_PEOPLE, what="a whole number of people")
_sd = Number(minimum=0, what="a standard deviation")
_mean = Number(what="a number (the mean)")
_r = Number(minimum=-1, maximum=1, what="a correlation")
_text = Text()
_name = Text(nonempty=True, max_length=500)
_short = Text(nonempty=True, max_length=500)

_group = Fields(
    {
        "n": Key(_n, doc="People analysed in the group."),
        "mean": Key(_mean, doc="Mean outcome (continuous outcomes)."),
        "sd": Key(_sd, doc="Standard deviation of the outcome (ddof = 1)."),
        "pre_mean": Key(_mean, doc="Mean at baseline (with pre_sd)."),
        "pre_sd": Key(_sd, doc="Standard deviation at baseline (with pre_mean)."),
        "events": Key(_count, doc="People with the outcome (binary outcomes), at most n."),
        "pre_events": Key(_count, doc="People with the outcome at baseline, at most n."),
    },
    name="a group summary (n with mean and sd, or n with events)")
_pair = Fields({"treatment": Key(_count, required=True, doc="People in the treatment group."),
                "control": Key(_count, required=True, doc="People in the control group.")},
               name="counts for treatment and control")
_columns = MapOf(Label(), key_choices=COLUMN_ROLES,
                 key_expected="a column role (" + ", ".join(COLUMN_ROLES) + ")", max_items=20)
_ci = ListOf(Number(what="a confidence limit"), min_items=2, max_items=2)
_reported = Fields(
    {
        "t": Key(Number(minimum=-1e6, maximum=1e6, what="a t statistic"),
                 doc="A published t statistic (with n_treatment, n_control)."),
        "z": Key(Number(minimum=-1e6, maximum=1e6, what="a z statistic"),
                 doc="A published z statistic (with n_treatment, n_control)."),
        "p": Key(Number(exclusive_minimum=0, maximum=1, what="a p-value"),
                 doc="A published two-sided p-value (with sign, n_treatment, n_control)."),
        "f": Key(Number(minimum=0, what="an F statistic"),
                 doc="A published F statistic with 1 numerator df (with sign and the ns)."),
        "hedges_g": Key(Number(minimum=-100, maximum=100, what="a standardised effect"),
                        doc="A published Hedges' g (with se)."),
        "mean_difference": Key(Number(what="a mean difference"),
                               doc="A published difference in means (with ci, optionally sd)."),
        "odds_ratio": Key(Number(exclusive_minimum=0, what="an odds ratio"),
                          doc="A published odds ratio (with ci; binary outcomes)."),
        "n_treatment": Key(_n, doc="People analysed in the treatment group."),
        "n_control": Key(_n, doc="People analysed in the control group."),
        "sign": Key(Number(integer=True, minimum=-1, maximum=1, what="a sign"),
                    doc="1 when the treatment group was ahead, -1 when behind (p and f)."),
        "se": Key(Number(minimum=1e-6, maximum=1e6, what="a standard error"),
                  doc="Standard error of hedges_g."),
        "ci": Key(_ci, doc="The 95% confidence interval [lower, upper]."),
        "sd": Key(Number(exclusive_minimum=0, what="a standard deviation"),
                  doc="Outcome SD, to standardise a mean_difference."),
        "adjusted": Key(Flag(), doc="The estimate is adjusted for baseline."),
        "cluster_adjusted": Key(Flag(), doc="The interval already allows for clustering."),
        # -- h11meta: checked against the statistic, as statcheck does (not used otherwise)
        "p_value": Key(Number(minimum=0, maximum=1, what="a p-value"),
                       doc="The p-value published beside t, z or f; checked against them."),
        "df": Key(Number(exclusive_minimum=0, maximum=1e7, what="degrees of freedom"),
                  doc="Degrees of freedom published with t or f (default n_treatment + "
                  "n_control - 2); used only to check p_value."),
    },
    name="a published effect",
    one_of=[OneOf(REPORTED_STATISTICS, "exactly one published statistic ("
                  + ", ".join(REPORTED_STATISTICS) + ")")],
)

_outcome = Fields(
    {
        "name": Key(_name, required=True, doc="What was measured."),
        "kind": Key(Choice(["continuous", "binary"]), default="continuous",
                    doc="A measured quantity, or a yes/no outcome counted as events."),
        "primary": Key(Flag(), default=True, doc="A primary outcome of the evaluation."),
        "direction": Key(Choice(["higher_is_better", "lower_is_better"]),
                         default="higher_is_better", doc="Which way is an improvement."),
        "domain": Key(_text, doc="The outcome's domain (achievement uses the EEF months "
                      "scale and the attainment ICC)."),
        "self_reported": Key(Flag(), default=False, doc="Reported by participants themselves."),
        "units": Key(Text(nonempty=True, max_length=40),
                     doc="The unit the outcome is measured in (mmHg, points, months), so "
                     "that a report can say the effect in it (\"3.7 mmHg lower\")."),
        "follow_up_months": Key(Number(minimum=0, maximum=1200, what="a number of months"),
                                doc="Months from the end of the programme to measurement."),
        "summary": Key(Fields(
            {"treatment": Key(_group, doc="The treatment group (two-group designs)."),
             "control": Key(_group, doc="The control group (two-group designs)."),
             "pre": Key(_group, doc="The group before (pre_post)."),
             "post": Key(_group, doc="The group after (pre_post, post_only)."),
             "correlation": Key(_r, doc="Pre-post correlation (difference in differences, "
                                "pre_post).")}, name="a summary"),
                       doc="Group summaries: treatment and control (two-group designs), pre "
                       "and post (pre_post) or post (post_only)."),
        "data": Key(DataPaths(),
                    doc="A row-level .csv, .xlsx or .parquet file inside the submission's "
                    "folder; or a folder (ending in /, or named .parquet) holding a "
                    "partitioned Parquet dataset; or a list of .csv or .parquet files read "
                    "as one."),
        "columns": Key(_columns, doc="Which column plays which role (with data)."),
        "sheet": Key(_short, doc="The worksheet to read (with an .xlsx data file)."),
        "covariates": Key(ListOf(_short, max_items=50), doc="Columns to adjust for (with data)."),
        "reported": Key(_reported, doc="An effect as published."),
        # -- h11meta: integer-valued scales make some means and SDs impossible (GRIM/GRIMMER)
        "scale": Key(Fields({"items": Key(Number(integer=True, minimum=1, maximum=1000,
                                                 what="a number of items"), required=True,
                                          doc="Integer-valued items averaged (or summed) "
                                          "into each person's score.")},
                            name="an integer-valued scale"),
                     doc="The outcome is scored in whole numbers (items: how many items are "
                     "averaged); reported means and SDs are checked with GRIM and GRIMMER."),
    },
    name="an outcome",
    one_of=[OneOf(("data", "summary", "reported"),
                  "exactly one of 'data', 'summary' or 'reported'")],
)

_evaluation = Fields(
    {
        "id": Key(Text(nonempty=True, max_length=200), required=True,
                  doc="A short id, unique in the submission."),
        "title": Key(_text, doc="The evaluation's title."),
        "design": Key(Choice(DESIGNS), required=True, doc="How the evaluation was designed."),
        "independent": Key(Flag(), default=False,
                           doc="Done by people independent of the programme."),
        "delivered_by": Key(_text, doc="Who delivered the programme (default: the "
                            "organisation)."),
        "site": Key(_text, doc="Where it took place."),
        "year": Key(Number(integer=True, minimum=1900, maximum=2100, what="a year"),
                    doc="When it took place."),
        "assigned": Key(_pair, doc="How many were assigned to each group (two-group designs; "
                        "for attrition)."),
        "icc": Key(Number(minimum=0, maximum=1, what="an intraclass correlation"),
                   doc="The intraclass correlation (cluster designs)."),
        "clusters": Key(Fields(
            {"treatment": Key(Number(integer=True, minimum=1, maximum=10_000_000,
                                     what="a whole number of clusters"), required=True,
                              doc="Clusters in the treatment group."),
             "control": Key(Number(integer=True, minimum=1, maximum=10_000_000,
                                   what="a whole number of clusters"), required=True,
                            doc="Clusters in the control group.")},
            name="cluster counts for treatment and control"),
            doc="Clusters in each group (cluster designs)."),
        "identification": Key(Choice(IDENTIFICATIONS),
                              doc="How the effect is identified (the Maryland scale's "
                              "method families)."),
        "comparison_justified": Key(Flag(), doc="The comparison group's choice is argued."),
        "real_world": Key(Flag(), doc="Delivered in everyday conditions."),
        "answers": Key(MapOf(AnswerValue(), key_regex=QUESTION_KEY,
                             key_expected="a question id such as 'rob2.1.2' (the rubric's "
                             "id, then the question's)", max_items=500),
                       doc="Answers to rubrics' per-evaluation (signalling) questions, by "
                       "question id: the answer alone (PY) or {answer, note}."),
        "outcomes": Key(ListOf(_outcome, max_items=MAX_OUTCOMES_PER_EVALUATION, tolerant=True),
                        doc="What was measured and found."),
    },
    name="an evaluation",
)

_list_of_text = ListOf(_text, allow_single=True, max_items=200)

#: The whole submission format.
SUBMISSION = Fields(
    {
        "schema": Key(Choice([SCHEMA_ID]), doc="The format's id."),
        "programme": Key(Fields(
            {"name": Key(_name, required=True, doc="The programme's name."),
             "organisation": Key(_text, doc="Who runs it."),
             "theme": Key(_text, doc="Its area (education, health, ...)."),
             "summary": Key(_text, doc="What it does, in a few sentences.")},
            name="a programme"), required=True, doc="What is being assessed."),
        "theory_of_change": Key(Fields(
            {"problem": Key(_text, doc="The need, in plain words."),
             "activities": Key(_list_of_text, doc="What the programme does."),
             "outcomes": Key(_list_of_text, doc="What should change."),
             "rationale": Key(_text, doc="Why the activities should cause the outcomes."),
             "references": Key(_list_of_text, doc="Research the rationale rests on."),
             "evaluation_plan": Key(_text, doc="How the programme will be evaluated.")},
            name="a theory of change"), doc="Why the programme should work."),
        "evaluations": Key(ListOf(_evaluation, max_items=MAX_EVALUATIONS, tolerant=True),
                           doc="The evidence: one entry per evaluation."),
        "costs": Key(Fields(
            {"per_participant": Key(Number(minimum=0, what="an amount"),
                                    doc="Cost per participant."),
             "currency": Key(Text(nonempty=True, max_length=20), doc="Currency (default GBP)."),
             "comparator_per_participant": Key(Number(minimum=0, what="an amount"),
                                               doc="Cost per participant of the "
                                               "alternative.")},
            name="costs"), doc="What the programme costs."),
        "scaling": Key(Fields(
            {"manual": Key(Flag(), doc="A manual describes the programme."),
             "training": Key(Flag(), doc="Deliverers are trained."),
             "fidelity_monitoring": Key(Flag(), doc="Delivery is checked against the manual."),
             "sites": Key(Number(integer=True, minimum=0, maximum=10_000_000,
                                 what="a whole number of sites"),
                          doc="Sites delivering it."),
             "delivered_by_others": Key(Flag(), doc="Others deliver it successfully.")},
            name="scaling"), doc="Whether it can be delivered elsewhere."),
        "claims": Key(MapOf(
            Fields({"answer": Key(Flag(), required=True, doc="The applicant's answer."),
                    "note": Key(_text, doc="Why, or where the evidence is.")},
                   name="a claim"),
            key_regex=r"[a-z0-9_]+(\.[A-Za-z0-9_]+)+",
            key_expected="a criterion id such as 'nesta.L3.comparison'", max_items=500),
            doc="Answers to a rubric's questions, by criterion id."),
    },
    name="a submission (a mapping with at least 'programme')",
    tolerant=True,
)

#: The rules across keys the validator applies after the shape is checked (they depend on
#: the design and on other keys, so a JSON Schema states only part of them).
CROSS_KEY_RULES: tuple[str, ...] = (
    f"At most {MAX_OUTCOMES} outcomes in all the evaluations together.",
    "Evaluation ids are unique.",
    "Design `none` has no outcomes; every other design has at least one.",
    "`assigned` only with a two-group design (comparison_group, rct, cluster_rct).",
    "`identification: randomisation` only with rct or cluster_rct; matching, "
    "difference_in_differences, instrumental_variables and regression_discontinuity only "
    "with a two-group design; no identification with design `none`.",
    "`columns`, `sheet` and `covariates` only with `data`; `data` is a .csv, .xlsx or .parquet "
    "path inside the submission's folder, with the column roles the design needs.",
    "A summary has the groups its design needs; a continuous group has n, mean and sd, a "
    "binary group n and events (events and pre_events at most n); pre_mean and pre_sd "
    "together; analysed n at most the number assigned.",
    "A published effect only for a two-group design, with what its statistic needs (t, z: "
    "n_treatment and n_control; p, f: also sign, which is 1 or -1; hedges_g: se; "
    "mean_difference and odds_ratio: ci containing the estimate, lower below upper; "
    "odds_ratio: kind binary, limits above 0).",
)

#: The limits of the reader, the same for YAML, JSON and mappings given to the Python API.
DOCUMENT_LIMITS: tuple[tuple[str, str], ...] = (
    ("File or document size", f"at most {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB"),
    ("Values in a document (aliases expanded)", f"at most {MAX_VALUES:,}"),
    ("Nesting of mappings and lists", f"at most {MAX_DEPTH} deep"),
    ("A number as written", f"finite; a whole number has at most {MAX_NUMBER_CHARS} digits"),
    ("Evaluations", f"at most {MAX_EVALUATIONS}"),
    ("Outcomes", f"at most {MAX_OUTCOMES_PER_EVALUATION} per evaluation, {MAX_OUTCOMES} in all"),
    ("People in a group, assigned or events", f"at most {MAX_PEOPLE:,}"),
    ("Any other number without its own range", "between -10^12 and 10^12"),
    ("Text", "valid Unicode without control characters (tab and line breaks allowed), "
             "at most 100,000 characters (names 500)"),
)


@cache
def submission_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of submissions, derived from :data:`SUBMISSION`.

    >>> s = submission_json_schema()
    >>> s["required"], s["properties"]["evaluations"]["anyOf"][0]["maxItems"]
    (['programme'], 100)
    """
    body = SUBMISSION.json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://evidencekit.org/schema/submission-1.json",
        "title": "evidencekit submission (" + SCHEMA_ID + ")",
        "description": "The shape of a submission. The validator also applies these rules "
                       "across keys: " + " ".join(CROSS_KEY_RULES),
        **body,
    }


def submission_fields() -> list[FieldInfo]:
    """Every key of a submission, in order, with what it takes, its range and meaning (for a
    questionnaire or a form).

    >>> [f.path for f in submission_fields()][:3]
    ['schema', 'programme', 'programme.name']
    >>> n = next(f for f in submission_fields()
    ...          if f.path == "evaluations[].outcomes[].summary.treatment.n")
    >>> n.kind, n.minimum, n.maximum
    ('whole number', 2, 1000000000)
    """
    return field_list(SUBMISSION)


def field_info(path: str) -> FieldInfo | None:
    """The declaration of one key, given as a concrete path (list indices allowed), for a
    questionnaire that checks an answer by the same range as the validator.

    >>> f = field_info("evaluations[2].outcomes[0].summary.control.sd")
    >>> f.kind, f.minimum, f.maximum
    ('number', 0, 1000000000000.0)
    >>> field_info("claims.nesta.L3.comparison.answer").kind
    'yes/no'
    >>> field_info("no.such.key") is None
    True
    """
    import re

    generic = re.sub(r"\[\d+\]", "[]", path)
    by_path = _fields_by_path()
    if generic in by_path:
        return by_path[generic]
    if generic.startswith("claims."):  # claim ids contain dots: claims.<id>.answer
        head, _, last = generic.rpartition(".")
        return by_path.get(f"claims.*.{last}") if head != "claims" else by_path.get("claims.*")
    return None


@cache
def _fields_by_path() -> dict[str, FieldInfo]:
    return {f.path: f for f in submission_fields()}


def submission_keys_markdown() -> str:
    """The documentation page of submission keys (``docs/submission-keys.md``)."""
    parts = [
        "# Submission keys",
        "",
        "<!-- Generated from evidencekit/load/definition.py by "
        "`evidencekit schema submission --format markdown`; a test checks it is current. -->",
        "",
        f"Every key of a `{SCHEMA_ID}` file. `[]` means each item of a list, `*` any key of a "
        "mapping. Unknown keys are errors. Empty optional keys (`~`) count as absent.",
        "",
        markdown_table(submission_fields()),
        "## Rules across keys",
        "",
        *[f"- {rule}" for rule in CROSS_KEY_RULES],
        "",
        "## Limits",
        "",
        "| What | Limit |",
        "|---|---|",
        *[f"| {what} | {limit} |" for what, limit in DOCUMENT_LIMITS],
        "",
        "YAML is read by the YAML 1.2 core schema with decimal numbers only: `1e-3` and "
        "`1.64e0` are numbers; `1:20`, `0x1F`, `0o17`, `1_000`, `yes`, `no`, `on`, `off` and "
        "dates are text; `true`/`false` are yes/no; `~`, `null` and an empty value are "
        "nothing; `.inf` and `.nan` are refused. Tags other than the standard scalar ones, "
        "merge keys (`<<`) and repeated keys are refused. JSON is strict JSON (no NaN or "
        "Infinity).",
        "",
    ]
    return "\n".join(parts)
