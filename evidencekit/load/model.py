"""The typed submission: what a programme is and the evidence behind it (SPEC §1).

Everything here is a frozen dataclass built by :mod:`evidencekit.load.submission` from a
validated document. Nothing here computes statistics; that is :mod:`evidencekit.analysis`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .document import KeyPath

Design = Literal["none", "post_only", "pre_post", "comparison_group", "rct", "cluster_rct"]
DESIGNS: tuple[str, ...] = ("none", "post_only", "pre_post", "comparison_group", "rct",
                            "cluster_rct")
TWO_GROUP_DESIGNS: tuple[str, ...] = ("comparison_group", "rct", "cluster_rct")
#: The randomised designs (a subset of the two-group designs).
RANDOMISED_DESIGNS: tuple[str, ...] = ("rct", "cluster_rct")
#: The designs that measure one group only (outcomes without a comparison group).
ONE_GROUP_DESIGNS: tuple[str, ...] = ("post_only", "pre_post")
#: How an evaluation identifies the effect (the method families the Maryland Scientific Methods
#: Scale is scored on): none (a plain comparison), controls (control variables), matching,
#: difference_in_differences (or panel fixed effects), instrumental_variables,
#: regression_discontinuity, randomisation.
IDENTIFICATIONS: tuple[str, ...] = ("none", "controls", "matching", "difference_in_differences",
                                    "instrumental_variables", "regression_discontinuity",
                                    "randomisation")
#: Identification methods that compare participants with non-participants, so need a
#: two-group design.
COMPARISON_IDENTIFICATIONS: tuple[str, ...] = ("matching", "difference_in_differences",
                                               "instrumental_variables",
                                               "regression_discontinuity", "randomisation")
Direction = Literal["higher_is_better", "lower_is_better"]
Kind = Literal["continuous", "binary"]


@dataclass(frozen=True, slots=True)
class Programme:
    name: str
    organisation: str | None = None
    theme: str | None = None
    summary: str | None = None


@dataclass(frozen=True, slots=True)
class TheoryOfChange:
    problem: str | None = None
    activities: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    rationale: str | None = None
    references: tuple[str, ...] = ()
    evaluation_plan: str | None = None


@dataclass(frozen=True, slots=True)
class ContinuousGroup:
    """Summary statistics of one group: analysed n, mean and SD (ddof = 1), optional pretest."""

    n: int
    mean: float
    sd: float
    pre_mean: float | None = None
    pre_sd: float | None = None


@dataclass(frozen=True, slots=True)
class BinaryGroup:
    """Analysed n and how many had the outcome; optionally how many had it at baseline."""

    n: int
    events: int
    pre_events: int | None = None


Group = ContinuousGroup | BinaryGroup


@dataclass(frozen=True, slots=True)
class TwoGroupSummary:
    treatment: Group
    control: Group
    correlation: float | None = None  # pre-post correlation, for difference-in-differences


@dataclass(frozen=True, slots=True)
class OneGroupSummary:
    """A pre-post (``pre`` given) or post-only (``pre`` is None) summary."""

    post: Group
    pre: Group | None = None
    correlation: float | None = None


@dataclass(frozen=True, slots=True)
class DataSource:
    """A row-level outcome file (or files) and how its columns map to roles. ``root`` is the
    folder the files must stay inside (the submission's folder; None: the folder ``path``
    names)."""

    path: Path
    columns: Mapping[str, str]
    sheet: str | None = None
    covariates: tuple[str, ...] = ()
    root: Path | None = None
    #: Several files read as one outcome, in this order (``data:`` given as a list); empty:
    #: ``path`` alone, a file or a folder holding a partitioned Parquet dataset
    #: (:mod:`evidencekit.load.data.partitions`).
    parts: tuple[Path, ...] = ()


@dataclass(frozen=True, slots=True)
class Reported:
    """An effect as published: exactly one statistic plus what it needs."""

    statistic: Literal["t", "z", "p", "f", "hedges_g", "mean_difference", "odds_ratio"]
    value: float
    n_treatment: int | None = None
    n_control: int | None = None
    sign: int | None = None
    se: float | None = None
    ci: tuple[float, float] | None = None
    sd: float | None = None
    adjusted: bool = False
    cluster_adjusted: bool | None = None
    p_value: float | None = None   # published beside t/z/f, for the statcheck check only
    df: float | None = None        # published df of t/f, for the statcheck check only


Source = TwoGroupSummary | OneGroupSummary | DataSource | Reported


@dataclass(frozen=True, slots=True)
class Outcome:
    name: str
    source: Source
    kind: Kind = "continuous"
    primary: bool = True
    direction: Direction = "higher_is_better"
    domain: str | None = None
    self_reported: bool = False
    #: Months from the end of the programme to this measurement (how long the effect lasted).
    follow_up_months: float | None = None
    path: KeyPath = ()
    #: Items of an integer-valued scale (GRIM/GRIMMER checks); None when not integer-valued.
    scale_items: int | None = None
    #: The unit the outcome is measured in ("mmHg"), for effects in its own units.
    units: str | None = None

    @property
    def sign(self) -> int:
        """+1 when higher is better, −1 when lower is better."""
        return 1 if self.direction == "higher_is_better" else -1


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer to a rubric's per-evaluation question (``evaluations[].answers``), as
    written: the rubric's answer set decides what it means (``PY``, "probably yes")."""

    answer: str
    note: str | None = None
    #: Written as a mapping ``{answer: ..., note: ...}`` (not as the answer alone).
    long_form: bool = False


@dataclass(frozen=True, slots=True)
class Evaluation:
    id: str
    design: Design
    outcomes: tuple[Outcome, ...] = ()
    title: str | None = None
    independent: bool = False
    delivered_by: str | None = None
    site: str | None = None
    year: int | None = None
    assigned: tuple[int, int] | None = None  # (treatment, control)
    clusters: tuple[int, int] | None = None
    icc: float | None = None
    identification: str | None = None  # one of IDENTIFICATIONS
    comparison_justified: bool | None = None  # the comparison group's choice is argued
    real_world: bool | None = None  # delivered in everyday conditions (effectiveness)
    path: KeyPath = ()
    #: Answers to rubrics' per-evaluation questions, by full question id ("rob2.1.2").
    answers: Mapping[str, Answer] = field(default_factory=dict)
    #: Line of each answer in the file, for messages.
    answer_lines: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Costs:
    per_participant: float | None = None
    currency: str = "GBP"
    comparator_per_participant: float | None = None


@dataclass(frozen=True, slots=True)
class Scaling:
    manual: bool | None = None
    training: bool | None = None
    fidelity_monitoring: bool | None = None
    sites: int | None = None
    delivered_by_others: bool | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    answer: bool
    note: str | None = None


@dataclass(frozen=True)
class Submission:
    programme: Programme
    theory_of_change: TheoryOfChange = field(default_factory=TheoryOfChange)
    evaluations: tuple[Evaluation, ...] = ()
    costs: Costs | None = None
    scaling: Scaling = field(default_factory=Scaling)
    claims: Mapping[str, Claim] = field(default_factory=dict)
    source: str = "<submission>"
    base_dir: Path | None = None
    sha256: str | None = None
    #: Line of each claim in the file, for messages about claims the rubric does not know.
    claim_lines: Mapping[str, int] = field(default_factory=dict)
