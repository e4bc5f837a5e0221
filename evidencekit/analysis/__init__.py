"""Stage 2 — analyse: effect sizes, significance and design diagnostics for a submission."""

from .programme import analyse_submission, pool_evaluations
from .result import (
    AnalysisOptions,
    AnalysisResult,
    Effect,
    EvaluationResult,
    OutcomeResult,
    PooledResult,
)

__all__ = ["AnalysisOptions", "AnalysisResult", "Effect", "EvaluationResult", "OutcomeResult",
           "PooledResult", "analyse_submission", "pool_evaluations"]
