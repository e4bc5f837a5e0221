"""The report context's parts: frozen dataclasses of display strings, and the options.

Templates read these; :mod:`.context` builds them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from markupsafe import Markup

from ..errors import UsageError
from .methods import Method

DEFAULT_THRESHOLD = 10
LANGUAGE = "en-GB"


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
    #: A review round (the assessment has reviewers' judgements applied): the validated
    #: level, shown on page one between the verified and claimed ones; None otherwise.
    validated_level: int | None = None
    validated_label: str = ""
    validated_rating: str | None = None
    #: Page one's one-line "so what" for a commissioner (:meth:`PageOne.so_what`).
    so_what: str = ""
    #: Who wrote the submission and what evidencekit checked (page one and provenance).
    authorship: str = ""

