"""The report context: everything a report template shows, built in one place.

:func:`build_context` turns an :class:`~evidencekit.assessment.engine.AssessmentResult` (and,
when given, the :class:`~evidencekit.load.model.Submission` and
:class:`~evidencekit.assessment.rubric.Rubric` it came from, for provenance) into one frozen
:class:`ReportContext` of display strings. Templates only place these strings; they never
compute, round or choose. Decisions (the verdict, the headline, what leads page one, value
for money's position) are the assessment's and the analysis's; this package only words them.

The builder is split by the report's sections, one module each:

- :mod:`.views` — the frozen dataclasses of display strings, and :class:`ReportOptions`;
- :mod:`.words` — **rounding happens at rendering**: numbers with
  :mod:`evidencekit.render.numbers`, labels from :mod:`evidencekit.registry`; and
  **untrusted text stays inert and bounded**: control and bidirectional-override characters
  stripped, text shortened to a fixed length (escaping is the template engine's job;
  autoescape is always on);
- :mod:`.disclosure` — **statistical disclosure control**: every count of people below the
  threshold (default 10) is shown as "<10"; the statistics of an outcome with such a count
  are withheld; counts and statistics in the assessment's free-text reasons are masked too.
  No row-level data is ever read: data files are only hashed;
- :mod:`.builder` — the state the sections share (the result, the text cleaner, the
  disclosure control);
- :mod:`.page_one`, :mod:`.evidence`, :mod:`.value_view`, :mod:`.verdicts`,
  :mod:`.provenance` — the sections, as mixins of the one builder below;
- :mod:`.glossary` — the technical terms the report uses, defined once.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .. import __version__
from ..assessment.crosswalk import Crosswalk
from ..assessment.engine import AssessmentResult
from ..assessment.message import Message
from ..assessment.rubric import Rubric
from ..load.model import Submission
from .evidence import Evidence
from .glossary import glossary_of, strings
from .methods import methods_used
from .page_one import PageOne
from .provenance import Appendix, file_sha256, generation_time
from .value_view import ValueSection
from .verdicts import Verdicts
from .views import (
    DEFAULT_THRESHOLD,
    LANGUAGE,
    Chart,
    Disclosure,
    ReportContext,
    ReportOptions,
)
from .words import _own_label

__all__ = ["DEFAULT_THRESHOLD", "LANGUAGE", "Chart", "ReportContext", "ReportOptions",
           "build_context", "file_sha256", "generation_time"]


def build_context(result: AssessmentResult, *, submission: Submission | None = None,
                  rubric: Rubric | None = None, options: ReportOptions | None = None,
                  crosswalk: Crosswalk | None = None) -> ReportContext:
    """The one place a report's content is decided. See the module docstring.

    With ``crosswalk`` (whose primary result is ``result``), the context also sets every
    framework's verdict side by side."""
    return _Builder(result, submission, rubric, options or ReportOptions(), crosswalk).build()

class _Builder(PageOne, Evidence, ValueSection, Verdicts, Appendix):
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
            # The rubric's id and version are in the provenance table, not in a reader's way.
            rubric_label=self.text(r.rubric_title),
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
            glossary=(),  # found below, from the text the report shows
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
        if r.review is not None:  # a review round: page one shows the validated level too
            context = _replace(context, validated_level=r.validated,
                               validated_label=self.text(r.level_title(r.validated)),
                               validated_rating=_own_label(r.validated_label, r.validated,
                                                           r.level_title(r.validated)))
        context = _replace(context, caveats=caveats, rating=rating,
                           claimed_rating=claimed_rating,
                           per_evaluation=self.per_evaluation(), crosswalk=self.crosswalk(),
                           so_what=self.so_what(), authorship=self.authorship())
        # The glossary defines what the report says: the terms found in its own text.
        words = "\n".join(strings(context))
        return _replace(context, glossary=glossary_of(words, self.analysis),
                        shortened=tuple(self.text.shortened))


def _replace(ctx: ReportContext, **changes: Any) -> ReportContext:
    return replace(ctx, **changes)

