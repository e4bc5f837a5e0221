"""The report context: everything a report template shows, built in one place.

:func:`build_context` turns an :class:`~evidencekit.assessment.engine.AssessmentResult` (and,
when given, the :class:`~evidencekit.load.model.Submission` and
:class:`~evidencekit.assessment.rubric.Rubric` it came from, for provenance) into one frozen
:class:`ReportContext` of display strings. Templates only place these strings; they never
compute, round or choose. That keeps three promises in one file:

- **Rounding happens at rendering** — numbers are formatted here with
  :mod:`evidencekit.render.numbers`; labels of measures and tests come from
  :mod:`evidencekit.registry`.
- **Statistical disclosure control** — every count of people below the threshold (default
  10) is shown as "<10"; the statistics of an outcome with such a count (means, SDs,
  proportions, effects, CIs, p-values) are withheld, because with the other numbers they
  would reveal it; and in the assessment's free-text reasons those counts and statistics are
  masked too. No row-level data is ever read, let alone shown: data files are only hashed.
- **Untrusted text stays inert and bounded** — text from a submission is stripped of
  control and bidirectional-override characters and shortened to a fixed length; escaping
  is the template engine's job (autoescape is always on).
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .. import __version__
from ..analysis.headline import statistic_basis
from ..analysis.result import (
    AnalysisResult,
    AttritionResult,
    EvaluationResult,
    GroupStats,
    OutcomeResult,
)
from ..analysis.value import CostPerUnit, ValueForMoney
from ..assessment.crosswalk import Crosswalk, CrosswalkEntry
from ..assessment.engine import (
    AssessmentResult,
    CriterionResult,
    LevelResult,
    evaluation_counts,
    outcome_counts,
)
from ..assessment.message import Message
from ..assessment.rubric import Rubric
from ..errors import UsageError
from ..load.model import TWO_GROUP_DESIGNS, DataSource, Submission
from ..registry import MEASURES
from ..render.deciding import effect_words, named_test
from ..render.numbers import num, percent, pval
from . import charts
from .methods import Method, glossary, methods_used

DEFAULT_THRESHOLD = 10
LANGUAGE = "en-GB"

#: Longest text shown from a submission, by kind; longer text is shortened with "…".
LIMITS = {"name": 300, "short": 200, "long": 2000, "reason": 2400}

DESIGN_LABELS = {
    "none": "no quantitative evaluation",
    "post_only": "measurement after the programme only",
    "pre_post": "before-and-after measurement, one group",
    "comparison_group": "comparison-group study (not randomised)",
    "rct": "randomised controlled trial",
    "cluster_rct": "cluster-randomised controlled trial",
}
TWO_GROUP = TWO_GROUP_DESIGNS
STATUS_LABELS = {"verified": "Verified", "claimed": "Claimed only", "not_met": "Not met"}
BASELINE_LABELS = {"satisfied": "equivalent", "adjustment_required": "adjustment required",
                   "not_satisfied": "not equivalent"}
CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


# ---------------------------------------------------------------------------------------------
# Options and the context's parts


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """How a report is made.

    ``template_dir``: a folder whose ``report.html.j2``, partials, ``report.css`` and assets
    take precedence over the bundled ones. ``disclosure_threshold``: counts below it are
    shown as "<N". ``deterministic``: no generation time is recorded unless
    ``SOURCE_DATE_EPOCH`` gives one, so the same inputs give the same bytes.
    ``generated_at`` fixes the time outright (tests, batch runs).
    """

    template_dir: Path | None = None
    disclosure_threshold: int = DEFAULT_THRESHOLD
    deterministic: bool = False
    generated_at: datetime | None = None
    language: str = LANGUAGE

    def __post_init__(self) -> None:
        t = self.disclosure_threshold
        if isinstance(t, bool) or not isinstance(t, int) or t < 1:
            raise UsageError.one(None, "--disclosure-threshold as a whole number of at least 1",
                                 repr(t))
        if self.template_dir is not None and not Path(self.template_dir).is_dir():
            raise UsageError.one(None, "--template-dir naming an existing folder",
                                 f"{str(self.template_dir)!r}, which is not a folder")


@dataclass(frozen=True, slots=True)
class Chart:
    """An SVG chart (markup built by :mod:`.charts` from escaped text) and its alt text."""

    svg: Markup
    alt: str
    caption: str


@dataclass(frozen=True, slots=True)
class LevelRow:
    number: int
    title: str
    statement: str
    status: str  # verified | claimed | not_met
    status_label: str
    verdict: str
    is_level: bool  # the verified level
    is_claimed_level: bool
    label: str = ""  # the framework's name for the level, when it has one


@dataclass(frozen=True, slots=True)
class CriterionRow:
    id: str
    title: str
    gate: bool
    status: str
    status_label: str
    reason: str
    advice: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LevelSection:
    number: int
    title: str
    statement: str
    status: str
    status_label: str
    verdict: str
    criteria: tuple[CriterionRow, ...]


@dataclass(frozen=True, slots=True)
class GroupRow:
    label: str
    n: str
    summary: str  # "mean 6.02 (SD 1.58)", "98 of 156 (63%)", or "withheld"


@dataclass(frozen=True, slots=True)
class Detail:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class OutcomeView:
    name: str
    role: str  # "primary" / "secondary"
    kind: str  # "continuous" / "yes/no"
    direction: str
    groups: tuple[GroupRow, ...]
    effect: str  # "g = 0.41 [0.14, 0.69]"
    p: str
    test: str
    verdict: str
    details: tuple[Detail, ...]
    notes: tuple[str, ...]
    withheld: bool


@dataclass(frozen=True, slots=True)
class EvaluationView:
    id: str
    heading: str
    facts: tuple[Detail, ...]
    outcomes: tuple[OutcomeView, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ForestRowView:
    outcome: str
    evaluation: str
    role: str
    effect: str
    ci: str


@dataclass(frozen=True, slots=True)
class ValueView:
    currency: str
    cost: str
    comparator: str
    net: str
    net_label: str
    basis_note: str
    per_unit_label: str | None  # "Cost per additional positive outcome"
    per_unit: str | None
    per_unit_range: str | None
    nnt: str | None
    outcome: str | None
    position: str | None
    summary: str
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VerdictRow:
    """One evaluation's verdict under an evaluation-scope rubric."""

    evaluation: str
    rating: str
    level: str  # "2 of 5"
    is_best: bool


@dataclass(frozen=True, slots=True)
class CrosswalkRow:
    """One framework's verdict in the crosswalk section."""

    framework: str
    rubric: str  # "eif, version 2017-ek1"
    rating: str  # the framework's label: "3+", "SMS 5", "NE"
    level: str  # "4 of 5"
    claimed: str  # "the same as verified" or the claimed label
    evaluation: str  # the evaluation rated (evaluation-scope rubrics), else "whole programme"
    notes: tuple[str, ...]  # override reason; every evaluation's rating
    primary: bool  # the framework the rest of the report is about


