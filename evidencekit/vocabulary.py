"""Words the whole package shares, defined once.

The designs and which of them compare two groups live with the submission model
(:data:`evidencekit.load.model.DESIGNS`, :data:`~evidencekit.load.model.TWO_GROUP_DESIGNS`);
the default rubric id and the words of every status the assessment emits live here, light
enough for the CLI to import for its ``--help``.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The rubric used when none is named (the Nesta Standards of Evidence).
DEFAULT_RUBRIC = "nesta"


@dataclass(frozen=True, slots=True)
class Status:
    """A status the assessment emits, with the words every view shows it by.

    ``label`` is a table cell, badge or column value ("Claimed only"); ``words`` goes inside
    a sentence ("claimed"); ``mark`` is the sign an HTML or PDF view puts before it, and
    ``terminal`` and ``colour`` the sign and colour of the terminal's output. ``criterion``
    is the criterion status a level's step is drawn as (a criterion's own key for a
    criterion status).

    >>> CRITERION_STATUS["validated"].label, LEVEL_STATUS["validated_only"].criterion
    ('Validated', 'validated')
    """

    key: str
    label: str
    words: str
    mark: str
    terminal: str
    colour: str
    criterion: str


#: A criterion's status (SPEC §2): ``validated`` is a claim the round's reviewers accepted.
CRITERION_STATUS: dict[str, Status] = {s.key: s for s in (
    Status("verified", "Verified", "verified", "✓", "✔", "green", "verified"),
    Status("validated", "Validated", "validated", "✓", "✔", "cyan", "validated"),
    Status("claimed", "Claimed only", "claimed", "?", "?", "yellow", "claimed"),
    Status("not_met", "Not met", "not met", "✗", "✘", "red", "not_met"),
)}

#: A level's cumulative status (SPEC §2; ``LevelResult.status``): reached with verified
#: criteria only, with the claims reviewers validated, with every claim, or not at all.
LEVEL_STATUS: dict[str, Status] = {s.key: s for s in (
    Status("reached", "Reached", "verified", "✓", "✔", "green", "verified"),
    Status("validated_only", "Reached with validated claims", "validated", "✓", "✔", "cyan",
           "validated"),
    Status("claimed_only", "Claimed only", "claimed", "?", "?", "yellow", "claimed"),
    Status("not_reached", "Not reached", "not reached", "", "·", "dim", "not_met"),
)}
