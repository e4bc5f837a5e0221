"""The judgements GRADE reads from other parts of an assessment: each evaluation's RoB 2
overall judgement, and each evaluation's answer to GRADE's indirectness question.

The one place GRADE (:func:`evidencekit.assessment.facts.add_grade_facts`) takes them from,
so that it does not depend on how they are stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: The fact that holds an evaluation's answer to GRADE's indirectness question.
INDIRECTNESS_FACT = "answer.indirectness"


#: The bundled RoB 2 rubric (rubrics/rob2.yaml) and its verdict labels as GRADE's
#: risk-of-bias judgements.
ROB2_RUBRIC = "rob2"
ROB2_LABELS = {"Low": "low", "Some concerns": "some_concerns", "High": "high"}


def rob2_judgements(submission: Any, analysis: Any) -> dict[str, str | None]:
    """Evaluation id -> RoB 2 overall judgement (low, some_concerns, high), or None when it
    is not judged: the verified verdict of the bundled RoB 2 rubric on each evaluation, from
    the submission's answers to its signalling questions (a claimed verdict does not count).
    Empty when no RoB 2 rubric is bundled."""
    from .engine import assess_submission
    from .rubric import bundled_rubrics, load_rubric

    if ROB2_RUBRIC not in bundled_rubrics():
        return {}
    result = assess_submission(submission, load_rubric(ROB2_RUBRIC), analysis, explain=False)
    return {v.id: (ROB2_LABELS.get(v.label) if v.level > 0 else None)
            for v in result.per_evaluation}


def indirectness_answers(facts: Mapping[str, Any]) -> dict[str, str | None]:
    """Evaluation id -> its answer to GRADE's indirectness question (not_serious, serious,
    very_serious), None when not answered.

    >>> indirectness_answers({"evaluations": [{"id": "a", "answer.indirectness": "serious"},
    ...                                       {"id": "b"}]})
    {'a': 'serious', 'b': None}
    """
    return {str(ev.get("id")): ev.get(INDIRECTNESS_FACT)
            for ev in facts.get("evaluations") or ()}