@dataclass(frozen=True, slots=True)
class ProvenanceRow:
    item: str
    value: str
    digest: str | None = None


@dataclass(frozen=True, slots=True)
class ParameterRow:
    name: str
    value: str
    default: str
    description: str


@dataclass(frozen=True, slots=True)
class GlossaryRow:
    label: str
    symbol: str
    description: str


@dataclass(frozen=True, slots=True)
class Disclosure:
    threshold: int
    applied: bool
    statement: str


@dataclass(frozen=True)
class ReportContext:
    """Everything a report shows, as display strings. Frozen; built by :func:`build_context`."""

    language: str
    title: str
    running_title: str
    programme: str
    organisation: str | None
    theme: str | None
    summary: str | None
    rubric_title: str
    rubric_label: str
    level: int
    level_label: str
    claimed_level: int
    claimed_label: str
    max_level: int
    ladder: Chart
    levels: tuple[LevelRow, ...]
    headline: tuple[str, ...]
    caveats: tuple[str, ...]
    value: ValueView | None
    evaluations: tuple[EvaluationView, ...]
    forest: Chart | None
    forest_rows: tuple[ForestRowView, ...]
    forest_notes: tuple[str, ...]
    pooled: str | None
    assessment: tuple[LevelSection, ...]
    quality_notes: tuple[str, ...]
    next_steps: tuple[str, ...]
    problems: tuple[str, ...]
    methods: tuple[Method, ...]
    glossary: tuple[GlossaryRow, ...]
    parameters: tuple[ParameterRow, ...]
    provenance: tuple[ProvenanceRow, ...]
    disclosure: Disclosure
    generated: str | None  # human-readable generation time, None when not recorded
    generated_iso: str | None  # W3C date-time for PDF metadata
    version: str
    custom_template: bool
    shortened: tuple[str, ...] = field(default=())
    #: The framework's own label of the verified and claimed levels ("3+", "SMS 5"), when the
    #: rubric names its levels (None for plain "Level N").
    rating: str | None = None
    claimed_rating: str | None = None
    #: Evaluation-scope rubrics: every evaluation's verdict (the levels shown are the best's).
    per_evaluation: tuple[VerdictRow, ...] = field(default=())
    #: Given a crosswalk (``--rubric all``): every framework's verdict, side by side.
    crosswalk: tuple[CrosswalkRow, ...] = field(default=())


# ---------------------------------------------------------------------------------------------
# Text and numbers

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e"
                      r"\u2066-\u2069\ufeff]")


class _Text:
    """Cleans and bounds text from a submission; records what had to be shortened."""

    def __init__(self) -> None:
        self.shortened: list[str] = []

    def __call__(self, value: Any, kind: str = "short", what: str = "") -> str:
        text = "" if value is None else str(value)
        text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\t", " "))
        limit = LIMITS[kind]
        if len(text) > limit:
            cut = text[:limit].rstrip()
            if what:
                self.shortened.append(f"{what} ({len(text):,} characters, shortened to "
                                      f"{len(cut):,})")
            text = cut + "…"
        return unicodedata.normalize("NFC", text)

    def opt(self, value: Any, kind: str = "short", what: str = "") -> str | None:
        return None if value is None or value == "" else self(value, kind, what)


def _nn_detail(eff: Any, value: str) -> tuple[str, str]:
    """NNT or NNH by direction, with Altman's interval (through ∞ when RD's CI includes 0)."""
    extra = dict(eff.extra)
    harm = extra.get("label") == "NNH"
    label = "Number needed to harm (NNH)" if harm else "Number needed to treat (NNT)"
    if eff.ci is not None:
        return label, f"{value} {ci_text(eff.ci, 0)}"
    if extra.get("through_infinity"):
        lo, hi = extra.get("nnt_limit"), extra.get("nnh_limit")
        parts = [f"NNT {n2(lo, 0)}" if lo is not None else "NNT", "∞",
                 f"NNH {n2(hi, 0)}" if hi is not None else "NNH"]
        return label, f"{value} (95% CI {' to '.join(parts)})"
    return label, value


def _minus(text: str) -> str:
    return text.replace("-", "−")


def n2(x: float | int | None, digits: int = 2) -> str:
    """A number for people, with a typographic minus.

    >>> n2(-0.2049), n2(1234.5, 0), n2(None)
    ('−0.20', '1,234', '—')
    """
    return _minus(num(x, digits))


def ci_text(interval: Sequence[float] | None, digits: int = 2) -> str:
    """>>> ci_text((-0.21, 1.642))
    '[−0.21, 1.64]'
    """
    if interval is None:
        return "—"
    return f"[{n2(interval[0], digits)}, {n2(interval[1], digits)}]"


def money(x: float | None, currency: str) -> str:
    """An amount of money, whole units from 10 upwards.

    >>> money(1200, "GBP"), money(-450.0, "GBP"), money(7.5, "CHF")
    ('£1,200', '−£450', '7.50 CHF')
    """
    if x is None:
        return "—"
    digits = 0 if abs(x) >= 10 else 2
    body = num(abs(x), digits)
    sym = CURRENCY_SYMBOLS.get(currency.upper())
    text = f"{sym}{body}" if sym else f"{body} {currency}"
    return ("−" + text) if x < 0 and body.strip("0.,") else text


def _sentence(text: str) -> str:
    text = text.strip()
    if text and text[-1] not in ".!?":
        text += "."
    return text[:1].upper() + text[1:]


