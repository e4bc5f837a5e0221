"""Stage 5 — deliver, for funders: score many applications at once (``evidencekit batch``).

``inputs`` finds the applications, ``task`` scores one (in a worker), ``store`` writes every
file atomically and remembers finished work for ``--resume``, ``runner`` schedules tasks on
local processes or a Dask cluster, ``progress`` tells the person how it is going.
"""

from .runner import BatchOptions, BatchSummary, run_batch

__all__ = ["BatchOptions", "BatchSummary", "run_batch"]
