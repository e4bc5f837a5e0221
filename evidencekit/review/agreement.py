"""Agreement between reviewers: Cohen's kappa per pair (issue #16).

For two reviewers who judged the same N items (a claimed criterion of an application) into
categories (validated, rejected):

    κ = (p_o − p_e) / (1 − p_e),   p_o = Σ_k n_kk / N,   p_e = Σ_k (n_k· / N)(n_·k / N)

where n_kk counts the items both put in category k and n_k·, n_·k are each reviewer's
totals (Cohen 1960, "A coefficient of agreement for nominal scales", Educational and
Psychological Measurement 20:37–46). When p_e = 1 (both reviewers used one and the same
category for every item) κ is undefined: None, as R's ``psych::cohen.kappa`` gives NaN.

The worked example of Cohen's kappa on Wikipedia (50 proposals; both yes 20, both no 15,
yes/no 5, no/yes 10): p_o = 0.7, p_e = 0.5, κ = 0.4.

>>> a = ["yes"] * 25 + ["no"] * 25
>>> b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
>>> round(cohen_kappa(a, b), 12)
0.4
>>> cohen_kappa(["v", "v"], ["v", "v"]) is None
True
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from .model import Judgement


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float | None:
    """Cohen's kappa of two raters' categories of the same items (formula above)."""
    if len(a) != len(b):
        raise ValueError("both raters must rate the same items")
    n = len(a)
    if n == 0:
        return None
    observed = sum(1 for x, y in zip(a, b, strict=True) if x == y) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in ca) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


@dataclass(frozen=True)
class PairAgreement:
    """Two reviewers' agreement over the items both judged (current judgements only)."""

    reviewers: tuple[str, str]
    items: int
    agreed: int
    kappa: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"reviewers": list(self.reviewers), "items": self.items,
                "agreed": self.agreed, "kappa": self.kappa}


def pairwise(judgements: Iterable[Judgement],
             current: dict[str, str | None] | None = None) -> list[PairAgreement]:
    """Cohen's kappa for every pair of reviewers who judged at least one item in common.

    An item is (application, criterion); each reviewer's latest judgement counts; moderators'
    judgements and stale ones (``current`` maps an application to its SHA-256) are left out.
    """
    latest: dict[str, dict[tuple[str, str], str]] = {}
    for j in sorted(judgements, key=lambda j: (j.seq if j.seq is not None else -1, j.at)):
        if j.role != "reviewer":
            continue
        if current is not None and j.submission_sha256 is not None \
                and current.get(j.application) not in (None, j.submission_sha256):
            continue
        latest.setdefault(j.reviewer, {})[(j.application, j.criterion)] = j.decision
    out = []
    for r1, r2 in combinations(sorted(latest), 2):
        common = sorted(set(latest[r1]) & set(latest[r2]))
        if not common:
            continue
        a = [latest[r1][k] for k in common]
        b = [latest[r2][k] for k in common]
        out.append(PairAgreement((r1, r2), len(common),
                                 sum(1 for x, y in zip(a, b, strict=True) if x == y),
                                 cohen_kappa(a, b)))
    return out
