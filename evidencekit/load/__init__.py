"""Stage 1 — load: read submissions (and, for row-level outcomes, data files) safely."""

from .model import Submission
from .submission import SCHEMA_ID, build_submission, load_submission

__all__ = ["SCHEMA_ID", "Submission", "build_submission", "load_submission"]
