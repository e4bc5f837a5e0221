"""A crosswalk: one submission's verdict under several rubrics, side by side.

Each entry is one rubric's :class:`~evidencekit.assessment.engine.AssessmentResult` reduced to
what a reader compares across frameworks: the level reached, the framework's own label for
it ("3+", "SMS 5"), the claimed level, any override (such as "NE"), and — for rubrics of
``scope: evaluation`` — which evaluation earned the verdict and how every evaluation fared.
The full results stay attached (``entry.result``) for reports; ``to_dict`` gives the JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .engine import AssessmentResult, OverrideResult
from .rubric import Rubric


@dataclass(frozen=True)
class CrosswalkEntry:
    rubric_id: str
    rubric_title: str
    rubric_version: str
    scope: str
    level: int
    claimed_level: int
    max_level: int
    label: str
    claimed_label: str
    level_title: str
    evaluation: str | None = None
    override: OverrideResult | None = None
    #: Evaluation-scope rubrics: (evaluation id, level, label) of every evaluation.
    per_evaluation: tuple[tuple[str, int, str], ...] = ()
    result: AssessmentResult | None = field(default=None, repr=False, compare=False)
    rubric: Rubric | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, result: AssessmentResult, rubric: Rubric | None = None) -> CrosswalkEntry:
        return cls(
            rubric_id=result.rubric_id, rubric_title=result.rubric_title,
            rubric_version=result.rubric_version, scope=result.scope, level=result.level,
            claimed_level=result.claimed_level, max_level=len(result.levels),
            label=result.label, claimed_label=result.claimed_label,
            level_title=result.level_title(result.level), evaluation=result.evaluation,
            override=result.override,
            per_evaluation=tuple((v.id, v.level, v.label) for v in result.per_evaluation),
            result=result, rubric=rubric)

    def to_dict(self) -> dict[str, Any]:
        evaluation_scope = self.scope == "evaluation"
        return {
            "rubric": self.rubric_id, "title": self.rubric_title, "version": self.rubric_version,
            "scope": self.scope, "level": self.level, "claimed_level": self.claimed_level,
            "max_level": self.max_level, "label": self.label,
            "claimed_label": self.claimed_label, "level_title": self.level_title,
            "evaluation": self.evaluation,
            "override": self.override.to_dict() if self.override else None,
            "per_evaluation": ([{"id": i, "level": n, "label": lab}
                                for i, n, lab in self.per_evaluation]
                               if evaluation_scope else None),
            # where the checks are the toolkit's reading of the framework (the rubric's own
            # `operationalisation`), so a reader of the JSON can tell rule from reading
            "operationalisation": (" ".join(self.rubric.operationalisation.split())
                                   if self.rubric is not None
                                   and self.rubric.operationalisation else None),
        }


@dataclass(frozen=True)
class Crosswalk:
    """Every rubric's verdict on one submission; the first entry is the primary one (the
    default rubric's), which a report about the crosswalk is built around."""

    programme: str
    organisation: str | None
    entries: tuple[CrosswalkEntry, ...]
    #: Problems no single rubric sees (a claim whose prefix names none of the rubrics).
    other_problems: tuple[dict[str, Any], ...] = ()

    @classmethod
    def of(cls, results: Sequence[tuple[AssessmentResult, Rubric | None]],
           other_problems: Sequence[dict[str, Any]] = ()) -> Crosswalk:
        if not results:
            raise ValueError("a crosswalk needs at least one assessment")
        first = results[0][0]
        return cls(first.programme, first.organisation,
                   tuple(CrosswalkEntry.of(r, rub) for r, rub in results), tuple(other_problems))

    @property
    def primary(self) -> AssessmentResult:
        result = self.entries[0].result
        assert result is not None, "a crosswalk built from results keeps them"
        return result

    @property
    def problems(self) -> tuple[dict[str, Any], ...]:
        """Problems found in the submission under any rubric (an outcome that cannot be
        analysed; a claim no rubric has), each once."""
        seen: dict[str, dict[str, Any]] = {}
        for e in self.entries:
            for p in e.result.problems if e.result is not None else ():
                seen.setdefault(str(p.get("message", p)), p)
        for p in self.other_problems:
            seen.setdefault(str(p.get("message", p)), p)
        return tuple(seen.values())

    def entry(self, rubric_id: str) -> CrosswalkEntry:
        for e in self.entries:
            if e.rubric_id == rubric_id:
                return e
        raise KeyError(rubric_id)

    #: Columns of :meth:`rows` and :meth:`to_frame`.
    COLUMNS = ("rubric", "title", "version", "scope", "level", "max_level", "label",
               "claimed_level", "claimed_label", "evaluation")

    def rows(self) -> list[dict[str, Any]]:
        """One row per rubric (plain values)."""
        return [{"rubric": e.rubric_id, "title": e.rubric_title, "version": e.rubric_version,
                 "scope": e.scope, "level": e.level, "max_level": e.max_level,
                 "label": e.label, "claimed_level": e.claimed_level,
                 "claimed_label": e.claimed_label, "evaluation": e.evaluation}
                for e in self.entries]

    def to_frame(self) -> Any:
        """The crosswalk as a pandas DataFrame (see :meth:`rows`); needs pandas."""
        from ..tabular import to_frame

        return to_frame(self.rows(), self.COLUMNS)

    def _repr_html_(self) -> str:
        from ..tabular import html_table

        return html_table(self.rows(), self.COLUMNS, self.programme)

    def to_dict(self) -> dict[str, Any]:
        return {"programme": self.programme, "organisation": self.organisation,
                "crosswalk": [e.to_dict() for e in self.entries],
                "problems": list(self.problems)}
