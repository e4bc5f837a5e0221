"""What the analysis asks of a data file (:class:`ColumnRequest`: a column, how to read it,
where the submission names it) and what it gets back (:class:`Batch`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

__all__ = ["Batch", "ColumnKind", "ColumnRequest"]

ColumnKind = Literal["number", "binary", "category", "number_or_binary"]


@dataclass(frozen=True, slots=True)
class ColumnRequest:
    """A column the analysis needs: its name in the file, how to read it, and where the
    submission names it (for messages, e.g. ``columns.outcome`` or ``covariates[0]``)."""

    name: str
    kind: ColumnKind
    role: str


@dataclass(frozen=True, slots=True)
class Batch:
    """Consecutive non-blank rows: ``values`` (number, binary and number_or_binary columns,
    float64 with NaN for missing; binary as 0/1) and ``codes`` (category columns, int64 codes
    into :meth:`DataFile.labels`, −1 for missing), keyed by column name."""

    values: Mapping[str, NDArray[np.float64]]
    codes: Mapping[str, NDArray[np.int64]]
    size: int
