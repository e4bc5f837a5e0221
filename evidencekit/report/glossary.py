"""The report's glossary: every technical term, measure and test the report's own text uses,
defined once (:data:`evidencekit.registry.TERMS`, :data:`~evidencekit.registry.MEASURES`,
:data:`~evidencekit.registry.TESTS`).

The glossary is found, not listed: :func:`glossary_of` reads every string a report shows
(page one, the evidence, the assessment, value for money) and keeps the terms whose pattern
occurs, so a report defines what it says and nothing else. The methods appendix's formulas
are for analysts and are not searched.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

from ..analysis.result import AnalysisResult
from ..registry import MEASURES, TERMS, TESTS
from .views import GlossaryRow

#: Context fields that are not a reader's prose (the glossary itself, the formulas, charts'
#: markup, file digests and switches).
_SKIP = {"glossary", "methods", "svg", "digest", "language", "generated_iso", "version",
         "custom_template", "status", "id"}


def strings(value: Any) -> Iterator[str]:
    """Every string a report context (or a part of it) holds, skipping :data:`_SKIP`."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            if f.name not in _SKIP:
                yield from strings(getattr(value, f.name))
    elif isinstance(value, (tuple, list)):
        for v in value:
            yield from strings(v)


def _symbol_used(symbol: str, text: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(symbol)}(?:\s*=|\s+[−\d])", text) is not None


def glossary_of(text: str, analysis: AnalysisResult) -> tuple[GlossaryRow, ...]:
    """The glossary of a report whose prose is ``text``: its terms, then its measures (by
    symbol, as shown: "g = 0.41"), then its tests.

    >>> from evidencekit.analysis.result import AnalysisOptions, AnalysisResult
    >>> none = AnalysisResult("P", None, (), AnalysisOptions.default())  # no measures computed
    >>> [r.label for r in glossary_of("g = 0.41; 95% CI 0.14 to 0.69; p = 0.003", none)]
    ['95% confidence interval', 'p-value']
    """
    rows = [GlossaryRow(t.label, t.abbreviation, t.definition) for t in TERMS.values()
            if re.search(t.pattern, text)]
    effects = {k for e in analysis.evaluations for o in e.outcomes for k in o.effects}
    heads = {o.headline.measure for e in analysis.evaluations for o in e.outcomes
             if o.headline is not None}
    used = effects | heads
    rows += [GlossaryRow(m.label, m.symbol, m.description) for k, m in MEASURES.items()
             if k in used and (_symbol_used(m.symbol, text) or m.label in text)]
    tests = {o.test for e in analysis.evaluations for o in e.outcomes if o.test}
    rows += [GlossaryRow(t.label, "test", t.description) for k, t in TESTS.items()
             if k in tests and t.label in text]
    return tuple(dict.fromkeys(rows))
