"""Words the whole package shares, defined once.

The designs and which of them compare two groups live with the submission model
(:data:`evidencekit.load.model.DESIGNS`, :data:`~evidencekit.load.model.TWO_GROUP_DESIGNS`);
the default rubric id lives here, light enough for the CLI to import for its ``--help``.
"""

from __future__ import annotations

#: The rubric used when none is named (the Nesta Standards of Evidence).
DEFAULT_RUBRIC = "nesta"