def _join_words(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# ---------------------------------------------------------------------------------------------
# Disclosure control

_COUNT_WORDS = re.compile(
    r"analys|group|people|participant|pupil|student|person|n\s*=|numbers?|events?|sample|"
    r"randomi[sz]ed|assigned|had the outcome|of\s+\d", re.IGNORECASE)
_INTEGER = re.compile(r"(?<![\w.,−-])\d{1,3}(?:,\d{3})*(?![\w%]|[.,]\d)")
_STATISTIC = re.compile(
    r"(?<![\w])(p|g|d|d_z|d_av|d_Cox|g_DiD|SD|MD|OR|RR|RD|t|z)\s*(?:=|≥)\s*[−-]?\d(?:[\d.,]*\d)?")


class _Disclosure:
    """Applies the threshold to counts, and remembers every count it suppressed."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.hidden: set[int] = set()

    @property
    def applied(self) -> bool:
        return bool(self.hidden)

    def small(self, n: int | None) -> bool:
        return n is not None and n < self.threshold

    def count(self, n: int | None) -> str:
        if n is None:
            return "—"
        if n < self.threshold:
            self.hidden.add(n)
            return f"<{self.threshold}"
        return num(n)

    def outcome_counts(self, o: OutcomeResult) -> list[int]:
        """Every count of people an outcome's statistics rest on."""
        counts: list[int] = []
        for g in o.groups.values():
            counts.append(g.n)
            if g.events is not None:
                counts += [g.events, g.n - g.events]
        counts += [n for n in (o.n_treatment, o.n_control) if n is not None]
        return counts

    def outcome_hidden(self, o: OutcomeResult) -> bool:
        small = [n for n in self.outcome_counts(o) if n < self.threshold]
        self.hidden.update(small)
        return bool(small)

    def render(self, message: Message) -> str:
        """A reason, note or step rendered from its typed values: every count of people
        below the threshold shown as "<N" whatever the words around it, and — once anything
        is withheld — its statistics withheld."""
        small = [n for n in message.counts() if n < self.threshold]
        self.hidden.update(small)
        return message.render(hide_below=self.threshold, withhold_statistics=self.applied)

    def scrub(self, text: str) -> str:
        """Mask suppressed counts (in a count context) and, once anything was suppressed,
        the statistics quoted in the engine's free text.

        >>> d = _Disclosure(10); _ = d.count(8)
        >>> d.scrub("only 8 analysed in the smaller group (at least 20 needed); level 3")
        'only <10 analysed in the smaller group (at least 20 needed); level 3'
        >>> d.scrub("not significant (p = 0.119; needs p ≤ 0.05); g = 0.72")
        'not significant (p withheld; needs p ≤ 0.05); g withheld'
        """
        if not self.hidden:
            return text

        def count(m: re.Match[str]) -> str:
            value = int(m.group(0).replace(",", ""))
            if value not in self.hidden:
                return m.group(0)
            before = text[max(0, m.start() - 32): m.start()]
            after = text[m.end(): m.end() + 32]
            if re.search(r"level\s*$", before, re.IGNORECASE):
                return m.group(0)
            if _COUNT_WORDS.search(before) or _COUNT_WORDS.search(after):
                return f"<{self.threshold}"
            return m.group(0)

        text = _INTEGER.sub(count, text)
        return _STATISTIC.sub(lambda m: f"{m.group(1)} withheld", text)


# ---------------------------------------------------------------------------------------------
# The builder


def generation_time(options: ReportOptions) -> tuple[datetime | None, str]:
    """When the report was made, and where that time came from.

    ``SOURCE_DATE_EPOCH`` (reproducible builds) wins over the clock; ``--deterministic``
    without it records no time at all.
    """
    if options.generated_at is not None:
        when = options.generated_at
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return when.astimezone(UTC).replace(microsecond=0), "given"
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and epoch.strip() != "":
        try:
            seconds = int(epoch.strip())
            return datetime.fromtimestamp(seconds, UTC), "SOURCE_DATE_EPOCH"
        except (ValueError, OverflowError, OSError):
            raise UsageError.one(None, "SOURCE_DATE_EPOCH as whole seconds since 1970-01-01",
                                 repr(epoch)) from None
    if options.deterministic:
        return None, "deterministic"
    return datetime.now(UTC).replace(microsecond=0), "clock"


def file_sha256(path: Path) -> str | None:
    """SHA-256 of a file's bytes, read in chunks; None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def build_context(result: AssessmentResult, *, submission: Submission | None = None,
                  rubric: Rubric | None = None, options: ReportOptions | None = None,
                  crosswalk: Crosswalk | None = None) -> ReportContext:
    """The one place a report's content is decided. See the module docstring.

    With ``crosswalk`` (whose primary result is ``result``), the context also sets every
    framework's verdict side by side."""
    return _Builder(result, submission, rubric, options or ReportOptions(), crosswalk).build()


class _Builder:
    def __init__(self, result: AssessmentResult, submission: Submission | None,
                 rubric: Rubric | None, options: ReportOptions,
                 crosswalk: Crosswalk | None = None) -> None:
        self.r = result
        self.sub = submission
        self.rubric = rubric
        self.opt = options
        self.cw = crosswalk
        self.text = _Text()
        self.sdc = _Disclosure(options.disclosure_threshold)
        self.analysis: AnalysisResult = result.analysis
        self.hidden_outcomes: set[tuple[str, str]] = set()
        for e in self.analysis.evaluations:
            for o in e.outcomes:
                if self.sdc.outcome_hidden(o):
                    self.hidden_outcomes.add((e.id, o.name))
            if e.attrition is not None:
                for n in (*e.attrition.assigned, *e.attrition.analysed):
                    if self.sdc.small(n):
                        self.sdc.hidden.add(n)

    # -- helpers ------------------------------------------------------------------------

    def eval_label(self, e: EvaluationResult) -> str:
        return self.text(e.title or e.id, "short", f"title of evaluation {e.id!r}")

    def say(self, message: Message) -> str:
        """Engine text kept as data (reasons, advice, steps, notes): disclosure applied to
        its typed counts, then bounded (and the older text checks kept as a second net)."""
        return self.sdc.scrub(self.text(self.sdc.render(message), "reason"))

    def free(self, text: str) -> str:
        """Text the engine wrote (reasons, notes, steps): bounded and disclosure-checked."""
        return self.sdc.scrub(self.text(text, "reason"))

    def hidden(self, e: EvaluationResult, o: OutcomeResult) -> bool:
        return (e.id, o.name) in self.hidden_outcomes

    # -- build --------------------------------------------------------------------------

    def build(self) -> ReportContext:
        r = self.r
        programme = self.text(r.programme, "name", "programme name")
        organisation = self.text.opt(r.organisation, "short", "organisation")
        prog = self.sub.programme if self.sub is not None else None
        evaluations = tuple(self.evaluation(e) for e in self.analysis.evaluations)
        forest, forest_rows, forest_notes = self.forest()
        value = self.value(r.value_for_money)
        levels = self.levels()
        when, source = generation_time(self.opt)
        n_levels = len(r.levels)
        ladder = self.ladder(levels)
        context = ReportContext(
            language=self.opt.language,
            title=f"Evidence report: {programme}",
            running_title=programme if len(programme) <= 70 else programme[:69] + "…",
            programme=programme,
            organisation=organisation,
            theme=self.text.opt(prog.theme if prog else None, "short", "theme"),
            summary=self.text.opt(prog.summary if prog else None, "long", "summary"),
            rubric_title=self.text(r.rubric_title),
            rubric_label=f"{r.rubric_title} (rubric {r.rubric_id}, version {r.rubric_version})",
            level=r.level,
            level_label=self.text(r.level_title(r.level)),
            claimed_level=r.claimed_level,
            claimed_label=self.text(r.level_title(r.claimed_level)),
            max_level=n_levels,
            ladder=ladder,
            levels=levels,
            headline=self.headline(),
            caveats=(),
            value=value,
            evaluations=evaluations,
            forest=forest,
            forest_rows=forest_rows,
            forest_notes=forest_notes,
            pooled=self.pooled_sentence(),
            assessment=self.assessment(),
            quality_notes=tuple(self.say(n) for n in (r.quality_note_messages or tuple(
                Message.parse(t) for t in r.quality_notes))),
            next_steps=tuple(self.say(m) for m in (r.next_step_messages or tuple(
                Message.parse(t) for t in r.next_steps))),
            problems=tuple(self.free(str(p.get("message", ""))) for p in r.problems),
            methods=methods_used(self.analysis, has_value=value is not None
                                 and value.per_unit is not None),
            glossary=tuple(GlossaryRow(*g) for g in glossary(self.analysis)),
            parameters=self.parameters(),
            provenance=self.provenance(when, source),
            disclosure=Disclosure(self.opt.disclosure_threshold, self.sdc.applied,
                                  self.disclosure_statement()),
            generated=(when.strftime("%d %B %Y, %H:%M UTC").lstrip("0") if when else None),
            generated_iso=(when.strftime("%Y-%m-%dT%H:%M:%SZ") if when else None),
            version=__version__,
            custom_template=self.opt.template_dir is not None,
        )
        caveats = self.caveats(context)
        rating = _own_label(r.label, r.level, r.level_title(r.level))
        claimed_rating = _own_label(r.claimed_label, r.claimed_level,
                                    r.level_title(r.claimed_level))
        return _replace(context, caveats=caveats, rating=rating, claimed_rating=claimed_rating,
                        per_evaluation=self.per_evaluation(), crosswalk=self.crosswalk(),
                        shortened=tuple(self.text.shortened))

    # -- verdicts per evaluation and across frameworks -------------------------------------

    def per_evaluation(self) -> tuple[VerdictRow, ...]:
        n = len(self.r.levels)
        return tuple(VerdictRow(self.text(v.id, "short", f"id of evaluation {v.id!r}"),
                                self.text(v.label), f"{v.level} of {n}",
                                v.id == self.r.evaluation)
                     for v in self.r.per_evaluation)

    def crosswalk(self) -> tuple[CrosswalkRow, ...]:
        if self.cw is None:
            return ()
        return tuple(self.crosswalk_row(e, i == 0) for i, e in enumerate(self.cw.entries))

    def crosswalk_row(self, e: CrosswalkEntry, primary: bool) -> CrosswalkRow:
        notes: list[str] = []
        if e.override is not None:
            reason = e.override.message or Message.parse(e.override.reason)
            notes.append(self.free(e.override.label) + ": " + self.say(reason))
        if e.scope == "evaluation" and len(e.per_evaluation) > 1:
            notes.append(self.free("Each evaluation: " + "; ".join(
                f"{i}: {label}" for i, _, label in e.per_evaluation) + "."))
        claimed = ("the same as verified" if e.claimed_level == e.level
                   else f"{self.text(e.claimed_label)} (level {e.claimed_level} of "
                        f"{e.max_level})")
        if e.scope == "evaluation":
            evaluation = self.text(e.evaluation, "short") if e.evaluation else "none given"
        else:
            evaluation = "the whole programme"
        return CrosswalkRow(self.text(e.rubric_title), f"{self.text(e.rubric_id)}, version "
                            f"{self.text(e.rubric_version)}", self.text(e.label),
                            f"{e.level} of {e.max_level}", claimed, evaluation, tuple(notes),
                            primary)

    # -- page one -----------------------------------------------------------------------

    def status(self, lv: LevelResult) -> str:
        """The assessment's cumulative status of the level, in the report's words."""
        return {"reached": "verified", "claimed_only": "claimed",
                "not_reached": "not_met"}[lv.status]

    def levels(self) -> tuple[LevelRow, ...]:
        rows = []
        for lv in self.r.levels:
            status = self.status(lv)
            rows.append(LevelRow(lv.level, self.text(lv.title), self.text(lv.statement, "long"),
                                 status, STATUS_LABELS[status], self.verdict(lv, status),
                                 lv.level == self.r.level, lv.level == self.r.claimed_level,
                                 lv.label))
        return tuple(rows)

    def verdict(self, lv: LevelResult, status: str) -> str:
        gates = [c for c in lv.criteria if c.gate]
        if status == "not_met" and (lv.own_gates_met or lv.own_gates_claimed):
            below = self.r.claimed_level + 1
            word = "shown" if lv.own_gates_met else "claimed"
            return (f"Not reached: its own criteria are {word}, but levels are cumulative and "
                    f"level {below} is not met.")
        if status == "verified":
            return (f"Verified: all {len(gates)} criteria are shown by the evidence."
                    if len(gates) > 1 else "Verified: shown by the evidence.")
        missing = [c for c in gates if c.status == "not_met"]
        claimed = [c for c in gates if c.status == "claimed"]
        if status == "claimed" and not claimed:
            return "Claimed: its criteria are shown, and the claimed levels below complete it."
        if status == "claimed":
            titles = _join_words([f"‘{self.text(c.title)}’" for c in claimed])
            return f"Claimed, not verified: {titles} rests on the submission's answers alone."
        titles = _join_words([f"‘{self.text(c.title)}’" for c in missing])
        verb = "is" if len(missing) == 1 else "are"
        extra = "" if lv.level <= self.r.level + 1 else " (and the levels below must be met)"
        return f"Not met: {titles} {verb} not shown{extra}."

    def ladder(self, levels: Sequence[LevelRow]) -> Chart:
        steps = [charts.Step(lv.number, lv.title, lv.status, lv.label) for lv in levels]
        r = self.r
        alt = (f"Level ladder of {r.rubric_title}: level {r.level} of {len(levels)} is "
               f"verified" + (f"; level {r.claimed_level} is claimed"
                              if r.claimed_level != r.level else "") + ".")
        desc = "; ".join(f"Level {lv.number} ({lv.title}): {lv.status_label.lower()}"
                         for lv in levels)
        svg = charts.level_ladder(steps, title=alt, desc=desc)
        return Chart(Markup(svg), alt, "Levels verified and claimed")

    def strongest(self) -> tuple[EvaluationResult, OutcomeResult] | None:
        """The programme's headline outcome, as the assessment chose it (one rule:
        :mod:`evidencekit.analysis.headline`)."""
        from ..analysis.headline import find_outcome

        return find_outcome(self.analysis, self.r.headline)

    def headline(self) -> tuple[str, ...]:
        out: list[str] = []
        pooled = self.analysis.pooled
        if pooled is not None and pooled.k > 1:
            out.append(
                f"Pooled across {pooled.k} comparison-group evaluations (random effects), the "
                f"programme's effect is {n2(pooled.random)} standard deviations in the "
                f"favourable direction (95% CI {n2(pooled.ci_random[0])} to "
                f"{n2(pooled.ci_random[1])}; p {_p_words(pooled.p_value)}).")
        chosen = self.strongest()
        if chosen is None:
            if not self.analysis.evaluations:
                out.append("The submission reports no evaluation, so there is no effect to "
                           "report.")
            else:
                out.append("No evaluation reports a primary outcome with an effect that can "
                           "be estimated.")
            return tuple(out)
        e, o = chosen
        where = f"In ‘{self.eval_label(e)}’ ({DESIGN_LABELS.get(e.design, e.design)}"
        where += ", independent)" if e.independent else ")"
        name = self.text(o.name, "short", "outcome name")
        if self.hidden(e, o):
            out.append(f"{where}, the result for ‘{name}’ rests on fewer than "
                       f"{self.sdc.threshold} people in a group, so its numbers are withheld.")
            return tuple(out)
        out.append(f"{where}: {self.plain_effect(e, o, name)}")
        return tuple(out)

    def plain_effect(self, e: EvaluationResult, o: OutcomeResult, name: str) -> str:
        if e.design == "pre_post":
            mc = o.deciding  # the mean change, with the interval and p of its deciding test
            dav = o.effects.get("d_av")
            if mc is None or mc.measure != "mean_change" or mc.estimate is None:
                return (f"‘{name}’ changed in the "
                        f"{'favourable' if o.favourable else 'unfavourable'} direction; "
                        f"with no comparison group, the change cannot be attributed to the "
                        f"programme.")
            word = "rose" if mc.estimate > 0 else "fell"
            interval = (f", 95% CI {n2(min(mc.ci))} to {n2(max(mc.ci))}"
                        if mc.ci is not None else "")
            return (f"‘{name}’ {word} by {n2(abs(mc.estimate))} from before to after "
                    f"(mean change {n2(mc.estimate)}{interval}; "
                    f"d_av = {n2(dav.estimate if dav else None)}; p {_p_words(mc.p)}). "
                    "With no comparison group, this change cannot be attributed to the "
                    "programme.")
        h = o.headline
        assert h is not None
        sym = MEASURES[h.measure].symbol
        fav = h.estimate * o.sign
        size = f"{n2(abs(h.estimate))} standard deviations"
        if o.kind == "binary" and "risk_difference" in o.effects:
            t = o.groups.get("treatment")
            c = o.groups.get("control")
            rd = o.effects["risk_difference"]
            if t is not None and c is not None and t.events is not None and \
                    c.events is not None and t.n and c.n:
                lead = (f"{percent(t.events / t.n)} of the programme group had ‘{name}’, "
                        f"against {percent(c.events / c.n)} of the comparison group "
                        f"(a difference of {n2(100 * (rd.estimate or 0), 0)} percentage "
                        f"points")
            else:
                lead = (f"the risk difference for ‘{name}’ is "
                        f"{n2(100 * (rd.estimate or 0), 0)} percentage points (")
            lead += f"; {sym} = {n2(h.estimate)}"
        else:
            higher = h.estimate > 0
            word = ("higher" if higher else "lower") + (
                " (better)" if fav > 0 else " (worse)" if fav < 0 else "")
            label = MEASURES[h.measure].label
            named = f"{label} = " if label.endswith(" " + sym) else f"{label}, {sym} = "
            lead = (f"‘{name}’ was {size} {word} in the programme group than in the "
                    f"comparison group ({named}{n2(h.estimate)}")
        if h.ci is not None:
            lo, hi = sorted((h.ci[0], h.ci[1]))
            lead += f", 95% CI {n2(lo)} to {n2(hi)}"
        lead += f"; p {_p_words(o.deciding.p if o.deciding else None)})."
        if h.ci is not None:
            lo, hi = sorted(h.ci)
            if lo > 0 or hi < 0:
                lead += " The confidence interval excludes no effect."
            else:
                lead += (" The confidence interval includes no effect, so chance cannot be "
                         "ruled out.")
        if o.improvement_index is not None:
            ii = o.improvement_index
            lead += (f" An average member of the comparison group would move "
                     f"{'up' if ii >= 0 else 'down'} {n2(abs(ii), 0)} percentile points with "
                     "the programme (WWC improvement index).")
        if o.eef_months:
            lead += (f" That is about {abs(o.eef_months)} months' "
                     f"{'additional' if o.eef_months > 0 else 'less'} progress (EEF).")
        return lead

    def caveats(self, ctx: ReportContext) -> tuple[str, ...]:
        r = self.r
        out: list[str] = []
        if r.claimed_level > r.level:
            n = sum(1 for lv in r.levels for c in lv.criteria
                    if c.gate and c.status == "claimed")
            out.append(f"Level {r.claimed_level} is claimed but level {r.level} is verified: "
                       f"{n} criteri{'on rests' if n == 1 else 'a rest'} on the submission's "
                       "answers, not on evidence in it.")
        evs = self.analysis.evaluations
        if evs and not any(e.design in TWO_GROUP for e in evs):
            out.append("No evaluation has a comparison group, so no change can be attributed "
                       "to the programme.")
        elif evs and not any(e.independent for e in evs if e.design in TWO_GROUP):
            out.append("No comparison-group evaluation was carried out independently of the "
                       "organisation that delivers the programme.")
        high = [self.eval_label(e) for e in evs if e.attrition is not None
                and e.attrition.verdict == "high"]
        if high:
            out.append(f"Attrition was high (WWC) in {_join_words([f'‘{h}’' for h in high])}.")
        unequal = sorted({self.eval_label(e) for e in evs for o in e.outcomes
                          if o.primary and o.baseline is not None
                          and o.baseline.verdict == "not_satisfied"})
        if unequal:
            out.append("The groups were not equivalent at baseline in "
                       f"{_join_words([f'‘{u}’' for u in unequal])}.")
        adjusted = sorted({self.eval_label(e) for e in evs for o in e.outcomes
                           if o.primary and o.baseline is not None
                           and o.baseline.verdict == "adjustment_required"})
        tail: list[str] = []  # useful, but second to everything else
        if adjusted:
            tail.append("The groups differed somewhat at baseline in "
                       f"{_join_words([f'‘{u}’' for u in adjusted])}, so the effects there "
                       "are adjusted for the pretest.")
        chosen = self.strongest()
        if chosen is not None and not self.hidden(*chosen):
            h = chosen[1].headline
            if h is not None and h.ci is not None and min(h.ci) <= 0 <= max(h.ci):
                out.append("The headline effect's confidence interval includes no effect.")
        if r.quality_notes:
            k = len(r.quality_notes)
            tail.append(f"{k} quality note{'s' if k != 1 else ''} on the evidence "
                       f"{'are' if k != 1 else 'is'} listed under ‘The assessment’.")
        if self.sdc.applied:
            out.append(f"Some counts are below {self.sdc.threshold}: they are shown as "
                       f"“<{self.sdc.threshold}” and the statistics that would reveal them are "
                       "withheld.")
        if ctx.problems:
            out.append(f"{len(ctx.problems)} problem{'s' if len(ctx.problems) != 1 else ''} "
                       "in the submission (listed under ‘The assessment’).")
        out += tail
        if not out:
            out.append("No major caveats: the evidence meets every check at the verified "
                       "level.")
        return tuple(out[:5])

    # -- evidence -----------------------------------------------------------------------

    def evaluation(self, e: EvaluationResult) -> EvaluationView:
        facts = [Detail("Design", DESIGN_LABELS.get(e.design, e.design)),
                 Detail("Independent", "yes" if e.independent else
                        "no (carried out by the delivering organisation)")]
        if e.delivered_by:
            facts.append(Detail("Delivered by", self.text(e.delivered_by)))
        if e.site:
            facts.append(Detail("Site", self.text(e.site)))
        if e.year is not None:
            facts.append(Detail("Year", str(e.year)))
        if e.attrition is not None:
            facts += self.attrition(e, e.attrition)
        outcomes = tuple(self.outcome(e, o) for e_ in (e,) for o in e_.outcomes)
        return EvaluationView(self.text(e.id), self.eval_label(e), tuple(facts), outcomes,
                              tuple(self.say(Message.of_text(n.text, evaluation_counts(e)))
                                    for n in e.notes))

    def attrition(self, e: EvaluationResult, a: AttritionResult) -> list[Detail]:
        assigned = (f"{self.sdc.count(a.assigned[0])} programme, "
                    f"{self.sdc.count(a.assigned[1])} control")
        analysed = (f"{self.sdc.count(a.analysed[0])} programme, "
                    f"{self.sdc.count(a.analysed[1])} control")
        small = any(self.sdc.small(n) for n in (*a.assigned, *a.analysed)) or any(
            self.hidden(e, o) for o in e.outcomes)
        verdict = f"{a.verdict} under the {a.boundary} WWC boundary"
        if small:
            rates = f"{verdict} (rates withheld: small numbers)"
        else:
            limit = (f", at most {n2(100 * a.max_differential, 1)} allowed"
                     if a.max_differential is not None else "")
            rates = (f"{percent(a.overall)} overall, {n2(100 * a.differential, 1)} points "
                     f"differential{limit}: {verdict}")
        return [Detail("Randomised", assigned), Detail("Analysed", analysed),
                Detail("Attrition", rates)]

    def groups(self, o: OutcomeResult, withheld: bool) -> tuple[GroupRow, ...]:
        labels = {"treatment": "Programme", "control": "Comparison", "pre": "Before",
                  "post": "After"}
        rows = []
        for key, g in o.groups.items():
            rows.append(GroupRow(labels.get(key, key.title()), self.sdc.count(g.n),
                                 "withheld" if withheld else _group_summary(g)))
        if not rows and (o.n_treatment is not None or o.n_control is not None):
            if o.n_treatment is not None:
                rows.append(GroupRow("Programme" if o.n_control is not None else "Analysed",
                                     self.sdc.count(o.n_treatment), "as published"))
            if o.n_control is not None:
                rows.append(GroupRow("Comparison", self.sdc.count(o.n_control), "as published"))
        return tuple(rows)

    def outcome(self, e: EvaluationResult, o: OutcomeResult) -> OutcomeView:
        withheld = self.hidden(e, o)
        name = self.text(o.name, "short", "outcome name")
        verdict = _verdict_words(o)
        if o.problems:
            verdict = self.say(Message.of_text(_sentence(o.problems[0].found),
                                               outcome_counts(o)))
        details: list[Detail] = []
        if withheld:
            effect = p = "withheld"
        else:
            d = o.deciding  # decided in the analysis; formatted here
            effect = effect_words(d, n2, ci_text)
            p = pval(d.p_value if d else None)
            if d is not None and d.adjusted:
                p = f"{pval(d.p_value)} (adjusted {pval(d.p_value_adjusted)})"
            if o.baseline is not None:
                sym = MEASURES[o.baseline.measure].symbol
                word = BASELINE_LABELS.get(o.baseline.verdict, o.baseline.verdict)
                details.append(Detail("Baseline equivalence", f"{word} ({sym} = "
                                      f"{n2(o.baseline.effect)} before the programme)"))
            if o.adjusted:
                details.append(Detail("Adjusted for pretest", "yes"))
            if o.improvement_index is not None:
                details.append(Detail("Improvement index",
                                      f"{n2(o.improvement_index, 0)} percentile points (WWC)"))
            if o.eef_months is not None:
                details.append(Detail("Months' progress", f"{o.eef_months} (EEF Toolkit)"))
            if o.clustering is not None:
                c = o.clustering
                details.append(Detail("Clustering", f"ICC {n2(c.icc, 2)} ({c.icc_source}), "
                                      f"{c.clusters} clusters; {self.text(c.method)}"))
            for key, eff in o.effects.items():
                if o.headline is not None and key == o.headline.measure:
                    continue
                if eff.estimate is None or key not in MEASURES:
                    continue
                m = MEASURES[key]
                value = n2(eff.estimate, 0 if key == "nnt" else 2)
                label = f"{m.label} ({m.symbol})"
                if key == "nnt":
                    label, value = _nn_detail(eff, value)
                elif eff.ci is not None:
                    value += " " + ci_text(eff.ci)
                # Not the deciding statistic: say what it is (its interval may ignore the
                # clustering the verdict corrects for).
                basis = statistic_basis(o, key)
                if basis:
                    value += " (" + "; ".join(basis) + ")"
                details.append(Detail(label, value))
        notes = tuple(self.say(Message.of_text(n.text, outcome_counts(o))) for n in o.notes)
        return OutcomeView(
            name=name, role="primary" if o.primary else "secondary",
            kind="yes/no" if o.kind == "binary" else "continuous",
            direction="higher is better" if o.direction == "higher_is_better"
            else "lower is better",
            groups=self.groups(o, withheld), effect=effect, p=p,
            test=named_test(o.deciding, n2),
            verdict=verdict, details=tuple(details), notes=notes, withheld=withheld)

    def forest(self) -> tuple[Chart | None, tuple[ForestRowView, ...], tuple[str, ...]]:
        rows: list[charts.ForestRow] = []
        views: list[ForestRowView] = []
        notes: list[str] = []
        z = 1.959963984540054
        for e in self.analysis.evaluations:
            for o in e.outcomes:
                h = o.headline
                if h is None:
                    continue
                if self.hidden(e, o):
                    notes.append(f"‘{self.text(o.name)}’ ({self.eval_label(e)}) is left out: "
                                 f"a count is below {self.sdc.threshold}.")
                    continue
                est = h.estimate * o.sign
                ci = h.ci
                if ci is None and h.se is not None:
                    ci = (h.estimate - z * h.se, h.estimate + z * h.se)
                lo = hi = None
                if ci is not None:
                    lo, hi = sorted((ci[0] * o.sign, ci[1] * o.sign))
                sym = MEASURES[h.measure].symbol
                text = f"{sym} {n2(est)}" + (f" {ci_text((lo, hi))}" if lo is not None
                                             and hi is not None else "")
                name = self.text(o.name, "short")
                rows.append(charts.ForestRow(name, self.eval_label(e), est, lo, hi, text,
                                             o.primary))
                views.append(ForestRowView(name, self.eval_label(e),
                                           "primary" if o.primary else "secondary",
                                           f"{sym} = {n2(est)}",
                                           ci_text((lo, hi)) if lo is not None and hi is not None
                                           else "—"))
        pooled = self.analysis.pooled
        if pooled is not None and pooled.k > 1 and rows:
            text = f"{n2(pooled.random)} {ci_text(pooled.ci_random)}"
            rows.append(charts.ForestRow(f"Pooled, random effects (k = {pooled.k})",
                                         "primary outcomes, one per evaluation",
                                         pooled.random, pooled.ci_random[0],
                                         pooled.ci_random[1], text, True, True))
            views.append(ForestRowView(f"Pooled, random effects (k = {pooled.k})",
                                       "all comparison-group evaluations", "pooled",
                                       n2(pooled.random), ci_text(pooled.ci_random)))
        if any(e.design in ("pre_post", "post_only") for e in self.analysis.evaluations):
            notes.append("Before-and-after and after-only results are not plotted: without a "
                         "comparison group their standardised changes are not comparable.")
        if not rows:
            return None, (), tuple(notes)
        alt = (f"Forest plot of {len(views)} standardised effect"
               f"{'s' if len(views) != 1 else ''} with 95% confidence intervals, oriented so "
               "that right of zero favours the programme.")
        desc = "; ".join(f"{v.outcome} ({v.evaluation}): {v.effect} {v.ci}" for v in views)
        svg = charts.forest_plot(rows, title=alt, desc=desc,
                                 axis_label="standardised effect (g, g_DiD or d_Cox), "
                                            "favourable direction")
        return Chart(Markup(svg), alt, "Effects of every outcome"), tuple(views), tuple(notes)

    def pooled_sentence(self) -> str | None:
        p = self.analysis.pooled
        if p is None or p.k < 2:
            return None
        pi = (f"; prediction interval {ci_text(p.prediction_interval)}"
              if p.prediction_interval else "")
        return (f"Pooled effect ({p.method_label}) of the headline primary outcome of "
                f"{p.k} comparison-group evaluations: {n2(p.random)} {ci_text(p.ci_random)}, "
                f"p {pval(p.p_value)}{pi}; I² = {n2(p.i2, 0)}%, τ² = {n2(p.tau2, 3)}; fixed "
                f"effect {n2(p.fixed)} {ci_text(p.ci_fixed)}. Positive values favour the "
                f"programme.")

    # -- value for money ----------------------------------------------------------------

    def value(self, v: ValueForMoney | None) -> ValueView | None:
        if v is None:
            return None
        cur = self.text(v.currency)
        comparator = money(v.comparator_cost_per_participant, cur) \
            if v.comparator_cost_per_participant is not None else "not given"
        if v.basis == "net":
            net_label = "Net cost per participant (programme − comparator)"
            basis = ""
        else:
            net_label = "Cost per participant used (no comparator cost given)"
            basis = "No comparator cost was given, so the full cost is used."
        pu = v.per_unit
        per_label = per_unit = per_range = nnt = outcome = None
        if pu is not None:
            e = next((e for e in self.analysis.evaluations if e.id == pu.evaluation), None)
            o = next((o for o in (e.outcomes if e else ()) if o.name == pu.outcome), None)
            outcome = (f"‘{self.text(pu.outcome)}’ in ‘{self.eval_label(e)}’" if e else
                       self.text(pu.outcome))
            per_label = ("Cost per additional positive outcome" if
                         pu.per == "additional_positive_outcome" else
                         "Cost per 0.1 SD of improvement")
            if e is not None and o is not None and self.hidden(e, o):
                per_unit = "withheld (small numbers)"
            else:
                per_unit, per_range, nnt = self.per_unit(pu, cur)
        summary = self.value_summary(v, cur, per_label, per_unit, per_range)
        return ValueView(cur, money(v.cost_per_participant, cur), comparator,
                         money(v.net_cost, cur), net_label, basis, per_label, per_unit,
                         per_range, nnt, outcome, _POSITIONS.get(v.position or ""), summary,
                         tuple(self.text(n, "long") for n in v.notes))

    def per_unit(self, pu: CostPerUnit, cur: str) -> tuple[str, str | None, str | None]:
        if pu.estimate is None:
            return ("not applicable: the effect is not favourable", None, None)
        saving = pu.estimate < 0
        value = f"{money(-pu.estimate, cur)} saved" if saving else money(pu.estimate, cur)
        rng: str | None
        if pu.effect_ci is None:
            rng = None
        elif pu.low is not None and pu.high is not None:
            if saving:
                rng = f"{money(-pu.high, cur)} to {money(-pu.low, cur)} saved"
            else:
                rng = f"{money(pu.low, cur)} to {money(pu.high, cur)}"
        elif pu.low is not None:
            rng = (f"from {money(pu.low, cur)}, with no upper bound (the effect's CI includes "
                   "no effect)")
        elif pu.high is not None:
            rng = (f"at least {money(-pu.high, cur)} saved at best; no bound on the other side "
                   "(the effect's CI includes no effect)")
        else:
            rng = "not bounded: the effect's CI includes no effect"
        nnt = None
        if pu.nnt is not None:
            nnt = n2(pu.nnt, 1)
            if pu.nnt_ci is not None:
                hi = n2(pu.nnt_ci[1], 1) if pu.nnt_ci[1] is not None else "∞"
                nnt += f" (95% CI {n2(pu.nnt_ci[0], 1)} to {hi})"
        return value, rng, nnt

    def value_summary(self, v: ValueForMoney, cur: str, per_label: str | None,
                      per_unit: str | None, per_range: str | None) -> str:
        if v.comparator_cost_per_participant is not None:
            diff = v.net_cost
            head = (f"The programme costs {money(v.cost_per_participant, cur)} per participant "
                    f"against {money(v.comparator_cost_per_participant, cur)} for the "
                    f"comparator: {money(abs(diff), cur)} "
                    f"{'less' if diff < 0 else 'more'} per participant.")
            if diff == 0:
                head = (f"The programme costs {money(v.cost_per_participant, cur)} per "
                        "participant, the same as the comparator.")
        else:
            head = (f"The programme costs {money(v.cost_per_participant, cur)} per participant; "
                    "no comparator cost is given.")
        if per_label is None or per_unit is None:
            return head
        tail = f" {per_label}: {per_unit}"
        if per_range:
            tail += f" (range {per_range})"
        return head + tail + "."

    # -- the assessment -----------------------------------------------------------------

    def assessment(self) -> tuple[LevelSection, ...]:
        out = []
        for lv in self.r.levels:
            status = self.status(lv)
            crits = tuple(self.criterion(c) for c in lv.criteria)
            out.append(LevelSection(lv.level, self.text(lv.title), self.text(lv.statement, "long"),
                                    status, STATUS_LABELS[status], self.verdict(lv, status),
                                    crits))
        return tuple(out)

    def criterion(self, c: CriterionResult) -> CriterionRow:
        return CriterionRow(self.text(c.id), self.text(c.title), c.gate, c.status,
                            STATUS_LABELS.get(c.status, c.status), self.say(c.reason_message()),
                            tuple(self.say(a) for a in (c.advice_messages or tuple(
                                Message.parse(t) for t in c.advice))))

    # -- appendix -----------------------------------------------------------------------

    def parameters(self) -> tuple[ParameterRow, ...]:
        rows = []
        declared = self.rubric.parameters if self.rubric is not None else {}
        for name, value in self.r.parameters.items():
            p = declared.get(name)
            default = _param(p.default) if p is not None else "—"
            desc = self.text(getattr(p, "description", "") or "", "long")
            rows.append(ParameterRow(self.text(name), _param(value), default, desc))
        return tuple(rows)

    def provenance(self, when: datetime | None, source: str) -> tuple[ProvenanceRow, ...]:
        rows = [ProvenanceRow("evidencekit", f"version {__version__}")]
        if when is not None:
            how = {"SOURCE_DATE_EPOCH": " (from SOURCE_DATE_EPOCH)", "given": ""}.get(source, "")
            rows.append(ProvenanceRow("Generated", when.strftime("%Y-%m-%d %H:%M:%S UTC") + how))
        else:
            rows.append(ProvenanceRow("Generated", "time not recorded (deterministic output)"))
        r = self.r
        rows.append(ProvenanceRow("Rubric", f"{self.text(r.rubric_id)}, version "
                                  f"{self.text(r.rubric_version)} ({self.text(r.rubric_title)})"))
        if self.rubric is not None:
            rubric_file = Path(self.rubric.path).name if self.rubric.path else "(in memory)"
            rows.append(ProvenanceRow("Rubric file", self.text(rubric_file),
                                      self.rubric.sha256))
        else:
            rows.append(ProvenanceRow("Rubric file", "not recorded (no rubric object given)"))
        if self.sub is not None:
            src = self.sub.source
            shown = Path(src).name if src and not src.startswith("<") else src
            rows.append(ProvenanceRow("Submission", self.text(shown or "(in memory)"),
                                      self.sub.sha256))
            for path in _data_files(self.sub):
                from ..load.data import sha256_inside

                digest = sha256_inside(path, self.sub.base_dir or Path.cwd())
                rows.append(ProvenanceRow("Data file", self.text(path.name),
                                          digest or "unreadable"))
        else:
            rows.append(ProvenanceRow("Submission", "not recorded (no submission given)"))
        rows.append(ProvenanceRow("Templates", "custom template folder, over the bundled ones"
                                  if self.opt.template_dir is not None else "bundled"))
        rows.append(ProvenanceRow("Disclosure control",
                                  f"counts below {self.sdc.threshold} shown as "
                                  f"“<{self.sdc.threshold}”"))
        return tuple(rows)

    def disclosure_statement(self) -> str:
        t = self.sdc.threshold
        text = (f"Counts of people below {t} are shown as “<{t}”. For any outcome with such a "
                "count, the group means, standard deviations, proportions, effects, confidence "
                "intervals and p-values are withheld, because with the numbers shown they "
                "would reveal it; such counts and statistics are also masked in the reasons "
                "quoted from the assessment. No row-level data appear in this report: data "
                "files are identified by their SHA-256 only.")
        if not self.sdc.applied:
            text += f" No count in this report was below {t}."
        return text


# ---------------------------------------------------------------------------------------------
# Small pure helpers

_POSITIONS = {
    "dominant": "cheaper than the comparator and more effective",
    "trade_off": "more effective, at a higher cost than the comparator",
    "cheaper_less_effective": "cheaper than the comparator but less effective",
    "dominated": "more costly than the comparator and less effective",
    "no_effect": "the effect's confidence interval includes no effect",
}


def _own_label(label: str, level: int, title: str = "") -> str | None:
    """A rubric's own name for a level, or None when it is only "Level N", the level's title
    already says it, or there is none.

    >>> _own_label("3+", 4), _own_label("Level 2", 2), _own_label("", 0), _own_label("A", 1, "A")
    ('3+', None, None, None)
    """
    return label if label and label not in (f"Level {level}", title) else None


def _replace(ctx: ReportContext, **changes: Any) -> ReportContext:
    from dataclasses import replace

    return replace(ctx, **changes)


def _p_words(p: float | None) -> str:
    text = pval(p)
    return text if text.startswith("<") or text == "—" else "= " + text


def _param(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _group_summary(g: GroupStats) -> str:
    if g.events is not None:
        share = percent(g.events / g.n) if g.n else "—"
        return f"{num(g.events)} of {num(g.n)} ({share})"
    if g.mean is None:
        return "—"
    return f"mean {n2(g.mean)} (SD {n2(g.sd)})"


def _verdict_words(o: OutcomeResult) -> str:
    if o.favourable is None:
        words = "direction unknown"
    else:
        words = "favourable" if o.favourable else "unfavourable"
    if o.significant is not None:
        words += ", significant" if o.significant else ", not significant"
    return words


def _data_files(sub: Submission) -> list[Path]:
    seen: dict[str, Path] = {}
    for e in sub.evaluations:
        for o in e.outcomes:
            if isinstance(o.source, DataSource):
                seen.setdefault(str(o.source.path), Path(o.source.path))
    return list(seen.values())
