"""evidencekit: how strong is the evidence behind a social programme, and why.

The public API is loaded lazily so that ``import evidencekit`` (and the CLI's ``--help``)
stays fast: ``assess``, ``analyse``, ``crosswalk``, ``load_submission``, ``load_rubric``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "analyse", "assess", "crosswalk", "load_rubric", "load_submission"]

if TYPE_CHECKING:  # pragma: no cover
    from .api import analyse, assess, crosswalk
    from .assessment.rubric import load_rubric
    from .load import load_submission


def __getattr__(name: str) -> Any:
    if name in ("assess", "analyse", "crosswalk"):
        from . import api

        return getattr(api, name)
    if name == "load_submission":
        from .load import load_submission

        return load_submission
    if name == "load_rubric":
        from .assessment.rubric import load_rubric

        return load_rubric
    raise AttributeError(f"module 'evidencekit' has no attribute {name!r}")
